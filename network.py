"""A multi-layer perceptron with hand-written forward and backward passes, in NumPy.

Conventions, stated once for the whole project:
- Examples are rows. A layer computes z = a_prev @ W + b, then a = f(z).
- The output layer is one sigmoid unit; its output is the probability of class 1.
- "mse" is the mean over the n examples of (output - target)^2, with no factor 1/2,
  so dL/d(output) = 2 * (output - target) / n. "bce" is binary cross-entropy, averaged
  over the examples. The gradient is always the exact gradient of `MLP.loss`.
- Epoch e means "after e updates": epoch 0 is the initial network.
- A run diverges when its loss or gradient norm is not finite or exceeds DIVERGED. Near
  float64's limit (1.8e308) the order of a sum decides whether it overflows, so training
  stops well before it, at a size no learning problem here ever reaches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

DIVERGED = 1e100
UNTRAINABLE = ("The untrained network's loss or gradient is already huge or not finite: "
               "scale the inputs to a few units.")

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@dataclass(frozen=True)
class Defaults:
    """The app's starting settings; the teaching scenarios are measured at these (with 2-2-1
    or 2-4-1 as each scenario says)."""

    layer_sizes: tuple[int, ...] = (2, 4, 1)
    activation: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    learning_rate: float = 0.3
    epochs: int = 5000
    seed: int = 123


DEFAULTS = Defaults()


# --- activations: each f beside its derivative -------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Activation:
    """f(z) and f'(z); the derivative is given z and a = f(z), whichever is cheaper."""

    f: Callable[[np.ndarray], np.ndarray]
    f_prime: Callable[[np.ndarray, np.ndarray], np.ndarray]
    formula: str          # LaTeX for f(z)
    prime_formula: str    # LaTeX for f'(z)


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, lambda z, a: a * (1.0 - a),
                          r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma(z)\,(1 - \sigma(z))"),
    "tanh": Activation(np.tanh, lambda z, a: 1.0 - a * a,
                       r"\tanh(z)", r"1 - \tanh^2(z)"),
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0.0) * 1.0,
                       r"\max(0, z)", r"[z > 0]"),
    "linear": Activation(lambda z: z, lambda z, a: np.ones_like(z),
                         r"z", r"1"),
}
OUTPUT = ACTIVATIONS["sigmoid"]


# --- losses: each value beside its derivative -------------------------------------------
# A loss is the mean over the n examples of a per-example term; so dL/dz = (d term/dz) / n.

@dataclass(frozen=True)
class Loss:
    term: Callable       # (z, a, y) -> the loss of each example
    dterm_da: Callable   # (a, y) -> d term / da
    dterm_dz: Callable   # (a, y) -> d term / dz, through the sigmoid output
    formula: str


LOSSES = {
    # Plain squared error, no 1/2: the 2 in its derivative is real and stays written out.
    "mse": Loss(
        term=lambda z, a, y: (a - y) ** 2,
        dterm_da=lambda a, y: 2.0 * (a - y),
        dterm_dz=lambda a, y: 2.0 * (a - y) * a * (1.0 - a),
        formula=r"L = \frac{1}{n}\sum_i (a_i - y_i)^2",
    ),
    # Computed from the logit z so a saturated output still gives a finite loss. With a
    # sigmoid output the factor a(1 - a) of d term/da cancels: d term/dz is simply a - y.
    "bce": Loss(
        term=lambda z, a, y: np.logaddexp(0.0, z) - y * z,
        dterm_da=lambda a, y: (a - y) / (a * (1.0 - a)),
        dterm_dz=lambda a, y: a - y,
        formula=r"L = -\frac{1}{n}\sum_i \left[y_i \ln a_i + (1 - y_i)\ln(1 - a_i)\right]",
    ),
}


# --- initialization ------------------------------------------------------------------
# Each layer draws its weights one neuron at a time (a row of incoming weights per neuron,
# then transposed to our (n_in, n_out) layout), then small random biases
# U(-1/sqrt(n_in), 1/sqrt(n_in)) so that no two neurons start alike.

def _xavier(rng, n_in, n_out):
    """Glorot & Bengio (2010): normal with variance 2 / (n_in + n_out)."""
    return rng.normal(0.0, math.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in)).T


def _he(rng, n_in, n_out):
    """He et al. (2015), made for ReLU: normal with variance 2 / n_in."""
    return rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_out, n_in)).T


def _uniform(rng, n_in, n_out):
    """Uniform on [-1, 1], whatever the layer size."""
    return rng.uniform(-1.0, 1.0, size=(n_out, n_in)).T


INITS = {"xavier": _xavier, "he": _he, "uniform": _uniform}


