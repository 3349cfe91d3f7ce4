"""Which arguments a call changed in place: a snapshot of every array it was given, and a comparison afterwards.

The worker (``worker.py``) and the students' self-check (``_selfcheck/local.py``) both call ``watch`` before the
student's function and ``changed`` after it, so a function that writes into an array it was given
(``theta -= ...`` on ``theta0``, ``np.clip(z, ..., out=z)``, ``z[z < 0] = 0``, ``W -= lr * dW`` on a list of
parameters) is caught the same way in both. A list or dict argument whose items were replaced, added or removed
counts as changed too: the caller holds the same list.

Arguments are named by the function's own parameter names where ``inspect.signature`` can bind them, with the path
inside a container, for example ``params[0][0]`` or ``cache['A'][1]``; otherwise ``args[i]``. The snapshot copies
each array's bytes once; the comparison walks only what the snapshot holds, so it costs one pass over the
arguments however the student rebuilt them.

This file is copied verbatim into each assignment's ``_selfcheck/`` folder; it must import only numpy and the stdlib.
"""
import inspect

import numpy as np

MAX_REPORTED = 5  # changed arguments reported per call, one path each
_PLAIN = (bool, int, float, str, type(None))


def _arguments(func, args, kwargs):
    """(label, value) for each argument: the parameter's name where the call binds, else its position."""
    try:
        signature = inspect.signature(func)
        bound = signature.bind(*args, **kwargs)
    except Exception:  # a builtin without a signature, or a call that does not bind (it will raise TypeError)
        return [(f"args[{i}]", value) for i, value in enumerate(args)] + list(kwargs.items())
    labelled = []
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            labelled.extend((f"{name}[{i}]", item) for i, item in enumerate(value))
        elif kind is inspect.Parameter.VAR_KEYWORD:
            labelled.extend(value.items())
        else:
            labelled.append((name, value))
    return labelled


def _snapshot(value):
    """What must still hold after the call: exact bytes, shape and dtype of arrays, the items of containers."""
    cls = type(value)
    if cls is np.ndarray:
        return ("array", value.shape, value.dtype, value.tobytes())
    if cls is list or cls is tuple:
        return ("sequence", cls, [_snapshot(item) for item in value])
    if cls is dict:
        return ("dict", list(value), [_snapshot(item) for item in value.values()])
    if cls in _PLAIN or (isinstance(value, np.generic) and cls.__module__ == "numpy"):
        return ("plain", cls, value)
    return ("object", value)  # a Generator, say: its state may advance, but it must stay the caller's object


def _same(before, now):
    """Whether ``now`` is what ``before`` recorded, or None for a container. Only exact numpy and builtin types are
    looked into: an object a student put in the caller's list is simply not the array that was there."""
    kind = before[0]
    if kind == "array":
        _, shape, dtype, data = before
        return type(now) is np.ndarray and now.shape == shape and now.dtype == dtype and now.tobytes() == data
    if kind == "plain":
        _, cls, value = before
        return type(now) is cls and (now is value or bool(now == value))
    if kind == "object":
        return now is before[1]
    return None  # a container: compared item by item


def _first_difference(before, now, path):
    """The path of the first place where ``now`` differs from its snapshot ``before``, or None."""
    same = _same(before, now)
    if same is not None:
        return None if same else path
    kind, layout, children = before
    if kind == "sequence":
        if type(now) is not layout or len(now) != len(children):
            return path
        steps = [(f"[{i}]", item) for i, item in enumerate(now)]
    else:
        if type(now) is not dict or list(now) != layout:
            return path
        steps = [(f"[{key!r}]", now[key]) for key in layout]
    for (step, item), child in zip(steps, children):
        found = _first_difference(child, item, path + step)
        if found is not None:
            return found
    return None


class Watch:
    """The arguments of one call, as they were before it."""

    def __init__(self, labelled):
        self._arguments = [(label, value, _snapshot(value)) for label, value in labelled]

    def changed(self):
        """One path per argument that the call changed, such as ``params[0][0]``, at most MAX_REPORTED."""
        found = []
        for label, value, before in self._arguments:
            path = _first_difference(before, value, label)
            if path is not None:
                found.append(path)
                if len(found) == MAX_REPORTED:
                    break
        return found


def watch(func, args, kwargs):
    """Snapshot the arguments of ``func(*args, **kwargs)`` before the call; ``.changed()`` after it."""
    return Watch(_arguments(func, args, kwargs))
