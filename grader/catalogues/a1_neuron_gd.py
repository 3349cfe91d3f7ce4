"""Assignment 1: one neuron, logic gates, and gradient descent for linear and logistic regression.

The regression cases use the lecture's linear data, y = 1.5 + 2 x1 + 5 x2 + noise, with x1 and x2 uniform on
[0, 10], N(0, 0.5) noise and a column of ones in the design matrix, so theta[0] is the intercept. The classification
cases use two Gaussian blobs in the plane, again with a column of ones.
"""
import math

import numpy as np

from ..core.inputs import binary_rows, extremes, normal, numerical_gradient, uniform
from ..core.spec import Assignment, Case, Check, Misconception, Part, Promise, Written
from . import _promises as promise
from . import _sigmoid_bugs as sigmoid_bugs
from ._promises import UNCHANGED, arg

TRUTH_TABLE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
EXTREMES = np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
LECTURE_THETA0 = np.array([3.0, 3.0, 3.0])  # the lecture's starting point
LECTURE_NAND = (np.array([-10.0, -10.0]), 14.0)  # the lecture's NAND weights: right after rounding, 0.98 before


def linear_data(seed, m):
    """The lecture's regression data: X of shape (m, 3) with columns (1, x1, x2), and y of shape (m,)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, size=(m, 2))
    noise = rng.normal(0.0, 0.5, size=m)
    X = np.column_stack([np.ones(m), x])
    return X, 1.5 + 2.0 * x[:, 0] + 5.0 * x[:, 1] + noise


def blobs(seed, m):
    """Two classes of m / 2 points each, N((-1, -1), I) for label 0 and N((1, 1), I) for label 1, shuffled.

    Returns X of shape (m, 3) with columns (1, x1, x2), and y of shape (m,) in {0.0, 1.0}.
    """
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(m) % 2).astype(np.float64)
    points = (2.0 * y[:, None] - 1.0) + rng.normal(size=(m, 2))
    return np.column_stack([np.ones(m), points]), y


def swapped_blobs(seed, m):
    """``blobs`` with the labels swapped: label 1 is the blob around (-1, -1)."""
    X, y = blobs(seed, m)
    return X, 1.0 - y


def _swapped(X, y):
    """Whether the label-1 points of a blobs data set sit around (-1, -1)."""
    return float(np.mean(X[y > 0.5, 1:])) < 0.0


def order(seed, m, epochs=1):
    """A visiting order for SGD: ``epochs`` shuffles of range(m), one after the other, from a fixed Generator."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(m) for _ in range(epochs)])


GATES_OF = {"and": np.logical_and, "or": np.logical_or, "nand": lambda a, b: ~np.logical_and(a, b),
            "xor": np.logical_xor}


def _truth(ref, case):
    """The gate's value on each row of the case's 0/1 inputs."""
    name = case.args[0] if len(case.args) == 2 else "xor"
    x = case.args[-1] > 0.5
    return GATES_OF[name](x[:, 0], x[:, 1]).astype(np.float64)


def _lecture_nand(ref, name, x):
    if name != "nand":
        return None
    return ref.neuron.neuron(x, *LECTURE_NAND)


def _gate_truth(name, x):
    x = x > 0.5
    return GATES_OF[name](x[:, 0], x[:, 1]).astype(np.float64)


def _bias_row_wrong(ref, name, x):
    """The gate's truth table with the rows (0, 0) flipped: there z = b, so only the bias decides them."""
    truth = _gate_truth(name, x)
    zeros = ~(x > 0.5).any(axis=1)
    return np.where(zeros, 1.0 - truth, truth)


def _gate_table(ref, case):
    """gate_weights is judged by what its (w, b) computes on the four rows: any weights that saturate will do, and
    w must be a float64 array of shape (2,)."""
    return {"X": TRUTH_TABLE, "y": _gate_truth(case.args[0], TRUTH_TABLE), "params_like": (np.zeros(2), 0.0)}


# The gate that a slip in its weights gives instead: AND and OR differ only in the bias, NAND is AND negated.
OTHER_GATE = {"and": "or", "or": "and", "nand": "and"}


def _xor_from(top, left, right):
    """XOR composed as top(left(a, b), right(a, b)), with exact gates: what a student's composition computes."""
    def variant(ref, x):
        hidden = np.column_stack([_gate_truth(left, x), _gate_truth(right, x)])
        return _gate_truth(top, hidden)
    return variant


def _sigmoid_of_float(ref, case):
    return float(ref.neuron.sigmoid(*case.args))


MATH_EXP = Misconception("math_not_numpy", "math.exp takes one number, not an array: use np.exp, which works "
                         "element by element", lambda ref, z: math.exp(-z), raises="TypeError")
RETURNED_LIST = ("a list came back where an array belongs: collect the values in a list if you like, then return "
                 "np.array(...) of it")
LIST_SLOTS = ((0, 1), (0,), (1,))  # which of a (path, losses) pair came back as lists


def _some_as_lists(run, slots):
    """A variant that returns ``run``'s tuple with the entries at ``slots`` turned into lists."""
    def variant(ref, *args):
        return tuple(list(value) if i in slots else value for i, value in enumerate(run(ref, *args)))
    return variant


