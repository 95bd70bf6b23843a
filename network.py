"""A multi-layer perceptron with hand-written forward and backward passes, in NumPy.

Conventions, stated once for the whole project:
- Examples are rows. A layer computes z = a_prev @ W + b, then a = f(z).
- The output layer is one sigmoid unit; its output is the probability of class 1.
- "mse" is the mean over the n examples of (output - target)^2, with no factor 1/2,
  so dL/d(output) = 2 * (output - target) / n. "bce" is binary cross-entropy, averaged
  over the examples. The gradient is always the exact gradient of `MLP.loss`.
- `l2` adds (l2 / 2) * (the sum of every squared weight, biases not included) to the loss,
  so the gradient gains l2 * W. It is part of the objective: `loss`, `gradients`, the
  recorded history and the gradient check all include it.
- An epoch is one pass over the training examples: one update on all of them (full batch,
  the default), or one update per mini-batch of `batch_size` examples in an order shuffled
  by the network's own generator. Epoch e means "after e epochs": epoch 0 is the initial
  network. The history records, at every epoch, the loss, accuracy and gradient of the
  whole training set (and of the test set, if one is given).
- `optimizer` names the update rule (see OPTIMIZERS). The default, "sgd", is plain gradient
  descent, θ ← θ − η·g. The others keep running averages of g; the network owns them with
  its weights, so `copy` and `snapshot` carry them and a twin continues exactly.
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

# --- activations: each f beside its derivative -------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Activation:
    """f(z) and f'(z); the derivative is given z and a = f(z), whichever is cheaper."""

    f: Callable[[np.ndarray], np.ndarray]
    f_prime: Callable[[np.ndarray, np.ndarray], np.ndarray]


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": Activation(np.tanh, lambda z, a: 1.0 - a * a),
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0.0) * 1.0),
    "linear": Activation(lambda z: z, lambda z, a: np.ones_like(z)),
}
OUTPUT = ACTIVATIONS["sigmoid"]


# --- losses: each value beside its derivative -------------------------------------------
# A loss is the mean over the n examples of a per-example term; so dL/dz = (d term/dz) / n.

@dataclass(frozen=True)
class Loss:
    term: Callable       # (z, a, y) -> the loss of each example
    dterm_da: Callable   # (a, y) -> d term / da
    dterm_dz: Callable   # (a, y) -> d term / dz, through the sigmoid output


