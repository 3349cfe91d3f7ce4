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


def extremes(seed):
    """Seven values, shuffled: an exact 0, and a positive and a negative value of each magnitude class, 750 to 1500,
    20 to 60 and 0.5 to 2, where naive exp-based formulas overflow (exp passes float64's range at 709.8) or lose
    all precision."""
    rng = np.random.default_rng(seed)
    magnitudes = np.array([1000.0, 40.0, 1.0]) * rng.uniform([0.75, 0.5, 0.5], [1.5, 1.5, 2.0])
    return rng.permutation(np.concatenate([[0.0], magnitudes, -magnitudes]))


def binary_rows(seed, n, columns=2):
    """An (n, columns) float64 matrix of 0/1 entries that holds every row pattern at least once when n allows."""
    rng = np.random.default_rng(seed)
    patterns = np.array(list(np.ndindex(*(2,) * columns)), dtype=np.float64)
    rows = np.concatenate([patterns, patterns[rng.integers(0, len(patterns), max(n - len(patterns), 0))]])[:n]
    return rng.permutation(rows)


def with_zeros(seed, *shape, scale=2.0):
    """Normal values with about a quarter of the entries exactly 0, where ReLU-style functions have their kink."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=scale, size=shape)
    return np.where(rng.uniform(size=shape) < 0.25, 0.0, z)
