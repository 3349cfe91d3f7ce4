"""Run mechanical mutants against the solution on random inputs, each in a bounded child process.

``probe(mutants, jobs)`` gives one (status, detail) per mutant: ``differs`` when some draw of an edited function
returns another value, dtype or shape, raises where the solution returns (or the reverse), changes an argument in
place, or warns where the solution does not and its docstring promises no warning; ``crashes`` when it raises on
every draw the solution answers; ``hangs`` when it runs out of time; ``equivalent`` otherwise. The children run
``python benchmarks/mechanical/probe.py``, which reads its work as JSON on stdin and writes verdicts on stdout.
"""
import contextlib
import copy
import importlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DRAWS = 12
#: a mutant's whole run over its draws, in seconds
MUTANT_SECONDS = 10.0
#: the child's address space
MEMORY_BYTES = 3 * 1024 ** 3
RTOL, ATOL = 1e-9, 1e-12


class _OutOfTime(Exception):
    pass


def _alarm(signum, frame):
    raise _OutOfTime()


def _load(folder, names):
    """Import the modules ``names`` from ``folder``, fresh."""
    for name in names:
        sys.modules.pop(name, None)
    sys.path.insert(0, str(folder))
    try:
        return {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(folder))


def _call(function, args, kwargs):
    """(returned or None, exception name or '', warned, changed) of one call on copies of the arguments."""
    from grader.shipped import evaluation
    call_args, call_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    before = copy.deepcopy((args, kwargs))
    with np.errstate(all="warn"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = function(*call_args, **call_kwargs), ""
        except _OutOfTime:
            raise
        except RecursionError:
            value, error = None, "RecursionError"
        except Exception as exc:  # noqa: BLE001 - any exception is a fact about the mutant
            value, error = None, type(exc).__name__
    changed = _differs((call_args, {k: v for k, v in call_kwargs.items() if k != "rng"}),
                       (before[0], {k: v for k, v in before[1].items() if k != "rng"}), evaluation)
    return value, error, bool(caught), changed


def _differs(got, expected, evaluation):
    try:
        return evaluation.mismatch(got, expected, RTOL, ATOL) is not None
    except Exception:  # noqa: BLE001 - a value no comparison foresaw differs
        return True


def _run(modules, qualname, draws):
    module, name = qualname.split(".", 1)
    function = getattr(modules[module], name)
    return [_call(function, args, kwargs) for args, kwargs in draws]


def _verdict(qualname, solution, mutant, promises_no_warning, evaluation):
    """(status, detail) of one edited function from the two runs' results, draw by draw."""
    answered, raised, first = 0, 0, ""
    for index, ((s_value, s_error, s_warned, _), (m_value, m_error, m_warned, m_changed)) in enumerate(
            zip(solution, mutant)):
        if not s_error:
            answered += 1
            raised += bool(m_error)
        reason = ""
        if s_error or m_error:
            if s_error != m_error:
                reason = f"raises {m_error or 'nothing'} (the solution: {s_error or 'nothing'})"
        elif _differs(m_value, s_value, evaluation):
            reason = "returns another value"
        elif m_changed:
            reason = "changes an argument in place"
        elif m_warned and not s_warned and promises_no_warning:
            reason = "warns"
        if reason and not first:
            first = f"{qualname}, draw {index}: {reason}"
    if answered and raised == answered:
        return "crashes", first
    return ("differs", first) if first else ("equivalent", "")


def child(work):
    """In the child: {"assignment", "modules": {name: source}, "mutants": [mutant json]} -> [[status, detail]]."""
    sys.dont_write_bytecode = True
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    import mechanical
    from grader.shipped import evaluation
    from mechanical import inputs
    names = list(work["modules"])
    signal.signal(signal.SIGALRM, _alarm)
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="nnkit-probe-") as scratch:
        base = Path(scratch) / "solution"
        base.mkdir()
        for name, source in work["modules"].items():
            (base / f"{name}.py").write_text(source, encoding="utf-8")
        solution = _load(base, names)
        cache = {}
        for index, item in enumerate(work["mutants"]):
            mutant = mechanical.Mutant.from_json(item)
            folder = Path(scratch) / f"m{index}"
            folder.mkdir()
            for name, source in work["modules"].items():
                (folder / f"{name}.py").write_text(source, encoding="utf-8")
            for file_name, source in mutant.sources().items():
                (folder / file_name).write_text(source, encoding="utf-8")
            status, detail = "equivalent", ""
            signal.setitimer(signal.ITIMER_REAL, MUTANT_SECONDS)
            try:
                with contextlib.redirect_stdout(sys.stderr):
                    loaded = _load(folder, names)
                    found = []
                    for qualname in mutant.functions:
                        if qualname not in cache:
                            draws = inputs.draws(qualname, DRAWS)
                            cache[qualname] = (draws, _run(solution, qualname, draws))
                        draws, expected = cache[qualname]
                        module, name = qualname.split(".", 1)
                        doc = getattr(solution[module], name).__doc__ or ""
                        found.append(_verdict(qualname, expected, _run(loaded, qualname, draws),
                                              "warning" in doc, evaluation))
                signal.setitimer(signal.ITIMER_REAL, 0)
                kept = [v for v in found if v[0] != "equivalent"]
                status, detail = (("crashes" if all(v[0] == "crashes" for v in kept) else "differs"),
                                  "; ".join(v[1] for v in kept)) if kept else ("equivalent", "")
            except _OutOfTime:
                status, detail = "hangs", f"more than {MUTANT_SECONDS:g} s on its draws"
            except Exception as exc:  # noqa: BLE001 - at import: the module does not load
                signal.setitimer(signal.ITIMER_REAL, 0)
                status, detail = "crashes", f"import: {type(exc).__name__}: {exc}"
            verdicts.append([status, detail])
    return verdicts


def probe(mutants, jobs=2):
    """[(status, detail)] for each of ``mutants`` (all of one assignment or several), in order."""
    import mechanical
    by_assignment = {}
    for index, mutant in enumerate(mutants):
        by_assignment.setdefault(mutant.assignment, []).append(index)
    chunks = []
    for assignment, indices in by_assignment.items():
        spec = mechanical._spec(assignment)
        modules = {name: mechanical.module_source(assignment, name) for name in (*spec.modules, *spec.provided)}
        size = max(1, -(-len(indices) // jobs))
        for start in range(0, len(indices), size):
            chunk = indices[start:start + size]
            chunks.append((chunk, {"assignment": assignment, "modules": modules,
                                   "mutants": [mutants[i].to_json() for i in chunk]}))
    results = [None] * len(mutants)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    running = []
    pending = list(chunks)
    while pending or running:
        while pending and len(running) < jobs:
            chunk, work = pending.pop(0)
            process = subprocess.Popen([sys.executable, str(HERE / "probe.py")], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
            process.stdin.write(json.dumps(work))
            process.stdin.close()
            running.append((chunk, process))
        chunk, process = running.pop(0)
        output = process.stdout.read()
        process.wait(timeout=MUTANT_SECONDS * len(chunk) + 60)
        if process.returncode != 0:
            raise RuntimeError(f"the probe of {len(chunk)} mutants failed (exit {process.returncode})")
        for index, verdict in zip(chunk, json.loads(output)):
            results[index] = tuple(verdict)
    return results


if __name__ == "__main__":
    sys.stdout.write(json.dumps(child(json.loads(sys.stdin.read()))))
