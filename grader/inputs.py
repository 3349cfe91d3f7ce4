"""Fixed-seed inputs for catalogue cases. Every array is float64, and the same seed always gives the same array."""
import numpy as np


def normal(seed, *shape, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def uniform(seed, *shape, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from_zero(seed, *shape, margin=0.1, scale=1.0):
    """Normal values pushed at least ``margin`` away from 0, so ReLU-style kinks never sit near a test point."""
    z = normal(seed, *shape, scale=scale)
    return np.where(z >= 0, z + margin, z - margin)


def one_hot_labels(seed, n, classes):
    """A one-hot (n, classes) float64 matrix of random labels."""
    labels = np.random.default_rng(seed).integers(0, classes, size=n)
    return np.eye(classes)[labels]


def binary_labels(seed, n, columns=1):
    """An (n, columns) float64 matrix of random 0/1 labels."""
    return np.random.default_rng(seed).integers(0, 2, size=(n, columns)).astype(np.float64)


def numerical_gradient(f, x, h=1e-5):
    """Centred finite differences of the scalar function ``f`` at the array ``x``; ``x`` is left unchanged.

    Returns a float64 array of x's shape: (f(x + h e_i) - f(x - h e_i)) / 2h for each element i.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        plus = f(x)
        x[index] = saved - h
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad
