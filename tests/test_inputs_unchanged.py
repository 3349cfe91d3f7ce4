"""A call that changes the caller's arrays in place fails its case, in the grader and in the self-check alike.

Each of the five classic in-place bugs is a real submission, graded twice: as the grader does, and with the
worker's report of changed arguments dropped (``_outcome`` patched), which is what grading was before the check.
The in-place change alone is what costs the cases: without the check they pass.
"""
import dataclasses
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import cli_env, make_submission
from grader import catalogues
from grader.grading import engine
from grader.shipped import evaluation
from grader.core import paths
from grader.shipped import mutation, wire
from grader.sandbox import runner

SIGMOID_START = "    z = np.asarray(z, dtype=np.float64)\n    e = np.exp(-np.abs(z))\n"
BGD_START = "    theta = np.array(theta0, dtype=np.float64)\n    theta_path = np.empty((num_iter + 1"
BGD_STEP = "        theta = theta - learning_rate * mse_gradient(X, y, theta)\n"
RELU_BODY = "    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)\n"
GD_STEP_BODY = ("    return [(W - learning_rate * dW, b - learning_rate * db) for (W, b), (dW, db) in zip(params, grads)]\n")

# name: (assignment, edits, {function: check titles whose every case the change costs}, the path reported)
BUGS = {
    "np.clip(z, ..., out=z) in sigmoid": (
        "a1_neuron_gd",
        {"neuron.py": [(SIGMOID_START, "    z = np.asarray(z, dtype=np.float64)\n"
                                       "    np.clip(z, -500.0, 500.0, out=z)\n    e = np.exp(-np.abs(z))\n")]},
        {"neuron.sigmoid": {"large inputs"}}, "z"),
    "theta -= ... on theta0": (
        "a1_neuron_gd",
        {"gradient_descent.py": [(BGD_START, BGD_START.replace("np.array(theta0", "np.asarray(theta0")),
                                 (BGD_STEP, "        theta -= learning_rate * mse_gradient(X, y, theta)\n")]},
        {"gradient_descent.batch_gradient_descent": {"path and losses", "reaches least squares"}}, "theta0"),
    "k -= ... on k0": (
        "a1_neuron_gd",
        {"gradient_descent.py": [("    k = np.array(k0, dtype=np.float64)\n", "    k = k0\n"),
                                 ("        k = k - learning_rate * logistic_gradient(X, y, k)\n",
                                  "        k -= learning_rate * logistic_gradient(X, y, k)\n")]},
        {"gradient_descent.logistic_regression": {"parameters and losses", "classifies new points"}}, "k0"),
    "z[z < 0] = 0 in relu": (
        "a2_forward",
        {"activations.py": [(RELU_BODY, "    z = np.asarray(z, dtype=np.float64)\n    z[z < 0] = 0\n    return z\n")]},
        {"activations.relu": {"values"}}, "z"),
    "W -= lr * dW on params in gd_step": (
        "a3_backprop",
        {"training.py": [(GD_STEP_BODY, "    for (W, b), (dW, db) in zip(params, grads):\n"
                                        "        W -= learning_rate * dW\n"
                                        "        b -= learning_rate * db\n"
                                        "    return [(W, b) for W, b in params]\n")]},
        # the unit parts that call gd_step get the reference standing in for it; the integrated tasks run the
        # student's own train, which hands its params down to gd_step and so changes them
        {"training.gd_step": {"values"}, "training.train": {"training run"}}, "params[0][0]"),
}


def _unwatched(monkeypatch):
    """Grading as it was before the check: the worker's list of changed arguments is dropped."""
    outcome = runner.Sandbox._outcome
    monkeypatch.setattr(runner.Sandbox, "_outcome",
                        staticmethod(lambda answer: dataclasses.replace(outcome(answer), changed=[])))


def _cases(report):
    return {(c.part, c.function, c.check, c.index): c for part in report.parts for c in part.cases}


