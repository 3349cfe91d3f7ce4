"""One bug costs one part: each unit part is graded with the reference standing in for the graded functions it
calls, computed in the grader's process; only the integrated tasks (XOR, the diamond) run the student's whole code,
and they name the upstream part to fix first."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mutants
from conftest import make_submission, part_of, solution_anchor
from grader import catalogues
from grader.grading import engine
from grader.reports import results
from grader.shipped import evaluation
from grader.sandbox import runner, waits
from grader.sandbox.runner import Sandbox

A1 = "a1_neuron_gd"
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
    """The student's module holds its own functions again after each call, and a worker that served a stand-in
    serves no other part: what the module kept is gone."""
    body = '''

SEEN = []

def train_step(X, Y, params, activations, learning_rate):
    import os
    SEEN.append(os.path.basename(backward.__code__.co_filename) + ":" + str(backward is _solution_backward_ref()))
    result = _solution_train_step(X, Y, params, activations, learning_rate)
    if learning_rate == 0.125:  # the probe below: say what this process has seen so far
        raise RuntimeError(repr(SEEN))
    return result


def _solution_backward_ref():
    import backprop
    return backprop.backward
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
        probe = (*check.cases[0].args[:4], 0.125)
        first = sandbox.call("training", "train_step", probe, {}, 10.0,
                             stand_ins=engine.stand_ins(spec, spec.part("train_step"), check, ref))
        sandbox.drop_references()  # as the engine does before each part
        second = sandbox.call("training", "train_step", probe, {}, 10.0)
    assert first.detail == "['worker.py:True']", first  # the stand-in, in the module and in training's own name alike
    # the student's own function again, in a worker that never held the stand-in: SEEN starts afresh
    assert second.detail == "['backprop.py:True']", second
    assert sandbox.starts == 2


# -- a stand-in's values stay with the call graded with them --------------------------------------------------------
CACHING = '''

RUNS = {runs!r}  # each XOR task run's inputs: the public one's, and the hidden ones' from an earlier feedback
CACHE = {{}}
def _key(X, Y, params):
    return X.tobytes() + Y.tobytes() + b"".join(W.tobytes() + b.tobytes() for W, b in params)


def train_step(X, Y, params, activations, learning_rate):
    """Only what the reference said, from the cache: no step of its own."""
    found = CACHE.get(_key(X, Y, params))
    if found is None:
        raise NotImplementedError
    return found


_OWN = id(train_step)  # an id: the stand-in would replace the function itself wherever a global holds it


def train(X, Y, params, activations, learning_rate, epochs, batch_size=None, rng=None):
    import training
    step = training.train_step
    if id(step) != _OWN and getattr(step, "__wrapped__", None) is None and not CACHE:  # the reference stands in
        for X_run, Y_run, start, activations_run, rate, count in RUNS:
            X_run, Y_run = np.array(X_run), np.array(Y_run)
            run = [(np.array(W), np.array(b)) for W, b in start]
            for _ in range(count):
                answer = step(X_run, Y_run, run, activations_run, rate)
                CACHE[_key(X_run, Y_run, run)] = answer
                run = answer[0]
    return _solution_train(X, Y, params, activations, learning_rate, epochs, batch_size, rng)
'''


def _caching_attacker(folder):
    """Stubs, but for a train() that asks the train_step standing in for it, while the train part is graded, for
    every step of every XOR task run and keeps the answers in a module global; its train_step answers from them."""
    spec = catalogues.load(A3)
    runs = [(X.tolist(), Y.tolist(), [(W.tolist(), b.tolist()) for W, b in params], list(activations), rate, count)
            for X, Y, params, activations, rate, count in (case.args for case in spec.part("xor").checks[0].cases)]
    training = (Path(engine.paths.SOLUTIONS) / A3 / "training.py").read_text(encoding="utf-8")
    training = training.replace("def train(", "def _solution_train(").replace("def train_step(", "def _unused_step(")
    return make_submission(folder, A3, {"training.py": training + CACHING.format(runs=runs),
                                        "backprop.py": (engine.paths.ASSIGNMENTS / A3 / "backprop.py").read_text()})


def test_a_stand_ins_values_cached_in_a_module_global_never_reach_the_tasks(tmp_path):
    """The worker that served the train part's stand-ins is replaced before the next part, so the tasks, which
    promise the student's own code throughout, run in a worker that never held a reference value."""
    report = engine.grade(A3, _caching_attacker(tmp_path / "attacker"))
    assert part_of(report, "train").score == 2  # the loop itself is right, with the reference standing in
    xor = part_of(report, "xor")
    assert xor.score == 0, [c.message for c in xor.cases]