# -- the worked example: the neuron and the gates -------------------------------------------------------------------
SIGMOID = Part("sigmoid", "A stable sigmoid", 2, (
    Check("match", "neuron.sigmoid", title="values", cases=(
        Case((normal(1, 4, 3),), public=True),
        Case((normal(10001, 4, 3),)),
        Case((normal(2, 7, scale=5.0),)),
        Case((normal(3, 2, 3, 5, scale=3.0),)),
        Case((normal(20003, 2, 3, 5, scale=3.0),), public=True),
    ), misconceptions=(
        Misconception("sigmoid_sign", "the sign of z is flipped: sigmoid(z) = 1 / (1 + exp(-z))",
                      lambda ref, z: ref.neuron.sigmoid(-z)),
        MATH_EXP,
    )),
    # "or a float": the value is judged as a float, so a 0-d array, a numpy float and a Python float all pass
    Check("match", "neuron.sigmoid", title="a float", expected=_sigmoid_of_float, cases=(
        Case((0.75,), public=True),
        Case((-1.6,)),
        Case((3.2,)),
    )),
    Check("robust", "neuron.sigmoid", title="large inputs", cases=(
        Case((EXTREMES,), public=True),
        Case((extremes(10068),)),
        Case((EXTREMES.reshape(7, 1) * np.ones((1, 3)),)),
    ), misconceptions=sigmoid_bugs.OVERFLOW),
))

SIGMOID_PROMISES = {"neuron.sigmoid": (
    *promise.any_shape(), Promise("a float", arg(0, lambda z: type(z) is float)), promise.no_warning(), UNCHANGED)}

NEURON = Part("neuron", "One neuron on a batch", 1, (
    Check("match", "neuron.neuron", title="values", cases=(
        Case((normal(4, 5, 3), normal(5, 3), 0.3), public=True),
        Case((normal(10004, 5, 3), normal(10005, 3), -0.45)),
        Case((normal(6, 8, 2), normal(7, 2), -1.2)),
    ), misconceptions=(
        Misconception("bias_missing", "the bias b is not added to x @ w",
                      lambda ref, x, w, b: ref.neuron.sigmoid(x @ w)),
        Misconception("activation_missing", "the sigmoid is not applied: the neuron returns sigmoid(x @ w + b)",
                      lambda ref, x, w, b: x @ w + b),
        Misconception("bias_after_activation", "the bias is added after the sigmoid: it belongs inside, "
                      "sigmoid(x @ w + b)", lambda ref, x, w, b: ref.neuron.sigmoid(x @ w) + b),
        Misconception("weights_times_inputs", "x * w multiplies element by element and gives an (N, D) array: the "
                      "neuron needs the weighted sum of each row, x @ w",
                      lambda ref, x, w, b: ref.neuron.sigmoid(x * w + b)),
        Misconception("bias_sign", "the bias is subtracted: z = x @ w + b",
                      lambda ref, x, w, b: ref.neuron.sigmoid(x @ w - b)),
        Misconception("weights_first", "w @ x does not line up: x holds one sample per row, so z = x @ w",
                      lambda ref, x, w, b: ref.neuron.sigmoid(w @ x + b), raises="ValueError"),
    )),
))

NEURON_PROMISES = {"neuron.neuron": (
    Promise("a batch (N, D) with N != D", arg(0, promise.distinct_sizes)),
    Promise("a non-zero bias b, a float", arg(2, lambda b: type(b) is float and b != 0.0)),
    UNCHANGED)}

GATE_NAMES = ("and", "or", "nand")
XOR_TOP = "the gate on top must be AND: XOR(a, b) = AND(OR(a, b), NAND(a, b)) is 1 where both OR and NAND are"
XOR_BELOW = ("the two gates below must be OR and NAND, side by side: XOR(a, b) = AND(OR(a, b), NAND(a, b)), so that "
             "AND sees 1 twice exactly where one input is 1")
