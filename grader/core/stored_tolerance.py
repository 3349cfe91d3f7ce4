"""How closely a stored reference value must be reproduced on another machine, by how it was computed.

numpy and OpenBLAS pick their kernels by CPU, so the last bits of a product, an ``exp`` or a ``tanh`` differ between
machines. A value the kit stores (the self-check's ``cases.json``) is therefore compared with a fresh computation
at a tolerance that fits the computation, never byte for byte. The error is measured against the largest entry of
each array (BLAS rounding scales with the summands, not with the one entry), and docs/reproducibility.md gives the
measurements behind each figure:

- ``DIRECT``: a value computed by a fixed sequence of float64 operations (a forward pass, a training run, a
  misconception's output, a case's inputs). Measured across OpenBLAS core types and numpy's SIMD levels: at most
  3e-14 of the array's largest entry. 1e-10 leaves a factor of 3000, and stays 10,000 times below the grader's
  rtol of 1e-6.
- ``FINITE_DIFFERENCE``: a centred difference with h = 1e-5 divides last-bit differences by h. Measured: at most
  2e-10 of the largest entry; 1e-8 leaves a factor of 50, and stays 100 times below the gradient check's own
  limit of 1e-6, so the drift can never decide a student's grade.
"""
import numpy as np

DIRECT = 1e-10
FINITE_DIFFERENCE = 1e-8


def for_expected(check):
    """The tolerance of a check's stored expected value: gradient checks store a numerical gradient."""
    return FINITE_DIFFERENCE if check.kind == "gradient" else DIRECT


def same(old, new, rtol):
    """True when ``new`` has ``old``'s structure, types, dtypes and shapes, and every array or float in it is
    within ``rtol`` of the largest magnitude in its own array. Everything else (str, bool, int, None, a Generator's
    state) must be equal."""
    if type(old) is not type(new):
        return False
    if type(old) is np.ndarray:
        if old.dtype != new.dtype or old.shape != new.shape:
            return False
        if old.dtype.kind != "f":
            return bool(np.array_equal(old, new))
        return _close_array(old, new, rtol)
    if isinstance(old, (float, np.floating)):
        return _close_array(np.array(old), np.array(new), rtol)
    if type(old) in (tuple, list):
        return len(old) == len(new) and all(same(o, n, rtol) for o, n in zip(old, new))
    if type(old) is dict:
        return old.keys() == new.keys() and all(same(old[key], new[key], rtol) for key in old)
    if type(old) is np.random.Generator:
        return old.bit_generator.state == new.bit_generator.state
    return old == new


def _close_array(old, new, rtol):
    finite = np.isfinite(old)
    if not np.array_equal(finite, np.isfinite(new)) or not np.array_equal(old[~finite], new[~finite], equal_nan=True):
        return False
    if not finite.any():
        return True
    scale = np.max(np.abs(old[finite]))
    return bool(np.max(np.abs(new[finite] - old[finite])) <= rtol * scale)
