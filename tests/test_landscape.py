"""Unit tests for landscape.py: every loss it reports is checked against MLP.loss after
set_parameters, and every projection against np.linalg.lstsq or a plane built by hand."""

import re

import numpy as np
import pytest

import data
import landscape
import runs
from formats import number
from landscape import (
    Slice,
    along_gradient,
    between,
    extent_for,
    flat_radius,
    flatten,
    losses,
    plane,
    principal_directions,
    project,
    random_directions,
    unflatten,
)
from network import MLP

XOR = data.make("xor")
SPIRAL = data.make("spiral", points=40, noise=0.1, seed=0)
TIGHT = 1e-12   # the same sums in another order: only rounding may differ


def loss_at(net, theta, X, y):
    """The independent reference: the network's own loss with theta loaded."""
    probe = net.copy()
    probe.set_parameters(*unflatten(theta, net))
    return probe.loss(X, y)


def theta_of(net):
    return flatten(net.weights, net.biases)


# --- flat vectors ------------------------------------------------------------------------

def test_flatten_lists_each_w_row_major_then_each_b():
    net = MLP([2, 3, 1])
    count = sum(p.size for p in [*net.weights, *net.biases])
    theta = np.arange(count, dtype=float)
    weights, biases = unflatten(theta, net)
    assert weights[0].tolist() == [[0, 1, 2], [3, 4, 5]]        # W_0[i, j] at i * k_out + j
    assert weights[1].tolist() == [[6], [7], [8]]
    assert biases[0].tolist() == [9, 10, 11] and biases[1].tolist() == [12]
    assert np.array_equal(flatten(weights, biases), theta)


def test_unflatten_copies():
    net = MLP([2, 2, 1])
    theta = theta_of(net)
    weights, _ = unflatten(theta, net)
    weights[0][0, 0] += 1.0
    assert np.array_equal(theta, theta_of(net))


# --- losses at many θ --------------------------------------------------------------------

CASES = [
    ([2, 2, 1], "sigmoid", "mse", 0.0, XOR),
    ([2, 4, 1], "tanh", "bce", 0.1, XOR),
    ([2, 5, 3, 1], "relu", "mse", 0.05, SPIRAL),
    ([2, 3, 3, 1], "linear", "bce", 0.2, SPIRAL),
    ([2, 6, 1], "sigmoid", "bce", 1.0, SPIRAL),
]


@pytest.mark.parametrize("sizes, activation, loss, l2, dataset", CASES)
def test_losses_is_mlp_loss_at_each_column(sizes, activation, loss, l2, dataset):
    net = MLP(sizes, activation, loss, seed=3, l2=l2)
    rng = np.random.default_rng(0)
    thetas = 2.0 * rng.standard_normal((theta_of(net).size, 7))
    got = losses(net, dataset.X, dataset.y, thetas)
    assert got.shape == (7,)
    for s in range(7):
        assert got[s] == pytest.approx(loss_at(net, thetas[:, s], dataset.X, dataset.y),
                                       rel=TIGHT, abs=TIGHT)


def test_losses_rejects_thetas_of_another_size():
    with pytest.raises(ValueError, match="shape"):
        losses(MLP([2, 2, 1]), XOR.X, XOR.y, np.zeros((8, 3)))


# --- lines -------------------------------------------------------------------------------

def test_between_hits_the_initial_and_the_final_loss():
    start_net = MLP([2, 4, 1], seed=1)
    net = MLP([2, 4, 1], seed=1)
    net.train(XOR.X, XOR.y, 0.5, 300)
    start, end = theta_of(start_net), theta_of(net)
    line = between(net, start, end, XOR.X, XOR.y)
    assert line.offsets.shape == line.loss.shape == (61,)
    assert np.all(np.diff(line.offsets) > 0)
    assert line.offsets[0] == pytest.approx(-0.25, abs=0.05)
    assert line.offsets[-1] == pytest.approx(1.25, abs=0.05)
    at = {alpha: loss for alpha, loss in zip(line.offsets, line.loss)}
    # Exactly the loss of the end points themselves, not of a rounded-off neighbour.
    assert at[0.0] == losses(net, XOR.X, XOR.y, start[:, None])[0]
    assert at[1.0] == losses(net, XOR.X, XOR.y, end[:, None])[0]
    assert at[0.0] == pytest.approx(start_net.loss(XOR.X, XOR.y), rel=TIGHT)
    assert at[1.0] == pytest.approx(net.loss(XOR.X, XOR.y), rel=TIGHT)
    np.testing.assert_array_equal(line.origin, start)
    np.testing.assert_allclose(line.direction, end - start)
    i = 3   # a point off the segment, before its start
    theta = start + line.offsets[i] * (end - start)
    assert line.loss[i] == pytest.approx(loss_at(net, theta, XOR.X, XOR.y), rel=1e-10)


