"""Random inputs for every graded function, drawn as each docstring allows: shapes, dtypes and value ranges.

They are independent of the catalogues' cases, so that what counts as an equivalent mutant does not depend on what
the checks happen to test. ``draws(qualname, count, seed)`` gives ``count`` calls (args, kwargs) of one function,
the same every time for the same seed. Each draw picks its own shapes, and some draw the edges a docstring names:
exact zeros, logits of +-1000, probabilities of exactly 0 and 1, one sample, a python float.
"""
import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def _shape(rng, low=1, high=6, dims=(1, 2)):
    return tuple(int(d) for d in rng.integers(low, high + 1, size=int(rng.choice(dims))))


def _values(rng, shape, edges=False):
    """Normal values at a random scale; with ``edges``, some exact zeros and some values of +-40 and +-1000."""
    z = rng.normal(0.0, float(rng.choice([0.5, 2.0, 6.0])), size=shape)
    if edges and z.size:
        flat = z.reshape(-1)
        picks = rng.random(flat.shape)
        flat[picks < 0.15] = 0.0
        flat[(picks > 0.85) & (picks < 0.92)] = rng.choice([-1000.0, 1000.0, -40.0, 40.0])
        flat[picks >= 0.92] = rng.choice([-1000.0, 1000.0], size=int((picks >= 0.92).sum()))
    return z


def _any_array(rng, edges=True):
    """An array of any shape: (), (n,), (n, m) or (a, b, c)."""
    shape = _shape(rng, dims=(0, 1, 2, 2, 3))
    return _values(rng, shape, edges=edges and rng.random() < 0.6)


def _z(rng):
    return (_any_array(rng),), {}


def _z_alpha(rng):
    z = _any_array(rng)
    return ((z,), {}) if rng.random() < 0.3 else ((z,), {"alpha": float(rng.choice([0.0, 0.05, 0.2, 0.5, 1.0]))})


def _sigmoid_a1(rng):
    if rng.random() < 0.2:
        return (float(rng.normal(0.0, 5.0)),), {}
    return _z(rng)


def _design(rng, ones=True):
    m, d = int(rng.integers(2, 9)), int(rng.integers(1, 5))
    X = rng.normal(0.0, 1.0, size=(m, d))
    if ones:
        X[:, 0] = 1.0
    return X


def _regression(rng):
    X = _design(rng)
    return X, rng.normal(0.0, 2.0, size=X.shape[0]), rng.normal(0.0, 1.0, size=X.shape[1])


def _classification(rng, large=False):
    X = _design(rng)
    k = rng.normal(0.0, 300.0 if large else 1.0, size=X.shape[1])
    return X, rng.integers(0, 2, size=X.shape[0]).astype(np.float64), k


def _mse(rng):
    return _regression(rng), {}


def _batch_gd(rng):
    X, y, theta = _regression(rng)
    return (X, y, theta, float(rng.uniform(0.01, 0.2)), int(rng.integers(1, 7))), {}


def _sgd(rng):
    X, y, theta = _regression(rng)
    order = rng.integers(0, X.shape[0], size=int(rng.integers(1, 12)))
    return (X, y, theta, float(rng.uniform(0.01, 0.1)), order), {}


def _log_loss(rng):
    return _classification(rng, large=rng.random() < 0.3), {}


def _logistic(rng):
    return _classification(rng), {}


def _logistic_regression(rng):
    X, y, k = _classification(rng)
    return (X, y, k, float(rng.uniform(0.01, 0.5)), int(rng.integers(1, 7))), {}


def _neuron(rng):
    n, d = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    return (rng.normal(0.0, 2.0, size=(n, d)), rng.normal(0.0, 2.0, size=d), float(rng.normal())), {}


def _gate(rng):
    return (str(rng.choice(["and", "or", "nand"])),), {}


def _bits(rng):
    rows = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return (rows[rng.permutation(4)] if rng.random() < 0.5 else rows[rng.integers(0, 4, size=6)],), {}


