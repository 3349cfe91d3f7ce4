"""The grader's own work on a student's bytes is bounded: strings, module sources, results files, time and memory.

Each class of attack is a real hostile submission (the A1 solution with one function or module made hostile),
graded for real, and each defence has a control that switches it off and shows the attack working. The figures
these bounds were chosen from are in docs/security.md.
"""
import ast
import builtins
import json
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
import uuid
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, cli_env, make_submission, solution_anchor
from grader.adapters import batch, cli, prairielearn
from grader.adapters.nbgrader.autograde import GradeWithKit, TIMEOUT_MARGIN_SECONDS, run_grader
from grader import catalogues
from grader.grading import engine
from grader.shipped import evaluation
from grader.core import paths
from grader.reports import plots, results
from grader.core import references
from grader.sandbox import runner
from grader.shipped import wire
from grader.sandbox.runner import Sandbox
from test_attacks import XOR, append_to, assert_only_hit, functions_of, in_xor_gate, short_limit  # noqa: F401

A1 = "a1_neuron_gd"
SPEC = catalogues.load(A1)
BGD = "gradient_descent.batch_gradient_descent"
BGD_ANCHOR = solution_anchor(A1, "gradient_descent", "batch_gradient_descent")
HUGE_NAME = 4_000_000  # characters in the returned object's class name: 4 MB, as measured on the landed kit
BGD_CASES = sum(len(check.cases) for part in SPEC.parts for check in part.checks if check.function == BGD)
# the public ones: a hidden case's message never quotes what the student's code returned (its type's name included)
BGD_PUBLIC = sum(case.public for part in SPEC.parts for check in part.checks if check.function == BGD
                 for case in check.cases)
# The returned object's class has a 4 MB name; batch_gradient_descent has 7 cases, some of them training runs.
HUGE_CLASS = {"gradient_descent.py": [(BGD_ANCHOR, BGD_ANCHOR + f"    return type('C' * {HUGE_NAME}, (), {{}})()\n")]}


def grade_cli(folder, out, *options, timeout=300):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out), *options,
                           str(folder)], cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(Path(out).read_text(encoding="utf-8")), done, time.monotonic() - started


# The peak resident set of this process since it started (VmHWM: ru_maxrss would count its parent's peak as well,
# which exec hands on).
PEAK = ("def peak():\n    return 1024 * int(next(line for line in open('/proc/self/status')"
        " if line.startswith('VmHWM:')).split()[1])")


def size_of(path):
    return Path(path).stat().st_size


# -- strings from the student's process are cut as they are decoded -------------------------------------------------
def test_a_huge_class_name_is_cut_and_the_results_stay_small(submission, tmp_path):
    """The landed kit wrote a 121.6 MB results.json for this, and its plots ran past autograde's timeout. Now the
    name is cut as it is decoded, each message says so, the results file is small and the plots are drawn."""
    folder = submission(A1, edits=HUGE_CLASS)
    out = tmp_path / "out" / "results.json"
    document, done, _ = grade_cli(folder, out, "--plots", str(tmp_path / "plots"))
    assert size_of(out) < 100_000
    test = next(test for test in document["tests"] if test["extra_data"]["part"] == "batch_gd")
    assert test["score"] == 0 and test["output"].count("more characters cut]") == BGD_PUBLIC
    assert "returned a gradient_descent.CCCC" in test["output"]
    assert all(t["score"] == t["max_score"] for t in document["tests"] if t is not test)
    assert sorted(path.name for path in (tmp_path / "plots").glob("batch_gd-*.png"))  # drawn, not stuck

    report = engine.grade(A1, folder)
    messages = assert_only_hit(report, {BGD})
    assert len(messages) == BGD_CASES and max(map(len, messages)) < 2 * wire.MAX_NAME_CHARS + 200