# Every gate's whole truth table is public, so a gate wrong on a single row fails the self-check too; the hidden
# twins are the same rows in other orders (binary_rows holds each pattern once in 4 rows).
GATES = Part("gates", "AND, OR, NAND and XOR from neurons", 3, (
    Check("converge", "neuron.gate_weights", title="weights on the truth table", expected=_gate_table,
          options={"params_at": (), "predict": "neuron.gate_output", "metric": "max_error", "threshold": 0.01,
                   "label": "the neuron's outputs on the truth table", "plot": False, "fixed": True},
          cases=tuple(Case((name,), public=name == "and") for name in GATE_NAMES),
          misconceptions=(
              Misconception("gate_weights_int", "w is an array of integers: write the weights as floats, "
                            "np.array([20.0, 20.0]), since every array in this kit is float64",
                            lambda ref, name: (ref.neuron.gate_weights(name)[0].astype(np.int64),
                                               ref.neuron.gate_weights(name)[1])),
              Misconception("returned_list", RETURNED_LIST, lambda ref, name: (
                  list(ref.neuron.gate_weights(name)[0]), ref.neuron.gate_weights(name)[1])),
          )),
    Check("match", "neuron.logic_gate", title="truth table", expected=_truth, options={"atol": 0.01, "rtol": 0.0},
          cases=tuple(Case((name, TRUTH_TABLE), public=True) for name in GATE_NAMES)
          + tuple(Case((name, binary_rows(10091 + i, 4))) for i, name in enumerate(GATE_NAMES)),
          misconceptions=(
              Misconception("gate_not_saturated",
                            "the lecture's NAND weights (-10, -10, 14) are right only after rounding: sigmoid(4) "
                            "is 0.982. Scale w and b up until every output is within 0.01 of 0 or 1",
                            _lecture_nand),
              Misconception("gate_bias_row", "the output for the inputs (0, 0) is wrong: there z = b, so the bias "
                            "alone decides that row. b must be far below 0 for AND and OR, far above 0 for NAND",
                            _bias_row_wrong),
              Misconception("gate_other", "the weights compute another gate: AND and OR differ only in the bias "
                            "(AND needs both inputs to lift z above 0, OR either one), and NAND is AND with every "
                            "sign flipped", lambda ref, name, x: _gate_truth(OTHER_GATE[name], x)),
              Misconception("gate_inverted", "every output is inverted: the signs of w and b are flipped",
                            lambda ref, name, x: 1.0 - _gate_truth(name, x)),
          )),
    Check("match", "neuron.xor_gate", title="truth table", expected=_truth, options={"atol": 0.01, "rtol": 0.0},
          cases=(Case((TRUTH_TABLE,), public=True), Case((binary_rows(10095, 4),))),
          misconceptions=(
              Misconception("xor_top_gate", XOR_TOP, _xor_from("or", "or", "nand")),
              Misconception("xor_top_gate", XOR_TOP, _xor_from("nand", "or", "nand")),
              Misconception("xor_gates_below", XOR_BELOW, _xor_from("and", "and", "nand")),
              Misconception("xor_gates_below", XOR_BELOW, _xor_from("and", "or", "and")),
              Misconception("xor_gates_below", XOR_BELOW, _xor_from("and", "or", "or")),
              Misconception("xor_not_from_gates", "np.logical_xor (or ^) gives booleans, and the exercise is to build "
                            "XOR from the neuron gates: AND(OR(a, b), NAND(a, b)), which returns float64",
                            lambda ref, x: np.logical_xor(x[:, 0] > 0.5, x[:, 1] > 0.5)),
              Misconception("xor_stacked_rows", "the two hidden outputs must stand side by side, one row per sample: "
                            "np.column_stack gives shape (N, 2); np.stack without axis=1 gives (2, N)",
                            lambda ref, x: ref.neuron.logic_gate("and", np.stack([ref.neuron.logic_gate("or", x),
                                                                                  ref.neuron.logic_gate("nand", x)])),
                            raises="ValueError"),
          )),
))

GATE_PROMISES = {
    "neuron.gate_weights": (Promise("a gate's name", arg(0, lambda name: name in GATE_NAMES)),),
    "neuron.logic_gate": tuple(Promise(f"the {name} gate on every row of the truth table",
                                       lambda gate, x, name=name: gate == name and len(np.unique(x, axis=0)) == 4)
                               for name in GATE_NAMES) + (UNCHANGED,),
    "neuron.xor_gate": (Promise("every row of the truth table", arg(0, lambda x: len(np.unique(x, axis=0)) == 4)),
                        UNCHANGED),
}


# -- linear regression ----------------------------------------------------------------------------------------------
def _numerical_mse_gradient(ref, case):
    X, y, theta = case.args
    return numerical_gradient(lambda t: ref.gradient_descent.mse_loss(X, y, t), theta, h=1e-5)


MSE_LOSS = Part("mse_loss", "The mean squared error", 1, (
    Check("match", "gradient_descent.mse_loss", title="values", cases=(
        Case((*linear_data(11, 12), LECTURE_THETA0), public=True),
        Case((*linear_data(10011, 12), uniform(10012, 3, low=0.0, high=6.0))),
        Case((*linear_data(12, 30), normal(13, 3, scale=2.0))),
        Case((normal(14, 9, 4), normal(15, 9), normal(16, 4))),
    ), misconceptions=(
        Misconception("loss_summed",
                      "the squared errors are summed, not averaged: divide by the number of samples m",
                      lambda ref, X, y, theta: len(y) * ref.gradient_descent.mse_loss(X, y, theta)),
        Misconception("loss_halved", "the loss is halved: here the MSE is the plain mean of the squared errors, "
                                     "with no 1/2 in front",
                      lambda ref, X, y, theta: 0.5 * ref.gradient_descent.mse_loss(X, y, theta)),
        Misconception("loss_absolute", "this is the mean absolute error: square each residual, (X theta - y) ** 2, "
                      "instead of taking its absolute value",
                      lambda ref, X, y, theta: float(np.mean(np.abs(X @ theta - y)))),
        Misconception("loss_root", "this is the root of the MSE: return the mean of the squared residuals itself, "
                      "without the square root",
                      lambda ref, X, y, theta: float(np.sqrt(ref.gradient_descent.mse_loss(X, y, theta)))),
        Misconception("loss_not_squared", "the residuals are averaged without being squared, so errors of opposite "
                      "signs cancel: square them first",
                      lambda ref, X, y, theta: float(np.mean(X @ theta - y))),
        Misconception("loss_square_of_mean", "this squares the mean residual: square each residual first, then take "
                      "the mean", lambda ref, X, y, theta: float(np.mean(X @ theta - y) ** 2)),
    )),
))

