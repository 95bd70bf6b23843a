"""The loss around a network: along a line, or on a 2-D slice through its weights.

A flat parameter vector θ (P,) lists every W_l ravelled row-major, then every b_l, the order
`network.sharpness` uses. Many θ at once are the columns of a (P, S) array: they ride along
the last axis, as the seeds do in sweeps.py, so a whole line or grid is one `forward_many`.
Recorded trajectories are the rows of an (m, P) array, one θ per epoch, as stacked snapshots.
Directions for a slice follow Li et al. (2018), "Visualizing the Loss Landscape of Neural
Nets": principal directions of a trajectory, or filter-normalized random ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formats import number
from network import LOSSES, check_data, check_seed
from sweeps import forward_many, penalty_many

# --- flat parameter vectors --------------------------------------------------------------


def _split(theta, net):
    """theta's pieces shaped as net's W_l then b_l; any axes after the first ride along."""
    like = [*net.weights, *net.biases]
    ends = np.cumsum([p.size for p in like])
    pieces = [piece.reshape(p.shape + theta.shape[1:])
              for piece, p in zip(np.split(theta, ends[:-1]), like)]
    return pieces[:len(net.weights)], pieces[len(net.weights):]


def _size(net):
    return sum(W.size + b.size for W, b in zip(net.weights, net.biases))


def flatten(weights, biases):
    """θ (P,): every W ravelled row-major, then every b."""
    return np.concatenate([np.ravel(p) for p in [*weights, *biases]]).astype(float)


def unflatten(theta, net):
    """(weights, biases) shaped as net's, copied out of θ (P,)."""
    return _split(_vectors(theta, _size(net), "theta"), net)


# --- the loss at many θ at once ----------------------------------------------------------


def _losses(net, X, y, thetas):
    W, b = _split(thetas, net)                                  # (k_in, k_out, S), (k_out, S)
    with np.errstate(over="ignore", invalid="ignore"):   # as MLP.loss: exp(-z) may overflow
        zs, a = forward_many(X[:, :, None], W, b, net.activation_of)
        term = LOSSES[net.loss_name].term(zs[-1], a[-1], y[:, :, None])     # (n, 1, S)
    return term.sum(axis=(0, 1)) / len(y) + penalty_many(W, net.l2)         # (S,)


def losses(net, X, y, thetas):
    """net.loss(X, y) at each column θ of thetas (P, S): (S,)."""
    X, y = check_data(X, y, net.layer_sizes[0])
    thetas = np.asarray(thetas, dtype=float)
    if thetas.ndim != 2 or len(thetas) != _size(net):
        raise ValueError(f"thetas must have shape ({_size(net)}, S), one θ per column; "
                         f"got {thetas.shape}.")
    return _losses(net, X, y, thetas)


# --- lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """The loss at θ = origin + offset · direction, for each offset."""

    offsets: np.ndarray     # (m,) increasing; 0 among them
    loss: np.ndarray        # (m,)
    origin: np.ndarray      # (P,)
    direction: np.ndarray   # (P,)