def _initial_parameters(layer_sizes, init, seed):
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        weights.append(np.ascontiguousarray(INITS[init](rng, n_in, n_out)))
        bound = 1.0 / math.sqrt(n_in)
        biases.append(rng.uniform(-bound, bound, size=n_out))
    return weights, biases


# --- results ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ForwardPass:
    pre_activations: list[np.ndarray]   # z of every layer, (n, k_l)
    activations: list[np.ndarray]       # the input X first, then a of every layer

    @property
    def output(self):
        return self.activations[-1]


@dataclass(frozen=True)
class Gradients:
    weights: list[np.ndarray]   # dL/dW, same shapes as MLP.weights
    biases: list[np.ndarray]    # dL/db, same shapes as MLP.biases
    deltas: list[np.ndarray]    # dL/dz of every layer, (n, k_l)

    def layer_norms(self):
        """Norm of each layer's whole gradient, sqrt(sum dL/dW^2 + sum dL/db^2)."""
        return np.array([math.sqrt(np.vdot(dW, dW) + np.vdot(db, db))
                         for dW, db in zip(self.weights, self.biases)])


@dataclass(frozen=True)
class Step:
    """One gradient-descent update: the network before and after, and what moved it."""

    learning_rate: float
    weights_before: list[np.ndarray]
    biases_before: list[np.ndarray]
    gradients: Gradients
    loss_before: float
    weights_after: list[np.ndarray]
    biases_after: list[np.ndarray]
    loss_after: float


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    weights: list[np.ndarray]
    biases: list[np.ndarray]


@dataclass(frozen=True)
class History:
    """What `MLP.train` recorded; row i is epoch `epochs[i]` (the net after that many updates)."""

    epochs: np.ndarray        # (m,) ints
    loss: np.ndarray          # (m,)
    accuracy: np.ndarray      # (m,) share of examples on the right side of 0.5
    grad_norms: np.ndarray    # (m, layers) the norm of each layer's gradient
    snapshots: dict[int, Snapshot] = field(default_factory=dict)
    diverged_at: int | None = None   # the epoch whose loss or gradient diverged

    @property
    def final_loss(self):
        return float(self.loss[-1])

    @property
    def final_accuracy(self):
        return float(self.accuracy[-1])

    def then(self, later: History) -> History:
        """This history followed by a later one that starts where this one ends."""
        if later.epochs[0] != self.epochs[-1]:
            raise ValueError("the later history must start at the epoch this one ends")
        return History(
            epochs=np.concatenate([self.epochs, later.epochs[1:]]),
            loss=np.concatenate([self.loss, later.loss[1:]]),
            accuracy=np.concatenate([self.accuracy, later.accuracy[1:]]),
            grad_norms=np.concatenate([self.grad_norms, later.grad_norms[1:]]),
            snapshots={**self.snapshots, **later.snapshots},
            diverged_at=later.diverged_at,
        )


# --- input checks (once, at the public entry points) ------------------------------------

def _check_choice(kind, name, choices):
    if name not in choices:
        raise ValueError(f"Unknown {kind} {name!r}: choose one of {', '.join(choices)}.")


def _check_layer_sizes(layer_sizes):
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError("layer_sizes needs at least an input and an output size, e.g. [2, 4, 1].")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"Every layer needs a whole number of neurons >= 1; got {size!r} "
                             f"in {sizes}.")
    if sizes[-1] != 1:
        raise ValueError(f"The output layer is one sigmoid unit, so layer_sizes must end in 1; "
                         f"got {sizes}.")
    return [int(size) for size in sizes]


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"The seed must be a whole number >= 0; got {seed!r}.")
    return int(seed)


def _check_inputs(X, n_inputs):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != n_inputs:
        raise ValueError(f"X must have shape (examples, {n_inputs}) for this network; "
                         f"got {X.shape}.")
    if X.shape[0] == 0:
        raise ValueError("X has no examples.")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite numbers (found NaN or infinity).")
    return X


def _check_data(X, y, n_inputs):
    X = _check_inputs(X, n_inputs)
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != (X.shape[0], 1):
        raise ValueError(f"y must have one target per example, shape ({X.shape[0]}, 1); "
                         f"got {y.shape}.")
    if not np.isfinite(y).all():
        raise ValueError("y must be finite numbers (found NaN or infinity).")
    if ((y < 0) | (y > 1)).any():
        raise ValueError("Targets y must lie between 0 and 1 (class 0 or class 1).")
    return X, y


