"""The live network picture: one tile per node, one line per weight, colours that mean what
the legend says, and a layout that fits."""

from __future__ import annotations

import base64
import io
import re
import timeit
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from network import MLP
from pictures.boundary import BoundaryRenderer
from pictures.colours import CLASS0_HEX, CLASS1_HEX, INK_HEX, LUT, MIDDLE_HEX
from pictures.diagram import (
    W_FULL,
    WIDTH_MAX,
    WIDTH_MIN,
    ZERO_HEX,
    layer_ranges,
    line_width,
    network_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
RENDERER = BoundaryRenderer(resolution=40)
ORANGE, WHITE, PURPLE = LUT[0], LUT[len(LUT) // 2], LUT[-1]


def _hex(rgb):
    return "#" + "".join(f"{int(c):02x}" for c in rgb)


def _picture(sizes, activation="tanh", seed=0, weights=None, biases=None, size=300,
             fields=None, ranges=None, names=None):
    """(svg text, parsed root, weights) of an MLP's picture on RENDERER's grid."""
    net = MLP(sizes, activation=activation, seed=seed)
    if weights is not None:
        net.set_parameters(weights, biases if biases is not None else net.biases)
    if fields is None:
        fields = list(net.forward(RENDERER.grid_points()).activations)
    if ranges is None:
        ranges = layer_ranges(activation, fields)
    svg = network_svg(net.weights, net.biases, fields, ranges, size, size, names=names)
    return svg, ET.fromstring(svg), net.weights


def _nodes(root):
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def _lines(root):
    return {p.get("id"): p for p in root.iter(f"{SVG}path") if p.get("class") == "weight"}


def _box(node):
    image = node.find(f"{SVG}image")
    return tuple(float(image.get(key)) for key in ("x", "y", "width", "height"))


def _pixels(node):
    href = node.find(f"{SVG}image").get(HREF)
    prefix = "data:image/png;base64,"
    assert href.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(href[len(prefix):]))).convert("RGB"))


def _constant_fields(sizes, value):
    n = RENDERER.resolution ** 2
    return [np.full((n, k), value, dtype=float) for k in sizes]


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 4, 1], [2, 8, 8, 1]])
def test_one_tile_per_node_and_one_line_per_weight(sizes):
    _, root, weights = _picture(sizes)
    assert set(_nodes(root)) == {f"n{layer}-{k}" for layer, n in enumerate(sizes)
                                 for k in range(n)}
    assert set(_lines(root)) == {f"w{layer}-{i}-{j}" for layer, W in enumerate(weights, 1)
                                 for i in range(W.shape[0]) for j in range(W.shape[1])}


def test_line_colour_follows_the_weights_sign():
    W1 = np.array([[1.5, -0.25], [0.0, 2.0]])
    _, root, _ = _picture([2, 2, 1], weights=[W1, np.array([[-3.0], [0.75]])])
    lines = _lines(root)
    assert [lines[f"w1-0-{j}"].get("stroke") for j in (0, 1)] == [CLASS1_HEX, CLASS0_HEX]
    assert lines["w1-1-0"].get("stroke") == ZERO_HEX
    assert lines["w2-0-0"].get("stroke") == CLASS0_HEX
    assert lines["w2-1-0"].get("stroke") == CLASS1_HEX


def test_line_width_grows_with_abs_w_and_ignores_the_other_weights():
    small = [np.array([[0.1, -0.5], [1.0, -2.0]]), np.array([[3.0], [8.0]])]
    large = [np.array([[0.5, 40.0], [-40.0, 0.0]]), np.array([[-0.5], [0.1]])]
    _, root_small, _ = _picture([2, 2, 1], weights=small)
    _, root_large, _ = _picture([2, 2, 1], weights=large)
    width = {key: float(p.get("stroke-width")) for key, p in _lines(root_small).items()}
    order = ["w1-0-0", "w1-0-1", "w1-1-0", "w1-1-1", "w2-0-0"]     # |w| 0.1, 0.5, 1, 2, 3
    assert all(a < b for a, b in zip([width[k] for k in order], [width[k] for k in order[1:]]))
    assert width["w2-0-0"] < width["w2-1-0"] == WIDTH_MAX                # |w| 3 < W_FULL < 8
    other = {key: float(p.get("stroke-width")) for key, p in _lines(root_large).items()}
    # |w| = 0.5 is as wide beside weights of 40 as beside weights of at most 8, either sign.
    assert other["w1-0-0"] == other["w2-0-0"] == width["w1-0-1"]
    assert other["w2-1-0"] == width["w1-0-0"]
    assert other["w1-1-1"] == pytest.approx(WIDTH_MIN)