@pytest.mark.parametrize("bug", list(BUGS))
def test_each_in_place_bug_costs_its_cases_and_names_the_argument(submission, monkeypatch, bug):
    name, edits, affected, path = BUGS[bug]
    folder = submission(name, edits=edits)
    watched = _cases(engine.grade(name, folder))
    _unwatched(monkeypatch)
    unwatched = _cases(engine.grade(name, folder))
    argument = evaluation.argument_name(path)
    hit = {key for key, case in watched.items() if case.function in affected and case.check in affected[case.function]}
    assert hit and {key[1:3] for key in hit} == {(f, c) for f, checks in affected.items() for c in checks}
    for key in hit:
        message = watched[key].message
        assert not watched[key].passed
        assert message.startswith(f"changed its argument `{argument}` in place"), message
        assert "caller's own data is silently altered" in message and "the next run" in message
        if path != argument:
            assert f"(at {path})" in message, message
        # the value is right: what fails is the in-place change alone, and without the check the case passes
        assert "values differ" not in message, message
        assert message.endswith("Likely cause: " + evaluation.MESSAGES["in_place"]), message
        assert unwatched[key].passed, unwatched[key].message
    # every other case is judged as before, except that a unit part calling the bugged function now has the
    # reference standing in for it (it failed its own checks), so it keeps its marks; no other case speaks of an
    # in-place change
    spec = catalogues.load(name)
    callers = {f for f in {key[1] for key in watched} if spec.depends_on(f) & affected.keys()}
    for key in watched.keys() - hit:
        if key[1] in callers and not spec.part(key[0]).integrated:
            assert watched[key].passed, (key, watched[key].message)
        else:
            assert watched[key].passed == unwatched[key].passed, (key, watched[key].message)
        assert "in place" not in watched[key].message
    if name != "a2_forward":  # relu in place also spoils forward_pass's cache, with or without the check
        assert all(case.passed for case in unwatched.values()), "the edit should keep full marks without the check"


def test_relu_in_place_costs_relu_and_not_the_forward_pass_that_calls_it(submission):
    name, edits, _, _ = BUGS["z[z < 0] = 0 in relu"]
    cases = _cases(engine.grade(name, submission(name, edits=edits)))
    forward = [c for c in cases.values() if c.function == "forward.forward_pass"]
    assert forward and all(c.passed for c in forward), [c.message for c in forward if not c.passed]


COPIES = {
    "a1_neuron_gd": {
        "neuron.py": [(SIGMOID_START, "    z = np.array(z, dtype=np.float64)\n"
                                      "    np.clip(z, -500.0, 500.0, out=z)\n    e = np.exp(-np.abs(z))\n")],
        "gradient_descent.py": [(BGD_START, BGD_START.replace("np.array(theta0, dtype=np.float64)", "theta0.copy()")),
                                (BGD_STEP, "        theta -= learning_rate * mse_gradient(X, y, theta)\n"),
                                ("    k = np.array(k0, dtype=np.float64)\n", "    k = k0.copy()\n"),
                                ("        k = k - learning_rate * logistic_gradient(X, y, k)\n",
                                 "        k -= learning_rate * logistic_gradient(X, y, k)\n")]},
    "a2_forward": {"activations.py": [(RELU_BODY, "    z = z.copy()\n    z[z < 0] = 0\n    return z\n")]},
    "a3_backprop": {"training.py": [(GD_STEP_BODY, "    new = []\n"
                                                   "    for (W, b), (dW, db) in zip(params, grads):\n"
                                                   "        W, b = W.copy(), b.copy()\n"
                                                   "        W -= learning_rate * dW\n"
                                                   "        b -= learning_rate * db\n"
                                                   "        new.append((W, b))\n"
                                                   "    return new\n")]},
}


@pytest.mark.parametrize("name", list(COPIES))
def test_the_same_edits_on_a_copy_keep_full_marks(submission, name):
    report = engine.grade(name, submission(name, edits=COPIES[name]))
    assert [c.message for part in report.parts for c in part.cases if not c.passed] == []
    assert report.score == report.max_score


@pytest.mark.parametrize("bug", ["theta -= ... on theta0", "W -= lr * dW on params in gd_step"])
def test_the_self_check_catches_it_too(tmp_path, bug):
    name, edits, _, path = BUGS[bug]
    folder = tmp_path / name
    shutil.copytree(paths.ASSIGNMENTS / name, folder, ignore=shutil.ignore_patterns("__pycache__"))
    make_submission(folder, name, edits)
    result = subprocess.run([sys.executable, "-m", "pytest"], cwd=folder, capture_output=True, text=True,
                            env=cli_env(), timeout=300)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    argument = evaluation.argument_name(path)
    failed = [line for line in result.stdout.splitlines() if "in place" in line]
    assert failed and all(f"changed its argument `{argument}` in place" in line for line in failed), failed
    assert "Traceback" not in result.stdout
    # the self-check fails every public case the grader fails; it runs the student's whole code, so where the
    # grader stands the reference in for the bugged function, it may fail the callers' public cases too
    report = engine.grade(name, make_submission(tmp_path / "graded" / name, name, edits))
    public_failures = sum(1 for part in report.parts for c in part.cases if c.public and not c.passed)
    failed_count = int(re.search(r"\b(\d+) failed\b", result.stdout).group(1))
    assert public_failures and failed_count >= public_failures, result.stdout[-2000:]


# -- the watch itself -----------------------------------------------------------------------------------------------
def _changed(func, *args, **kwargs):
    watch = mutation.watch(func, args, kwargs)
    func(*args, **kwargs)
    return watch.changed()


