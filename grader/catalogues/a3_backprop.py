"""Assignment 3: backpropagation, gradient-descent updates, training loops, and the XOR and diamond tasks.

Every backward piece has a fixed-seed comparison and a gradient check against centred finite differences (h = 1e-5,
relative error < 1e-6). Shapes are non-square and batches hold several samples, so a wrong transpose, a wrong axis
or a missing average cannot hide. Training is judged twice: exactly (one step at a large learning rate, short runs
with and without mini-batches), and by what it achieves (XOR and the diamond task, from fixed initial parameters).

The learning rates, epochs and thresholds of the training tasks come from ``benchmarks/convergence.py``; its table
is recorded, with the command, in ``docs/thresholds.md``.
"""
import numpy as np

from ..core import paths, references
from ..core.inputs import away_from_zero, binary_labels, normal, numerical_gradient, one_hot_labels, uniform
from ..core.spec import Assignment, Case, Check, Misconception, Part, Promise, Steps, Written
from . import _promises as promise
from ._promises import UNCHANGED, arg

NAME = "a3_backprop"
PROVIDED = {"activations": "a2_forward", "losses": "a2_forward", "forward": "a2_forward", "datasets": NAME}
DATA = ("xor.csv", "diamond_train.csv", "diamond_test.csv", "beans.csv")

# Measured with benchmarks/convergence.py (docs/thresholds.md). The solution clears both thresholds with margin from
# every initialisation below. Every classic bug fails all three XOR runs; the diamond run stops all of them but two,
# seed 004's bug and the premature update, which the gradient check and the one-step check catch instead (and the
# step-by-step check of every task run, _training_steps, fails them on the diamond as well).
XOR = {"layers": (3, 4, 1), "activations": ["sigmoid", "sigmoid"], "learning_rate": 5.0, "epochs": 300,
       "seeds": (1, 4, 5), "metric": "max_error", "threshold": 0.1}
DIAMOND = {"layers": (2, 8, 1), "activations": ["tanh", "sigmoid"], "learning_rate": 1.0, "epochs": 1000,
           "seeds": (4,), "metric": "accuracy", "threshold": 0.95}

# Seconds one training run may take in the sandbox: the solution needs 0.03 s (XOR) and 0.2 s (diamond), so this
# leaves room for a slower but vectorised student, and for a busy grading machine.
TRAINING_TIMEOUT = 20.0

# The finished modules (forward pass, datasets) make the cases' caches and initial parameters.
_HELPERS = Assignment(name=NAME, title="", modules=(), parts=(), provided=PROVIDED)


def _helpers():
    return references.modules(_HELPERS)


def xor_data():
    return _helpers().datasets.load_xor(paths.DATA / "xor.csv")


def diamond_data(split):
    return _helpers().datasets.load_csv(paths.DATA / f"diamond_{split}.csv")


def initial_params(layers, seed):
    return _helpers().datasets.init_params(layers, np.random.default_rng(seed))


def relabelled_xor(seed, rule):
    """The XOR table's inputs in a shuffled order, labelled by another rule of the same kind: 'xnor' (not A xor B)
    or 'a_xor_c'. Hidden training runs use these, so weights made by hand for the public table fail them."""
    X, Y = xor_data()
    X = X[np.random.default_rng(seed).permutation(len(X))]
    a, b, c = (X[:, i] > 0.5 for i in range(3))
    labels = {"xnor": ~(a ^ b), "a_xor_c": a ^ c}[rule]
    return X, labels.astype(np.float64).reshape(-1, 1)


def relabelled_diamond(seed, n):
    """n points drawn afresh and labelled the other way round (1 outside the diamond): a hidden task of the same
    difficulty that no hand-made diamond network solves."""
    X, y = _helpers().datasets.make_diamond(n, np.random.default_rng(seed))
    return X, 1.0 - y


def _network(seed, sizes, activations, n, labels):
    """A (Y, params, cache, activations) case for backward: random inputs through the reference forward pass."""
    X = normal(seed, n, sizes[0])
    params = [(normal(seed + 1 + 2 * i, d_in, d_out), normal(seed + 2 + 2 * i, d_out, scale=0.5))
              for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
    _, cache = _helpers().forward.forward_pass(X, params, activations)
    return labels, params, cache, list(activations)


# -- misconception variants: what the classic bugs compute --------------------------------------------------------
def _delta_no_derivative(ref, delta_next, W_next, Z, activation):
    return delta_next @ W_next.T


def _delta_derivative_of_a(ref, delta_next, W_next, Z, activation):
    f, f_prime = ref.activations.get(activation)
    return (delta_next @ W_next.T) * f_prime(f(Z))


def _delta_sigmoid_twice(ref, delta_next, W_next, Z, activation):
    """Seed 004: its network computes output = sigmoid(hidden_output), a second sigmoid where the output weights
    belong. Backpropagating that network sends the error through sigmoid'(A) instead of through W_next."""
    f, f_prime = ref.activations.get(activation)
    return delta_next * ref.activations.sigmoid_prime(f(Z)) * f_prime(Z)


def _delta_w_not_transposed(ref, delta_next, W_next, Z, activation):
    _, f_prime = ref.activations.get(activation)
    return (delta_next @ W_next) * f_prime(Z)


def _delta_slope_formula(ref, delta_next, W_next, Z, activation):
    """The sigmoid's slope written for its output, a (1 - a), applied to Z whatever the activation."""
    return (delta_next @ W_next.T) * Z * (1.0 - Z)


def _delta_elementwise(ref, delta_next, W_next, Z, activation):
    _, f_prime = ref.activations.get(activation)
    return (delta_next * W_next.T) * f_prime(Z)


def _delta_sigmoid_slope(ref, delta_next, W_next, Z, activation):
    return (delta_next @ W_next.T) * ref.activations.sigmoid_prime(Z)


def _delta_activation_for_slope(ref, delta_next, W_next, Z, activation):
    f, _ = ref.activations.get(activation)
    return (delta_next @ W_next.T) * f(Z)


def _delta_get_called(ref, delta_next, W_next, Z, activation):
    return (delta_next @ W_next.T) * ref.activations.get(activation)(Z)


def _grads_sum(ref, A_prev, delta):
    return A_prev.T @ delta, delta.sum(axis=0)


def _grads_transposed(ref, A_prev, delta):
    return delta.T @ A_prev / A_prev.shape[0], delta.mean(axis=0)


def _grads_bias_axis(ref, A_prev, delta):
    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=1)