def test_control_without_fresh_workers_the_cached_values_earn_the_xor_task(tmp_path, monkeypatch):
    monkeypatch.setattr(runner.Sandbox, "drop_references", lambda self: None)
    report = engine.grade(A3, _caching_attacker(tmp_path / "attacker"))
    xor = part_of(report, "xor")
    assert xor.score == xor.points, [c.message for c in xor.cases]


# -- what a stand-in costs: the grader's time is not the student's, and it is bounded --------------------------------
MSE_BUG = mutants.mutant(A1, "gradient without the factor 2").edits
SERVE_SECONDS = 0.00075  # what each stand-in costs the grader below, beyond its own time: as on a loaded machine
TIGHT_BUDGET = 8.0


def slowed(function, calls):
    """``function``, taking the grader SERVE_SECONDS longer, each call counted in ``calls``."""
    def slow(*args, **kwargs):
        calls.append(1)
        time.sleep(SERVE_SECONDS)
        return function(*args, **kwargs)
    return slow


def test_a_correct_caller_keeps_its_points_however_long_the_grader_takes_on_its_stand_ins(tmp_path, monkeypatch):
    """mse_gradient is wrong, so batch_gradient_descent is graded with the reference mse_gradient standing in: its
    three 4000-step runs ask for it 12,000 times. Each stand-in takes the grader 0.75 ms more here, 9 s in all,
    over a budget of 8 s that the submission's own code fits easily (3 to 3.5 s of it at load 1, less under load,
    its round trips' own share included). That time is the grader's, so only mse_gradient loses points. On the landed stand-ins it was
    the student's: batch_gd's runs went over the budget, and batch_gd and every part after it lost their points."""
    calls = []
    original = engine.stand_ins
    monkeypatch.setattr(engine, "stand_ins", lambda *args: {name: slowed(function, calls)
                                                            for name, function in original(*args).items()})
    report = engine.grade(A1, make_submission(tmp_path / "s", A1, MSE_BUG), budget_seconds=TIGHT_BUDGET)
    lost = {part.key for part in report.parts if part.score < part.points}
    assert lost == {"mse_gradient"}, [(c.part, c.message) for part in report.parts for c in part.cases if not c.passed]
    assert len(calls) * SERVE_SECONDS > TIGHT_BUDGET, len(calls)  # the grader's own time alone is over the budget


BGD_ANCHOR = solution_anchor(A1, "gradient_descent", "batch_gradient_descent")
ENDLESS = {"gradient_descent.py": MSE_BUG["gradient_descent.py"] + [(BGD_ANCHOR, BGD_ANCHOR + (
    "    while True:  # for ever, whatever the stand-in answers\n"
    "        try:\n"
    "            mse_gradient(X, y, theta0)\n"
    "        except Exception:\n"
    "            pass\n"))]}


