"""Assignment 1 specifics: each classic bug is diagnosed where it lives, and correct code written differently keeps
full marks. The generic checks (solution full marks, stubs zero, self-check, notebook) are in test_assignments.py.
"""
import numpy as np
import pytest

from grader import catalogues, engine, references
from grader.catalogues import a1_neuron_gd as catalogue

NAME = "a1_neuron_gd"
GD = "gradient_descent.py"
ALL_PARTS = {part.key for part in catalogue.ASSIGNMENT.parts}

BGD_STEP = ("        loss_history[i] = mse_loss(X, y, theta)\n"
            "        theta = theta - learning_rate * mse_gradient(X, y, theta)\n")
LOGISTIC_STEP = ("        loss_history[i] = log_loss(X, y, k)\n"
                 "        k = k - learning_rate * logistic_gradient(X, y, k)\n")

# name: (edits, {part: misconception key, or "" where the part must only lose points}, phrase of the message). Every
# other part keeps full marks: the parts that call the bugged function are graded with the reference standing in.
BUGS = {
    "mse_gradient without the factor 2": (
        {GD: [("(2.0 / m) * (X.T", "(1.0 / m) * (X.T")]},
        {"mse_gradient": "gradient_factor_2"}, "factor 2"),
    "mse_gradient without the 1/m": (
        {GD: [("(2.0 / m) * (X.T", "2.0 * (X.T")]},
        {"mse_gradient": "gradient_not_averaged"}, "1/m is missing"),
    "mse_gradient with the sign flipped, as in the lecture's loop": (
        {GD: [("(X.T @ (X @ theta - y))", "(X.T @ (y - X @ theta))")]},
        {"mse_gradient": "gradient_sign"}, "sign is flipped"),
    "batch update going uphill": (
        {GD: [("theta = theta - learning_rate * mse_gradient", "theta = theta + learning_rate * mse_gradient")]},
        {"batch_gd": "update_sign"}, "goes uphill"),
    "mse summed instead of averaged": (
        {GD: [("float(np.mean(residual ** 2))", "float(np.sum(residual ** 2))")]},
        {"mse_loss": "loss_summed"}, "summed, not averaged"),
    "batch loss recorded after the step": (
        {GD: [(BGD_STEP, BGD_STEP.splitlines(keepends=True)[1] + BGD_STEP.splitlines(keepends=True)[0])]},
        {"batch_gd": "loss_after_step"}, "off by one"),
    "sgd visiting 0..m-1 instead of order": (
        {GD: [("for t, j in enumerate(order):", "for t, j in enumerate(range(X.shape[0])):")]},
        {"sgd": "sgd_order_ignored"}, "order[t]"),
    "sgd without the factor 2, as in the lecture's line": (
        {GD: [("learning_rate * 2.0 * (X[j]", "learning_rate * (X[j]")]},
        {"sgd": "gradient_factor_2"}, "factor 2"),
    "logistic gradient with the sign flipped": (
        {GD: [("X.T @ (sigmoid(X @ k) - y)", "X.T @ (y - sigmoid(X @ k))")]},
        {"logistic_gradient": "logistic_gradient_sign"}, "k + alpha g"),
    "logistic gradient averaged": (
        {GD: [("return X.T @ (sigmoid(X @ k) - y)", "return X.T @ (sigmoid(X @ k) - y) / len(y)")]},
        {"logistic_gradient": "gradient_averaged"}, "SUM"),
    "log loss summed": (
        {GD: [("float(np.mean(softplus - y * z))", "float(np.sum(softplus - y * z))")]},
        {"log_loss": "loss_summed"}, "summed, not averaged"),
    "logistic loss recorded after the step": (
        {GD: [(LOGISTIC_STEP, LOGISTIC_STEP.splitlines(keepends=True)[1]
               + LOGISTIC_STEP.splitlines(keepends=True)[0])]},
        {"logistic_regression": "loss_after_step"}, "off by one"),
    "the lecture's NAND weights": (
        {"neuron.py": [('"nand": ([-20.0, -20.0], 30.0)', '"nand": ([-10.0, -10.0], 14.0)')]},
        {"gates": "gate_not_saturated"}, "sigmoid(4)"),
}


def graded(submission, edits, name="student"):
    report = engine.grade(NAME, submission(NAME, edits=edits, name=name))
    return {part.key: part for part in report.parts}


