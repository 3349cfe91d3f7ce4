"""Assignment 1's classic bugs: the neuron, the gates, linear and logistic regression by gradient descent."""
from . import Alternative, Mutant

GD, NEURON = "gradient_descent.py", "neuron.py"
SIGMOID = ("    e = np.exp(-np.abs(z))\n"
           "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n")
TABLE = 'table = {"and": ([20.0, 20.0], -30.0), "or": ([20.0, 20.0], -10.0), "nand": ([-20.0, -20.0], 30.0)}'
XOR = '    hidden = np.column_stack([logic_gate("or", x), logic_gate("nand", x)])\n    return logic_gate("and", hidden)\n'
MSE = "    residual = X @ theta - y\n    return float(np.mean(residual ** 2))\n"
GRADIENT = "    return (2.0 / m) * (X.T @ (X @ theta - y))\n"
BGD_STEP = ("        loss_history[i] = mse_loss(X, y, theta)\n"
            "        theta = theta - learning_rate * mse_gradient(X, y, theta)\n")
BGD_INIT = ("    theta = np.array(theta0, dtype=np.float64)\n"
            "    theta_path = np.empty((num_iter + 1, theta.shape[0]))\n")
SGD_STEP = "        theta = theta - learning_rate * 2.0 * (X[j] @ theta - y[j]) * X[j]\n"
LOG_LOSS = ("    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))\n"
            "    return float(np.mean(softplus - y * z))\n")
LOGISTIC_GRADIENT = "    return X.T @ (sigmoid(X @ k) - y)\n"
LOGISTIC_STEP = ("        loss_history[i] = log_loss(X, y, k)\n"
                 "        k = k - learning_rate * logistic_gradient(X, y, k)\n")


def _swap_lines(block):
    first, second = block.splitlines(keepends=True)
    return second + first