def _regression_promises():
    """A linear model's promises: X (m, D) with m != D and a column of ones first; non-zero parameters."""
    return (Promise("X of shape (m, D) with m != D", arg(0, promise.distinct_sizes)),
            Promise("parameters with non-zero entries", arg(2, lambda theta: bool(np.all(theta != 0)))),
            UNCHANGED)


MSE_LOSS_PROMISES = {"gradient_descent.mse_loss": _regression_promises()}

_MSE_GRADIENT_BUGS = (
    Misconception("gradient_factor_2", "the factor 2 from differentiating the square is missing: the gradient is "
                                       "(2 / m) X^T (X theta - y)",
                  lambda ref, X, y, theta: 0.5 * ref.gradient_descent.mse_gradient(X, y, theta)),
    Misconception("gradient_not_averaged", "the 1/m is missing: the loss is a mean over the m samples, so its "
                                           "gradient is (2 / m) X^T (X theta - y)",
                  lambda ref, X, y, theta: len(y) * ref.gradient_descent.mse_gradient(X, y, theta)),
    Misconception("gradient_sign", "the sign is flipped: X^T (y - X theta) points downhill, but the gradient "
                                   "itself is X^T (X theta - y), which points uphill",
                  lambda ref, X, y, theta: -ref.gradient_descent.mse_gradient(X, y, theta)),
    Misconception("gradient_no_transpose", "X @ residual multiplies an (m, D) matrix by m residuals: the gradient "
                  "sums each column's share, X.T @ residual, which has D entries",
                  lambda ref, X, y, theta: (2.0 / len(y)) * (X @ (X @ theta - y)), raises="ValueError"),
)

MSE_GRADIENT = Part("mse_gradient", "The gradient of the MSE", 2, (
    Check("match", "gradient_descent.mse_gradient", title="values", cases=(
        Case((*linear_data(21, 12), LECTURE_THETA0), public=True),
        Case((*linear_data(10021, 12), uniform(10022, 3, low=0.0, high=6.0))),
        Case((*linear_data(22, 30), normal(23, 3, scale=2.0))),
        Case((normal(24, 9, 4), normal(25, 9), normal(26, 4))),
    ), misconceptions=_MSE_GRADIENT_BUGS),
    Check("gradient", "gradient_descent.mse_gradient", title="numerical gradient",
          expected=_numerical_mse_gradient, cases=(
              Case((*linear_data(27, 20), uniform(28, 3, low=-2.0, high=8.0)), public=True),
              Case((*linear_data(10027, 20), uniform(10028, 3, low=-2.0, high=8.0))),
              Case((normal(29, 11, 5), normal(30, 11), normal(31, 5))),
          ), misconceptions=_MSE_GRADIENT_BUGS),
))

MSE_GRADIENT_PROMISES = {"gradient_descent.mse_gradient": _regression_promises()}


def _bgd(ref, X, y, theta0, learning_rate, num_iter):
    return ref.gradient_descent.batch_gradient_descent(X, y, theta0, learning_rate, num_iter)


def _bgd_losses_after_step(ref, X, y, theta0, learning_rate, num_iter):
    path, _ = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return path, np.array([ref.gradient_descent.mse_loss(X, y, theta) for theta in path[1:]])


def _bgd_losses_summed(ref, X, y, theta0, learning_rate, num_iter):
    path, losses = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return path, len(y) * losses


def _bgd_path_without_theta0(ref, X, y, theta0, learning_rate, num_iter):
    path, losses = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return path[1:], losses


def _bgd_path_without_last(ref, X, y, theta0, learning_rate, num_iter):
    path, losses = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return path[:-1], losses


def _bgd_path_aliased(ref, X, y, theta0, learning_rate, num_iter):
    """theta updated in place (theta -= ...) after it was put in a list: every row is the last theta."""
    path, losses = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return np.tile(path[-1], (len(path), 1)), losses


PATH_WITHOUT_THETA0 = ("theta_path leaves out theta0: row 0 is the starting point, so the path has one row more "
                       "than there are steps")
PATH_ALIASED = ("every row of theta_path is the same array: theta -= ... changes in place the array that is already "
                "in the path, so store theta.copy(), or write theta = theta - ...")


def _least_squares_fit(ref, case):
    """Measured on the training data against the least-squares fit; the reference losses are kept for the plots."""
    X, y, theta0, learning_rate, num_iter = case.args
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    _, losses = _bgd(ref, X, y, theta0, learning_rate, num_iter)
    return {"X": X, "y": X @ theta, "params_like": np.zeros(X.shape[1]), "history": losses}


