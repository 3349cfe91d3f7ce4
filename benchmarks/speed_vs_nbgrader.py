"""How fast the kit grades Assignment 3, as ratios to plain nbgrader on the same machine, in one run.

    .venv/bin/python benchmarks/speed_vs_nbgrader.py [--students 4] [--class-size 100] [--repeat 3]
        [--only anchor cold plots autograde grade-all] [--quick]
    .venv/bin/python benchmarks/speed_vs_nbgrader.py --profile [--profile-size 6]

The anchor is plain nbgrader: a scratch course with a one-function notebook (one autograded answer cell, one
assert grade cell), ``--students`` submissions, and one ``nbgrader autograde`` of the class. Its wall time per
student is the unit every kit figure is divided by:

- ``anchor``: the anchor itself;
- ``cold``: a fresh ``python -m grader grade`` process on the complete a3_backprop solution, with the reference
  cache (``$NNKIT_REFERENCE_CACHE``) warmed by ``python -m grader references a3_backprop``, and with an empty one;
- ``plots``: the same with ``--plots DIR``, warm cache;
- ``autograde``: ``nbgrader autograde a3_backprop`` in a course folder built as ``python -m grader demo`` builds
  one, per student; and ``grade-all --jobs 2 --plots`` followed by that autograde (the reuse path);
- ``grade-all``: ``python -m grader grade-all --jobs 2`` on a class of ``--class-size``, per student.

Classes are mixed: a third complete, a third untouched stubs, a third with a real bug (the activation derivative
left out of ``hidden_delta``). Every row is timed once per round, for ``--repeat`` rounds, so a change in the
machine's load touches every row alike; each figure is the median, wall-clock, and counts only if the grades
behind it are right. It prints a markdown table and asserts nothing.

``--profile`` instead grades a few submissions in this process, as one grade-all worker does, and prints where
the time goes. docs/speed.md records a run of each.
"""
import argparse
import csv
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from grader import catalogues
from grader.adapters import demo
from grader.adapters.nbgrader.gradebook import gradebook_scores
from grader.core import paths  # noqa: E402
from grader.sandbox import accounting

ASSIGNMENT = "a3_backprop"
FIGURES = ("anchor", "cold", "plots", "autograde", "grade-all")
COMMAND_TIMEOUT = 3600
CACHE_VARIABLE = "NNKIT_REFERENCE_CACHE"
# A real bug, the one ``python -m grader demo``'s student "dev" has: hidden_delta without f'(Z).
WRONG_NUMBERS = {"backprop.py": [[".T) * f_prime(Z)", ".T)"]]}
KINDS = ("complete", "untouched", "wrong numbers")
REUSED = "reusing the results"  # what the kit's autograde logs for each student whose grade-all results it reuses


class BenchError(Exception):
    """A command the benchmark runs failed; the message says which and why, in one line."""


# -- running and timing ---------------------------------------------------------------------------------------------
def environment(**extra):
    """The kit's subprocess environment (its bin/ first on PATH, the kit importable), plus ``extra``."""
    return paths.tool_env(**{key: str(value) for key, value in extra.items()})


#: The file the sandboxes of the command being timed add their workers' CPU seconds to (grader.sandbox.accounting)
CPU_LOG = {"path": None}


def run(command, cwd, env):
    """Run ``command``; raise BenchError with the last line of its output when it fails or nbgrader logs an ERROR.
    The sandboxes it runs count their workers' CPU time into the timed row's log."""
    if CPU_LOG["path"] is not None:
        env = dict(env, **{accounting.VARIABLE: str(CPU_LOG["path"])})
    done = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=COMMAND_TIMEOUT)
    output = (done.stderr + done.stdout).strip().splitlines()
    errors = [line for line in output if "| ERROR]" in line]
    if done.returncode != 0 or errors:
        last = (errors or output or ["no output"])[-1]
        raise BenchError(f"`python {' '.join(command[1:4])} ...` exit {done.returncode}: {last.strip()[:200]}")
    return done


