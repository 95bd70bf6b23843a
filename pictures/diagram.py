"""The network as one SVG picture, as TensorFlow Playground draws it: every node a tile that
shows its own activation over the input plane, every weight a line drawn under the tiles.

Tiles are embedded PNGs (data: URIs) at twice their displayed size, so the picture is
self-contained, crisp at a device pixel ratio of 2, and accepted by `st.image(svg)`, which
shows it as an <img>. Nothing here runs the network: the caller passes each layer's
activations on `BoundaryRenderer.grid_points()`. Colours: pictures/colours.py.

Labels: x₁, x₂ for the inputs, ŷ for the output; hidden neurons h₁, h₂, ... when there is one
hidden layer, h⁽ˡ⁾ₖ (layer l, neuron k, as in the network graph) when there are more.
"""

from __future__ import annotations

import base64
import math
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from formats import number
from pictures import png
from pictures.boundary import bilinear_weights, resample
from pictures.colours import CLASS0_HEX, CLASS1_HEX, INK_HEX, LUT, colour
from pictures.graph import neuron_name

# A line's width is a fixed function of |w| alone, so that lines visibly thicken as the
# weights grow: WIDTH_MIN px at w = 0, rising linearly to WIDTH_MAX px at |w| = W_FULL.
W_FULL = 4.0
WIDTH_MIN, WIDTH_MAX = 0.5, 5.0
# Thin lines are drawn fainter, so 64 crossing lines stay legible; never fainter than this.
OPACITY_MIN = 0.4
ZERO_HEX = "#bdbdbd"      # a weight of exactly 0 (or NaN): neither sign
FRAME_HEX = "#c8c8c8"     # the tile's frame: white is a value, so the tile needs an edge
FONT = "DejaVu Sans, sans-serif"
LABEL_PX = 12
_BAND = 15                # room above each tile for its label
_MARGIN = 2
_LINE_ROOM = 1.0          # the gap between columns, in tile widths, at least
_MIN_TILE = 8

# Each hidden activation's own range; None: symmetric about 0, as large as the layer's values.
HIDDEN_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": None, "linear": None}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def line_width(w):
    """Stroke width in px of a weight w's line: WIDTH_MIN + (WIDTH_MAX - WIDTH_MIN) * share."""
    return WIDTH_MIN + (WIDTH_MAX - WIDTH_MIN) * _share(w)


def _share(w):
    """min(|w| / W_FULL, 1); 0 for NaN."""
    return min(abs(w) / W_FULL, 1.0) if w == w else 0.0


def _name(layer, k, last):
    """h₁ for neuron 1 of the one hidden layer; otherwise the network graph's names."""
    if last == 2 and layer == 1:
        return "h" + str(k + 1).translate(_SUBSCRIPT)
    return neuron_name(layer, k, last)


def layer_ranges(activation, fields):
    """The colour scale (low, high) of each entry of `fields`, for `network_svg`.

    Inputs: one pair per input, its own min..max over the grid. Hidden layers: sigmoid
    (0, 1), tanh (-1, 1); relu and linear (-m, m), m the layer's largest finite |value| on
    the grid, so that 0 stays white (m = 0, all dead, gives a white tile). Output: (0, 1).
    """
    if activation not in HIDDEN_RANGE:
        raise ValueError(f"activation must be one of {', '.join(HIDDEN_RANGE)}; "
                         f"got {activation!r}.")
    inputs = np.asarray(fields[0], dtype=float)
    ranges = [tuple((float(np.nanmin(x)), float(np.nanmax(x))) for x in inputs.T)]
    for field in fields[1:-1]:
        fixed = HIDDEN_RANGE[activation]
        if fixed is None:
            values = np.abs(np.asarray(field, dtype=float))
            finite = values[np.isfinite(values)]
            m = float(finite.max()) if finite.size else 0.0
            fixed = (-m, m)
        ranges.append(fixed)
    ranges.append((0.0, 1.0))
    return ranges


