"""The vocabulary of a catalogue: an assignment is parts, a part is checks, a check is cases.

A contributor adds an exercise by writing the solution function under ``solutions/<assignment>/`` and its checks in
``grader/catalogues/<assignment>.py``. Everything else (the stubs, the self-check, the nbgrader grade cells, the
batch grader and the Gradescope export) is derived from these objects.

An assignment may also ask written questions (``Written``), answered in sentences and graded by hand in nbgrader.
They are not parts: the autograder never scores them, and ``max_score`` counts the autograded parts only.
"""
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Optional

import numpy as np

KINDS = ("match", "gradient", "robust", "converge")
#: what nbgrader accepts as a grade_id; part and question keys are grade ids
KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class CatalogueError(ValueError):
    """A catalogue that breaks a rule of this vocabulary: its message names the assignment, the part and the rule."""


@dataclass(frozen=True, eq=False)
class Case:
    """One call of the student's function. Public cases are the ones the self-check ships with their answers; they
    earn no points. Each needs a hidden twin in the same check (the same argument types and shapes, fresh inputs),
    and the hidden cases share the part's points.

    ``inputs`` is the tuple of positional arguments, or a function of no arguments that returns it: arguments made
    by reference code (a forward pass's cache, a dataset read from ``data/``) are made when ``args`` is first read,
    not when the catalogue is imported."""
    inputs: object = ()
    kwargs: dict = field(default_factory=dict)
    public: bool = False
    label: str = ""

    @cached_property
    def args(self):
        """The positional arguments: ``inputs``, made on first reading when it is a function."""
        return tuple(self.inputs()) if callable(self.inputs) else self.inputs


@dataclass(frozen=True, eq=False)
class Misconception:
    """A classic bug: ``variant(ref, *args, **kwargs)`` computes what the buggy code returns on a case.

    ``ref`` gives the reference modules by name (``ref.activations.sigmoid``). When a student's wrong output equals
    the variant's, the student reads ``message``, and the class report counts ``key``.

    A bug that makes the call fail names in ``raises`` the exception it raises (``"ValueError"`` for a matmul of
    mismatched shapes), and, after a colon, words its message holds (``"ValueError: broadcast"``): where the
    variant raises that, a student's call that raised alike is diagnosed too. Any other exception from a variant
    means it has no output on that case.
    """
    key: str
    message: str
    variant: Callable
    raises: str = ""


@dataclass(frozen=True, eq=False)
class Promise:
    """One thing a graded function's docstring promises: an input it accepts (a shape, a dtype, a range of values, an
    edge such as exact zeros or logits of 1000), or something it must not do (warn, change its arguments).

    ``exercised(*args, **kwargs)`` says whether a case's arguments put the promise to the test. A promise is kept
    when a public case of the function and a hidden twin of it both do, in a check of one of ``kinds`` (any kind
    when empty): "no warning for z = 1000" needs a 'robust' check, which is the one that fails on a warning.
    """
    text: str
    exercised: Callable
    kinds: tuple = ()