def test_between_ends_exactly_at_the_end_where_a_step_would_round_off():
    net = MLP([2, 4, 1], seed=1)
    end = theta_of(net)
    start = end + 1000.0
    assert np.any(start + (end - start) != end)   # the naive θ(1) misses end
    line = between(net, start, end, XOR.X, XOR.y, points=3, beyond=0.0)
    assert line.offsets[-1] == 1.0
    assert line.loss[-1] == losses(net, XOR.X, XOR.y, end[:, None])[0]


@pytest.mark.parametrize("points, beyond", [(2, 0.0), (3, 0.25), (41, 0.25), (60, 0.5),
                                            (61, 0.0)])
def test_between_keeps_0_and_1_for_any_points(points, beyond):
    net = MLP([2, 2, 1])
    line = between(net, theta_of(net), theta_of(net) + 1.0, XOR.X, XOR.y, points, beyond)
    assert len(line.offsets) == points
    assert 0.0 in line.offsets and 1.0 in line.offsets
    np.testing.assert_allclose(np.diff(line.offsets), np.diff(line.offsets)[0])


def test_along_gradient_starts_at_the_loss_and_goes_downhill():
    net = MLP([2, 4, 1], "tanh", "bce", seed=2, l2=0.1)
    line = along_gradient(net, XOR.X, XOR.y, radius=1e-3, points=21)
    middle = len(line.offsets) // 2
    assert line.offsets[middle] == 0.0
    assert line.loss[middle] == pytest.approx(net.loss(XOR.X, XOR.y), rel=TIGHT)
    assert line.loss[middle + 1] < line.loss[middle] < line.loss[middle - 1]
    g = net.gradients(XOR.X, XOR.y)
    g = flatten(g.weights, g.biases)
    np.testing.assert_allclose(line.direction, -g / np.linalg.norm(g))
    # First order: the slope along d is −‖g‖.
    slope = (line.loss[middle + 1] - line.loss[middle - 1]) / (2 * line.offsets[middle + 1])
    assert slope == pytest.approx(-np.linalg.norm(g), rel=1e-4)


def test_along_gradient_is_none_where_the_gradient_is_zero():
    net = MLP([2, 3, 1], "relu", seed=0)
    net.set_parameters([np.zeros_like(W) for W in net.weights],
                       [np.zeros_like(b) for b in net.biases])
    y = np.full((4, 1), 0.5)   # every output is sigmoid(0) = 0.5, right on target
    g = net.gradients(XOR.X, y)
    assert not flatten(g.weights, g.biases).any()
    assert along_gradient(net, XOR.X, y, radius=1.0) is None


# --- directions --------------------------------------------------------------------------

def planar_trajectory(seed=0, m=12, P=17):
    """m points in the plane centre + span(u, v), u and v neither unit nor orthogonal."""
    rng = np.random.default_rng(seed)
    centre, u = rng.standard_normal(P), rng.standard_normal(P)
    v = 0.6 * u + 0.2 * rng.standard_normal(P)
    xy = rng.standard_normal((m, 2)) * [3.0, 0.5]
    return centre + xy @ np.array([u, v]), centre


def test_principal_directions_reproduce_a_planar_trajectory():
    trajectory, centre = planar_trajectory()
    directions, shares = principal_directions(trajectory, centre)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    coords, off_plane = project(trajectory, centre, directions)
    np.testing.assert_allclose(off_plane, 0.0, atol=1e-12)
    np.testing.assert_allclose(centre + coords @ directions, trajectory, atol=1e-12)
    assert shares.sum() == pytest.approx(1.0, rel=1e-12)
    assert shares[0] >= shares[1]
    # Each share is the part of the summed squared deviations that its direction carries.
    spread = ((trajectory - centre) ** 2).sum()
    np.testing.assert_allclose(shares, (coords ** 2).sum(axis=0) / spread, rtol=1e-10)
    assert np.all(coords[0] >= 0)   # the sign convention: the first point is at a, b >= 0


