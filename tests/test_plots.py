"""pictures/: the pixels of boundary frames, the colour scale, tiles, legends, PNG, DOT."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image

import data
from pictures.boundary import BoundaryRenderer, legend_png, neuron_heatmaps
from pictures.colours import CLASS0_HEX, CLASS1_HEX, output_colours, signed_colours
from pictures.png import animated as animated_png
from pictures.png import figure as figure_png

XOR = data.make("xor")
XOR_X, XOR_Y = XOR.X, XOR.y


EXTENT = (-0.5, 1.5, -0.5, 1.5)
INK_LEVEL = 90          # every channel below this: the dark contour, outline or frame
NO_POINTS = (np.empty((0, 2)), np.empty(0))


@pytest.fixture(scope="module")
def renderer():
    return BoundaryRenderer(EXTENT, size=300, resolution=100)


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def hex_rgb(hex_colour):
    return np.round(np.array(to_rgb(hex_colour)) * 255).astype(int)


def purplish(pixel):
    r, g, b = pixel
    return b > g + 20 and b > r


def orangish(pixel):
    r, g, b = pixel
    return r > b + 40 and r > g


def dark(pixel):
    return bool((np.asarray(pixel) < INK_LEVEL).all())


def field_of(renderer, f):
    """f(x, y) on the renderer's grid, as the (R, R) array `frame` expects."""
    points = renderer.grid_points()
    return f(points[:, 0], points[:, 1]).reshape(renderer.resolution, renderer.resolution)


def plot_area(renderer, rgb):
    left, top, right, bottom = renderer.plot_box
    return rgb[top:bottom, left:right]


# --- the colour scale ----------------------------------------------------------------

def test_signed_colours_map_minus_limit_zero_and_plus_limit_to_orange_white_purple():
    low, zero, high = signed_colours(np.array([-3.0, 0.0, 3.0]), limit=3.0)
    assert np.array_equal(low, hex_rgb(CLASS0_HEX))
    assert np.array_equal(high, hex_rgb(CLASS1_HEX))
    assert (zero >= 240).all()
    assert orangish(low) and purplish(high)


def test_signed_colours_clip_beyond_the_limit_and_show_a_zero_limit_as_white():
    assert np.array_equal(signed_colours(-10.0, 1.0), signed_colours(-1.0, 1.0))
    assert (signed_colours(np.array([0.0, 0.0]), limit=0.0) >= 240).all()


def test_output_colours_put_class_colours_at_0_and_1_and_nan_at_the_middle():
    colours = output_colours(np.array([[0.0, 1.0, np.nan]]))
    assert colours.shape == (1, 3, 3) and colours.dtype == np.uint8
    assert np.array_equal(colours[0, 0], hex_rgb(CLASS0_HEX))
    assert np.array_equal(colours[0, 1], hex_rgb(CLASS1_HEX))
    assert np.array_equal(colours[0, 2], output_colours(0.5))


def test_weaker_strength_washes_colours_toward_white_keeping_their_hue():
    full, washed = output_colours(1.0), output_colours(1.0, strength=0.5)
    assert (washed.astype(int) > full).all() and purplish(washed)


# --- boundary frames ---------------------------------------------------------------------

def test_frame_png_decodes_to_the_renderer_size_with_a_square_plot_area(renderer):
    rgb = decode(renderer.frame(np.full((100, 100), 0.5), *NO_POINTS))
    width, height = renderer.size
    assert rgb.shape == (height, width, 3) and width == 300
    left, top, right, bottom = renderer.plot_box
    assert right - left == bottom - top > 200
    assert left > 0 and top > 0 and right < width and bottom < height


