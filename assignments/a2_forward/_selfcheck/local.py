"""Calling the student's own modules in this process, for the self-check. Copied into ``_selfcheck/``.

The real grader calls the same functions in a sandboxed process; here the value takes the same trip through the
wire codec, and the arguments are watched for changes by the same code (``mutation.py``), so what the self-check
judges is exactly what the grader would judge.
"""
import importlib
import json
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

from . import evaluation, mutation, wire

FOLDER = Path(__file__).resolve().parents[1]

MESSAGES = {
    "pass": "PASS",
    "fail": "FAIL",
    "line": "{mark} {function}() [{check}]: {message}",
    "part_failed": "{failed} of {total} public checks of part {part!r} failed",
    "part_passed": "All {total} public checks of part {part!r} passed. The points come from their hidden twins: the "
                   "same checks on fresh inputs.",
    "upstream": "{functions} fails its own public checks, and this function calls it: fix that first",
}


def _translation():
    """This language's text for MESSAGES, from the messages.json a course in another language ships; else {}."""
    try:
        return json.loads(Path(__file__).with_name("messages.json").read_text(encoding="utf-8")).get("local", {})
    except (OSError, ValueError, AttributeError):
        return {}


TRANSLATION = _translation()


def say(key, **fields):
    return TRANSLATION.get(key, MESSAGES[key]).format(**fields)


def load_cases():
    return json.loads((Path(__file__).with_name("cases.json")).read_text(encoding="utf-8"))


def _student_frames(tb):
    frames = [f for f in traceback.extract_tb(tb)
              if Path(f.filename).parent == FOLDER and not Path(f.filename).name.startswith("test_")]
    return [f"{Path(f.filename).name}:{f.lineno} in {f.name}: {f.line or ''}".strip() for f in frames[-3:]]


def _failure(exc):
    return evaluation.Outcome(False, error=type(exc).__name__, detail=str(exc)[:500],
                              where=_student_frames(exc.__traceback__))


def run(module_name, function_name, args, kwargs):
    """Import and call the student's function; return an evaluation.Outcome like the sandbox's."""
    if not (FOLDER / f"{module_name}.py").is_file():
        return evaluation.Outcome(False, error="ImportFailed", detail=f"MissingFile: {module_name}.py")
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        outcome = _failure(exc)
        return evaluation.Outcome(False, error="ImportFailed", detail=f"{outcome.error}: {outcome.detail}",
                                  where=outcome.where)
    func = getattr(module, function_name, None)
    if not callable(func):
        return evaluation.Outcome(False, error="AttributeError",
                                  detail=f"{module_name}.py has no function {function_name}")
    watched = mutation.watch(func, args, kwargs)
    np.random.seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = func(*args, **kwargs)
        except Exception as exc:
            return _failure(exc)
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return evaluation.Outcome(True, value=wire.decode(wire.encode(value)), warnings=messages[:5],
                              changed=watched.changed())


def judge_case(case):
    """Run one public case from cases.json and return its evaluation.Verdict. A failure names the graded functions
    the function calls that fail their own public checks: those come first. A likely cause is said only where it
    holds on every failing public case of the same check, as the grader says one only where it holds on every
    failing case (``_agreed``)."""
    verdict, _ = _judged(case)
    if verdict.passed:
        return verdict
    verdict = _agreed(case, verdict)
    failing = [name for name in case.get("calls", ()) if _fails(name)]
    if not failing:
        return verdict
    cause = say("upstream", functions=", ".join(f"{name}()" for name in failing))
    return evaluation.Verdict(False, evaluation.with_cause(verdict.message, cause), verdict.misconception or "upstream")


_JUDGED = {}  # (case id, check title) -> (Verdict, Outcome), in this run


def _judged(case):
    """(Verdict, Outcome) of one case, each case run once per run."""
    key = (case["id"], case["check"])
    if key not in _JUDGED:
        outcome = run(case["module"], case["function"], wire.decode(case["args"]), wire.decode(case["kwargs"]))
        variants = [(key, message, evaluation.decode_variant(output)) for key, message, output in case["variants"]]
        try:
            verdict = evaluation.judge(case["kind"], outcome, wire.decode(case["expected"]), variants,
                                       wire.decode(case["options"]), resolve(case["predict"]),
                                       function=f"{case['module']}.{case['function']}()")
        except Exception as exc:  # a value no comparison foresaw: the case fails, as in the grader
            verdict = evaluation.Verdict(False, evaluation.say("bad_value", detail=f"{type(exc).__name__}: {exc}"))
        _JUDGED[key] = (verdict, outcome)
    return _JUDGED[key]


def _agreed(case, verdict):
    """``verdict`` without its likely cause where a classic bug of the check named it and that bug does not name
    every failing public case of the same check, or where the one failing case is a small discrete table (a 4-row
    truth table can agree with a bug's by chance)."""
    keys = {key for key, _, _ in case["variants"]}
    if verdict.misconception not in keys:
        return verdict
    same = [other for other in load_cases() if (other["part"], other["module"], other["function"], other["check"])
            == (case["part"], case["module"], case["function"], case["check"])]
    failing = [_judged(other) for other in same]
    failing = [(v, o) for v, o in failing if not v.passed]
    if all(v.misconception == verdict.misconception for v, _ in failing) and not (
            len(failing) == 1 and failing[0][1].ok and _discrete(failing[0][1].value)):
        return verdict
    return evaluation.Verdict(False, evaluation.split_cause(verdict.message)[0])


def _discrete(value):
    """Whether every entry is a small integer (a truth table, a 0/1 mask), as the grader's diagnosis tells."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    finite = a[np.isfinite(a)]
    return bool(np.all(np.abs(finite - np.round(finite)) < 1e-2) and np.all(np.abs(finite) <= 2))


_FAILS = {}  # 'module.function' -> whether a public case of it fails, in this run


def _fails(function):
    """Whether some public case of ``function`` ('module.function') fails; each function is run once."""
    if function not in _FAILS:
        _FAILS[function] = False  # a cycle in the catalogue's calls must not recurse
        cases = [case for case in load_cases() if f"{case['module']}.{case['function']}" == function]
        _FAILS[function] = any(not judge_case(case).passed for case in cases)
    return _FAILS[function]


def check_part(part):
    """What a notebook's grade cell runs: the part's public checks, one line each. Raises if any fails.

    The grader runs every check of the part, public and hidden, when the assignment is autograded.
    """
    cases = [case for case in load_cases() if case["part"] == part]
    _FAILS.clear()  # the student may have changed their code since the last grade cell ran
    _JUDGED.clear()
    failed = 0
    for case in cases:
        verdict = judge_case(case)
        failed += not verdict.passed
        print(say("line", mark=say("pass" if verdict.passed else "fail"),
                  function=f"{case['module']}.{case['function']}", check=case["check"], message=verdict.message))
    if failed:
        raise AssertionError(say("part_failed", failed=failed, total=len(cases), part=part))
    print(say("part_passed", total=len(cases), part=part))


def resolve(dotted):
    """The provided function named 'module.function' (for example the finished forward pass), or None."""
    if not dotted:
        return None
    module, name = dotted.split(".", 1)
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    return getattr(importlib.import_module(module), name)