MUTANTS = (
    # -- the neuron and the gates
    Mutant("sigmoid sign flipped", "sigmoid", {NEURON: [(SIGMOID, SIGMOID.replace(
        "1.0 / (1.0 + e), e / (1.0 + e)", "e / (1.0 + e), 1.0 / (1.0 + e)"))]}, "sigmoid_sign"),
    Mutant("naive sigmoid", "sigmoid", {NEURON: [(SIGMOID, "    return 1 / (1 + np.exp(-z))\n")]},
           "sigmoid_overflow", "1 / (1 + exp(-z)) overflows in exp for z = -1000"),
    Mutant("sigmoid where both branches overflow", "sigmoid", {NEURON: [(SIGMOID, (
        "    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))\n"))]},
        "sigmoid_overflow", "np.where computes both branches, so one of them overflows"),
    Mutant("sigmoid as exp(z) / (1 + exp(z))", "sigmoid", {NEURON: [(SIGMOID, (
        "    return np.exp(z) / (1 + np.exp(z))\n"))]}, "sigmoid_overflow", "overflows to inf / inf at z = 1000"),
    Mutant("sigmoid with math.exp", "sigmoid", {NEURON: [
        ("import numpy as np\n", "import math\n\nimport numpy as np\n"),
        (SIGMOID, "    return 1 / (1 + math.exp(-z))\n")]}, "math_not_numpy"),
    Mutant("neuron with the bias subtracted", "neuron", {NEURON: [(
        " @ np.asarray(w, dtype=np.float64) + b)", " @ np.asarray(w, dtype=np.float64) - b)")]}, "bias_sign"),
    Mutant("neuron as np.dot(w, x)", "neuron", {NEURON: [(
        "    return sigmoid(np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)\n",
        "    return sigmoid(np.dot(w, x) + b)\n")]}, "weights_first"),
    Mutant("neuron without bias", "neuron", {NEURON: [(" @ np.asarray(w, dtype=np.float64) + b)",
                                                       " @ np.asarray(w, dtype=np.float64))")]}, "bias_missing"),
    Mutant("neuron without sigmoid", "neuron", {NEURON: [(
        "    return sigmoid(np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)\n",
        "    return np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b\n")]},
        "activation_missing"),
    Mutant("bias after the sigmoid", "neuron", {NEURON: [(
        "    return sigmoid(np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)\n",
        "    return sigmoid(x @ w) + b\n")]}, "bias_after_activation"),
    Mutant("x * w instead of x @ w", "neuron", {NEURON: [(
        "    return sigmoid(np.asarray(x, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)\n",
        "    return sigmoid(x * w + b)\n")]}, "weights_times_inputs"),
    Mutant("the lecture's NAND weights", "gates", {NEURON: [(TABLE, TABLE.replace(
        '"nand": ([-20.0, -20.0], 30.0)', '"nand": ([-10.0, -10.0], 14.0)'))]}, "gate_not_saturated"),
    Mutant("OR wrong only on (0, 0)", "gates", {NEURON: [(TABLE, TABLE.replace(
        '"or": ([20.0, 20.0], -10.0)', '"or": ([20.0, 20.0], 10.0)'))]}, "gate_bias_row",
        "a positive bias makes OR output 1 with both inputs 0"),
    Mutant("AND with OR's weights", "gates", {NEURON: [(TABLE, TABLE.replace(
        '"and": ([20.0, 20.0], -30.0)', '"and": ([20.0, 20.0], -10.0)'))]}, "gate_other"),
    Mutant("NAND as AND", "gates", {NEURON: [(TABLE, TABLE.replace(
        '"nand": ([-20.0, -20.0], 30.0)', '"nand": ([20.0, 20.0], -30.0)'))]}, "gate_other"),
    Mutant("NAND inverted", "gates", {NEURON: [(TABLE, TABLE.replace(
        '"nand": ([-20.0, -20.0], 30.0)', '"nand": ([20.0, 20.0], -30.0)').replace(
        '"and": ([20.0, 20.0], -30.0)', '"and": ([-20.0, -20.0], 30.0)'))]}, "gate_inverted",
        "AND and NAND swapped: each is the other inverted"),
    Mutant("gate weights as a list", "gates", {NEURON: [("    return np.array(w), b\n", "    return w, b\n")]},
           "returned_list"),
    Mutant("integer gate weights", "gates", {NEURON: [(TABLE, 'table = {"and": ([20, 20], -30), "or": ([20, 20], '
                                                               '-10), "nand": ([-20, -20], 30)}')]},
           "gate_weights_int"),
    Mutant("XOR with OR on top", "gates", {NEURON: [(XOR, XOR.replace('logic_gate("and", hidden)',
                                                                       'logic_gate("or", hidden)'))]},
           "xor_top_gate"),
    Mutant("XOR with NAND on top", "gates", {NEURON: [(XOR, XOR.replace('logic_gate("and", hidden)',
                                                                         'logic_gate("nand", hidden)'))]},
           "xor_top_gate"),
    Mutant("XOR with AND in place of OR", "gates", {NEURON: [(XOR, XOR.replace('logic_gate("or", x)',
                                                                                'logic_gate("and", x)'))]},
           "xor_gates_below"),
    Mutant("XOR with np.logical_xor", "gates", {NEURON: [(XOR, "    return np.logical_xor(x[:, 0], x[:, 1])\n")]},
           "xor_not_from_gates"),
    Mutant("XOR with the hidden outputs stacked as rows", "gates", {NEURON: [(XOR, XOR.replace(
        "np.column_stack([", "np.stack(["))]}, "xor_stacked_rows"),
    # -- linear regression
    Mutant("MSE summed", "mse_loss", {GD: [(MSE, MSE.replace("np.mean", "np.sum"))]}, "loss_summed"),
    Mutant("MSE halved", "mse_loss", {GD: [(MSE, MSE.replace("float(np.mean(residual ** 2))",
                                                            "0.5 * float(np.mean(residual ** 2))"))]},
           "loss_halved"),
    Mutant("absolute error", "mse_loss", {GD: [(MSE, MSE.replace("residual ** 2", "np.abs(residual)"))]},
           "loss_absolute"),
    Mutant("root mean squared error", "mse_loss", {GD: [(MSE, MSE.replace("float(np.mean(residual ** 2))",
                                                                         "float(np.sqrt(np.mean(residual ** 2)))"))]},
           "loss_root"),
    Mutant("residuals not squared", "mse_loss", {GD: [(MSE, MSE.replace("residual ** 2", "residual"))]},
           "loss_not_squared"),
    Mutant("square of the mean residual", "mse_loss", {GD: [(MSE, MSE.replace("np.mean(residual ** 2)",
                                                                            "np.mean(residual) ** 2"))]},
           "loss_square_of_mean"),
    Mutant("gradient without the factor 2", "mse_gradient", {GD: [(GRADIENT, GRADIENT.replace("2.0 / m", "1.0 / m"))]},
           "gradient_factor_2"),
    Mutant("gradient without 1/m", "mse_gradient", {GD: [(GRADIENT, GRADIENT.replace("(2.0 / m) * ", "2.0 * "))]},
           "gradient_not_averaged"),
    Mutant("gradient sign flipped", "mse_gradient", {GD: [(GRADIENT, GRADIENT.replace("X @ theta - y",
                                                                                   "y - X @ theta"))]},
           "gradient_sign"),
    Mutant("gradient without X.T", "mse_gradient", {GD: [(GRADIENT, GRADIENT.replace("X.T @", "X @"))]},
           "gradient_no_transpose"),
    Mutant("batch descent uphill", "batch_gd", {GD: [(BGD_STEP, BGD_STEP.replace("theta - learning_rate",
                                                                              "theta + learning_rate"))]},
           "update_sign"),
    Mutant("batch loss after the step", "batch_gd", {GD: [(BGD_STEP, _swap_lines(BGD_STEP))]}, "loss_after_step"),
    Mutant("path without theta0", "batch_gd", {GD: [
        (BGD_INIT, BGD_INIT.replace("num_iter + 1", "num_iter")),
        ("    theta_path[0] = theta\n    for i in range(num_iter):\n", "    for i in range(num_iter):\n"),
        ("        theta_path[i + 1] = theta\n    return theta_path, loss_history",
         "        theta_path[i] = theta\n    return theta_path, loss_history")]}, "path_without_theta0"),
    Mutant("path without its last row", "batch_gd", {GD: [(BGD_INIT, BGD_INIT.replace("num_iter + 1", "num_iter")),
                                                        ("        theta_path[i + 1] = theta\n",
                                                         "        if i + 1 < num_iter:\n"
                                                         "            theta_path[i + 1] = theta\n")]},
           "path_without_last"),
    Mutant("path appended in place", "batch_gd", {GD: [
        (BGD_INIT, "    theta = np.array(theta0, dtype=np.float64)\n    path = [theta]\n"),
        ("    theta_path[0] = theta\n    for i in range(num_iter):\n", "    for i in range(num_iter):\n"),
        (BGD_STEP, BGD_STEP.replace("theta = theta - learning_rate", "theta -= learning_rate")),
        ("        theta_path[i + 1] = theta\n    return theta_path, loss_history",
         "        path.append(theta)\n    return np.array(path), loss_history")]}, "path_aliased",
        "theta -= changes the one array that every entry of the list is"),
    Mutant("batch descent returning lists", "batch_gd", {GD: [
        (BGD_INIT, "    theta = np.array(theta0, dtype=np.float64)\n    path = [theta]\n    losses = []\n"),
        ("    loss_history = np.empty(num_iter)\n    theta_path[0] = theta\n    for i in range(num_iter):\n",
         "    for i in range(num_iter):\n"),
        (BGD_STEP, BGD_STEP.replace("loss_history[i] = mse_loss(X, y, theta)", "losses.append(mse_loss(X, y, theta))")),
        ("        theta_path[i + 1] = theta\n    return theta_path, loss_history",
         "        path.append(theta)\n    return path, losses")]}, "returned_list"),
    Mutant("batch descent with a list of losses", "batch_gd", {GD: [
        ("    loss_history = np.empty(num_iter)\n    theta_path[0] = theta\n",
         "    loss_history = []\n    theta_path[0] = theta\n"),
        (BGD_STEP, BGD_STEP.replace("loss_history[i] = mse_loss(X, y, theta)",
                                    "loss_history.append(mse_loss(X, y, theta))"))]}, "returned_list"),
    Mutant("theta0 changed in place", "batch_gd", {GD: [
        (BGD_INIT, BGD_INIT.replace("np.array(theta0, dtype=np.float64)", "theta0")),
        (BGD_STEP, BGD_STEP.replace("theta = theta - learning_rate", "theta -= learning_rate"))]}, "in_place"),
    Mutant("SGD steps through range(T)", "sgd", {GD: [("for t, j in enumerate(order):",
                                                       "for t, j in enumerate(range(len(order))):")]},
           "sgd_order_ignored", "right on one epoch's worth of steps, an IndexError after"),
    Mutant("SGD visits 0..m-1", "sgd", {GD: [("for t, j in enumerate(order):",
                                              "for t, j in enumerate(np.arange(len(order)) % X.shape[0]):")]},
           "sgd_order_ignored"),
    Mutant("SGD without the factor 2", "sgd", {GD: [(SGD_STEP, SGD_STEP.replace("learning_rate * 2.0 *",
                                                                                "learning_rate *"))]},
           "gradient_factor_2"),
    Mutant("SGD with the full-batch gradient", "sgd", {GD: [(SGD_STEP, (
        "        theta = theta - learning_rate * mse_gradient(X, y, theta)\n"))]}, "sgd_full_batch"),
    Mutant("SGD divided by m", "sgd", {GD: [(SGD_STEP, SGD_STEP.replace(") * X[j]\n", ") * X[j] / len(y)\n"))]},
           "sgd_averaged"),
    Mutant("SGD returning a list", "sgd", {GD: [
        ("    theta_path = np.empty((len(order) + 1, theta.shape[0]))\n    theta_path[0] = theta\n",
         "    theta_path = [theta]\n"),
        ("        theta_path[t + 1] = theta\n", "        theta_path.append(theta)\n")]}, "returned_list"),
    Mutant("SGD uphill", "sgd", {GD: [(SGD_STEP, SGD_STEP.replace("theta - learning_rate", "theta + learning_rate"))]},
           "update_sign"),
    # -- logistic regression
    Mutant("log loss summed", "log_loss", {GD: [(LOG_LOSS, LOG_LOSS.replace("np.mean", "np.sum"))]}, "loss_summed"),
    Mutant("log loss from probabilities", "log_loss", {GD: [(LOG_LOSS, (
        "    p = sigmoid(z)\n"
        "    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))\n"))]}, "log_of_zero",
        "log(sigmoid(z)) is log(0) = -inf at z = -1000"),
    Mutant("log loss with clipped probabilities", "log_loss", {GD: [(LOG_LOSS, (
        "    p = np.clip(sigmoid(z), 1e-15, 1 - 1e-15)\n"
        "    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))\n"))]}, "log_loss_clipped"),
    Mutant("log loss with eps in the logs", "log_loss", {GD: [(LOG_LOSS, (
        "    p = sigmoid(z)\n"
        "    eps = 1e-8\n"
        "    return float(np.mean(-y * np.log(p + eps) - (1 - y) * np.log(1 - p + eps)))\n"))]}, "log_loss_clipped"),
    Mutant("log loss without the minus", "log_loss", {GD: [(LOG_LOSS, LOG_LOSS.replace(
        "float(np.mean(softplus - y * z))", "float(np.mean(y * z - softplus))"))]}, "log_loss_negated"),
    Mutant("log loss labels swapped", "log_loss", {GD: [(LOG_LOSS, LOG_LOSS.replace("- y * z", "- (1 - y) * z"))]},
           "log_loss_labels_swapped"),
    Mutant("logistic gradient sign", "logistic_gradient", {GD: [(LOGISTIC_GRADIENT, LOGISTIC_GRADIENT.replace(
        "sigmoid(X @ k) - y", "y - sigmoid(X @ k)"))]}, "logistic_gradient_sign"),
    Mutant("logistic gradient averaged", "logistic_gradient", {GD: [(LOGISTIC_GRADIENT, LOGISTIC_GRADIENT.replace(
        "- y)\n", "- y) / len(y)\n"))]}, "gradient_averaged"),
    Mutant("logistic gradient without the sigmoid", "logistic_gradient", {GD: [(LOGISTIC_GRADIENT,
                                                                                LOGISTIC_GRADIENT.replace(
        "sigmoid(X @ k)", "X @ k"))]}, "logistic_gradient_linear"),
    Mutant("logistic gradient without X.T", "logistic_gradient", {GD: [(LOGISTIC_GRADIENT, LOGISTIC_GRADIENT.replace(
        "X.T @", "X @"))]}, "gradient_no_transpose"),
    Mutant("logistic regression uphill", "logistic_regression", {GD: [(LOGISTIC_STEP, LOGISTIC_STEP.replace(
        "k - learning_rate", "k + learning_rate"))]}, "update_sign"),
    Mutant("logistic loss after the step", "logistic_regression", {GD: [(LOGISTIC_STEP, _swap_lines(LOGISTIC_STEP))]},
           "loss_after_step"),
    Mutant("logistic regression from zeros", "logistic_regression", {GD: [(
        "    k = np.array(k0, dtype=np.float64)\n", "    k = np.zeros(X.shape[1])\n")]}, "start_ignored"),
    Mutant("logistic regression returning a list of losses", "logistic_regression", {GD: [
        ("    k = np.array(k0, dtype=np.float64)\n    loss_history = np.empty(num_iter)\n",
         "    k = np.array(k0, dtype=np.float64)\n    loss_history = []\n"),
        ("        loss_history[i] = log_loss(X, y, k)\n", "        loss_history.append(log_loss(X, y, k))\n")]},
        "returned_list"),
    Mutant("logistic step divided by m", "logistic_regression", {GD: [(LOGISTIC_STEP, LOGISTIC_STEP.replace(
        "logistic_gradient(X, y, k)\n", "logistic_gradient(X, y, k) / len(y)\n"))]}, "step_averaged"),
    Mutant("k0 changed in place", "logistic_regression", {GD: [
        ("    k = np.array(k0, dtype=np.float64)\n", "    k = k0\n"),
        (LOGISTIC_STEP, LOGISTIC_STEP.replace("k = k - learning_rate", "k -= learning_rate"))]}, "in_place"),
)

