"""Pictures from arrays: decision-boundary frames, neuron tiles, legends, hidden-space figures.

Nothing here runs the network: callers pass its outputs as arrays. Figures are built with
`matplotlib.figure.Figure` and the Agg canvas, never pyplot, whose current-figure state is
shared between Streamlit sessions. The per-epoch pictures are composed in NumPy (a static
chrome drawn once by matplotlib, then the field, contour and points written as pixels) so
that scrubbing through epochs costs milliseconds.

One colour scale serves the whole app: low values (output 0, class 0, negative) are orange,
the middle is white, high values (output 1, class 1, positive) are purple. Classes are
told apart by marker shape as well: class 0 circles, class 1 squares.
"""

from __future__ import annotations

import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from PIL import Image, ImageDraw, ImageFont

# PuOr's outermost tenth is near-black brown and near-black violet: it would read as "dark"
# rather than as a hue, and would swallow the dark outlines and contour. So the app's scale
# is PuOr's inner range, sampled with an odd count so that the middle entry is its white.
_PUOR = matplotlib.colormaps["PuOr"]
DIVERGING = ListedColormap(_PUOR(np.linspace(0.1, 0.9, 257)), name="playground_PuOr")
CLASS0_HEX = to_hex(DIVERGING(0.0))   # orange: output 0, class 0, negative
CLASS1_HEX = to_hex(DIVERGING(1.0))   # purple: output 1, class 1, positive
MIDDLE_HEX = to_hex(DIVERGING(0.5))   # white: undecided, zero
INK_HEX = "#262626"                   # outlines, the 0.5 contour, the plot frame
# A field with markers on top is washed halfway to white, so that the markers, in full
# colour, stand out from it and a misclassified point shows against its region.
FIELD_STRENGTH = 0.5

_LUT = np.round(DIVERGING(np.linspace(0.0, 1.0, DIVERGING.N))[:, :3] * 255).astype(np.uint8)
_INK = np.array(to_rgb(INK_HEX)) * 255.0
_CLASS_RGB = np.array([to_rgb(CLASS0_HEX), to_rgb(CLASS1_HEX)]) * 255.0
_DPI = 100


def _lut(strength):
    if strength == 1.0:
        return _LUT
    return np.round(255.0 - (255.0 - _LUT) * strength).astype(np.uint8)


_FIELD_LUT = _lut(FIELD_STRENGTH)


def output_colours(values, strength=1.0):
    """Values in 0..1 (clipped; NaN counts as 0.5) -> RGB uint8, shape values.shape + (3,).

    `strength` < 1 washes the colours toward white (FIELD_STRENGTH for fields under markers).
    """
    values = np.nan_to_num(np.asarray(values, dtype=np.float32), nan=0.5)
    return _colour(values, _lut(strength))


def _colour(values, lut):
    index = np.clip(values, 0.0, 1.0) * np.float32(len(lut) - 1) + np.float32(0.5)
    return np.take(lut, index.astype(np.intp), axis=0)


def signed_colours(values, limit, strength=1.0):
    """Values in -limit..limit (clipped) -> RGB uint8; 0 is white. limit <= 0 gives white."""
    scale = 0.5 / limit if limit > 0 else 0.0
    return output_colours(np.asarray(values, dtype=float) * scale + 0.5, strength)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(rgb):
    """Encode (H, W, 3) uint8 as PNG: unfiltered rows, zlib level 1.

    Written out here because PIL's encoder took 2-3 ms for a 300 px frame against ~0.9 ms
    for this, and the epoch scrubber encodes one per step.
    """
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + width * 3), dtype=np.uint8)   # byte 0 of a row: filter "none"
    rows[:, 1:] = rgb.reshape(height, width * 3)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


def _classes(y, n):
    y = np.asarray(y, dtype=float).reshape(-1)
    if len(y) != n:
        raise ValueError(f"Expected one target per point ({n}); got {len(y)}.")
    return y > 0.5


def _bilinear_weights(centres, resolution):
    """Interpolation indices and weights for sample positions `centres` in 0..1 of a grid."""
    position = np.clip(centres, 0.0, 1.0) * (resolution - 1)
    low = np.minimum(position.astype(np.intp), resolution - 2)
    return low, (position - low).astype(np.float32)


