"""Assignment 2's classic bugs: activations and their derivatives, softmax, the losses and the forward pass."""
from . import Alternative, Mutant

ACT, LOSSES, FORWARD = "activations.py", "losses.py", "forward.py"
SIGMOID = "    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))\n"
SIGMOID_PRIME = "    s = sigmoid(z)\n    return s * (1.0 - s)\n"
TANH = "    return np.tanh(np.asarray(z, dtype=np.float64))\n"
TANH_PRIME = "    t = tanh(z)\n    return 1.0 - t * t\n"
RELU = "    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)\n"
RELU_PRIME = "    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)\n"
LEAKY = "    return np.where(z > 0, z, alpha * z)\n"
LEAKY_PRIME = "    return np.where(z > 0, 1.0, float(alpha))\n"
SOFTMAX = ("    shifted = np.exp(z - z.max(axis=-1, keepdims=True))\n"
           "    return shifted / shifted.sum(axis=-1, keepdims=True)\n")
ONE_HOT = ("    Y = np.zeros((labels.shape[0], num_classes), dtype=np.float64)\n"
           "    Y[np.arange(labels.shape[0]), labels] = 1.0\n    return Y\n")
CE_CLIP = "    probs = np.clip(np.asarray(probs, dtype=np.float64), EPS, 1.0)\n"
CE = "    return float(-np.sum(Y * np.log(probs)) / probs.shape[0])\n"
BCE_CLIP = "    a = np.clip(np.asarray(a, dtype=np.float64), EPS, 1.0 - EPS)\n"
BCE = "    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))\n"
DENSE = ("    return np.asarray(A_prev, dtype=np.float64) @ np.asarray(W, dtype=np.float64)"
         " + np.asarray(b, dtype=np.float64)\n")
LOOP = ("    for (W, b), f in zip(params, functions):\n"
        "        Z = dense(A, W, b)\n"
        "        A = f(Z)\n"
        "        cache[\"Z\"].append(Z)\n"
        "        cache[\"A\"].append(A)\n")


def _loop(old, new):
    return {FORWARD: [(LOOP, LOOP.replace(old, new))]}