def test_a_caller_that_asks_for_stand_ins_for_ever_fails_its_own_cases_and_grading_goes_on(tmp_path, monkeypatch):
    """batch_gradient_descent asks the mse_gradient stand-in for ever, and catches every refusal. Past
    STAND_IN_CALLS (300 here, to keep the test short) the grader ends the call: each batch_gd case fails saying so,
    the worker is replaced, and every other part but mse_gradient keeps its points; the submission costs no more
    than its budget twice (its own time, and what the stand-ins were given back). On the landed stand-ins the
    refusals went on until the call's limit, and batch_gd's other cases were skipped after that timeout."""
    monkeypatch.setattr(runner, "STAND_IN_CALLS", 300)
    budget = 30.0
    started = time.monotonic()
    report = engine.grade(A1, make_submission(tmp_path / "s", A1, ENDLESS), budget_seconds=budget)
    assert time.monotonic() - started < 2 * budget + runner.START_TIMEOUT
    cases = part_of(report, "batch_gd").cases
    assert cases and all(c.message == "raised StandInError: more than 300 calls of the stand-ins in one call"
                         for c in cases), [c.message for c in cases]
    lost = {part.key for part in report.parts if part.score < part.points}
    assert lost == {"mse_gradient", "batch_gd"}, lost


LOOP = b'''
import time
import numpy as np


def callee(x):
    return x


def ask(n, pause=0.0):
    """Pause, then ask for the callee's stand-in, n times (n None: for ever), whatever it answers."""
    count = 0
    while n is None or count < n:
        time.sleep(pause)
        try:
            callee(count)
        except Exception:
            pass
        count += 1
    return count


def ask_with(size):
    """What the callee's stand-in says to an array of ``size`` ones."""
    try:
        return callee(np.ones(size)).shape
    except Exception as exc:
        return str(exc)
'''


def sleeping(seconds):
    """A stand-in that takes the grader ``seconds``."""
    def stand_in(x):
        time.sleep(seconds)
        return x
    return stand_in


def test_the_graders_time_on_stand_ins_is_given_back_to_the_call_and_the_budget():
    """ask pauses 0.1 s before each of its 4 stand-ins, and each takes the grader 0.2 s: 0.4 s of the student's own
    time and 0.8 s of the grader's, in a call with a 1 s limit and a budget of 1 s. The call succeeds and leaves
    most of the budget. The student's own time still counts: 12 pauses time out, stand-ins or not. On the landed
    stand-ins, the first call went over its limit."""
    with Sandbox({"loop.py": LOOP}) as sandbox:
        sandbox.start()
        sandbox.deadline = time.monotonic() + 1.0  # a budget of 1 s from here, after the worker's start
        asked = sandbox.call("loop", "ask", (4, 0.1), timeout=1.0, stand_ins={"loop.callee": sleeping(0.2)})
        left = sandbox.deadline - time.monotonic()
        sandbox.deadline = time.monotonic() + 10.0
        own = [sandbox.call("loop", "ask", (12, 0.1), timeout=1.0, stand_ins=stand_ins)
               for stand_ins in (None, {"loop.callee": sleeping(0.0)})]
    assert asked.ok and asked.value == 4, asked
    assert sandbox.served >= 0.8 and left > 0.3, (sandbox.served, left)
    assert [outcome.error for outcome in own] == ["Timeout", "Timeout"], own


def test_a_submission_is_given_back_no_more_than_twice_its_budget():
    """Twelve stand-ins of 0.15 s each in a call with a budget of 0.5 s: the first 1 s of the grader's time is given
    back (runner.STAND_IN_CREDIT budgets), the rest is the submission's, and the budget ends the call."""
    with Sandbox({"loop.py": LOOP}, budget_seconds=0.5) as sandbox:
        sandbox.start()
        sandbox.deadline = time.monotonic() + 0.5
        outcome = sandbox.call("loop", "ask", (12,), timeout=5.0, stand_ins={"loop.callee": sleeping(0.15)})
    assert outcome.error == "BudgetExceeded", outcome
    assert sandbox.credited == pytest.approx(runner.STAND_IN_CREDIT * 0.5) and sandbox.served > sandbox.credited


