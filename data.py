"""The learning problems: points X (n, 2) with labels y (n, 1) of 0.0 or 1.0.

make() builds the logic gates and the generated sets, split() holds out a test set, and
read_csv() turns a learner's file into a Dataset or a ValueError that says what to fix.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np

NAMES = ("xor", "and", "or", "xor_cloud", "circle", "gaussians", "spiral", "moons")
DEFAULT = "xor"
TITLES = {"xor": "XOR (4 points)", "and": "AND (4 points)", "or": "OR (4 points)",
          "xor_cloud": "XOR cloud", "circle": "circle", "gaussians": "two gaussians",
          "spiral": "spiral", "moons": "two moons"}
FIXED = ("xor", "and", "or")   # the unit square's four corners: points, noise and seed do not apply
MIN_POINTS = 4
MAX_POINTS = 1000
MAX_NOISE = 1.0
MAX_ROWS = 2000
MAX_BYTES = 5_000_000
SCALE_ABOVE = 10.0
COLUMNS = ("x1", "x2", "label")
TIDY = 0.5                     # extents end on multiples of this


# eq=False: arrays have no single truth value, so Datasets compare (and hash) by identity.
@dataclass(frozen=True, eq=False)
class Dataset:
    """Points X (n, 2) and labels y (n, 1) of 0.0 or 1.0, pictured in the square `extent`."""

    name: str
    X: np.ndarray
    y: np.ndarray
    extent: tuple[float, float, float, float]   # (xmin, xmax, ymin, ymax)
    notes: tuple[str, ...] = ()                  # plain sentences for the learner
    classes: tuple[str, str] = ("0", "1")        # the original label of class 0 and of class 1

    def __post_init__(self):
        # Read-only copies, so one cached Dataset can be shared by every session's thread.
        for field in ("X", "y"):
            array = np.array(getattr(self, field), dtype=np.float64)
            array.flags.writeable = False
            object.__setattr__(self, field, array)

    @property
    def n(self) -> int:
        """The number of points."""
        return len(self.y)


def _extent(X):
    """A square around every point with a margin, its edges on multiples of TIDY."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = max(0.1 * float((hi - lo).max()), 0.2)
    # Counted in whole steps of TIDY, so the edges are exact and the spans exactly equal.
    lo_k = np.floor((lo - margin) / TIDY).astype(int)
    hi_k = np.ceil((hi + margin) / TIDY).astype(int)
    pad = (hi_k - lo_k).max() - (hi_k - lo_k)
    lo_k, hi_k = lo_k - pad // 2, hi_k + pad - pad // 2
    return (float(lo_k[0] * TIDY), float(hi_k[0] * TIDY),
            float(lo_k[1] * TIDY), float(hi_k[1] * TIDY))


# --- the generated sets ------------------------------------------------------------------

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES = {"xor": [0.0, 1.0, 1.0, 0.0], "and": [0.0, 0.0, 0.0, 1.0], "or": [0.0, 1.0, 1.0, 1.0]}


def _polar(r, angle):
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def _annulus(rng, n, r_in, r_out):
    # A uniform r^2 spreads the points evenly over the area instead of crowding the centre.
    r = np.sqrt(rng.uniform(r_in**2, r_out**2, n))
    return _polar(r, rng.uniform(0.0, 2 * np.pi, n))


def _around(rng, n, corners):
    """n points alternating between two corners, each a Gaussian cloud of spread 0.15."""
    return np.array(corners, dtype=float)[np.arange(n) % 2] + rng.normal(0.0, 0.15, (n, 2))


def _arm(rng, n, turn):
    """A spiral arm of 1.5 turns, from radius 0.1 to 1.2, rotated by `turn`."""
    t = rng.uniform(0.0, 1.0, n)
    return _polar(0.1 + 1.1 * t, 3 * np.pi * t + turn)


def _xor_cloud(rng, n0, n1):
    return _around(rng, n0, [[0, 0], [1, 1]]), _around(rng, n1, [[0, 1], [1, 0]])


def _circle(rng, n0, n1):
    return _annulus(rng, n0, 0.8, 1.2), _annulus(rng, n1, 0.0, 0.5)


def _gaussians(rng, n0, n1):
    return rng.normal(-0.5, 0.25, (n0, 2)), rng.normal(0.5, 0.25, (n1, 2))