def _grads_bias_averaged_twice(ref, A_prev, delta):
    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0) / A_prev.shape[0]


def _grads_bias_summed(ref, A_prev, delta):
    return A_prev.T @ delta / A_prev.shape[0], delta.sum(axis=0)


def _grads_no_transpose(ref, A_prev, delta):
    return A_prev @ delta / A_prev.shape[0], delta.mean(axis=0)


def _grads_weights_summed(ref, A_prev, delta):
    return A_prev.T @ delta, delta.mean(axis=0)


def _grads_bias_keepdims(ref, A_prev, delta):
    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0, keepdims=True)


def _backward_variant(ref, Y, params, cache, activations, *, hidden=None, gradients=None,
                      weights_of=lambda layer: layer, inputs_of=lambda layer: layer, slope_of=lambda layer: layer - 1,
                      activation_of=None, last=0, reverse=False):
    """The reference backward pass with one classic slip: ``hidden(ref, ...)`` or ``gradients(ref, ...)`` in place
    of hidden_delta or layer_gradients; or the layers mixed up: the W sent back with the delta of ``layer`` is that
    of ``weights_of(layer)`` (correct: ``layer``), the A_prev of its gradients that of ``inputs_of(layer)``, the Z
    and activation of the slope those of ``slope_of(layer)`` (correct: ``layer - 1``), or the activation alone that
    of ``activation_of(layer)``; it stops before layer ``last``; ``reverse`` returns the gradients last layer
    first."""
    hidden_delta = ref.backprop.hidden_delta if hidden is None else lambda *a: hidden(ref, *a)
    layer_gradients = ref.backprop.layer_gradients if gradients is None else lambda *a: gradients(ref, *a)
    A, Z = cache["A"], cache["Z"]
    delta = ref.backprop.output_delta(A[-1], Y)
    grads = [None] * len(params)
    for layer in range(len(params) - 1, last - 1, -1):
        grads[layer] = layer_gradients(A[inputs_of(layer)], delta)
        if layer > 0:
            activation = activations[(activation_of or slope_of)(layer)]
            delta = hidden_delta(delta, params[weights_of(layer)][0], Z[slope_of(layer)], activation)
    return grads[::-1] if reverse else grads


def _hidden_bug(bug):
    return lambda ref, *args: _backward_variant(ref, *args, hidden=bug)


def _gradient_bug(bug):
    return lambda ref, *args: _backward_variant(ref, *args, gradients=bug)


def _step_discarded(ref, X, Y, params, activations, learning_rate):
    _, loss = ref.training.train_step(X, Y, params, activations, learning_rate)
    return list(params), loss


def _step_loss_swapped(ref, X, Y, params, activations, learning_rate):
    new_params, _ = ref.training.train_step(X, Y, params, activations, learning_rate)
    A_out = ref.forward.predict(X, params, activations)
    return new_params, ref.training.mean_loss(Y, A_out, activations[-1])


def _step_early_update(ref, X, Y, params, activations, learning_rate):
    """Each layer updated as soon as its gradient is known, so the layer below sees the NEW weights."""
    A_out, cache = ref.forward.forward_pass(X, params, activations)
    loss = ref.training.mean_loss(A_out, Y, activations[-1])
    A, Z = cache["A"], cache["Z"]
    params = list(params)
    delta = A_out - Y
    for layer in range(len(params) - 1, -1, -1):
        dW, db = ref.backprop.layer_gradients(A[layer], delta)
        W, b = params[layer]
        params[layer] = (W - learning_rate * dW, b - learning_rate * db)
        if layer > 0:
            delta = ref.backprop.hidden_delta(delta, params[layer][0], Z[layer - 1], activations[layer - 1])
    return params, loss


def _step_sign(ref, X, Y, params, activations, learning_rate):
    return ref.training.train_step(X, Y, params, activations, -learning_rate)


def _step_loss_after(ref, X, Y, params, activations, learning_rate):
    new_params, _ = ref.training.train_step(X, Y, params, activations, learning_rate)
    A_out = ref.forward.predict(X, new_params, activations)
    return new_params, ref.training.mean_loss(A_out, Y, activations[-1])