def test_control_without_the_cut_every_message_carries_the_whole_name(submission, monkeypatch):
    monkeypatch.setattr(wire, "MAX_NAME_CHARS", 10 ** 9)
    messages = assert_only_hit(engine.grade(A1, submission(A1, edits=HUGE_CLASS)), {BGD})
    assert len(messages) == BGD_CASES and sorted(map(len, messages))[-BGD_PUBLIC] > HUGE_NAME


@pytest.mark.parametrize("answer, field", [
    ({"ok": False, "error": "E" * 10 ** 6, "detail": "d" * 10 ** 7, "where": ["w" * 10 ** 6] * 100}, "error"),
    ({"ok": True, "value": {"__dict__": {"k" * 10 ** 6: "v" * 10 ** 7}}, "warnings": ["w" * 10 ** 6] * 100}, "value"),
    ({"ok": True, "value": {"__npscalar__": "x" * 10 ** 6, "value": 1}}, "error"),
    ({"ok": True, "value": {"__ndarray__": "", "dtype": "y" * 10 ** 6, "shape": []}}, "error"),
])
def test_every_string_in_an_answer_is_cut_and_says_so(answer, field):
    outcome = Sandbox._outcome(answer)
    text = json.dumps([outcome.error, outcome.detail, outcome.where, outcome.warnings, outcome.changed,
                       outcome.value if field == "value" else None])
    assert len(text) < 20_000 and "more characters cut]" in text


def test_an_answer_too_large_or_with_too_many_values_is_refused_before_it_is_parsed():
    """What the grader builds from an answer stays small: json.loads never sees more than MAX_ANSWER_BYTES, or an
    answer of more than MAX_ANSWER_ITEMS values (3 bytes of '[{},' are a 64-byte dict each)."""
    for payload in (b"[" + b"{}," * (wire.MAX_ANSWER_ITEMS + 1) + b"{}]", b'"' + b"x" * wire.MAX_ANSWER_BYTES + b'"'):
        with pytest.raises(ValueError):
            wire.load_answer(payload)
    legitimate = json.dumps({"ok": True, "value": wire.encode(({"loss": [0.5] * 1000, "accuracy": [1.0] * 1000},
                                                                [(list(range(10)), 0.0)] * 3))}).encode()
    assert wire.load_answer(legitimate)["ok"] is True  # a 1000-epoch history is far inside both limits
    with pytest.raises(ValueError, match="nested more than"):
        nested = "s"
        for _ in range(wire.MAX_DEPTH + 2):
            nested = [nested]
        wire.decode(json.loads(json.dumps(wire.encode(nested))))


@pytest.mark.parametrize("code, said", [("return np.zeros(10 ** 6)", "bytes, over the 4194304-byte limit"),
                                        ("return [0.5] * 200_000", "values, over the limit of 100000")])
def test_an_honest_answer_over_the_limits_is_told_so(submission, code, said):
    """The worker checks the same limits before it sends, so an answer that is merely too big costs its case with a
    message that says why, and the worker carries on."""
    report = engine.grade(A1, submission(A1, edits=in_xor_gate(code)))
    assert_only_hit(report, {XOR})
    cases = [case for part in report.parts for case in part.cases if case.function == XOR]
    assert all(c.message.startswith("raised OutputTooLarge: the returned value") and said in c.message
               for c in cases if c.public)
    hidden = f"over what a call may send back ({wire.MAX_ANSWER_BYTES} bytes of arrays, or {wire.MAX_ANSWER_ITEMS}"
    assert all(c.message.startswith("raised OutputTooLarge") and hidden in c.message for c in cases if not c.public)


