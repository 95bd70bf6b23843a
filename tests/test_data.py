"""Unit tests for data.py: the generated sets, the train/test split and reading CSV files."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import (
    CSV_RULES,
    EXAMPLE_CSV,
    FIXED,
    MAX_BYTES,
    MAX_POINTS,
    MAX_ROWS,
    NAMES,
    Dataset,
    make,
    read_csv,
    split,
)

GENERATED = ["xor_cloud", "circle", "gaussians", "spiral", "moons"]
CORNERS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


# --- helpers ------------------------------------------------------------------------------

def csv_file(*lines, newline="\n"):
    return (newline.join(lines) + newline).encode()


def error_of(file):
    with pytest.raises(ValueError) as info:
        read_csv(file)
    return str(info.value)


def class_counts(dataset):
    return int((dataset.y == 0).sum()), int((dataset.y == 1).sum())


def rows_of(dataset):
    return [tuple(row) for row in dataset.X]


def inside(dataset, margin=0.0):
    xmin, xmax, ymin, ymax = dataset.extent
    x, y = dataset.X.T
    return bool(((x >= xmin + margin) & (x <= xmax - margin)
                 & (y >= ymin + margin) & (y <= ymax - margin)).all())


def labelled(n0, n1):
    """A Dataset of n0 + n1 distinct points, class 0 first."""
    X = np.column_stack([np.arange(n0 + n1, dtype=float), np.zeros(n0 + n1)])
    y = np.repeat([0.0, 1.0], [n0, n1])[:, None]
    return Dataset("made by hand", X, y, (-1.0, n0 + n1, -1.0, n0 + n1))


# --- Dataset ------------------------------------------------------------------------------

def test_dataset_arrays_are_read_only_so_threads_can_share_one():
    dataset = make("spiral")
    with pytest.raises(ValueError):
        dataset.X[0, 0] = 5.0
    with pytest.raises(ValueError):
        dataset.y[0, 0] = 1.0


def test_dataset_keeps_a_copy_and_leaves_the_callers_arrays_writable():
    X, y = np.zeros((2, 2)), np.array([[0.0], [1.0]])
    dataset = Dataset("two", X, y, (-1.0, 1.0, -1.0, 1.0))
    X[0, 0] = 7.0
    assert dataset.X[0, 0] == 0.0
    assert X.flags.writeable
    assert dataset.n == 2


# --- the logic gates ----------------------------------------------------------------------

def test_xor_is_exactly_the_four_corners_with_xor_labels():
    xor = make("xor")
    assert xor.X.dtype == np.float64 and xor.y.dtype == np.float64
    assert np.array_equal(xor.X, np.array(CORNERS))
    assert np.array_equal(xor.y, np.array([[0.0], [1.0], [1.0], [0.0]]))
    assert xor.extent == (-0.5, 1.5, -0.5, 1.5)
    assert xor.name == "xor" and xor.notes == () and xor.classes == ("0", "1")


@pytest.mark.parametrize(("name", "truth"), [
    ("and", lambda a, b: a and b), ("or", lambda a, b: a or b), ("xor", lambda a, b: a != b)])
def test_each_gate_labels_the_corners_by_its_truth_table(name, truth):
    gate = make(name)
    assert np.array_equal(gate.X, np.array(CORNERS))
    assert [label for (label,) in gate.y] == [float(truth(a, b)) for a, b in [(0, 0), (0, 1),
                                                                             (1, 0), (1, 1)]]
    assert gate.extent == (-0.5, 1.5, -0.5, 1.5)


@pytest.mark.parametrize("name", ["xor", "and", "or"])
def test_the_gates_ignore_points_noise_and_seed(name):
    plain, varied = make(name), make(name, points=500, noise=0.7, seed=9)
    assert np.array_equal(plain.X, varied.X) and np.array_equal(plain.y, varied.y)
    assert name in FIXED


def test_every_name_except_the_gates_is_generated():
    assert set(NAMES) == set(FIXED) | set(GENERATED)


# --- the generated sets -------------------------------------------------------------------

@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("points", [4, 7, 200, MAX_POINTS])
def test_generated_sets_have_points_rows_of_two_coordinates_and_one_label(name, points):
    dataset = make(name, points=points, noise=0.1)
    assert dataset.X.shape == (points, 2) and dataset.y.shape == (points, 1)
    assert dataset.n == points
    assert dataset.X.dtype == np.float64 and dataset.y.dtype == np.float64
    assert set(np.unique(dataset.y)) == {0.0, 1.0}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_classes_are_balanced_and_an_odd_point_goes_to_class_0(name):
    assert class_counts(make(name, points=200)) == (100, 100)
    assert class_counts(make(name, points=201)) == (101, 100)


@pytest.mark.parametrize("name", GENERATED)
@pytest.mark.parametrize("noise", [0.0, 0.3, 1.0])
def test_every_point_lies_inside_a_square_extent_with_a_margin(name, noise):
    dataset = make(name, points=MAX_POINTS, noise=noise, seed=4)
    xmin, xmax, ymin, ymax = dataset.extent
    assert xmax - xmin == ymax - ymin
    assert inside(dataset, margin=0.2)


@pytest.mark.parametrize("name", GENERATED)
def test_clean_coordinates_are_of_order_one(name):
    assert np.abs(make(name, points=MAX_POINTS).X).max() < 2.0


@pytest.mark.parametrize("name", GENERATED)
def test_the_same_seed_gives_identical_arrays(name):
    first, second = make(name, 300, 0.2, seed=11), make(name, 300, 0.2, seed=11)
    assert np.array_equal(first.X, second.X) and np.array_equal(first.y, second.y)
    assert first.extent == second.extent


@pytest.mark.parametrize("name", GENERATED)
def test_different_seeds_give_different_points(name):
    assert not np.array_equal(make(name, seed=1).X, make(name, seed=2).X)


@pytest.mark.parametrize("name", GENERATED)
def test_noise_is_a_gaussian_jitter_of_that_standard_deviation(name):
    clean, noisy = make(name, MAX_POINTS, 0.0, seed=5), make(name, MAX_POINTS, 0.2, seed=5)
    jitter = noisy.X - clean.X
    assert not np.array_equal(clean.X, noisy.X)
    assert abs(jitter.mean()) < 0.02
    assert jitter.std() == pytest.approx(0.2, rel=0.1)


@pytest.mark.parametrize("name", NAMES)
def test_making_a_dataset_leaves_the_global_numpy_random_state_alone(global_random_state, name):
    make(name, points=50, noise=0.3, seed=3)
    global_random_state()


def test_circle_puts_class_1_in_a_disc_inside_the_ring_of_class_0():
    circle = make("circle", points=MAX_POINTS)
    radius = np.hypot(*circle.X.T)
    inner, outer = radius[circle.y[:, 0] == 1], radius[circle.y[:, 0] == 0]
    assert inner.mean() < outer.mean()
    assert inner.max() < outer.min()


def test_gaussians_have_class_means_further_apart_than_their_spread():
    blobs = make("gaussians", points=MAX_POINTS)
    zero, one = blobs.X[blobs.y[:, 0] == 0], blobs.X[blobs.y[:, 0] == 1]
    distance = np.linalg.norm(zero.mean(axis=0) - one.mean(axis=0))
    assert distance > 2 * max(zero.std(axis=0).max(), one.std(axis=0).max())


def test_xor_cloud_points_lie_nearest_a_corner_of_their_xor_label():
    cloud = make("xor_cloud", points=MAX_POINTS)
    corners = np.array(CORNERS)
    nearest = np.argmin(np.linalg.norm(cloud.X[:, None, :] - corners, axis=2), axis=1)
    xor_of_corner = corners[nearest].sum(axis=1) % 2
    assert np.mean(xor_of_corner == cloud.y[:, 0]) > 0.95


@pytest.mark.parametrize("angle", [0.3, 1.0, 2.5, -2.0])
def test_spiral_arms_alternate_along_a_ray_from_the_centre(angle):
    spiral = make("spiral", points=MAX_POINTS)
    offset = np.angle(np.exp(1j * (np.arctan2(spiral.X[:, 1], spiral.X[:, 0]) - angle)))
    on_ray = np.abs(offset) < 0.1
    outward = spiral.y[on_ray, 0][np.argsort(np.hypot(*spiral.X[on_ray].T))]
    assert np.count_nonzero(np.diff(outward)) >= 2


@pytest.mark.parametrize("name", ["spiral", "moons", "circle"])
def test_clean_classes_interleave_without_touching(name):
    dataset = make(name, points=300)
    zero, one = dataset.X[dataset.y[:, 0] == 0], dataset.X[dataset.y[:, 0] == 1]
    for axis in (0, 1):   # the classes' bounding boxes overlap on both axes
        assert zero[:, axis].max() > one[:, axis].min() and one[:, axis].max() > zero[:, axis].min()
    assert np.linalg.norm(zero[:, None, :] - one, axis=2).min() > 0.1


def test_unknown_name_is_refused_with_the_list_of_names():
    message = str(pytest.raises(ValueError, make, "swirl").value)
    assert "swirl" in message
    assert all(name in message for name in NAMES)


@pytest.mark.parametrize("points", [3, 0, -5, MAX_POINTS + 1, 4.5, "200", True, None])
def test_points_outside_4_to_1000_are_refused_saying_the_range(points):
    message = str(pytest.raises(ValueError, make, "circle", points=points).value)
    assert "points" in message and "4" in message and "1,000" in message
    assert repr(points) in message


@pytest.mark.parametrize("noise", [-0.1, 1.01, float("nan"), float("inf"), "0.1", None])
def test_noise_outside_0_to_1_is_refused(noise):
    message = str(pytest.raises(ValueError, make, "moons", noise=noise).value)
    assert "noise" in message and "0 to 1" in message


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_a_seed_that_is_not_a_whole_number_from_0_is_refused(seed):
    assert "seed" in str(pytest.raises(ValueError, make, "spiral", seed=seed).value)


def test_numpy_integers_and_floats_are_accepted_as_arguments():
    dataset = make("moons", points=np.int64(10), noise=np.float64(0.1), seed=np.int64(2))
    assert dataset.n == 10


# --- split --------------------------------------------------------------------------------

def test_split_parts_are_disjoint_and_together_the_whole_set():
    dataset = make("gaussians", points=200, noise=0.1, seed=3)
    train, test = split(dataset, 0.25, seed=1)
    assert len(set(rows_of(dataset))) == dataset.n     # every row unique, so rows identify
    assert not set(rows_of(train)) & set(rows_of(test))
    assert sorted(rows_of(train) + rows_of(test)) == sorted(rows_of(dataset))


def test_split_keeps_the_original_order_of_rows():
    dataset = labelled(30, 20)       # x1 is the row number
    train, test = split(dataset, 0.3, seed=4)
    assert np.all(np.diff(train.X[:, 0]) > 0) and np.all(np.diff(test.X[:, 0]) > 0)


def test_split_keeps_each_point_with_its_label():
    dataset = labelled(30, 20)
    for part in split(dataset, 0.3, seed=4):
        assert np.array_equal(part.y[:, 0], (part.X[:, 0] >= 30).astype(float))


def test_split_is_reproducible_and_depends_on_the_seed():
    dataset = make("spiral", points=200)
    first, second, other = split(dataset, 0.2, 7), split(dataset, 0.2, 7), split(dataset, 0.2, 8)
    assert np.array_equal(first[1].X, second[1].X) and np.array_equal(first[0].X, second[0].X)
    assert not np.array_equal(first[1].X, other[1].X)


def test_split_names_the_parts_and_keeps_extent_classes_and_notes():
    dataset = Dataset("pets", make("moons").X, make("moons").y, (-2.0, 2.0, -2.0, 2.0),
                      notes=("A note.",), classes=("cat", "dog"))
    train, test = split(dataset, 0.2, 0)
    assert (train.name, test.name) == ("pets (train)", "pets (test)")
    for part in (train, test):
        assert part.extent == dataset.extent
        assert part.classes == ("cat", "dog") and part.notes == ("A note.",)


@given(n0=st.integers(1, 30), n1=st.integers(1, 30), share=st.floats(0, 0.5),
       seed=st.integers(0, 2**32))
@settings(max_examples=60, deadline=None)
def test_split_holds_out_the_share_of_each_class_and_keeps_each_class_training(n0, n1, share,
                                                                               seed):
    dataset = labelled(n0, n1)
    train, test = split(dataset, share, seed)
    assert class_counts(train)[0] >= 1 and class_counts(train)[1] >= 1
    if test is None:
        assert train is dataset
        return
    for n, held in zip((n0, n1), class_counts(test)):
        assert abs(held - n * share) <= 1
    assert train.n + test.n == dataset.n


def test_a_test_share_of_0_returns_the_dataset_itself_and_no_test_set():
    dataset = make("circle")
    train, test = split(dataset, 0, seed=3)
    assert train is dataset and test is None


def test_too_few_points_for_any_test_point_return_the_dataset_itself():
    xor = make("xor")                 # two points per class; a quarter of two rounds to none
    train, test = split(xor, 0.25, seed=0)
    assert train is xor and test is None


def test_half_of_xor_holds_out_one_corner_of_each_class():
    train, test = split(make("xor"), 0.5, seed=0)
    assert class_counts(train) == (1, 1) and class_counts(test) == (1, 1)


@pytest.mark.parametrize("share", [-0.1, 0.51, 1, float("nan"), "0.2", None])
def test_a_test_share_outside_0_to_half_is_refused(share):
    message = str(pytest.raises(ValueError, split, make("circle"), share, 0).value)
    assert "test_share" in message and "0.5" in message


def test_a_negative_split_seed_is_refused():
    assert "seed" in str(pytest.raises(ValueError, split, make("circle"), 0.2, -1).value)


# --- read_csv: good files -----------------------------------------------------------------

def test_a_file_with_a_header_gives_its_points_and_labels():
    dataset = read_csv(csv_file("x1,x2,label", "0.5,-1.25,1", "2,3,0", "-1e-3,0,1"))
    assert np.array_equal(dataset.X, [[0.5, -1.25], [2.0, 3.0], [-0.001, 0.0]])
    assert np.array_equal(dataset.y, [[1.0], [0.0], [1.0]])
    assert dataset.name == "uploaded CSV"
    assert dataset.classes == ("0", "1") and dataset.notes == ()
    assert inside(dataset)


def test_a_file_without_a_header_reads_the_columns_as_x1_x2_label():
    dataset = read_csv(csv_file("0.5,-1.25,1", "2,3,0"))
    assert np.array_equal(dataset.X, [[0.5, -1.25], [2.0, 3.0]])
    assert np.array_equal(dataset.y, [[1.0], [0.0]])


def test_header_columns_may_come_in_any_order_case_and_spacing():
    dataset = read_csv(csv_file(" LABEL , X2,x1 ", "1,2.5,3", "0,-4,5"))
    assert np.array_equal(dataset.X, [[3.0, 2.5], [5.0, -4.0]])
    assert np.array_equal(dataset.y, [[1.0], [0.0]])


def test_labels_written_as_decimals_are_still_plain_0_and_1():
    dataset = read_csv(csv_file("x1,x2,label", "1,2,0.0", "3,4,1.0"))
    assert np.array_equal(dataset.y, [[0.0], [1.0]]) and dataset.notes == ()


def test_text_labels_become_classes_in_alphabetical_order_with_a_note_naming_both():
    dataset = read_csv(csv_file("x1,x2,label", "1,2,dog", "3,4,cat", "5,6,dog"))
    assert np.array_equal(dataset.y, [[1.0], [0.0], [1.0]])
    assert dataset.classes == ("cat", "dog")
    (note,) = dataset.notes
    assert '"cat"' in note and '"dog"' in note and "class 0" in note and "class 1" in note
    assert note.index("cat") < note.index("class 0") < note.index("dog")


def test_alphabetical_order_of_labels_ignores_case():
    assert read_csv(csv_file("1,2,apple", "3,4,Banana")).classes == ("apple", "Banana")


def test_numeric_labels_other_than_0_and_1_are_ordered_by_value():
    dataset = read_csv(csv_file("1,2,10", "3,4,2"))
    assert dataset.classes == ("2", "10")
    assert np.array_equal(dataset.y, [[1.0], [0.0]])
    assert '"2" is class 0' in dataset.notes[0]


def test_a_quoted_label_may_contain_the_separator():
    dataset = read_csv(csv_file("x1,x2,label", '1,2,"Paris, France"', '3,4,"Rome, Italy"'))
    assert dataset.classes == ("Paris, France", "Rome, Italy")


def test_semicolon_files_may_write_decimals_with_a_comma():
    dataset = read_csv(csv_file("x1;x2;label", "0,5;-1,25;1", "2;3;0"))
    assert np.array_equal(dataset.X, [[0.5, -1.25], [2.0, 3.0]])
    assert np.array_equal(dataset.y, [[1.0], [0.0]])


def test_tab_separated_files_are_read():
    dataset = read_csv(csv_file("x1\tx2\tlabel", "0.5\t-1\t1", "2\t3\t0"))
    assert np.array_equal(dataset.X, [[0.5, -1.0], [2.0, 3.0]])


def test_windows_line_endings_a_utf8_bom_and_blank_lines_are_accepted():
    raw = "\ufeff".encode() + csv_file("x1,x2,label", "", "1,2,0", "3,4,1", "", newline="\r\n")
    dataset = read_csv(raw)
    assert np.array_equal(dataset.X, [[1.0, 2.0], [3.0, 4.0]])


def test_a_windows_1252_file_with_accented_labels_is_read():
    dataset = read_csv("1,2,café\n3,4,“thé”\n".encode("cp1252"))
    assert dataset.classes == ("café", "“thé”")


def test_bytes_bytearray_path_and_file_objects_give_the_same_dataset(tmp_path):
    raw = csv_file("x1,x2,label", "1,2,0", "3,4,1")
    path = tmp_path / "points.csv"
    path.write_bytes(raw)
    with path.open("rb") as opened:
        for file in (raw, bytearray(raw), path, str(path), io.BytesIO(raw), opened):
            dataset = read_csv(file)
            assert np.array_equal(dataset.X, [[1.0, 2.0], [3.0, 4.0]])
            assert np.array_equal(dataset.y, [[0.0], [1.0]])
    assert read_csv(path).name == "points.csv" and read_csv(str(path)).name == "points.csv"


@pytest.mark.parametrize(("name", "shown"), [
    ("moons.csv", "moons.csv"), ("C:\\Users\\ana\\my data.csv", "my data.csv"),
    ("/home/ana/x.csv", "x.csv"), ("", "uploaded CSV")])
def test_an_uploaded_file_is_named_by_its_name_without_directories(name, shown):
    upload = io.BytesIO(csv_file("1,2,0", "3,4,1"))
    upload.name = name
    assert read_csv(upload).name == shown


def test_a_very_long_file_name_is_shortened():
    upload = io.BytesIO(csv_file("1,2,0", "3,4,1"))
    upload.name = "a" * 500 + ".csv"
    assert 10 < len(read_csv(upload).name) <= 80


def test_a_column_beyond_ten_is_divided_by_its_largest_absolute_value_with_a_note():
    dataset = read_csv(csv_file("x1,x2,label", "-5000,1,0", "2500,-3,1", "100,2,0"))
    assert np.array_equal(dataset.X[:, 0], [-1.0, 0.5, 0.02])
    assert np.array_equal(dataset.X[:, 1], [1.0, -3.0, 2.0])      # within ten: left alone
    (note,) = dataset.notes
    assert "x1" in note and "5,000" in note and "x2" not in note
    assert inside(dataset)


def test_values_up_to_ten_are_not_scaled():
    dataset = read_csv(csv_file("10,-10,0", "3,4,1"))
    assert np.array_equal(dataset.X, [[10.0, -10.0], [3.0, 4.0]]) and dataset.notes == ()


def test_the_extent_of_a_file_is_square_and_holds_every_point():
    dataset = read_csv(csv_file("0,0,0", "8,1,1", "3,-0.5,1"))
    xmin, xmax, ymin, ymax = dataset.extent
    assert xmax - xmin == ymax - ymin
    assert inside(dataset, margin=0.2)


def big_file(n, ones_every):
    """n rows whose x1 is the row number / 1000 and whose label is 1 on every k-th row."""
    lines = ["x1,x2,label"] + [f"{i / 1000},{i % 7},{int(i % ones_every == 0)}" for i in range(n)]
    return csv_file(*lines)


def test_more_than_max_rows_keeps_a_sample_of_max_rows_in_proportion_and_in_order():
    raw = big_file(12_345, ones_every=10)
    dataset = read_csv(raw)
    assert dataset.n == MAX_ROWS
    zero, one = class_counts(dataset)
    assert abs(one - MAX_ROWS * 1235 / 12_345) <= 1          # 1,235 of the rows are class 1
    assert np.all(np.diff(dataset.X[:, 0]) > 0)
    assert any("12,345" in note and "2,000" in note for note in dataset.notes)
    assert np.array_equal(read_csv(raw).X, dataset.X)


def test_a_sample_of_a_big_file_keeps_a_class_with_a_single_row():
    dataset = read_csv(big_file(5000, ones_every=10_000))    # only row 0 is class 1
    assert dataset.n == MAX_ROWS and class_counts(dataset) == (MAX_ROWS - 1, 1)


@given(points=st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.booleans()),
                       min_size=2, max_size=30))
@settings(max_examples=40, deadline=None)
def test_any_written_points_read_back_exactly(points):
    points = [(0.0, 0.0, False), (1.0, 1.0, True), *points]
    dataset = read_csv(csv_file(*(f"{a!r},{b!r},{int(c)}" for a, b, c in points)))
    assert np.array_equal(dataset.X, [[a, b] for a, b, _ in points])
    assert np.array_equal(dataset.y[:, 0], [float(c) for _, _, c in points])
    assert inside(dataset, margin=0.2)


def test_the_example_file_reads_back_as_a_small_two_class_set():
    assert EXAMPLE_CSV.startswith(b"x1,x2,label\n")
    dataset = read_csv(EXAMPLE_CSV)
    assert 20 <= dataset.n <= 100
    assert min(class_counts(dataset)) >= 10
    assert dataset.notes == ()


def test_the_rules_name_the_columns_and_the_limits_in_plain_text():
    for fact in ("x1", "x2", "label", "2,000", "5 MB", "two"):
        assert fact in CSV_RULES
    assert not any(mark in CSV_RULES for mark in ("*", "`", "#", "_"))


# --- read_csv: every bad file says what to fix --------------------------------------------

@pytest.mark.parametrize("raw", [b"", b"   \n\r\n\t\n", b",,\n , ,\n"])
def test_an_empty_file_is_refused(raw):
    message = error_of(raw)
    assert "empty" in message and "x1" in message and "label" in message


def test_a_header_without_data_is_refused():
    message = error_of(csv_file("x1,x2,label", ""))
    assert "header" in message and "no data" in message


@pytest.mark.parametrize(("lines", "found"), [
    (["x1,x2,label,colour", "1,2,0,red"], "4 columns"), (["1 2 0", "3 4 1"], "1 column"),
    (["1,0", "2,1"], "2 columns")])
def test_a_file_without_three_columns_is_refused_saying_how_many(lines, found):
    message = error_of(csv_file(*lines))
    assert found in message and "three" in message
    assert "x1, x2, label" in message


def test_a_line_with_another_number_of_cells_is_named():
    message = error_of(csv_file("x1,x2,label", "1,2,0", "", "3,4", "5,6,1"))
    assert "Line 4" in message and "2 cells" in message and "three" in message


def test_a_first_line_that_is_neither_header_nor_point_names_the_expected_header():
    message = error_of(csv_file("x,y,class", "1,2,0", "3,4,1"))
    assert "Line 1" in message and "x1,x2,label" in message and '"x,y,class"' in message


def test_a_non_numeric_coordinate_is_quoted_with_its_line_and_column():
    message = error_of(csv_file("label,x1,x2", "0,1,2", "1,3,4", "0,5,abc"))
    assert "Line 4" in message and "x2" in message and '"abc"' in message


def test_a_long_bad_cell_is_quoted_shortened():
    message = error_of(csv_file("x1,x2,label", "1,2,0", "Z" * 500 + ",2,1"))
    assert "Line 3" in message and "x1" in message and "ZZZZZZZZZZ" in message
    assert len(message) < 200


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity", "1e400"])
def test_nan_infinity_and_overflowing_numbers_are_refused_by_line_and_column(cell):
    message = error_of(csv_file("x1,x2,label", "1,2,0", f"{cell},2,1"))
    assert "Line 3" in message and "x1" in message and f'"{cell}"' in message


def test_an_empty_coordinate_is_refused_by_line_and_column():
    message = error_of(csv_file("x1,x2,label", "1,2,0", "3,,1"))
    assert "Line 3" in message and "x2" in message and "empty" in message


def test_an_empty_label_is_refused_by_line():
    message = error_of(csv_file("1,2,0", "3,4,"))
    assert "Line 2" in message and "label" in message and "empty" in message


def test_a_file_with_one_class_is_refused_saying_two_are_needed():
    message = error_of(csv_file("x1,x2,label", "1,2,cat", "3,4,cat"))
    assert '"cat"' in message and "two classes" in message


def test_more_than_two_classes_are_refused_with_their_count_and_the_first_five():
    labels = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu"]
    message = error_of(csv_file(*(f"{i},{i},{label}" for i, label in enumerate(labels))))
    assert "7" in message and "two" in message
    assert all(f'"{label}"' in message for label in labels[:5])
    assert '"gnu"' not in message


def test_an_unclosed_quote_is_refused_with_its_line():
    message = error_of(csv_file("x1,x2,label", "1,2,0", '3,4,"one', "5,6,1"))
    assert "Line 3" in message and "quot" in message


@pytest.mark.parametrize("raw", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"1,2,0\n3,4,\x001\n",
    bytes(range(256)), b"\xff\xfe1\x00,\x002\x00"])
def test_a_file_that_is_not_text_is_refused_asking_for_csv(raw):
    message = error_of(raw)
    assert "not text" in message and "CSV" in message


def test_a_file_larger_than_max_bytes_is_refused_before_it_is_read(tmp_path):
    raw = b"\x00" * (MAX_BYTES + 1)        # not text either, but its size is checked first
    path = tmp_path / "huge.csv"
    path.write_bytes(raw)
    for file in (raw, path, io.BytesIO(raw)):
        assert "5 MB" in error_of(file)
