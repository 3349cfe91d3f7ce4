"""The vocabulary of a catalogue: an assignment is parts, a part is checks, a check is cases.

A contributor adds an exercise by writing the solution function under ``solutions/<assignment>/`` and its checks in
``grader/catalogues/<assignment>.py``. Everything else (the stubs, the self-check, the nbgrader grade cells, the
batch grader and the Gradescope export) is derived from these objects.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

KINDS = ("match", "gradient", "robust", "converge")


@dataclass(frozen=True, eq=False)
class Case:
    """One call of the student's function. Public cases are the ones the self-check ships with their answers; they
    earn no points. Each needs a hidden twin in the same check (the same argument types and shapes, fresh inputs),
    and the hidden cases share the part's points."""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    public: bool = False
    label: str = ""


@dataclass(frozen=True, eq=False)
class Misconception:
    """A classic bug: ``variant(ref, *args, **kwargs)`` computes what the buggy code returns on a case.

    ``ref`` gives the reference modules by name (``ref.activations.sigmoid``). When a student's wrong output equals
    the variant's, the student reads ``message``, and the class report counts ``key``.
    """
    key: str
    message: str
    variant: Callable


@dataclass(frozen=True, eq=False)
class Check:
    """One property of one student function, tested on several cases.

    kind: 'match' compares with the expected value; 'gradient' compares with a numerical gradient by relative
    error; 'robust' is 'match' plus no warnings; 'converge' trains and measures the result with the reference
    ``predict``. ``expected(ref, case)`` gives the expected value; by default it calls the solution function.
    """
    kind: str
    function: str
    cases: tuple
    title: str = ""
    expected: Optional[Callable] = None
    misconceptions: tuple = ()
    options: dict = field(default_factory=dict)
    timeout: float = 5.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown check kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if "." not in self.function:
            raise ValueError(f"check function {self.function!r} must be written as 'module.function'")

    @property
    def module(self):
        return self.function.split(".", 1)[0]

    @property
    def name(self):
        return self.function.split(".", 1)[1]


@dataclass(frozen=True, eq=False)
class Part:
    """A graded part: ``points`` are shared evenly among the hidden cases of all its checks."""
    key: str
    title: str
    points: float
    checks: tuple

    def cases(self):
        return [(check, index, case) for check in self.checks for index, case in enumerate(check.cases)]


def structure(value):
    """What a twin must share with a case's value: types, dtypes and shapes, all the way down; not the numbers."""
    if type(value) is np.ndarray:
        return ("ndarray", value.dtype.str, value.shape)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(structure(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((key, structure(item)) for key, item in value.items())))
    return type(value).__name__


def twins(check, case, other_check, other):
    """Whether ``other`` is a twin of ``case``: the same function and kind of check, and the same structure."""
    return (other_check.function == check.function and other_check.kind == check.kind
            and structure(other.args) == structure(case.args) and structure(other.kwargs) == structure(case.kwargs))


@dataclass(frozen=True, eq=False)
class Assignment:
    """``modules`` are the graded files a student edits. ``provided`` maps a finished module shipped alongside to
    the assignment whose ``solutions/`` folder holds it (an earlier one, or this one for helpers with no solution
    regions); ``data`` names files of the kit's ``data/`` folder to ship under ``data/``."""
    name: str
    title: str
    modules: tuple
    parts: tuple
    provided: dict = field(default_factory=dict)
    data: tuple = ()

    def __post_init__(self):
        keys = [part.key for part in self.parts]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.name}: part keys must be unique")
        for part in self.parts:
            for check in part.checks:
                if check.module not in self.modules:
                    raise ValueError(f"{self.name}/{part.key}: {check.function} is not in a graded module")
            for check, index, case in part.cases():
                if case.public and not any(not other.public and twins(check, case, other_check, other)
                                           for other_check, _, other in part.cases()):
                    raise ValueError(f"{self.name}/{part.key}: public case {index + 1} of {check.function} "
                                     f"({check.title or check.kind}) has no hidden twin of the same shape and kind")

    @property
    def max_score(self):
        return sum(part.points for part in self.parts)

    def part(self, key):
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(f"{self.name} has no part {key!r}")