def _softmax(rng):
    shape = (int(rng.integers(2, 7)),) if rng.random() < 0.3 else (int(rng.integers(1, 7)), int(rng.integers(2, 7)))
    z = rng.normal(0.0, float(rng.choice([1.0, 3.0])), size=shape)
    edge = rng.random()
    if edge < 0.3:  # rows far apart
        z = z + rng.choice([-1000.0, 1000.0], size=shape[:-1] + (1,))
    elif edge < 0.5:  # logits far apart inside a row
        z.reshape(-1, shape[-1])[:, 0] = 1000.0
        z.reshape(-1, shape[-1])[:, -1] = -1000.0
    return (z,), {}


def _distributions(rng, n, c, exact=False):
    z = rng.normal(0.0, 2.0, size=(n, c))
    p = np.exp(z - z.max(axis=1, keepdims=True))
    if exact:
        p[rng.random(p.shape) < 0.3] = 0.0
        p[np.arange(n), rng.integers(0, c, size=n)] += 0.1
    return p / p.sum(axis=1, keepdims=True)


def _one_hot_rows(rng, n, c):
    Y = np.zeros((n, c))
    Y[np.arange(n), rng.integers(0, c, size=n)] = 1.0
    return Y


def _one_hot(rng):
    c = int(rng.integers(2, 7))
    labels = rng.integers(0, c, size=int(rng.integers(1, 8)))
    return (labels, c + int(rng.integers(0, 3))), {}


def _cross_entropy(rng):
    n, c = int(rng.integers(1, 7)), int(rng.integers(2, 6))
    return (_distributions(rng, n, c, exact=rng.random() < 0.4), _one_hot_rows(rng, n, c)), {}


def _bce(rng):
    n = int(rng.integers(1, 8))
    a = rng.uniform(0.0, 1.0, size=n)
    y = rng.integers(0, 2, size=n).astype(np.float64)
    if rng.random() < 0.5:  # exact 0s and 1s, right or confidently wrong
        exact = rng.random(n) < 0.5
        a[exact] = np.where(rng.random(int(exact.sum())) < 0.5, y[exact], 1.0 - y[exact])
    if rng.random() < 0.4:
        a, y = a.reshape(n, 1), y.reshape(n, 1)
    return (a, y), {}


def _dense(rng):
    n, d_in, d_out = (int(v) for v in rng.integers(1, 7, size=3))
    return (rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)), {}


def _network(rng, last=None, biases=True):
    """(X, params, names) of a random fully connected network: 1 to 3 layers, sizes 1 to 5."""
    layers = int(rng.integers(1, 4))
    sizes = [int(s) for s in rng.integers(1, 6, size=layers + 1)]
    names = [str(rng.choice(ACTIVATIONS)) for _ in range(layers)]
    names[-1] = last or str(rng.choice(ACTIVATIONS + ("softmax",)))
    if names[-1] == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    params = [(rng.normal(size=(a, b)), rng.normal(size=b) if biases else np.zeros(b))
              for a, b in zip(sizes[:-1], sizes[1:])]
    return rng.normal(size=(int(rng.integers(1, 7)), sizes[0])), params, names


def _forward_pass(rng):
    X, params, names = _network(rng)
    return (X, params, names), {}


def _activate(name, z):
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(z / 2.0))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _forward(X, params, names):
    A, cache = X, {"A": [X], "Z": []}
    for (W, b), name in zip(params, names):
        Z = A @ W + b
        A = _activate(name, Z)
        cache["Z"].append(Z)
        cache["A"].append(A)
    return A, cache


def _targets(rng, n, width, last):
    if last == "softmax":
        return _one_hot_rows(rng, n, width)
    return rng.integers(0, 2, size=(n, width)).astype(np.float64)


def _output_delta(rng):
    n, c = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    return (rng.uniform(0.0, 1.0, size=(n, c)), rng.integers(0, 2, size=(n, c)).astype(np.float64)), {}