def _train_variant(ref, X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None, *,
                   order="shuffle", measure="after", batches="all", update=True):
    """The reference train loop with a classic slip.

    ``order``: 'none' never shuffles; 'once' shuffles only before the first epoch; 'global' shuffles with np.random
    (seeded 0 before every graded call, as the sandbox and the self-check do) instead of ``rng``; 'apart' shuffles X
    and Y with two different permutations. ``measure``: 'before' records each epoch's loss and accuracy before its
    updates; 'batch' records the last batch's loss from train_step. ``batches``: 'full' ignores batch_size;
    'whole' drops the last partial batch; 'split' and 'split_up' cut the order with np.array_split into
    N // batch_size or ceil(N / batch_size) parts. ``update=False`` never rebinds the parameters."""
    n = X.shape[0]
    history = {"loss": np.zeros(epochs), "accuracy": np.zeros(epochs)}
    legacy = np.random.RandomState(0)
    fixed = rng.permutation(n) if order == "once" and batch_size is not None else np.arange(n)
    size = None if batches == "full" else batch_size
    for epoch in range(epochs):
        if measure == "before":
            A_out = ref.forward.predict(X, params, activations)
            history["loss"][epoch] = ref.training.mean_loss(A_out, Y, activations[-1])
            history["accuracy"][epoch] = ref.training.accuracy(A_out, Y)
        if size is None:
            pieces = [(X, Y)]
        else:
            if order in ("shuffle", "apart"):
                rows = rng.permutation(n)
            elif order == "global":
                rows = legacy.permutation(n)
            else:
                rows = fixed
            targets = rng.permutation(n) if order == "apart" else rows
            if batches in ("split", "split_up"):  # np.array_split(order, N // size), or into ceil(N / size) parts
                count = max(n // size, 1) if batches == "split" else -(-n // size)
                pieces = [(X[part], Y[part]) for part in np.array_split(rows, count)]
            else:
                stop = n - n % size if batches == "whole" else n
                pieces = [(X[rows[start:start + size]], Y[targets[start:start + size]])
                          for start in range(0, stop, size)]
        for X_batch, Y_batch in pieces:
            new_params, loss = ref.training.train_step(X_batch, Y_batch, params, activations, learning_rate)
            if update:
                params = new_params
        if measure == "batch":
            history["loss"][epoch] = loss
        if measure in ("after", "batch"):
            A_out = ref.forward.predict(X, params, activations)
            if measure == "after":
                history["loss"][epoch] = ref.training.mean_loss(A_out, Y, activations[-1])
            history["accuracy"][epoch] = ref.training.accuracy(A_out, Y)
    return list(params), history


# Misconception messages shared by several checks, or too long to stand in a call
DELTA_AVERAGED = "output_delta divides by N: the deltas are per-sample; layer_gradients takes the one mean"
DELTA_SIGN = "the output delta is Y - A_out; it is A_out - Y, the gradient of the loss, not of the error"
DELTA_EXTRA_SLOPE = ("the output delta is multiplied by the sigmoid's slope A(1 - A): with cross-entropy that slope "
                     "cancels, and the delta is just A_out - Y")
NO_DERIVATIVE = "the activation's derivative is left out: multiply by f'(Z) of the hidden layer"
DERIVATIVE_OF_A = ("the derivative is taken at A = f(Z) instead of at the pre-activation Z: use f_prime(Z), not "
                   "f_prime(f(Z))")
SIGMOID_TWICE = ("the error goes back through a second sigmoid, not through the next layer's weights (the course "
                 "notes' bug: output = sigmoid(hidden_output) skips the output weights): use delta_next @ W_next.T")
NO_AVERAGE = "the gradients are summed over the batch, not averaged: divide by N, the number of rows"
TRANSPOSE = "dW is transposed: it must have W's shape (D_in, D_out), that is A_prev.T @ delta / N"
BIAS_AXIS = "db is averaged over the wrong axis: average delta over the samples (axis 0), one entry per unit"
UPDATE_SIGN = "the update has the wrong sign: step against the gradient, W - learning_rate * dW"
BIAS_NOT_UPDATED = "the biases are not updated: b - learning_rate * db as well"
EARLY_UPDATE = ("a layer's weights are updated before the layer below has its delta, so that delta uses the new "
                "weights: compute every gradient from the old parameters first, then update them all")
LOSS_AFTER = "the loss is measured after the update: return the loss of this step's own forward pass"
HISTORY_BEFORE = "each epoch's loss and accuracy are measured before its updates: measure after the epoch"
NO_SHUFFLE = "the mini-batches never change: draw order = rng.permutation(N) at the start of every epoch"
SHUFFLE_ONCE = "the samples are shuffled only once: draw a new rng.permutation(N) at the start of every epoch"
W_NOT_TRANSPOSED = ("delta_next @ W_next does not line up: W_next is (D_l, D_next), so the delta goes back through "
                    "its transpose, delta_next @ W_next.T")
SLOPE_FORMULA_ON_Z = ("the slope is computed as Z * (1 - Z), the sigmoid's slope written for its OUTPUT a: at the "
                      "pre-activation Z, use the layer's own f_prime(Z)")
ELEMENTWISE_NOT_MATMUL = ("delta_next * W_next.T multiplies element by element: each unit's share of the error is a "
                          "sum over the next layer's units, the matrix product delta_next @ W_next.T")
BIAS_AVERAGED_TWICE = "db is divided by N twice: delta.mean(axis=0) already averages over the samples"
BIAS_NOT_AVERAGED = "db is summed over the batch while dW is averaged: db = delta.mean(axis=0), the same 1/N"
WEIGHTS_NO_TRANSPOSE = ("A_prev @ delta does not line up: dW pairs each input unit with each unit of the layer, "
                        "A_prev.T @ delta / N, of shape (D_in, D_out)")
WRONG_LAYER_WEIGHTS = ("the delta is sent back through the wrong layer's weights: from layer l to layer l - 1 it goes "
                       "through W_l, params[l][0], the weights between them")
WRONG_LAYER_INPUTS = ("a layer's gradients use the wrong activations: layer l's dW needs its own input, A_(l-1), "
                      "which is cache['A'][l] when A[0] = X")
GRADIENTS_REVERSED = ("the gradients come back last layer first: grads[l] belongs to params[l], so fill a list by "
                      "index (or reverse it before returning)")
FIRST_LAYER_SKIPPED = ("the loop stops before the first layer: walk layer = L - 1 down to 0, so that every layer gets "
                       "its gradients")
BIAS_NO_LEARNING_RATE = "the bias step leaves out the learning rate: b - learning_rate * db"
UPDATE_DISCARDED = ("the parameters come back unchanged: return what gd_step gives, the NEW parameters, with the loss "
                    "(and give backward the targets Y, not A_out, or every gradient is 0)")
GLOBAL_RANDOM = ("the shuffles come from np.random, not from the rng argument: use rng.permutation(N), so that a run "
                 "is reproducible from the Generator it is given")
LAST_BATCH_DROPPED = ("the last, smaller mini-batch is dropped: range(0, N, batch_size) keeps it, so every sample is "
                      "used once per epoch")
SEPARATE_PERMUTATIONS = ("X and Y are shuffled with two different permutations, so the samples lose their labels: "
                         "draw one order = rng.permutation(N) and index both with it")
PARAMS_NOT_REBOUND = ("the parameters never change: train_step returns NEW parameters, so write params, loss = "
                      "train_step(...)")
BATCH_SIZE_IGNORED = ("batch_size is ignored and every step uses the whole set: split each epoch's shuffled order "
                      "into mini-batches of batch_size")
HISTORY_LAST_BATCH = ("the loss recorded is the last mini-batch's: after each epoch, measure the loss on the whole "
                      "training set")
DELTA_OF_A = ("this is the loss's slope in A_out, -(Y / A - (1 - Y) / (1 - A)): the delta is the slope in the "
              "pre-activation Z_L, where the activation's slope cancels it down to A_out - Y")
SIGMOID_SLOPE_ALWAYS = ("the slope is the sigmoid's whatever the layer's activation: get(activation) gives that "
                        "layer's own f_prime")
ACTIVATION_FOR_SLOPE = "f(Z) stands where its slope f'(Z) belongs: get(activation) returns (f, f_prime)"
BIAS_KEEPDIMS = "db has shape (1, D_out): b has shape (D_out,), so average without keepdims"
WRONG_LAYER_SLOPE = ("the slope uses the wrong layer: the delta sent back to layer l - 1 needs that layer's own Z and "
                     "activation, Z[l - 1] and activations[l - 1]")
BIAS_WITH_DW = "the bias steps with dW: b - learning_rate * db"
GET_NOT_UNPACKED = "get(activation) returns the pair (f, f_prime): unpack it, then call f_prime(Z)"
WEIGHTS_NOT_AVERAGED = "dW is summed over the batch while db is averaged: divide A_prev.T @ delta by N too"
WRONG_LAYER_ACTIVATION = ("the slope uses another layer's activation: the delta of layer l - 1 goes through "
                          "activations[l - 1], the function that made Z[l - 1]")
SHUFFLED_FULL_BATCH = ("a full-batch run is shuffled too, with no rng to shuffle with (rng is None when batch_size is "
                       "None): draw an order only for mini-batches")
HISTORY_LISTS = "the history holds lists: its 'loss' and 'accuracy' are numpy arrays of shape (epochs,)"
ARRAY_SPLIT = ("np.array_split makes batches of other sizes: every mini-batch but the last holds batch_size samples, "
               "order[k : k + batch_size]")
LOSS_ARGUMENTS_SWAPPED = ("the loss is called with its arguments swapped: mean_loss(A_out, Y, output), the prediction "
                          "first")


def _train_shuffling_always(ref, X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    """A loop that draws rng.permutation(N) every epoch, mini-batches or not: without mini-batches rng is None."""
    rng.permutation(X.shape[0])
    return _train_variant(ref, X, Y, params, activations, learning_rate, epochs, batch_size, rng)


def _history_as_lists(result):
    params, history = result
    return params, {key: list(values) for key, values in history.items()}


# -- expected values for the gradient checks ------------------------------------------------------------------------
def _output_delta_numerical(ref, case):
    """d(N * mean loss)/dZ_L, with Z_L recovered from A_out (logit for a sigmoid column, log for softmax rows)."""
    A_out, Y = case.args
    n = A_out.shape[0]
    if A_out.shape[1] == 1:
        Z = np.log(A_out) - np.log1p(-A_out)
        return numerical_gradient(lambda z: n * ref.losses.binary_cross_entropy(ref.activations.sigmoid(z), Y), Z)
    return numerical_gradient(lambda z: n * ref.losses.cross_entropy(ref.losses.softmax(z), Y), np.log(A_out))


def _hidden_delta_numerical(ref, case):
    """d/dZ of the surrogate sum(delta_next * (f(Z) @ W_next)), whose gradient is the hidden delta."""
    delta_next, W_next, Z, activation = case.args
    f, _ = ref.activations.get(activation)
    return numerical_gradient(lambda z: np.sum(delta_next * (f(z) @ W_next)), Z)


def _layer_gradients_numerical(ref, case):
    """d/dW and d/db of the surrogate sum(delta * (A_prev @ W + b)) / N, at W = 0 and b = 0 (it is linear)."""
    A_prev, delta = case.args
    n = A_prev.shape[0]
    W, b = np.zeros((A_prev.shape[1], delta.shape[1])), np.zeros(delta.shape[1])
    return (numerical_gradient(lambda w: np.sum(delta * (A_prev @ w + b)) / n, W),
            numerical_gradient(lambda v: np.sum(delta * (A_prev @ W + v)) / n, b))


def _backward_numerical(ref, case):
    """The gradient of the mean loss through the reference forward pass, for every W and b."""
    Y, params, cache, activations = case.args
    X = cache["A"][0]

    def loss(layer, slot, value):
        changed = [list(pair) for pair in params]
        changed[layer][slot] = value
        A_out = ref.forward.predict(X, [tuple(pair) for pair in changed], activations)
        return ref.training.mean_loss(A_out, Y, activations[-1])

    return [tuple(numerical_gradient(lambda v, l=layer, s=slot: loss(l, s, v), params[layer][slot])
                  for slot in (0, 1)) for layer in range(len(params))]


def _converge_expected(evaluation_set):
    def expected(ref, case):
        X, Y, params, activations, learning_rate, epochs = case.args
        trained, history = references.call(ref, "training.train", case)
        X_eval, y_eval = evaluation_set(X, Y)
        return {"X": X_eval, "y": y_eval, "params_like": params, "history": history, "params": trained}
    return expected


HIDDEN_DIAMOND = {"train": (5007, 1000), "test": (5008, 5000), "seed": 7}


def _training_steps(ref, case):
    """A task's run is made of its own full-batch steps: one train_step per epoch on the whole training set, from
    the initial parameters it is given, each the reference's step from the one before."""
    X, Y, params, activations, learning_rate, epochs = case.args

    def step(previous):  # the parameters reference train_step returns, without its loss
        _, cache = ref.forward.forward_pass(X, previous, activations)
        return ref.training.gd_step(previous, ref.backprop.backward(Y, previous, cache, activations), learning_rate)

    return Steps("training.train_step", params, epochs, step, params_at=(0,),
                 rtol=TRAIN_STEP.checks[0].options["rtol"], atol=TRAIN_STEP.checks[0].options["atol"])


def _converge_options(task, label):
    return {"predict": "forward.predict", "activations": list(task["activations"]), "metric": task["metric"],
            "threshold": task["threshold"], "params_at": (0,), "history_at": (1,), "label": label,
            "returns": "a tuple (params, history)"}


def _converge_case(task, data, seed, public, label):
    """A training run of ``task`` on ``data()``'s (X, Y), from the initial parameters of ``seed``."""
    return Case(lambda: (*data(), initial_params(task["layers"], seed), list(task["activations"]),
                         task["learning_rate"], task["epochs"]), public=public, label=label)


# -- the cases ------------------------------------------------------------------------------------------------------
_Z_SIGMOID = normal(301, 6, 1, scale=1.5)
_Z_SOFTMAX = normal(303, 5, 3)
OUTPUT_CASES = (
    Case(lambda: (_helpers().activations.sigmoid(_Z_SIGMOID), binary_labels(302, 6)), public=True,
         label="sigmoid output"),
    Case(lambda: (_helpers().activations.sigmoid(normal(10301, 6, 1, scale=1.5)), binary_labels(10302, 6)),
         label="sigmoid output"),
    Case(lambda: (_helpers().losses.softmax(_Z_SOFTMAX), one_hot_labels(304, 5, 3)), label="softmax output"),
    Case(lambda: (_helpers().losses.softmax(normal(20303, 5, 3)), one_hot_labels(20304, 5, 3)), public=True,
         label="softmax output"),
)
HIDDEN_CASES = (
    Case((normal(311, 6, 1), normal(312, 4, 1), normal(313, 6, 4, scale=2.0), "sigmoid"), public=True),
    Case((normal(10311, 6, 1), normal(10312, 4, 1), normal(10313, 6, 4, scale=2.0), "sigmoid")),
    Case((normal(320, 5, 3), normal(325, 4, 3), normal(326, 5, 4), "tanh"), public=True),
    Case((normal(314, 5, 3), normal(315, 4, 3), normal(316, 5, 4), "tanh")),
    Case((normal(317, 7, 2), normal(318, 3, 2), away_from_zero(319, 7, 3), "relu")),
    Case((normal(20317, 7, 2), normal(20318, 3, 2), away_from_zero(20319, 7, 3), "relu"), public=True),
    Case((normal(20347, 4, 3), normal(20348, 5, 3), away_from_zero(20349, 4, 5, scale=2.0), "leaky_relu"),
         public=True),
    Case((normal(30327, 4, 3), normal(30328, 5, 3), away_from_zero(30329, 4, 5, scale=2.0), "leaky_relu")),
)
GRADIENT_CASES = (
    Case((normal(321, 6, 4), normal(322, 6, 3)), public=True),
    Case((normal(10321, 6, 4), normal(10322, 6, 3))),
    Case((uniform(323, 9, 2), normal(324, 9, 5))),
)
BACKWARD_CASES = (
    Case(lambda: _network(331, (3, 4, 1), ("sigmoid", "sigmoid"), 6, binary_labels(330, 6)), public=True,
         label="3-4-1, sigmoid"),
    Case(lambda: _network(10331, (3, 4, 1), ("sigmoid", "sigmoid"), 6, binary_labels(10330, 6)),
         label="3-4-1, sigmoid"),
    Case(lambda: _network(395, (4, 5, 6, 3), ("tanh", "relu", "softmax"), 7, one_hot_labels(345, 7, 3)), public=True,
         label="4-5-6-3, tanh, relu, softmax"),
    Case(lambda: _network(381, (4, 5, 6, 3), ("tanh", "relu", "softmax"), 7, one_hot_labels(340, 7, 3)),
         label="4-5-6-3, tanh, relu, softmax"),
)


def _param_list(seed, sizes, scale=1.0):
    return [(normal(seed + 2 * i, d_in, d_out, scale=scale), normal(seed + 2 * i + 1, d_out, scale=scale))
            for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))]