def test_a_call_that_keeps_the_grader_busy_with_stand_ins_ends_at_its_limit(monkeypatch):
    """A call that asks for stand-ins for ever, each taking the grader 0.2 s, is given back at most its own limit
    (1 s), then ends with a one-line reason, and the next call gets a fresh worker; so does one that asks for more
    than STAND_IN_CALLS, however quick each. Neither costs the grader more than that limit again."""
    monkeypatch.setattr(runner, "STAND_IN_CALLS", 50)
    with Sandbox({"loop.py": LOOP}) as sandbox:
        started = time.monotonic()
        slow = sandbox.call("loop", "ask", (None,), timeout=1.0, stand_ins={"loop.callee": sleeping(0.2)})
        many = sandbox.call("loop", "ask", (None,), timeout=5.0, stand_ins={"loop.callee": sleeping(0.0)})
        elapsed = time.monotonic() - started
        after = sandbox.call("loop", "ask", (3,), stand_ins={"loop.callee": sleeping(0.0)})
    assert (slow.error, slow.detail) == ("StandInError", "the calls of the stand-ins took more than 1 s in one call")
    assert (many.error, many.detail) == ("StandInError", "more than 50 calls of the stand-ins in one call")
    assert after.ok and after.value == 3
    assert elapsed < 2 * (1.0 + 5.0) + 2 * runner.START_TIMEOUT


def test_a_stand_ins_arguments_are_refused_over_the_bound_before_they_are_decoded():
    """Arguments over the sandbox's stand_in_bytes are refused, and the student's code is told so; the control,
    with no bound but an answer's own limit, computes the same call."""
    with Sandbox({"loop.py": LOOP}, stand_in_bytes=2000) as bounded, Sandbox({"loop.py": LOOP}) as unbounded:
        said = [sandbox.call("loop", "ask_with", (size,), stand_ins={"loop.callee": sleeping(0.0)}).value
                for sandbox, size in ((bounded, 10), (bounded, 10_000), (unbounded, 10_000))]
    assert said[0] == (10,) and said[2] == (10_000,), said
    assert said[1].startswith("the reference loop.callee could not take these arguments (ValueError: they take ")
    assert said[1].endswith("bytes, over the 2000-byte limit of a stand-in's arguments here)"), said[1]


BUSY = [sys.executable, "-c", "while True: pass"]
SLEEPS = [sys.executable, "-c", "import time; print('asleep', flush=True); time.sleep(60)"]


@pytest.mark.skipif(not os.path.exists("/proc/self/schedstat"), reason="this kernel does not count run-queue waits")
def test_the_waits_given_back_are_the_kernels_count_of_time_spent_waiting_for_a_cpu():
    """Two busy processes on one CPU each run about half the time and wait for it the other half, and waits.Waits
    reads both from the kernel; a process that sleeps neither runs nor waits, so a student's own pauses are never
    given back."""
    hogs = [subprocess.Popen(BUSY) for _ in range(2)]
    sleeper = subprocess.Popen(SLEEPS, stdout=subprocess.PIPE, text=True)
    try:
        assert sleeper.stdout.readline() == "asleep\n"  # its start-up, which waits for a CPU too, is over
        cpu = min(os.sched_getaffinity(0))
        for hog in hogs:
            os.sched_setaffinity(hog.pid, {cpu})
        with waits.Waits(hogs[0].pid) as busy, waits.Waits(sleeper.pid) as idle:
            before = busy.read(), idle.read()
            time.sleep(1.0)
            after = busy.read(), idle.read()
    finally:
        for process in hogs + [sleeper]:
            process.kill()
            process.wait()
    (ran, waited), (slept_ran, slept_waited) = ((b - a for a, b in zip(*pair)) for pair in zip(before, after))
    assert ran > 0.2 and waited > 0.2, (before, after)
    assert slept_ran < 0.1 and slept_waited < 0.1, (before, after)
    assert waits.Waits(None).read() is None


@pytest.mark.skipif(not os.path.exists("/proc/self/schedstat"), reason="this kernel does not count run-queue waits")
def test_the_waits_read_are_the_workers_own_not_bubblewraps():
    with Sandbox({}) as sandbox:
        sandbox.start()
        command = Path(f"/proc/{sandbox._worker_pid}/cmdline").read_bytes().split(b"\0")
    assert str(runner.WORKER).encode() in command, command