def _check_training(learning_rate, epochs):
    if (isinstance(learning_rate, bool)
            or not isinstance(learning_rate, (int, float, np.number))
            or not math.isfinite(learning_rate) or learning_rate <= 0):
        raise ValueError(f"The learning rate must be a number > 0; got {learning_rate!r}.")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1; got {epochs!r}.")
    return float(learning_rate), int(epochs)


def _copy(arrays):
    return [array.copy() for array in arrays]


# --- the network -----------------------------------------------------------------------

class MLP:
    """A fully connected network: hidden layers with `activation`, one sigmoid output."""

    def __init__(self, layer_sizes=DEFAULTS.layer_sizes, activation=DEFAULTS.activation,
                 loss=DEFAULTS.loss, init=DEFAULTS.init, seed=DEFAULTS.seed):
        _check_choice("activation", activation, ACTIVATIONS)
        _check_choice("loss", loss, LOSSES)
        _check_choice("initialization", init, INITS)
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.seed = _check_seed(seed)
        self.activation, self.loss_name, self.init = activation, loss, init
        self._hidden = ACTIVATIONS[activation]
        self.activation_of = [self._hidden] * (len(self.layer_sizes) - 2) + [OUTPUT]
        self._loss = LOSSES[loss]
        self._initial_weights, self._initial_biases = _initial_parameters(
            self.layer_sizes, init, self.seed)
        self.reset()

    def reset(self):
        """Back to the identical initial weights (epoch 0)."""
        self.weights = _copy(self._initial_weights)
        self.biases = _copy(self._initial_biases)
        self.epoch = 0

    def set_parameters(self, weights, biases, epoch=None):
        """Load weights and biases (copied), e.g. a snapshot or edited values."""
        shapes = [w.shape for w in self.weights], [b.shape for b in self.biases]
        weights = [np.asarray(w, dtype=float).copy() for w in weights]
        biases = [np.asarray(b, dtype=float).copy() for b in biases]
        if ([w.shape for w in weights], [b.shape for b in biases]) != shapes:
            raise ValueError("The weights and biases do not fit this architecture.")
        self.weights, self.biases = weights, biases
        if epoch is not None:
            self.epoch = epoch

    def copy(self):
        twin = MLP(self.layer_sizes, self.activation, self.loss_name, self.init, self.seed)
        twin.set_parameters(self.weights, self.biases, self.epoch)
        return twin

    # The engine itself: the public methods below check their input once, then call these.

    def _forward(self, X):
        zs, activations = [], [X]
        for W, b, act in zip(self.weights, self.biases, self.activation_of):
            z = activations[-1] @ W + b                       # (n, k_out)
            zs.append(z)
            activations.append(act.f(z))
        return ForwardPass(zs, activations)

    def _backward(self, forward, y):
        zs, activations = forward.pre_activations, forward.activations
        dL_dz = self._loss.dterm_dz(forward.output, y) / len(y)   # (n, 1)
        dL_dW, dL_db, deltas = [], [], [dL_dz]
        for layer in range(len(self.weights) - 1, -1, -1):
            dL_dW.append(activations[layer].T @ dL_dz)        # (k_in, k_out)
            dL_db.append(dL_dz.sum(axis=0))                    # (k_out,)
            if layer > 0:
                dL_da_prev = dL_dz @ self.weights[layer].T     # (n, k_in)
                dL_dz = dL_da_prev * self._hidden.f_prime(zs[layer - 1], activations[layer])
                deltas.append(dL_dz)
        return Gradients(dL_dW[::-1], dL_db[::-1], deltas[::-1])

    def _loss_of(self, forward, y):
        return float(self._loss.term(forward.pre_activations[-1], forward.output, y).sum()) / len(y)

    def _update(self, gradients, learning_rate):
        # New arrays, not in-place: earlier references (snapshots, `step`) stay valid.
        self.weights = [W - learning_rate * dW for W, dW in zip(self.weights, gradients.weights)]
        self.biases = [b - learning_rate * db for b, db in zip(self.biases, gradients.biases)]
        self.epoch += 1

    # --- public ---

    def forward(self, X):
        """Keep z and a of every layer for X."""
        X = _check_inputs(X, self.layer_sizes[0])
        with np.errstate(over="ignore"):   # exp overflows to inf for z << 0; sigmoid is then 0
            return self._forward(X)

    def predict(self, X):
        """The output probability of class 1, shape (n, 1)."""
        return self.forward(X).output

    def loss(self, X, y):
        X, y = _check_data(X, y, self.layer_sizes[0])
        with np.errstate(over="ignore"):
            return self._loss_of(self._forward(X), y)

    def gradients(self, X, y):
        """dL/dW, dL/db and dL/dz of every layer, by backpropagation."""
        X, y = _check_data(X, y, self.layer_sizes[0])
        with np.errstate(over="ignore"):
            return self._backward(self._forward(X), y)

    def step(self, X, y, learning_rate):
        """Apply one gradient-descent update and say what it changed."""
        X, y = _check_data(X, y, self.layer_sizes[0])
        learning_rate, _ = _check_training(learning_rate, 1)
        weights_before, biases_before = self.weights, self.biases
        with np.errstate(over="ignore", invalid="ignore"):
            before = self._forward(X)
            gradients = self._backward(before, y)
            self._update(gradients, learning_rate)
            loss_after = self._loss_of(self._forward(X), y)
        return Step(learning_rate, weights_before, biases_before, gradients,
                    self._loss_of(before, y), self.weights, self.biases, loss_after)

    def train(self, X, y, learning_rate, epochs, snapshot_epochs=(), progress=None,
              progress_every=500):
        """Full-batch gradient descent for `epochs` updates, recording every epoch.

        Stops at the first epoch whose loss or gradient norm diverged (see DIVERGED) and keeps
        the weights of the epoch before. `progress(history_so_far)` is called every
        `progress_every` epochs. `snapshot_epochs` are absolute epochs (counting earlier
        training) whose weights to keep.
        """
        X, y = _check_data(X, y, self.layer_sizes[0])
        learning_rate, epochs = _check_training(learning_rate, epochs)
        first = self.epoch
        wanted = {int(e) for e in snapshot_epochs if first <= e <= first + epochs}
        loss = np.empty(epochs + 1)
        correct = np.empty(epochs + 1)
        grad_norms = np.empty((epochs + 1, len(self.weights)))
        snapshots, diverged_at = {}, None
        targets = y > 0.5
        term = self._loss.term
        last_weights, last_biases = self.weights, self.biases

        def history(upto):
            return History(np.arange(first, first + upto + 1), loss[:upto + 1],
                           correct[:upto + 1] / len(y), grad_norms[:upto + 1],
                           snapshots, diverged_at)

        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(epochs + 1):
                forward = self._forward(X)
                gradients = self._backward(forward, y)
                output = forward.output
                loss[i] = term(forward.pre_activations[-1], output, y).sum() / len(y)
                correct[i] = np.count_nonzero((output > 0.5) == targets)
                grad_norms[i] = norms = gradients.layer_norms()
                if not (loss[i] < DIVERGED and norms.sum() < DIVERGED):   # False for NaN too
                    if i == 0:
                        raise ValueError(UNTRAINABLE)
                    diverged_at = self.epoch
                    self.weights, self.biases = last_weights, last_biases
                    self.epoch -= 1
                    i -= 1
                    break
                if self.epoch in wanted:
                    snapshots[self.epoch] = Snapshot(self.epoch, _copy(self.weights),
                                                     _copy(self.biases))
                if i == epochs:
                    break
                if progress is not None and i > 0 and i % progress_every == 0:
                    progress(history(i))
                last_weights, last_biases = self.weights, self.biases
                self._update(gradients, learning_rate)
        return history(i)