GD_CASES = (
    Case((_param_list(351, (3, 4, 2)), _param_list(361, (3, 4, 2), scale=0.1), 0.1), public=True),
    Case((_param_list(10351, (3, 4, 2)), _param_list(10361, (3, 4, 2), scale=0.1), 0.1)),
    Case((_param_list(371, (5, 3, 4, 2)), _param_list(381, (5, 3, 4, 2), scale=0.2), 0.5)),
)
STEP_CASES = (
    Case(lambda: (*xor_data(), initial_params((3, 4, 1), 11), ["sigmoid", "sigmoid"], 0.5), public=True,
         label="XOR table, 3-4-1 sigmoid, learning rate 0.5"),
    Case(lambda: (*relabelled_xor(10011, "xnor"), initial_params((3, 4, 1), 10011), ["sigmoid", "sigmoid"], 0.5),
         label="a hidden 8-row table, 3-4-1 sigmoid, learning rate 0.5"),
    Case((normal(391, 9, 4), one_hot_labels(392, 9, 3), _param_list(393, (4, 6, 5, 3), scale=0.7),
          ["tanh", "leaky_relu", "softmax"], 1.0), label="4-6-5-3, tanh, leaky ReLU, softmax, learning rate 1"),
    Case((normal(20391, 9, 4), one_hot_labels(20392, 9, 3), _param_list(20393, (4, 6, 5, 3), scale=0.7),
          ["tanh", "leaky_relu", "softmax"], 1.0), public=True,
         label="4-6-5-3, tanh, leaky ReLU, softmax, learning rate 1"),
)
TRAIN_CASES = (
    Case(lambda: (*xor_data(), initial_params((3, 4, 1), 12), ["sigmoid", "sigmoid"], 2.0, 5), public=True,
         label="XOR table, full batch, 5 epochs"),
    Case(lambda: (*relabelled_xor(10012, "a_xor_c"), initial_params((3, 4, 1), 10012), ["sigmoid", "sigmoid"], 2.0,
                  5),
         label="a hidden 8-row table, full batch, 5 epochs"),
    Case(lambda: (uniform(401, 10, 2), binary_labels(402, 10), initial_params((2, 5, 1), 403), ["tanh", "sigmoid"],
                  0.5, 3),
         {"batch_size": 4, "rng": np.random.default_rng(404)}, public=True,
         label="10 samples, mini-batches of 4, 3 epochs"),
    Case(lambda: (uniform(10401, 10, 2), binary_labels(10402, 10), initial_params((2, 5, 1), 10403),
                  ["tanh", "sigmoid"], 0.5, 3),
         {"batch_size": 4, "rng": np.random.default_rng(10404)},
         label="10 samples, mini-batches of 4, 3 epochs"),
    Case(lambda: (normal(411, 12, 3), one_hot_labels(412, 12, 4), initial_params((3, 6, 4), 413),
                  ["relu", "softmax"], 0.3, 4),
         {"batch_size": 5, "rng": np.random.default_rng(414)},
         label="12 samples, 4 classes, mini-batches of 5, 4 epochs"),
    Case(lambda: (normal(20411, 12, 3), one_hot_labels(20412, 12, 4), initial_params((3, 6, 4), 20413),
                  ["relu", "softmax"], 0.3, 4),
         {"batch_size": 5, "rng": np.random.default_rng(20414)}, public=True,
         label="12 samples, 4 classes, mini-batches of 5, 4 epochs"),
)