def test_output_one_on_the_right_half_is_purple_right_orange_left_with_contour_between(renderer):
    outputs = field_of(renderer, lambda x, y: (x > 0.5) * 1.0)
    plot = plot_area(renderer, decode(renderer.frame(outputs, *NO_POINTS)))
    side = plot.shape[1]
    row = plot[side // 2]
    assert all(purplish(p) for p in row[side // 2 + 6: -3])
    assert all(orangish(p) for p in row[3: side // 2 - 6])
    dark_columns = [c for c in range(3, side - 3) if dark(row[c])]
    assert dark_columns and all(abs(c - side / 2) <= 3 for c in dark_columns)


def test_grid_points_order_puts_high_y_at_the_top_of_the_frame(renderer):
    flat = (renderer.grid_points()[:, 1] - EXTENT[2]) / (EXTENT[3] - EXTENT[2])   # (R*R,)
    plot = plot_area(renderer, decode(renderer.frame(flat, *NO_POINTS)))
    middle = plot.shape[1] // 2
    assert purplish(plot[5, middle]) and orangish(plot[-6, middle])


def test_grid_points_run_x_fastest_from_the_bottom_left_corner(renderer):
    points = renderer.grid_points()
    assert points.shape == (100 * 100, 2)
    assert np.array_equal(points[0], [EXTENT[0], EXTENT[2]])
    assert np.array_equal(points[1], [renderer.xs[1], EXTENT[2]])
    assert np.array_equal(points[100], [EXTENT[0], renderer.ys[1]])
    assert np.array_equal(points[-1], [EXTENT[1], EXTENT[3]])


def test_a_flat_field_has_no_contour_even_at_exactly_one_half(renderer):
    plot = plot_area(renderer, decode(renderer.frame(np.full((100, 100), 0.5), *NO_POINTS)))
    inner = plot[2:-2, 2:-2]
    assert not (inner < INK_LEVEL).all(axis=-1).any()


@pytest.mark.parametrize("spread", [1e-8, 5e-5])
def test_a_field_that_varies_by_rounding_only_has_no_contour(renderer, spread):
    # Outputs within `spread` of 0.5, crossing it all over the view: noise, not a boundary.
    rng = np.random.default_rng(0)
    outputs = 0.5 + spread * rng.uniform(-1, 1, (100, 100))
    inner = plot_area(renderer, decode(renderer.frame(outputs, *NO_POINTS)))[2:-2, 2:-2]
    assert not (inner < INK_LEVEL).all(axis=-1).any()


def test_a_gentle_but_real_slope_through_one_half_keeps_its_contour(renderer):
    # A crawling network: outputs from 0.4995 to 0.5005 across the view, a range of 1e-3.
    outputs = field_of(renderer, lambda x, y: 0.5 + 0.0005 * (x - 0.5))
    plot = plot_area(renderer, decode(renderer.frame(outputs, *NO_POINTS)))
    row = plot[plot.shape[0] // 2]
    assert any(dark(p) for p in row[3:-3])


def test_points_show_their_class_colour_at_their_mapped_pixel(renderer):
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[1.0], [0.0]])                      # (n, 1) targets, as the engine has them
    rgb = decode(renderer.frame(np.full((100, 100), 0.5), X, y))
    (col1, row1), (col0, row0) = renderer.pixel_of(X)
    assert np.abs(rgb[row1, col1] - hex_rgb(CLASS1_HEX)).max() <= 2
    assert np.abs(rgb[row0, col0] - hex_rgb(CLASS0_HEX)).max() <= 2


def test_pixel_of_maps_the_extent_corners_to_the_plot_box_corners(renderer):
    left, top, right, bottom = renderer.plot_box
    corners = renderer.pixel_of([[EXTENT[0], EXTENT[3]], [EXTENT[1] - 1e-9, EXTENT[2] + 1e-9]])
    assert corners.tolist() == [[left, top], [right - 1, bottom - 1]]


def marker_box(renderer, X, y, index):
    """Which pixels the marker of point `index` changed (a window around it), and their bbox."""
    background = decode(renderer.frame(np.zeros((100, 100)), *NO_POINTS))
    with_points = decode(renderer.frame(np.zeros((100, 100)), X, y))
    changed = np.abs(with_points - background).sum(axis=-1) > 30
    col, row = renderer.pixel_of(X[index])[0]
    reach = int(renderer.marker_size(len(X))) + 3
    window = changed[row - reach: row + reach + 1, col - reach: col + reach + 1]
    rows, cols = np.nonzero(window)
    return window, (rows.min(), rows.max(), cols.min(), cols.max())


def test_class_one_squares_fill_their_bounding_box_corners_and_class_zero_circles_do_not(
        renderer):
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0])
    circle, (top, bottom, left, right) = marker_box(renderer, X, y, 0)
    assert not any(circle[r, c] for r in (top, bottom) for c in (left, right))
    square, (top, bottom, left, right) = marker_box(renderer, X, y, 1)
    assert all(square[r, c] for r in (top, bottom) for c in (left, right))


def test_markers_are_smaller_when_there_are_many_points(renderer):
    assert renderer.marker_size(200) < renderer.marker_size(4) - 3


def test_points_outside_the_extent_are_not_drawn(renderer):
    outputs = np.full((100, 100), 0.3)
    empty = renderer.frame(outputs, *NO_POINTS)
    outside = renderer.frame(outputs, np.array([[5.0, 0.5], [0.5, -3.0]]), np.array([0.0, 1.0]))
    assert np.array_equal(decode(empty), decode(outside))


def test_frames_of_different_outputs_differ_and_match_single_frames(renderer):
    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0])
    x = renderer.grid_points()[:, 0]
    stack = np.stack([(x > t).reshape(100, 100) * 1.0 for t in (0.0, 0.5, 1.0)])
    marks = renderer.marks(X, y)
    frames = [renderer.frame_rgb(outputs, marks) for outputs in stack]
    assert len({frame.tobytes() for frame in frames}) == 3
    assert np.array_equal(decode(renderer.frame(stack[1], X, y)), frames[1])


