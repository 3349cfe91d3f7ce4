"""Assignment 2: activations and their derivatives, softmax and losses, and the forward pass."""
import numpy as np

from ..core.inputs import away_from_zero, binary_labels, extremes, normal, one_hot_labels, uniform, with_zeros
from ..core.spec import Assignment, Case, Check, Misconception, Part, Promise, Written
from . import _promises as promise
from . import _sigmoid_bugs as sigmoid_bugs
from ._promises import UNCHANGED, arg

EXTREMES = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
# Exact zeros next to values on both sides: where the ReLU family's derivative conventions show.
KINKS = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0], [0.0, 1.5, -1.5, 0.0, 3.0]])
# Any large finite loss passes: what is checked is the type, that the value is finite and at least 5 (a confident
# mistake must cost a lot: -log of a clip at 1e-3 is 6.9; at machine epsilon, 36), and that nothing warned.
ANY_FINITE = {"rtol": np.inf, "atol": np.inf, "at_least": 5.0}
LOG_OF_ZERO = ("log(0): a probability of exactly 0 (or 1, for log(1 - a)) makes log return -inf, and 0 * -inf is "
               "nan. Clip the probabilities to [eps, 1 - eps] with a tiny eps first, as np.clip(p, 1e-12, 1.0) does")
# Unclipped losses. On a check of any large finite value, only a value that is not finite reaches the diagnosis (a
# finite one too small is named there and then), so the variant's nan or inf stands for log(0) itself.
CE_LOG_OF_ZERO = Misconception("log_of_zero", LOG_OF_ZERO,
                               lambda ref, p, Y: -float(np.sum(Y * np.log(p)) / p.shape[0]))
BCE_LOG_OF_ZERO = Misconception("log_of_zero", LOG_OF_ZERO,
                                lambda ref, a, y: -float(np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))))

# Seed 001's worked example: a 3-4-4-3 network with sigmoid hidden layers, a softmax output and zero biases.
SEED_W1 = np.array([[2, -1, 1, 4], [-1, 2, -3, 1], [3, -2, -1, 5]], dtype=np.float64)
SEED_W2 = np.array([[3, 1, -2, 1], [-2, 4, 1, -4], [-1, -3, 2, -5], [3, 1, 1, 1]], dtype=np.float64)
SEED_W3 = np.array([[-1, 3, -2], [1, -1, -3], [3, -2, 2], [1, 2, 1]], dtype=np.float64)
SEED_PARAMS = [(SEED_W1, np.zeros(4)), (SEED_W2, np.zeros(4)), (SEED_W3, np.zeros(3))]
SEED_ACTIVATIONS = ["sigmoid", "sigmoid", "softmax"]
SEED_X = np.array([[0.5, 0.8, 0.2], [0.1, 0.9, 0.6], [0.2, 0.2, 0.3], [0.6, 0.1, 0.9], [0.5, 0.5, 0.4],
                   [0.9, 0.1, 0.9], [0.1, 0.8, 0.7]])
SEED_Y_OUT = np.array([[0.72780576, 0.26927918, 0.00291506],
                       [0.62054212, 0.37682531, 0.00263257],
                       [0.69267581, 0.30361576, 0.00370844],
                       [0.36618794, 0.63016955, 0.00364252],
                       [0.57199769, 0.42519820, 0.00280411],
                       [0.38373781, 0.61163804, 0.00462415],
                       [0.52510443, 0.47250110, 0.00239447]])
# The printed numbers have 8 decimals, so they are within 5e-9 of the exact ones.
SEED_TOLERANCE = {"rtol": 0.0, "atol": 1e-8}


def _probs(seed, n, classes, scale=1.0):
    """An (n, classes) matrix whose rows are probability distributions, from fixed-seed logits."""
    z = normal(seed, n, classes, scale=scale)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _layers(seed, sizes, bias_scale=0.5):
    """Fixed-seed parameters [(W_l, b_l)] for layer sizes [D_0, ..., D_L], with non-zero biases."""
    return [(normal(seed + 10 * l, d_in, d_out), normal(seed + 10 * l + 1, d_out, scale=bias_scale))
            for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]))]


def _seed_expected(ref, case):
    """On seed 001's network, its printed y_out (the first rows, as many as the batch holds) and the reference
    cache; on the hidden twin's network of the same shapes, the reference's own output."""
    A_out, cache = ref.forward.forward_pass(*case.args)
    return (SEED_Y_OUT[:len(case.args[0])] if case.args[1] is SEED_PARAMS else A_out), cache


def _seed_like_network(seed):
    """A network of the worked example's shapes (3-4-4-3, sigmoid, sigmoid, softmax) with small integer weights, as
    the course notes write them, and inputs in [0, 1)."""
    rng = np.random.default_rng(seed)
    params = [(rng.integers(-5, 6, size=W.shape).astype(np.float64), np.zeros(W.shape[1])) for W, _ in SEED_PARAMS]
    return np.round(rng.uniform(0.0, 1.0, size=SEED_X.shape), 1), params