def _resample(fields, rows, cols):
    """(..., R, R) -> (..., H, W) by separable bilinear interpolation."""
    (i0, wy), (j0, wx) = rows, cols
    across = fields[..., j0] * (1.0 - wx) + fields[..., j0 + 1] * wx          # (..., R, W)
    return (across[..., i0, :] * (1.0 - wy)[:, None]
            + across[..., i0 + 1, :] * wy[:, None])                            # (..., H, W)


def _marker_stamp(diameter, square, supersample=5):
    """Anti-aliased marker centred on a pixel: (offsets, whole coverage, fill coverage)."""
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

    outline = 1.2 if diameter >= 7 else 0.9
    return offsets, coverage(radius), coverage(radius - outline)


class BoundaryRenderer:
    """Decision-boundary frames over `extent`, composed in NumPy over chrome drawn once.

    The grid: `grid_points()` is `resolution * resolution` points, row-major, starting at
    the bottom-left corner (xmin, ymin); x varies fastest, then y increases upward. Both
    axes are `np.linspace(min, max, resolution)`, edges included. So
    `outputs = net.predict(renderer.grid_points()).reshape(R, R)` gives `outputs[i, j]` =
    the output at (xs[j], ys[i]): row 0 is the bottom of the picture, as in
    `imshow(origin="lower")`. `frame` accepts that (R, R) array or the flat (R*R,) / (R*R, 1).

    `size` is the image width in pixels; the plot area is square. A renderer holds only
    read-only arrays, so one cached instance may serve every session at once.
    """

    # Room for tick labels and axis labels, in pixels, whatever the size.
    _MARGINS = {"left": 52, "right": 12, "bottom": 38, "top": 10}

    def __init__(self, extent=(-0.5, 1.5, -0.5, 1.5), size=300, resolution=100):
        xmin, xmax, ymin, ymax = (float(v) for v in extent)
        if not (xmin < xmax and ymin < ymax):
            raise ValueError("extent must be (xmin, xmax, ymin, ymax) with min < max; "
                             f"got {extent}.")
        if size < 120 or resolution < 2:
            raise ValueError("size must be at least 120 pixels and resolution at least 2.")
        self.extent = (xmin, xmax, ymin, ymax)
        self.resolution = int(resolution)
        self.xs = np.linspace(xmin, xmax, self.resolution)
        self.ys = np.linspace(ymin, ymax, self.resolution)
        self._chrome, self.plot_box = self._draw_chrome(int(size))
        self._chrome.flags.writeable = False
        self.size = (self._chrome.shape[1], self._chrome.shape[0])          # (width, height)
        left, top, right, bottom = self.plot_box
        centres_x = (np.arange(right - left) + 0.5) / (right - left)
        centres_y = 1.0 - (np.arange(bottom - top) + 0.5) / (bottom - top)   # image rows go down
        self._cols = _bilinear_weights(centres_x, self.resolution)
        self._rows = _bilinear_weights(centres_y, self.resolution)

    def _draw_chrome(self, width):
        m = self._MARGINS
        side = width - m["left"] - m["right"]
        height = side + m["bottom"] + m["top"]
        fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
        ax = fig.add_axes((m["left"] / width, m["bottom"] / height, side / width, side / height))
        ax.set_xlim(*self.extent[:2])
        ax.set_ylim(*self.extent[2:])
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlabel("x₁", labelpad=1)
        ax.set_ylabel("x₂", labelpad=1)
        ax.tick_params(labelsize=8, length=3, pad=2)
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
        grid_x, grid_y = np.meshgrid(self.xs, self.ys)   # (R, R): x along a row, y down rows
        return np.column_stack([grid_x.ravel(), grid_y.ravel()])

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
        return max(4.0, side / 240 * 15 * max(n_points, 1) ** -0.15)

    def _marks(self, X, y):
        """The data points as pixels: flat indices, coverage and premultiplied colour."""
        X = np.asarray(X, dtype=float).reshape(-1, 2)
        is_one = _classes(y, len(X))
        xmin, xmax, ymin, ymax = self.extent
        inside = (X[:, 0] >= xmin) & (X[:, 0] <= xmax) & (X[:, 1] >= ymin) & (X[:, 1] <= ymax)
        pixels, is_one = self.pixel_of(X[inside]), is_one[inside]
        diameter = self.marker_size(len(X))
        offsets, circle, circle_fill = _marker_stamp(diameter, square=False)
        _, square, square_fill = _marker_stamp(diameter, square=True)
        shape = is_one[:, None, None]
        alpha = np.where(shape, square, circle)                                 # (n, S, S)
        fill = np.where(shape, square_fill, circle_fill)
        colour = (fill[..., None] * _CLASS_RGB[is_one.astype(int)][:, None, None, :]
                  + (alpha - fill)[..., None] * _INK)                          # (n, S, S, 3)
        rows = pixels[:, 1, None, None] + offsets[None, :, None]                # (n, S, 1)
        cols = pixels[:, 0, None, None] + offsets[None, None, :]                # (n, 1, S)
        left, top, right, bottom = self.plot_box
        keep = (rows >= top) & (rows < bottom) & (cols >= left) & (cols < right) & (alpha > 0)
        flat = (rows * self.size[0] + cols)[keep]
        return flat, alpha[keep][:, None], colour[keep]

    def _field(self, outputs):
        r = self.resolution
        outputs = np.asarray(outputs, dtype=np.float32)
        if outputs.size != r * r:
            raise ValueError(f"outputs must hold {r}x{r} values, on grid_points(); "
                             f"got shape {outputs.shape}.")
        return _resample(np.nan_to_num(outputs.reshape(r, r), nan=0.5), self._rows, self._cols)

    def _compose(self, field, marks):
        rgb = self._chrome.copy()
        left, top, right, bottom = self.plot_box
        plot = rgb[top:bottom, left:right]
        plot[:] = _colour(field, _FIELD_LUT)
        # The 0.5 contour, anti-aliased: |f - 0.5| / |grad f| is a pixel's distance to the
        # level set, to first order. A flat field has no contour, even one exactly at 0.5.
        d_rows, d_cols = np.gradient(field)
        slope = np.hypot(d_rows, d_cols)
        ink = np.clip(1.5 - np.abs(field - 0.5) / np.maximum(slope, 1e-12), 0.0, 1.0)
        ink[slope < 1e-9] = 0.0
        on_line = np.nonzero(ink)
        a = ink[on_line][:, None]
        plot[on_line] = (plot[on_line] * (1.0 - a) + _INK * a + 0.5).astype(np.uint8)
        flat, alpha, colour = marks
        pixels = rgb.reshape(-1, 3)
        # Where markers overlap, the later point is written last and so lies on top.
        pixels[flat] = (pixels[flat] * (1.0 - alpha) + colour + 0.5).astype(np.uint8)
        plot[[0, -1], :] = _INK
        plot[:, [0, -1]] = _INK
        return rgb

    def frame_rgb(self, outputs, X, y):
        """The frame as an (H, W, 3) uint8 array; see `frame`."""
        return self._compose(self._field(outputs), self._marks(X, y))

    def frame(self, outputs, X, y):
        """PNG of the output field (on `grid_points()`), its 0.5 contour and the points X, y."""
        return _png(self.frame_rgb(outputs, X, y))

    def frames(self, outputs_stack, X, y):
        """PNG frames for a stack of output fields, shape (F, R, R) or (F, R*R)."""
        marks = self._marks(X, y)
        return [_png(self._compose(self._field(outputs), marks)) for outputs in outputs_stack]