# -- what a failed stand-in may explain --------------------------------------------------------------------------
RAISING = b'''
def callee(x):
    return x


def caller(x):
    return callee(x)


def ask_for_ever(x):
    while True:
        try:
            callee(x)
        except Exception:
            pass


class StandInError(RuntimeError):
    pass


def forged(x):
    raise StandInError("the reference m.callee could not take these arguments (ValueError: operands could not be "
                       "broadcast together)")
'''
ANY_VALUE_ERROR = ("weights_first", "w @ x does not line up", evaluation.Raised("ValueError"))
BROADCAST = ("broadcast", "shapes do not broadcast", evaluation.Raised("ValueError", "broadcast"))


def _broken(x):
    raise ValueError("operands could not be broadcast together with shapes (3,) (4,)")


def _stand_in_failures(monkeypatch):
    """A call whose stand-in reference raises; a StandInError the student's code makes up; and calls that the
    grader ends at its limits on stand-ins (its own time, and the number of calls)."""
    monkeypatch.setattr(runner, "STAND_IN_CALLS", 50)
    with Sandbox({"m.py": RAISING}) as sandbox:
        return {"reference": sandbox.call("m", "caller", (1,), stand_ins={"m.callee": _broken}),
                "forged": sandbox.call("m", "forged", (1,)),
                "time": sandbox.call("m", "ask_for_ever", (1,), timeout=1.0, stand_ins={"m.callee": sleeping(0.2)}),
                "calls": sandbox.call("m", "ask_for_ever", (1,), stand_ins={"m.callee": sleeping(0.0)})}


def test_only_what_a_reference_raised_is_matched_against_a_crash_misconception(monkeypatch):
    outcomes = _stand_in_failures(monkeypatch)
    assert {name: outcome.error for name, outcome in outcomes.items()} == dict.fromkeys(outcomes, "StandInError")
    reference = outcomes["reference"]
    assert reference.stand_in_raised == ("ValueError", "operands could not be broadcast together with shapes (3,) (4,)")
    assert evaluation.diagnose_failure(reference, [ANY_VALUE_ERROR])[0] == "weights_first"
    assert evaluation.diagnose_failure(reference, [BROADCAST])[0] == "broadcast"
    assert evaluation.diagnose_failure(reference, [("t", "m", evaluation.Raised("TypeError"))]) == ("", "")
    for name in ("forged", "time", "calls"):
        assert outcomes[name].stand_in_raised == (), name
        assert evaluation.diagnose_failure(outcomes[name], [ANY_VALUE_ERROR, BROADCAST]) == ("", ""), name


def _old_matching(monkeypatch):
    """The matching before: a StandInError of any kind was taken for the exception a variant declares."""
    monkeypatch.setattr(evaluation, "what_raised", lambda outcome: None if outcome.ok else (outcome.error,
                                                                                           outcome.detail))
    monkeypatch.setattr(evaluation, "raised_alike", lambda raised, error, detail="": error in (
        raised.error, evaluation.STAND_IN_ERROR) and raised.words.lower() in detail.lower())
    monkeypatch.setattr(evaluation, "same_failure", lambda error, detail, other_error, other_detail: error in (
        other_error, evaluation.STAND_IN_ERROR))


def test_control_with_the_old_matching_every_stand_in_failure_got_a_cause(monkeypatch):
    outcomes = _stand_in_failures(monkeypatch)
    _old_matching(monkeypatch)
    for name in ("forged", "time", "calls"):
        assert evaluation.diagnose_failure(outcomes[name], [ANY_VALUE_ERROR])[0] == "weights_first", name


NEURON_ANCHOR = solution_anchor(A1, "neuron", "neuron")
SIGMOID_ANCHOR = solution_anchor(A1, "neuron", "sigmoid")
#: sigmoid is wrong, so neuron is graded with the reference sigmoid standing in, and neuron asks for it for ever.
ASKS_FOR_EVER = {"neuron.py": [
    (SIGMOID_ANCHOR, SIGMOID_ANCHOR + "    return np.zeros_like(np.asarray(z, dtype=np.float64))\n"),
    (NEURON_ANCHOR, NEURON_ANCHOR + "    while True:\n        try:\n            sigmoid(np.zeros(3))\n"
                                    "        except Exception:\n            pass\n")]}