MUTANTS = (
    # -- activations
    Mutant("sigmoid sign flipped", "activations", {ACT: [(SIGMOID, SIGMOID.replace(
        "1.0 / (1.0 + small), small / (1.0 + small)", "small / (1.0 + small), 1.0 / (1.0 + small)"))]},
        "sigmoid_sign"),
    Mutant("naive sigmoid", "activations", {ACT: [(SIGMOID, "    return 1.0 / (1.0 + np.exp(-z))\n")]},
           "sigmoid_overflow"),
    Mutant("naive tanh", "activations", {ACT: [(TANH, (
        "    z = np.asarray(z, dtype=np.float64)\n"
        "    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n"))]}, "tanh_overflow"),
    Mutant("sigmoid as exp(z) / (1 + exp(z))", "activations", {ACT: [(SIGMOID, (
        "    return np.exp(z) / (1.0 + np.exp(z))\n"))]}, "sigmoid_overflow"),
    Mutant("tanh as sinh / cosh", "activations", {ACT: [(TANH, (
        "    z = np.asarray(z, dtype=np.float64)\n    return np.sinh(z) / np.cosh(z)\n"))]}, "tanh_overflow"),
    Mutant("relu with Python's max", "activations", {ACT: [(RELU, "    return max(0, z)\n")]}, "python_max"),
    Mutant("leaky ReLU with Python's max", "activations", {ACT: [(LEAKY, "    return max(alpha * z, z)\n")]},
           "python_max"),
    Mutant("relu changes z in place", "activations", {ACT: [(RELU, (
        "    z[z < 0] = 0\n    return z\n"))]}, "in_place"),
    Mutant("leaky ReLU returns 1 (seed 000)", "activations", {ACT: [(LEAKY, LEAKY.replace("z > 0, z,", "z > 0, 1,"))]},
           "leaky_relu_returns_one"),
    Mutant("leaky ReLU with a fixed 0.01", "activations", {ACT: [(LEAKY, LEAKY.replace("alpha * z", "0.01 * z"))]},
           "alpha_ignored"),
    # -- derivatives
    Mutant("sigmoid_prime of a", "derivatives", {ACT: [(SIGMOID_PRIME, "    return z * (1 - z)\n")]},
           "sigmoid_prime_of_a"),
    Mutant("sigmoid_prime without (1 - s)", "derivatives", {ACT: [(SIGMOID_PRIME, "    return sigmoid(z)\n")]},
           "sigmoid_prime_factor"),
    Mutant("sigmoid_prime applies the sigmoid twice", "derivatives", {ACT: [(SIGMOID_PRIME, (
        "    s = sigmoid(z)\n    return sigmoid(s) * (1.0 - sigmoid(s))\n"))]}, "sigmoid_prime_twice"),
    Mutant("sigmoid_prime mixing z and s", "derivatives", {ACT: [(SIGMOID_PRIME, (
        "    return sigmoid(z) * (1 - z)\n"))]}, "sigmoid_prime_mixed"),
    Mutant("sigmoid_prime from exp(-z)", "derivatives", {ACT: [(SIGMOID_PRIME, (
        "    z = np.asarray(z, dtype=np.float64)\n    return np.exp(-z) / (1 + np.exp(-z)) ** 2\n"))]},
        "sigmoid_prime_overflow"),
    Mutant("tanh_prime as (1 - tanh)^2", "derivatives", {ACT: [(TANH_PRIME, "    return (1 - tanh(z)) ** 2\n")]},
           "tanh_prime_parentheses"),
    Mutant("relu_prime as np.where(z > 0, 1, 0)", "derivatives", {ACT: [(RELU_PRIME, (
        "    return np.where(np.asarray(z) > 0, 1, 0)\n"))]}, "where_int"),
    Mutant("tanh_prime of a", "derivatives", {ACT: [(TANH_PRIME, "    return 1 - z ** 2\n")]}, "tanh_prime_of_a"),
    Mutant("tanh_prime without the square", "derivatives", {ACT: [(TANH_PRIME, "    return 1.0 - tanh(z)\n")]},
           "tanh_prime_square"),
    Mutant("relu_prime at zero", "derivatives", {ACT: [(RELU_PRIME, RELU_PRIME.replace("> 0", ">= 0"))]},
           "relu_prime_at_zero"),
    Mutant("relu_prime returns booleans", "derivatives", {ACT: [(RELU_PRIME, "    return z > 0\n")]},
           "comparison_not_float"),
    Mutant("leaky_relu_prime at zero", "derivatives", {ACT: [(LEAKY_PRIME, LEAKY_PRIME.replace("z > 0", "z >= 0"))]},
           "leaky_relu_prime_at_zero"),
    Mutant("leaky_relu_prime with a fixed 0.01", "derivatives", {ACT: [(LEAKY_PRIME, LEAKY_PRIME.replace(
        "float(alpha)", "0.01"))]}, "alpha_ignored"),
    # -- softmax
    Mutant("softmax over the columns", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace("axis=-1", "axis=0"))]},
           "softmax_axis"),
    Mutant("softmax sum over the columns", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "shifted.sum(axis=-1", "shifted.sum(axis=0"))]}, "softmax_axis"),
    Mutant("softmax over the whole array", "softmax", {LOSSES: [(SOFTMAX, "    return np.exp(z) / np.sum(np.exp(z))\n")]},
           "softmax_whole_array"),
    Mutant("softmax shifted per row, summed over the array", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "shifted.sum(axis=-1, keepdims=True)", "shifted.sum()"))]}, "softmax_whole_array"),
    Mutant("softmax with a column maximum", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "z - z.max(axis=-1", "z - z.max(axis=0"))]}, "softmax_max_axis"),
    Mutant("softmax without the shift", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "z - z.max(axis=-1, keepdims=True)", "z"))]}, "softmax_overflow"),
    Mutant("softmax with one global maximum", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "z - z.max(axis=-1, keepdims=True)", "z - np.max(z)"))]}, "softmax_global_max"),
    Mutant("softmax without keepdims", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace(
        "shifted.sum(axis=-1, keepdims=True)", "shifted.sum(axis=-1)"))]}, "softmax_keepdims"),
    Mutant("softmax with axis=1", "softmax", {LOSSES: [(SOFTMAX, SOFTMAX.replace("axis=-1", "axis=1"))]},
           "softmax_axis_1"),
    Mutant("softmax with [:, None]", "softmax", {LOSSES: [(SOFTMAX, (
        "    e = np.exp(z - z.max(axis=-1, keepdims=True))\n    return e / e.sum(axis=-1)[:, None]\n"))]},
        "softmax_two_dims"),
    # -- losses
    Mutant("one-hot columns from the labels", "losses", {LOSSES: [(ONE_HOT, ONE_HOT.replace(
        "num_classes), dtype", "labels.max() + 1), dtype"))]}, "one_hot_classes_from_labels"),
    Mutant("one-hot of integers", "losses", {LOSSES: [(ONE_HOT, ONE_HOT.replace("dtype=np.float64", "dtype=int"))]},
           "one_hot_int"),
    Mutant("one-hot from a comparison", "losses", {LOSSES: [(ONE_HOT, (
        "    return np.arange(num_classes) == labels[:, None]\n"))]}, "one_hot_bool"),
    Mutant("one-hot as (C, N)", "losses", {LOSSES: [(ONE_HOT, (
        "    Y = np.zeros((num_classes, labels.shape[0]))\n"
        "    Y[labels, np.arange(labels.shape[0])] = 1.0\n    return Y\n"))]}, "one_hot_transposed"),
    Mutant("one-hot filling whole columns", "losses", {LOSSES: [(ONE_HOT, ONE_HOT.replace(
        "Y[np.arange(labels.shape[0]), labels] = 1.0", "Y[:, labels] = 1.0"))]}, "one_hot_whole_columns"),
    Mutant("cross-entropy per sample", "losses", {LOSSES: [(CE, (
        "    return -np.sum(Y * np.log(probs), axis=1)\n"))]}, "loss_not_reduced"),
    Mutant("cross-entropy summed", "losses", {LOSSES: [(CE, CE.replace(" / probs.shape[0]", ""))]},
           "cross_entropy_sum"),
    Mutant("cross-entropy averaged over N * C", "losses", {LOSSES: [(CE, (
        "    return float(-np.mean(Y * np.log(probs)))\n"))]}, "cross_entropy_mean_all"),
    Mutant("cross-entropy summed over the samples", "losses", {LOSSES: [(CE, (
        "    return float(-np.mean(np.sum(Y * np.log(probs), axis=0)))\n"))]}, "cross_entropy_axis"),
    Mutant("cross-entropy without the minus", "losses", {LOSSES: [(CE, CE.replace("float(-np.sum", "float(np.sum"))]},
           "cross_entropy_sign"),
    Mutant("cross-entropy in its binary form", "losses", {LOSSES: [(CE, (
        "    return float(-np.mean(np.sum(Y * np.log(probs) + (1 - Y) * np.log(1 - probs), axis=1)))\n"))]},
        "cross_entropy_binary_form"),
    Mutant("cross-entropy unclipped", "losses", {LOSSES: [(CE_CLIP, (
        "    probs = np.asarray(probs, dtype=np.float64)\n"))]}, "log_of_zero"),
    Mutant("cross-entropy clipped at 1e-2", "losses", {LOSSES: [(CE_CLIP, CE_CLIP.replace("EPS, 1.0", "1e-2, 1.0"))]},
           "clipped_high"),
    Mutant("binary cross-entropy summed", "losses", {LOSSES: [(BCE, BCE.replace("np.mean", "np.sum"))]}, "bce_sum"),
    Mutant("binary cross-entropy without the minus", "losses", {LOSSES: [(BCE, BCE.replace(
        "float(-np.mean", "float(np.mean"))]}, "bce_sign"),
    Mutant("binary cross-entropy unclipped", "losses", {LOSSES: [(BCE_CLIP, (
        "    a = np.asarray(a, dtype=np.float64)\n"))]}, "log_of_zero"),
    Mutant("binary cross-entropy labels swapped", "losses", {LOSSES: [(BCE, (
        "    return float(-np.mean((1.0 - y) * np.log(a) + y * np.log(1.0 - a)))\n"))]}, "bce_labels_swapped"),
    Mutant("binary cross-entropy per sample", "losses", {LOSSES: [(BCE, (
        "    return -(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))\n"))]}, "loss_not_reduced"),
    # -- the forward pass
    Mutant("dense without bias", "forward", {FORWARD: [(DENSE, DENSE.replace(" + np.asarray(b, dtype=np.float64)", ""))]},
           "bias_missing"),
    Mutant("dense transposed", "forward", {FORWARD: [(DENSE, (
        "    return (np.asarray(A_prev, dtype=np.float64) @ np.asarray(W, dtype=np.float64)"
        " + np.asarray(b, dtype=np.float64)).T\n"))]}, "dense_transposed"),
    Mutant("dense with b as a column", "forward", {FORWARD: [(DENSE, "    return A_prev @ W + b.reshape(-1, 1)\n")]},
           "bias_column"),
    Mutant("dense as W @ A_prev", "forward", {FORWARD: [(DENSE, "    return W @ A_prev + b\n")]}, "dense_order"),
    Mutant("dense with W transposed", "forward", {FORWARD: [(DENSE, "    return A_prev @ W.T + b\n")]}, "dense_order"),
    Mutant("forward pass without biases", "forward", _loop("Z = dense(A, W, b)", "Z = A @ W"), "forward_bias_missing"),
    Mutant("forward pass without the last activation", "forward", {FORWARD: [(LOOP, (
        "    for layer, ((W, b), f) in enumerate(zip(params, functions), start=1):\n"
        "        Z = dense(A, W, b)\n"
        "        A = f(Z) if layer < len(params) else Z\n"
        "        cache[\"Z\"].append(Z)\n"
        "        cache[\"A\"].append(A)\n"))]}, "last_activation_missing"),
    Mutant("forward pass caches A as Z", "forward", _loop('cache["Z"].append(Z)', 'cache["Z"].append(A)'),
           "cache_a_for_z"),
    Mutant("forward pass applies the output activation twice", "forward", {FORWARD: [(
        "    return A, cache\n", "    return functions[-1](A), cache\n")]}, "output_activation_twice",
        "the loop already applied it"),
    Mutant("forward pass with sigmoid everywhere", "forward", {FORWARD: [(
        "from losses import softmax\n", "from losses import softmax\nfrom activations import sigmoid\n"),
        (LOOP, LOOP.replace("A = f(Z)", "A = sigmoid(Z)"))]}, "sigmoid_everywhere"),
    Mutant("forward pass cache without X", "forward", {FORWARD: [(
        '    cache = {"A": [A], "Z": []}\n', '    cache = {"A": [], "Z": []}\n')]}, "cache_without_input"),
    Mutant("forward pass feeds X to every layer", "forward", {FORWARD: [(
        "    A = np.asarray(X, dtype=np.float64)\n", "    X = A = np.asarray(X, dtype=np.float64)\n"),
        (LOOP, LOOP.replace("Z = dense(A, W, b)", "Z = dense(X, W, b)"))]}, "forward_same_input"),
    Mutant("forward pass calling the activation names", "forward", {FORWARD: [(
        "    for (W, b), f in zip(params, functions):\n", "    for (W, b), f in zip(params, activations):\n")]},
        "activation_name_called"),
    Mutant("forward pass looking up softmax with get", "forward", {FORWARD: [(
        "    for (W, b), f in zip(params, functions):\n",
        "    for (W, b), name in zip(params, activations):\n        f = get_activation(name)[0]\n")]},
        "softmax_from_get"),
    Mutant("forward pass returning (cache, A)", "forward", {FORWARD: [(
        "    return A, cache\n", "    return cache, A\n")]}, "returns_swapped"),
    Mutant("forward pass with lowercase cache keys", "forward", {FORWARD: [
        ('    cache = {"A": [A], "Z": []}\n', '    cache = {"a": [A], "z": []}\n'),
        (LOOP, LOOP.replace('cache["Z"]', 'cache["z"]').replace('cache["A"]', 'cache["a"]'))]}, "cache_keys"),
)

