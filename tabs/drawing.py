"""A run's pictures, drawn on first use and kept on the run: boundary frames, the network
diagram, the replay. Pictures are drawn at SCALE times their displayed size (crisp on a
screen of device pixel ratio 2)."""

from __future__ import annotations

from functools import cache

import numpy as np
import streamlit as st

from pictures import png
from pictures.boundary import BoundaryRenderer, grid_points, legend_png
from pictures.diagram import layer_ranges, network_svg
from pictures.legend import legend_svg as _legend_svg

PICTURE_PX = 300   # the width of the boundary and the network diagram on the page, CSS pixels
SCALE = 2          # image pixels per CSS pixel
DIAGRAM_GRID = 40  # the diagram's heatmaps: the network evaluated on a 40 x 40 grid


def show_png(picture, css_width=None, caption=None):
    """Show PNG bytes as drawn, filling `css_width` CSS pixels (the column's width if None).

    `st.image` re-encodes a PNG without transparency as a JPEG unless told it is a PNG, and
    shrinks a picture wider than a width in pixels to that width: either would undo SCALE.
    A picture wider than `css_width` is shown in a container of that width instead."""
    if css_width is None:
        st.image(picture, caption=caption, width="stretch", output_format="PNG")
        return
    with st.container(width=css_width):
        st.image(picture, caption=caption, width="stretch", output_format="PNG")


@cache
def renderer(extent):
    """One renderer per extent for every session: it only reads its pre-drawn axes."""
    return BoundaryRenderer(extent, size=PICTURE_PX, scale=SCALE)


@cache
def _diagram_grid(extent):
    return grid_points(extent, DIAGRAM_GRID)


def diagram(run, epoch):
    """The network at a snapshot epoch as an SVG: each neuron's heatmap over the data's view
    inside its node, each weight a line (colour its sign, width its size); drawn once."""
    def draw():
        net = run.network_at(epoch)
        with np.errstate(over="ignore", invalid="ignore"):   # a diverged run's huge weights
            fields = net.forward(_diagram_grid(run.data.extent)).activations
        return network_svg(net.weights, net.biases, fields,
                           layer_ranges(run.config.activation, fields),
                           width=PICTURE_PX, height=PICTURE_PX)
    return run.picture(("diagram", epoch), draw)


@cache
def legend_svg():
    """The one colour legend, drawn once per process."""
    return _legend_svg(PICTURE_PX)


@cache
def legend(kind):
    """The colour legends never change: draw each once per process."""
    return legend_png(kind)


def grid_outputs(net, boundary):
    """The network's output on the renderer's grid, (R, R)."""
    with np.errstate(over="ignore", invalid="ignore"):   # a diverged run's huge weights
        outputs = net.predict(boundary.grid_points())
    return outputs.reshape(boundary.resolution, boundary.resolution)


def marks(run):
    """The run's training points (filled) and test points (hollow) as pixels, drawn once."""
    def draw():
        test = run.test
        return renderer(run.data.extent).marks(
            run.data.X, run.data.y, None if test is None else test.X,
            None if test is None else test.y)
    return run.picture("marks", draw)


def boundary_rgb(run, net):
    """The decision boundary of `net` over the run's data, as an (H, W, 3) array."""
    boundary = renderer(run.data.extent)
    return boundary.frame_rgb(grid_outputs(net, boundary), marks(run))


def boundary_png(run, net):
    """The decision boundary of `net` over the run's data, training and test points drawn."""
    return png.encode(boundary_rgb(run, net))


def frame(run, epoch):
    """The boundary at a snapshot epoch, drawn once per run; the range of the outputs it
    draws is kept beside it, under ("range", epoch), from the same grid."""
    def draw():
        boundary = renderer(run.data.extent)
        outputs = grid_outputs(run.network_at(epoch), boundary)
        run.pictures[("range", epoch)] = (float(np.nanmin(outputs)), float(np.nanmax(outputs)))
        return png.encode(boundary.frame_rgb(outputs, marks(run)))
    return run.picture(("frame", epoch), draw)


def output_range(run, epoch):
    """(lowest, highest) output of the snapshot at `epoch` over the boundary's view."""
    if ("range", epoch) not in run.pictures:
        frame(run, epoch)
    return run.pictures[("range", epoch)]


def animation(run):
    """All snapshots as one looping animated PNG, made on first use from the frames' pixels,
    not from their PNGs."""
    return run.picture("animation", lambda: png.animated(
        [boundary_rgb(run, run.network_at(epoch)) for epoch in run.snapshot_epochs]))