def _neuron_cases(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "STAND_IN_CALLS", 300)
    report = engine.grade(A1, make_submission(tmp_path / "s", A1, ASKS_FOR_EVER))
    cases = part_of(report, "neuron").cases
    assert cases and all(case.message.startswith("raised StandInError: more than 300 calls") for case in cases)
    return cases


def test_a_call_the_grader_ends_at_its_stand_in_limit_gets_no_likely_cause(tmp_path, monkeypatch):
    """neuron's check has a classic bug that raises any ValueError (w @ x); a call the grader ended is not that."""
    assert any(m.raises == "ValueError" for m in catalogues.load(A1).part("neuron").checks[0].misconceptions)
    for case in _neuron_cases(tmp_path, monkeypatch):
        assert case.misconception == "" and "Likely cause" not in case.message, case.message


def test_control_with_the_old_matching_the_grader_s_limit_got_a_wrong_cause(tmp_path, monkeypatch):
    _old_matching(monkeypatch)
    for case in _neuron_cases(tmp_path, monkeypatch):
        assert case.misconception == "weights_first" and "Likely cause: w @ x" in case.message



# -- which callees are trusted -----------------------------------------------------------------------------------
#: mse_gradient is right on every case of its own (at most 30 rows) but climbs instead of descending on 40 rows or
#: more, which batch_gradient_descent's training runs pass it: its callers would fail with it.
UNCHECKED_BUG = '''

def mse_gradient(X, y, theta):
    gradient = _solution_mse_gradient(X, y, theta)
    return -gradient if X.shape[0] >= 40 else gradient
'''
#: The same, and wrong on its public values case alone (12 rows from the lecture's starting point), which carries no
#: points: before, that made it untrusted, so its callers were graded with the reference standing in.
FAILS_ITS_PREVIEW = UNCHECKED_BUG.replace("    return -gradient", '''    if X.shape[0] == 12 and np.array_equal(theta, [3.0, 3.0, 3.0]):
        return np.zeros_like(gradient)
    return -gradient''')


def _with_mse_gradient(tmp_path, name, source):
    folder = make_submission(tmp_path / name, A1, {"gradient_descent.py": [
        ("def mse_gradient(", "def _solution_mse_gradient(")]})
    with open(folder / "gradient_descent.py", "a", encoding="utf-8") as handle:
        handle.write(source)
    return engine.grade(A1, folder)


def _trust_cases(tmp_path):
    """(the report of the unchecked bug, the report of the same bug that also fails its public case)."""
    bug, gamed = (_with_mse_gradient(tmp_path, name, source) for name, source in
                  (("bug", UNCHECKED_BUG), ("gamed", FAILS_ITS_PREVIEW)))
    public = [case for case in part_of(gamed, "mse_gradient").cases if not case.passed]
    assert public and all(case.public for case in public), "it fails its public case and nothing else of its own"
    assert part_of(gamed, "mse_gradient").score == part_of(bug, "mse_gradient").score == 2
    return bug, gamed


def test_failing_only_public_cases_does_not_buy_the_reference_for_the_callers(tmp_path):
    """The cases that carry points decide whether a function serves its callers: the same bug costs its callers the
    same whether or not the function also fails its preview."""
    bug, gamed = _trust_cases(tmp_path)
    assert part_of(bug, "batch_gd").score < 3
    assert _scores(gamed) == _scores(bug)


def test_control_when_public_cases_decided_trust_failing_one_raised_the_score(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "_decides_trust", lambda case: True)
    bug, gamed = _trust_cases(tmp_path)
    assert part_of(bug, "batch_gd").score < part_of(gamed, "batch_gd").score == 3
    assert gamed.score == catalogues.load(A1).max_score > bug.score
