"""The sigmoid's overflow, a classic bug of two assignments (A1's neuron and A2's activations): the variants that
both catalogues name. Its name starts with "_", so ``catalogues.names`` does not take it for an assignment."""
import numpy as np

from ..core.spec import Misconception


def _one_over_one_plus_exp(ref, z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _exp_over_one_plus_exp(ref, z):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / (1.0 + e)


MESSAGE = ("np.exp overflows for large |z| (np.exp(1000) is inf, with a warning, and inf / inf is nan): compute with "
           "exp(-|z|), which never overflows")
#: 1 / (1 + exp(-z)) and exp(z) / (1 + exp(z)): the right values with a warning, or nan at z = 1000
OVERFLOW = (Misconception("sigmoid_overflow", MESSAGE, _one_over_one_plus_exp),
            Misconception("sigmoid_overflow", MESSAGE, _exp_over_one_plus_exp))
