"""The autograde run's grading helper (grader/adapters/grading_helper.py): the same results and plots as a cold
``python -m grader grade``, one student per forked child, bounded, replaced when it ends or dies, and nothing left
running once it is closed."""
import os
import signal
import time

import pytest

from conftest import comparable, make_submission
from grader import catalogues
from grader.adapters import grading_helper
from grader.adapters.nbgrader.autograde import run_grader
from grader.core import paths

A1 = "a1_neuron_gd"
FULL = catalogues.load(A1).max_score
HANG = {"neuron.py": "while True:\n    pass\n"}  # its import hangs past any timeout below


@pytest.fixture
def helper_env(tmp_path):
    """The kit's subprocess environment with a temporary folder of its own: every sandbox folder and worker of the
    helper carries its path, so what is left of them can be found."""
    scratch = tmp_path / "helper-tmp"
    scratch.mkdir()
    return paths.tool_env(TMPDIR=str(scratch)), scratch


def left_running(marker):
    """The pids of the processes whose environment mentions ``marker``, other than this one."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if str(marker).encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def grade(tmp_path, name, folder, helper, timeout=300):
    out = tmp_path / name
    out.mkdir()
    return run_grader(A1, folder, out, timeout, helper=helper), out


def test_the_helper_writes_what_a_cold_grade_writes_and_leaves_nothing_running(tmp_path, helper_env):
    env, scratch = helper_env
    helper = grading_helper.Helper(env)
    try:
        for index, folder in enumerate([paths.SOLUTIONS / A1, paths.ASSIGNMENTS / A1]):
            (cold, _, cold_code, _), cold_out = grade(tmp_path, f"cold{index}", folder, None)
            (warm, reason, code, _), warm_out = grade(tmp_path, f"warm{index}", folder, helper)
            assert code == cold_code == 0 and reason == ""
            assert comparable(warm) == comparable(cold)
            assert sorted(p.name for p in (warm_out / "plots").glob("*")) == \
                sorted(p.name for p in (cold_out / "plots").glob("*"))
        first = helper.proc.pid
        assert left_running(scratch)  # the child forked ahead, and its sandbox worker started ahead, wait
    finally:
        helper.close()
    assert helper.proc is None and first not in left_running(scratch)
    deadline = time.monotonic() + 10
    while left_running(scratch) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left_running(scratch)
    assert not [p for p in scratch.iterdir() if p.name.startswith("nnkit-sandbox-")]


def test_a_student_past_the_timeout_is_killed_and_the_next_one_is_graded(tmp_path, helper_env):
    env, scratch = helper_env
    hanging = make_submission(tmp_path / "hanging" / A1, A1, HANG)
    helper = grading_helper.Helper(env)
    try:
        (document, reason, code, _), _ = grade(tmp_path, "hang", hanging, helper, timeout=3)
        assert code is None and document is None and "3 s" in reason
        (document, reason, code, _), _ = grade(tmp_path, "next", paths.SOLUTIONS / A1, helper)
        assert code == 0 and document["score"] == FULL
    finally:
        helper.close()


def test_the_helper_is_replaced_after_its_students_and_when_it_dies(tmp_path, helper_env):
    env, _ = helper_env
    helper = grading_helper.Helper(env, restart_after=1)
    try:
        (document, _, code, _), _ = grade(tmp_path, "one", paths.SOLUTIONS / A1, helper)
        assert code == 0 and document["score"] == FULL and helper.proc is None  # it said "last"
        (document, _, code, _), _ = grade(tmp_path, "two", paths.ASSIGNMENTS / A1, helper)
        assert code == 0 and document["score"] == 0
    finally:
        helper.close()
    helper = grading_helper.Helper(env)
    try:
        grade(tmp_path, "three", paths.ASSIGNMENTS / A1, helper)
        dead = helper.proc.pid
        os.killpg(dead, signal.SIGKILL)  # the helper and its waiting child
        helper.proc.wait()
        (document, _, code, _), _ = grade(tmp_path, "four", paths.SOLUTIONS / A1, helper)  # a new helper
        assert code == 0 and document["score"] == FULL and helper.proc.pid != dead
    finally:
        helper.close()


def test_a_helper_that_does_not_answer_is_killed_and_the_student_graded_cold(tmp_path, helper_env, monkeypatch):
    env, _ = helper_env
    helper = grading_helper.Helper(env)
    monkeypatch.setattr(grading_helper, "ANSWER_MARGIN_SECONDS", 0.0)
    real = grading_helper.Helper._answer
    monkeypatch.setattr(grading_helper.Helper, "_answer", lambda self, timeout: real(self, 0.0))
    try:
        (document, reason, code, _), _ = grade(tmp_path, "cold", paths.SOLUTIONS / A1, helper)
        assert code == 0 and reason == "" and document["score"] == FULL
        assert helper.proc is None  # killed; the next student starts a new one
    finally:
        helper.close()