BATCH_GD = Part("batch_gd", "Batch gradient descent", 3, (
    Check("match", "gradient_descent.batch_gradient_descent", title="path and losses", cases=(
        Case((*linear_data(41, 12), LECTURE_THETA0, 1e-3, 20), public=True),
        Case((*linear_data(10041, 12), uniform(10042, 3, low=0.0, high=6.0), 1e-3, 20)),
        Case((*linear_data(42, 30), normal(43, 3), 5e-3, 25)),
        Case((normal(44, 9, 4), normal(45, 9), normal(46, 4), 0.1, 15)),
    ), misconceptions=(
        Misconception("update_sign", "the update goes uphill: the step is theta - learning_rate * gradient",
                      lambda ref, X, y, theta0, lr, n: _bgd(ref, X, y, theta0, -lr, n)),
        Misconception("loss_after_step", "the path is off by one: loss_history[i] is the loss at theta_path[i], "
                                         "recorded before step i, not after it", _bgd_losses_after_step),
        Misconception("loss_summed", "loss_history holds summed squared errors: record the mean, mse_loss",
                      _bgd_losses_summed),
        Misconception("gradient_factor_2", "every step is half as long as it should be: is the factor 2 missing "
                                           "from mse_gradient?",
                      lambda ref, X, y, theta0, lr, n: _bgd(ref, X, y, theta0, lr / 2, n)),
        Misconception("path_without_theta0", PATH_WITHOUT_THETA0, _bgd_path_without_theta0),
        Misconception("path_without_last", "theta_path stops one step early: after num_iter steps it holds "
                      "num_iter + 1 rows, theta0 first and the last step's result at the end", _bgd_path_without_last),
        Misconception("path_aliased", PATH_ALIASED, _bgd_path_aliased),
        *(Misconception("returned_list", RETURNED_LIST, _some_as_lists(_bgd, which)) for which in LIST_SLOTS),
    )),
    Check("converge", "gradient_descent.batch_gradient_descent", title="reaches least squares",
          expected=_least_squares_fit, timeout=10.0,
          options={"params_at": (0, -1), "history_at": (1,), "predict": "gradient_descent.predict",
                   "metric": "max_error", "threshold": 0.01, "label": "gap to the least-squares fit"},
          cases=(
              Case((*linear_data(47, 100), LECTURE_THETA0, 0.01, 4000), public=True, label="lecture-data-100"),
              Case((*linear_data(10047, 100), uniform(10048, 3, low=0.0, high=6.0), 0.01, 4000),
                   label="hidden-data-100"),
              Case((*linear_data(48, 40), normal(49, 3), 0.01, 4000), label="lecture-data-40"),
          )),
))

RUN_PROMISES = (Promise("X of shape (m, D) with m != D", arg(0, promise.distinct_sizes)),
                Promise("several steps", arg(4, lambda steps: steps >= 2)),
                Promise("the starting parameters left unchanged (checked on every call)", promise.always))
BATCH_GD_PROMISES = {"gradient_descent.batch_gradient_descent": RUN_PROMISES}

def _sgd_full_batch(ref, X, y, theta0, learning_rate, visit):
    theta = np.array(theta0, dtype=np.float64)
    path = [theta]
    for _ in visit:
        theta = theta - learning_rate * ref.gradient_descent.mse_gradient(X, y, theta)
        path.append(theta)
    return np.array(path)


SGD = Part("sgd", "Stochastic gradient descent", 2, (
    Check("match", "gradient_descent.sgd", title="path", cases=(
        Case((*linear_data(51, 10), LECTURE_THETA0, 1e-3, order(52, 10)), public=True),
        Case((*linear_data(10051, 10), uniform(10052, 3, low=0.0, high=6.0), 1e-3, order(10053, 10))),
        # several epochs: samples come back, in a new order each time
        Case((*linear_data(20051, 6), LECTURE_THETA0, 1e-3, order(20052, 6, epochs=3)), public=True),
        Case((*linear_data(30051, 6), uniform(30052, 3, low=0.0, high=6.0), 1e-3, order(30053, 6, epochs=3))),
        Case((*linear_data(53, 15), normal(54, 3), 2e-3, order(55, 15, epochs=2))),
        Case((normal(56, 7, 4), normal(57, 7), normal(58, 4), 0.05, order(59, 7, epochs=3))),
    ), misconceptions=(
        Misconception("sgd_order_ignored", "the samples are visited as 0, 1, ..., m-1: step t must use sample "
                                           "order[t]",
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(
                          X, y, theta0, lr, np.arange(len(visit)) % len(y))),
        Misconception("sgd_order_ignored", "the samples are visited as 0, 1, ..., m-1: step t must use sample "
                                           "order[t]",  # step t on sample t: an IndexError past one epoch
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(
                          X, y, theta0, lr, np.arange(len(visit)))),
        Misconception("update_sign", "the update goes uphill: the step is theta - learning_rate * gradient",
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(X, y, theta0, -lr, visit)),
        Misconception("gradient_factor_2", "every step is half as long as it should be: the per-sample gradient "
                                           "is 2 (x . theta - y) x, with the factor 2",
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(X, y, theta0, lr / 2, visit)),
        Misconception("sgd_full_batch", "each step uses the gradient of the whole data set: stochastic gradient "
                      "descent steps on one sample's gradient, 2 (x_j . theta - y_j) x_j with j = order[t]",
                      _sgd_full_batch),
        Misconception("sgd_averaged", "each sample's gradient is divided by m: one sample's squared error has the "
                      "gradient 2 (x_j . theta - y_j) x_j, with no 1/m",
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(X, y, theta0, lr / len(y), visit)),
        Misconception("path_without_theta0", PATH_WITHOUT_THETA0,
                      lambda ref, X, y, theta0, lr, visit: ref.gradient_descent.sgd(X, y, theta0, lr, visit)[1:]),
        Misconception("path_aliased", PATH_ALIASED, lambda ref, X, y, theta0, lr, visit: np.tile(
            ref.gradient_descent.sgd(X, y, theta0, lr, visit)[-1], (len(visit) + 1, 1))),
        Misconception("returned_list", RETURNED_LIST, lambda ref, *args: list(ref.gradient_descent.sgd(*args))),
    )),
))