# -- the parts ------------------------------------------------------------------------------------------------------
_OUTPUT_BUGS = (
    Misconception("delta_averaged", DELTA_AVERAGED, lambda ref, A, Y: (A - Y) / A.shape[0]),
    Misconception("delta_sign", DELTA_SIGN, lambda ref, A, Y: Y - A),
    Misconception("delta_extra_slope", DELTA_EXTRA_SLOPE, lambda ref, A, Y: (A - Y) * A * (1 - A)),
    Misconception("delta_of_a", DELTA_OF_A, lambda ref, A, Y: -(Y / A - (1 - Y) / (1 - A))),
)
OUTPUT_DELTA = Part("output_delta", "The output layer's delta", 2, (
    Check("match", "backprop.output_delta", title="values", cases=OUTPUT_CASES, misconceptions=_OUTPUT_BUGS),
    Check("gradient", "backprop.output_delta", title="gradient check", cases=OUTPUT_CASES,
          expected=_output_delta_numerical, misconceptions=_OUTPUT_BUGS),
))

OUTPUT_DELTA_PROMISES = {"backprop.output_delta": (
    Promise("a sigmoid output, one column (N, 1)", arg(0, lambda A: A.ndim == 2 and A.shape[1] == 1)),
    Promise("softmax rows (N, C) with N != C > 1", arg(0, lambda A: promise.distinct_sizes(A) and A.shape[1] > 1)),
    UNCHANGED)}

