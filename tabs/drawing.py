"""A run's pictures, drawn on first use and kept on the run: boundary frames, the replay."""

from __future__ import annotations

from functools import cache

import numpy as np

from pictures import png
from pictures.boundary import BoundaryRenderer, legend_png


@cache
def renderer(extent):
    """One renderer per extent for every session: it only reads its pre-drawn axes."""
    return BoundaryRenderer(extent)


@cache
def legend(kind):
    """The colour legends never change: draw each once per process."""
    return legend_png(kind)


def grid_outputs(net, boundary):
    """The network's output on the renderer's grid, (R, R)."""
    with np.errstate(over="ignore", invalid="ignore"):   # a diverged run's huge weights
        outputs = net.predict(boundary.grid_points())
    return outputs.reshape(boundary.resolution, boundary.resolution)


def boundary_png(run, net):
    """The decision boundary of `net` over the run's data, training and test points drawn."""
    boundary = renderer(run.data.extent)
    test = run.test
    return boundary.frame(grid_outputs(net, boundary), run.data.X, run.data.y,
                          None if test is None else test.X, None if test is None else test.y)


def frame(run, epoch):
    """The boundary at a snapshot epoch, drawn once per run."""
    return run.picture(("frame", epoch), lambda: boundary_png(run, run.network_at(epoch)))


def animation(run):
    """All snapshots as one looping animated PNG, made on first use from the frames' pixels
    (the points drawn once for all of them), not from their PNGs."""
    def draw():
        boundary = renderer(run.data.extent)
        test = run.test
        marks = boundary.marks(run.data.X, run.data.y, None if test is None else test.X,
                               None if test is None else test.y)
        return png.animated([boundary.frame_rgb(grid_outputs(run.network_at(epoch), boundary),
                                                marks) for epoch in run.snapshot_epochs])
    return run.picture("animation", draw)