def test_control_json_builds_many_times_its_size_from_such_an_answer():
    """The control for the item limit: parsed, '[{},{},...]' takes about 20 times its own size."""
    payload = b"[" + b"{}," * 300_000 + b"{}]"
    tracemalloc.start()
    try:
        json.loads(payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak > 15 * len(payload)


A3 = "a3_backprop"


def huge_stand_in(width):
    """backward with a wrong layer_gradients, so graded with the reference standing in for it, that asks the stand-in
    for the gradients of a ``width``-wide layer on one sample: width * width * 8 bytes of value for 16 * width bytes
    of arguments."""
    anchor = solution_anchor(A3, "backprop", "backward")
    return {"backprop.py": [
        ("return A_prev.T @ delta / A_prev.shape[0], delta.mean(axis=0)",
         "return A_prev.T @ delta, delta.mean(axis=0)"),
        (anchor, anchor + "    if layer_gradients.__module__ != __name__:  # the grader's stand-in\n"
                          f"        layer_gradients(np.ones((1, {width})), np.ones((1, {width})))\n")]}


def backward_messages(report):
    """The messages of backward's public cases (a hidden case's says only that the stand-in could not answer) after
    checking that every hidden one says that."""
    cases = [case for part in report.parts for case in part.cases if case.function == "backprop.backward"]
    assert all(c.message.startswith("raised StandInError") and "could not answer" in c.message
               for c in cases if not c.public), [c.message for c in cases]
    return [case.message for case in cases if case.public]


def test_a_stand_in_asked_for_a_huge_value_costs_its_case_not_the_grading(submission):
    """The grader computes a stand-in on the student's arguments, in its own process. Its value goes back under an
    answer's limits, refused before it is encoded: a 1000-wide layer's 8 MB of gradients, for 16 KB of arguments
    (under the bound on those). backward's cases fail saying so, and grading goes on (on the landed stand-ins, a
    3000-wide layer's 96 MB reply raised in the grader and no part of the submission was graded)."""
    report = engine.grade(A3, submission(A3, edits=huge_stand_in(1000)))
    messages = backward_messages(report)
    assert messages and all("over the 4194304-byte limit of what is sent back" in m for m in messages), messages
    assert report.parts and any(part.score > 0 for part in report.parts)


def test_control_that_stand_in_value_is_over_an_answers_limit():
    reference = references.modules(catalogues.load(A3)).backprop
    value = reference.layer_gradients(np.ones((1, 1000)), np.ones((1, 1000)))
    assert len(json.dumps(wire.encode(value))) > wire.MAX_ANSWER_BYTES


def test_a_stand_in_asked_with_huge_arguments_is_refused_before_the_grader_computes(submission):
    """A stand-in request over engine.STAND_IN_ARGUMENT_FACTOR times the largest request a case of A3 makes (37.5
    KB) is refused before it is decoded: this backward asks, in 171 KB, for an 8000-wide layer's gradients, 512 MB
    of the grader's memory and a second of its time for each case. Each of backward's cases fails saying so,
    grading goes on, and the submission ends within its budget and the stand-ins' allowance."""
    budget = 30.0
    started = time.monotonic()
    report = engine.grade(A3, submission(A3, edits=huge_stand_in(8000)), budget_seconds=budget)
    assert time.monotonic() - started < (1 + runner.STAND_IN_CREDIT) * budget + runner.START_TIMEOUT
    said = f"over the {engine.stand_in_bytes(A3)}-byte limit of a stand-in's arguments here"
    messages = backward_messages(report)
    assert messages and all(said in m for m in messages), messages
    assert any(part.score > 0 for part in report.parts)


def test_control_without_the_bound_on_arguments_the_grader_computes_on_them(submission, monkeypatch):
    """The control: with no bound on a stand-in's arguments but an answer's own, the grader decodes a 3000-wide
    layer's 64 KB of arguments and computes its 72 MB of gradients, which only the bound on what is sent back
    refuses. With the bound, the same request is refused before it is decoded."""
    edits = huge_stand_in(3000)
    bounded = backward_messages(engine.grade(A3, submission(A3, edits=edits, name="bounded")))
    monkeypatch.setattr(engine, "stand_in_bytes", lambda name: None)
    unbounded = backward_messages(engine.grade(A3, submission(A3, edits=edits, name="unbounded")))
    assert bounded and all("limit of a stand-in's arguments here" in m for m in bounded), bounded
    assert unbounded and all("over the 4194304-byte limit of what is sent back" in m for m in unbounded), unbounded


# -- module sources: capped, and never parsed by the grader ---------------------------------------------------------
LITERAL = "\n_PAD = '" + "x" * 3_000_000 + "'\n"  # a module with a 3 MB string literal
MANY_TOKENS = "\n_PAD = [" + "0," * 1_300_000 + "]\n"  # 2.6 MB that costs a parser 1.25 GB and 9 s


def test_a_module_over_the_size_cap_is_refused_and_costs_only_its_parts(submission):
    folder = append_to(submission(A1), "gradient_descent", LITERAL)
    report = engine.grade(A1, folder)
    messages = assert_only_hit(report, functions_of(report, "gradient_descent"))
    assert all(m.startswith("could not import the module") is False for m in messages)
    limit = evaluation.MAX_MODULE_BYTES // 1024
    assert all(m == evaluation.say("too_large", detail="gradient_descent.py", limit=limit) for m in messages)


def test_a_module_importing_one_over_the_cap_fails_with_its_reason(submission):
    """gradient_descent imports neuron: with neuron refused, its import of neuron is refused too, and its parts say
    why. Every case fails, and each message names neuron.py."""
    report = engine.grade(A1, append_to(submission(A1), "neuron", LITERAL))
    assert report.score == 0
    assert all("neuron.py is larger than the 256 KB" in case.message for part in report.parts for case in part.cases)


def test_control_without_the_cap_the_same_module_is_graded(submission, monkeypatch):
    monkeypatch.setattr(evaluation, "MAX_MODULE_BYTES", 1 << 27)
    report = engine.grade(A1, append_to(submission(A1), "gradient_descent", LITERAL))
    assert report.score == report.max_score


def test_no_more_than_the_cap_is_read_of_a_huge_module(tmp_path, monkeypatch):
    """A 1 GiB module file (sparse, so the test writes nothing) costs read_modules one cap's worth of memory; two
    files over the cap fingerprint the same, since they grade the same. The control: without the cap, reading a
    64 MiB one takes 64 MiB."""
    folder = make_submission(tmp_path / "student", A1)
    with open(folder / "gradient_descent.py", "r+b") as handle:
        handle.truncate(1 << 30)
    tracemalloc.start()
    try:
        modules = engine.read_modules(SPEC, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert modules["gradient_descent.py"] is engine.TOO_LARGE and peak < 2 * evaluation.MAX_MODULE_BYTES
    other = make_submission(tmp_path / "other", A1)
    (other / "gradient_descent.py").write_bytes(b"#" * (evaluation.MAX_MODULE_BYTES + 1))
    assert engine.modules_digest(engine.read_modules(SPEC, other)) == engine.modules_digest(modules)

    monkeypatch.setattr(evaluation, "MAX_MODULE_BYTES", 1 << 27)
    with open(folder / "gradient_descent.py", "r+b") as handle:
        handle.truncate(64 << 20)
    tracemalloc.start()
    try:
        engine.read_modules(SPEC, folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak >= 64 << 20


def test_the_grader_never_parses_a_students_source(submission, short_limit, monkeypatch):  # noqa: F811
    """Every source the grader's process compiles or parses while grading is recorded: none is a student's, even
    when a module hangs at import and another imports it (the landed kit parsed the importer to find that out)."""
    marker = f"nnkit-marker-{uuid.uuid4().hex}"
    seen = []
    real_compile, real_parse = builtins.compile, ast.parse

    def spy(real):
        def wrapped(source, *args, **kwargs):
            text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
            if isinstance(text, str) and marker in text:
                seen.append(real.__name__)
            return real(source, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(builtins, "compile", spy(real_compile))
    monkeypatch.setattr(ast, "parse", spy(real_parse))
    short_limit(modules=("neuron", "gradient_descent"))
    folder = append_to(submission(A1), "neuron", f"# {marker}\nimport time\nwhile True:\n    time.sleep(1)")
    folder = append_to(folder, "gradient_descent", f"# {marker}")
    report = engine.grade(A1, folder)
    assert report.score == 0 and seen == []
    assert all("importing it took too long" in case.message for part in report.parts for case in part.cases)


def test_control_a_parser_is_what_the_hostile_source_costs(tmp_path):
    """The control for not parsing: ast.parse of a source at the cap, 256 KB of '0,', takes over 80 MB in the
    process that does it (a 2.6 MB one took the landed grader 1.29 GiB; docs/security.md)."""
    source = tmp_path / "hostile.py"
    source.write_text("_PAD = [" + "0," * (evaluation.MAX_MODULE_BYTES // 2 - 8) + "]\n", encoding="utf-8")
    assert size_of(source) <= evaluation.MAX_MODULE_BYTES
    script = (f"import ast, sys\n{PEAK}\nsource = open(sys.argv[1], 'rb').read()\nbefore = peak()\n"
              "ast.parse(source)\nprint(peak() - before)")
    done = subprocess.run([sys.executable, "-c", script, str(source)], capture_output=True, text=True, timeout=120)
    assert int(done.stdout) > 80 * 1024 ** 2


def test_a_source_that_would_cost_a_parser_gigabytes_costs_the_grader_nothing(submission, tmp_path):
    """Graded by the real CLI, in a process of its own: the grader and its worker together stay small."""
    folder = append_to(submission(A1), "gradient_descent", MANY_TOKENS)
    out = tmp_path / "results.json"
    script = ("import resource, subprocess, sys\nsubprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL,"
              " stderr=subprocess.DEVNULL)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "grader", "grade", "--assignment", A1,
                           "--out", str(out), str(folder)], cwd=ROOT, env=cli_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) * 1024 < 300 * 1024 ** 2
    document = json.loads(out.read_text(encoding="utf-8"))
    assert all("gradient_descent.py is larger than" in test["output"] for test in document["tests"]
               if test["extra_data"]["part"] in {part.key for part in SPEC.parts
                                                  if part.checks[0].module == "gradient_descent"})


# -- every results file stays under 1 MB ----------------------------------------------------------------------------
def _unbounded(monkeypatch):
    """Switch off the first wall (the decode cut), so the 4 MB name reaches every message."""
    monkeypatch.setattr(wire, "MAX_NAME_CHARS", 10 ** 9)


def _write_with_each_writer(kind, folder, tmp_path, capsys):
    """The results file each writer of one writes for ``folder``: grade --out, grade to stdout, grade-all's
    grade_one, and the PrairieLearn entrypoint's grade, all in this process. Returns its size in bytes."""
    out = tmp_path / kind / "results.json"
    if kind == "grade":
        assert cli.main(["grade", "--assignment", A1, "--out", str(out), str(folder)]) == 0
    elif kind == "stdout":
        capsys.readouterr()
        assert cli.main(["grade", "--assignment", A1, str(folder)]) == 0
        out.parent.mkdir(parents=True)
        out.write_text(capsys.readouterr().out, encoding="utf-8")
    elif kind == "grade-all":
        assert batch.grade_one(A1, "student", str(folder), "kit", out) == ("student", "")
    else:
        root = tmp_path / kind
        make_submission(root / "student", A1, HUGE_CLASS)
        prairielearn.grade(A1, root)
        out = root / "results" / "results.json"
    json.loads(out.read_text(encoding="utf-8"))
    return size_of(out)


@pytest.mark.parametrize("kind", ["grade", "stdout", "grade-all", "prairielearn"])
def test_every_results_file_stays_under_1_mb_even_past_the_first_wall(submission, tmp_path, monkeypatch, capsys,
                                                                        kind):
    _unbounded(monkeypatch)
    size = _write_with_each_writer(kind, submission(A1, edits=HUGE_CLASS), tmp_path, capsys)
    assert size <= results.LIMIT_BYTES


def test_control_without_the_results_bounds_the_file_is_tens_of_megabytes(submission, tmp_path, monkeypatch, capsys):
    _unbounded(monkeypatch)
    monkeypatch.setattr(results, "MAX_PART_OUTPUT_CHARS", 10 ** 9)
    monkeypatch.setattr(results, "MAX_CASE_LINE_CHARS", 10 ** 9)
    monkeypatch.setattr(results, "fit", lambda document, limit=None: document)
    size = _write_with_each_writer("grade", submission(A1, edits=HUGE_CLASS), tmp_path, capsys)
    assert size > BGD_PUBLIC * HUGE_NAME  # the whole name, in each public case's message


def test_the_fallback_results_are_fitted_too():
    script = prairielearn.run_script(SPEC)
    fallback = script.split("<<'NNKIT_FALLBACK'\n", 1)[1].split("\nNNKIT_FALLBACK", 1)[0]
    assert json.loads(fallback)["gradable"] is False and len(fallback.encode()) < results.LIMIT_BYTES


def test_a_part_shows_its_first_failures_and_how_many_more():
    cases = [engine.CaseResult("p", "m.f", "values", i, True, False, "m" * 5000) for i in range(50)]
    text = results.part_output(engine.PartResult("p", "P", 1.0, 0.0, cases))
    assert len(text) <= results.MAX_PART_OUTPUT_CHARS + 100
    shown = text.count("✗ m.f")
    assert 1 <= shown < 50 and text.endswith(f"… and {50 - shown} more failed checks, not shown")


# -- time: a budget per submission, and plots with their own limit --------------------------------------------------
STALL = '''
import sys as _sys, time as _time
_time.sleep({import_sleep})  # just under the import's limit


def _stall():
    if _sys._getframe(2).f_code.co_filename.endswith("worker.py"):  # called by the grader, not by another function
        _time.sleep({call_sleep})  # just under the call's limit
'''


def stalling_submission(folder, call_sleep, import_sleep):
    """The A1 solution, each module sleeping ``import_sleep`` at import and each graded function ``call_sleep``
    when the grader calls it: every answer right, each one just in time."""
    edits = {}
    for module in SPEC.modules:
        text = (paths.SOLUTIONS / A1 / f"{module}.py").read_text(encoding="utf-8")
        text = re.sub(r"^(\s*)(### BEGIN SOLUTION.*)$", r"\1\2\n\1_stall()", text, flags=re.M)
        lines = text.splitlines(keepends=True)
        head = next(i for i, line in enumerate(lines) if line.startswith("import numpy"))
        lines.insert(head + 1, STALL.format(import_sleep=import_sleep, call_sleep=call_sleep))
        edits[f"{module}.py"] = "".join(lines)
    return make_submission(folder, A1, edits)


def address_space_limit(pid):
    """The soft RLIMIT_AS of a running process, in bytes, or None for unlimited (or a process already gone)."""
    try:
        for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
            if line.startswith("Max address space"):
                soft = line.split()[3]
                return None if soft == "unlimited" else int(soft)
    except OSError:
        pass
    return None


def test_a_submission_that_stalls_under_every_limit_costs_its_budget_and_no_more(tmp_path):
    """Each import sleeps just under its 10 s limit and each call just under its 5 s: with no budget, A1's 39
    calls would take over 3 minutes. ``grade --budget 3`` ends it after about 3 s, and the grader's own process
    runs with its address space capped."""
    limit = runner.IMPORT_TIMEOUT - 0.3
    folder = stalling_submission(tmp_path / "staller", call_sleep=4.7, import_sleep=limit)
    out = tmp_path / "results.json"
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out),
                             "--budget", "3", str(folder)], cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    caps = []
    while proc.poll() is None:
        caps.append(address_space_limit(proc.pid))
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr.read()
    assert elapsed < 3 + 30  # the budget, and start-up with room for a loaded machine
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["score"] == 0
    assert all(evaluation.say("budget") in test["output"] for test in document["tests"])
    assert any(cap is not None and cap < 8 * 1024 ** 3 for cap in caps), caps


def test_control_without_a_budget_the_stalls_add_up(tmp_path, monkeypatch):
    """The control, with the sleeps scaled down (0.5 s at import, 0.3 s per call) and every limit with them
    (3 s, 2 s, with room for a loaded machine): with no budget to speak of, the submission takes the sum of its
    stalls and loses nothing for them. With a small budget, it is ended after that budget, and the calls it did
    not reach are not run."""
    original_call, original_load = Sandbox.call, Sandbox.load
    monkeypatch.setattr(Sandbox, "call", lambda self, m, f, args=(), kwargs=None, timeout=5.0, **more:
                        original_call(self, m, f, args, kwargs, 2.0, **more))
    monkeypatch.setattr(Sandbox, "load", lambda self, m, timeout=3.0: original_load(self, m, 3.0))
    folder = stalling_submission(tmp_path / "staller", call_sleep=0.3, import_sleep=0.5)
    calls = sum(len(check.cases) for part in SPEC.parts for check in part.checks)
    started = time.monotonic()
    report = engine.grade(A1, folder, budget_seconds=float("inf"))
    # about the sum of its stalls (a call whose function another one calls may be served without its own stall)
    assert report.score == report.max_score and time.monotonic() - started >= 0.9 * (2 * 0.5 + calls * 0.3)

    started = time.monotonic()
    bounded = engine.grade(A1, folder, budget_seconds=2.0)
    assert time.monotonic() - started < 2.0 + 20
    skipped = [case for part in bounded.parts for case in part.cases if case.message == evaluation.say("budget")]
    assert len(skipped) > calls // 2


def test_grade_all_and_autograde_take_the_budget(tmp_path):
    """``grade-all --budget`` and ``GradeWithKit.budget`` (through ``run_grader``) bound each student; the others
    are graded in full. Each grade-all pool process caps its own address space once it is warm."""
    submitted = tmp_path / "submitted"
    stalling_submission(submitted / "slow" / A1, call_sleep=4.7, import_sleep=runner.IMPORT_TIMEOUT - 0.3)
    make_submission(submitted / "fine" / A1, A1)
    done = subprocess.run([sys.executable, "-m", "grader", "grade-all", "--assignment", A1, "--jobs", "2",
                           "--budget", "2", "--csv", str(tmp_path / "grades.csv"), str(submitted)], cwd=ROOT,
                          env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    graded = tmp_path / "graded" / A1
    slow, fine = (json.loads((graded / f"{name}.json").read_text(encoding="utf-8")) for name in ("slow", "fine"))
    assert slow["score"] == 0 and all(evaluation.say("budget") in test["output"] for test in slow["tests"])
    assert fine["score"] == SPEC.max_score

    document, reason, code, _ = run_grader(A1, submitted / "slow" / A1, tmp_path, 120, budget=2)
    assert code == 0 and reason == "" and document["score"] == 0
    assert all(evaluation.say("budget") in test["output"] for test in document["tests"])
    assert GradeWithKit(budget=12).timeout == 12 + TIMEOUT_MARGIN_SECONDS

    script = (f"import resource\nfrom grader.adapters import batch\nbatch._warm({A1!r}, 'en')\n"
              "print(resource.getrlimit(resource.RLIMIT_AS)[0])")
    warm = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cli_env(), capture_output=True, text=True,
                          timeout=120)
    assert 0 < int(warm.stdout) < 8 * 1024 ** 3


def _hang_in_plots(monkeypatch, seconds):
    monkeypatch.setattr(plots, "curves_figure", lambda key, run: time.sleep(seconds))


def test_plots_that_run_long_are_stopped_and_the_results_stand(tmp_path, monkeypatch, capfd):
    """A plot that never ends (here the curves, made to sleep) is stopped after the plots' time limit; the results,
    written before, are complete, and the command still succeeds."""
    monkeypatch.setattr(plots, "TIME_LIMIT_SECONDS", 1.0)
    _hang_in_plots(monkeypatch, 60)
    out = tmp_path / "results.json"
    started = time.monotonic()
    assert cli.main(["grade", "--assignment", A1, "--out", str(out), "--plots", str(tmp_path / "plots"),
                     str(paths.SOLUTIONS / A1)]) == 0
    assert time.monotonic() - started < 30
    assert "plots: stopped after 1 s" in capfd.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["score"] == SPEC.max_score
    assert not list((tmp_path / "plots").glob(".*"))  # no half-written PNG


def test_control_without_the_limit_a_long_plot_runs_to_its_end(tmp_path, monkeypatch):
    report = engine.grade(A1, paths.SOLUTIONS / A1)
    report.runs = dict(sorted(report.runs.items())[:1])
    _hang_in_plots(monkeypatch, 2.0)
    started = time.monotonic()
    plots.write_run_plots(report, tmp_path / "plots")
    assert time.monotonic() - started >= 2.0


def test_results_written_before_the_grader_was_killed_are_kept(tmp_path, monkeypatch):
    """run_grader kills a grader over its timeout; results it had already written are used, with a note that the
    plots may be missing (the landed kit threw them away and gave every part 0)."""
    real_wait = subprocess.Popen.wait

    def late(self, timeout=None):
        real_wait(self)
        if timeout is not None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    monkeypatch.setattr(subprocess.Popen, "wait", late)
    document, reason, code, _ = run_grader(A1, paths.SOLUTIONS / A1, tmp_path, 5)
    assert code is None and reason == "" and document["score"] == SPEC.max_score


# -- memory: the grading process caps its own address space ---------------------------------------------------------
def test_the_cap_stops_a_blowup_in_the_grading_process_and_grading_still_works(tmp_path):
    """The landed grader parsed every student source in its own process. Under the cap (here 300 MB of headroom),
    the same parse of a 1 MB hostile source is a MemoryError, while grading itself, worker start-up included, is
    unaffected. The control: uncapped, the parse succeeds and takes over 300 MB."""
    source = tmp_path / "hostile.py"
    source.write_text("_PAD = [" + "0," * 500_000 + "]\n", encoding="utf-8")
    script = PEAK + textwrap.dedent(f"""
        import ast, sys
        from grader.grading import engine; from grader.core import limits, paths
        if sys.argv[1] == "capped":
            limits.cap_address_space(300 * 1024 ** 2)
        report = engine.grade("{A1}", paths.SOLUTIONS / "{A1}")
        try:
            ast.parse(open(sys.argv[2], "rb").read())
            parsed = "parsed"
        except MemoryError:
            parsed = "MemoryError"
        print(report.score == report.max_score, parsed, peak())
    """)
    outputs = {}
    for mode in ("capped", "uncapped"):
        done = subprocess.run([sys.executable, "-c", script, mode, str(source)], cwd=ROOT, env=cli_env(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs[mode] = done.stdout.split()
    assert outputs["capped"][:2] == ["True", "MemoryError"]
    assert outputs["uncapped"][:2] == ["True", "parsed"] and int(outputs["uncapped"][2]) > 300 * 1024 ** 2


def test_the_cap_is_relative_and_leaves_the_hard_limit_alone():
    script = ("import resource\nfrom grader.core import limits\nbefore = resource.getrlimit(resource.RLIMIT_AS)[1]\n"
              "cap = limits.cap_address_space(10 ** 9)\nsoft, hard = resource.getrlimit(resource.RLIMIT_AS)\n"
              "print(cap == soft, hard == before, soft - limits.address_space())")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=cli_env(), capture_output=True, text=True,
                          timeout=60)
    same, hard, room = done.stdout.split()
    assert same == hard == "True" and 0.9e9 < int(room) <= 1e9