ALTERNATIVES = (
    Alternative("sigmoid through tanh", {NEURON: [(SIGMOID, "    return 0.5 * (1.0 + np.tanh(z / 2.0))\n")]}),
    Alternative("sigmoid with np.exp on a clipped z", {NEURON: [(SIGMOID, (
        "    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))\n"))]}),
    Alternative("other gate weights", {NEURON: [(TABLE, 'table = {"and": ([12.0, 10.0], -17.0), "or": ([10.0, '
                                                       '12.0], -5.0), "nand": ([-60.0, -60.0], 90.0)}')]}),
    Alternative("XOR through NOR", {NEURON: [(XOR, (
        '    both = logic_gate("and", x)\n'
        '    neither = 1.0 - logic_gate("or", x)\n'
        '    return logic_gate("and", np.column_stack([1.0 - both, 1.0 - neither]))\n'))]}),
    Alternative("MSE with np.dot", {GD: [(MSE, "    r = np.dot(X, theta) - y\n    return np.dot(r, r) / len(y)\n")]}),
    Alternative("gradient with einsum", {GD: [(
        "    m = X.shape[0]\n" + GRADIENT,
        "    return 2.0 * np.einsum('ij,i->j', X, np.einsum('ij,j->i', X, theta) - y) / len(y)\n")]}),
    Alternative("batch descent with a list and a copy", {GD: [
        (BGD_INIT, "    theta = theta0.astype(float)\n    path = [theta.copy()]\n"),
        ("    theta_path[0] = theta\n    for i in range(num_iter):\n", "    for i in range(num_iter):\n"),
        (BGD_STEP, BGD_STEP.replace("theta = theta - learning_rate", "theta -= learning_rate")),
        ("        theta_path[i + 1] = theta\n    return theta_path, loss_history",
         "        path.append(theta.copy())\n    return np.array(path), loss_history")]}),
    Alternative("SGD with an error term", {GD: [(SGD_STEP, (
        "        error = np.dot(X[j], theta) - y[j]\n        theta = theta - 2 * learning_rate * error * X[j]\n"))]}),
    Alternative("log loss with logaddexp", {GD: [(LOG_LOSS, (
        "    return np.mean(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z))\n"))]}),
    Alternative("logistic gradient as a row product", {GD: [(LOGISTIC_GRADIENT,
                                                            "    return (sigmoid(X @ k) - y) @ X\n")]}),
    Alternative("logistic regression with a list", {GD: [
        ("    k = np.array(k0, dtype=np.float64)\n    loss_history = np.empty(num_iter)\n",
         "    k = k0.copy()\n    loss_history = []\n"),
        ("        loss_history[i] = log_loss(X, y, k)\n", "        loss_history.append(log_loss(X, y, k))\n"),
        ("    return k, loss_history\n", "    return k, np.array(loss_history)\n")]}),
)
