"""The checks exercise every promise: each graded function declares, next to its checks, what its docstring promises
(the shapes and dtypes it accepts, the edges of its values, what it must not do), and each promise is put to the test
by a public case and by a hidden twin of it, so that the self-check and the grade both see it."""
import numpy as np
import pytest

from grader import catalogues
from grader.catalogues import _promises as promise
from grader.core.spec import Assignment, Case, Check, Part, Promise

NAMES = catalogues.names()


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_function_declares_its_promises(name):
    spec = catalogues.load(name)
    graded = {check.function for part in spec.parts for check in part.checks}
    undeclared = sorted(function for function in graded if not spec.promises.get(function))
    assert undeclared == [], f"declare what each docstring promises in {name}'s Assignment(promises={{...}}) " \
                             f"(grader/catalogues/_promises.py has the common ones): {undeclared}"


@pytest.mark.parametrize("name", NAMES)
def test_every_promise_has_a_public_case_and_a_hidden_twin_that_exercise_it(name):
    unkept = catalogues.load(name).unkept()
    assert unkept == [], f"add a public case and a hidden twin that put each (function, promise) to the test: {unkept}"


def _assignment(cases, promises, kind="match"):
    part = Part("p", "P", 1, (Check(kind, "m.f", cases=cases),))
    return Assignment("x", "X", modules=("m",), parts=(part,), promises={"m.f": promises})


ONE_AXIS = Promise("z with one axis", promise.arg(0, promise.axes(1)))


def test_a_promise_no_public_case_exercises_is_unkept():
    hidden_only = _assignment((Case((np.zeros((2, 3)),), public=True), Case((np.ones((2, 3)),)),
                               Case((np.ones(4),))), (ONE_AXIS,))
    assert hidden_only.unkept() == [("m.f", "z with one axis")]


def test_a_promise_only_a_public_case_exercises_is_unkept():
    zeros = Promise("exact zeros", promise.arg(0, promise.exact_zeros))
    # the public case holds a zero, its twin (same shape, fresh values) none: the grade would not see the promise
    public_only = _assignment((Case((np.array([0.0, 1.0, -2.0]),), public=True), Case((np.array([3.0, 1.0, 2.0]),)),
                               Case((np.array([[0.0, 1.0]]),))), (zeros,))
    assert public_only.unkept() == [("m.f", "exact zeros")]
    twinned = _assignment((Case((np.array([0.0, 1.0, -2.0]),), public=True), Case((np.array([3.0, 0.0, 2.0]),))),
                          (zeros,))
    assert twinned.unkept() == []


def test_a_promise_of_no_warning_needs_a_robust_check():
    cases = (Case((np.array([-1000.0, 1000.0]),), public=True), Case((np.array([900.0, -800.0]),)))
    assert _assignment(cases, (promise.no_warning(),)).unkept() == [("m.f", "no warning for z as large as +-1000")]
    assert _assignment(cases, (promise.no_warning(),), kind="robust").unkept() == []


def test_a_promise_must_name_a_graded_function():
    part = Part("p", "P", 1, (Check("match", "m.f", cases=(Case((np.zeros(2),), public=True),
                                                           Case((np.ones(2),)))),))
    with pytest.raises(ValueError, match="no part checks"):
        Assignment("x", "X", modules=("m",), parts=(part,), promises={"m.g": (ONE_AXIS,)})


def test_a_predicate_that_cannot_read_the_arguments_does_not_count():
    cases = (Case(("and",), public=True), Case(("or",)))
    assert _assignment(cases, (ONE_AXIS,)).unkept() == [("m.f", "z with one axis")]