@dataclass(frozen=True, eq=False)
class Check:
    """One property of one student function, tested on several cases.

    kind: 'match' compares with the expected value; 'gradient' compares with a numerical gradient by relative
    error; 'robust' is 'match' plus no warnings; 'converge' trains and measures the result with the reference
    ``predict``. ``expected(ref, case)`` gives the expected value; by default it calls the solution function.
    ``steps(ref, case)``, for a 'converge' check of an integrated part, gives the Steps the run must be made of:
    a run whose trained parameters are not the student's own steps fails, however well they score.
    """
    kind: str
    function: str
    cases: tuple
    title: str = ""
    expected: Optional[Callable] = None
    misconceptions: tuple = ()
    options: dict = field(default_factory=dict)
    timeout: float = 5.0
    steps: Optional[Callable] = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise CatalogueError(f"unknown check kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if "." not in self.function:
            raise CatalogueError(f"check function {self.function!r} must be written as 'module.function'")

    @property
    def module(self):
        return self.function.split(".", 1)[0]

    @property
    def name(self):
        return self.function.split(".", 1)[1]


@dataclass(frozen=True, eq=False)
class Steps:
    """What a training run must be made of, for one case: ``count`` calls of the student's ``function``
    ('module.function'), the first from ``start``, each returning (at the index path ``params_at``) parameters that
    equal ``step(previous)`` (the reference's one step, computed in the grader) within ``rtol`` and ``atol``; and the
    run returns the last of them. ``step`` takes and returns parameters shaped like ``start``."""
    function: str
    start: object
    count: int
    step: Callable
    params_at: tuple = (0,)
    rtol: float = 1e-7
    atol: float = 1e-12


@dataclass(frozen=True, eq=False)
class Part:
    """A graded part: ``points`` are shared evenly among the hidden cases of all its checks.

    A unit part (the default) grades each function with the reference standing in for every graded function it
    calls (``Assignment.calls``), so a bug costs only its own part. An ``integrated`` part (a task the whole network
    must learn) runs the student's own code throughout."""
    key: str
    title: str
    points: float
    checks: tuple
    integrated: bool = False

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


def exercises(promise, check, case):
    """Whether ``case`` of ``check`` puts ``promise`` to the test: a check of a kind it allows, on arguments it
    recognises. A predicate that fails on the arguments does not recognise them."""
    if promise.kinds and check.kind not in promise.kinds:
        return False
    try:
        return bool(promise.exercised(*case.args, **case.kwargs))
    except Exception:  # noqa: BLE001 - arguments of another form than the promise is about
        return False


@dataclass(frozen=True, eq=False)
class Written:
    """A question answered in sentences: an nbgrader "manually graded answer" cell, scored by hand.

    ``key`` is the answer cell's grade_id and the stable key of the question's texts (a translation table keys them
    as ``<key>.title`` and ``<key>.rubric.<n>``; see ``grader.authoring.written.strings``). The prompt students read is the
    markdown after ``# %% [written] <key>`` in ``notebooks/<assignment>.py``. ``rubric`` is the grader's: a tuple of
    (points, criterion) pairs whose points add up to ``points``. It is printed by ``python -m grader rubrics`` and
    written to ``docs/rubrics/``, and never reaches ``assignments/`` or a release.
    """
    key: str
    title: str
    points: float
    rubric: tuple

    def __post_init__(self):
        if not KEY.match(self.key):
            raise CatalogueError(f"written question key {self.key!r} must be letters, digits, '_' or '-'")
        if not self.rubric or any(len(item) != 2 or not isinstance(item[1], str) for item in self.rubric):
            raise CatalogueError(f"{self.key}: the rubric is a non-empty tuple of (points, criterion) pairs")
        if abs(sum(points for points, _ in self.rubric) - self.points) > 1e-9:
            raise CatalogueError(f"{self.key}: the rubric's points add up to {sum(p for p, _ in self.rubric):g}, "
                             f"not {self.points:g}")


@dataclass(frozen=True, eq=False)
class Assignment:
    """``modules`` are the graded files a student edits. ``provided`` maps a finished module shipped alongside to
    the assignment whose ``solutions/`` folder holds it (an earlier one, or this one for helpers with no solution
    regions); ``data`` names files of the kit's ``data/`` folder to ship under ``data/``; ``written`` are the
    questions graded by hand. Part and question keys share one namespace: each is a grade_id of the notebook.
    ``calls`` maps a graded function ('module.function') to the graded functions it calls: in unit parts, the
    reference stands in for those, so that a student's function is judged on its own work."""
    name: str
    title: str
    modules: tuple
    parts: tuple
    provided: dict = field(default_factory=dict)
    data: tuple = ()
    written: tuple = ()
    calls: dict = field(default_factory=dict)
    #: {'module.function': (Promise, ...)}: what each graded function's docstring promises; see ``unkept``
    promises: dict = field(default_factory=dict)

    def __post_init__(self):
        keys = [part.key for part in self.parts]
        if len(keys) != len(set(keys)):
            raise CatalogueError(f"{self.name}: part keys must be unique")
        questions = [question.key for question in self.written]
        clash = sorted(set(keys) & set(questions))
        if clash:
            raise CatalogueError(f"{self.name}: written question keys must differ from part keys: {', '.join(clash)}")
        if len(questions) != len(set(questions)):
            raise CatalogueError(f"{self.name}: written question keys must be unique")
        for part in self.parts:
            for check in part.checks:
                if check.module not in self.modules:
                    raise CatalogueError(f"{self.name}/{part.key}: {check.function} is not in a graded module")
        graded = {check.function for part in self.parts for check in part.checks}
        for caller, callees in self.calls.items():
            for name in (caller, *callees):
                if name not in graded:
                    raise CatalogueError(f"{self.name}: calls names {name}, which no part checks")
            if caller in self.depends_on(caller):
                raise CatalogueError(f"{self.name}: {caller} would stand in for itself")
        for function in self.promises:
            if function not in graded:
                raise CatalogueError(f"{self.name}: promises name {function}, which no part checks")

    def check_cases(self):
        """Raise CatalogueError unless every public case has a hidden twin of the same shape and kind. It reads the
        cases' arguments, so ``grader.catalogues.load`` calls it, not the constructor: importing a catalogue makes
        no arguments."""
        for part in self.parts:
            for check, index, case in part.cases():
                if case.public and not any(not other.public and twins(check, case, other_check, other)
                                           for other_check, _, other in part.cases()):
                    raise CatalogueError(f"{self.name}/{part.key}: public case {index + 1} of {check.function} "
                                          f"({check.title or check.kind}) has no hidden twin: add a hidden Case "
                                          "(no public=True) of the same shape and kind to the part, with a fresh seed")
        return self

    @property
    def max_score(self):
        """The autograded points: what the kit's grader, Gradescope and PrairieLearn score."""
        return sum(part.points for part in self.parts)

    @property
    def written_points(self):
        """The points of the written questions, graded by hand."""
        return sum(question.points for question in self.written)

    @property
    def total_points(self):
        """The assignment's maximum in nbgrader's gradebook: autograded and written points."""
        return self.max_score + self.written_points

    def question(self, key):
        for question in self.written:
            if question.key == key:
                return question
        raise KeyError(f"{self.name} has no written question {key!r}")
    def unkept(self):
        """[(function, promise text)] of the declared promises that no public case and hidden twin both exercise."""
        return [(function, promise.text) for function, promises in self.promises.items() for promise in promises
                if not any(exercises(promise, check, case) and any(
                    not other.public and twins(check, case, other_check, other)
                    and exercises(promise, other_check, other) for other_check, _, other in part.cases())
                           for part in self.parts for check, _, case in part.cases()
                           if case.public and check.function == function)]

    def depends_on(self, function):
        """Every graded function that ``function`` calls, directly or through others."""
        found, pending = set(), list(self.calls.get(function, ()))
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending.extend(self.calls.get(name, ()))
        return found

    def part(self, key):
        for part in self.parts:
            if part.key == key:
                return part
        raise KeyError(f"{self.name} has no part {key!r}")