def test_width_function_is_fixed_and_saturates_at_w_full():
    assert line_width(0.0) == WIDTH_MIN
    assert line_width(W_FULL / 2) == pytest.approx((WIDTH_MIN + WIDTH_MAX) / 2)
    assert line_width(-W_FULL) == line_width(1e46) == WIDTH_MAX
    assert line_width(float("nan")) == WIDTH_MIN


def test_tooltips_carry_the_weight_and_the_bias():
    W1 = np.array([[0.123456, -2.0], [1e-5, 7.0]])
    _, root, _ = _picture([2, 2, 1], weights=[W1, np.array([[-31.4159], [1.0]])],
                          biases=[np.array([0.5, -0.0625]), np.array([2.71828])])
    lines = _lines(root)
    assert lines["w1-0-0"].find(f"{SVG}title").text == "w = 0.1235"
    assert lines["w1-1-0"].find(f"{SVG}title").text == "w = 1e-5"   # formats.number
    assert lines["w2-0-0"].find(f"{SVG}title").text == "w = -31.42"
    nodes = _nodes(root)
    assert nodes["n1-1"].find(f"{SVG}title").text == "h₂: bias b = -0.0625"
    assert nodes["n2-0"].find(f"{SVG}title").text == "ŷ: bias b = 2.718"
    assert nodes["n0-1"].find(f"{SVG}title").text.startswith("x₂: input, -0.5 (orange)")


@pytest.mark.parametrize("size", [280, 300, 420])
@pytest.mark.parametrize("sizes", [[2, 1, 1], [2, 2, 1], [2, 8, 1], [2, 8, 8, 1],
                                   [2, 8, 8, 8, 8, 1]])
def test_tiles_and_labels_fit_the_picture_and_do_not_overlap(sizes, size):
    _, root, _ = _picture(sizes, size=size)
    assert root.get("viewBox") == f"0 0 {size} {size}"
    boxes = [_box(node) for node in _nodes(root).values()]
    for x, y, w, h in boxes:
        assert w == h >= 17
        assert x >= 1 and x + w <= size - 1 and y >= 1 and y + h <= size - 1
    for a, (x0, y0, w0, h0) in enumerate(boxes):
        for x1, y1, w1, h1 in boxes[a + 1:]:
            assert x0 + w0 < x1 or x1 + w1 < x0 or y0 + h0 < y1 or y1 + h1 < y0
    for node in _nodes(root).values():
        x, y, w, _ = _box(node)
        label = node.find(f"{SVG}text")
        # The label sits above its own tile, its 12 px clear of the tile above.
        assert float(label.get("x")) == x + w / 2
        assert y - 6 <= float(label.get("y")) <= y and float(label.get("y")) - 12 >= 0
        assert all(not (bx == x and y - 13 < by + bh < y) for bx, by, _, bh in boxes)


def test_lines_start_and_end_at_their_tiles():
    _, root, _ = _picture([2, 8, 8, 1])
    nodes = _nodes(root)
    for key, line in _lines(root).items():
        layer, i, j = (int(part) for part in key[1:].split("-"))
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", line.get("d"))]
        sx, sy, sw, sh = _box(nodes[f"n{layer - 1}-{i}"])
        tx, ty, _, th = _box(nodes[f"n{layer}-{j}"])
        assert line.get("d").startswith("M") and "C" in line.get("d")
        assert numbers[:2] == [sx + sw, sy + sh / 2]
        assert numbers[-2:] == [tx, ty + th / 2]


def test_lines_are_drawn_under_the_tiles():
    svg, _, _ = _picture([2, 4, 1])
    assert svg.rindex('class="weight"') < svg.index('class="node"')


@pytest.mark.parametrize(("value", "expected"), [(-1.0, ORANGE), (0.0, WHITE), (1.0, PURPLE)])
def test_tile_colours_low_orange_middle_white_high_purple(value, expected):
    sizes = [2, 3, 1]
    _, root, _ = _picture(sizes, fields=_constant_fields(sizes, value),
                          ranges=[(-1.0, 1.0)] * 3)
    for node in _nodes(root).values():
        assert (_pixels(node) == expected).all()
    assert _hex(ORANGE) == CLASS0_HEX and _hex(PURPLE) == CLASS1_HEX
    assert _hex(WHITE) == MIDDLE_HEX