def _hidden_delta(rng):
    n, d, d_next = (int(v) for v in rng.integers(1, 6, size=3))
    return (rng.normal(size=(n, d_next)), rng.normal(size=(d, d_next)), rng.normal(0.0, 2.0, size=(n, d)),
            str(rng.choice(ACTIVATIONS))), {}


def _layer_gradients(rng):
    n, d_in, d_out = (int(v) for v in rng.integers(1, 6, size=3))
    return (rng.normal(size=(n, d_in)), rng.normal(size=(n, d_out))), {}


def _backward(rng):
    X, params, names = _network(rng, last=str(rng.choice(["sigmoid", "softmax"])))
    _, cache = _forward(X, params, names)
    Y = _targets(rng, X.shape[0], params[-1][0].shape[1], names[-1])
    return (Y, params, cache, names), {}


def _gd_step(rng):
    _, params, _ = _network(rng)
    grads = [(rng.normal(size=W.shape), rng.normal(size=b.shape)) for W, b in params]
    return (params, grads, float(rng.uniform(0.01, 1.0))), {}


def _train_step(rng):
    X, params, names = _network(rng, last=str(rng.choice(["sigmoid", "softmax"])))
    Y = _targets(rng, X.shape[0], params[-1][0].shape[1], names[-1])
    return (X, Y, params, names, float(rng.uniform(0.1, 1.0))), {}


def _train(rng):
    X, params, names = _network(rng, last=str(rng.choice(["sigmoid", "softmax"])))
    X = rng.normal(size=(int(rng.integers(2, 9)), X.shape[1]))
    Y = _targets(rng, X.shape[0], params[-1][0].shape[1], names[-1])
    args = (X, Y, params, names, float(rng.uniform(0.1, 1.0)), int(rng.integers(1, 4)))
    if rng.random() < 0.5:
        return args, {}
    return args, {"batch_size": int(rng.integers(1, X.shape[0] + 1)),
                  "rng": np.random.default_rng(int(rng.integers(0, 2 ** 31)))}


DRAWS = {
    "neuron.sigmoid": _sigmoid_a1, "neuron.neuron": _neuron, "neuron.gate_weights": _gate,
    "neuron.logic_gate": lambda rng: ((str(rng.choice(["and", "or", "nand"])), _bits(rng)[0][0]), {}),
    "neuron.xor_gate": _bits,
    "gradient_descent.mse_loss": _mse, "gradient_descent.mse_gradient": _mse,
    "gradient_descent.batch_gradient_descent": _batch_gd, "gradient_descent.sgd": _sgd,
    "gradient_descent.log_loss": _log_loss, "gradient_descent.logistic_gradient": _logistic,
    "gradient_descent.logistic_regression": _logistic_regression,
    "activations.sigmoid": _z, "activations.tanh": _z, "activations.relu": _z, "activations.leaky_relu": _z_alpha,
    "activations.sigmoid_prime": _z, "activations.tanh_prime": _z, "activations.relu_prime": _z,
    "activations.leaky_relu_prime": _z_alpha,
    "losses.softmax": _softmax, "losses.one_hot": _one_hot, "losses.cross_entropy": _cross_entropy,
    "losses.binary_cross_entropy": _bce, "forward.dense": _dense, "forward.forward_pass": _forward_pass,
    "backprop.output_delta": _output_delta, "backprop.hidden_delta": _hidden_delta,
    "backprop.layer_gradients": _layer_gradients, "backprop.backward": _backward,
    "training.gd_step": _gd_step, "training.train_step": _train_step, "training.train": _train,
}


def draws(qualname, count=8, seed=0):
    """``count`` calls [(args, kwargs)] of the function ``qualname``, fixed by ``seed`` and the name."""
    if qualname not in DRAWS:
        raise KeyError(f"no random inputs for {qualname}: add a generator to benchmarks/mechanical/inputs.py")
    rng = np.random.default_rng([seed, *qualname.encode("utf-8")])
    return [DRAWS[qualname](rng) for _ in range(count)]
