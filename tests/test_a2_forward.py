"""Assignment 2 specifics: numerically unstable code, and seed 001's numbers. Every classic bug and correct rewrite of
the registry (benchmarks/mutants/) is graded in test_accuracy.py."""
import numpy as np
import pytest

import mutants
from conftest import part_of
from mutants import a2_forward as registered
from grader import catalogues
from grader.grading import engine
from grader.core import references
from grader.catalogues import a2_forward as catalogue

NAME = "a2_forward"
SPEC = catalogues.load(NAME)

SIGMOID_BODY = registered.SIGMOID


def _bug(name):
    return mutants.mutant(NAME, name).edits


def _grade(submission, edits, name):
    return engine.grade(NAME, submission(NAME, edits, name=name))


def test_naive_softmax_fails_the_large_logits_check_with_a_stability_message(submission):
    report = _grade(submission, _bug("softmax without the shift"), "naive")
    large = [c for c in part_of(report, "softmax").cases if c.check == "large logits"]
    assert large and not any(c.passed for c in large)
    assert all("nan or inf" in c.message and "numerically stable" in c.message for c in large)
    # on small logits the naive formula is right, and keeps those points
    assert all(c.passed for c in part_of(report, "softmax").cases if c.check != "large logits")


def test_unclipped_losses_fail_the_extreme_checks_and_keep_the_rest(submission):
    edits = {"losses.py": [
        ("np.clip(np.asarray(probs, dtype=np.float64), EPS, 1.0)", "np.asarray(probs, dtype=np.float64)"),
        ("np.clip(np.asarray(a, dtype=np.float64), EPS, 1.0 - EPS)", "np.asarray(a, dtype=np.float64)")]}
    cases = part_of(_grade(submission, edits, "unclipped"), "losses").cases
    extreme = [c for c in cases if "0" in c.check or "confidently" in c.check]
    assert len(extreme) == 9 and not any(c.passed for c in extreme)
    assert all("nan or inf" in c.message or "warning" in c.message for c in extreme), [c.message for c in extreme]
    assert all(c.misconception == "log_of_zero" for c in extreme), [c.message for c in extreme]
    assert all(c.passed for c in cases if c not in extreme)


def test_naive_sigmoid_and_tanh_fail_only_the_large_input_checks(submission):
    edits = {"activations.py": [
        (SIGMOID_BODY, "    return 1 / (1 + np.exp(-z))\n"),
        ("    return np.tanh(np.asarray(z, dtype=np.float64))\n",
         "    z = np.asarray(z, dtype=np.float64)\n"
         "    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n")]}
    report = _grade(submission, edits, "naive")
    cases = [c for c in part_of(report, "activations").cases if c.function in ("activations.sigmoid",
                                                                             "activations.tanh")]
    assert all(c.passed == (c.check != "large inputs") for c in cases), [(c.check, c.message) for c in cases]
    assert all("numerically stable" in c.message for c in cases if not c.passed)
    # the derivatives call sigmoid and tanh: graded with the reference standing in, they keep full marks
    assert part_of(report, "derivatives").score == part_of(report, "derivatives").points


def test_a_transposed_dense_costs_dense_and_not_the_forward_pass_that_calls_it(submission):
    report = _grade(submission, _bug("dense transposed"), "transposed")
    forward = part_of(report, "forward").cases
    assert any("it looks transposed" in c.message for c in forward if c.function == "forward.dense")
    # forward_pass is graded with the reference dense standing in for the student's, so it keeps its cases
    assert all(c.passed for c in forward if c.function == "forward.forward_pass"), \
        [c.message for c in forward if not c.passed]


# -- seed 001's worked example -------------------------------------------------------------------------------------
LECTURE_Z2 = np.array([[0.8, 0.7, -2.1, 3.8], [1.1, 0.5, -3.2, 4.3], [1.1, -0.4, -0.7, 2.5], [3.8, -2.2, -0.6, 7.0],
                       [1.7, -0.3, -1.4, 4.5], [4.4, -2.5, -0.3, 8.2], [1.5, 0.1, -3.0, 4.7]])
LECTURE_A2 = np.array([0.68997448, 0.66818777, 0.10909682, 0.97811873])


def test_reference_reproduces_seed_001():
    ref = references.modules(SPEC)
    y_out, cache = ref.forward.forward_pass(catalogue.SEED_X, catalogue.SEED_PARAMS, catalogue.SEED_ACTIVATIONS)
    np.testing.assert_allclose(y_out, catalogue.SEED_Y_OUT, rtol=0, atol=1e-8)
    np.testing.assert_allclose(y_out[0], [0.72780576, 0.26927918, 0.00291506], rtol=0, atol=1e-8)
    np.testing.assert_allclose(cache["Z"][0], LECTURE_Z2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cache["A"][1][0], LECTURE_A2, rtol=0, atol=1e-8)
    single, _ = ref.forward.forward_pass(catalogue.SEED_X[:1], catalogue.SEED_PARAMS, catalogue.SEED_ACTIVATIONS)
    np.testing.assert_allclose(single, catalogue.SEED_Y_OUT[:1], rtol=0, atol=1e-8)


def test_seed_001_cases_are_public_and_expect_the_printed_numbers():
    check = next(c for c in SPEC.part("forward").checks if c.expected is catalogue._seed_expected)
    assert [case.public for case in check.cases] == [True, True, False, False]  # and their hidden twins
    ref = references.modules(SPEC)
    for case, rows in zip(check.cases[:2], (1, 7)):
        y_out, cache = check.expected(ref, case)
        assert y_out.shape == (rows, 3) and (y_out == catalogue.SEED_Y_OUT[:rows]).all()
        assert len(cache["A"]) == 4 and len(cache["Z"]) == 3


# -- the glue students receive --------------------------------------------------------------------------------------
def test_glue_rejects_bad_names_and_labels_with_one_line():
    ref = references.modules(SPEC)
    assert ref.activations.get("relu") == (ref.activations.relu, ref.activations.relu_prime)
    W, b = np.ones((2, 2)), np.zeros(2)
    for call in (lambda: ref.activations.get("swish"),
                 lambda: ref.losses.one_hot(np.array([0, 3]), 3),
                 lambda: ref.losses.one_hot(np.array([-1, 0]), 3),
                 lambda: ref.forward.forward_pass(np.ones((1, 2)), [(W, b), (W, b)], ["softmax", "relu"]),
                 lambda: ref.forward.forward_pass(np.ones((1, 2)), [(W, b)], ["relu", "relu"])):
        with pytest.raises(ValueError) as error:
            call()
        assert "\n" not in str(error.value) and str(error.value)


def test_leaky_relu_is_graded_only_where_its_docstring_allows_alpha():
    """The contract bounds alpha to [0, 1], where np.maximum(z, alpha * z) is leaky ReLU too (the registry grades that
    alternative at full marks); every case stays inside it, and a public one uses an alpha other than the default."""
    ref = references.modules(SPEC)
    for name in ("leaky_relu", "leaky_relu_prime"):
        assert "0 <= alpha <= 1" in getattr(ref.activations, name).__doc__
        cases = [case for part in SPEC.parts for check in part.checks if check.function == f"activations.{name}"
                 for case in check.cases]
        alphas = [case.kwargs.get("alpha", 0.01) for case in cases]
        assert all(0 <= alpha <= 1 for alpha in alphas), alphas
        assert any(case.public and case.kwargs.get("alpha", 0.01) != 0.01 for case in cases)
