"""How fast the grader is: one submission, in-process and through the CLI, and a class through grade-all.

    .venv/bin/python benchmarks/grading_speed.py [--class-size 100] [--jobs 2] [--repeat 3] [--assignments a1_neuron_gd]
    .venv/bin/python benchmarks/grading_speed.py --profile a1_neuron_gd

Prints tables; asserts nothing. Targets: about 1 s per submission, and under 40 s for a class of 100 with --jobs 2
on a 2-core machine. Each figure is the median of --repeat runs, wall-clock.
"""
import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
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
from grader.sandbox import runner  # noqa: E402

TARGET_ONE = 1.0
TARGET_CLASS = 40.0


def environment():
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    return env


def gradeable(name):
    """The two folders to grade, (solution, stubs), or None with the reason this assignment cannot be graded yet."""
    spec = catalogues.load(name)
    folders = (paths.SOLUTIONS / name, paths.ASSIGNMENTS / name)
    needed = [folder / f"{module}.py" for folder in folders for module in spec.modules]
    needed += [paths.ASSIGNMENTS / name / f"{module}.py" for module in spec.provided]
    missing = [str(path.relative_to(ROOT)) for path in needed if not path.is_file()]
    return (folders, "") if not missing else (None, f"missing {missing[0]}")


def timed(function, repeat):
    seconds = []
    value = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), value


def cli_grade(name, folder, out):
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "--assignment", name, "--out", str(out),
                           str(folder)], cwd=ROOT, env=environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])


def one_submission(names, repeat, scratch):
    rows = []
    for name in names:
        folders, reason = gradeable(name)
        if folders is None:
            rows.append((name, "-", "-", "-", "-", "-", f"skipped: {reason}"))
            continue
        for label, folder in zip(("solution", "stubs"), folders):
            started = time.perf_counter()
            report = engine.grade(name, folder)  # the first call also computes the expected values
            cold = time.perf_counter() - started
            warm, _ = timed(lambda: engine.grade(name, folder), repeat)
            cli, _ = timed(lambda: cli_grade(name, folder, scratch / "results.json"), repeat)
            note = "" if max(warm, cli) <= TARGET_ONE else f"over the {TARGET_ONE:g} s target"
            rows.append((name, label, f"{report.score:g}/{report.max_score:g}", f"{cold:.2f}", f"{warm:.2f}",
                         f"{cli:.2f}", note))
    return rows


def build_class(name, size, folder):
    (solution, stubs), _ = gradeable(name)
    spec = catalogues.load(name)
    for index in range(size):
        source = solution if index % 2 == 0 else stubs
        target = folder / f"student{index:03d}" / name
        target.mkdir(parents=True)
        for module in spec.modules:
            shutil.copyfile(source / f"{module}.py", target / f"{module}.py")


def whole_class(names, size, jobs, scratch):
    rows = []
    for name in names:
        if gradeable(name)[0] is None:
            continue
        submitted = scratch / f"class-{name}"
        build_class(name, size, submitted)
        out = scratch / f"out-{name}"
        command = [sys.executable, "-m", "grader", "grade-all", "--assignment", name, "--jobs", str(jobs),
                   "--csv", str(out / "grades.csv"), "--results-dir", str(out / "results"), str(submitted)]
        for label in ("first run", "second run (all unchanged)"):
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, env=environment(), capture_output=True, text=True)
            seconds = time.perf_counter() - started
            status = "ok" if done.returncode == 0 else f"exit {done.returncode}"
            note = "" if label != "first run" or seconds <= TARGET_CLASS else f"over the {TARGET_CLASS:g} s target"
            rows.append((name, label, str(size), str(jobs), f"{seconds:.1f}", f"{seconds / size:.3f}",
                         f"{status}  {note}".rstrip()))
    return rows


def table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [headers, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


def profile(name):
    (solution, _), _ = gradeable(name)
    engine.grade(name, solution)  # warm the reference cache, as grade-all's workers are
    profiler = cProfile.Profile()
    profiler.enable()
    engine.grade(name, solution)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(20)
    print(stream.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignments", nargs="*", default=None, help="default: every assignment in the catalogue")
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", metavar="ASSIGNMENT", help="print a cProfile of one warm engine.grade instead")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    names = args.assignments or catalogues.names()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; sandbox layers: "
          + ", ".join(f"{key} {value}" for key, value in runner.probe_layers().items()))
    scratch = Path(tempfile.mkdtemp(prefix="nnkit-bench-"))
    try:
        print("\nOne submission (seconds; median of %d; 'cold' includes computing the expected values)" % args.repeat)
        print(table(("assignment", "submission", "score", "engine cold", "engine warm", "CLI", "note"),
                    one_submission(names, args.repeat, scratch)))
        if args.class_size > 0:
            print(f"\ngrade-all on a synthetic class (half solutions, half stubs), --jobs {args.jobs}")
            print(table(("assignment", "run", "students", "jobs", "seconds", "s/student", "status"),
                        whole_class(names, args.class_size, args.jobs, scratch)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