def test_principal_directions_of_a_trajectory_in_3d_keep_the_top_two():
    rng = np.random.default_rng(1)
    centre = rng.standard_normal(6)
    # Spread 3, 2 and 0.5 along three orthogonal axes, the third left out of the plane.
    basis = np.linalg.qr(rng.standard_normal((6, 3)))[0].T
    xyz = np.array([[3, 0, 0], [-3, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 0.5], [0, 0, -0.5]])
    trajectory = centre + xyz @ basis
    directions, shares = principal_directions(trajectory, centre)
    for direction, axis in zip(directions, basis[:2]):
        assert abs(direction @ axis) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(shares, np.array([18, 8]) / 26.5, rtol=1e-12)


@pytest.mark.parametrize("trajectory_rows", [2, 1])
def test_principal_directions_below_rank_two(trajectory_rows):
    rng = np.random.default_rng(2)
    start, centre = rng.standard_normal(9), rng.standard_normal(9)
    trajectory = np.array([start, centre][:trajectory_rows])
    directions, shares = principal_directions(trajectory, centre)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    away = (start - centre) / np.linalg.norm(start - centre)
    np.testing.assert_allclose(directions[0], away, atol=1e-12)   # signed toward the start
    np.testing.assert_allclose(shares, [1.0, 0.0], atol=1e-12)


def test_random_directions_are_filter_normalized():
    net = MLP([2, 5, 3, 1], seed=4)
    net.train(SPIRAL.X, SPIRAL.y, 0.5, 50)
    directions = random_directions(net, seed=7)
    assert directions.shape == (2, theta_of(net).size)
    for direction in directions:
        weights, biases = unflatten(direction, net)
        for d, W in zip(weights, net.weights):
            np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(W, axis=0),
                                       rtol=1e-12)
        assert not any(b.any() for b in biases)
    assert not np.allclose(directions[0], directions[1])
    np.testing.assert_array_equal(random_directions(net, seed=7), directions)
    assert not np.allclose(random_directions(net, seed=8), directions)


# --- slices ------------------------------------------------------------------------------

def test_plane_is_the_loss_on_the_grid_it_names():
    net = MLP([2, 4, 1], "tanh", "bce", seed=5, l2=0.01)
    net.train(XOR.X, XOR.y, 0.5, 200)
    centre = theta_of(net)
    directions = random_directions(net, seed=0)
    section = plane(net, XOR.X, XOR.y, centre, directions, extent=(2.0, 0.5), points=11)
    assert section.alphas.shape == section.betas.shape == (11,)
    assert section.loss.shape == (11, 11)
    assert section.alphas[[0, 5, 10]].tolist() == [-2.0, 0.0, 2.0]
    assert section.betas[[0, 5, 10]].tolist() == [-0.5, 0.0, 0.5]
    np.testing.assert_array_equal(section.centre, centre)
    assert section.centre_loss == pytest.approx(net.loss(XOR.X, XOR.y), rel=TIGHT)
    for i, j in [(0, 10), (2, 7), (9, 1), (5, 0)]:   # loss[i, j] is at (alphas[j], betas[i])
        theta = centre + section.alphas[j] * directions[0] + section.betas[i] * directions[1]
        assert section.loss[i, j] == pytest.approx(loss_at(net, theta, XOR.X, XOR.y), rel=1e-10)


def test_plane_with_one_extent_is_square():
    net = MLP([2, 2, 1])
    section = plane(net, XOR.X, XOR.y, theta_of(net), random_directions(net, 0), 1.5, points=5)
    assert section.alphas.tolist() == section.betas.tolist() == [-1.5, -0.75, 0.0, 0.75, 1.5]


@pytest.mark.parametrize("points", [4, 1, 2.0])
def test_plane_wants_an_odd_number_of_points(points):
    net = MLP([2, 2, 1])
    with pytest.raises(ValueError, match="odd"):
        plane(net, XOR.X, XOR.y, theta_of(net), random_directions(net, 0), 1.0, points)


def test_project_is_least_squares_for_skew_directions():
    rng = np.random.default_rng(3)
    P = 11
    centre = rng.standard_normal(P)
    directions = np.array([rng.standard_normal(P), rng.standard_normal(P)])
    directions[1] += 0.9 * directions[0]                       # far from orthogonal
    thetas = rng.standard_normal((6, P))
    coords, off_plane = project(thetas, centre, directions)
    expected = np.linalg.lstsq(directions.T, (thetas - centre).T, rcond=None)[0].T
    np.testing.assert_allclose(coords, expected, rtol=1e-10, atol=1e-12)
    residual = thetas - centre - expected @ directions
    np.testing.assert_allclose(off_plane, np.linalg.norm(residual, axis=1), rtol=1e-10)
    # A point in the plane comes back exactly, at distance 0.
    inside = centre + np.array([0.7, -1.3]) @ directions
    coords, off_plane = project(inside, centre, directions)
    np.testing.assert_allclose(coords, [[0.7, -1.3]], rtol=1e-12)
    assert off_plane[0] == pytest.approx(0.0, abs=1e-12)


