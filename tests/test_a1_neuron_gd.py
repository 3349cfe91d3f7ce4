"""Assignment 1 specifics: bugs with no named cause, and the catalogue itself. Every classic bug of the registry
(benchmarks/mutants/) is graded in test_accuracy.py; the generic checks (solution full marks, stubs zero,
self-check, notebook) are in test_assignments.py.
"""
import numpy as np
import pytest

from grader import catalogues
from grader.grading import engine
from grader.core import references
from grader.catalogues import a1_neuron_gd as catalogue

NAME = "a1_neuron_gd"
GD = "gradient_descent.py"
ALL_PARTS = {part.key for part in catalogue.ASSIGNMENT.parts}


def graded(submission, edits, name="student"):
    report = engine.grade(NAME, submission(NAME, edits=edits, name=name))
    return {part.key: part for part in report.parts}


def test_a_wrong_gradient_with_no_known_cause_fails_the_numerical_check(submission):
    parts = graded(submission, {GD: [("(X.T @ (X @ theta - y))", "(X.T @ (X @ theta))")]})
    numerical = [c for c in parts["mse_gradient"].cases if c.check == "numerical gradient"]
    assert numerical and not any(c.passed for c in numerical)
    assert all("does not match the numerical gradient" in c.message and not c.misconception for c in numerical)


def test_log_loss_from_probabilities_fails_only_the_extreme_logits(submission):
    naive = ("    p = sigmoid(X @ k)\n"
             "    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))\n")
    region = ("    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))\n"
              "    return float(np.mean(softplus - y * z))\n")
    part = graded(submission, {GD: [(region, naive)]})["log_loss"]
    by_check = {}
    for case in part.cases:
        by_check.setdefault(case.check, []).append(case)
    assert all(case.passed for case in by_check["values"])
    extreme = by_check["logits of +-1000"]
    assert not any(case.passed for case in extreme)
    assert all("nan or inf" in case.message or "warning" in case.message for case in extreme), extreme
    assert all(case.misconception == "log_of_zero" for case in extreme), [case.message for case in extreme]


def test_a_batch_descent_with_steps_too_short_fails_only_by_not_converging_enough(submission):
    step = "theta = theta - learning_rate * mse_gradient"
    parts = graded(submission, {GD: [(step, step.replace("learning_rate", "0.1 * learning_rate"))]})
    converge = [c for c in parts["batch_gd"].cases if c.check == "reaches least squares"]
    assert converge and not any(c.passed for c in converge)
    assert all("gap to the least-squares fit" in c.message and "needs < 0.01" in c.message for c in converge)


# -- the catalogue itself, without a sandbox ------------------------------------------------------------------------
def _gd_cases():
    assignment = catalogues.load(NAME)
    for part in assignment.parts:
        for check in part.checks:
            if check.module == "gradient_descent":
                for index, case in enumerate(check.cases):
                    yield part, check, index, case


def test_regression_cases_have_tall_non_square_designs():
    for part, check, index, case in _gd_cases():
        X = case.args[0]
        assert X.ndim == 2 and X.shape[0] > 1 and X.shape[0] != X.shape[1], (part.key, check.title, index)
        assert X.dtype == np.float64


def test_the_lecture_data_follows_its_model():
    X, y = catalogue.linear_data(0, 500)
    assert np.all(X[:, 0] == 1.0) and 0.0 <= X[:, 1:].min() and X[:, 1:].max() <= 10.0
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(theta, [1.5, 2.0, 5.0], atol=0.15)
    assert 0.4 < np.std(y - X @ np.array([1.5, 2.0, 5.0])) < 0.6


def test_every_misconception_is_distinguishable_on_every_case_it_covers():
    from grader.shipped import evaluation
    from grader.shipped.evaluation import mismatch
    assignment = catalogues.load(NAME)
    for part in assignment.parts:
        for check in part.checks:
            # a robust check's bugs may compute the right values and show only by their warnings
            if check.kind in ("converge", "robust") or not check.misconceptions:
                continue
            for index, case in enumerate(check.cases):
                expected = references.expected(assignment, check, case)
                for key, _, output in references.variant_outputs(assignment, check, case):
                    if output is None or isinstance(output, evaluation.Raised):
                        continue
                    assert mismatch(output, expected, **{k: v for k, v in check.options.items()
                                                         if k in ("rtol", "atol")}) is not None, \
                        (part.key, check.title, index, key)