SGD_PROMISES = {"gradient_descent.sgd": (
    Promise("X of shape (m, D) with m != D", arg(0, promise.distinct_sizes)),
    Promise("an order that visits samples more than once (several epochs)",
            arg(4, lambda order: len(set(order.tolist())) < len(order))),
    Promise("the starting parameters left unchanged (checked on every call)", promise.always))}


# -- logistic regression --------------------------------------------------------------------------------------------
def _extreme_logits(seed=None):
    """Logits of +-1000 and +-40, with labels that make some samples confidently right and some confidently wrong;
    with a seed, the same kinds of logits and labels shuffled and rescaled."""
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0, 40.0, -40.0, 0.5, -2.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    if seed is not None:
        rng = np.random.default_rng(seed)
        order = rng.permutation(8)
        z, y = z[order] * rng.uniform(0.7, 1.5, 8), y[order]
    X = np.column_stack([z, np.ones(8), np.zeros(8)])
    k = np.array([1.0, 0.0, 3.0])
    return X, y, k


def _confident(z, y):
    """Whether logits ``z`` beyond exp's range are both right and wrong about labels ``y``."""
    big = np.abs(z) > promise.OVERFLOWS
    right = big & ((z > 0) == (y > 0.5))
    return bool(np.any(right)) and bool(np.any(big & ~right))


def _numerical_logistic_gradient(ref, case):
    X, y, k = case.args
    return numerical_gradient(lambda v: len(y) * ref.gradient_descent.log_loss(X, y, v), k, h=1e-5)


def _naive_log_loss(ref, X, y, k):
    """The log loss from the probabilities, with the kit's own (stable) sigmoid and no clipping."""
    p = ref.neuron.sigmoid(X @ k)
    return float(np.mean(-y * np.log(p) - (1.0 - y) * np.log(1.0 - p)))


# The usual guards against log(0): clip p to [eps, 1 - eps], or add eps inside each log.
CLIPS = (1e-15, 1e-12, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, np.finfo(np.float64).eps)
LOG_LOSS_CLIPPED = ("the probabilities are guarded by an eps, which caps each sample's loss near -log(eps): for a "
                    "logit of -1000 with label 1 the loss is 1000. Compute it from z itself, log(1 + exp(-z)) "
                    "(np.logaddexp(0, -z)), which needs no guard")


def _clipped_log_loss(eps, form):
    def variant(ref, X, y, k):
        p = ref.neuron.sigmoid(X @ k)
        if form == "clip":
            p = np.clip(p, eps, 1.0 - eps)
            return float(np.mean(-y * np.log(p) - (1.0 - y) * np.log(1.0 - p)))
        return float(np.mean(-y * np.log(p + eps) - (1.0 - y) * np.log(1.0 - p + eps)))
    return variant


LOG_LOSS = Part("log_loss", "A stable log loss", 2, (
    Check("match", "gradient_descent.log_loss", title="values", cases=(
        Case((*blobs(61, 8), normal(62, 3)), public=True),
        Case((*blobs(10061, 8), normal(10062, 3))),
        Case((*blobs(63, 30), normal(64, 3, scale=3.0))),
    ), misconceptions=(
        Misconception("loss_summed", "the losses are summed, not averaged: divide by the number of samples m",
                      lambda ref, X, y, k: len(y) * ref.gradient_descent.log_loss(X, y, k)),
        Misconception("log_loss_negated", "the minus sign is missing: the loss is -[y log p + (1 - y) log(1 - p)], "
                                          "which is never negative",
                      lambda ref, X, y, k: -ref.gradient_descent.log_loss(X, y, k)),
        Misconception("log_loss_labels_swapped", "the labels are swapped in the loss: y goes with log p and 1 - y "
                      "with log(1 - p)", lambda ref, X, y, k: ref.gradient_descent.log_loss(X, 1.0 - y, k)),
    )),
    Check("robust", "gradient_descent.log_loss", title="logits of +-1000", cases=(
        Case(_extreme_logits(), public=True),
        Case(_extreme_logits(10065)),
        Case((_extreme_logits()[0][::-1].copy(), 1.0 - _extreme_logits()[1][::-1], np.array([0.5, 2.0, 1.0]))),
    ), misconceptions=(
        Misconception("log_of_zero", "log(0): for large |z| the sigmoid rounds to exactly 0 or 1, and log of it is "
                      "-inf. Compute the loss from z itself: -log sigmoid(z) = log(1 + exp(-z)), with np.logaddexp "
                      "or exp(-|z|)", _naive_log_loss),
        *(Misconception("log_loss_clipped", LOG_LOSS_CLIPPED, _clipped_log_loss(eps, form))
          for eps in CLIPS for form in ("clip", "add")),
    )),
))