def neuron_heatmaps(activations, low, high, tile=80, labels=None):
    """PNG: one tile per hidden neuron, its activation over the input plane, labelled h1, h2...

    `activations` is (k, R, R) in the grid order of `BoundaryRenderer.grid_points` (row 0 at
    the bottom), or (R*R, k) straight from a forward pass on those points. Colours map
    low..high onto the diverging scale at full strength, e.g. 0..1 for sigmoid, -1..1 for tanh.
    """
    activations = np.asarray(activations, dtype=float)
    if activations.ndim == 2:
        r = round(np.sqrt(activations.shape[0]))
        activations = activations.T.reshape(-1, r, r)
    k, r = activations.shape[0], activations.shape[1]
    labels = [f"h{i + 1}" for i in range(k)] if labels is None else list(labels)
    centres = (np.arange(tile) + 0.5) / tile
    rows, cols = _bilinear_weights(1.0 - centres, r), _bilinear_weights(centres, r)
    # An empty range (say, every ReLU dead: 0..0) shows as the scale's white middle.
    scale, offset = (1.0 / (high - low), 0.0) if high > low else (0.0, 0.5)
    # Scaled to 0..1 in float64 first: a diverged net's activations (1e46) overflow float32.
    shares = ((activations - low) * scale + offset).astype(np.float32)
    values = _resample(shares, rows, cols)
    values = np.nan_to_num(values, nan=0.5)
    tiles = _colour(values, _LUT)                                               # (k, t, t, 3)

    gap, pad, band = 8, 4, 18
    rgb = np.full((band + tile + pad, 2 * pad + k * tile + (k - 1) * gap, 3), 255, np.uint8)
    for i in range(k):
        x0 = pad + i * (tile + gap)
        rgb[band - 1:band + tile + 1, x0 - 1:x0 + tile + 1] = 200   # a grey frame: white is a value
        rgb[band:band + tile, x0:x0 + tile] = tiles[i]
    image = Image.fromarray(rgb)
    # Matplotlib's own font, so the labels match the axes elsewhere; loading takes ~0.1 ms.
    font = ImageFont.truetype(findfont("DejaVu Sans"), 12)
    draw = ImageDraw.Draw(image)
    for i, label in enumerate(labels):
        draw.text((pad + i * (tile + gap) + tile / 2, band - 3), label, fill=INK_HEX, font=font,
                  anchor="mb")
    return _png(np.asarray(image))