_HIDDEN_BUGS = (
    Misconception("no_derivative", NO_DERIVATIVE, _delta_no_derivative),
    Misconception("derivative_of_a", DERIVATIVE_OF_A, _delta_derivative_of_a),
    Misconception("sigmoid_twice", SIGMOID_TWICE, _delta_sigmoid_twice),
    Misconception("slope_formula_on_z", SLOPE_FORMULA_ON_Z, _delta_slope_formula),
    Misconception("sigmoid_slope_always", SIGMOID_SLOPE_ALWAYS, _delta_sigmoid_slope),
    Misconception("activation_for_slope", ACTIVATION_FOR_SLOPE, _delta_activation_for_slope),
    Misconception("get_not_unpacked", GET_NOT_UNPACKED, _delta_get_called,
                  raises="TypeError: not callable"),
    # numpy says "could not be broadcast" for *, and names a mismatch for @ or np.dot
    Misconception("elementwise_not_matmul", ELEMENTWISE_NOT_MATMUL, _delta_elementwise,
                  raises="ValueError: broadcast"),
    Misconception("w_not_transposed", W_NOT_TRANSPOSED, _delta_w_not_transposed, raises="ValueError"),
)
HIDDEN_DELTA = Part("hidden_delta", "A hidden layer's delta", 2, (
    Check("match", "backprop.hidden_delta", title="values", cases=HIDDEN_CASES, misconceptions=_HIDDEN_BUGS),
    Check("gradient", "backprop.hidden_delta", title="gradient check", cases=HIDDEN_CASES,
          expected=_hidden_delta_numerical, misconceptions=_HIDDEN_BUGS),
))

HIDDEN_DELTA_PROMISES = {"backprop.hidden_delta": (
    *(Promise(f"a {name} layer", arg(3, lambda activation, name=name: activation == name))
      for name in ("sigmoid", "tanh", "relu", "leaky_relu")),
    Promise("D != D_next", arg(1, promise.distinct_sizes)),
    Promise("Z outside [0, 1], where a slope taken at A instead of Z differs", arg(2, promise.outside_unit)),
    UNCHANGED)}

_GRADIENT_BUGS = (
    Misconception("no_average", NO_AVERAGE, _grads_sum),
    Misconception("transpose", TRANSPOSE, _grads_transposed),
    Misconception("bias_axis", BIAS_AXIS, _grads_bias_axis),
    Misconception("bias_averaged_twice", BIAS_AVERAGED_TWICE, _grads_bias_averaged_twice),
    Misconception("bias_not_averaged", BIAS_NOT_AVERAGED, _grads_bias_summed),
    Misconception("weights_no_transpose", WEIGHTS_NO_TRANSPOSE, _grads_no_transpose, raises="ValueError"),
    Misconception("bias_keepdims", BIAS_KEEPDIMS, _grads_bias_keepdims),
    Misconception("weights_not_averaged", WEIGHTS_NOT_AVERAGED, _grads_weights_summed),
)
LAYER_GRADIENTS = Part("layer_gradients", "A layer's weight and bias gradients", 2, (
    Check("match", "backprop.layer_gradients", title="values", cases=GRADIENT_CASES, misconceptions=_GRADIENT_BUGS),
    Check("gradient", "backprop.layer_gradients", title="gradient check", cases=GRADIENT_CASES,
          expected=_layer_gradients_numerical, misconceptions=_GRADIENT_BUGS),
))

LAYER_GRADIENTS_PROMISES = {"backprop.layer_gradients": (
    Promise("N, D_in and D_out all different", lambda A, delta: len({*A.shape, delta.shape[1]}) == 3),
    UNCHANGED)}