def _spiral(rng, n0, n1):
    return _arm(rng, n0, 0.0), _arm(rng, n1, np.pi)


def _moons(rng, n0, n1):
    upper, lower = rng.uniform(0.0, np.pi, n0), rng.uniform(0.0, np.pi, n1)
    return (np.column_stack([np.cos(upper) - 0.5, np.sin(upper) - 0.25]),
            np.column_stack([0.5 - np.cos(lower), 0.25 - np.sin(lower)]))


# Each returns the clean points of class 0 and of class 1.
SHAPES = {"xor_cloud": _xor_cloud, "circle": _circle, "gaussians": _gaussians,
          "spiral": _spiral, "moons": _moons}


def _is_whole(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_seed(seed):
    if not _is_whole(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number, 0 or more; got {seed!r}")


def make(name, points=200, noise=0.0, seed=0) -> Dataset:
    """The dataset `name` from NAMES; the gates in FIXED ignore points, noise and seed."""
    if name not in NAMES:
        raise ValueError(f"Unknown dataset {name!r}; choose one of: {', '.join(NAMES)}.")
    if not _is_whole(points) or not MIN_POINTS <= points <= MAX_POINTS:
        raise ValueError(f"points must be a whole number from {MIN_POINTS} to {MAX_POINTS:,}; "
                         f"got {points!r}")
    if not _is_number(noise) or not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE:g}; got {noise!r}")
    _check_seed(seed)
    if name in FIXED:
        return Dataset(name, CORNERS, np.array(GATES[name])[:, None], _extent(CORNERS))
    rng = np.random.default_rng(seed)
    n1 = points // 2          # an odd point goes to class 0
    n0 = points - n1
    X = np.concatenate(SHAPES[name](rng, n0, n1))
    # Drawn last, so the same seed gives the same clean points at every noise level.
    X = X + noise * rng.standard_normal(X.shape)
    y = np.repeat([0.0, 1.0], [n0, n1])[:, None]
    return Dataset(name, X, y, _extent(X))


def is_classic_xor(dataset):
    """True for exactly the four XOR points and labels (in any order): the problem whose
    error surface the literature has analysed."""
    rows = sorted(zip(map(tuple, dataset.X), dataset.y[:, 0]))
    return rows == sorted(zip(map(tuple, CORNERS), GATES["xor"]))


# --- train and test ----------------------------------------------------------------------

def _pick(y, counts, rng):
    """Sorted indices of counts[c] rows of class c, drawn without replacement."""
    drawn = [rng.choice(np.flatnonzero(y[:, 0] == c), k, replace=False)
             for c, k in enumerate(counts)]
    return np.sort(np.concatenate(drawn))


def split(dataset: Dataset, test_share, seed) -> tuple[Dataset, Dataset | None]:
    """(train, test), round(n_c * test_share) of each class held out, or (dataset, None)."""
    # Both parts keep the parent's extent, so they share one picture, and its row order.
    if not _is_number(test_share) or not 0 <= test_share <= 0.5:
        raise ValueError(f"test_share must be a number from 0 to 0.5; got {test_share!r}")
    _check_seed(seed)
    # A share of at most a half, rounded half to even, always leaves each class a training row.
    counts = [round(n * test_share) for n in np.bincount(dataset.y[:, 0].astype(int), minlength=2)]
    if sum(counts) == 0:
        return dataset, None
    test = _pick(dataset.y, counts, np.random.default_rng(seed))
    train = np.setdiff1d(np.arange(dataset.n), test)
    return _part(dataset, train, "train"), _part(dataset, test, "test")


def _part(dataset, rows, part):
    return dataclasses.replace(dataset, name=f"{dataset.name} ({part})",
                               X=dataset.X[rows], y=dataset.y[rows])


# --- reading a learner's CSV file ---------------------------------------------------------

FORMAT = "three columns x1, x2, label, such as 0.5,-1.2,1"
NOT_TEXT = ("The file is not text. Save it as CSV (comma-separated values), "
            "for example with Save As > CSV in a spreadsheet program.")
# Control characters other than tab, LF and CR mean the bytes are not a text file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clip(text, limit=20):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count, word):
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _load(file):
    """The file's bytes, at most MAX_BYTES of them, and its name without directories."""
    if isinstance(file, bytes | bytearray | memoryview):
        data, name = bytes(file), ""
    elif hasattr(file, "read"):
        data, name = file.read(MAX_BYTES + 1), getattr(file, "name", "")
    else:
        with open(file, "rb") as opened:
            data, name = opened.read(MAX_BYTES + 1), str(file)
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES / 1e6:g} MB, the most the app reads. "
                         f"Save fewer rows: the app trains on at most {MAX_ROWS:,}.")
    name = re.split(r"[\\/]", name)[-1] if isinstance(name, str) else ""
    return data, _clip(name, 60) or "uploaded CSV"