def _check(weights, biases, fields, ranges, names):
    """Arrays in float64, the layer sizes and the grid side R, or a message saying what's off."""
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float).reshape(-1) for b in biases]
    if not weights or len(weights) != len(biases):
        raise ValueError("Give one weight matrix and one bias vector per layer; got "
                         f"{len(weights)} and {len(biases)}.")
    sizes = [weights[0].shape[0]] + [W.shape[-1] for W in weights]
    for layer, (W, b) in enumerate(zip(weights, biases), start=1):
        if W.shape != (sizes[layer - 1], sizes[layer]) or b.shape != (sizes[layer],):
            raise ValueError(f"Layer {layer}: weights must be ({sizes[layer - 1]}, "
                             f"{sizes[layer]}) and biases ({sizes[layer]},); got {W.shape} "
                             f"and {b.shape}.")
    if len(fields) != len(sizes) or len(ranges) != len(sizes):
        raise ValueError(f"Give one field and one range per layer of nodes ({len(sizes)}, "
                         f"inputs included); got {len(fields)} and {len(ranges)}.")
    n = np.asarray(fields[0]).shape[0]
    r = math.isqrt(n)
    if r < 2 or r * r != n:
        raise ValueError(f"Fields must be on an R x R grid (R*R rows, R >= 2); got {n} rows.")
    checked = []
    for layer, (field, k) in enumerate(zip(fields, sizes)):
        field = np.asarray(field, dtype=float)
        if field.size != n * k:
            raise ValueError(f"fields[{layer}] must be ({n}, {k}); got {field.shape}.")
        checked.append(field.reshape(n, k))
    limits = []
    for layer, (pair, k) in enumerate(zip(ranges, sizes)):
        pair = np.asarray(pair, dtype=float).reshape(-1, 2)
        if len(pair) not in (1, k):
            raise ValueError(f"ranges[{layer}] must be one (low, high) or {k} of them.")
        limits.append(np.broadcast_to(pair, (k, 2)))
    if names is not None and [len(layer) for layer in names] != sizes:
        raise ValueError(f"names must hold one list per layer of sizes {sizes}.")
    return weights, biases, checked, np.concatenate(limits), sizes, r


def _layout(sizes, width, height, band):
    """Tile side and each node's tile corner (x, y), integers, layer by layer."""
    pitch = (height - 2 * _MARGIN) / max(sizes)       # one node and its label, every layer
    columns = len(sizes)
    tile = math.floor(min(pitch - band - 2,
                          (width - 2 * _MARGIN) / (columns + (columns - 1) * _LINE_ROOM)))
    if tile < _MIN_TILE:
        raise ValueError(f"A {width}x{height} picture is too small for {columns} layers of up "
                         f"to {max(sizes)} nodes.")
    step = (width - 2 * _MARGIN - tile) / (columns - 1)
    corners = []
    for c, n in enumerate(sizes):
        x = round(_MARGIN + c * step)
        # The column's slots are centred; a tile sits at the bottom of its slot, under its label.
        top = height / 2 - n * pitch / 2 + (pitch - tile - band) / 2 + band
        corners.append([(x, round(top + k * pitch)) for k in range(n)])
    return tile, corners


def _tiles(fields, limits, r, side):
    """Every node's field as an (side, side, 3) RGB tile, in one vectorized pass."""
    values = np.concatenate(fields, axis=1).T.reshape(-1, r, r)              # (N, R, R)
    low, high = limits[:, 0, None, None], limits[:, 1, None, None]
    # Scaled to 0..1 in float64 first: a diverged net's activations (1e46) overflow float32.
    # An empty or non-finite range (every ReLU dead: 0..0) shows as the scale's white middle.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        span = high - low
        live = np.isfinite(span) & (span > 0)
        shares = (values - np.where(live, low, 0.0)) * np.where(live, 1.0 / span, 0.0)
        shares = np.clip(shares + np.where(live, 0.0, 0.5), 0.0, 1.0)
    shares = np.nan_to_num(shares, nan=0.5).astype(np.float32)
    centres = (np.arange(side) + 0.5) / side
    # Grid row 0 is the bottom of the plane; image row 0 is the top.
    rows, cols = bilinear_weights(1.0 - centres, r), bilinear_weights(centres, r)
    return colour(resample(shares, rows, cols), LUT)                       # (N, s, s, 3)


