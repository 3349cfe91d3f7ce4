"""The three training tasks of this assignment, and a starting point for a network's parameters.

- XOR: the course's "movie" table. A friend D comes to the cinema exactly when one of A and B comes; C does not
  matter. All 8 rows of the table are in ``data/xor.csv``.
- Diamond: points spread evenly over the square [-1, 1]^2, labelled 1 inside the diamond |x1| + |x2| < 1. No
  straight line separates the classes, so a hidden layer is needed.
- Beans: a bean's toxicity against its size. Small and large beans are harmless, middle-sized ones are toxic, so the
  curve rises and then falls again: one sigmoid cannot fit it, two hidden sigmoids can.

This module is finished: you do not need to edit it. Its functions draw random numbers only from the generator
they are given, so the same seed always gives the same data.
"""
import numpy as np

MESSAGES = {
    "columns": "{path} has {got} columns; expected {expected}",
    "layers": "layer_sizes needs at least two entries (inputs and outputs); got {sizes}",
}


def load_csv(path):
    """Read a CSV file with a header line: every column but the last is an input, the last is the target.

    Inputs:
    - path: str or pathlib.Path of the file.

    Returns a tuple of:
    - X: numpy float64 array of shape (N, D), one sample per row.
    - y: numpy float64 array of shape (N, 1), the targets.
    """
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return table[:, :-1].copy(), table[:, -1:].copy()


def load_xor(path):
    """Read the XOR table: inputs A, B, C and the target D = A xor B.

    Inputs:
    - path: str or pathlib.Path of ``xor.csv`` (columns A, B, C, D).

    Returns a tuple of:
    - X: numpy float64 array of shape (8, 3), the inputs A, B, C.
    - y: numpy float64 array of shape (8, 1), the target D.
    """
    X, y = load_csv(path)
    if X.shape[1] != 3:
        raise ValueError(MESSAGES["columns"].format(path=path, got=X.shape[1] + 1, expected=4))
    return X, y


def make_diamond(n, rng):
    """Points drawn uniformly from the square [-1, 1]^2, labelled by whether they lie inside the diamond.

    Inputs:
    - n: int, the number of points.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns a tuple of:
    - X: numpy float64 array of shape (n, 2), the points.
    - y: numpy float64 array of shape (n, 1): 1.0 where |x1| + |x2| < 1, else 0.0.
    """
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (np.abs(X).sum(axis=1, keepdims=True) < 1.0).astype(np.float64)
    return X, y


def make_beans(n, rng):
    """Bean sizes and their toxicity: toxic (1.0) only in a band of middle sizes.

    A bean of size x is toxic when 0.8 < 0.7 x + 0.5 + noise < 1.4, where the noise is uniform on (-0.01, 0.01],
    that is for sizes between about 0.43 and 1.29.

    Inputs:
    - n: int, the number of beans.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns a tuple of:
    - x: numpy float64 array of shape (n, 1), the sizes, uniform on [0, 2) and sorted in increasing order.
    - y: numpy float64 array of shape (n, 1), the toxicity, 0.0 or 1.0.
    """
    x = np.sort(rng.uniform(0.0, 2.0, size=n))
    noise = (0.5 - rng.uniform(0.0, 1.0, size=n)) / 50.0
    level = 0.7 * x + 0.5 + noise
    y = ((level > 0.8) & (level < 1.4)).astype(np.float64)
    return x.reshape(n, 1), y.reshape(n, 1)


def init_params(layer_sizes, rng):
    """Xavier (Glorot) initial parameters for a fully connected network, with zero biases.

    Each weight of the layer from D_in to D_out units is drawn from a normal distribution with standard deviation
    sqrt(2 / (D_in + D_out)). Random weights make the hidden units differ from the start; with equal weights they
    would receive equal gradients and stay copies of each other forever.

    Inputs:
    - layer_sizes: sequence of ints (D_0, D_1, ..., D_L): the input size, then each layer's number of units.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - params: list of L tuples (W, b), where W is a numpy float64 array of shape (D_{l-1}, D_l) and b a numpy float64
      array of zeros of shape (D_l,).
    """
    sizes = [int(size) for size in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(MESSAGES["layers"].format(sizes=sizes))
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2.0 / (d_in + d_out)), size=(d_in, d_out))
        params.append((W, np.zeros(d_out)))
    return params
