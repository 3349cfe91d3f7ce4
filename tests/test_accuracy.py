"""The grader reads a submission right: every classic bug of the registry (benchmarks/mutants/) is caught and named
in its own part, costs nothing in the other unit parts, and fails the public self-check too; every correct
alternative keeps full marks. benchmarks/accuracy.py prints the same measures as a table (docs/accuracy.md).

The catalogue is held to the same promise without a sandbox: every misconception it diagnoses shows on the public
cases alone, so what the self-check says predicts the grade.
"""
import copy
import warnings

import numpy as np
import pytest

import accuracy
import mutants
from grader import catalogues
from grader.shipped import evaluation
from grader.core import references

BUGS = [(assignment, mutant) for assignment in mutants.ASSIGNMENTS for mutant in mutants.registry(assignment).mutants]
ALTERNATIVES = [(assignment, alternative) for assignment in mutants.ASSIGNMENTS
                for alternative in mutants.registry(assignment).alternatives]


@pytest.mark.parametrize("assignment, mutant", BUGS, ids=[f"{a}/{m.name}" for a, m in BUGS])
def test_a_classic_bug_is_named_in_its_own_part_only(tmp_path, assignment, mutant):
    folder = mutants.make_submission(tmp_path / assignment, assignment, mutant.edits)
    measured = accuracy.measure(assignment, mutant.name, folder, mutant.part, mutant.cause)
    failures = [message for message, _ in measured.own_failures]
    assert measured.caught and failures, "full marks"
    assert measured.named_as_expected, failures
    named = [message for message, key in measured.own_failures if key == mutant.cause]
    assert all("Likely cause: " in message for message in named), named
    assert measured.collateral == {}, measured.collateral
    spec = catalogues.load(assignment)
    assert all(spec.part(key).integrated for key in measured.tasks_lost)
    assert measured.self_check_failures > 0, "the self-check passes every public case"


@pytest.mark.parametrize("assignment, alternative", ALTERNATIVES, ids=[f"{a}/{m.name}" for a, m in ALTERNATIVES])
def test_a_correct_alternative_keeps_full_marks(tmp_path, assignment, alternative):
    folder = mutants.make_submission(tmp_path / assignment, assignment, alternative.edits)
    measured = accuracy.measure(assignment, alternative.name, folder)
    assert measured.score == measured.max_score, (measured.collateral, measured.tasks_lost)
    assert measured.self_check_failures == 0


def test_every_misconception_of_the_catalogues_has_a_classic_bug_in_the_registry():
    causes = {(a, m.cause) for a, m in BUGS}
    missing = sorted({(name, m.key) for name in catalogues.names() for part in catalogues.load(name).parts
                      for check in part.checks for m in check.misconceptions if (name, m.key) not in causes})
    assert missing == [], "add a Mutant(name, part, edits, cause) to benchmarks/mutants/<assignment>.py for each " \
                          f"(assignment, misconception): {missing}"
    in_registry = {(a, m.part) for a, m in BUGS}
    bare = [(name, part.key) for name in catalogues.names() for part in catalogues.load(name).parts
            if not part.integrated and (name, part.key) not in in_registry]
    assert bare == [], f"add a Mutant of each (assignment, part) to benchmarks/mutants/<assignment>.py: {bare}"


def _warns(misconception, ref, case):
    """Whether the variant prints a warning on the case, as the student's code would in the sandbox."""
    with np.errstate(all="warn"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        misconception.variant(ref, *copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    return bool(caught)


def _shows(check, case, misconception, ref, assignment):
    """Whether the misconception's variant gives something the case's check fails: another value, an exception,
    or (on a robust check) a warning."""
    expected = references.expected(assignment, check, case)
    output = references.variant_output(ref, misconception, case)
    if output is None:
        return False
    if isinstance(output, evaluation.Raised) or (check.kind == "robust" and _warns(misconception, ref, case)):
        return True
    options = {key: value for key, value in check.options.items() if key in ("rtol", "atol")}
    if check.kind == "gradient":
        return evaluation.gradient_mismatch(output, expected) is not None
    return evaluation.mismatch(output, expected, **options) is not None


MISCONCEPTIONS = [(name, part, check, m) for name in catalogues.names() for part in catalogues.load(name).parts
                  for check in part.checks for m in check.misconceptions]


@pytest.mark.parametrize("name, part, check, misconception", MISCONCEPTIONS,
                         ids=[f"{n}/{p.key}/{c.name}/{c.title}/{m.key}" for n, p, c, m in MISCONCEPTIONS])
def test_every_misconception_shows_on_the_public_cases(name, part, check, misconception):
    """The self-check runs the public cases only: a bug the catalogue names must fail one of them, in any check of
    the same function (a variant that raises must raise there), or the self-check would hide what the grade
    shows."""
    assignment = catalogues.load(name)
    ref = references.modules(assignment)
    shown = [(other.title, index) for other in part.checks if other.function == check.function
             for index, case in enumerate(other.cases) if case.public
             and misconception in other.misconceptions and _shows(other, case, misconception, ref, assignment)]
    assert shown, f"no public case of {check.function} shows {misconception.key}"
    if misconception.raises:
        raised = [case for case in check.cases
                  if isinstance(references.variant_output(ref, misconception, case), evaluation.Raised)]
        assert raised, f"{misconception.key} declares {misconception.raises} but never raises it"


def test_a_case_that_cannot_show_a_misconception_is_told_apart():
    """The control: a one-sample softmax has one maximum, so a global maximum is no bug there."""
    assignment = catalogues.load("a2_forward")
    check = next(c for c in assignment.part("softmax").checks if c.title == "large logits")
    global_max = next(m for m in check.misconceptions if m.key == "softmax_global_max")
    public = [case for case in check.cases if case.public]
    one_sample = next(case for case in public if case.args[0].ndim == 1)
    far_apart = next(case for case in public if case.args[0].ndim == 2 and np.ptp(case.args[0].max(axis=1)) > 1000)
    ref = references.modules(assignment)
    assert not _shows(check, one_sample, global_max, ref, assignment)
    assert _shows(check, far_apart, global_max, ref, assignment)


def test_the_self_check_names_the_upstream_function_behind_a_downstream_failure(tmp_path):
    """The self-check runs the student's whole code, so a hidden_delta bug also fails backward's public cases:
    those name hidden_delta as the function to fix first, and hidden_delta's own cases name the bug itself."""
    mutant = mutants.mutant("a3_backprop", "hidden delta without f'(Z)")
    folder = mutants.make_submission(tmp_path / "a3_backprop", "a3_backprop", mutant.edits)
    results = {case_id: (passed, message) for case_id, passed, message in accuracy.self_check("a3_backprop", folder)}
    downstream = [message for case_id, (passed, message) in results.items()
                  if case_id.startswith("backward-") and not passed]
    assert downstream and all("Likely cause: backprop.hidden_delta() fails its own public checks" in message
                              for message in downstream), downstream
    own = [message for case_id, (passed, message) in results.items() if case_id.startswith("hidden_delta-")]
    assert own and all("Likely cause: the activation's derivative is left out" in message for message in own), own
    # the control: with the solution, nothing fails and nothing is blamed
    clean = accuracy.self_check("a3_backprop", mutants.make_submission(tmp_path / "clean", "a3_backprop"))
    assert all(passed for _, passed, _ in clean)