def _forward_variant(ref, X, params, names, bias=True, last_activation=True):
    """What forward_pass returns when the biases are skipped or the last layer's activation is left off."""
    functions = ref.forward.layer_functions(params, names)
    A = np.asarray(X, dtype=np.float64)
    cache = {"A": [A], "Z": []}
    for layer, ((W, b), f) in enumerate(zip(params, functions), start=1):
        Z = A @ W + (b if bias else 0.0)
        A = f(Z) if (last_activation or layer < len(params)) else Z
        cache["Z"].append(Z)
        cache["A"].append(A)
    return A, cache


def _functions_from_get(ref, X, params, names):
    """Each layer's function looked up with activations.get, which raises for softmax; None where it does not."""
    for name in names:
        ref.activations.get(name)
    return None


def _lower_keys(result):
    A_out, cache = result
    return A_out, {key.lower(): value for key, value in cache.items()}


def _row_shifted_exp(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))


def _naive_softmax(ref, z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _column_sum_softmax(ref, z):
    """Each row's maximum subtracted, as it should be, but the sum taken down the columns."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _global_max_softmax(ref, z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _naive_tanh(ref, z):
    z = np.asarray(z, dtype=np.float64)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def _forward_with(ref, X, params, names, *, cache_a_as_z=False, output_twice=False, names_used=None,
                  keep_input=True, same_input=False):
    """The reference forward pass with one classic slip: the cache's Z holds A; the output activation applied
    once more to the output returned; other activations used (``names_used``); A_0 = X left out of the cache;
    every layer fed X."""
    functions = ref.forward.layer_functions(params, names_used or names)
    X = np.asarray(X, dtype=np.float64)
    A = X
    cache = {"A": [A] if keep_input else [], "Z": []}
    for layer, ((W, b), f) in enumerate(zip(params, functions), start=1):
        Z = ref.forward.dense(X if same_input else A, W, b)
        A = f(Z)
        cache["Z"].append(A if cache_a_as_z else Z)
        cache["A"].append(A)
    return (functions[-1](A) if output_twice else A), cache


PYTHON_MAX = Misconception("python_max", "Python's max compares whole arrays and cannot: use np.maximum, which "
                           "compares element by element", lambda ref, z, *args, **kwargs: max(0.0, z),
                           raises="ValueError: ambiguous")
WHERE_INT = Misconception("where_int", "np.where(z > 0, 1, 0) gives integers: write the floats 1.0 and 0.0",
                          lambda ref, z: np.where(z > 0, 1, 0))
LOSS_NOT_REDUCED = ("the loss of each sample is returned: average them into one float, the mean over the batch")
SOFTMAX_AXIS = "softmax normalised over the wrong axis: each row (one sample) must sum to 1"
SIGMOID_SIGN = Misconception("sigmoid_sign", "the sign of z is flipped: sigmoid(z) = 1 / (1 + exp(-z))",
                             lambda ref, z: ref.activations.sigmoid(-z))
LEAKY_RETURNS_ONE = Misconception(
    "leaky_relu_returns_one", "for z > 0 leaky ReLU returns z itself, not 1 (1 is its slope there, which belongs "
    "in leaky_relu_prime)", lambda ref, z, alpha=0.01: np.where(z > 0, 1.0, alpha * z))


def _alpha_ignored(function):
    """A misconception of ``activations.<function>``: it uses the default slope whatever alpha it is given."""
    return Misconception("alpha_ignored", "alpha is ignored: use the alpha argument instead of a fixed 0.01",
                         lambda ref, z, alpha=0.01: getattr(ref.activations, function)(z))


ACTIVATION_VALUES = Part("activations", "Activation functions", 2, (
    Check("match", "activations.sigmoid", title="values", cases=(
        Case((normal(1, 4, 3, scale=3.0),), public=True),
        Case((normal(10001, 4, 3, scale=3.0),)),
        Case((normal(2, 2, 3, 5, scale=4.0),)),
        Case((normal(20001, 2, 3, 5, scale=4.0),), public=True),
    ), misconceptions=(SIGMOID_SIGN,)),
    Check("match", "activations.tanh", title="values", cases=(
        Case((normal(3, 4, 3, scale=2.0),), public=True),
        Case((normal(10003, 4, 3, scale=2.0),)),
        Case((normal(4, 9, scale=3.0),)),
        Case((normal(20003, 9, scale=3.0),), public=True),
        Case((normal(20004, 3, 2, 4, scale=2.0),), public=True),
        Case((normal(30004, 3, 2, 4, scale=2.0),)),
    )),
    Check("robust", "activations.sigmoid", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((extremes(10061),)),
        Case((EXTREMES.reshape(7, 1) * np.ones((1, 3)),)),
    ), misconceptions=sigmoid_bugs.OVERFLOW),
    Check("robust", "activations.tanh", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((extremes(10062),)),
    ), misconceptions=(
        Misconception("tanh_overflow", "(e^z - e^-z) / (e^z + e^-z) overflows to inf / inf = nan for large |z|: use "
                      "np.tanh, or write it with exp(-2|z|), which never overflows", _naive_tanh),
    )),
    Check("match", "activations.relu", title="values", cases=(
        Case((KINKS,), public=True),
        Case((with_zeros(10005, 2, 5),)),
        Case((normal(5, 3, 4, 2),)),
        Case((with_zeros(20005, 3, 4, 2),), public=True),
        Case((with_zeros(20105, 9),), public=True),
        Case((with_zeros(30105, 9),)),
    ), misconceptions=(PYTHON_MAX,)),
    Check("match", "activations.leaky_relu", title="values", cases=(
        Case((KINKS,), public=True),
        Case((with_zeros(10006, 2, 5),)),
        Case((normal(6, 5, 3, scale=2.0),)),
        Case((with_zeros(20006, 9),), public=True),
        Case((with_zeros(30006, 9),)),
        Case((with_zeros(20106, 3, 4, 2),), public=True),
        Case((with_zeros(30106, 3, 4, 2),)),
        Case((normal(8, 4, 6, scale=2.0),), {"alpha": 0.3}, public=True),
        Case((normal(7, 4, 6, scale=2.0),), {"alpha": 0.2}),
    ), misconceptions=(LEAKY_RETURNS_ONE, _alpha_ignored("leaky_relu"), PYTHON_MAX)),
))

# What each activation's docstring promises: any shape; +-1000 without a warning (sigmoid, tanh); the kink at 0 and
# both signs (the ReLU family); alpha given, and its default (leaky ReLU).
ZEROS_BOTH_SIGNS = Promise("exact zeros next to values of both signs",
                           arg(0, lambda z: promise.exact_zeros(z) and promise.both_signs(z)))
ALPHA_GIVEN = Promise("alpha given", lambda z, **kwargs: "alpha" in kwargs)
ALPHA_DEFAULT = Promise("alpha left at its default", lambda z, **kwargs: "alpha" not in kwargs)
ACTIVATION_PROMISES = {
    "activations.sigmoid": (*promise.any_shape(), promise.no_warning(), UNCHANGED),
    "activations.tanh": (*promise.any_shape(), promise.no_warning(), UNCHANGED),
    "activations.relu": (*promise.any_shape(), ZEROS_BOTH_SIGNS, UNCHANGED),
    "activations.leaky_relu": (*promise.any_shape(), ZEROS_BOTH_SIGNS, ALPHA_GIVEN, ALPHA_DEFAULT, UNCHANGED),
}

DERIVATIVES = Part("derivatives", "Derivatives, taken at z", 3, (
    Check("match", "activations.sigmoid_prime", title="values", cases=(
        Case((normal(11, 4, 3, scale=2.0),), public=True),
        Case((normal(10011, 4, 3, scale=2.0),)),
        Case((normal(12, 2, 3, 4, scale=3.0),)),
        Case((normal(20012, 2, 3, 4, scale=3.0),), public=True),
    ), misconceptions=(
        Misconception("sigmoid_prime_of_a", "sigmoid_prime takes z, the pre-activation, not a = sigmoid(z): return "
                      "sigmoid(z) * (1 - sigmoid(z)), not z * (1 - z)",
                      lambda ref, z: z * (1.0 - z)),
        Misconception("sigmoid_prime_factor", "the factor (1 - sigmoid(z)) is missing: sigmoid'(z) = sigmoid(z) * "
                      "(1 - sigmoid(z))", lambda ref, z: ref.activations.sigmoid(z)),
        Misconception("sigmoid_prime_twice", "the sigmoid is applied twice: sigmoid_prime evaluates the sigmoid once, "
                      "at z itself, and sigmoid(sigmoid(z)) is another number",
                      lambda ref, z: ref.activations.sigmoid_prime(ref.activations.sigmoid(z))),
        Misconception("sigmoid_prime_mixed", "z and sigmoid(z) are mixed: both factors come from sigmoid(z), "
                      "sigmoid(z) * (1 - sigmoid(z))", lambda ref, z: ref.activations.sigmoid(z) * (1.0 - z)),
    )),
    Check("robust", "activations.sigmoid_prime", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((extremes(10063),)),
    ), misconceptions=(
        Misconception("sigmoid_prime_overflow", "exp(-z) / (1 + exp(-z))**2 overflows to inf / inf = nan for large "
                      "negative z: take the sigmoid from your stable sigmoid function, then its slope from it",
                      lambda ref, z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2),
    )),
    Check("match", "activations.tanh_prime", title="values", cases=(
        Case((normal(13, 4, 3, scale=2.0),), public=True),
        Case((normal(10013, 4, 3, scale=2.0),)),
        Case((normal(14, 11, scale=2.0),)),
        Case((normal(20014, 11, scale=2.0),), public=True),
        Case((normal(20114, 3, 2, 4, scale=2.0),), public=True),
        Case((normal(30114, 3, 2, 4, scale=2.0),)),
    ), misconceptions=(
        Misconception("tanh_prime_of_a", "tanh_prime takes z, the pre-activation, not a = tanh(z): return "
                      "1 - tanh(z)**2, not 1 - z**2", lambda ref, z: 1.0 - z ** 2),
        Misconception("tanh_prime_square", "tanh is not squared: tanh'(z) = 1 - tanh(z)**2",
                      lambda ref, z: 1.0 - ref.activations.tanh(z)),
        Misconception("tanh_prime_parentheses", "the square belongs to tanh(z) alone: 1 - tanh(z)**2, not "
                      "(1 - tanh(z))**2", lambda ref, z: (1.0 - ref.activations.tanh(z)) ** 2),
    )),
    Check("robust", "activations.tanh_prime", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((extremes(10064),)),
    )),
    Check("match", "activations.relu_prime", title="values", cases=(
        Case((KINKS,), public=True),
        Case((with_zeros(10015, 2, 5),)),
        Case((away_from_zero(15, 3, 5),)),
        Case((with_zeros(20015, 9),), public=True),
        Case((with_zeros(30015, 9),)),
        Case((with_zeros(20115, 3, 4, 2),), public=True),
        Case((with_zeros(30115, 3, 4, 2),)),
    ), misconceptions=(
        Misconception("relu_prime_at_zero", "relu_prime(0) must be 0 in this kit: use z > 0, not z >= 0",
                      lambda ref, z: (z >= 0).astype(np.float64)),
        Misconception("comparison_not_float", "a comparison such as z > 0 gives booleans: turn them into float64 "
                      "with .astype(np.float64)", lambda ref, z: z > 0),
        WHERE_INT,
    )),
    Check("match", "activations.leaky_relu_prime", title="values", cases=(
        Case((KINKS,), public=True),
        Case((with_zeros(10016, 2, 5),)),
        Case((with_zeros(20016, 9),), public=True),
        Case((with_zeros(30016, 9),)),
        Case((with_zeros(20116, 3, 4, 2),), public=True),
        Case((with_zeros(30116, 3, 4, 2),)),
        Case((away_from_zero(17, 4, 3),), {"alpha": 0.3}, public=True),
        Case((away_from_zero(16, 4, 3),), {"alpha": 0.2}),
    ), misconceptions=(
        Misconception("leaky_relu_prime_at_zero", "leaky_relu_prime(0) must be alpha in this kit: use z > 0, "
                      "not z >= 0", lambda ref, z, alpha=0.01: np.where(z >= 0, 1.0, alpha)),
        _alpha_ignored("leaky_relu_prime"),
    )),
))

# The derivatives take z, not a: values outside [0, 1] show the difference. Any shape; +-1000 without a warning
# (sigmoid, tanh); the ReLU family's value at exactly 0; alpha given, and its default.
AT_Z = Promise("z outside [0, 1], where a derivative of a instead of z differs", arg(0, promise.outside_unit))
DERIVATIVE_PROMISES = {
    "activations.sigmoid_prime": (*promise.any_shape(), AT_Z, promise.no_warning(), UNCHANGED),
    "activations.tanh_prime": (*promise.any_shape(), AT_Z, promise.no_warning(), UNCHANGED),
    "activations.relu_prime": (*promise.any_shape(), ZEROS_BOTH_SIGNS, UNCHANGED),
    "activations.leaky_relu_prime": (*promise.any_shape(), ZEROS_BOTH_SIGNS, ALPHA_GIVEN, ALPHA_DEFAULT, UNCHANGED),
}

SOFTMAX = Part("softmax", "Softmax, stable and row-wise", 2, (
    Check("match", "losses.softmax", title="batch", cases=(
        Case((normal(21, 5, 3),), public=True),
        Case((normal(10021, 5, 3),)),
        Case((normal(22, 4, 6, scale=3.0),)),
        Case((normal(23, 2, 7),)),
    ), misconceptions=(
        Misconception("softmax_axis", SOFTMAX_AXIS, lambda ref, z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)),
        Misconception("softmax_axis", SOFTMAX_AXIS, _column_sum_softmax),
        *(Misconception("softmax_whole_array", "softmax normalised over the whole array: each row (one sample) "
                        "must sum to 1 on its own", variant) for variant in (
            lambda ref, z: np.exp(z) / np.exp(z).sum(),
            lambda ref, z: _row_shifted_exp(z) / _row_shifted_exp(z).sum())),
        Misconception("softmax_max_axis", "the maximum is subtracted per column: subtract each row's own maximum "
                      "(axis=-1, keepdims=True)",
                      lambda ref, z: _naive_softmax(ref, z - z.max(axis=0, keepdims=True))),
        Misconception("softmax_keepdims", "the row sums have shape (N,), which does not broadcast against (N, C): "
                      "sum with keepdims=True", lambda ref, z: np.exp(z) / np.exp(z).sum(axis=-1), raises="ValueError"),
    )),
    Check("match", "losses.softmax", title="one sample", cases=(
        Case((normal(24, 6, scale=2.0),), public=True),
        Case((normal(10024, 6, scale=2.0),)),
    ), misconceptions=(
        Misconception("softmax_axis_1", "axis=1 does not exist for one sample (a 1-D array): use axis=-1, the last "
                      "axis, which works for a single sample and for a batch",
                      lambda ref, z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), raises="AxisError"),
        Misconception("softmax_two_dims", "[:, None] needs two dimensions, and one sample has one: sum with "
                      "axis=-1, keepdims=True, which works for a single sample and for a batch",
                      lambda ref, z: np.exp(z) / np.exp(z).sum(axis=-1)[:, None], raises="IndexError"),
    )),
    Check("robust", "losses.softmax", title="large logits", cases=(
        Case((np.array([1000.0, 1001.0, 999.0]),), public=True),
        Case((-800.0 + np.round(normal(10025, 3), 2),)),
        # rows far apart: one maximum for the whole array underflows every row below it
        Case((np.array([[900.0, 902.0, 901.0, 899.5], [-900.0, -901.0, -899.0, -902.0], [1.0, -1.0, 0.0, 2.0]]),),
             public=True),
        Case((np.array([[1000.0, 1001.0, 999.0, 1000.5], [-1000.0, -999.0, -1001.0, -1000.0],
                        [0.0, 2.0, -1.0, 1.0]]),)),
        # logits far apart inside a row: only the row's maximum keeps every exp in range
        Case((np.array([[1000.0, 0.0, -1000.0, 500.0], [3.0, -2.0, 1.0, 0.5]]),), public=True),
        Case((np.array([[-50.0, 800.0, -900.0, 0.0], [-1.0, 2.0, -3.0, 4.0]]),)),
    ), misconceptions=(
        Misconception("softmax_overflow", "exp overflows for large logits: subtract each row's maximum before "
                      "taking exp, which leaves softmax unchanged", _naive_softmax),
        Misconception("softmax_global_max", "one maximum is subtracted for the whole array, so rows far below it "
                      "underflow to 0 / 0: subtract each row's own maximum (axis=-1, keepdims=True)",
                      _global_max_softmax),
    )),
))

SOFTMAX_PROMISES = {
    "losses.softmax": (
        Promise("one sample, shape (C,)", arg(0, promise.axes(1))),
        Promise("a batch (N, C) with N != C", arg(0, promise.distinct_sizes)),
        Promise("logits as large as 1000 without overflow or warning",
                arg(0, lambda z: bool(np.any(np.abs(z) > promise.OVERFLOWS))), kinds=("robust",)),
        Promise("rows far apart: each row shifted by its own maximum",
                arg(0, lambda z: z.ndim == 2 and np.ptp(z.max(axis=1)) > 1000), kinds=("robust",)),
        Promise("logits far apart inside one row: shifted by the row's maximum, not another of its values",
                arg(0, lambda z: np.ptp(z, axis=-1).max() > promise.OVERFLOWS), kinds=("robust",)),
        UNCHANGED),
}

LOSSES = Part("losses", "One-hot labels and losses", 3, (
    Check("match", "losses.one_hot", title="values", cases=(
        Case((np.array([2, 0, 1, 1, 3, 0]), 5), public=True),
        Case((np.random.default_rng(10026).integers(0, 4, size=6), 6)),  # like the public case: a class unused
        Case((np.array([6, 0, 3, 3]), 7)),
    ), misconceptions=(
        Misconception("one_hot_classes_from_labels", "the number of columns comes from the labels: use num_classes, "
                      "since a batch need not hold every class",
                      lambda ref, labels, classes: np.eye(labels.max() + 1)[labels]),
        Misconception("one_hot_int", "the one-hot rows are integers: make them float64, np.zeros((N, C)) with its "
                      "default dtype",
                      lambda ref, labels, classes: ref.losses.one_hot(labels, classes).astype(np.int64)),
        Misconception("one_hot_bool", "the comparison gives booleans: turn them into float64 with "
                      ".astype(np.float64)", lambda ref, labels, classes: ref.losses.one_hot(labels, classes) > 0.5),
        Misconception("one_hot_transposed", "the matrix is (C, N): one ROW per label, so Y has shape (N, C) and "
                      "Y[n, labels[n]] = 1", lambda ref, labels, classes: ref.losses.one_hot(labels, classes).T),
        Misconception("one_hot_whole_columns", "Y[:, labels] = 1 fills whole columns: set one entry per row, "
                      "Y[np.arange(N), labels] = 1",
                      lambda ref, labels, classes: np.repeat(ref.losses.one_hot(labels, classes).max(axis=0)[None],
                                                             len(labels), axis=0)),
    )),
    Check("match", "losses.cross_entropy", title="values", cases=(
        Case((_probs(31, 5, 3), one_hot_labels(32, 5, 3)), public=True),
        Case((_probs(10031, 5, 3), one_hot_labels(10032, 5, 3))),
        Case((_probs(33, 8, 4, scale=3.0), one_hot_labels(34, 8, 4))),
    ), misconceptions=(
        Misconception("cross_entropy_sum", "the loss is summed over the batch: divide by N, the number of samples",
                      lambda ref, p, Y: -float(np.sum(Y * np.log(p)))),
        Misconception("cross_entropy_mean_all", "the loss is averaged over all N * C entries: sum over the classes, "
                      "then average over the N samples only", lambda ref, p, Y: -float(np.mean(Y * np.log(p)))),
        Misconception("cross_entropy_axis", "the sum runs over the wrong axis: sum over the classes (axis 1) for "
                      "each sample, then average over the samples",
                      lambda ref, p, Y: -float(np.mean(np.sum(Y * np.log(p), axis=0)))),
        Misconception("cross_entropy_sign", "the minus sign is missing: the loss is -sum(Y log p) / N, which is never "
                      "negative", lambda ref, p, Y: -ref.losses.cross_entropy(p, Y)),
        Misconception("cross_entropy_binary_form", "this is the binary loss summed over the classes: with one-hot Y "
                      "the cross-entropy is only -sum(Y log p), with no (1 - Y) log(1 - p) term",
                      lambda ref, p, Y: -float(np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1)))),
        Misconception("loss_not_reduced", LOSS_NOT_REDUCED, lambda ref, p, Y: -np.sum(Y * np.log(p), axis=1)),
    )),
    Check("robust", "losses.cross_entropy", title="probabilities of 0 and 1", cases=(
        Case((np.array([[1.0, 0.0, 0.0], [0.0, 0.3, 0.7], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]),
              np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])), public=True),
        Case((np.array([[0.0, 0.0, 1.0], [0.6, 0.4, 0.0], [0.0, 1.0, 0.0], [0.1, 0.0, 0.9]]),
              np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))),
    ), misconceptions=(CE_LOG_OF_ZERO,)),
    Check("robust", "losses.cross_entropy", title="true class at probability 0 (any large finite value)",
          options=ANY_FINITE, cases=(
              Case((np.array([[0.0, 0.0, 1.0], [0.7, 0.0, 0.3]]), np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])),
                   public=True),
              Case((np.array([[0.0, 1.0, 0.0], [0.2, 0.8, 0.0]]), np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))),
          ), misconceptions=(CE_LOG_OF_ZERO,)),
    Check("match", "losses.binary_cross_entropy", title="values", cases=(
        Case((uniform(35, 6, low=0.05, high=0.95), binary_labels(36, 6)[:, 0]), public=True),
        Case((uniform(10035, 6, low=0.05, high=0.95), binary_labels(10036, 6)[:, 0])),
        Case((uniform(37, 7, 1, low=0.01, high=0.99), binary_labels(38, 7))),
        Case((uniform(20037, 7, 1, low=0.01, high=0.99), binary_labels(20038, 7)), public=True),
    ), misconceptions=(
        Misconception("bce_sum", "the loss is summed over the batch: take the mean over the N samples",
                      lambda ref, a, y: -float(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))),
        Misconception("bce_sign", "the minus sign is missing: the loss is -(y log a + (1 - y) log(1 - a)), which is "
                      "never negative", lambda ref, a, y: -ref.losses.binary_cross_entropy(a, y)),
        Misconception("bce_labels_swapped", "the labels are swapped: y goes with log a and 1 - y with log(1 - a)",
                      lambda ref, a, y: ref.losses.binary_cross_entropy(a, 1.0 - y)),
        Misconception("loss_not_reduced", LOSS_NOT_REDUCED,
                      lambda ref, a, y: -(y * np.log(a) + (1 - y) * np.log(1 - a))),
    )),
    Check("robust", "losses.binary_cross_entropy", title="predictions of exactly 0 and 1", cases=(
        Case((np.array([0.0, 1.0, 0.3, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 1.0, 0.0])), public=True),
        Case((np.array([1.0, 0.0, 0.0, 0.8, 1.0]), np.array([1.0, 0.0, 0.0, 0.0, 1.0]))),
        Case((np.array([[1.0], [0.0], [0.9]]), np.array([[1.0], [0.0], [0.0]]))),
    ), misconceptions=(BCE_LOG_OF_ZERO,)),
    Check("robust", "losses.binary_cross_entropy", title="confidently wrong (any large finite value)", options=ANY_FINITE,
          cases=(Case((np.array([1.0, 0.2, 0.0]), np.array([0.0, 1.0, 1.0])), public=True),
                 Case((np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])))),
          misconceptions=(BCE_LOG_OF_ZERO,)),
))

LOSS_PROMISES = {
    "losses.one_hot": (
        Promise("num_classes larger than any label: a class no label uses",
                lambda labels, classes: classes > labels.max() + 1),
        Promise("labels in any order, with repeats", lambda labels, classes: len(set(labels)) < len(labels)),
        UNCHANGED),
    "losses.cross_entropy": (
        Promise("a batch (N, C) with N != C", arg(0, promise.distinct_sizes)),
        Promise("probabilities of exactly 0 and 1, without a warning", arg(0, promise.exact_probabilities),
                kinds=("robust",)),
        UNCHANGED),
    "losses.binary_cross_entropy": (
        Promise("a of shape (N,)", arg(0, promise.axes(1))),
        Promise("a of shape (N, 1)", arg(0, promise.axes(2))),
        Promise("predictions of exactly 0 and 1, without a warning", arg(0, promise.exact_probabilities),
                kinds=("robust",)),
        UNCHANGED),
}

FORWARD_BUGS = (
    Misconception("forward_bias_missing", "the biases are not added: Z_l = A_(l-1) @ W_l + b_l",
                  lambda ref, X, params, names: _forward_variant(ref, X, params, names, bias=False)),
    Misconception("last_activation_missing", "the last layer's activation is left off: A_L = f_L(Z_L) too",
                  lambda ref, X, params, names: _forward_variant(ref, X, params, names, last_activation=False)),
    Misconception("cache_a_for_z", "the cache's Z list holds the activations: keep each layer's pre-activation Z_l "
                  "= A_(l-1) @ W_l + b_l there, which backpropagation needs for f'(Z_l)",
                  lambda ref, X, params, names: _forward_with(ref, X, params, names, cache_a_as_z=True)),
    Misconception("output_activation_twice", "the output activation is applied twice: A_L = f_L(Z_L), once",
                  lambda ref, X, params, names: _forward_with(ref, X, params, names, output_twice=True)),
    Misconception("sigmoid_everywhere", "every layer uses the sigmoid: each layer l uses its own activation, "
                  "activations[l]",
                  lambda ref, X, params, names: _forward_with(ref, X, params, names,
                                                              names_used=["sigmoid"] * len(names))),
    Misconception("cache_without_input", "the cache's A list leaves out the input: it starts with A_0 = X, so it "
                  "holds one entry more than Z",
                  lambda ref, X, params, names: _forward_with(ref, X, params, names, keep_input=False)),
    Misconception("forward_same_input", "every layer is fed X: layer l takes the previous layer's activation "
                  "A_(l-1) as its input",
                  lambda ref, X, params, names: _forward_with(ref, X, params, names, same_input=True),
                  raises="ValueError"),
    Misconception("activation_name_called", "activations holds names, not functions: layer_functions(params, "
                  "activations) gives each layer's function",
                  lambda ref, X, params, names: names[0](X), raises="TypeError: not callable"),
    Misconception("softmax_from_get", "activations.get knows no softmax: layer_functions(params, activations) gives "
                  "every layer's function, softmax included",
                  _functions_from_get, raises="ValueError: unknown"),
    Misconception("returns_swapped", "the pair comes back the wrong way round: return (A_out, cache), the output first",
                  lambda ref, X, params, names: ref.forward.forward_pass(X, params, names)[::-1]),
    Misconception("cache_keys", "the cache's keys are the capital letters 'A' and 'Z'",
                  lambda ref, X, params, names: _lower_keys(ref.forward.forward_pass(X, params, names))),
)

# Seed 001's network and its hidden twins have zero biases, so a missing bias cannot show there.
SEED_BUGS = tuple(m for m in FORWARD_BUGS if m.key != "forward_bias_missing")

FORWARD = Part("forward", "The forward pass", 4, (
    Check("match", "forward.dense", title="values", cases=(
        Case((normal(41, 5, 3), normal(42, 3, 4), normal(43, 4)), public=True),
        Case((normal(10041, 5, 3), normal(10042, 3, 4), normal(10043, 4))),
        Case((normal(44, 2, 6), normal(45, 6, 3), normal(46, 3))),
    ), misconceptions=(
        Misconception("bias_missing", "the bias b is not added to A_prev @ W", lambda ref, A, W, b: A @ W),
        Misconception("dense_transposed", "Z is computed column by column and comes out as (D_out, N): rows are "
                      "samples in this kit, so Z = A_prev @ W + b", lambda ref, A, W, b: (A @ W + b).T),
        Misconception("bias_column", "b is added as a column (D_out, 1), as with one sample per column: here rows are "
                      "samples and b, of shape (D_out,), is added to every row",
                      lambda ref, A, W, b: A @ W + b[:, None],
                      raises="ValueError: broadcast"),
        Misconception("dense_order", "the matrix product does not line up: rows are samples, so Z = A_prev @ W + b, "
                      "with A_prev (N, D_in) and W (D_in, D_out) as they are, with no transpose",
                      lambda ref, A, W, b: W @ A + b, raises="ValueError"),
        Misconception("dense_order", "the matrix product does not line up: rows are samples, so Z = A_prev @ W + b, "
                      "with A_prev (N, D_in) and W (D_in, D_out) as they are, with no transpose",
                      lambda ref, A, W, b: A @ W.T + b, raises="ValueError"),
    )),
    Check("match", "forward.forward_pass", title="seed 001 worked example", expected=_seed_expected,
          options=SEED_TOLERANCE, misconceptions=SEED_BUGS, cases=(
              Case((SEED_X[:1], SEED_PARAMS, SEED_ACTIVATIONS), public=True, label="x_in"),
              Case((SEED_X, SEED_PARAMS, SEED_ACTIVATIONS), public=True, label="x_mat_in"),
              Case((_seed_like_network(10044)[0][:1], _seed_like_network(10044)[1], SEED_ACTIVATIONS),
                   label="hidden network, one sample"),
              Case((*_seed_like_network(10045), SEED_ACTIVATIONS), label="hidden network, batch"),
          )),
    Check("match", "forward.forward_pass", title="output and cache", cases=(
        Case((normal(51, 5, 3), _layers(52, [3, 4, 2]), ["tanh", "sigmoid"]), public=True),
        Case((normal(10051, 5, 3), _layers(10052, [3, 4, 2]), ["tanh", "sigmoid"])),
        Case((normal(53, 6, 4), _layers(54, [4, 5, 3, 2]), ["relu", "leaky_relu", "softmax"])),
        Case((normal(20053, 6, 4), _layers(20054, [4, 5, 3, 2]), ["relu", "leaky_relu", "softmax"]), public=True),
        Case((normal(55, 4, 3), _layers(56, [3, 5]), ["softmax"])),
        Case((normal(20055, 4, 3), _layers(20056, [3, 5]), ["softmax"]), public=True),
    ), misconceptions=FORWARD_BUGS),
))

FORWARD_PROMISES = {
    "forward.dense": (
        Promise("N, D_in and D_out all different", lambda A, W, b: len({A.shape[0], *W.shape}) == 3),
        Promise("non-zero biases", lambda A, W, b: bool(np.any(b != 0))),
        UNCHANGED),
    "forward.forward_pass": (
        Promise("one layer", lambda X, params, names: len(params) == 1),
        Promise("two layers or more", lambda X, params, names: len(params) >= 2),
        Promise("one sample", lambda X, params, names: X.shape[0] == 1),
        *(Promise(f"a {name} layer", lambda X, params, names, name=name: name in names)
          for name in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")),
        Promise("non-zero biases", lambda X, params, names: any(np.any(b != 0) for _, b in params)),
        UNCHANGED),
}


# -- written questions, graded by hand (their prompts are in notebooks/a2_forward.py) ------------------------------
WRITTEN = (
    Written("derivative_at_z", "Why a derivative is taken at z", 2, rubric=(
        (1, "The chain rule multiplies by the slope of a = f(z) at the point the layer computed, f'(z) at its own "
            "pre-activation. Handing a to a function that expects z measures the slope somewhere else: "
            "sigmoid_prime(sigmoid(2)) is about 0.207, while the true slope at z = 2 is about 0.105. Every "
            "gradient through that layer is then wrong."),
        (0.5, "a (1 - a) and 1 - a^2 are the same slopes written with the output, handy when a is already known. "
              "The kit defines every derivative on z so that one rule holds for all activations and matches the Z "
              "the forward pass keeps in its cache."),
        (0.5, "ReLU hides the mistake: relu(z) > 0 exactly when z > 0, so relu_prime(relu(z)) equals "
              "relu_prime(z). With sigmoid or tanh the same call gives different numbers."),
    )),
    Written("softmax_shift", "Why softmax subtracts the maximum", 1, rubric=(
        (0.5, "It changes nothing: subtracting one constant c from every logit of a row multiplies each exp by "
              "exp(-c), which cancels between the numerator and the sum below it."),
        (0.5, "It prevents overflow: afterwards the largest number exp sees is 0, so exp returns at most 1. "
              "Without it, logits near 1000 give exp(1000) = inf and inf / inf = nan, with a warning. Full marks "
              "need the maximum taken per row (per sample); the whole array's maximum can make a low row "
              "underflow to 0 / 0."),
    )),
)

ASSIGNMENT = Assignment(
    name="a2_forward",
    title="Assignment 2: activations, softmax, losses and the forward pass",
    modules=("activations", "losses", "forward"),
    parts=(ACTIVATION_VALUES, DERIVATIVES, SOFTMAX, LOSSES, FORWARD),
    written=WRITTEN,
    promises={**ACTIVATION_PROMISES, **DERIVATIVE_PROMISES, **SOFTMAX_PROMISES, **LOSS_PROMISES, **FORWARD_PROMISES},
    # The reference stands in for these when their callers are graded, so a bug costs its own part only.
    calls={"activations.sigmoid_prime": ("activations.sigmoid",),
           "activations.tanh_prime": ("activations.tanh",),
           "forward.forward_pass": ("forward.dense", "activations.sigmoid", "activations.tanh", "activations.relu",
                                    "activations.leaky_relu", "losses.softmax")},
)