LOSSES = {
    # Plain squared error, no 1/2: the 2 in its derivative is real and stays written out.
    "mse": Loss(
        term=lambda z, a, y: (a - y) ** 2,
        dterm_da=lambda a, y: 2.0 * (a - y),
        dterm_dz=lambda a, y: 2.0 * (a - y) * a * (1.0 - a),
    ),
    # Computed from the logit z so a saturated output still gives a finite loss. With a
    # sigmoid output the factor a(1 - a) of d term/da cancels: d term/dz is simply a - y.
    "bce": Loss(
        term=lambda z, a, y: np.logaddexp(0.0, z) - y * z,
        dterm_da=lambda a, y: (a - y) / (a * (1.0 - a)),
        dterm_dz=lambda a, y: a - y,
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


# --- optimizers: each update rule beside its formula -----------------------------------
# A rule moves one parameter array θ (a W or a b) by its gradient g (l2 * W included, so the
# decay goes through the rule as any other gradient does), with learning rate η and t, the
# number of this update counted from 1. It returns the new θ and the new running averages
# it keeps, each shaped like θ: new arrays, never changed in place, so that a snapshot
# holding the old ones stays valid.

MOMENTUM = 0.9      # μ: the share of the velocity v that each update keeps
RMS_DECAY = 0.9     # ρ: RMSprop's decay of its running mean of g²
ADAM_BETA1 = 0.9    # β₁: Adam's decay of its running mean of g (Kingma & Ba's default)
ADAM_BETA2 = 0.999  # β₂: Adam's decay of its running mean of g² (Kingma & Ba's default)
EPSILON = 1e-8      # ε: keeps RMSprop's and Adam's step finite where √s is 0


def _momentum(theta, g, lr, t, v):
    v = MOMENTUM * v + g                                          # v ← μ·v + g
    return theta - lr * v, (v,)                                   # θ ← θ − η·v


def _nesterov(theta, g, lr, t, v):
    # The common "look-ahead" form, the one PyTorch's SGD uses with nesterov=True: the step
    # is g plus μ·v, the part of the new velocity that the next update carries, not v itself.
    v = MOMENTUM * v + g                                          # v ← μ·v + g
    return theta - lr * (g + MOMENTUM * v), (v,)                  # θ ← θ − η·(g + μ·v)


def _rmsprop(theta, g, lr, t, s):
    s = RMS_DECAY * s + (1 - RMS_DECAY) * g ** 2                  # s ← ρ·s + (1−ρ)·g²
    return theta - lr * g / (np.sqrt(s) + EPSILON), (s,)          # θ ← θ − η·g / (√s + ε)


def _adam(theta, g, lr, t, m, s):
    """Kingma & Ba (2015), Algorithm 1."""
    m = ADAM_BETA1 * m + (1 - ADAM_BETA1) * g                     # m ← β₁m + (1−β₁)g
    s = ADAM_BETA2 * s + (1 - ADAM_BETA2) * g ** 2                # s ← β₂s + (1−β₂)g²
    # m and s start at 0, so early on they are too small; the division undoes that bias.
    m_hat = m / (1 - ADAM_BETA1 ** t)                             # m̂ = m/(1−β₁ᵗ)
    s_hat = s / (1 - ADAM_BETA2 ** t)                             # ŝ = s/(1−β₂ᵗ)
    return theta - lr * m_hat / (np.sqrt(s_hat) + EPSILON), (m, s)   # θ ← θ − η·m̂/(√ŝ + ε)


@dataclass(frozen=True)
class Optimizer:
    """An update rule and the names of the running averages it keeps for each parameter."""

    averages: tuple[str, ...]
    rule: Callable | None   # (θ, g, η, t, *averages) -> (new θ, new averages)


OPTIMIZERS = {
    # θ ← θ − η·g, written out in MLP._update: it keeps nothing, and most runs take it.
    "sgd": Optimizer((), None),
    "momentum": Optimizer(("v",), _momentum),
    "nesterov": Optimizer(("v",), _nesterov),
    "rmsprop": Optimizer(("s",), _rmsprop),
    "adam": Optimizer(("m", "s"), _adam),
}


@dataclass(frozen=True)
class OptimizerState:
    """What the optimizer carries from one update to the next."""

    t: int                                  # updates made so far (sgd counts none: it has no t)
    weights: list[tuple[np.ndarray, ...]]   # per layer, the averages for its W, each W's shape
    biases: list[tuple[np.ndarray, ...]]    # per layer, the averages for its b, each b's shape

    @classmethod
    def zeros(cls, optimizer, weights, biases):
        """The state before the first update: t = 0 and every average 0."""
        names = OPTIMIZERS[optimizer].averages
        return cls(0, [tuple(np.zeros_like(W) for _ in names) for W in weights],
                   [tuple(np.zeros_like(b) for _ in names) for b in biases])

    def copy(self):
        return OptimizerState(self.t, [tuple(_copy(kept)) for kept in self.weights],
                              [tuple(_copy(kept)) for kept in self.biases])

    def shapes(self):
        return [[a.shape for a in kept] for kept in [*self.weights, *self.biases]]


def _apply(rule, parameters, gradients, averages, lr, t):
    """`rule` on every array of one list (the weights, or the biases): the new arrays, and
    the new averages of each."""
    moved = [rule(theta, g, lr, t, *kept)
             for theta, g, kept in zip(parameters, gradients, averages)]
    return [theta for theta, _ in moved], [kept for _, kept in moved]


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
    weights: list[np.ndarray]   # dL/dW, same shapes as MLP.weights (l2 * W included)
    biases: list[np.ndarray]    # dL/db, same shapes as MLP.biases
    deltas: list[np.ndarray]    # dL/dz of every layer, (n, k_l)

    def layer_norms(self):
        """Norm of each layer's whole gradient, sqrt(sum dL/dW^2 + sum dL/db^2)."""
        return np.array([math.sqrt(np.vdot(dW, dW) + np.vdot(db, db))
                         for dW, db in zip(self.weights, self.biases)])


@dataclass(frozen=True)
class Step:
    """One update: the network before and after, and the gradient that moved it."""

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
    batch_state: dict | None = None   # the batch generator's state, for mini-batch runs
    optimizer_state: OptimizerState | None = None   # the optimizer's t and running averages


@dataclass(frozen=True)
class History:
    """What `MLP.train` recorded; row i is epoch `epochs[i]` (the net after that many epochs)."""

    epochs: np.ndarray        # (m,) ints
    loss: np.ndarray          # (m,) on the training set
    accuracy: np.ndarray      # (m,) share of training examples on the right side of 0.5
    grad_norms: np.ndarray    # (m, layers) the norm of each layer's gradient (training set)
    snapshots: dict[int, Snapshot] = field(default_factory=dict)
    diverged_at: int | None = None   # the epoch whose loss or gradient diverged
    test_loss: np.ndarray | None = None       # (m,) on the test set, if one was given
    test_accuracy: np.ndarray | None = None   # (m,)

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
        if (self.test_loss is None) != (later.test_loss is None):
            raise ValueError("both histories must have a test set, or neither")

        def joined(mine, theirs):
            return None if mine is None else np.concatenate([mine, theirs[1:]])

        return History(
            epochs=joined(self.epochs, later.epochs),
            loss=joined(self.loss, later.loss),
            accuracy=joined(self.accuracy, later.accuracy),
            grad_norms=joined(self.grad_norms, later.grad_norms),
            snapshots={**self.snapshots, **later.snapshots},
            diverged_at=later.diverged_at,
            test_loss=joined(self.test_loss, later.test_loss),
            test_accuracy=joined(self.test_accuracy, later.test_accuracy),
        )


# --- input checks (once, at the public entry points; sweeps.py uses them too) -------------

def check_choice(kind, name, choices):
    if name not in choices:
        raise ValueError(f"Unknown {kind} {name!r}: choose one of {', '.join(choices)}.")


def check_layer_sizes(layer_sizes):
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


def _whole(value):
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def check_seed(seed):
    if not _whole(seed) or seed < 0:
        raise ValueError(f"The seed must be a whole number >= 0; got {seed!r}.")
    return int(seed)


def check_l2(l2):
    if isinstance(l2, bool) or not isinstance(l2, (int, float, np.number)) \
            or not math.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a number >= 0 (0 turns weight decay off); got {l2!r}.")
    return float(l2)


def check_inputs(X, n_inputs):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != n_inputs:
        raise ValueError(f"X must have shape (examples, {n_inputs}) for this network; "
                         f"got {X.shape}.")
    if X.shape[0] == 0:
        raise ValueError("X has no examples.")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite numbers (found NaN or infinity).")
    return X


def check_data(X, y, n_inputs):
    X = check_inputs(X, n_inputs)
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


def check_training(learning_rate, epochs, batch_size=None):
    if (isinstance(learning_rate, bool)
            or not isinstance(learning_rate, (int, float, np.number))
            or not math.isfinite(learning_rate) or learning_rate <= 0):
        raise ValueError(f"The learning rate must be a number > 0; got {learning_rate!r}.")
    if not _whole(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1; got {epochs!r}.")
    if batch_size is not None and (not _whole(batch_size) or batch_size < 1):
        raise ValueError(f"batch_size must be a whole number >= 1, or None for the full "
                         f"batch; got {batch_size!r}.")
    return float(learning_rate), int(epochs), None if batch_size is None else int(batch_size)


def check_test_set(X_test, y_test, n_inputs):
    """(X_test, y_test) checked, or (None, None) when no test set is given."""
    if X_test is None and y_test is None:
        return None, None
    if X_test is None or y_test is None:
        raise ValueError("Give both X_test and y_test, or neither.")
    return check_data(X_test, y_test, n_inputs)


def _copy(arrays):
    return [array.copy() for array in arrays]


def batch_generator(seed):
    """The generator that shuffles a network's mini-batches: a stream of its own, so the
    batches never reuse the random numbers its initial weights were drawn from."""
    return np.random.default_rng([seed, 1])


# --- the network -----------------------------------------------------------------------

class MLP:
    """A fully connected network: hidden layers with `activation`, one sigmoid output,
    trained by `optimizer`."""

    def __init__(self, layer_sizes, activation="sigmoid", loss="mse", init="xavier", seed=0,
                 l2=0.0, optimizer="sgd"):
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("loss", loss, LOSSES)
        check_choice("initialization", init, INITS)
        check_choice("optimizer", optimizer, OPTIMIZERS)
        self.layer_sizes = check_layer_sizes(layer_sizes)
        self.seed = check_seed(seed)
        self.l2 = check_l2(l2)
        self.activation, self.loss_name, self.init = activation, loss, init
        self.optimizer = optimizer
        self._look_up()
        self._initial_weights, self._initial_biases = _initial_parameters(
            self.layer_sizes, init, self.seed)
        self.reset()

    def _look_up(self):
        """The functions of the activations, loss and optimizer named."""
        self._rule = OPTIMIZERS[self.optimizer].rule
        self._hidden = ACTIVATIONS[self.activation]
        self.activation_of = [self._hidden] * (len(self.layer_sizes) - 2) + [OUTPUT]
        self._loss = LOSSES[self.loss_name]

    # Pickled (to go to another process) without those functions, which are looked up again
    # by name on arrival: the numbers travel exactly.
    def __getstate__(self):
        looked_up = ("_rule", "_hidden", "activation_of", "_loss")
        return {key: value for key, value in vars(self).items() if key not in looked_up}

    def __setstate__(self, state):
        vars(self).update(state)
        self._look_up()

    def reset(self):
        """Back to the identical initial weights (epoch 0), the first mini-batch order and
        the optimizer's starting state."""
        self.weights = _copy(self._initial_weights)
        self.biases = _copy(self._initial_biases)
        self.epoch = 0
        self.batches = batch_generator(self.seed)
        self.optimizer_state = OptimizerState.zeros(self.optimizer, self.weights, self.biases)

    def set_parameters(self, weights, biases, epoch=None, batch_state=None,
                       optimizer_state=None):
        """Load weights and biases (copied), e.g. a snapshot or edited values. With a
        snapshot's batch and optimizer states too, the network continues as it would have."""
        shapes = [w.shape for w in self.weights], [b.shape for b in self.biases]
        weights = [np.asarray(w, dtype=float).copy() for w in weights]
        biases = [np.asarray(b, dtype=float).copy() for b in biases]
        if ([w.shape for w in weights], [b.shape for b in biases]) != shapes:
            raise ValueError("The weights and biases do not fit this architecture.")
        if optimizer_state is not None \
                and optimizer_state.shapes() != self.optimizer_state.shapes():
            raise ValueError(f"The optimizer state does not fit this network's architecture "
                             f"and its optimizer, {self.optimizer!r}.")
        self.weights, self.biases = weights, biases
        if epoch is not None:
            self.epoch = epoch
        if batch_state is not None:
            self.batches.bit_generator.state = batch_state
        if optimizer_state is not None:
            self.optimizer_state = optimizer_state.copy()

    def copy(self):
        """An independent twin: same weights, epoch, next mini-batch order and optimizer
        state."""
        twin = MLP(self.layer_sizes, self.activation, self.loss_name, self.init, self.seed,
                   self.l2, self.optimizer)
        twin.set_parameters(self.weights, self.biases, self.epoch,
                            self.batches.bit_generator.state, self.optimizer_state)
        return twin

    def snapshot(self):
        """The network now, to come back to with `set_parameters`."""
        return Snapshot(self.epoch, _copy(self.weights), _copy(self.biases),
                        self.batches.bit_generator.state, self.optimizer_state.copy())

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
        dL_dW = dL_dW[::-1]
        if self.l2:   # d/dW of (l2 / 2) * sum W^2
            dL_dW = [dW + self.l2 * W for dW, W in zip(dL_dW, self.weights)]
        return Gradients(dL_dW, dL_db[::-1], deltas[::-1])

    def penalty(self):
        """The L2 term of the loss, (l2 / 2) * the sum of every squared weight."""
        if not self.l2:
            return 0.0
        return 0.5 * self.l2 * sum(float(np.vdot(W, W)) for W in self.weights)

    def _loss_of(self, forward, y):
        data = float(self._loss.term(forward.pre_activations[-1], forward.output, y).sum()) / len(y)
        return data + self.penalty()

    def _update(self, gradients, learning_rate):
        """Move every weight and bias one step by the network's optimizer."""
        # New arrays, not in-place: earlier references (snapshots, `step`) stay valid.
        if self._rule is None:   # sgd: θ ← θ − η·g
            self.weights = [W - learning_rate * dW
                            for W, dW in zip(self.weights, gradients.weights)]
            self.biases = [b - learning_rate * db for b, db in zip(self.biases, gradients.biases)]
            return
        state = self.optimizer_state
        t = state.t + 1
        self.weights, weight_averages = _apply(self._rule, self.weights, gradients.weights,
                                               state.weights, learning_rate, t)
        self.biases, bias_averages = _apply(self._rule, self.biases, gradients.biases,
                                            state.biases, learning_rate, t)
        self.optimizer_state = OptimizerState(t, weight_averages, bias_averages)

    def _epoch(self, X, y, learning_rate, batch_size, full_batch_gradients):
        """One pass over (X, y): one update, or one per mini-batch in a shuffled order."""
        if batch_size is None or batch_size >= len(y):
            self._update(full_batch_gradients, learning_rate)
        else:
            order = self.batches.permutation(len(y))
            for start in range(0, len(y), batch_size):
                rows = order[start:start + batch_size]
                self._update(self._backward(self._forward(X[rows]), y[rows]), learning_rate)
        self.epoch += 1

    # --- public ---

    def forward(self, X):
        """Keep z and a of every layer for X."""
        X = check_inputs(X, self.layer_sizes[0])
        with np.errstate(over="ignore"):   # exp overflows to inf for z << 0; sigmoid is then 0
            return self._forward(X)

    def predict(self, X):
        """The output probability of class 1, shape (n, 1)."""
        return self.forward(X).output

    def loss(self, X, y):
        X, y = check_data(X, y, self.layer_sizes[0])
        with np.errstate(over="ignore"):
            return self._loss_of(self._forward(X), y)

    def gradients(self, X, y):
        """dL/dW, dL/db and dL/dz of every layer, by backpropagation."""
        X, y = check_data(X, y, self.layer_sizes[0])
        with np.errstate(over="ignore"):
            return self._backward(self._forward(X), y)

    def step(self, X, y, learning_rate):
        """Apply one update by the network's optimizer on (X, y) and say what it changed."""
        X, y = check_data(X, y, self.layer_sizes[0])
        learning_rate, _, _ = check_training(learning_rate, 1)
        weights_before, biases_before = self.weights, self.biases
        with np.errstate(over="ignore", invalid="ignore"):
            before = self._forward(X)
            gradients = self._backward(before, y)
            self._update(gradients, learning_rate)
            self.epoch += 1
            loss_after = self._loss_of(self._forward(X), y)
        return Step(learning_rate, weights_before, biases_before, gradients,
                    self._loss_of(before, y), self.weights, self.biases, loss_after)

    def train(self, X, y, learning_rate, epochs, batch_size=None, X_test=None, y_test=None,
              snapshot_epochs=(), progress=None, progress_every=500):
        """Train for `epochs` epochs with the network's optimizer, recording every epoch.

        `batch_size` None (or at least the number of examples) is full-batch gradient
        descent; a smaller size makes each epoch one update per mini-batch, the examples
        shuffled by the network's own generator. With X_test and y_test, the history also
        records the test set's loss and accuracy. Stops at the first epoch whose loss or
        gradient norm diverged (see DIVERGED) and keeps the weights of the epoch before.
        `progress(history_so_far)` is called every `progress_every` epochs. `snapshot_epochs`
        are absolute epochs (counting earlier training) whose weights to keep.
        """
        X, y = check_data(X, y, self.layer_sizes[0])
        X_test, y_test = check_test_set(X_test, y_test, self.layer_sizes[0])
        learning_rate, epochs, batch_size = check_training(learning_rate, epochs, batch_size)
        first = self.epoch
        wanted = {int(e) for e in snapshot_epochs if first <= e <= first + epochs}
        loss, correct = np.empty(epochs + 1), np.empty(epochs + 1)
        grad_norms = np.empty((epochs + 1, len(self.weights)))
        tested = X_test is not None
        test_loss, test_correct = (np.empty(epochs + 1), np.empty(epochs + 1)) if tested \
            else (None, None)
        snapshots, diverged_at = {}, None
        targets = y > 0.5
        test_targets = y_test > 0.5 if tested else None
        term = self._loss.term
        last = self.snapshot()

        def history(upto):
            rows = slice(0, upto + 1)
            return History(np.arange(first, first + upto + 1), loss[rows],
                           correct[rows] / len(y), grad_norms[rows], snapshots, diverged_at,
                           test_loss[rows] if tested else None,
                           test_correct[rows] / len(y_test) if tested else None)

        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(epochs + 1):
                forward = self._forward(X)
                gradients = self._backward(forward, y)
                output = forward.output
                penalty = self.penalty()
                loss[i] = term(forward.pre_activations[-1], output, y).sum() / len(y) + penalty
                correct[i] = np.count_nonzero((output > 0.5) == targets)
                grad_norms[i] = norms = gradients.layer_norms()
                if not (loss[i] < DIVERGED and norms.sum() < DIVERGED):   # False for NaN too
                    if i == 0:
                        raise ValueError(UNTRAINABLE)
                    diverged_at = self.epoch
                    self.set_parameters(last.weights, last.biases, last.epoch, last.batch_state,
                                        last.optimizer_state)
                    i -= 1
                    break
                if tested:
                    tested_now = self._forward(X_test)
                    test_loss[i] = term(tested_now.pre_activations[-1], tested_now.output,
                                        y_test).sum() / len(y_test) + penalty
                    test_correct[i] = np.count_nonzero((tested_now.output > 0.5) == test_targets)
                if self.epoch in wanted:
                    snapshots[self.epoch] = self.snapshot()
                if i == epochs:
                    break
                if progress is not None and i > 0 and i % progress_every == 0:
                    progress(history(i))
                last = Snapshot(self.epoch, self.weights, self.biases,
                                self.batches.bit_generator.state if batch_size else None,
                                self.optimizer_state)
                self._epoch(X, y, learning_rate, batch_size, gradients)
        return history(i)


def numerical_gradients(net, X, y, eps=1e-6):
    """dL/dW and dL/db by central differences, (L(p + eps) - L(p - eps)) / (2 eps).

    An independent check of backpropagation; `deltas` stays empty (they are not parameters).
    """
    X, y = check_data(X, y, net.layer_sizes[0])
    probe = net.copy()

    def loss():
        return probe.loss(X, y)

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

    return Gradients([slopes(W) for W in probe.weights], [slopes(b) for b in probe.biases],
                     deltas=[])


def sharpness(net, X, y, iterations=30, eps=1e-5):
    """The loss's largest curvature along any one direction of the parameters: the top
    (most positive) eigenvalue of its Hessian, found by power iteration.

    Each iteration multiplies a direction v by the Hessian, approximated by how the gradient
    changes one small step along v: H v ≈ (∇L(θ + eps v) − ∇L(θ)) / eps. Power iteration finds
    the eigenvalue of largest size; if that one is negative, a second run on H − λ I finds the
    top. Gradient descent with learning rate lr overshoots along a direction whose curvature
    exceeds 2 / lr.
    """
    X, y = check_data(X, y, net.layer_sizes[0])
    probe = net.copy()
    layers = len(net.weights)
    start = [*net.weights, *net.biases]
    sizes = [p.size for p in start]

    def gradient():
        g = probe.gradients(X, y)
        return np.concatenate([part.ravel() for part in g.weights + g.biases])

    at_start = gradient()

    def hessian_times(v):
        steps = np.split(eps * v, np.cumsum(sizes)[:-1])
        moved = [p + d.reshape(p.shape) for p, d in zip(start, steps)]
        probe.set_parameters(moved[:layers], moved[layers:])
        return (gradient() - at_start) / eps

    def largest(shift):
        """The eigenvalue of H - shift I of largest size, by power iteration."""
        v = np.random.default_rng(0).standard_normal(sum(sizes))
        value = 0.0
        for _ in range(iterations):
            v /= np.linalg.norm(v)
            product = hessian_times(v) - shift * v
            value = float(v @ product)
            if not np.any(product):
                break
            v = product
        return value

    top = largest(0.0)
    return top if top >= 0 else largest(top) + top
