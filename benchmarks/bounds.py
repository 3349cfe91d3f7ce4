"""The figures the grader's own bounds were chosen from, and what the hostile inputs of tests/test_bounded.py cost.

    .venv/bin/python benchmarks/bounds.py [--skip-slow]

Prints tables; asserts nothing. docs/security.md quotes them.
- the a3 solution: grading, plotting and matplotlib's import, in seconds, and the grader's address space;
- the largest answer a solution sends from the worker, per assignment (bytes, and values as wire counts them);
- each hostile input graded by the real CLI (`grade --out ... --plots ...`, as GradeWithKit runs it): wall time,
  the results file's size, and the peak resident memory of the grader and its worker. With --skip-slow, the
  submission that stalls under every limit (about 30 s: the budget) is left out.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import catalogues
from grader.grading import engine
from grader.core import paths  # noqa: E402
from grader.sandbox import runner
from grader.shipped import wire  # noqa: E402

A1, A3 = "a1_neuron_gd", "a3_backprop"
HUGE_CLASS = "    return type('C' * 4_000_000, (), {})()\n"  # the returned object's class has a 4 MB name
# A peak resident set that includes the children: a small wrapper runs the command and reports its children's peak.
WRAPPER = ("import resource, subprocess, sys\ncode = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.DEVNULL).returncode\nprint(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def status(field):
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith(f"{field}:"))


def a3_figures():
    print("a3 solution, in this process")
    started = time.perf_counter()
    report = engine.grade(A3, paths.SOLUTIONS / A3)
    grading = time.perf_counter() - started
    started = time.perf_counter()
    from grader.reports import plots
    importing = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        drawn = plots.write_run_plots(report, folder)
        drawing = time.perf_counter() - started
    print(f"  grading {grading:.2f} s ({report.score:g} / {report.max_score:g}); matplotlib import {importing:.2f} s;"
          f" {len(drawn)} plots {drawing:.2f} s")
    print(f"  address space now {status('VmSize') / 2 ** 20:.0f} MB, at most {status('VmPeak') / 2 ** 20:.0f} MB;"
          f" resident at most {status('VmHWM') / 2 ** 20:.0f} MB")


def answers():
    print("largest answer from the worker, per solution")
    sizes = []
    read_exact, original = runner.Sandbox._read_exact, runner.Sandbox._receive

    def receive(self, deadline):
        length = wire.header_length(read_exact(self, wire.HEADER_SIZE, deadline), wire.MAX_ANSWER_BYTES)
        payload = read_exact(self, length, deadline)
        sizes.append((length, payload.count(b",") + payload.count(b"[") + payload.count(b"{")))
        return wire.load_answer(payload)

    runner.Sandbox._receive = receive
    try:
        for name in catalogues.names():
            sizes.clear()
            engine.grade(name, paths.SOLUTIONS / name)
            print(f"  {name:<14} {len(sizes):>3} answers: at most {max(s[0] for s in sizes):>7} bytes,"
                  f" {max(s[1] for s in sizes):>3} values; limits {wire.MAX_ANSWER_BYTES} bytes,"
                  f" {wire.MAX_ANSWER_ITEMS} values")
    finally:
        runner.Sandbox._receive = original


def solution_with(edits):
    """A temporary copy of the A1 solution, with ``edits`` ({module: text -> text}) applied."""
    folder = Path(tempfile.mkdtemp(prefix="nnkit-bounds-"))
    for name in catalogues.load(A1).modules:
        text = (paths.SOLUTIONS / A1 / f"{name}.py").read_text(encoding="utf-8")
        (folder / f"{name}.py").write_text(edits.get(name, str)(text), encoding="utf-8")
    return folder


def stalling(text):
    text = re.sub(r"^(\s*)(### BEGIN SOLUTION.*)$", r"\1\2\n\1_stall()", text, flags=re.M)
    head = ("import sys as _sys, time as _time\n_time.sleep(9.7)\n\ndef _stall():\n"
            "    if _sys._getframe(2).f_code.co_filename.endswith('worker.py'):\n        _time.sleep(4.7)\n")
    return text.replace("import numpy as np\n", "import numpy as np\n" + head, 1)


def hostile(skip_slow):
    anchor = next(line for line in (paths.SOLUTIONS / A1 / "gradient_descent.py").read_text().splitlines(True)
                  if "### BEGIN SOLUTION" in line and "record theta" in line)
    cases = [
        ("the A1 solution", {}),
        ("a 4 MB class name (batch_gradient_descent)",
         {"gradient_descent": lambda text: text.replace(anchor, anchor + HUGE_CLASS)}),
        ("a 3 MB string literal (gradient_descent.py)",
         {"gradient_descent": lambda text: text + "\n_PAD = '" + "x" * 3_000_000 + "'\n"}),
        ("2.6 MB of '0,' (gradient_descent.py)",
         {"gradient_descent": lambda text: text + "\n_PAD = [" + "0," * 1_300_000 + "]\n"}),
    ]
    if not skip_slow:
        cases += [("stalls under every limit (both modules)", {"neuron": stalling, "gradient_descent": stalling})]
    print("hostile inputs, graded by `python -m grader grade --out ... --plots ...` (default budget)")
    print(f"  {'submission':<46} {'wall':>7} {'results':>10} {'peak RSS':>9} {'score':>6}")
    for label, edits in cases:
        folder = solution_with(edits)
        out = folder / "out" / "results.json"
        command = [sys.executable, "-m", "grader", "grade", "--assignment", A1, "--out", str(out), "--plots",
                   str(folder / "out" / "plots"), str(folder)]
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", WRAPPER, *command], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        code, peak = (int(x) for x in done.stdout.split())
        size = out.stat().st_size if out.is_file() else 0
        score = json.loads(out.read_text(encoding="utf-8"))["score"] if size else float("nan")
        print(f"  {label:<46} {wall:>6.1f}s {size:>9,}B {peak / 1024:>7.0f}MB {score:>6g}"
              + ("" if code == 0 else f"  (exit {code})"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()
    a3_figures()
    answers()
    hostile(args.skip_slow)


if __name__ == "__main__":
    main()