def figure_png(fig):
    """Render a Figure once, at its own dpi, to PNG bytes (opaque figures; no tight bbox).

    Drawn on the Agg canvas and encoded here: savefig's path costs ~20 ms more per figure.
    """
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return _png(np.asarray(canvas.buffer_rgba())[:, :, :3])


def _class_handles(size=7):
    return [Line2D([], [], linestyle="", marker=marker, markersize=size, markerfacecolor=colour,
                   markeredgecolor=INK_HEX, markeredgewidth=0.8, label=label)
            for marker, colour, label in (("o", CLASS0_HEX, "class 0"),
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
    return figure_png(fig)


def _sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)   # the logistic function, without exp's overflow


def _limits(values):
    """Padded (low, high) around the finite values, spanning at least 0.2."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    middle, half = (low + high) / 2, max(high - low, 0.2) / 2 * 1.25
    return middle - half, middle + half


def _principal_components(hidden):
    """Scores on the first two principal components, (n, 2), and their shares of variance."""
    centred = hidden - hidden.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:2]
    # An SVD's signs are arbitrary: make each component's largest loading positive.
    vt = vt * np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])[:, None]
    scores = centred @ vt.T
    total = float((s ** 2).sum())
    shares = s[:2] ** 2 / total if total > 0 else np.full(len(vt), np.nan)
    missing = 2 - scores.shape[1]   # a single point has one component
    return np.pad(scores, ((0, 0), (0, missing))), np.pad(shares, (0, missing),
                                                          constant_values=np.nan)


def _input_labels(points, inputs):
    """One text per group of coinciding points, naming all their inputs: '(0,1) (1,0)'."""
    spans = np.ptp(points, axis=0) if len(points) > 1 else np.ones(2)
    near = max(float(spans.max()), 1e-12) * 0.03
    groups, seen = [], np.zeros(len(points), dtype=bool)
    for i in range(len(points)):
        if seen[i]:
            continue
        members = np.flatnonzero(~seen & (np.abs(points - points[i]).max(axis=1) <= near))
        seen[members] = True
        text = " ".join("(" + ",".join(f"{v:g}" for v in inputs[m]) + ")" for m in members)
        groups.append((points[i], text))
    return groups


def _draw_points(ax, points, is_one, inputs):
    n = len(points)
    style = {"linestyle": "", "markeredgecolor": INK_HEX, "markeredgewidth": 0.8, "zorder": 3}
    if n <= 12:
        # Later points smaller and on top: coinciding points stay visible as nested markers.
        sizes = 11.0 * (1.0 - 0.45 * np.arange(n) / max(n - 1, 1))
        for i in range(n):
            ax.plot(*points[i], marker="s" if is_one[i] else "o", markersize=sizes[i],
                    markerfacecolor=CLASS1_HEX if is_one[i] else CLASS0_HEX, **style)
    else:
        for members, marker, colour in ((~is_one, "o", CLASS0_HEX), (is_one, "s", CLASS1_HEX)):
            ax.plot(*points[members].T, marker=marker, markersize=max(4.0, 11.0 * (12 / n) ** 0.25),
                    markerfacecolor=colour, **style)
    if inputs is None or n > 12:
        return
    middle = np.mean(ax.get_xlim())
    for point, text in _input_labels(points, np.asarray(inputs, dtype=float).reshape(n, -1)):
        right_half = point[0] > middle   # write toward the centre, so no label leaves the axes
        ax.annotate(text, point, xytext=(-8 if right_half else 8, 7), textcoords="offset points",
                    ha="right" if right_half else "left", fontsize=8, color=INK_HEX, zorder=4)


def _output_line(ax, w, b, xlim, ylim):
    """Draw w1*h1 + w2*h2 + b = 0, solved for the coordinate it is steeper in."""
    style = {"color": INK_HEX, "linewidth": 1.5, "label": "output = 0.5", "zorder": 2}
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        h1 = np.array(xlim)
        ax.plot(h1, -(w[0] * h1 + b) / w[1], **style)
    elif w[0] != 0:
        h2 = np.array(ylim)
        ax.plot(-(w[1] * h2 + b) / w[0], h2, **style)


def hidden_space_figure(hidden, y, output_weights, output_bias, title, inputs=None):
    """The training points in the last hidden layer's coordinates, with the output's 0.5 line.

    k = 2: the (h1, h2) plane and the line w1*h1 + w2*h2 + b = 0, where the sigmoid output is
    exactly 0.5, over a background of the output's value. k = 1: the h1 axis and the
    threshold h1 = -b/w1. k > 2: the first two principal components (PC1, PC2), no line.
    `inputs` (n, 2), if given, labels each point with its input, e.g. "(0,1)".
    """
    hidden = np.asarray(hidden, dtype=float)
    hidden = hidden.reshape(len(hidden), -1)
    n, k = hidden.shape
    is_one = _classes(y, n)
    w = np.asarray(output_weights, dtype=float).reshape(-1)
    b = float(np.asarray(output_bias, dtype=float).reshape(-1)[0])
    # Fixed margins, not a layout engine: constrained layout doubled the rendering time.
    if k == 1:
        fig = Figure(figsize=(4.0, 2.3), dpi=_DPI)
        ax = fig.add_axes((0.17, 0.4, 0.79, 0.48))
    else:
        fig = Figure(figsize=(4.0, 4.4), dpi=_DPI)
        ax = fig.add_axes((0.16, 0.2, 0.8, 0.72))
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)

    if k == 1:
        # One row per class, so that a single threshold visibly does or does not split them.
        points = np.column_stack([hidden[:, 0], np.where(is_one, 0.4, -0.4)])
        xlim = _limits(points[:, 0])
        h1 = np.linspace(*xlim, 200)
        ax.imshow(output_colours(_sigmoid(w[0] * h1 + b), FIELD_STRENGTH)[None],
                  extent=(*xlim, -1, 1), aspect="auto", zorder=0)
        if w[0] != 0:
            ax.axvline(-b / w[0], color=INK_HEX, linewidth=1.5, label="output = 0.5", zorder=2)
        ax.set_xlim(*xlim)
        ax.set_ylim(-1, 1)
        ax.set_yticks([-0.4, 0.4], ["class 0", "class 1"])
        ax.set_xlabel("h1")
    elif k == 2:
        points = hidden
        (x0, x1), (y0, y1) = _limits(points[:, 0]), _limits(points[:, 1])
        half = max(x1 - x0, y1 - y0) / 2          # a square view keeps the line's angle true
        xlim = ((x0 + x1) / 2 - half, (x0 + x1) / 2 + half)
        ylim = ((y0 + y1) / 2 - half, (y0 + y1) / 2 + half)
        grid_h1, grid_h2 = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
        ax.imshow(output_colours(_sigmoid(w[0] * grid_h1 + w[1] * grid_h2 + b), FIELD_STRENGTH),
                  origin="lower", extent=(*xlim, *ylim), aspect="auto", zorder=0)
        _output_line(ax, w, b, xlim, ylim)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.set_xlabel("h1")
        ax.set_ylabel("h2")
    else:
        points, shares = _principal_components(hidden)
        share = [f" ({v:.0%} of the variance)" if np.isfinite(v) else "" for v in shares]
        ax.set_xlim(*_limits(points[:, 0]))
        ax.set_ylim(*_limits(points[:, 1]))
        ax.set_xlabel(f"PC1 of h1..h{k}{share[0]}")
        ax.set_ylabel(f"PC2{share[1]}")

    _draw_points(ax, points, is_one, inputs)
    lines = [line for line in ax.get_lines() if line.get_label() == "output = 0.5"]
    ax.legend(handles=_class_handles() + lines, fontsize=8, loc="upper center", ncol=3,
              bbox_to_anchor=(0.5, -0.12 if k > 1 else -0.45), frameon=False)
    return fig


def _chunks(png):
    """(type, data) of every chunk of a PNG file."""
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        chunks.append((png[at + 4:at + 8], png[at + 8:at + 8 + length]))
        at += 12 + length
    return chunks


def animated_png(pngs, seconds_per_frame=0.25, pause_at_end=1.5):
    """Same-sized PNG frames joined into one looping animated PNG, without re-encoding.

    The browser plays it, so replaying costs the server nothing after this.
    """
    frames = [_chunks(png) for png in pngs]
    header = next(data for kind, data in frames[0] if kind == b"IHDR")
    width, height = struct.unpack(">II", header[:8])
    out = [b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
           _png_chunk(b"acTL", struct.pack(">II", len(frames), 0))]
    sequence = 0
    for index, chunks in enumerate(frames):
        seconds = pause_at_end if index == len(frames) - 1 else seconds_per_frame
        control = struct.pack(">IIIIIHHBB", sequence, width, height, 0, 0,
                              round(seconds * 100), 100, 0, 0)
        out.append(_png_chunk(b"fcTL", control))
        sequence += 1
        for kind, data in chunks:
            if kind != b"IDAT":
                continue
            if index == 0:
                out.append(_png_chunk(b"IDAT", data))
            else:
                out.append(_png_chunk(b"fdAT", struct.pack(">I", sequence) + data))
                sequence += 1
    out.append(_png_chunk(b"IEND", b""))
    return b"".join(out)


# --- the network as a Graphviz DOT graph (drawn by the browser) -----------------------------

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
MAX_LABELLED_EDGES = 24   # more connections than this: gradients only in tooltips
_ZERO_HEX = "#bdbdbd"     # a connection of weight exactly 0: neither sign


def neuron_name(layer, k, last):
    """x₁ for an input, h⁽ˡ⁾ₖ for a hidden neuron, ŷ for the output unit (k is 0-based)."""
    if layer == 0:
        return "x" + str(k + 1).translate(_SUBSCRIPT)
    if layer == last:
        return "ŷ"
    return f"h⁽{str(layer).translate(_SUPERSCRIPT)}⁾{str(k + 1).translate(_SUBSCRIPT)}"


def _dot_text(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_attributes(**attributes):
    return "[" + ", ".join(f"{key}={value}" for key, value in attributes.items()) + "]"


def _short(value):
    return f"{value:.3g}".replace("-", "−")


def network_dot(weights, biases, weight_gradients=None, bias_gradients=None, highlight=None,
                labels=None):
    """The network as Graphviz DOT: neurons left to right, one edge per weight.

    Edge width grows with |w| (relative to the largest) and its colour is w's sign on the
    app's scale (CLASS0_HEX negative, CLASS1_HEX positive). A neuron's fill is its bias on
    the same scale, and its label writes b out. With gradients, each edge's tooltip gives
    w and ∂L/∂w, and when there are at most MAX_LABELLED_EDGES edges (or `labels` is True)
    the edge is labelled with ∂L/∂w. `highlight` = (layer, j, k), layer 1-based, j and k
    0-based, draws that weight bold and always labels it.
    """
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    last = len(weights)
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    if labels is None:
        labels = sum(W.size for W in weights) <= MAX_LABELLED_EDGES
    widest = max(float(np.abs(W).max()) for W in weights) or 1.0
    bias_limit = max(float(np.abs(b).max()) for b in biases)
    lines = ["digraph network {",
             # Straight lines, neurons kept in their order: the classic picture of a network.
             f'  graph [rankdir=LR, ranksep={1.3 if max(sizes) <= 4 else 2.6}, nodesep=0.18, '
             'splines=line, ordering=out, bgcolor="transparent"];',
             '  node [shape=circle, fixedsize=true, width=0.85, style=filled, fontsize=10, '
             f'fontname="Helvetica", color="{INK_HEX}", penwidth=0.8];',
             f'  edge [arrowsize=0.4, fontsize=9, fontname="Helvetica", fontcolor="{INK_HEX}"];']
    for layer, size in enumerate(sizes):
        nodes = []
        for k in range(size):
            name = neuron_name(layer, k, last)
            if layer == 0:
                attributes = {"label": _dot_text(name), "fillcolor": '"#ffffff"',
                              "tooltip": _dot_text(f"input {name}")}
            else:
                b = float(biases[layer - 1][k])
                fill = to_hex(signed_colours(b, bias_limit, FIELD_STRENGTH) / 255.0)
                tip = f"{name}: bias b = {b:.4g}"
                if bias_gradients is not None:
                    tip += f"\n∂L/∂b = {float(bias_gradients[layer - 1][k]):.4g}"
                attributes = {"label": _dot_text(f"{name}\nb={_short(b)}"),
                              "fillcolor": f'"{fill}"', "tooltip": _dot_text(tip)}
            nodes.append(f"n{layer}_{k}")
            lines.append(f"  n{layer}_{k} {_dot_attributes(**attributes)};")
        # Invisible edges inside a rank keep its neurons in order, first on top.
        chain = " -> ".join(nodes) + " [style=invis]; " if len(nodes) > 1 else ""
        lines.append("  { rank=same; " + "; ".join(nodes) + "; " + chain + "}")
    for layer, W in enumerate(weights, 1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                w = float(W[j, k])
                colour = CLASS1_HEX if w > 0 else CLASS0_HEX if w < 0 else _ZERO_HEX
                chosen = highlight == (layer, j, k)
                tip = f"{neuron_name(layer - 1, j, last)} → {neuron_name(layer, k, last)}\n" \
                      f"w = {w:.4g}"
                attributes = {"color": f'"{colour}"',
                              "penwidth": f"{0.4 + 4.6 * abs(w) / widest:.2f}"}
                if weight_gradients is not None:
                    gradient = float(weight_gradients[layer - 1][j, k])
                    tip += f"\n∂L/∂w = {gradient:.4g}"
                    if chosen:
                        attributes["label"] = _dot_text(f"∂L/∂w={_short(gradient)}")
                        attributes["fontsize"] = "11"
                    elif labels:
                        attributes["label"] = _dot_text(_short(gradient))
                if chosen:
                    attributes["style"] = "bold"
                    attributes["penwidth"] = f"{float(attributes['penwidth']) + 2.0:.2f}"
                attributes["tooltip"] = _dot_text(tip)
                lines.append(f"  n{layer - 1}_{j} -> n{layer}_{k} {_dot_attributes(**attributes)};")
    lines.append("}")
    return "\n".join(lines)
