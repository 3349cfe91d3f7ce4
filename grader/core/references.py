"""Loading the reference solutions into the grader's process, and computing expected values from them.

Solution modules import their neighbours by plain name (``from activations import sigmoid``), so each assignment's
folder is put on ``sys.path`` while it loads, and the plain names are taken out of ``sys.modules`` afterwards so two
assignments' ``activations`` never collide.
"""
import copy
import dataclasses
import importlib
import sys
import threading
import warnings
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..shipped import evaluation
from . import paths

_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def modules(assignment):
    """A namespace of the assignment's solution modules by name, provided ones from their origin's solutions."""
    origins = [assignment.name] + sorted(set(assignment.provided.values()))
    folders = [str(paths.SOLUTIONS / origin) for origin in origins]
    names = tuple(assignment.provided) + tuple(assignment.modules)
    with _LOCK:
        saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
        sys.path[:0] = folders
        try:
            loaded = {name: importlib.import_module(name) for name in names}
        finally:
            for folder in folders:
                sys.path.remove(folder)
            for name in names:
                sys.modules.pop(name, None)
            sys.modules.update(saved)
    return SimpleNamespace(**loaded)


def call(ref, function, case):
    module, name = function.split(".", 1)
    return getattr(getattr(ref, module), name)(*_copy(case.args), **_copy(case.kwargs))


def _copy(value):
    """A deep copy, so a reference call can never alter (or advance the generator of) a case's arguments."""
    return copy.deepcopy(value)


def expected(assignment, check, case):
    ref = modules(assignment)
    if check.expected is not None:
        return check.expected(ref, case)
    return call(ref, check.function, case)


def variant_output(ref, misconception, case):
    """What the bug gives on this case: its output; ``evaluation.Raised`` where it raises the exception it declares
    (``Misconception.raises``), or, with its whole message, any other exception; None where it has no output (the
    variant returns None, or raises with no message)."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return misconception.variant(ref, *_copy(case.args), **_copy(case.kwargs))
    except Exception as exc:
        raised = evaluation.Raised.declared(misconception.raises) if misconception.raises else None
        if raised and evaluation.raised_alike(raised, type(exc).__name__, str(exc)):
            try:
                message = str(exc)[:500]
            except Exception:
                message = ""
            return dataclasses.replace(raised, message=message)
        return raised_exactly(exc)


def raised_exactly(exc):
    """``evaluation.Raised`` with the exception's whole message (as the sandbox's worker cuts it), or None where it
    has none to match by."""
    try:
        detail = str(exc)[:500]
    except Exception:
        return None
    return evaluation.Raised(type(exc).__name__, detail=detail) if detail else None


def variant_outputs(assignment, check, case):
    """(key, message, output) of each misconception on this case (see ``variant_output``)."""
    ref = modules(assignment)
    return [(m.key, m.message, variant_output(ref, m, case)) for m in check.misconceptions]