def test_paths_name_the_parameter_and_the_place_inside_it():
    def step(params, cache, rate, *rest, **options):
        params[1][0][0, 1] += 1.0
        cache["A"][1][0] = 0.0
        rest[1][:] = 0.0
        options["scale"] *= 2.0

    params = [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 2)), np.zeros(2))]
    cache = {"A": [np.ones(2), np.ones(3)], "Z": [np.ones(3)]}
    changed = _changed(step, params, cache, 0.1, np.ones(2), np.ones(2), scale=np.ones(1))
    assert changed == ["params[1][0]", "cache['A'][1]", "rest[1]", "scale"]
    assert [evaluation.argument_name(path) for path in changed] == ["params", "cache", "rest", "scale"]


class _Unsigned:
    """A callable whose signature inspect cannot read."""
    __signature__ = "not a signature"

    def __call__(self, z, low, out=None):
        np.maximum(z, low, out=out)


def test_without_a_signature_arguments_are_named_by_position():
    z = np.array([-2.0, 0.5, 2.0])
    assert _changed(_Unsigned(), z, 0.0) == []
    assert _changed(_Unsigned(), z, 0.0, out=z) == ["args[0]", "out"]
    assert evaluation.argument_name("args[0][1]") == "args[0]"


@pytest.mark.parametrize("change, path", [
    (lambda p: p.append((np.ones(1), np.ones(1))), "p"),
    (lambda p: p.__setitem__(0, (p[0][0] - 1.0, p[0][1])), "p[0][0]"),
    (lambda p: p.__setitem__(0, list(p[0])), "p[0]"),
    (lambda p: p[0][0].resize((4,), refcheck=False), "p[0][0]"),
    (lambda p: setattr(p[0][0], "shape", (1, 2)), "p[0][0]"),
    (lambda p: p[0][0].view(np.int64).__setitem__(0, 7), "p[0][0]"),
    (lambda p: p[0][1].__setitem__(slice(None), np.nan), "p[0][1]"),
])
def test_any_change_the_caller_can_see_counts(change, path):
    assert _changed(change, [(np.array([1.0, 2.0]), np.zeros(2))]) == [path]


def test_reading_arguments_and_advancing_a_generator_are_not_changes():
    def read(z, labels, rng, names, table):
        np.sort(z)
        rng.permutation(5)
        return z[labels], names[0], table["k"]

    z = np.array([np.nan, -0.0, 1.0])
    assert _changed(read, z, np.array([0, 2]), np.random.default_rng(0), ["relu"], {"k": 1.5}) == []


def test_at_most_a_few_arguments_are_reported():
    def many(*arrays):
        for a in arrays:
            a += 1.0

    assert len(_changed(many, *[np.zeros(2) for _ in range(20)])) == mutation.MAX_REPORTED


# -- the grader's side ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("forged, kept", [
    (list(range(10 ** 6)), []),
    (["x" * 10 ** 6] * 10 ** 6, [wire.cut("x" * 10 ** 6, runner.MAX_PATH)] * runner.MAX_CHANGED),
    ([["params"], {"a": 1}, None, "theta0"], ["theta0"]),
    ("params", []),
    ({"params": 1}, []),
])
def test_a_forged_list_of_changed_arguments_is_cut_short(forged, kept):
    started = time.monotonic()
    outcome = runner.Sandbox._outcome({"ok": True, "value": {"__float__": 1.0}, "changed": forged})
    assert time.monotonic() - started < 1.0
    assert outcome.ok and outcome.value == 1.0 and outcome.changed == kept


def test_a_changed_input_fails_even_a_right_value_and_keeps_the_diagnosis_of_a_wrong_one():
    right = evaluation.Outcome(True, value=np.ones(3), changed=["theta0"])
    verdict = evaluation.judge("match", right, np.ones(3))
    assert not verdict.passed and verdict.message.startswith("changed its argument `theta0` in place")
    wrong = evaluation.Outcome(True, value=-np.ones(3), changed=["params[0][0]", "grads[1][1]"])
    verdict = evaluation.judge("match", wrong, np.ones(3), [("update_sign", "the sign", -np.ones(3))])
    assert not verdict.passed and verdict.misconception == "update_sign"
    assert verdict.message.startswith("changed its arguments `params` and `grads` in place "
                                      "(at params[0][0], grads[1][1])")
    assert "values differ" in verdict.message and "Likely cause: the sign" in verdict.message


def test_the_self_check_ships_the_same_watch():
    for name in catalogues.names():
        shipped = paths.ASSIGNMENTS / name / "_selfcheck" / "mutation.py"
        assert shipped.read_text(encoding="utf-8") == (paths.SHIPPED / "mutation.py").read_text(
            encoding="utf-8")