def _weight_path(layer, i, j, w, start, end):
    x1, y1 = start
    x2, y2 = end
    middle = (x1 + x2) / 2
    stroke = CLASS1_HEX if w > 0 else CLASS0_HEX if w < 0 else ZERO_HEX
    share = _share(w)
    return (f'<path id="w{layer}-{i}-{j}" class="weight" '
            f'd="M{x1:g} {y1:g}C{middle:g} {y1:g} {middle:g} {y2:g} {x2:g} {y2:g}" '
            f'stroke="{stroke}" stroke-width="{line_width(w):.3g}" '
            f'stroke-opacity="{OPACITY_MIN + (1 - OPACITY_MIN) * share:.3g}">'
            f"<title>w = {number(w)}</title></path>")


def _node(layer, k, corner, tile, name, tip, rgb):
    x, y = corner
    uri = base64.b64encode(png.encode(rgb)).decode("ascii")
    label = f'<text x="{x + tile / 2:g}" y="{y - 4}">{escape(name)}</text>' if name else ""
    return (f'<g id="n{layer}-{k}" class="node"><title>{escape(tip)}</title>'
            f'<image x="{x}" y="{y}" width="{tile}" height="{tile}" preserveAspectRatio="none" '
            f'xlink:href="data:image/png;base64,{uri}"/>'
            f'<rect x="{x - 0.5}" y="{y - 0.5}" width="{tile + 1}" height="{tile + 1}" '
            f'fill="none" stroke="{FRAME_HEX}"/>{label}</g>')


def network_svg(weights, biases, fields, ranges, width=300, height=300, names=None):
    """The network as a self-contained SVG 1.1 string of `width` x `height` px.

    `weights[l]` is (n_in, n_out), `biases[l]` (n_out,), as in network.MLP. `fields` holds
    one (R*R, k) array per layer of nodes, inputs first, output last, on the grid of
    `BoundaryRenderer.grid_points()`; `ranges` one (low, high) per entry of `fields`, or one
    per node of that layer (see `layer_ranges`): low is orange, the middle white, high purple.
    `names`, one list per layer of nodes, overrides the labels ("" everywhere: no labels,
    and the tiles grow into their room). Weight lines have id "w{layer}-{from}-{to}" (layer
    1-based, nodes 0-based) and class "weight"; nodes id "n{layer}-{k}" and class "node".
    """
    weights, biases, fields, limits, sizes, r = _check(weights, biases, fields, ranges, names)
    width, height = int(width), int(height)
    last = len(sizes) - 1
    if names is None:
        names = [[_name(layer, k, last) for k in range(size)] for layer, size in enumerate(sizes)]
    names = [[str(name) for name in layer] for layer in names]
    tile, corners = _layout(sizes, width, height, _BAND if any(map(any, names)) else 0)

    lines = []
    for layer, W in enumerate(weights, start=1):
        for (i, j), w in np.ndenumerate(W):
            (xs, ys), (xt, yt) = corners[layer - 1][i], corners[layer][j]
            start, end = (xs + tile, ys + tile / 2), (xt, yt + tile / 2)
            lines.append((_share(float(w)), _weight_path(layer, i, j, float(w), start, end)))
    lines.sort(key=lambda line: line[0])   # the strongest drawn last, over the weak ones

    tiles = iter(_tiles(fields, limits, r, 2 * tile))
    nodes = []
    for layer, column in enumerate(corners):
        for k, corner in enumerate(column):
            name = names[layer][k]
            if layer == 0:
                low, high = limits[k]
                tip = f"{name}: input, {number(low)} (orange) to {number(high)} (purple)"
            else:
                tip = f"{name}: bias b = {number(biases[layer - 1][k])}"
            nodes.append(_node(layer, k, corner, tile, name, tip, next(tiles)))

    return "".join([
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        '<g fill="none" stroke-linecap="round">', *(path for _, path in lines), "</g>",
        f'<g fill="{INK_HEX}" font-size="{LABEL_PX}" font-family={quoteattr(FONT)} '
        'text-anchor="middle">', *nodes, "</g></svg>"])