def test_a_training_path_on_its_own_principal_plane():
    net = MLP([2, 4, 1], seed=1)
    history = net.train(XOR.X, XOR.y, 0.5, 300, snapshot_epochs=range(0, 301, 20))
    trajectory = np.array([theta_of(s) for _, s in sorted(history.snapshots.items())])
    centre = trajectory[-1]
    directions, shares = principal_directions(trajectory, centre)
    coords, off_plane = project(trajectory, centre, directions)
    assert off_plane.max() ** 2 <= (1 - shares.sum()) * ((trajectory - centre) ** 2).sum() + 1e-9
    extent_a, extent_b = extent_for(coords)
    assert np.all(np.abs(coords) < [extent_a, extent_b])
    section = plane(net, XOR.X, XOR.y, centre, directions, (extent_a, extent_b), points=21)
    assert section.centre_loss == pytest.approx(history.final_loss, rel=TIGHT)
    assert section.loss.max() > section.centre_loss


def test_extent_for_holds_the_path_with_a_margin():
    coords = np.array([[3.0, 0.2], [1.0, -0.4], [0.0, 0.0]])
    extent_a, extent_b = extent_for(coords, margin=0.25, least=0.0)
    assert (extent_a, extent_b) == pytest.approx((3.75, 0.5))
    # A path along one direction only still gets a grid of some width across it.
    extent_a, extent_b = extent_for(np.array([[2.0, 0.0], [0.0, 0.0]]), least=0.2)
    assert extent_b > 0 and extent_a >= 2.0
    assert min(extent_for(np.zeros((1, 2)))) > 0   # a path that stays at the centre


def hand_made(loss, alphas, betas):
    P = 3
    return Slice(np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float),
                 np.asarray(loss, dtype=float), np.zeros(P), np.eye(P)[:2])


AXIS = [-2.0, -1.0, 0.0, 1.0, 2.0]


def test_flat_radius_on_hand_made_slices():
    a, b = np.meshgrid(AXIS, AXIS)
    distance = np.hypot(a, b)
    # Flat (within 1 %) up to distance 1, then the diagonal neighbours at √2 rise by 2 %.
    loss = np.where(distance <= 1.0, 1.0, 1.02)
    loss[2, 3] = 1.009
    assert flat_radius(hand_made(loss, AXIS, AXIS), tolerance=0.01) == 1.0
    assert flat_radius(hand_made(loss, AXIS, AXIS), tolerance=0.05) == 2.0   # the grid's reach
    # The nearest neighbours already differ: radius 0.
    loss = np.where(distance == 0.0, 1.0, 2.0)
    assert flat_radius(hand_made(loss, AXIS, AXIS)) == 0.0
    # A narrower b axis: the points at b = ±0.5 rise, those at b = ±0.25 do not.
    betas = [-0.5, -0.25, 0.0, 0.25, 0.5]
    a, b = np.meshgrid(AXIS, betas)
    loss = np.where(np.abs(b) == 0.5, 3.0, 1.0)
    assert flat_radius(hand_made(loss, AXIS, betas)) == 0.25
    # Only the far corners rise: flat as far as the grid sees a whole disc, min(2, 0.5).
    loss = np.where((np.abs(a) == 2.0) & (np.abs(b) == 0.5), 3.0, 1.0)
    assert flat_radius(hand_made(loss, AXIS, betas)) == 0.5


def test_a_stuck_run_sits_on_a_flatter_spot_than_a_solved_one():
    """2-2-1 sigmoid on XOR, learning rate 0.3, 5000 epochs: seed 36 stays on the plateau at
    50 % accuracy, seed 1 solves it. Seen on the same filter-normalized slice, the loss is flat
    much farther around the stuck one."""
    radius = {}
    for seed, accuracy in [(36, 0.5), (1, 1.0)]:
        net = MLP([2, 2, 1], "sigmoid", "mse", seed=seed)
        assert net.train(XOR.X, XOR.y, 0.3, 5000).final_accuracy == accuracy
        section = plane(net, XOR.X, XOR.y, theta_of(net), random_directions(net, 0), 1.0)
        radius[seed] = flat_radius(section)
    assert radius[36] > radius[1]