def test_tile_pixels_are_twice_its_displayed_size():
    _, root, _ = _picture([2, 8, 8, 1])
    for node in _nodes(root).values():
        _, _, w, h = _box(node)
        assert _pixels(node).shape == (2 * h, 2 * w, 3)


def test_tiles_are_not_upside_down_or_mirrored():
    grid = RENDERER.grid_points()
    up = (grid[:, 1:] > 0.5).astype(float)        # high only where x2 is large
    right = (grid[:, :1] > 0.5).astype(float)     # high only where x1 is large
    sizes = [2, 2, 1]
    fields = [grid, np.hstack([up, right]), up]
    _, root, _ = _picture(sizes, fields=fields, ranges=[(-0.5, 1.5), (0.0, 1.0), (0.0, 1.0)])
    nodes = _nodes(root)
    for key in ("n1-0", "n2-0"):
        rows = _pixels(nodes[key])
        assert (rows[:3] == PURPLE).all() and (rows[-3:] == ORANGE).all()
    cols = _pixels(nodes["n1-1"])
    assert (cols[:, -3:] == PURPLE).all() and (cols[:, :3] == ORANGE).all()
    x2 = _pixels(nodes["n0-1"]).astype(int)      # the input x2 itself: purple at the top
    assert np.abs(x2[0] - PURPLE).max() <= 8 and np.abs(x2[-1] - ORANGE).max() <= 8


def test_a_dead_layer_is_all_middle():
    sizes = [2, 4, 1]
    fields = _constant_fields(sizes, 0.0)
    fields[0] = RENDERER.grid_points()
    ranges = layer_ranges("relu", fields)
    assert ranges[1] == (0.0, 0.0)
    _, root, _ = _picture(sizes, activation="relu", fields=fields, ranges=ranges)
    assert all((_pixels(_nodes(root)[f"n1-{k}"]) == WHITE).all() for k in range(4))
    # high < low counts as empty too, whatever the values.
    fields[1][:] = 5.0
    _, root, _ = _picture(sizes, fields=fields, ranges=[ranges[0], (1.0, -1.0), (0.0, 1.0)])
    assert (_pixels(_nodes(root)["n1-0"]) == WHITE).all()


def test_nan_and_huge_values_do_not_raise():
    sizes = [2, 3, 1]
    fields = _constant_fields(sizes, 1e46)
    fields[0] = RENDERER.grid_points()
    fields[1][:, 1] = np.nan
    fields[1][:, 2] = -np.inf
    fields[2][:] = np.nan
    weights = [np.array([[1e46, np.nan, -np.inf], [0.0, 1.0, -1.0]]), np.array([[np.nan]] * 3)]
    with np.errstate(all="raise"):
        ranges = layer_ranges("linear", fields)
        _, root, _ = _picture(sizes, activation="linear", weights=weights, fields=fields,
                              ranges=ranges)
    assert ranges[1] == (-1e46, 1e46)
    nodes = _nodes(root)
    assert (_pixels(nodes["n1-0"]) == PURPLE).all()
    assert (_pixels(nodes["n1-1"]) == WHITE).all() and (_pixels(nodes["n2-0"]) == WHITE).all()
    assert (_pixels(nodes["n1-2"]) == ORANGE).all()
    lines = _lines(root)
    assert float(lines["w1-0-0"].get("stroke-width")) == WIDTH_MAX
    assert lines["w1-0-1"].get("stroke") == ZERO_HEX
    assert lines["w1-0-1"].find(f"{SVG}title").text == "w = nan"


def test_layer_ranges_follow_the_activation():
    grid = RENDERER.grid_points() * np.array([1.0, 3.0])
    hidden = np.array([[-0.2, 3.0], [0.5, -7.5]]).repeat(800, axis=0)
    fields = [grid, hidden, hidden, np.full((1600, 1), 0.3)]
    assert layer_ranges("sigmoid", fields)[1:] == [(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)]
    assert layer_ranges("tanh", fields)[1:] == [(-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0)]
    for activation in ("relu", "linear"):
        ranges = layer_ranges(activation, fields)
        assert ranges[0] == ((-0.5, 1.5), (-1.5, 4.5))    # each input its own min..max
        assert ranges[1:] == [(-7.5, 7.5), (-7.5, 7.5), (0.0, 1.0)]
    with pytest.raises(ValueError, match="activation must be one of"):
        layer_ranges("softplus", fields)


