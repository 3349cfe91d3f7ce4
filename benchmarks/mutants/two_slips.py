"""Two slips in one function: each case is two independent classic bugs in the same function, as real edits of the
solutions. A diagnosis names both when the failing cases' messages say each slip: ``says`` holds, per slip, the
words (any one of them) that name it. ``benchmarks/diagnosis_speed.py --two-slips`` and tests/test_diagnosis.py
measure how many are named."""
from dataclasses import dataclass


@dataclass(frozen=True)
class TwoSlips:
    assignment: str
    name: str
    part: str
    edits: dict
    says: tuple  # one tuple of alternative phrases per slip


GD, BACKPROP, LOSSES, TRAINING = "gradient_descent.py", "backprop.py", "losses.py", "training.py"
MSE = "    residual = X @ theta - y\n    return float(np.mean(residual ** 2))\n"
MSE_GRADIENT = "    return (2.0 / m) * (X.T @ (X @ theta - y))\n"
LOGISTIC_GRADIENT = "    return X.T @ (sigmoid(X @ k) - y)\n"
LOGISTIC_STEP = ("        loss_history[i] = log_loss(X, y, k)\n"
                 "        k = k - learning_rate * logistic_gradient(X, y, k)\n")
OUTPUT = "    return A_out - Y\n"
GRADS = "    return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0)\n"
CE = "    return float(-np.sum(Y * np.log(probs)) / probs.shape[0])\n"
BCE = "    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))\n"
UPDATE = "    return [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]\n"
SGD_STEP = "        theta = theta - learning_rate * 2.0 * (X[j] @ theta - y[j]) * X[j]\n"

CASES = (
    TwoSlips("a1_neuron_gd", "MSE summed and halved", "mse_loss", {GD: [(MSE, MSE.replace(
        "float(np.mean(residual ** 2))", "float(np.sum(residual ** 2) / 2)"))]},
        (("half the number of rows", "loss_summed"), ("half the number of rows", "loss_halved"))),
    TwoSlips("a1_neuron_gd", "MSE gradient without the 2, sign flipped", "mse_gradient", {GD: [(MSE_GRADIENT, (
        "    return (1.0 / m) * (X.T @ (y - X @ theta))\n"))]}, (("times -1/2",), ("times -1/2",))),
    TwoSlips("a1_neuron_gd", "MSE gradient summed and sign flipped", "mse_gradient", {GD: [(MSE_GRADIENT, (
        "    return 2.0 * (X.T @ (y - X @ theta))\n"))]}, (("minus the number of rows",),
                                                          ("minus the number of rows",))),
    TwoSlips("a1_neuron_gd", "logistic gradient averaged, sign flipped", "logistic_gradient", {GD: [(
        LOGISTIC_GRADIENT, "    return X.T @ (y - sigmoid(X @ k)) / X.shape[0]\n")]},
        (("minus one over the number of rows",), ("minus one over the number of rows",))),
    TwoSlips("a1_neuron_gd", "losses after the step, and summed", "logistic_regression", {GD: [(
        LOGISTIC_STEP, "        k = k - learning_rate * logistic_gradient(X, y, k)\n"
                       "        loss_history[i] = log_loss(X, y, k) * X.shape[0]\n")]},
        (("loss_after_step", "one entry ahead"), ("summed", "the number of rows"))),
    TwoSlips("a1_neuron_gd", "SGD without the 2, and a sign flip", "sgd", {GD: [(SGD_STEP, SGD_STEP.replace(
        "theta - learning_rate * 2.0 *", "theta + learning_rate *"))]}, (("-1/2",), ("-1/2",))),
    TwoSlips("a3_backprop", "output delta averaged and sign flipped", "output_delta", {BACKPROP: [(OUTPUT, (
        "    return (Y - A_out) / A_out.shape[0]\n"))]}, (("minus one over the number of rows",),
                                                         ("minus one over the number of rows",))),
    TwoSlips("a3_backprop", "dW transposed and summed", "layer_gradients", {BACKPROP: [(GRADS, (
        "    return delta.T @ A_prev, delta.mean(axis=0)\n"))]}, (("transposed",), ("the number of rows",))),
    TwoSlips("a3_backprop", "dW and db both summed", "layer_gradients", {BACKPROP: [(GRADS, (
        "    return A_prev.T @ delta, delta.sum(axis=0)\n"))]},
        (("`dW` is the expected value times", "weights_not_averaged", "no_average"),
         ("`db` is the expected value times", "bias_not_averaged", "no_average"))),
    TwoSlips("a3_backprop", "dW transposed, db summed", "layer_gradients", {BACKPROP: [(GRADS, (
        "    return (delta.T @ A_prev) / A_prev.shape[0], delta.sum(axis=0)\n"))]},
        (("transposed",), ("`db` is the expected value times", "bias_not_averaged"))),
    TwoSlips("a2_forward", "cross-entropy averaged over N * C, without the minus", "losses", {LOSSES: [(CE, (
        "    return float(np.sum(Y * np.log(probs)) / probs.size)\n"))]},
        (("minus one over the number of columns",), ("minus one over the number of columns",))),
    TwoSlips("a2_forward", "binary cross-entropy labels swapped, without the minus", "losses", {LOSSES: [(BCE, (
        "    return float(np.mean((1.0 - y) * np.log(a) + y * np.log(1.0 - a)))\n"))]},
        (("bce_labels_swapped", "the labels are swapped"), ("times -1",))),
    TwoSlips("a3_backprop", "update uphill, b never updated", "gd_step", {TRAINING: [(UPDATE, UPDATE.replace(
        "(W - learning_rate * dW, b - learning_rate * db)", "(W + learning_rate * dW, b)"))]},
        (("`W - learning_rate * dW`", "update_sign", "times -1", "W + learning_rate"), ("the `params",))),
)