# --- checks and many networks at once ---------------------------------------------------

def numerical_gradients(net, X, y, eps=1e-6):
    """dL/dW and dL/db by central differences, (L(p + eps) - L(p - eps)) / (2 eps).

    An independent check of backpropagation; `deltas` stays empty (they are not parameters).
    """
    X, y = _check_data(X, y, net.layer_sizes[0])
    probe = net.copy()

    def loss():
        return probe._loss_of(probe._forward(X), y)

    def slopes(parameters):
        slope = np.empty_like(parameters)
        for index in np.ndindex(parameters.shape):
            saved = parameters[index]
            parameters[index] = saved + eps
            up = loss()
            parameters[index] = saved - eps
            slope[index] = (up - loss()) / (2 * eps)
            parameters[index] = saved
        return slope

    with np.errstate(over="ignore"):
        return Gradients([slopes(W) for W in probe.weights], [slopes(b) for b in probe.biases],
                         deltas=[])


@dataclass(frozen=True)
class ManyRuns:
    """The outcome of one network per seed; entry i belongs to seeds[i]."""

    seeds: np.ndarray           # (S,)
    final_loss: np.ndarray      # (S,) the loss of the final weights
    accuracy: np.ndarray        # (S,) of the final weights
    solved_at: np.ndarray       # (S,) first epoch with every example right, -1 if never
    diverged_at: np.ndarray     # (S,) epoch whose loss or gradient diverged, -1 if none
    weights: list[np.ndarray]   # weights[l][i] is seed i's W of layer l
    biases: list[np.ndarray]

    @property
    def solved(self):
        return self.accuracy == 1.0