ALTERNATIVES = (
    Alternative("sigmoid through tanh", {ACT: [(SIGMOID, "    return 0.5 * (1.0 + np.tanh(0.5 * z))\n")]}),
    Alternative("sigmoid_prime from exp(-|z|)", {ACT: [(SIGMOID_PRIME, (
        "    e = np.exp(-np.abs(np.asarray(z, dtype=np.float64)))\n    return e / (1.0 + e) ** 2\n"))]}),
    Alternative("tanh through the sigmoid", {ACT: [(TANH, "    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=np.float64)) - 1.0\n")]}),
    Alternative("tanh_prime as 1 / cosh^2", {ACT: [(TANH_PRIME, (
        "    z = np.asarray(z, dtype=np.float64)\n"
        "    return np.where(np.abs(z) > 300, 0.0, 1.0 / np.cosh(np.clip(z, -300, 300)) ** 2)\n"))]}),
    Alternative("relu by masking a copy", {ACT: [(RELU, (
        "    out = np.array(z, dtype=np.float64)\n    out[out < 0] = 0.0\n    return out\n"))]}),
    Alternative("relu_prime with heaviside", {ACT: [(RELU_PRIME, "    return np.heaviside(np.asarray(z, dtype=np.float64), 0.0)\n")]}),
    Alternative("leaky ReLU as max and min", {ACT: [(LEAKY, "    return np.maximum(z, 0.0) + alpha * np.minimum(z, 0.0)\n")]}),
    Alternative("leaky ReLU as np.maximum(z, alpha z)", {ACT: [(LEAKY, "    return np.maximum(z, alpha * z)\n")]},
                "right for every alpha in [0, 1], the range the docstring allows"),
    Alternative("leaky_relu_prime by masking", {ACT: [(LEAKY_PRIME, (
        "    out = np.full(z.shape, float(alpha))\n    out[z > 0] = 1.0\n    return out\n"))]}),
    Alternative("softmax through log-sum-exp", {LOSSES: [(SOFTMAX, (
        "    m = z.max(axis=-1, keepdims=True)\n"
        "    log_norm = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))\n"
        "    return np.exp(z - log_norm)\n"))]}),
    Alternative("one-hot from an identity", {LOSSES: [(ONE_HOT, "    return np.eye(num_classes)[labels]\n")]}),
    Alternative("cross-entropy with a per-row sum", {LOSSES: [(CE, (
        "    return float(np.mean(-np.sum(Y * np.log(np.maximum(probs, 1e-12)), axis=1)))\n"))]}),
    Alternative("cross-entropy of the true class only", {LOSSES: [(CE_CLIP + "    Y = np.asarray(Y, dtype=np.float64)\n" + CE, (
        "    probs = np.asarray(probs, dtype=np.float64)\n"
        "    true = probs[np.arange(len(probs)), np.argmax(Y, axis=1)]\n"
        "    return float(-np.mean(np.log(np.maximum(true, 1e-300))))\n"))]}),
    Alternative("binary cross-entropy clipped at 1e-12", {LOSSES: [(BCE_CLIP, BCE_CLIP.replace(
        "EPS, 1.0 - EPS", "1e-12, 1.0 - 1e-12"))]}),
    Alternative("dense with einsum", {FORWARD: [(DENSE, '    return np.einsum("nd,de->ne", A_prev, W) + b\n')]}),
    Alternative("forward pass with lists built by index", {FORWARD: [(LOOP, (
        "    for layer in range(len(params)):\n"
        "        W, b = params[layer]\n"
        "        cache[\"Z\"].append(dense(cache[\"A\"][-1], W, b))\n"
        "        cache[\"A\"].append(functions[layer](cache[\"Z\"][-1]))\n"
        "    A = cache[\"A\"][-1]\n"))]}),
)
