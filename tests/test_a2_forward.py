"""Assignment 2: each classic bug is diagnosed, correct rewrites keep full marks, and seed 001's numbers hold."""
import numpy as np
import pytest

from conftest import part_of
from grader import catalogues, engine, references
from grader.catalogues import a2_forward as catalogue

NAME = "a2_forward"
SPEC = catalogues.load(NAME)

# Each misconception of the catalogue, as (part, edits that put the bug into the solution); "key/form" names a second
# way of writing the same bug.
SIGMOID_BODY = "    return np.where(z >= 0, 1.0 / (1.0 + small), small / (1.0 + small))\n"
SOFTMAX_BODY = ("    shifted = np.exp(z - z.max(axis=-1, keepdims=True))\n"
                "    return shifted / shifted.sum(axis=-1, keepdims=True)\n")
BUGS = {
    "sigmoid_sign": ("activations", {"activations.py": [
        (SIGMOID_BODY, "    return np.where(z >= 0, small / (1.0 + small), 1.0 / (1.0 + small))\n")]}),
    "leaky_relu_returns_one": ("activations", {"activations.py": [  # seed 000's LeakyReLU, word for word
        ("return np.where(z > 0, z, alpha * z)", "return np.where(z > 0, 1, alpha * z)")]}),
    "alpha_ignored": ("activations", {"activations.py": [
        ("return np.where(z > 0, z, alpha * z)", "return np.where(z > 0, z, 0.01 * z)")]}),
    "sigmoid_prime_of_a": ("derivatives", {"activations.py": [
        ("    s = sigmoid(z)\n    return s * (1.0 - s)\n", "    return z * (1 - z)\n")]}),
    "tanh_prime_of_a": ("derivatives", {"activations.py": [
        ("    t = tanh(z)\n    return 1.0 - t * t\n", "    return 1 - z ** 2\n")]}),
    "relu_prime_at_zero": ("derivatives", {"activations.py": [
        ("(np.asarray(z, dtype=np.float64) > 0)", "(np.asarray(z, dtype=np.float64) >= 0)")]}),
    "leaky_relu_prime_at_zero": ("derivatives", {"activations.py": [
        ("np.where(z > 0, 1.0, float(alpha))", "np.where(z >= 0, 1.0, float(alpha))")]}),
    "softmax_axis": ("softmax", {"losses.py": [
        (SOFTMAX_BODY, "    e = np.exp(z - z.max(axis=0, keepdims=True))\n"
                       "    return e / e.sum(axis=0, keepdims=True)\n")]}),
    "softmax_axis/sum only": ("softmax", {"losses.py": [
        ("shifted.sum(axis=-1, keepdims=True)", "shifted.sum(axis=0, keepdims=True)")]}),
    "softmax_whole_array": ("softmax", {"losses.py": [
        (SOFTMAX_BODY, "    return np.exp(z) / np.sum(np.exp(z))\n")]}),
    "softmax_max_axis": ("softmax", {"losses.py": [
        ("z - z.max(axis=-1, keepdims=True)", "z - z.max(axis=0, keepdims=True)")]}),
    "softmax_overflow": ("softmax", {"losses.py": [
        ("z - z.max(axis=-1, keepdims=True)", "z")]}),
    "softmax_global_max": ("softmax", {"losses.py": [
        ("z - z.max(axis=-1, keepdims=True)", "z - np.max(z)")]}),
    "one_hot_classes_from_labels": ("losses", {"losses.py": [
        ("np.zeros((labels.shape[0], num_classes)", "np.zeros((labels.shape[0], labels.max() + 1)")]}),
    "cross_entropy_sum": ("losses", {"losses.py": [
        ("float(-np.sum(Y * np.log(probs)) / probs.shape[0])", "float(-np.sum(Y * np.log(probs)))")]}),
    "cross_entropy_mean_all": ("losses", {"losses.py": [
        ("float(-np.sum(Y * np.log(probs)) / probs.shape[0])", "float(-np.mean(Y * np.log(probs)))")]}),
    "bce_sum": ("losses", {"losses.py": [
        ("float(-np.mean(y * np.log(a)", "float(-np.sum(y * np.log(a)")]}),
    "bce_sign": ("losses", {"losses.py": [
        ("float(-np.mean(y * np.log(a)", "float(np.mean(y * np.log(a)")]}),
    "bias_missing": ("forward", {"forward.py": [
        (" + np.asarray(b, dtype=np.float64)\n", "\n")]}),
    "dense_transposed": ("forward", {"forward.py": [
        ("    return np.asarray(A_prev, dtype=np.float64) @ np.asarray(W, dtype=np.float64)"
         " + np.asarray(b, dtype=np.float64)\n",
         "    return np.asarray(W, dtype=np.float64).T @ np.asarray(A_prev, dtype=np.float64).T"
         " + np.asarray(b, dtype=np.float64)[:, None]\n")]}),
    "forward_bias_missing": ("forward", {"forward.py": [
        ("        Z = dense(A, W, b)\n", "        Z = A @ W\n")]}),
    "last_activation_missing": ("forward", {"forward.py": [
        ("    for (W, b), f in zip(params, functions):\n        Z = dense(A, W, b)\n        A = f(Z)\n",
         "    for layer, ((W, b), f) in enumerate(zip(params, functions), start=1):\n"
         "        Z = dense(A, W, b)\n"
         "        A = f(Z) if layer < len(params) else Z\n")]}),
}