LOG_LOSS_PROMISES = {"gradient_descent.log_loss": (
    Promise("X of shape (m, D) with m != D", arg(0, promise.distinct_sizes)),
    Promise("logits as large as +-1000, confidently right and confidently wrong, without a warning",
            lambda X, y, k: _confident(X @ k, y), kinds=("robust",)),
    UNCHANGED)}

_LOGISTIC_GRADIENT_BUGS = (
    Misconception("logistic_gradient_sign",
                  "the sign is flipped: the lecture's g = X^T (y - sigmoid(X k)) is the direction to step in "
                  "(k + alpha g); the gradient of the loss is X^T (sigmoid(X k) - y)",
                  lambda ref, X, y, k: -ref.gradient_descent.logistic_gradient(X, y, k)),
    Misconception("gradient_averaged", "the gradient is averaged over the samples: this function returns the SUM "
                                       "X^T (sigmoid(X k) - y), as in the lecture's derivation",
                  lambda ref, X, y, k: ref.gradient_descent.logistic_gradient(X, y, k) / len(y)),
    Misconception("logistic_gradient_linear", "the sigmoid is missing: this is linear regression's residual X k - y; "
                  "the prediction errors are sigmoid(X k) - y", lambda ref, X, y, k: X.T @ (X @ k - y)),
    Misconception("gradient_no_transpose", "X @ errors multiplies an (m, D) matrix by m errors: the gradient sums "
                  "each column's share, X.T @ errors, which has D entries",
                  lambda ref, X, y, k: X @ (ref.neuron.sigmoid(X @ k) - y), raises="ValueError"),
)

LOGISTIC_GRADIENT = Part("logistic_gradient", "The gradient of the log loss", 2, (
    Check("match", "gradient_descent.logistic_gradient", title="values", cases=(
        Case((*blobs(71, 8), normal(72, 3)), public=True),
        Case((*blobs(10071, 8), normal(10072, 3))),
        Case((*blobs(73, 30), normal(74, 3, scale=2.0))),
    ), misconceptions=_LOGISTIC_GRADIENT_BUGS),
    Check("gradient", "gradient_descent.logistic_gradient", title="numerical gradient",
          expected=_numerical_logistic_gradient, cases=(
              Case((*blobs(75, 12), normal(76, 3)), public=True),
              Case((*blobs(10075, 12), normal(10076, 3))),
              Case((normal(77, 10, 4), np.random.default_rng(78).integers(0, 2, 10).astype(np.float64),
                    normal(79, 4))),
          ), misconceptions=_LOGISTIC_GRADIENT_BUGS),
))

LOGISTIC_GRADIENT_PROMISES = {"gradient_descent.logistic_gradient": (
    Promise("X of shape (m, D) with m != D, several samples summed", arg(0, promise.distinct_sizes)),
    UNCHANGED)}


def _logistic(ref, X, y, k0, learning_rate, num_iter):
    return ref.gradient_descent.logistic_regression(X, y, k0, learning_rate, num_iter)


def _logistic_losses_after_step(ref, X, y, k0, learning_rate, num_iter):
    gd = ref.gradient_descent
    k, losses = np.array(k0, dtype=np.float64), []
    for _ in range(num_iter):
        k = k - learning_rate * gd.logistic_gradient(X, y, k)
        losses.append(gd.log_loss(X, y, k))
    return k, np.array(losses)


def _logistic_losses_summed(ref, X, y, k0, learning_rate, num_iter):
    k, losses = _logistic(ref, X, y, k0, learning_rate, num_iter)
    return k, len(y) * losses


def _held_out_blobs(ref, case):
    """400 new points from the same two blobs, labelled as the training data is (a hidden run swaps the labels, so
    parameters made by hand for the usual blobs fail it); the reference run is kept for the plots."""
    X, y, k0, learning_rate, num_iter = case.args
    X_test, y_test = blobs(900 + len(X), 400)
    if _swapped(X, y):
        y_test = 1.0 - y_test
    k, losses = _logistic(ref, X, y, k0, learning_rate, num_iter)
    return {"X": X_test, "y": y_test, "params_like": np.zeros_like(k0), "params": k, "history": losses}