@dataclass
class Timer:
    """One row's measurement: ``action()`` timed once per round, after an untimed ``prepare()``, then checked by
    an untimed ``check()`` that raises BenchError when the grading behind the figure was wrong."""
    key: str
    action: Callable
    prepare: Callable = lambda: None
    check: Callable = lambda: None
    per: int = 1  # the figure is the wall time divided by this: the number of students
    jobs: int = 1  # how many students are graded at once: the student's own code is spread over as many cores
    seconds: list = field(default_factory=list)
    cpu: list = field(default_factory=list)  # the sandbox workers' CPU seconds after their start, per round
    boot: list = field(default_factory=list)  # and before it (numpy's import, the confinement), per round
    total: list = field(default_factory=list)  # the CPU seconds of the processes the round ran and waited for
    waited: bool = True  # whether those are all of the kit's processes (grade-all's pool processes are not)
    failure: str = ""
    note: str = ""  # a line for below the table, which the action may set

    def once(self, scratch):
        if self.failure:
            return
        log = scratch / f"cpu-{self.key}-{len(self.seconds)}.log"
        try:
            self.prepare()
            CPU_LOG["path"] = log
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            self.action()
            self.seconds.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            self.total.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            CPU_LOG["path"] = None
            student, boot, _ = accounting.totals(log)
            self.cpu.append(student)
            self.boot.append(boot)
            self.check()
        except (BenchError, subprocess.TimeoutExpired) as exc:
            self.failure = str(exc)
        finally:
            CPU_LOG["path"] = None

    def figure(self):
        """(median seconds per student, the student's CPU seconds per student in that round), or why there is
        none."""
        if self.failure:
            return self.failure
        middle = sorted(range(len(self.seconds)), key=self.seconds.__getitem__)[(len(self.seconds) - 1) // 2]
        kit = self.total[middle] / self.per if self.waited else None
        return self.seconds[middle] / self.per, self.cpu[middle] / self.per, kit, self.boot[middle] / self.per


def say(text):
    """Progress, on standard error, so standard output holds only the table."""
    print(text, file=sys.stderr, flush=True)


def python_m(*args):
    return [sys.executable, "-m", *args]


# -- the anchor: plain nbgrader on a one-function notebook ----------------------------------------------------
ANCHOR_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "anchor"
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
"""
ANSWER = '''def squares(n):
    """The squares of 1 to n, as a list."""
    ### BEGIN SOLUTION
    return [i * i for i in range(1, n + 1)]
    ### END SOLUTION'''
SOLVED = '''def squares(n):
    """The squares of 1 to n, as a list."""
    return [i * i for i in range(1, n + 1)]'''
TEST = "assert squares(1) == [1]\nassert squares(3) == [1, 4, 9]"


def nbgrader_cell(source, grade_id, *, solution=False, grade=False, locked=False, points=None):
    """A code cell with nbgrader metadata, as nbgrader's own test helpers and "Create Assignment" make it."""
    from nbgrader.nbgraderformat import SCHEMA_VERSION
    cell = nbformat.v4.new_code_cell(source=source)
    cell.metadata.nbgrader = {"grade": grade, "grade_id": grade_id, "locked": locked, "solution": solution,
                              "task": False, "schema_version": SCHEMA_VERSION}
    if points is not None:
        cell.metadata.nbgrader["points"] = points
    return cell


def anchor_notebook():
    """One autograded answer cell and one assert grade cell."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbgrader_cell(ANSWER, "squares", solution=True),
                      nbgrader_cell(TEST, "correct_squares", grade=True, locked=True, points=1)]
    return notebook


def anchor_course(folder, students):
    """A scratch course with its own config, exchange and gradebook; released, with ``students`` submissions
    (alternately solved and untouched) in submitted/<student>/ps1/."""
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        ANCHOR_CONFIG.format(root=str(folder), db_url=f"sqlite:///{folder / 'gradebook.db'}",
                             exchange=str(folder / "exchange")), encoding="utf-8")
    nbformat.write(anchor_notebook(), str(_mkdir(folder / "source" / "ps1") / "squares.ipynb"))
    run(python_m("nbgrader", "generate_assignment", "ps1"), folder, environment())
    released = nbformat.read(str(folder / "release" / "ps1" / "squares.ipynb"), as_version=4)
    for index in range(students):
        notebook = nbformat.from_dict(released)
        if index % 2 == 0:
            notebook.cells[0].source = SOLVED
        nbformat.write(notebook, str(_mkdir(folder / "submitted" / f"student{index:02d}" / "ps1") / "squares.ipynb"))
    return folder


def anchor_timers(scratch, students):
    """The anchor: one ``nbgrader autograde ps1`` of the whole class, per student."""
    course = anchor_course(scratch / "anchor", students)

    def check():
        scores = gradebook_scores(course, "ps1")
        totals = [sum(scores.get(f"student{i:02d}", {}).values() or [-1]) for i in range(students)]
        if totals != [1.0 - i % 2 for i in range(students)]:
            raise BenchError(f"the anchor graded wrongly: totals {totals}")
    return [Timer("anchor", lambda: run(python_m("nbgrader", "autograde", "ps1"), course, environment()),
                  prepare=lambda: _remove(course / "autograded"), check=check, per=students)]


# -- the kit's classes ----------------------------------------------------------------------------------------------
def recipe(index):
    """The demo-style recipe of student ``index``: complete, untouched or wrong numbers, in turn."""
    kind = KINDS[index % len(KINDS)]
    base = {"id": f"s{index:03d}", "about": kind, "base": "stub" if kind == "untouched" else "solution"}
    return dict(base, edits=WRONG_NUMBERS) if kind == "wrong numbers" else base


def build_class(submitted, size, release):
    """``submitted/<student>/a3_backprop/`` for ``size`` mixed students, built by grader.adapters.demo from ``release``."""
    for index in range(size):
        student = recipe(index)
        demo.build_student(student, ASSIGNMENT, release, submitted / student["id"] / ASSIGNMENT)
    return submitted


def kit_course(folder, students):
    """A course folder as the demo makes it, generated, with ``students`` mixed submissions in submitted/."""
    course = demo.make_course(folder, ASSIGNMENT)
    run(python_m("nbgrader", "generate_assignment", ASSIGNMENT), course, environment())
    build_class(course / "submitted", students, course / "release" / ASSIGNMENT)
    return course


# -- the reference cache --------------------------------------------------------------------------------------------
def warm_cache(folder):
    """Build the reference cache in ``folder`` with ``grader references``, then warm everything else with one
    untimed grade. Returns '' or why the references command could not run (then the warm-up is only the grade)."""
    folder.mkdir(parents=True, exist_ok=True)
    note = ""
    try:
        run(python_m("grader", "references", ASSIGNMENT), ROOT, environment(**{CACHE_VARIABLE: folder}))
    except BenchError as exc:
        note = f"`grader references` could not run, so only one grade warmed the warm cache: {exc}"
    try:
        grade_once(folder, folder.parent / "warm-up.json")
    except BenchError as exc:
        note = f"the warm-up grade failed: {exc}"
    return note


def grade_once(cache, out, plots=None):
    command = python_m("grader", "grade", "--assignment", ASSIGNMENT, "--out", str(out))
    command += ["--plots", str(plots)] if plots else []
    run(command + [str(paths.SOLUTIONS / ASSIGNMENT)], ROOT, environment(**{CACHE_VARIABLE: cache}))


def cold_timers(scratch, cache):
    """A fresh grade process with the warm cache, and with a new empty cache each time."""
    empty = lambda: tempfile.mkdtemp(prefix="empty-cache-", dir=scratch)  # noqa: E731
    return [Timer("cold-warm", lambda: grade_once(cache, scratch / "cold.json")),
            Timer("cold-empty", lambda: grade_once(empty(), scratch / "cold.json"))]


def plots_timers(scratch, cache):
    plots = scratch / "plots"
    return [Timer("plots", lambda: grade_once(cache, scratch / "plots.json", plots), prepare=lambda: _remove(plots))]


# -- nbgrader autograde with the kit --------------------------------------------------------------------------------
def grade_all_takes_plots():
    """Whether this checkout's grade-all accepts --plots (the reuse path), from its --help."""
    done = subprocess.run(python_m("grader", "grade-all", "--help"), cwd=ROOT, env=environment(),
                          capture_output=True, text=True)
    return "--plots" in done.stdout


def autograde_timers(scratch, cache, students):
    """The kit's nbgrader autograde alone, and after grade-all (the reuse path), per student."""
    course = kit_course(scratch / "kit-course", students)
    env = environment(**{CACHE_VARIABLE: cache})
    autograde = python_m("nbgrader", "autograde", ASSIGNMENT)
    grade_all = python_m("grader", "grade-all", "--assignment", ASSIGNMENT, "--jobs", "2", "submitted")
    grade_all += ["--plots"] if grade_all_takes_plots() else []

    def fresh():  # nothing graded yet: no autograded/, no grade-all results to reuse
        for name in ("autograded", "graded", "grades.csv"):
            _remove(course / name)

    def check():
        check_class(gradebook_totals(course, students), "nbgrader autograde")

    def reuse():
        run(grade_all, course, env)
        log = run(autograde, course, env)
        reused = sum(REUSED in line for line in (log.stdout + log.stderr).splitlines())
        timers[1].note = f"In the reuse row, nbgrader autograde reused grade-all's results for {reused} of " \
                         f"{students} students."
    timers = [Timer("autograde", lambda: run(autograde, course, env), prepare=fresh, check=check, per=students),
              Timer("reuse", reuse, prepare=fresh, check=check, per=students, waited=False)]
    return timers


def gradebook_totals(course, students):
    """Each student's total in the course's gradebook, in class order (None: a part without a grade)."""
    scores = gradebook_scores(course, ASSIGNMENT)
    parts = [part.key for part in catalogues.load(ASSIGNMENT).parts]
    totals = []
    for index in range(students):
        row = scores.get(recipe(index)["id"], {})
        totals.append(None if any(row.get(key) is None for key in parts) else sum(row[key] for key in parts))
    return totals


# -- grade-all on a class -------------------------------------------------------------------------------------------
def grade_all_timers(scratch, cache, size):
    """grade-all --jobs 2 on a mixed class, per student, into a fresh results folder each time."""
    submitted = build_class(scratch / "class" / "submitted", size, paths.ASSIGNMENTS / ASSIGNMENT)
    out = scratch / "class" / "out"
    command = python_m("grader", "grade-all", "--assignment", ASSIGNMENT, "--jobs", "2", "--csv",
                       str(out / "grades.csv"), "--results-dir", str(out / "results"), str(submitted))
    env = environment(**{CACHE_VARIABLE: cache})

    def check():
        with open(out / "grades.csv", encoding="utf-8") as handle:
            totals = {row["student"]: float(row["total"]) for row in csv.DictReader(handle)}
        check_class([totals.get(recipe(index)["id"]) for index in range(size)], "grade-all")
    return [Timer("grade-all", lambda: run(command, ROOT, env), prepare=lambda: _remove(out), check=check, per=size,
                  jobs=2, waited=False)]


def check_class(totals, what):
    """Raise BenchError unless the complete students got full marks, the untouched 0 and the buggy ones less than
    full: a figure only counts when the grading behind it was right."""
    full = catalogues.load(ASSIGNMENT).max_score
    for index, total in enumerate(totals):
        kind = recipe(index)["about"]
        right = {"complete": total == full, "untouched": total == 0}.get(kind, total is not None and 0 < total < full)
        if total is None or not right:
            raise BenchError(f"{what} graded {recipe(index)['id']} ({kind}) {total} of {full:g}")


# -- the table ------------------------------------------------------------------------------------------------------
# key: (figure, what, goal: a ratio to the anchor, or ("overhead", seconds) of the kit's overhead, or None)
ROWS = (
    ("anchor", "anchor", "plain nbgrader autograde, one-function notebook, per student ({students} students)", None),
    ("autograde", "autograde", "the kit's `nbgrader autograde`, per student ({students} students)", 1.0),
    ("plots", "plots", "`grade --plots DIR`, cold process, warm cache", 0.6),
    ("cold-warm", "cold", "`grade`, cold process, warm cache", 0.4),
    ("cold-empty", "cold", "`grade`, cold process, empty cache", 0.4),
    ("grade-all", "grade-all", "`grade-all --jobs 2`, per student ({size} students)", ("overhead", 0.05)),
    ("reuse", "autograde", "`grade-all --jobs 2{plots}`, then `nbgrader autograde`, per student", 1.0),
)
GOAL_TEXT = {1.0: "≤ 1", 0.6: "≤ 0.6", 0.4: "≤ 0.4"}
HEADER = ["| what | goal | seconds | ratio to nbgrader | student CPU s | kit overhead s | kit CPU s | all CPU s | CPU ratio "
          "| met? |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def machine_line():
    import nbgrader
    import numpy
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"Machine: {model}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, nbgrader {nbgrader.__version__}")


def overhead(figure, jobs):
    """The kit's overhead per student: the wall seconds less the student's own CPU seconds, spread over ``jobs``
    cores when that many students are graded at once."""
    seconds, cpu = figure[:2]
    return seconds - cpu / jobs


def goal_text(goal):
    if goal is None:
        return "(the anchor)"
    if isinstance(goal, tuple):
        return f"overhead ≤ {goal[1]:g} s"
    return GOAL_TEXT[goal]


def markdown_table(figures, selected, labels, jobs):
    """The table: one row per selected figure; seconds or the reason it failed; ratio to the anchor's figure; the
    student's CPU seconds and the kit's overhead (``overhead``); whether the goal is met."""
    anchor = figures.get("anchor")
    anchor, anchor_cpu = anchor[::2] if isinstance(anchor, tuple) else (None, None)
    anchor_cpu = anchor_cpu if anchor_cpu else None
    lines = list(HEADER)
    for key, figure, what, goal in ROWS:
        if figure not in selected:
            continue
        value = figures.get(key)
        if isinstance(value, tuple):
            seconds, cpu = f"{value[0]:.2f}", "-" if goal is None else f"{value[1]:.2f}"
            extra = "-" if goal is None else f"{overhead(value, jobs.get(key, 1)):.2f}"
            kit = "-" if value[2] is None else f"{value[2]:.2f}"
            every = None if value[2] is None else value[2] + (0 if goal is None else value[1] + value[3])
            total = "-" if every is None else f"{every:.2f}"
            cpu_ratio = "1" if goal is None else (f"{every / anchor_cpu:.2f}" if anchor_cpu and every else "-")
            kit = "-" if goal is None else kit
            ratio = "1" if goal is None else (f"{value[0] / anchor:.2f}" if anchor else "-")
            if goal is None:
                met = "-"
            elif isinstance(goal, tuple):
                met = "yes" if overhead(value, jobs.get(key, 1)) <= goal[1] else "no"
            else:
                met = "-" if anchor is None else ("yes" if value[0] / anchor <= goal else "no")
        else:
            seconds, ratio, cpu, extra, kit, total, cpu_ratio, met = f"failed: {value}", *"-------"
        lines.append(f"| {what.format(**labels)} | {goal_text(goal)} | {seconds} | {ratio} | {cpu} | {extra} | {kit} "
                     f"| {total} | {cpu_ratio} | {met} |")
    return "\n".join(lines)


def measure(args, scratch):
    """{row key: seconds per student, or the one-line reason it failed}, and notes for below the table.

    The figures are measured in rounds, each round timing every row once, so a change in the machine's load
    during the run touches every row alike; each figure is the median over the rounds."""
    cache, notes = scratch / "reference-cache", []
    if set(args.only) - {"anchor"}:
        say("warming the reference cache ...")
        note = warm_cache(cache)
        if note:
            notes.append(note)
    setups = {"anchor": lambda: anchor_timers(scratch, args.students),
              "cold": lambda: cold_timers(scratch, cache),
              "plots": lambda: plots_timers(scratch, cache),
              "autograde": lambda: autograde_timers(scratch, cache, args.students),
              "grade-all": lambda: grade_all_timers(scratch, cache, args.class_size)}
    timers, figures = [], {}
    for name in (name for name in FIGURES if name in args.only):
        say(f"setting up {name} ...")
        try:
            timers += setups[name]()
        except (BenchError, subprocess.TimeoutExpired, demo.DemoError) as exc:
            figures.update({key: str(exc) for key, figure, _, _ in ROWS if figure == name})
    for round_number in range(1, args.repeat + 1):
        for timer in timers:
            timer.once(scratch)
            done = f"failed: {timer.failure}" if timer.failure else f"{timer.seconds[-1]:.1f} s"
            say(f"  round {round_number}/{args.repeat}: {timer.key} {done}")
    figures.update({timer.key: timer.figure() for timer in timers})
    jobs = {timer.key: timer.jobs for timer in timers}
    boots = [f"{timer.key} {statistics.median(timer.boot) / timer.per:.3f}" for timer in timers
             if timer.boot and not timer.failure]
    if boots:
        notes.append("CPU seconds per student of the sandbox workers' own start (numpy's import and the confinement, "
                     "part of the overhead; medians): " + "; ".join(boots) + ".")
    spread = [f"{timer.key} {min(timer.seconds) / timer.per:.2f}–{max(timer.seconds) / timer.per:.2f}"
              for timer in timers if len(timer.seconds) > 1 and not timer.failure]
    if spread:
        notes.append("The rounds ranged (seconds, per student where the row is): " + "; ".join(spread) + ".")
    return figures, jobs, notes + [timer.note for timer in timers if timer.note]


# -- --profile: where grade-all's time per submission goes ----------------------------------------------------------
class PhaseClock:
    """Exclusive wall time per phase: a wrapped call's time, less that of the wrapped calls inside it. Everything
    inside a worker start-up counts as start-up."""

    def __init__(self):
        self.totals = {}
        self.calls = {}
        self.stack = []
        self.student = 0.0

    def wrap(self, function, phase):
        def timed(*args, **kwargs):
            if self.stack and self.stack[-1][0] == "start-up":
                return function(*args, **kwargs)
            self.stack.append([phase, 0.0])
            self.calls[phase] = self.calls.get(phase, 0) + 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                _, inner = self.stack.pop()
                self.totals[phase] = self.totals.get(phase, 0.0) + elapsed - inner
                if self.stack:
                    self.stack[-1][1] += elapsed
        return timed

    def count_student_time(self, call):
        """Wrap Sandbox.call to add up the seconds the worker measured around each student function."""
        def counted(*args, **kwargs):
            outcome = call(*args, **kwargs)
            self.student += outcome.seconds if outcome.ok else 0.0
            return outcome
        return counted


def instrument(clock):
    """Wrap the grader's phases in ``clock``; return a function that undoes it."""
    import types
    from grader.shipped import evaluation
    from grader.grading import reference_cache
    from grader.core import references
    from grader.sandbox import runner
    from grader.shipped import wire
    proxy = types.ModuleType("wire")  # the runner's view of wire, so encode's own recursion stays unwrapped
    proxy.__dict__.update(vars(wire))
    for name in ("encode", "decode", "write_message", "header_length"):
        setattr(proxy, name, clock.wrap(getattr(wire, name), "wire"))
    saved = [(runner, "wire"), (runner.Sandbox, "_start"), (runner.Sandbox, "_read_exact"),
             (runner.Sandbox, "_write_all"), (runner.Sandbox, "_receive"), (runner.Sandbox, "call"),
             (evaluation, "judge"), (references, "expected"), (references, "variant_outputs"),
             (references, "modules"), (reference_cache.References, "load"), (reference_cache.References, "outputs")]
    saved = [(owner, name, owner.__dict__[name]) for owner, name in saved]
    runner.wire = proxy
    runner.Sandbox._start = clock.wrap(runner.Sandbox._start, "start-up")
    runner.Sandbox._read_exact = clock.wrap(runner.Sandbox._read_exact, "waiting")
    runner.Sandbox._write_all = clock.wrap(runner.Sandbox._write_all, "wire")
    runner.Sandbox._receive = clock.wrap(runner.Sandbox._receive, "wire")  # less _read_exact: the JSON parse
    runner.Sandbox.call = clock.count_student_time(runner.Sandbox.call)
    evaluation.judge = clock.wrap(evaluation.judge, "judging")
    for owner, name in ((references, "expected"), (references, "variant_outputs"), (references, "modules"),
                        (reference_cache.References, "load"), (reference_cache.References, "outputs")):
        setattr(owner, name, clock.wrap(getattr(owner, name), "references"))

    def undo():
        for owner, name, value in saved:
            setattr(owner, name, value)
    return undo


def start_seconds(layers):
    """The wall time of starting one sandbox worker (to its ready message) with these confinement layers."""
    from grader.sandbox import runner
    saved, runner.LAYERS = runner.LAYERS, tuple(layers)
    try:
        with runner.Sandbox({}) as sandbox:
            started = time.perf_counter()
            sandbox._start(runner.START_TIMEOUT)
            return time.perf_counter() - started
    finally:
        runner.LAYERS = saved


def start_costs(count=15):
    """Median worker start-up seconds (confined, unconfined), measured in alternation so load drift cancels."""
    from grader.sandbox import runner
    pairs = [(start_seconds(runner.LAYERS), start_seconds(())) for _ in range(count)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def profile(size):
    """Grade ``size`` mixed submissions in this process, as one grade-all worker does, and print each phase's
    seconds per submission and share. The reference cache is built first, untimed, as grade-all's parent does."""
    from grader import catalogues
    from grader.grading import engine, reference_cache
    from grader.core import references
    from grader.sandbox import ahead, runner
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-profile-"))
    os.environ[CACHE_VARIABLE] = str(scratch / "reference-cache")
    try:
        build_class(scratch / "class", size, paths.ASSIGNMENTS / ASSIGNMENT)
        folders = [scratch / "class" / recipe(i)["id"] / ASSIGNMENT for i in range(size)]
        assignment = catalogues.load(ASSIGNMENT)
        reference_cache.load_or_build(assignment)
        references.modules.cache_clear()  # a worker process imports the solutions itself
        clock = PhaseClock()
        undo = instrument(clock)
        started = time.perf_counter()
        try:
            references.modules(assignment)  # what batch._warm does once per worker process
            reference_cache.for_assignment(ASSIGNMENT).load()
            ahead.keep()  # as batch._warm: each worker starts ahead, while the submission before runs
            for folder in folders:
                engine.grade(ASSIGNMENT, folder)
        finally:
            total = time.perf_counter() - started
            ahead.keep(False)
            undo()
        confined, bare = start_costs()
        print(profile_table(clock, total, confined, bare, size))
        print("\nConfinement layers: " + ", ".join(f"{k} {v}" for k, v in sorted(runner.probe_layers().items())))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def profile_table(clock, total, confined, bare, size):
    totals, starts = dict(clock.totals), clock.calls.get("start-up", 0)
    confinement = min(totals.get("start-up", 0.0), starts * max(confined - bare, 0.0))
    waiting = totals.get("waiting", 0.0)
    rows = [
        ("waiting for worker starts (`Sandbox._start`, less confinement; started ahead)",
         totals.get("start-up", 0.0) - confinement),
        ("confinement (estimated: starts × (confined − unconfined start))", confinement),
        ("wire encoding/decoding and pipe writes, grader side", totals.get("wire", 0.0)),
        ("student code, as the worker timed each call", min(clock.student, waiting)),
        ("rest of waiting for the worker (imports, its own encoding)", max(waiting - clock.student, 0.0)),
        ("judging (`grader.shipped.evaluation.judge`)", totals.get("judging", 0.0)),
        ("reference outputs (`grader.core.references`, the cache read and decoded)", totals.get("references", 0.0)),
    ]
    rows.append(("the rest (staging, the engine's loop, scoring)", total - sum(seconds for _, seconds in rows)))
    lines = [f"Where grade-all's time goes: {size} mixed {ASSIGNMENT} submissions graded in one process "
             f"({total:.2f} s, {total / size:.3f} s each; {starts} worker starts; a worker starts in "
             f"{confined * 1000:.0f} ms confined, {bare * 1000:.0f} ms unconfined)", "",
             "| phase | seconds per submission | share |", "| --- | --- | --- |"]
    lines += [f"| {name} | {seconds / size:.3f} | {100 * seconds / total:.0f}% |" for name, seconds in rows]
    return "\n".join(lines)


# -- main -----------------------------------------------------------------------------------------------------------
def _mkdir(folder):
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=None, help="anchor and autograde class size (default 4)")
    parser.add_argument("--class-size", type=int, default=None, help="grade-all class size (default 100)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds; each figure is the median (default 3)")
    parser.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES), metavar="NAME",
                        help=f"measure only these: {', '.join(FIGURES)}")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 students, a class of 6, one round")
    parser.add_argument("--profile", action="store_true", help="print where grade-all's time goes instead")
    parser.add_argument("--profile-size", type=int, default=6, help="submissions graded by --profile (default 6)")
    args = parser.parse_args(argv)
    quick = {"students": 2, "class_size": 6, "repeat": 1} if args.quick else {}
    for name, default in (("students", 4), ("class_size", 100), ("repeat", 3)):
        if getattr(args, name) is None:
            setattr(args, name, quick.get(name, default))
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.profile_size < 1:
        parser.error("--profile-size must be at least 1")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.profile:
        profile(args.profile_size)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-speed-"))
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    try:
        figures, jobs, notes = measure(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    labels = {"students": args.students, "size": args.class_size,
              "plots": " --plots" if "autograde" in args.only and grade_all_takes_plots() else ""}
    print(machine_line())
    print()
    print(markdown_table(figures, args.only, labels, jobs))
    print("\nThe student's CPU is what the sandbox workers ran after their start, by the kernel's count (the "
          "student's code, the import of their modules, the encoding of their values); the kit's overhead is the "
          "wall time less that CPU (for grade-all, less that CPU spread over its 2 jobs). Kit CPU is the user and "
          "system time of the processes the row ran and waited for (nbgrader, the grader, the helper, the plots), "
          "not the sandbox workers; it is '-' where grade-all's pool processes, which are not waited for, are in "
          "the row. All CPU adds the workers' (the student's and their starts); unlike the wall time it hardly "
          "moves with the machine's load; its ratio is to the anchor's, whose kernel is waited for.")
    for note in notes:
        print(f"\nNote: {note}")
    print(f"\nLoad average (1 min) {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end.")
    command = " ".join(["python benchmarks/speed_vs_nbgrader.py", shlex.join(argv)]).rstrip()
    print(f"\nPrinted by `{command}` in {time.perf_counter() - started:.0f} s; each figure is the median of "
          f"{args.repeat} round(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