def _grade(submission, edits, name):
    return engine.grade(NAME, submission(NAME, edits, name=name))




def test_every_misconception_has_a_bug_here():
    keys = {m.key for part in SPEC.parts for check in part.checks for m in check.misconceptions}
    assert keys == {bug.split("/")[0] for bug in BUGS}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_misconception_is_diagnosed(submission, bug):
    part_key, edits = BUGS[bug]
    key = bug.split("/")[0]
    report = _grade(submission, edits, bug.replace("/", "-").replace(" ", "-"))
    part = part_of(report, part_key)
    assert key in part.misconceptions, [c.message for c in part.cases if not c.passed]
    messages = {m.message for check in SPEC.part(part_key).checks for m in check.misconceptions if m.key == key}
    for case in part.cases:
        if case.misconception == key:
            assert not case.passed
            assert any(f"Likely cause: {message}" in case.message for message in messages), case.message
    assert part.score < part.points


def test_naive_softmax_fails_the_large_logits_check_with_a_stability_message(submission):
    report = _grade(submission, BUGS["softmax_overflow"][1], "naive")
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
    assert len(extreme) == 7 and not any(c.passed for c in extreme)
    assert all("nan or inf" in c.message or "warning" in c.message for c in extreme), [c.message for c in extreme]
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
    report = _grade(submission, BUGS["dense_transposed"][1], "transposed")
    forward = part_of(report, "forward").cases
    assert any("it looks transposed" in c.message for c in forward if c.function == "forward.dense")
    # forward_pass is graded with the reference dense standing in for the student's, so it keeps its cases
    assert all(c.passed for c in forward if c.function == "forward.forward_pass"), \
        [c.message for c in forward if not c.passed]


ALTERNATIVES = {
    "activations.py": [
        (SIGMOID_BODY, "    return 0.5 * (1.0 + np.tanh(0.5 * z))\n"),
        ("    s = sigmoid(z)\n    return s * (1.0 - s)\n",
         "    e = np.exp(-np.abs(np.asarray(z, dtype=np.float64)))\n    return e / (1.0 + e) ** 2\n"),
        ("    return np.tanh(np.asarray(z, dtype=np.float64))\n",
         "    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=np.float64)) - 1.0\n"),
        ("    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)\n",
         "    return np.heaviside(np.asarray(z, dtype=np.float64), 0.0)\n"),
        ("    return np.where(z > 0, z, alpha * z)\n", "    return np.maximum(z, 0.0) + alpha * np.minimum(z, 0.0)\n"),
    ],
    "losses.py": [
        (SOFTMAX_BODY, "    m = z.max(axis=-1, keepdims=True)\n"
                       "    log_norm = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))\n"
                       "    return np.exp(z - log_norm)\n"),
        ("    Y = np.zeros((labels.shape[0], num_classes), dtype=np.float64)\n"
         "    Y[np.arange(labels.shape[0]), labels] = 1.0\n    return Y\n",
         "    return np.eye(num_classes)[labels]\n"),
        ("    return float(-np.sum(Y * np.log(probs)) / probs.shape[0])\n",
         "    return float(np.mean(-np.sum(Y * np.log(np.maximum(probs, 1e-12)), axis=1)))\n"),
        ("np.clip(np.asarray(a, dtype=np.float64), EPS, 1.0 - EPS)",
         "np.clip(np.asarray(a, dtype=np.float64), 1e-12, 1.0 - 1e-12)"),
    ],
    "forward.py": [
        ("        Z = dense(A, W, b)\n", "        Z = np.einsum(\"nd,de->ne\", A, W) + b\n"),
    ],
}


def test_correct_rewrites_keep_full_marks(submission):
    report = _grade(submission, ALTERNATIVES, "rewritten")
    assert [c.message for p in report.parts for c in p.cases if not c.passed] == []
    assert report.score == report.max_score


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