_BACKWARD_BUGS = (
    Misconception("no_derivative", NO_DERIVATIVE, _hidden_bug(_delta_no_derivative)),
    Misconception("derivative_of_a", DERIVATIVE_OF_A, _hidden_bug(_delta_derivative_of_a)),
    Misconception("sigmoid_twice", SIGMOID_TWICE, _hidden_bug(_delta_sigmoid_twice)),
    Misconception("no_average", NO_AVERAGE, _gradient_bug(_grads_sum)),
    Misconception("transpose", TRANSPOSE, _gradient_bug(_grads_transposed)),
    # named before the bugs that raise any ValueError: its message says which
    Misconception("wrong_layer_activation", WRONG_LAYER_ACTIVATION,
                  lambda ref, *a: _backward_variant(ref, *a, activation_of=lambda layer: layer),
                  raises="ValueError: unknown"),
    Misconception("wrong_layer_weights", WRONG_LAYER_WEIGHTS,
                  lambda ref, *a: _backward_variant(ref, *a, weights_of=lambda layer: layer - 1), raises="ValueError"),
    Misconception("wrong_layer_inputs", WRONG_LAYER_INPUTS,
                  lambda ref, *a: _backward_variant(ref, *a, inputs_of=lambda layer: layer + 1)),
    Misconception("wrong_layer_inputs", WRONG_LAYER_INPUTS,
                  lambda ref, *a: _backward_variant(ref, *a, inputs_of=lambda layer: layer - 1)),
    Misconception("wrong_layer_inputs", WRONG_LAYER_INPUTS, lambda ref, *a: _backward_variant(ref, *a,
                                                                       inputs_of=lambda layer: max(layer - 1, 0))),
    Misconception("wrong_layer_slope", WRONG_LAYER_SLOPE,
                  lambda ref, *a: _backward_variant(ref, *a, slope_of=lambda layer: layer), raises="ValueError"),
    Misconception("gradients_reversed", GRADIENTS_REVERSED, lambda ref, *a: _backward_variant(ref, *a, reverse=True)),
    Misconception("first_layer_skipped", FIRST_LAYER_SKIPPED, lambda ref, *a: _backward_variant(ref, *a, last=1)),
)
BACKWARD = Part("backward", "Backpropagation through a whole network", 3, (
    Check("match", "backprop.backward", title="values", cases=BACKWARD_CASES, misconceptions=_BACKWARD_BUGS),
    Check("gradient", "backprop.backward", title="gradient check", cases=BACKWARD_CASES,
          expected=_backward_numerical, misconceptions=_BACKWARD_BUGS),
))

BACKWARD_PROMISES = {"backprop.backward": (
    Promise("two layers", lambda Y, params, cache, names: len(params) == 2),
    Promise("three layers or more", lambda Y, params, cache, names: len(params) >= 3),
    Promise("a sigmoid output", lambda Y, params, cache, names: names[-1] == "sigmoid"),
    Promise("a softmax output", lambda Y, params, cache, names: names[-1] == "softmax"),
    *(Promise(f"a {name} hidden layer", lambda Y, params, cache, names, name=name: name in names[:-1])
      for name in ("sigmoid", "tanh", "relu")),
    UNCHANGED)}

GD_STEP = Part("gd_step", "One gradient-descent update", 1, (
    Check("match", "training.gd_step", title="values", cases=GD_CASES, misconceptions=(
        Misconception("update_sign", UPDATE_SIGN,
                      lambda ref, params, grads, lr: ref.training.gd_step(params, grads, -lr)),
        Misconception("bias_not_updated", BIAS_NOT_UPDATED, lambda ref, params, grads, lr: [
            (W - lr * dW, b) for (W, b), (dW, _) in zip(params, grads)]),
        Misconception("bias_no_learning_rate", BIAS_NO_LEARNING_RATE, lambda ref, params, grads, lr: [
            (W - lr * dW, b - db) for (W, b), (dW, db) in zip(params, grads)]),
        Misconception("bias_with_dw", BIAS_WITH_DW, lambda ref, params, grads, lr: [
            (W - lr * dW, b - lr * dW) for (W, b), (dW, db) in zip(params, grads)]),
    )),
))

GD_STEP_PROMISES = {"training.gd_step": (
    Promise("two layers or more", lambda params, grads, learning_rate: len(params) >= 2),
    Promise("params left unchanged (checked on every call)", promise.always))}

TRAIN_STEP = Part("train_step", "One training step", 2, (
    Check("match", "training.train_step", title="one step at a large learning rate", cases=STEP_CASES,
          options={"rtol": 1e-7, "atol": 1e-12}, misconceptions=(
              Misconception("early_update", EARLY_UPDATE, _step_early_update),
              Misconception("update_sign", UPDATE_SIGN, _step_sign),
              Misconception("loss_after", LOSS_AFTER, _step_loss_after),
              Misconception("update_discarded", UPDATE_DISCARDED, _step_discarded),
              Misconception("loss_arguments_swapped", LOSS_ARGUMENTS_SWAPPED, _step_loss_swapped),
          )),
))

TRAIN_STEP_PROMISES = {"training.train_step": (
    Promise("a sigmoid output", lambda X, Y, params, names, learning_rate: names[-1] == "sigmoid"),
    Promise("a softmax output", lambda X, Y, params, names, learning_rate: names[-1] == "softmax"),
    Promise("params left unchanged (checked on every call)", promise.always))}

TRAIN = Part("train", "The training loop and its learning curves", 2, (
    Check("match", "training.train", title="short runs", cases=TRAIN_CASES, misconceptions=(
        Misconception("history_before", HISTORY_BEFORE,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, measure="before")),
        Misconception("no_shuffle", NO_SHUFFLE, lambda ref, *a, **k: _train_variant(ref, *a, **k, order="none")),
        Misconception("shuffle_once", SHUFFLE_ONCE, lambda ref, *a, **k: _train_variant(ref, *a, **k, order="once")),
        Misconception("global_random", GLOBAL_RANDOM,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, order="global")),
        Misconception("separate_permutations", SEPARATE_PERMUTATIONS,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, order="apart")),
        Misconception("last_batch_dropped", LAST_BATCH_DROPPED,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, batches="whole")),
        Misconception("batch_size_ignored", BATCH_SIZE_IGNORED,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, batches="full")),
        Misconception("params_not_rebound", PARAMS_NOT_REBOUND,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, update=False)),
        Misconception("history_last_batch", HISTORY_LAST_BATCH,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, measure="batch")),
        Misconception("array_split", ARRAY_SPLIT, lambda ref, *a, **k: _train_variant(ref, *a, **k, batches="split")),
        Misconception("array_split", ARRAY_SPLIT,
                      lambda ref, *a, **k: _train_variant(ref, *a, **k, batches="split_up")),
        Misconception("history_lists", HISTORY_LISTS,
                      lambda ref, *a, **k: _history_as_lists(_train_variant(ref, *a, **k))),
        Misconception("shuffled_full_batch", SHUFFLED_FULL_BATCH, _train_shuffling_always,
                      raises="AttributeError: permutation"),
    )),
))