def between(net, start_theta, end_theta, X, y, points=61, beyond=0.25):
    """The loss on the straight line from start_theta (α = 0) to end_theta (α = 1), run on
    by about `beyond` at each end.

    The α are i/k for whole i: the spacing 1/k is chosen so that 0 and 1 are exactly on
    it, and the ends come within about a step of −beyond and 1 + beyond. θ(α) is computed as
    (1 − α)·start + α·end, so θ(0) and θ(1) are exactly the two given vectors.
    """
    X, y = check_data(X, y, net.layer_sizes[0])
    start, end = (_vectors(theta, _size(net), name)
                  for theta, name in [(start_theta, "start_theta"), (end_theta, "end_theta")])
    _check_points(points, odd=False)
    if not beyond >= 0:
        raise ValueError(f"beyond must be a number >= 0; got {beyond!r}.")
    steps = points - 1
    out = min(round(steps * beyond / (1 + 2 * beyond)), (steps - 1) // 2)   # steps past each end
    alphas = np.arange(-out, steps - out + 1) / (steps - 2 * out)          # (m,)
    thetas = np.outer(start, 1 - alphas) + np.outer(end, alphas)           # (P, m)
    return Line(alphas, _losses(net, X, y, thetas), start, end - start)


def along_gradient(net, X, y, radius, points=61):
    """The loss at θ + s · d, d = −g/‖g‖ the steepest descent of net.loss (L2 included) at
    the net's weights, for s from −radius to radius: s > 0 goes downhill.

    None if g is exactly zero: no direction is downhill, and the caller should say so.
    """
    X, y = check_data(X, y, net.layer_sizes[0])
    _check_points(points)
    if not radius > 0:
        raise ValueError(f"radius must be a number > 0; got {radius!r}.")
    g = net.gradients(X, y)
    g = flatten(g.weights, g.biases)
    if not g.any():
        return None
    d = -g / np.abs(g).max()          # first to order 1: ‖g‖² of a tiny g underflows to 0
    d /= np.linalg.norm(d)
    half = points // 2
    s = radius * np.arange(-half, half + 1) / half                          # (m,)
    theta = flatten(net.weights, net.biases)
    return Line(s, _losses(net, X, y, theta[:, None] + np.outer(d, s)), theta, d)


# --- directions for a slice --------------------------------------------------------------


def principal_directions(trajectory, centre):
    """The top two principal directions of the trajectory's deviations θ_i − centre (rows
    of the (m, P) trajectory), and the share of their summed squared length each holds.

    As Li et al. do for trajectories, by the SVD of the deviations. The directions are
    orthonormal, each signed so that the trajectory's first point (the initial weights) has
    a coordinate >= 0 on it. Below rank 2 the second is still a unit vector orthogonal to
    the first, with share 0. Returns (directions (2, P), shares (2,)).
    """
    centre = _vectors(centre, None, "centre")
    trajectory = np.asarray(trajectory, dtype=float)
    if trajectory.ndim != 2 or trajectory.shape[1] != centre.size or not len(trajectory):
        raise ValueError(f"trajectory must have shape (m, {centre.size}), one θ per row; "
                         f"got {trajectory.shape}.")
    deviations = trajectory - centre                                          # (m, P)
    # A zero row adds no spread, and gives one point's SVD its second direction.
    padded = np.vstack([deviations, np.zeros_like(centre)])
    _, sigma, Vt = np.linalg.svd(padded, full_matrices=False)
    directions = Vt[:2] * np.where(Vt[:2] @ deviations[0] < 0, -1.0, 1.0)[:, None]
    spread = sigma @ sigma
    shares = sigma[:2] ** 2 / spread if spread else np.zeros(2)
    return directions, shares


def random_directions(net, seed):
    """Two filter-normalized Gaussian directions (2, P) for net (Li et al. 2018): each
    neuron's incoming weights, a column W[:, j], rescaled to the norm of net's W[:, j].

    The bias entries are 0, as Li et al. leave biases out. Not orthogonal: project() solves
    for coordinates by least squares.
    """
    rng = np.random.default_rng(check_seed(seed))
    directions = []
    for _ in range(2):
        weights = [rng.standard_normal(W.shape) for W in net.weights]
        weights = [d * np.linalg.norm(W, axis=0) / np.linalg.norm(d, axis=0)
                   for d, W in zip(weights, net.weights)]
        directions.append(flatten(weights, [np.zeros_like(b) for b in net.biases]))
    return np.array(directions)


# --- slices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """The loss at θ = centre + a · directions[0] + b · directions[1] on a grid of (a, b).

    loss[i, j] is at (alphas[j], betas[i]): rows are b, as np.meshgrid(alphas, betas) and an
    image or contour plot of loss take them. The grid's middle is exactly the centre.
    """

    alphas: np.ndarray       # (k,) the a of each column, symmetric about 0, 0 in the middle
    betas: np.ndarray        # (k,) the b of each row, likewise
    loss: np.ndarray         # (k, k) indexed [beta, alpha]
    centre: np.ndarray       # (P,)
    directions: np.ndarray   # (2, P)

    @property
    def centre_loss(self):
        return float(self.loss[len(self.betas) // 2, len(self.alphas) // 2])


def plane(net, X, y, centre, directions, extent, points=41):
    """The loss on a points × points grid through centre: a from −extent_a to extent_a and
    b from −extent_b to extent_b, with extent a number (both) or a pair (extent_a, extent_b).

    `points` is odd, so that the middle of the grid is a = b = 0: exactly the centre.
    """
    X, y = check_data(X, y, net.layer_sizes[0])
    centre = _vectors(centre, _size(net), "centre")
    directions = _directions(directions, centre.size)
    _check_points(points)
    extent = np.asarray(extent, dtype=float)
    if extent.shape not in [(), (2,)] or not (extent > 0).all():
        raise ValueError(f"extent must be a number > 0 or a pair of them; got {extent!r}.")
    half = points // 2
    steps = np.arange(-half, half + 1) / half                                 # (k,)
    alphas, betas = np.broadcast_to(extent, (2,))[:, None] * steps
    a, b = (grid.ravel() for grid in np.meshgrid(alphas, betas))             # (k²,) rows are b
    thetas = centre[:, None] + np.outer(directions[0], a) + np.outer(directions[1], b)
    loss = _losses(net, X, y, thetas).reshape(points, points)
    return Slice(alphas, betas, loss, centre, directions)


def project(thetas, centre, directions):
    """Each row θ of thetas (m, P) in the plane centre + span(directions): its least-squares
    coordinates (m, 2), and its distance from the plane (m,)."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    centre = _vectors(centre, thetas.shape[1], "centre")
    directions = _directions(directions, centre.size)
    deviations = thetas - centre                                              # (m, P)
    # By QR: the normal equations would square the condition of near-parallel directions.
    Q, R = np.linalg.qr(directions.T)                                         # (P, 2), (2, 2)
    coords = np.linalg.solve(R, Q.T @ deviations.T).T                         # (m, 2)
    off_plane = np.linalg.norm(deviations - coords @ directions, axis=1)      # (m,)
    return coords, off_plane


def extent_for(coords, margin=0.25, least=0.2):
    """The (extent_a, extent_b) of a plane() that holds every point of coords (m, 2) with
    `margin` of its reach to spare; the narrower axis gets at least `least` of the wider,
    and a path that never leaves the centre gets (1, 1), Li et al.'s span for random ones."""
    reach = np.abs(np.asarray(coords, dtype=float)).max(axis=0)              # (2,)
    if not reach.any():
        return 1.0, 1.0
    half = (1 + margin) * np.maximum(reach, least * reach.max())
    return float(half[0]), float(half[1])


def flat_radius(section, tolerance=0.01):
    """The largest r such that every grid point within r of the centre, in (a, b), has a
    loss within `tolerance` (relative) of the centre's: 0 if its nearest neighbours differ
    by more.

    At most the grid's half-width min(extent_a, extent_b), the widest disc it sees whole:
    that value means flat as far as the slice reaches.
    """
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be a number >= 0; got {tolerance!r}.")
    a, b = np.meshgrid(section.alphas, section.betas)
    distance = np.hypot(a, b)                                                 # (k, k)
    centre_loss = section.centre_loss
    # Written so that NaN counts as not flat.
    flat = np.abs(section.loss - centre_loss) <= tolerance * abs(centre_loss)
    reach = min(section.alphas.max(), section.betas.max())
    if flat.all():
        return float(reach)
    inside = distance < distance[~flat].min()
    return float(min(distance[inside].max(), reach))


# --- one run's landscape, as the Experiments tab shows it -----------------------------------

FLAT = 0.01   # `describe`: the loss within this share of the centre's counts as flat


@dataclass(frozen=True)
class View:
    """The loss around a network's final weights, with recorded paths drawn on a slice."""

    section: Slice
    kind: str                       # "principal" or "random"
    paths: dict                     # name -> (m, 2) coordinates on the slice
    off_plane: dict                 # name -> (m,) each point's distance from the slice
    shares: np.ndarray | None       # (2,) the principal directions' shares of the first path
    between: Line                   # from the first path's start (0) to the centre (1)
    gradient: Line | None           # along the final gradient; None if it is exactly zero
    radius: float                   # flat_radius, on a slice fitted to the first path alone
    reach: tuple[float, float]      # that slice's extent


def around(net, X, y, paths, kind="principal"):
    """The View of `net` (its weights are the centre) with `paths` (name -> (m, P) recorded
    weights, the first one the net's own, ending at the centre). Principal directions are
    the first path's (its extent fitted to every path); random ones span ±1 (Li et al.)."""
    centre = flatten(net.weights, net.biases)
    own = np.asarray(next(iter(paths.values())), dtype=float)
    if kind == "principal":
        directions, shares = principal_directions(own, centre)
    elif kind == "random":
        directions, shares = random_directions(net, seed=0), None
    else:
        raise ValueError(f"kind must be 'principal' or 'random'; got {kind!r}.")
    projected = {name: project(path, centre, directions) for name, path in paths.items()}
    extent = (1.0, 1.0) if kind == "random" else \
        extent_for(np.concatenate([coords for coords, _ in projected.values()]))
    section = plane(net, X, y, centre, directions, extent)
    # The flat radius is measured on a slice fitted to the net's own path, so that other
    # paths drawn (which may reach much further) do not coarsen it.
    own_extent = (1.0, 1.0) if kind == "random" else \
        extent_for(next(iter(projected.values()))[0])
    measured = section if own_extent == extent else \
        plane(net, X, y, centre, directions, own_extent)
    distance = float(np.linalg.norm(centre - own[0]))
    return View(section, kind, {name: c for name, (c, _) in projected.items()},
                {name: off for name, (_, off) in projected.items()}, shares,
                between(net, own[0], centre, X, y),
                along_gradient(net, X, y, distance / 2 if distance > 0 else 1.0),
                flat_radius(measured, FLAT), own_extent)


def describe(view):
    """What the view shows, in sentences computed from it."""
    section, first = view.section, next(iter(view.paths))
    half = len(section.alphas) // 2
    spacing = min(view.reach) / half
    fitted = " fitted to this run's path" if view.kind == "principal" and \
        len(view.paths) > 1 else ""
    said = [f"The centre is this run's final weights, loss {number(section.centre_loss)}. "
            + (f"At every point of a {len(section.alphas)} x {len(section.betas)} grid{fitted} "
               f"within a radius of {view.radius:.3g} of it, the loss is within {FLAT:.0%} of "
               f"that; the grid reaches ±{view.reach[0]:.3g} by ±{view.reach[1]:.3g}."
               if view.radius > 0 else
               f"Already at its nearest points on a grid{fitted}, {spacing:.3g} away, the "
               f"loss differs from that by more than {FLAT:.0%}.")]
    if view.shares is not None:
        said.append(f"The two directions hold {view.shares[0]:.1%} and {view.shares[1]:.1%} "
                    "of the spread of the run's recorded weights around the centre; the path "
                    "drawn is their shadow on the slice, off it by at most "
                    f"{view.off_plane[first].max():.3g}.")
    lowest = float(np.nanmin(section.loss))
    if lowest < section.centre_loss * (1 - FLAT):
        said.append(f"Elsewhere on the slice the loss goes down to {number(lowest)}.")
    return said


# --- input checks (once, at the public entry points) ---------------------------------------


def _vectors(theta, size, name):
    theta = np.array(theta, dtype=float)
    if theta.ndim != 1 or (size is not None and theta.size != size):
        raise ValueError(f"{name} must be one flat parameter vector"
                         f"{'' if size is None else f' of {size} numbers'}; got {theta.shape}.")
    return theta


def _directions(directions, size):
    directions = np.asarray(directions, dtype=float)
    if directions.shape != (2, size):
        raise ValueError(f"directions must have shape (2, {size}); got {directions.shape}.")
    return directions


def _check_points(points, odd=True):
    least = 3 if odd else 2
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) \
            or points < least or (odd and points % 2 == 0):
        raise ValueError(f"points must be a whole{' odd' if odd else ''} number >= {least}; "
                         f"got {points!r}.")