@pytest.mark.parametrize("bug", list(BUGS))
def test_each_classic_bug_is_diagnosed_in_its_own_parts(submission, bug):
    edits, diagnosed, phrase = BUGS[bug]
    parts = graded(submission, edits)
    for key, misconception in diagnosed.items():
        part = parts[key]
        assert part.score < part.points, f"{key} kept full marks"
        if misconception:
            assert misconception in part.misconceptions, (key, [c.message for c in part.cases])
    first = parts[next(iter(diagnosed))]
    messages = [case.message for case in first.cases if case.misconception]
    assert messages and all("Likely cause:" in m for m in messages)
    assert any(phrase in m for m in messages), messages
    for key in ALL_PARTS - set(diagnosed):
        assert parts[key].score == parts[key].points, (key, [c.message for c in parts[key].cases if not c.passed])


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


def test_a_batch_descent_with_steps_too_short_fails_only_by_not_converging_enough(submission):
    step = "theta = theta - learning_rate * mse_gradient"
    parts = graded(submission, {GD: [(step, step.replace("learning_rate", "0.1 * learning_rate"))]})
    converge = [c for c in parts["batch_gd"].cases if c.check == "reaches least squares"]
    assert converge and not any(c.passed for c in converge)
    assert all("gap to the least-squares fit" in c.message and "needs < 0.01" in c.message for c in converge)


ALTERNATIVES = {
    "neuron.py": [
        ("    z = np.asarray(z, dtype=np.float64)\n"
         "    e = np.exp(-np.abs(z))\n"
         "    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
         "    return 0.5 * (1.0 + np.tanh(np.asarray(z, dtype=np.float64) / 2.0))\n"),
        ('table = {"and": ([20.0, 20.0], -30.0), "or": ([20.0, 20.0], -10.0), "nand": ([-20.0, -20.0], 30.0)}',
         'table = {"and": ([12.0, 10.0], -17.0), "or": ([10.0, 12.0], -5.0), "nand": ([-60.0, -60.0], 90.0)}'),
    ],
    GD: [
        ("    residual = X @ theta - y\n    return float(np.mean(residual ** 2))\n",
         "    r = np.dot(X, theta) - y\n    return np.dot(r, r) / len(y)\n"),
        ("    m = X.shape[0]\n    return (2.0 / m) * (X.T @ (X @ theta - y))\n",
         "    return 2.0 * np.einsum('ij,i->j', X, np.einsum('ij,j->i', X, theta) - y) / len(y)\n"),
        ("    theta = np.array(theta0, dtype=np.float64)\n    theta_path = np.empty((num_iter + 1",
         "    theta = theta0.astype(float)\n    theta_path = np.zeros((num_iter + 1"),
        ("        theta = theta - learning_rate * mse_gradient(X, y, theta)\n",
         "        theta -= learning_rate * mse_gradient(X, y, theta)\n"),
        ("        theta = theta - learning_rate * 2.0 * (X[j] @ theta - y[j]) * X[j]\n",
         "        error = np.dot(X[j], theta) - y[j]\n        theta = theta - 2 * learning_rate * error * X[j]\n"),
        ("    z = X @ k\n", "    z = np.einsum('ij,j->i', X, k)\n"),
        ("    return float(np.mean(softplus - y * z))\n",
         "    return np.mean(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z))\n"),
        ("    return X.T @ (sigmoid(X @ k) - y)\n", "    return (sigmoid(X @ k) - y) @ X\n"),
        ("    k = np.array(k0, dtype=np.float64)\n    loss_history = np.empty(num_iter)\n",
         "    k = k0.copy()\n    loss_history = []\n"),
        ("        loss_history[i] = log_loss(X, y, k)\n", "        loss_history.append(log_loss(X, y, k))\n"),
        ("    return k, loss_history\n", "    return k, np.array(loss_history)\n"),
    ],
}


def test_correct_code_written_differently_keeps_full_marks(submission):
    parts = graded(submission, ALTERNATIVES)
    failures = [f"{c.part}/{c.check}: {c.message}" for part in parts.values() for c in part.cases if not c.passed]
    assert failures == []
    assert sum(part.score for part in parts.values()) == catalogue.ASSIGNMENT.max_score


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
    from grader.evaluation import mismatch
    assignment = catalogues.load(NAME)
    for part in assignment.parts:
        for check in part.checks:
            if check.kind == "converge" or not check.misconceptions:
                continue
            for index, case in enumerate(check.cases):
                expected = references.expected(assignment, check, case)
                for key, _, output in references.variant_outputs(assignment, check, case):
                    if output is None:
                        continue
                    assert mismatch(output, expected, **{k: v for k, v in check.options.items()
                                                         if k in ("rtol", "atol")}) is not None, \
                        (part.key, check.title, index, key)
