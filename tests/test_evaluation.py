"""The judging core: what is checked first, what each message says, and what hidden cases keep back."""
import numpy as np
import pytest

from grader.shipped import evaluation
from grader.shipped.evaluation import Outcome, dig, judge, mismatch
from grader.shipped import wire

EXPECTED = np.array([[0.25, 0.5, 0.75], [1.0, 1.25, 1.5]])


@pytest.mark.parametrize("got, words", [
    ([[0.25, 0.5, 0.75], [1.0, 1.25, 1.5]], "returned a list of 2; expected numpy.ndarray of shape (2, 3)"),
    (EXPECTED.astype(np.float32), "has dtype float32; expected float64"),
    (EXPECTED.T.copy(), "has shape (3, 2); expected (2, 3): it looks transposed"),
    (EXPECTED[:1], "has shape (1, 3); expected (2, 3)"),
    (wire.Opaque("numpy.ma.MaskedArray"), "returned a numpy.ma.MaskedArray"),
    (np.where(EXPECTED > 1, np.nan, EXPECTED), "contains nan or inf at [1, 1]"),
])
def test_type_dtype_and_shape_are_named_before_values(got, words):
    assert words in mismatch(got, EXPECTED)


def test_a_0d_array_is_judged_as_the_value_it_holds():
    assert mismatch(np.array(0.25), 0.25) is None and mismatch(np.array(0.25), np.array(0.25)) is None
    assert "expected 0.25, got 0.5" in mismatch(np.array(0.5), 0.25)
    assert mismatch(0.25, np.array(0.25)) == "returned a float; expected numpy.ndarray of shape ()"
    assert mismatch(np.array([0.25]), np.array(0.25)) == "has shape (1,); expected ()"
    # what the codec used to make of a 0-d array: shape (1,), which is not a float
    assert mismatch(np.array([0.25]), 0.25) == "returned a numpy.ndarray of shape (1,); expected float"


def test_values_name_the_first_differing_index_and_the_largest_difference():
    got = EXPECTED.copy()
    got[1, 2] += 0.5
    assert mismatch(got, EXPECTED) == "values differ at [1, 2]: expected 1.5, got 2"
    got[0, 1] += 0.125  # the first entry that differs is not the one that differs most: both are said, apart
    assert mismatch(got, EXPECTED) == (f"values differ at [0, 1]: expected {EXPECTED[0, 1]:g}, got "
                                       f"{EXPECTED[0, 1] + 0.125:g} (2 of {EXPECTED.size} entries differ; the largest "
                                       "difference, 0.5, is at [1, 2])")
    got[1, 2] = EXPECTED[1, 2] + 0.0625
    assert mismatch(got, EXPECTED).endswith(f"(2 of {EXPECTED.size} entries differ; the largest difference is this "
                                            "one's)")
    # one number: no place to name
    assert mismatch(np.array(0.5), 0.25) == "the value differs: expected 0.25, got 0.5"
    assert mismatch(3, 2) == "the value differs: expected 2, got 3"


def test_tolerances_accept_a_different_order_of_operations_only():
    assert mismatch(EXPECTED * (1 + 5e-7), EXPECTED) is None
    assert mismatch(EXPECTED * (1 + 5e-6), EXPECTED) is not None


def test_hidden_cases_never_quote_the_expected_value():
    got = EXPECTED + 0.125
    hidden = judge("match", Outcome(True, value=got), EXPECTED, public=False).message
    public = judge("match", Outcome(True, value=got), EXPECTED, public=True).message
    assert "expected 0.25" in public
    assert "0.25" not in hidden and "expected" not in hidden and "values differ at" in hidden
    assert "0.375" not in hidden  # nor what was returned: the student's code could have made it from the inputs


def test_a_matching_misconception_is_named_and_keyed():
    wrong = EXPECTED * 2
    verdict = judge("match", Outcome(True, value=wrong), EXPECTED,
                    variants=[("doubled", "everything is doubled", EXPECTED * 2)])
    assert not verdict.passed and verdict.misconception == "doubled"
    assert verdict.message.endswith("Likely cause: everything is doubled")


def test_robust_cases_fail_on_warnings_even_when_values_match():
    verdict = judge("robust", Outcome(True, value=EXPECTED, warnings=["RuntimeWarning: overflow"]), EXPECTED)
    assert not verdict.passed and "printed a warning" in verdict.message


def test_gradient_cases_use_relative_error():
    numeric = np.array([1.0, -2.0, 3.0])
    assert judge("gradient", Outcome(True, value=numeric * (1 + 1e-8)), numeric).passed
    verdict = judge("gradient", Outcome(True, value=numeric * 1.1), numeric)
    assert not verdict.passed and "relative error 0.048" in verdict.message


def test_a_diverged_training_run_says_so():
    expected = {"X": np.zeros((3, 2)), "y": np.zeros((3, 1)), "params_like": np.zeros(2)}
    options = {"params_at": (0,), "metric": "accuracy", "threshold": 0.9, "label": "xor"}
    verdict = judge("converge", Outcome(True, value=(np.array([np.nan, 1.0]), None)), expected, options=options,
                    predict=lambda X, p, a: X @ p)
    assert not verdict.passed and "training diverged" in verdict.message


@pytest.mark.parametrize("error, detail, words", [
    ("NotImplementedError", "", "not implemented yet"),
    ("Timeout", "5", "longer than the 5 s limit"),
    ("WorkerDied", "the process was killed by signal SIGSEGV", "crashed the process"),
    ("SystemExit", "3", "called sys.exit(3)"),
    ("ImportFailed", "MissingFile: neuron.py", "neuron.py is missing"),
    ("ValueError", "shapes (4,3) and (4,3) not aligned", "raised ValueError: shapes"),
])
def test_every_failure_says_what_went_wrong(error, detail, words):
    assert words in evaluation.failure_message(Outcome(False, error=error, detail=detail), "m.f()")


def test_dig_follows_paths_through_containers_and_arrays():
    value = ({"loss": [1.0, 2.0]}, np.arange(6.0).reshape(3, 2))
    assert dig(value, (0, "loss", 1)) == 2.0
    assert list(dig(value, (1, -1))) == [4.0, 5.0]
    assert dig(value, (2,)) is None and dig(value, (0, "accuracy")) is None and dig(3.0, (0,)) is None