def _forward_many(x, W, b, acts):
    zs, a = [], [x]
    for W_l, b_l, act in zip(W, b, acts):
        z = np.einsum("nis,ijs->njs", a[-1], W_l) + b_l           # (n, k_out, S)
        zs.append(z)
        a.append(act.f(z))
    return zs, a


def train_many(layer_sizes, seeds, X, y, learning_rate, epochs, activation=DEFAULTS.activation,
               loss=DEFAULTS.loss, init=DEFAULTS.init):
    """Train one network per seed, all at once; each ends as `MLP(..., seed).train(...)` would.

    The seeds ride along the last axis of every array: a layer's weights are (k_in, k_out, S)
    and its activations (n, k, S), so one NumPy operation advances every network.
    """
    seeds = [_check_seed(seed) for seed in (seeds if np.iterable(seeds) else [seeds])]
    if not seeds:
        raise ValueError("Give at least one seed.")
    nets = [MLP(layer_sizes, activation, loss, init, seed) for seed in seeds]
    X, y = _check_data(X, y, nets[0].layer_sizes[0])
    learning_rate, epochs = _check_training(learning_rate, epochs)
    hidden, loss_fn, n = ACTIVATIONS[activation], LOSSES[loss], len(y)
    layers = len(nets[0].weights)
    acts = [hidden] * (layers - 1) + [OUTPUT]
    W = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.weights for net in nets))]
    b = [np.stack(per_seed, axis=-1) for per_seed in zip(*(net.biases for net in nets))]
    x, y, targets = X[:, :, None], y[:, :, None], (y > 0.5)[:, :, None]   # (n, k, 1)

    count = len(seeds)
    solved_at = np.full(count, -1)
    diverged_at = np.full(count, -1)
    frozen = np.zeros(count, dtype=bool)
    last_W, last_b = W, b
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs + 1):
            zs, a = _forward_many(x, W, b, acts)
            dL_dz = loss_fn.dterm_dz(a[-1], y) / n                         # (n, 1, S)
            dL_dW, dL_db = [None] * layers, [None] * layers
            for layer in range(layers - 1, -1, -1):
                dL_dW[layer] = np.einsum("nis,njs->ijs", a[layer], dL_dz)   # (k_in, k_out, S)
                dL_db[layer] = dL_dz.sum(axis=0)                            # (k_out, S)
                if layer > 0:
                    dL_da = np.einsum("njs,ijs->nis", dL_dz, W[layer])      # (n, k_in, S)
                    dL_dz = dL_da * hidden.f_prime(zs[layer - 1], a[layer])

            loss_now = loss_fn.term(zs[-1], a[-1], y).sum(axis=(0, 1)) / n
            # Each layer's gradient norm, then their sum, exactly as MLP.train checks them.
            grad_norms = sum(np.sqrt((dW * dW).sum(axis=(0, 1)) + (db * db).sum(axis=0))
                             for dW, db in zip(dL_dW, dL_db))
            bad = ~((loss_now < DIVERGED) & (grad_norms < DIVERGED)) & ~frozen
            if bad.any() and epoch == 0:
                raise ValueError(UNTRAINABLE)
            if bad.any():   # as MLP.train does: stop these seeds at their last finite weights
                diverged_at[bad] = epoch
                frozen |= bad
                W = [np.where(bad, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(bad, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]
            right = ((a[-1] > 0.5) == targets).all(axis=(0, 1))
            solved_at[(solved_at < 0) & right & ~frozen] = epoch
            if epoch == epochs:
                break
            last_W, last_b = W, b
            W = [W_l - learning_rate * g for W_l, g in zip(W, dL_dW)]
            b = [b_l - learning_rate * g for b_l, g in zip(b, dL_db)]
            if frozen.any():
                W = [np.where(frozen, W_prev, W_now) for W_prev, W_now in zip(last_W, W)]
                b = [np.where(frozen, b_prev, b_now) for b_prev, b_now in zip(last_b, b)]

    with np.errstate(over="ignore", invalid="ignore"):
        zs, a = _forward_many(x, W, b, acts)
    final_loss = loss_fn.term(zs[-1], a[-1], y).mean(axis=(0, 1))
    accuracy = ((a[-1] > 0.5) == targets).mean(axis=(0, 1))
    weights = [np.moveaxis(W_l, -1, 0) for W_l in W]        # (S, k_in, k_out)
    biases = [np.moveaxis(b_l, -1, 0) for b_l in b]         # (S, k_out)
    return ManyRuns(np.array(seeds), final_loss, accuracy, solved_at, diverged_at, weights, biases)
