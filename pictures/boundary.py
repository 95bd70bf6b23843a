"""Pictures from arrays: decision-boundary frames, neuron tiles and the colour legends.

Nothing here runs the network: callers pass its outputs as arrays. Figures are built with
`matplotlib.figure.Figure` and the Agg canvas, never pyplot, whose current-figure state is
shared between Streamlit sessions. The per-epoch pictures are composed in NumPy (a static
chrome drawn once by matplotlib, then the field, contour and points written as pixels) so
that scrubbing through epochs costs milliseconds. Colours: pictures/colours.py.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw, ImageFont

from pictures import png
from pictures.colours import (
    CLASS0_HEX,
    CLASS1_HEX,
    CLASS_RGB,
    FIELD_LUT,
    FIELD_STRENGTH,
    INK,
    INK_HEX,
    LUT,
    colour,
    output_colours,
)

_DPI = 100
# An output field that varies by less than this over the view is drawn without a 0.5 contour:
# its variation is rounding, not a boundary (a network whose ReLUs all died outputs 0.500
# everywhere, give or take 1e-8).
FLAT_RANGE = 1e-4


def _classes(y, n):
    y = np.asarray(y, dtype=float).reshape(-1)
    if len(y) != n:
        raise ValueError(f"Expected one target per point ({n}); got {len(y)}.")
    return y > 0.5


def bilinear_weights(centres, resolution):
    """Interpolation indices and weights for sample positions `centres` in 0..1 of a grid."""
    position = np.clip(centres, 0.0, 1.0) * (resolution - 1)
    low = np.minimum(position.astype(np.intp), resolution - 2)
    return low, (position - low).astype(np.float32)


def resample(fields, rows, cols):
    """(..., R, R) -> (..., H, W) by separable bilinear interpolation."""
    (i0, wy), (j0, wx) = rows, cols
    across = fields[..., j0] * (1.0 - wx) + fields[..., j0 + 1] * wx          # (..., R, W)
    return (across[..., i0, :] * (1.0 - wy)[:, None]
            + across[..., i0 + 1, :] * wy[:, None])                            # (..., H, W)


def _marker_stamp(diameter, square, hollow=False, supersample=5, scale=1):
    """Anti-aliased marker centred on a pixel: (offsets, coverage, coverage in class colour).

    A filled marker is its class colour inside a thin dark outline; a hollow one (a test
    point) is a ring of its class colour inside the outline, the field showing through.
    """
    half = int(np.ceil(diameter / 2)) + 1
    offsets = np.arange(-half, half + 1)
    sub = (np.arange(supersample) + 0.5) / supersample - 0.5
    along = (offsets[:, None] + sub[None, :]).reshape(-1)
    dy, dx = np.meshgrid(along, along, indexing="ij")
    if square:
        # Equal area to the circle, so that neither class looks bigger.
        radius = diameter / 2 * np.sqrt(np.pi) / 2
        distance = np.maximum(np.abs(dx), np.abs(dy))
    else:
        radius = diameter / 2
        distance = np.hypot(dx, dy)

    def coverage(r):
        inside = (distance <= r).astype(np.float32)
        s = len(offsets)
        return inside.reshape(s, supersample, s, supersample).mean(axis=(1, 3))

    outline = (1.2 if diameter / scale >= 7 else 0.9) * scale   # in CSS pixels
    whole, coloured = coverage(radius), coverage(radius - outline)
    if hollow:
        hole = coverage(radius - outline - max(1.5 * scale, diameter * 0.22))
        return offsets, whole - hole, coloured - hole
    return offsets, whole, coloured


def grid_points(extent, resolution):
    """(R*R, 2) points on an R x R grid over extent (xmin, xmax, ymin, ymax), edges included:
    x varies fastest, then y increases upward (BoundaryRenderer's order)."""
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    grid_x, grid_y = np.meshgrid(np.linspace(xmin, xmax, resolution),
                                 np.linspace(ymin, ymax, resolution))   # (R, R): x along a row
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


class BoundaryRenderer:
    """Decision-boundary frames over `extent`, composed in NumPy over chrome drawn once.

    The grid: `grid_points()` is `resolution * resolution` points, row-major, starting at
    the bottom-left corner (xmin, ymin); x varies fastest, then y increases upward. Both
    axes are `np.linspace(min, max, resolution)`, edges included. So
    `outputs = net.predict(renderer.grid_points()).reshape(R, R)` gives `outputs[i, j]` =
    the output at (xs[j], ys[i]): row 0 is the bottom of the picture, as in
    `imshow(origin="lower")`. `frame` accepts that (R, R) array or the flat (R*R,) / (R*R, 1).

    `size` is the picture's width as displayed, in CSS pixels; the image has `scale` times as
    many pixels each way (2 for a screen of device pixel ratio 2), so that it stays crisp.
    The plot area is square. A renderer holds only read-only arrays, so one cached instance
    may serve every session at once.
    """

    # Room for tick labels and axis labels, in CSS pixels, whatever the size.
    _MARGINS = {"left": 52, "right": 12, "bottom": 38, "top": 10}
    _LABEL_PX = 13   # tick and axis labels, in CSS pixels: readable on a projector

    def __init__(self, extent=(-0.5, 1.5, -0.5, 1.5), size=300, resolution=100, scale=1):
        xmin, xmax, ymin, ymax = (float(v) for v in extent)
        if not (xmin < xmax and ymin < ymax):
            raise ValueError("extent must be (xmin, xmax, ymin, ymax) with min < max; "
                             f"got {extent}.")
        if size < 120 or resolution < 2 or scale not in (1, 2, 3):
            raise ValueError("size must be at least 120 pixels, resolution at least 2 and "
                             "scale 1, 2 or 3.")
        self.scale = int(scale)
        self.extent = (xmin, xmax, ymin, ymax)
        self.resolution = int(resolution)
        self.xs = np.linspace(xmin, xmax, self.resolution)
        self.ys = np.linspace(ymin, ymax, self.resolution)
        self._chrome, self.plot_box = self._draw_chrome(int(size) * self.scale)
        self._chrome.flags.writeable = False
        self.size = (self._chrome.shape[1], self._chrome.shape[0])          # (width, height)
        left, top, right, bottom = self.plot_box
        centres_x = (np.arange(right - left) + 0.5) / (right - left)
        centres_y = 1.0 - (np.arange(bottom - top) + 0.5) / (bottom - top)   # image rows go down
        self._cols = bilinear_weights(centres_x, self.resolution)
        self._rows = bilinear_weights(centres_y, self.resolution)

    def _draw_chrome(self, width):
        m = {key: value * self.scale for key, value in self._MARGINS.items()}
        side = width - m["left"] - m["right"]
        height = side + m["bottom"] + m["top"]
        dpi = _DPI * self.scale
        fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        ax = fig.add_axes((m["left"] / width, m["bottom"] / height, side / width, side / height))
        ax.set_xlim(*self.extent[:2])
        ax.set_ylim(*self.extent[2:])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        points = self._LABEL_PX * 72 / _DPI   # CSS pixels at 100 dpi -> points
        ax.set_xlabel("x₁", labelpad=1, fontsize=points, color=INK_HEX)
        ax.set_ylabel("x₂", labelpad=1, fontsize=points, color=INK_HEX)
        ax.tick_params(labelsize=points * 0.95, length=3, pad=2, colors=INK_HEX)
        for spine in ax.spines.values():   # the frame is drawn in NumPy, over the field
            spine.set_visible(False)
        ax.patch.set_visible(False)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
        box = ax.get_window_extent()
        plot_box = (round(box.x0), height - round(box.y1), round(box.x1), height - round(box.y0))
        return rgb, plot_box

    def grid_points(self):
        """The (R*R, 2) inputs at which the caller evaluates the network (order: class doc)."""
        return grid_points(self.extent, self.resolution)

    def pixel_of(self, points):
        """Image pixel (column, row) of each input point, shape (n, 2); rows count downward."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        xmin, xmax, ymin, ymax = self.extent
        left, top, right, bottom = self.plot_box
        cols = left + (points[:, 0] - xmin) / (xmax - xmin) * (right - left)
        rows = top + (ymax - points[:, 1]) / (ymax - ymin) * (bottom - top)
        return np.floor(np.column_stack([cols, rows])).astype(int)

    def marker_size(self, n_points):
        """Marker diameter in pixels: smaller when there are many points."""
        side = self.plot_box[2] - self.plot_box[0]
        return max(4.0 * self.scale, side / 240 * 15 * max(n_points, 1) ** -0.15)

    def _marks(self, X, y, hollow=False):
        """The data points as pixels: flat indices, coverage and premultiplied colour."""
        X = np.asarray(X, dtype=float).reshape(-1, 2)
        is_one = _classes(y, len(X))
        xmin, xmax, ymin, ymax = self.extent
        inside = (X[:, 0] >= xmin) & (X[:, 0] <= xmax) & (X[:, 1] >= ymin) & (X[:, 1] <= ymax)
        pixels, is_one = self.pixel_of(X[inside]), is_one[inside]
        diameter = self.marker_size(len(X))
        offsets, circle, circle_fill = _marker_stamp(diameter, False, hollow, scale=self.scale)
        _, square, square_fill = _marker_stamp(diameter, True, hollow, scale=self.scale)
        shape = is_one[:, None, None]
        alpha = np.where(shape, square, circle)                                 # (n, S, S)
        fill = np.where(shape, square_fill, circle_fill)
        paint = (fill[..., None] * CLASS_RGB[is_one.astype(int)][:, None, None, :]
                 + (alpha - fill)[..., None] * INK)                             # (n, S, S, 3)
        rows = pixels[:, 1, None, None] + offsets[None, :, None]                # (n, S, 1)
        cols = pixels[:, 0, None, None] + offsets[None, None, :]                # (n, 1, S)
        left, top, right, bottom = self.plot_box
        keep = (rows >= top) & (rows < bottom) & (cols >= left) & (cols < right) & (alpha > 0)
        flat = (rows * self.size[0] + cols)[keep]
        return flat, alpha[keep][:, None], paint[keep]

    def marks(self, X, y, X_test=None, y_test=None):
        """Training points filled, then test points hollow on top; pass to `frame_rgb`."""
        train = self._marks(X, y)
        if X_test is None:
            return train
        test = self._marks(X_test, y_test, hollow=True)
        return tuple(np.concatenate([mine, theirs]) for mine, theirs in zip(train, test))

    def _field(self, outputs):
        r = self.resolution
        outputs = np.asarray(outputs, dtype=np.float32)
        if outputs.size != r * r:
            raise ValueError(f"outputs must hold {r}x{r} values, on grid_points(); "
                             f"got shape {outputs.shape}.")
        return resample(np.nan_to_num(outputs.reshape(r, r), nan=0.5), self._rows, self._cols)

    def _compose(self, field, marks):
        rgb = self._chrome.copy()
        left, top, right, bottom = self.plot_box
        plot = rgb[top:bottom, left:right]
        plot[:] = colour(field, FIELD_LUT)
        # The 0.5 contour, anti-aliased: |f - 0.5| / |grad f| is a pixel's distance to the
        # level set, to first order. A flat field has no contour, even one exactly at 0.5.
        d_rows, d_cols = np.gradient(field)
        slope = np.hypot(d_rows, d_cols)
        ink = np.clip(1.5 * self.scale - np.abs(field - 0.5) / np.maximum(slope, 1e-12),
                      0.0, 1.0)
        ink[slope < 1e-9] = 0.0
        if float(field.max() - field.min()) < FLAT_RANGE:
            ink[:] = 0.0
        on_line = np.nonzero(ink)
        a = ink[on_line][:, None]
        plot[on_line] = (plot[on_line] * (1.0 - a) + INK * a + 0.5).astype(np.uint8)
        flat, alpha, paint = marks
        pixels = rgb.reshape(-1, 3)
        # Where markers overlap, the later point is written last and so lies on top.
        pixels[flat] = (pixels[flat] * (1.0 - alpha) + paint + 0.5).astype(np.uint8)
        edge = self.scale
        plot[:edge, :] = plot[-edge:, :] = INK
        plot[:, :edge] = plot[:, -edge:] = INK
        return rgb

    def frame_rgb(self, outputs, marks):
        """The frame as an (H, W, 3) uint8 array: the output field (on `grid_points()`), its
        0.5 contour and the points of `marks(...)`."""
        return self._compose(self._field(outputs), marks)

    def frame(self, outputs, X, y, X_test=None, y_test=None):
        """PNG of the output field, its 0.5 contour, the training and the test points."""
        return png.encode(self.frame_rgb(outputs, self.marks(X, y, X_test, y_test)))


def neuron_heatmaps(activations, low, high, tile=80, labels=None, scale=1):
    """PNG: one tile per hidden neuron, its activation over the input plane, labelled h1, h2...

    `tile` is a tile's side as displayed, in CSS pixels; the image has `scale` times as many
    pixels each way.
    `activations` is (k, R, R) in the grid order of `BoundaryRenderer.grid_points` (row 0 at
    the bottom), or (R*R, k) straight from a forward pass on those points. Colours map
    low..high onto the diverging scale at full strength, e.g. 0..1 for sigmoid, -1..1 for tanh.
    """
    activations = np.asarray(activations, dtype=float)
    if activations.ndim == 2:
        r = round(np.sqrt(activations.shape[0]))
        activations = activations.T.reshape(-1, r, r)
    k, r = activations.shape[0], activations.shape[1]
    tile *= scale
    labels = [f"h{i + 1}" for i in range(k)] if labels is None else list(labels)
    centres = (np.arange(tile) + 0.5) / tile
    rows, cols = bilinear_weights(1.0 - centres, r), bilinear_weights(centres, r)
    # An empty range (say, every ReLU dead: 0..0) shows as the scale's white middle.
    per_unit, offset = (1.0 / (high - low), 0.0) if high > low else (0.0, 0.5)
    # Scaled to 0..1 in float64 first: a diverged net's activations (1e46) overflow float32.
    shares = ((activations - low) * per_unit + offset).astype(np.float32)
    values = resample(shares, rows, cols)
    values = np.nan_to_num(values, nan=0.5)
    tiles = colour(values, LUT)                                               # (k, t, t, 3)

    gap, pad, band = 8 * scale, 4 * scale, 18 * scale
    rgb = np.full((band + tile + pad, 2 * pad + k * tile + (k - 1) * gap, 3), 255, np.uint8)
    for i in range(k):
        x0 = pad + i * (tile + gap)
        rgb[band - scale:band + tile + scale, x0 - scale:x0 + tile + scale] = 200   # a grey
        # frame, because white is a value
        rgb[band:band + tile, x0:x0 + tile] = tiles[i]
    image = Image.fromarray(rgb)
    # Matplotlib's own font, so the labels match the axes elsewhere; loading takes ~0.1 ms.
    font = ImageFont.truetype(findfont("DejaVu Sans"), 13 * scale)
    draw = ImageDraw.Draw(image)
    for i, label in enumerate(labels):
        draw.text((pad + i * (tile + gap) + tile / 2, band - 3 * scale), label, fill=INK_HEX,
                  font=font, anchor="mb")
    return png.encode(np.asarray(image))


def _class_handles(size=7):
    return [Line2D([], [], linestyle="", marker=marker, markersize=size, markerfacecolor=fill,
                   markeredgecolor=INK_HEX, markeredgewidth=0.8, label=label)
            for marker, fill, label in (("o", CLASS0_HEX, "class 0"),
                                          ("s", CLASS1_HEX, "class 1"))]


def legend_png(kind):
    """PNG legend of the colour scale: kind "output" (0..1, classes) or "signed" (- 0 +)."""
    if kind not in ("output", "signed"):
        raise ValueError(f'kind must be "output" or "signed"; got {kind!r}.')
    height = 0.85 if kind == "output" else 0.55
    fig = Figure(figsize=(3.0, height), dpi=_DPI)
    ax = fig.add_axes((0.05, 1 - 0.32 / height, 0.9, 0.2 / height))
    # The output legend explains the boundary frames, whose field is at FIELD_STRENGTH.
    strength = FIELD_STRENGTH if kind == "output" else 1.0
    ax.imshow(output_colours(np.linspace(0.0, 1.0, 257), strength)[None], aspect="auto",
              extent=(0, 1, 0, 1))
    ax.set_yticks([])
    ax.tick_params(labelsize=8, length=2, pad=2)
    if kind == "output":
        ax.set_xticks([0, 0.5, 1], ["0: class 0", "0.5: undecided", "1: class 1"])
        boundary = Line2D([], [], color=INK_HEX, linewidth=1.5, label="output = 0.5")
        fig.legend(handles=[*_class_handles(), boundary], loc="lower center", ncol=3,
                   fontsize=8, frameon=False, handletextpad=0.3, columnspacing=1.0,
                   borderaxespad=0.2, handlelength=1.4)
    else:
        ax.set_xticks([0, 0.5, 1], ["← negative", "0", "positive →"])
    for label, align in zip(ax.get_xticklabels(), ("left", "center", "right")):
        label.set_horizontalalignment(align)
    return png.figure(fig)