def test_test_points_are_hollow_showing_the_field_at_their_centre(renderer):
    outputs = np.full((100, 100), 0.0)
    X, y = np.array([[0.5, 0.5]]), np.array([1.0])
    background = decode(renderer.frame(outputs, np.zeros((0, 2)), np.zeros(0)))
    filled = decode(renderer.frame(outputs, X, y))
    hollow = decode(renderer.frame(outputs, np.zeros((0, 2)), np.zeros(0), X, y))
    column, row = renderer.pixel_of(X)[0]
    purple = np.array(to_rgb(CLASS1_HEX)) * 255
    assert np.abs(filled[row, column] - purple).max() <= 2      # a training point is filled
    assert np.array_equal(hollow[row, column], background[row, column])   # a test point is not
    ring = hollow[row - 8:row + 9, column - 8:column + 9].reshape(-1, 3)
    assert (np.abs(ring - purple).max(axis=1) <= 2).any()       # but its ring is in class colour


def test_frame_rejects_outputs_that_do_not_fit_the_grid(renderer):
    with pytest.raises(ValueError, match="100x100"):
        renderer.frame(np.zeros((50, 50)), *NO_POINTS)


def test_renderer_rejects_an_empty_extent():
    with pytest.raises(ValueError, match="extent"):
        BoundaryRenderer((1.0, 1.0, 0.0, 1.0))


# --- legends and neuron tiles ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["output", "signed"])
def test_legend_png_decodes_to_a_strip_with_both_scale_ends(kind):
    rgb = decode(legend_png(kind))
    height, width, _ = rgb.shape
    assert width == 300 and height < 100
    assert any(orangish(p) for p in rgb.reshape(-1, 3))
    assert any(purplish(p) for p in rgb.reshape(-1, 3))


def test_legend_png_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="output"):
        legend_png("rainbow")


def test_neuron_heatmaps_make_one_tile_per_neuron_so_the_image_widens_with_k():
    widths = [decode(neuron_heatmaps(np.zeros((k, 30, 30)), 0.0, 1.0)).shape[1]
              for k in (1, 3, 8)]
    assert widths[0] < widths[1] < widths[2]
    assert widths[2] - widths[1] == 5 * (widths[1] - widths[0]) / 2


def test_neuron_heatmaps_colour_low_to_high_and_accept_the_forward_pass_layout():
    activations = np.stack([np.full((30, 30), -1.0), np.full((30, 30), 1.0)])   # (k, R, R)
    png = neuron_heatmaps(activations, -1.0, 1.0, tile=40)
    rgb = decode(png)
    row = rgb[rgb.shape[0] - 20]
    tile_centres = [4 + 20, 4 + 40 + 8 + 20]
    assert orangish(row[tile_centres[0]]) and purplish(row[tile_centres[1]])
    as_forward = activations.reshape(2, -1).T                                  # (R*R, k)
    assert neuron_heatmaps(as_forward, -1.0, 1.0, tile=40) == png


# --- hidden space ------------------------------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_figure_png_renders_a_figure_at_its_own_dpi():
    fig = Figure(figsize=(4.0, 2.3), dpi=100)
    fig.add_axes((0.1, 0.1, 0.8, 0.8)).plot([0, 1], [1, 0])
    rgb = decode(figure_png(fig))
    assert rgb.shape == (230, 400, 3)


def test_animated_png_holds_every_frame_in_order_and_loops():
    renderer = BoundaryRenderer()
    grid = renderer.grid_points()
    fields = [np.full(len(grid), value) for value in (0.1, 0.5, 0.9)]
    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0])
    pngs = [renderer.frame(field, X, y) for field in fields]
    marks = renderer.marks(X, y)
    rgbs = [renderer.frame_rgb(field, marks) for field in fields]
    animation = Image.open(io.BytesIO(animated_png(rgbs, seconds_per_frame=0.2,
                                                   pause_at_end=1.0)))
    assert animation.n_frames == 3
    assert animation.info["loop"] == 0
    for index, png in enumerate(pngs):   # each frame is the scrubber's picture of that epoch
        animation.seek(index)
        expected = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        assert np.array_equal(np.asarray(animation.convert("RGB")), expected)
    animation.seek(0)
    assert animation.info["duration"] == 200
    animation.seek(2)
    assert animation.info["duration"] == 1000


def test_neuron_heatmaps_keep_their_contrast_for_huge_activations():
    """A diverged linear net's activations reach 1e46; float32 arithmetic would flatten them."""
    ramp = np.linspace(-1.6e46, 1.1e46, 100 * 100).reshape(1, 100, 100)
    tile = np.asarray(Image.open(io.BytesIO(neuron_heatmaps(ramp, -1.6e46, 1.1e46))))
    colours = {tuple(pixel) for pixel in tile.reshape(-1, tile.shape[-1])[::97]}
    assert len(colours) > 20