LOGISTIC_REGRESSION = Part("logistic_regression", "Logistic regression by gradient descent", 2, (
    Check("match", "gradient_descent.logistic_regression", title="parameters and losses", cases=(
        Case((*blobs(81, 12), normal(82, 3, scale=0.1), 0.05, 20), public=True),
        Case((*blobs(10081, 12), normal(10082, 3, scale=0.1), 0.05, 20)),
        Case((*blobs(83, 30), normal(84, 3), 0.02, 30)),
    ), misconceptions=(
        Misconception("update_sign", "the update goes uphill: the step is k - learning_rate * gradient",
                      lambda ref, X, y, k0, lr, n: _logistic(ref, X, y, k0, -lr, n)),
        Misconception("loss_after_step", "the losses are off by one: loss_history[i] is the loss at the "
                                         "parameters before step i, not after it", _logistic_losses_after_step),
        Misconception("loss_summed", "loss_history holds summed losses: record the mean, log_loss",
                      _logistic_losses_summed),
        Misconception("start_ignored", "the run does not start from k0: begin with a copy of the given k0",
                      lambda ref, X, y, k0, lr, n: _logistic(ref, X, y, np.zeros_like(k0), lr, n)),
        Misconception("returned_list", RETURNED_LIST, _some_as_lists(_logistic, (1,))),
        Misconception("step_averaged", "each step divides the gradient by m: logistic_gradient already returns the "
                      "sum that the lecture's update k <- k - alpha * g uses",
                      lambda ref, X, y, k0, lr, n: _logistic(ref, X, y, k0, lr / len(y), n)),
    )),
    Check("converge", "gradient_descent.logistic_regression", title="classifies new points",
          expected=_held_out_blobs,
          options={"params_at": (0,), "history_at": (1,), "predict": "gradient_descent.classify",
                   "metric": "accuracy", "threshold": 0.85, "label": "400 new points"},
          cases=(
              Case((*blobs(85, 40), np.zeros(3), 0.05, 200), public=True, label="blobs-40"),
              Case((*swapped_blobs(10085, 40), normal(10086, 3, scale=0.1), 0.05, 200), label="hidden-blobs-40"),
              Case((*blobs(86, 60), normal(87, 3), 0.05, 200), label="blobs-60"),
          )),
))

LOGISTIC_REGRESSION_PROMISES = {"gradient_descent.logistic_regression": RUN_PROMISES}


# -- written questions, graded by hand (their prompts are in notebooks/a1_neuron_gd.py) ---------------------------
WRITTEN = (
    Written("xor_one_neuron", "Why one neuron cannot compute XOR", 2, rubric=(
        (1, "One neuron's output is above 0.5 exactly where w1 x1 + w2 x2 + b > 0, on one side of a straight line. "
            "XOR's two 1s lie on one diagonal of the unit square and its two 0s on the other, so no line puts them "
            "on different sides: XOR is not linearly separable. The inequality argument of Section 3 (b < 0, "
            "w1 + w2 + b < 0, yet w1 + b > 0 and w2 + b > 0) also earns this point."),
        (1, "What the extra layer adds: OR and NAND move the four corners to new points, and there a single line "
            "does split the classes, so the AND neuron finishes the job. Composing neurons combines several "
            "linear boundaries into one that is not a line. Half a point if the answer only restates "
            "XOR = AND(OR, NAND) without saying why that helps."),
    )),
    Written("learning_rate", "Choosing the learning rate", 1, rubric=(
        (0.5, "Too small: each step barely moves theta, so the loss falls slowly. After 2000 steps at 0.001 the "
              "intercept is still far from least squares, because the loss is almost flat in that direction and "
              "the gradient there is tiny."),
        (0.5, "Too large: every step overshoots the minimum by more than the step before, so the loss grows "
              "without bound. For this data that starts at 2 / lambda_max (about 0.0196, where lambda_max is the "
              "largest eigenvalue of (2/m) X^T X), which 0.025 exceeds. Saying only \"it overshoots\" with no "
              "reason earns nothing here."),
    )),
)

ASSIGNMENT = Assignment(
    name="a1_neuron_gd",
    title="Assignment 1: one neuron and gradient descent",
    modules=("neuron", "gradient_descent"),
    parts=(SIGMOID, NEURON, GATES, MSE_LOSS, MSE_GRADIENT, BATCH_GD, SGD, LOG_LOSS, LOGISTIC_GRADIENT,
           LOGISTIC_REGRESSION),
    written=WRITTEN,
    promises={**SIGMOID_PROMISES, **NEURON_PROMISES, **GATE_PROMISES, **MSE_LOSS_PROMISES, **MSE_GRADIENT_PROMISES,
              **BATCH_GD_PROMISES, **SGD_PROMISES, **LOG_LOSS_PROMISES, **LOGISTIC_GRADIENT_PROMISES,
              **LOGISTIC_REGRESSION_PROMISES},
    # The reference stands in for these when their callers are graded, so a bug costs its own part only.
    calls={"neuron.neuron": ("neuron.sigmoid",),
           "neuron.logic_gate": ("neuron.neuron",),
           "neuron.xor_gate": ("neuron.logic_gate",),
           "gradient_descent.batch_gradient_descent": ("gradient_descent.mse_loss", "gradient_descent.mse_gradient"),
           "gradient_descent.logistic_gradient": ("neuron.sigmoid",),
           "gradient_descent.logistic_regression": ("gradient_descent.log_loss", "gradient_descent.logistic_gradient")},
)