# --- one run's view: centred on its final weights, its path through its recorded weights ---



def run_paths(run):
    return {"this run": np.array([landscape.flatten(s.weights, s.biases)
                                  for _, s in sorted(run.history.snapshots.items())])}


@pytest.fixture(scope="module")
def plateau_run():
    # 2-2-1 from seed 42: the Training tab's preset "stalls on a plateau".
    run = runs.train(runs.config(arch="2-2-1", seed=42))
    assert run.verdict.kind == "plateau"
    return run


@pytest.mark.parametrize("kind", ["principal", "random"])
def test_a_runs_view_is_centred_on_its_final_loss_and_its_line_joins_its_recorded_ends(
        plateau_run, kind):
    run = plateau_run
    view = landscape.around(run.net, run.data.X, run.data.y, run_paths(run), kind)
    assert view.section.centre_loss == pytest.approx(run.history.final_loss, rel=1e-12)
    # The line from the initial to the final weights passes through both recorded ends.
    at = dict(zip(view.between.offsets, view.between.loss))
    assert at[0.0] == pytest.approx(run.history.loss[0], rel=1e-12)
    assert at[1.0] == pytest.approx(run.history.final_loss, rel=1e-12)
    # The path ends at the centre exactly; every point is the projection of a recorded θ.
    coords = view.paths["this run"]
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-12)
    trajectory = run_paths(run)["this run"]
    for theta, point, off in zip(trajectory, coords, view.off_plane["this run"]):
        rebuilt = view.section.centre + point @ view.section.directions
        assert np.linalg.norm(theta - rebuilt) == pytest.approx(off, abs=1e-9)
    said = " ".join(landscape.describe(view))
    assert f"loss {number(run.history.final_loss)}" in said


def test_a_plateau_is_flat_over_a_radius_where_a_converged_run_is_not(plateau_run):
    solved = runs.train(runs.config(arch="2-2-1", seed=123))
    assert solved.verdict.kind == "converged"
    views = [landscape.around(r.net, r.data.X, r.data.y, run_paths(r))
             for r in (plateau_run, solved)]
    assert views[0].radius > 0 and views[1].radius == 0
    for view in views:
        grid_a, grid_b = np.meshgrid(view.section.alphas, view.section.betas)
        near = np.hypot(grid_a, grid_b) <= view.radius
        change = np.abs(view.section.loss[near] / view.section.centre_loss - 1)
        assert change.max() <= landscape.FLAT
        said = " ".join(landscape.describe(view))
        if view.radius > 0:
            assert float(re.search(r"radius of ([\d.]+)", said)[1]) == pytest.approx(
                view.radius, rel=2e-3)
        else:
            assert "nearest points" in said


def test_principal_shares_in_the_sentence_are_the_views_own(plateau_run):
    run = plateau_run
    view = landscape.around(run.net, run.data.X, run.data.y, run_paths(run))
    trajectory = run_paths(run)["this run"]
    deviations = trajectory - view.section.centre
    spread = (deviations ** 2).sum()
    held = ((deviations @ view.section.directions.T) ** 2).sum(axis=0) / spread
    said = " ".join(landscape.describe(view))
    first, second = map(float, re.search(r"hold ([\d.]+)% and ([\d.]+)%", said).groups())
    assert first == pytest.approx(100 * held[0], abs=0.05)
    assert second == pytest.approx(100 * held[1], abs=0.05)


def test_around_says_what_to_change_for_an_unknown_kind(plateau_run):
    run = plateau_run
    with pytest.raises(ValueError, match="principal"):
        landscape.around(run.net, run.data.X, run.data.y, run_paths(run), "pca")


def test_other_paths_drawn_far_away_do_not_change_the_measured_flat_radius(plateau_run):
    run = plateau_run
    own = run_paths(run)
    alone = landscape.around(run.net, run.data.X, run.data.y, own)
    far = own["this run"][0] + 40 * (own["this run"][0] - own["this run"][-1])
    both = landscape.around(run.net, run.data.X, run.data.y,
                            {**own, "far": np.vstack([own["this run"][0], far])})
    assert both.section.alphas[-1] > 10 * alone.section.alphas[-1]   # the drawn slice grew
    assert both.radius == alone.radius and both.reach == alone.reach
    said = " ".join(landscape.describe(both))
    assert "fitted to this run's path" in said