def _decode(data):
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252 as Excel writes it."""
    for encoding in ("utf-8-sig", "cp1252"):
        with contextlib.suppress(UnicodeDecodeError):
            text = data.decode(encoding)
            if not CONTROL.search(text):
                return text
    raise ValueError(NOT_TEXT)


def _rows(text):
    """The non-blank lines as (line number, stripped cells), and whether decimals use commas."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = ";" if ";" in first else "\t" if "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True,
                        strict=True)
    rows, start = [], 1       # start: the line where the next row begins
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error:
        raise ValueError(f"Line {start} of the file could not be read: check its quotation marks. "
                         'A cell that starts with " must end with " right before the next '
                         "separator.") from None
    if not rows:
        raise ValueError(f"The file is empty. It needs one line per point with {FORMAT}.")
    # Semicolon files come from spreadsheets that write decimals with a comma.
    return rows, sep == ";"


def _number(cell, decimal_comma):
    return float(cell.replace(",", ".") if decimal_comma else cell)


def _is_numeric(cell, decimal_comma):
    try:
        _number(cell, decimal_comma)
    except ValueError:
        return False
    return True


def _layout(rows, decimal_comma):
    """The positions of x1, x2 and label, and the data rows after any header."""
    line, first = rows[0]
    if len(first) != 3:
        raise ValueError(f"The file has {_plural(len(first), 'column')} (line {line}); it needs "
                         "exactly three, separated by commas: x1, x2, label.")
    names = [cell.lower() for cell in first]
    if sorted(names) == sorted(COLUMNS):
        if len(rows) == 1:
            raise ValueError("The file has a header line but no data. Add one line per point "
                             f"below it, with {FORMAT}.")
        return [names.index(column) for column in COLUMNS], rows[1:]
    # One number is enough to call it a point, whose other cells then get their own messages.
    if any(_is_numeric(cell, decimal_comma) for cell in first[:2]):
        return [0, 1, 2], rows
    raise ValueError(f'Line {line} of the file reads "{_clip(",".join(first), 40)}": it should '
                     "be the header x1,x2,label (in any order) or a point with numbers in x1 "
                     "and x2.")


def _coordinate(cell, line, column, decimal_comma):
    where = f"Line {line} of the file, column {column}"
    if not cell:
        raise ValueError(f"{where} is empty; every point needs numbers in x1 and x2.")
    try:
        value = _number(cell, decimal_comma)
    except ValueError:
        raise ValueError(f'{where}: "{_clip(cell)}" is not a number.') from None
    if not math.isfinite(value):
        raise ValueError(f'{where}: "{_clip(cell)}" is not a finite number; use ordinary '
                         "numbers such as 0.5 or -2 (not NaN, infinity or beyond 1e308).")
    return value


def _points(rows, order, decimal_comma):
    """The coordinates (n, 2) and the label texts of the data rows."""
    coordinates, labels = [], []
    for line, cells in rows:
        if len(cells) != 3:
            raise ValueError(f"Line {line} of the file has {_plural(len(cells), 'cell')}; "
                             "every line needs exactly three: x1, x2, label.")
        x1, x2, label = (cells[i] for i in order)
        coordinates.append([_coordinate(x1, line, "x1", decimal_comma),
                            _coordinate(x2, line, "x2", decimal_comma)])
        if not label:
            raise ValueError(f"Line {line} of the file, column label is empty; "
                             "every point needs a label.")
        labels.append(label)
    return np.array(coordinates), labels


def _numeric(texts):
    """The labels as floats if every one is a finite number, else None."""
    try:
        values = [float(text) for text in texts]
    except ValueError:
        return None
    return values if all(map(math.isfinite, values)) else None