def test_each_input_tile_spans_its_own_range():
    grid = RENDERER.grid_points() * np.array([1.0, 10.0])
    sizes = [2, 1, 1]
    fields = [grid] + _constant_fields(sizes, 0.5)[1:]
    _, root, _ = _picture(sizes, activation="sigmoid", fields=fields,
                          ranges=layer_ranges("sigmoid", fields))
    for key in ("n0-0", "n0-1"):
        pixels = _pixels(_nodes(root)[key])
        corners = [pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]]
        # Each input reaches both ends of the scale (near orange, near purple) in its tile.
        assert min(np.abs(c.astype(int) - ORANGE).max() for c in corners) <= 8
        assert min(np.abs(c.astype(int) - PURPLE).max() for c in corners) <= 8


def test_labels_name_each_node_in_dark_ink_at_12_px():
    _, root, _ = _picture([2, 4, 1])
    labels = [node.find(f"{SVG}text").text for node in _nodes(root).values()]
    assert labels == ["x₁", "x₂", "h₁", "h₂", "h₃", "h₄", "ŷ"]
    group = next(g for g in root.iter(f"{SVG}g") if g.get("font-size"))
    assert float(group.get("font-size")) >= 12 and group.get("fill") == INK_HEX
    assert group.get("font-family") == "DejaVu Sans, sans-serif"
    _, deep, _ = _picture([2, 3, 2, 1])
    assert _nodes(deep)["n2-1"].find(f"{SVG}text").text == "h⁽²⁾₂"
    names = [["a", "b"], ["<c&>"], ["out"]]
    svg, named, _ = _picture([2, 1, 1], names=names)
    assert [n.find(f"{SVG}text").text for n in _nodes(named).values()] == ["a", "b", "<c&>", "out"]


def test_without_labels_the_tiles_grow():
    sizes = [2, 8, 8, 1]
    _, labelled, _ = _picture(sizes)
    _, bare, _ = _picture(sizes, names=[[""] * k for k in sizes])
    assert not list(bare.iter(f"{SVG}text"))
    assert _box(_nodes(bare)["n1-0"])[2] > _box(_nodes(labelled)["n1-0"])[2] + 10


def test_svg_is_self_contained_and_streamlit_shows_it():
    svg, root, _ = _picture([2, 4, 1])
    assert svg.startswith("<svg ") and root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("version")) == ("300", "300", "1.1")
    hrefs = [e.get(HREF) for e in root.iter() if e.get(HREF) is not None]
    assert len(hrefs) == 7 and all(h.startswith("data:image/png;base64,") for h in hrefs)
    assert "url(" not in svg and "<script" not in svg and "@import" not in svg

    from streamlit.testing.v1 import AppTest

    def app(picture):
        import streamlit as st

        st.image(picture)

    at = AppTest.from_function(app, args=(svg,)).run()
    url = at.main.children[0].proto.imgs[0].url
    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == svg


def test_bad_fields_say_what_is_wrong():
    net = MLP([2, 3, 1])
    fields = list(net.forward(RENDERER.grid_points()).activations)
    ranges = layer_ranges("sigmoid", fields)
    with pytest.raises(ValueError, match=r"fields\[1\] must be \(1600, 3\)"):
        network_svg(net.weights, net.biases, [fields[0], fields[1][:, :2], fields[2]], ranges)
    with pytest.raises(ValueError, match="one field and one range per layer"):
        network_svg(net.weights, net.biases, fields[:2], ranges)
    with pytest.raises(ValueError, match="too small"):
        network_svg(net.weights, net.biases, fields, ranges, width=40, height=40)


def test_2_8_8_1_on_a_40_grid_draws_in_a_few_milliseconds():
    net = MLP([2, 8, 8, 1], activation="tanh")
    fields = list(net.forward(RENDERER.grid_points()).activations)
    ranges = layer_ranges("tanh", fields)
    seconds = min(timeit.repeat(lambda: network_svg(net.weights, net.biases, fields, ranges),
                                number=5, repeat=3)) / 5
    assert seconds < 0.010