TRAIN_PROMISES = {"training.train": (
    Promise("full-batch gradient descent (batch_size None)", lambda *args, **kwargs: "batch_size" not in kwargs),
    Promise("mini-batches, the last one smaller", lambda X, *args, batch_size=None, rng=None: bool(
        batch_size) and len(X) % batch_size != 0),
    Promise("a softmax output", lambda X, Y, params, names, *args, **kwargs: names[-1] == "softmax"),
    Promise("several epochs", lambda X, Y, params, names, learning_rate, epochs, **kwargs: epochs >= 2),
    Promise("params left unchanged (checked on every call)", promise.always))}

# The public run trains on the course's own XOR table; the hidden runs start from hidden initial parameters on
# tables relabelled by rules of the same kind. Every run must be made of the student's own train_step calls, each a
# step of gradient descent (_training_steps, grader/grading/steps.py): weights built from the labels score nothing.
XOR_TASK = Part("xor", "XOR: every row of the table right", 3, (
    Check("converge", "training.train", title="training run", cases=(
        _converge_case(XOR, xor_data, XOR["seeds"][0], True,
                       f"XOR, from random initial weights (seed {XOR['seeds'][0]})"),
        _converge_case(XOR, lambda: relabelled_xor(XOR["seeds"][1], "xnor"), XOR["seeds"][1], False,
                       "hidden run 1"),
        _converge_case(XOR, lambda: relabelled_xor(XOR["seeds"][2], "a_xor_c"), XOR["seeds"][2], False,
                       "hidden run 2"),
    ), expected=_converge_expected(lambda X, Y: (X, Y)), timeout=TRAINING_TIMEOUT, steps=_training_steps,
          options=_converge_options(XOR, "XOR, 3-4-1 sigmoid network")),
), integrated=True)

# The public run is the course's diamond; the hidden run draws its points afresh, labels them the other way round
# and starts from hidden initial parameters, and is judged on held-out points drawn the same way. Its runs, too, must
# be the student's own steps.
DIAMOND_TASK = Part("diamond", "The diamond: held-out accuracy", 3, (
    Check("converge", "training.train", title="training run",
          cases=(_converge_case(DIAMOND, lambda: diamond_data("train"), DIAMOND["seeds"][0], True,
                                f"diamond, from random initial weights (seed {DIAMOND['seeds'][0]})"),),
          expected=_converge_expected(lambda X, Y: diamond_data("test")), timeout=TRAINING_TIMEOUT,
          steps=_training_steps, options=_converge_options(DIAMOND, "diamond, 2-8-1 tanh network, held-out points")),
    Check("converge", "training.train", title="training run",
          cases=(_converge_case(DIAMOND, lambda: relabelled_diamond(*HIDDEN_DIAMOND["train"]), HIDDEN_DIAMOND["seed"],
                                False, "hidden run"),),
          expected=_converge_expected(lambda X, Y: relabelled_diamond(*HIDDEN_DIAMOND["test"])),
          timeout=TRAINING_TIMEOUT, steps=_training_steps,
          options=_converge_options(DIAMOND, "a hidden 2-8-1 tanh task, held-out points")),
), integrated=True)


# -- written questions, graded by hand (their prompts are in notebooks/a3_backprop.py) -----------------------------
WRITTEN = (
    Written("cross_entropy_delta", "Why the output delta is A - Y", 2, rubric=(
        (1, "The chain rule for one sample: the loss's slope in a is (a - y) / (a (1 - a)), the sigmoid's slope in "
            "z is a (1 - a), and their product cancels to a - y. A softmax output with cross-entropy cancels the "
            "same way, row by row, to A - Y."),
        (1, "Why it matters: with the squared error the factor a (1 - a) stays in the delta. Where the sigmoid "
            "saturates (a near 0 or 1) that factor is almost 0, so a confidently wrong output gets almost no "
            "gradient and learning stalls. With cross-entropy the delta is as large as the error itself."),
    )),
    Written("diamond_hidden_units", "What the diamond's boundary shows", 2, rubric=(
        (1, "Each hidden unit is one neuron: where its pre-activation is 0 is a straight line in the plane, and "
            "its output rises from towards -1 on one side to towards +1 on the other. So the hidden layer draws "
            "several lines, each a candidate edge."),
        (1, "The output neuron weighs those half-planes and keeps the region where enough of them agree. The "
            "result is a closed shape made of nearly straight edges with rounded corners, close to the four edges "
            "of |x1| + |x2| = 1. One neuron alone, as in logistic regression, has a single line for a boundary "
            "and cannot enclose a region."),
    )),
    Written("random_init", "Why the initial weights are random", 1, rubric=(
        (0.5, "With every weight equal (both layers), every hidden unit computes the same activation, receives "
              "the same delta and so the same gradient. Each update keeps them equal, and the layer acts like a "
              "single unit however many it has: the symmetry is never broken."),
        (0.5, "Random starts make the units differ from the first step, so they can learn different features, "
              "such as different edges of the diamond. Full marks need this consequence, not only \"they stay "
              "the same\"."),
    )),
)

ASSIGNMENT = Assignment(
    name=NAME,
    title="Assignment 3: backpropagation and training",
    modules=("backprop", "training"),
    parts=(OUTPUT_DELTA, HIDDEN_DELTA, LAYER_GRADIENTS, BACKWARD, GD_STEP, TRAIN_STEP, TRAIN, XOR_TASK, DIAMOND_TASK),
    provided=PROVIDED,
    data=DATA,
    written=WRITTEN,
    promises={**OUTPUT_DELTA_PROMISES, **HIDDEN_DELTA_PROMISES, **LAYER_GRADIENTS_PROMISES, **BACKWARD_PROMISES,
              **GD_STEP_PROMISES, **TRAIN_STEP_PROMISES, **TRAIN_PROMISES},
    # In the unit parts, the reference stands in for these; the XOR and diamond tasks run the student's own code.
    calls={"backprop.backward": ("backprop.output_delta", "backprop.hidden_delta", "backprop.layer_gradients"),
           "training.train_step": ("backprop.backward", "training.gd_step"),
           "training.train": ("training.train_step",)},
)
