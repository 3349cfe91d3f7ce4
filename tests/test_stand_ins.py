"""One bug costs one part: each unit part is graded with the reference standing in for the graded functions it
calls, computed in the grader's process; only the integrated tasks (XOR, the diamond) run the student's whole code,
and they name the upstream part to fix first."""
import numpy as np
import pytest

import mutants
from conftest import make_submission, part_of
from grader import catalogues, engine, results

A3 = "a3_backprop"


def _scores(report):
    return {part.key: part.score for part in report.parts}


def test_a_hidden_delta_bug_costs_hidden_delta_and_the_tasks_only(tmp_path):
    edits = mutants.mutant(A3, "hidden delta without f'(Z)").edits
    report = engine.grade(A3, make_submission(tmp_path / "s", A3, edits))
    spec = catalogues.load(A3)
    lost = {part.key for part in report.parts if part.score < part.points}
    assert lost == {"hidden_delta", "xor", "diamond"}, _scores(report)
    for key in ("xor", "diamond"):
        assert part_of(report, key).upstream == ["backprop.hidden_delta"]
        assert "Fix backprop.hidden_delta() first" in results.part_output(part_of(report, key))
    breaks = part_of(report, "hidden_delta").breaks
    assert breaks == [spec.part(key).title for key in ("backward", "train_step", "train")]
    assert "would break as well" in results.part_output(part_of(report, "hidden_delta"))


# Every mutant of the registry is held to "its own part and the tasks at most" in test_accuracy.py; these are the
# bugs whose callers lean on stand-ins the most.
@pytest.mark.parametrize("bug", ["gradients summed", "update uphill", "bias not updated",
                                 "update before the layer below's delta"])
def test_each_a3_unit_bug_costs_its_own_part_and_the_tasks_at_most(tmp_path, bug):
    mutant = mutants.mutant(A3, bug)
    report = engine.grade(A3, make_submission(tmp_path / "s", A3, mutant.edits))
    lost = {part.key for part in report.parts if part.score < part.points}
    assert mutant.part in lost and lost <= {mutant.part, "xor", "diamond"}, _scores(report)


@pytest.mark.parametrize("bug", ["gradient without the factor 2", "logistic gradient sign",
                                 "the lecture's NAND weights"])
def test_each_a1_bug_costs_its_own_part(tmp_path, bug):
    mutant = mutants.mutant("a1_neuron_gd", bug)
    report = engine.grade("a1_neuron_gd", make_submission(tmp_path / "s", "a1_neuron_gd", mutant.edits))
    lost = {part.key for part in report.parts if part.score < part.points}
    assert lost == {mutant.part}, _scores(report)


STEAL = '''
import sys

def _request_id():
    """The id of the call under way, read out of the worker's own frames."""
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "id" in request:
            return request["id"]
        frame = frame.f_back
    return None


def _steal(name):
    worker = sys.modules["__main__"]
    return worker._stand_in(name, _request_id())
'''


def _attack(tmp_path, module, function, body):
    """The solution with ``function`` replaced by ``body`` (which may use _steal), and the stealing helpers."""
    folder = make_submission(tmp_path / "attack", A3, {module: [(f"def {function}(", f"def _solution_{function}(")]})
    with open(folder / module, "a", encoding="utf-8") as handle:
        handle.write(STEAL + body)
    return engine.grade(A3, folder)


def test_a_function_that_calls_its_own_stand_in_gains_nothing(tmp_path):
    body = '''

def backward(Y, params, cache, activations):
    try:
        return _steal("backprop.backward")(Y, params, cache, activations)
    except Exception:
        return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
'''
    report = _attack(tmp_path, "backprop.py", "backward", body)
    part = part_of(report, "backward")
    assert part.score == 0 and all(not case.passed for case in part.cases), [c.message for c in part.cases]


def test_a_lower_function_computed_through_a_higher_stand_in_gains_nothing(tmp_path):
    body = '''

def output_delta(A_out, Y):
    try:
        grads = _steal("backprop.backward")(Y, [(np.eye(A_out.shape[1]), np.zeros(A_out.shape[1]))],
                                            {"A": [A_out, A_out], "Z": [A_out]}, ["sigmoid"])
        return grads[0][1] * A_out.shape[0] + 0 * A_out
    except Exception:
        return np.zeros_like(A_out)
'''
    report = _attack(tmp_path, "backprop.py", "output_delta", body)
    part = part_of(report, "output_delta")
    assert part.score == 0, [c.message for c in part.cases]


def test_the_stand_ins_are_the_grader_s_own_computation_and_leave_nothing_behind(tmp_path):
    """The student's module holds its own functions again after each call: a stand-in lives for one call only."""
    body = '''

SEEN = []

def train_step(X, Y, params, activations, learning_rate):
    import os
    SEEN.append(os.path.basename(backward.__code__.co_filename) + ":" + str(backward is _solution_backward_ref()))
    return _solution_train_step(X, Y, params, activations, learning_rate)


def _solution_backward_ref():
    import backprop
    return backprop.backward


def gd_step_report():
    return SEEN
'''
    folder = make_submission(tmp_path / "probe", A3, {"training.py": [("def train_step(", "def _solution_train_step(")]})
    with open(folder / "training.py", "a", encoding="utf-8") as handle:
        handle.write(body)
    report = engine.grade(A3, folder)
    assert part_of(report, "train_step").score == 2
    from grader.sandbox.runner import Sandbox
    spec = catalogues.load(A3)
    with Sandbox(engine.staged_files(spec, engine.read_modules(spec, folder))) as sandbox:
        check = spec.part("train_step").checks[0]
        ref = engine.references.modules(spec)
        sandbox.call("training", "train_step", check.cases[0].args, {}, 10.0,
                     stand_ins=engine.stand_ins(spec, spec.part("train_step"), check, ref))
        sandbox.call("training", "train_step", check.cases[0].args, {}, 10.0)
        seen = sandbox.call("training", "gd_step_report").value
    assert seen[0] == "worker.py:True", seen  # the stand-in, in the module and in training's own name alike
    assert seen[1] == "backprop.py:True", seen  # the student's own function again, after the call