def _sort_key(key):
    # Numbers by value (2 before 10), text alphabetically whatever its case.
    return key if isinstance(key, float) else (key.casefold(), key)


def _labels(texts):
    """y (n, 1), the two classes' label texts and a note when they are not plain 0 and 1."""
    numeric = _numeric(texts)
    keys = texts if numeric is None else numeric
    spelling = {}                 # each class shown as first written in the file
    for key, text in zip(keys, texts):
        spelling.setdefault(key, text)
    distinct = sorted(spelling, key=_sort_key)
    shown = [f'"{_clip(spelling[key])}"' for key in distinct]
    if len(distinct) == 1:
        raise ValueError(f"Every point has the label {shown[0]}; the file needs two classes, "
                         "so give the points of the other class a second label.")
    if len(distinct) > 2:
        listed = ", ".join(shown[:5]) + (", …" if len(distinct) > 5 else "")
        raise ValueError(f"The label column has {len(distinct):,} different values ({listed}); "
                         "only two classes are supported, so keep two labels.")
    y = np.array([key == distinct[1] for key in keys], dtype=float)[:, None]
    classes = (_clip(spelling[distinct[0]]), _clip(spelling[distinct[1]]))
    notes = () if distinct == [0.0, 1.0] else (
        f"Label {shown[0]} is class 0 and {shown[1]} is class 1.",)
    return y, classes, notes


def _sample(y):
    """Sorted indices of MAX_ROWS rows drawn with both classes in proportion."""
    n1 = int(y.sum())
    # At least one row of each class, even one rarer than 1 in MAX_ROWS.
    k1 = min(max(round(n1 * MAX_ROWS / len(y)), 1), MAX_ROWS - 1)
    return _pick(y, [MAX_ROWS - k1, k1], np.random.default_rng(0))


def _scale(X):
    """X with each column beyond ±SCALE_ABOVE divided by its largest absolute value."""
    top = np.abs(X).max(axis=0)
    divisor = np.where(top > SCALE_ABOVE, top, 1.0)
    notes = tuple(f"Column {column} was divided by {d:,.10g}, its largest absolute value, "
                  "so that it lies between -1 and 1."
                  for column, t, d in zip(COLUMNS[:2], top, divisor) if t > SCALE_ABOVE)
    return X / divisor, notes


def read_csv(file) -> Dataset:
    """The Dataset in a CSV file given as bytes, a path or a binary file object (with .read)."""
    data, name = _load(file)
    rows, decimal_comma = _rows(_decode(data))
    order, rows = _layout(rows, decimal_comma)
    X, texts = _points(rows, order, decimal_comma)
    y, classes, notes = _labels(texts)
    if len(y) > MAX_ROWS:
        keep = _sample(y)
        X, y = X[keep], y[keep]
        notes += (f"The file has {len(texts):,} rows; the app trains on {MAX_ROWS:,} of them, "
                  "drawn at random with both classes in proportion.",)
    X, scaled = _scale(X)
    return Dataset(name, X, y, _extent(X), notes + scaled, classes)


def _example_csv():
    """A small noisy circle: the file the app offers as an example."""
    circle = make("circle", points=40, noise=0.05, seed=1)
    lines = [",".join(COLUMNS)] + [f"{a:.3f},{b:.3f},{label:.0f}"
                                   for (a, b), (label,) in zip(circle.X, circle.y)]
    return ("\n".join(lines) + "\n").encode()


EXAMPLE_CSV: bytes = _example_csv()

CSV_RULES = (
    "The file must be plain text (CSV) with three columns, x1, x2 and label, separated by "
    "commas; semicolons or tabs also work, and with semicolons decimals may be written with a "
    "comma. The first line may be the header x1,x2,label, in any order; without it the columns "
    "are read as x1, x2, label. x1 and x2 must be numbers on every line. The label column must "
    "hold exactly two different values: 0 and 1, or any two labels such as cat and dog, which "
    "become class 0 and class 1 in sorted order. A column with values beyond "
    f"-{SCALE_ABOVE:g} or {SCALE_ABOVE:g} is divided by its largest absolute value. Files up to "
    f"{MAX_BYTES / 1e6:g} MB are accepted; the app trains on at most {MAX_ROWS:,} rows and "
    "samples larger files at random."
)
