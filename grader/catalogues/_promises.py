"""The words catalogues declare their functions' promises in: predicates on a case's arguments, and promises that
several functions share (an array of any shape, no warning at +-1000, the arguments left unchanged).

Each ``Promise.exercised`` takes the case's arguments as the function does; these helpers build such predicates
from one argument's position (or keyword name) and a test of its value.
"""
import numpy as np

from ..core.spec import Promise


def arg(where, test):
    """A predicate that applies ``test`` to one argument: its position, or its keyword's name."""
    def exercised(*args, **kwargs):
        value = kwargs[where] if isinstance(where, str) else args[where]
        return test(value)
    return exercised


def array(value):
    return type(value) is np.ndarray


def axes(count):
    """An array with ``count`` axes (``count`` or more when it is written as ``(3, None)``)."""
    if isinstance(count, tuple):
        return lambda value: array(value) and value.ndim >= count[0]
    return lambda value: array(value) and value.ndim == count


def exact_zeros(value):
    return array(value) and value.size > 0 and bool(np.any(value == 0.0))


def both_signs(value):
    return array(value) and bool(np.any(value > 0)) and bool(np.any(value < 0))


def beyond(limit):
    """An array holding values of at least ``limit`` in size, of both signs."""
    return lambda value: array(value) and bool(np.any(value >= limit)) and bool(np.any(value <= -limit))


def outside_unit(value):
    """Values that no activation a = f(z) in [0, 1] could be: a derivative given z, not a, shows here."""
    return array(value) and bool(np.any((value < 0.0) | (value > 1.0)))


def rows(count):
    """A 2-D array of ``count`` rows (``(2, None)``: two or more)."""
    if isinstance(count, tuple):
        return lambda value: array(value) and value.ndim == 2 and value.shape[0] >= count[0]
    return lambda value: array(value) and value.ndim == 2 and value.shape[0] == count


def distinct_sizes(value):
    """A 2-D array with as many rows as columns nowhere: a transpose or a reduction over the wrong axis shows."""
    return array(value) and value.ndim == 2 and value.shape[0] != value.shape[1]


def exact_probabilities(value):
    """Probabilities holding exact 0s and 1s (a log must not see them unguarded)."""
    return array(value) and bool(np.any(value == 0.0)) and bool(np.any(value == 1.0))


def always(*args, **kwargs):
    return True


def any_shape(position=0, three=True):
    """An elementwise function: one axis, two axes, and (``three``) three or more, each tested."""
    found = (Promise("z with one axis", arg(position, axes(1))), Promise("z with two axes", arg(position, axes(2))))
    if three:
        found += (Promise("z with three axes or more", arg(position, axes((3, None)))),)
    return found


#: exp overflows float64 above 709.78: inputs beyond this put a "no overflow, no warning" promise to the test
OVERFLOWS = 709.8


def no_warning(position=0):
    """No overflow, nan or warning for inputs as large as +-1000: a 'robust' check, which fails on a warning, on
    inputs of both signs beyond where exp overflows."""
    return Promise("no warning for z as large as +-1000", arg(position, beyond(OVERFLOWS)), kinds=("robust",))


#: "It must not change its arguments": the grader compares every argument before and after each call, so any case
#: exercises it; declared so that the list of promises reads like the docstring.
UNCHANGED = Promise("its arguments are left unchanged (checked on every call)", always)
