"""Whether a diagnosis the grader gave a mechanical mutant holds: the named variant reproduces the mutant's output.

For each failing case that the grader diagnosed with a catalogue misconception, the mutant's function is called
again on the case's arguments, in a child process (``python benchmarks/mechanical/replay.py``), and its output is
compared with what the misconception's variant computes there (from the reference cache), within the check's
tolerance. For a variant that raises, the grader's test (the same exception, with the words the catalogue names) is
not enough: the same exception alone says little (``A * W`` and ``b[:, None]`` both fail to broadcast), so the
variant is run on the case here and the mutant must raise the same exception with the same message
(``evaluation.same_failure``: a product of mismatched sizes may say them in ``np.dot``'s words or ``@``'s). The
evaluation's own diagnoses are checked by their fact: ``in_place``, that the call changed an argument. Any other key (a relation, say) is 'unchecked' here,
and left to the table of hints that the benchmark writes for a person to read.

As in a unit part of the engine, the function runs with the solution's code for every other function: only its own
edits are applied. An integrated part runs the whole mutant.
"""
import contextlib
import copy
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SECONDS = 60.0
MEMORY_BYTES = 3 * 1024 ** 3
HOLDS, FAILS, UNCHECKED = "holds", "fails", "unchecked"


def _alarm(signum, frame):
    raise TimeoutError("replay ran out of time")


def _raised(misconception, ref, case):
    """(exception name, message) that the misconception's variant raises on the case, or None."""
    try:
        misconception.variant(ref, *copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except Exception as exc:  # noqa: BLE001 - the variant's failure is the fact compared
        return type(exc).__name__, str(exc)
    return None


def _reproduced(check, key, got, error, detail, changed, stored, evaluation, raised=()):
    """HOLDS, FAILS or UNCHECKED for one case's diagnosis ``key``; ``raised`` holds what the variants of ``key``
    that raise raise on the case, (name, message) each."""
    if key == evaluation.IN_PLACE:
        return HOLDS if changed else FAILS
    outputs = [output for variant_key, _, output in stored if variant_key == key]
    if not outputs:
        return UNCHECKED
    if error and any(r and evaluation.same_failure(error, detail, *r) for r in raised):
        return HOLDS
    rtol = check.options.get("rtol", evaluation.RTOL)
    atol = check.options.get("atol", evaluation.ATOL)
    if check.kind == "converge":
        rtol = atol = float("inf")
    for output in outputs:
        if output is not None and not isinstance(output, evaluation.Raised) and not error:
            try:
                if evaluation.mismatch(got, output, rtol, atol) is None:
                    return HOLDS
            except Exception:  # noqa: BLE001 - a value no comparison foresaw does not reproduce
                pass
    return FAILS


def child(work):
    """{"mutant": json, "cases": [[part, check index, case index, key], ...]} -> [verdict, ...]."""
    sys.dont_write_bytecode = True
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    import numpy as np

    import mechanical
    from grader import catalogues
    from grader.core import references
    from grader.grading import reference_cache
    from grader.shipped import evaluation
    from mechanical import probe
    mutant = mechanical.Mutant.from_json(work["mutant"])
    spec = catalogues.load(mutant.assignment)
    stored = reference_cache.for_assignment(mutant.assignment)
    names = [*spec.modules, *spec.provided]
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    verdicts, loaded = [], {}
    ref = references.modules(spec)
    with tempfile.TemporaryDirectory(prefix="nnkit-replay-") as scratch:
        for part_key, check_index, case_index, key in work["cases"]:
            part = spec.part(part_key)
            check = part.checks[check_index]
            case = check.cases[case_index]
            own = mechanical.Mutant(mutant.assignment, tuple(e for e in mutant.edits if e.qualname == check.function))
            version = mutant if part.integrated or not own.edits else own
            if version.key not in loaded:
                folder = Path(scratch) / f"v{len(loaded)}"
                folder.mkdir()
                for name in names:
                    (folder / f"{name}.py").write_text(mechanical.module_source(mutant.assignment, name),
                                                       encoding="utf-8")
                for file_name, source in version.sources().items():
                    (folder / file_name).write_text(source, encoding="utf-8")
                loaded[version.key] = probe._load(folder, names)
            function = getattr(loaded[version.key][check.module], check.name)
            args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
            got, error, detail = None, "", ""
            with contextlib.redirect_stdout(sys.stderr), np.errstate(all="ignore"):
                try:
                    got = function(*args, **kwargs)
                except TimeoutError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the mutant's own failure is the fact compared
                    error, detail = type(exc).__name__, str(exc)
            changed = probe._differs((args, kwargs), (case.args, case.kwargs), evaluation)
            _, variants = stored.outputs(part_key, check_index, case_index)
            raised = [_raised(m, ref, case) for m in check.misconceptions if m.key == key and m.raises]
            verdicts.append(_reproduced(check, key, got, error, detail, changed, variants, evaluation, raised))
    return verdicts


def replay(mutant, cases):
    """[HOLDS | FAILS | UNCHECKED] for each (part key, check index, case index, diagnosis key) of ``cases``."""
    if not cases:
        return []
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, str(HERE / "replay.py")], input=json.dumps(
        {"mutant": mutant.to_json(), "cases": [list(case) for case in cases]}), capture_output=True, text=True,
        env=env, timeout=SECONDS + 30)
    if done.returncode != 0:
        return [UNCHECKED] * len(cases)
    return json.loads(done.stdout)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(child(json.loads(sys.stdin.read()))))
