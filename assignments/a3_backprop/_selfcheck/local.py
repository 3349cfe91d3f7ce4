"""Calling the student's own modules in this process, for the self-check. Copied into ``_selfcheck/``.

The real grader calls the same functions in a sandboxed process; here the value takes the same trip through the
wire codec, and the arguments are watched for changes by the same code (``mutation.py``), so what the self-check
judges is exactly what the grader would judge.
"""
import importlib
import json
import sys
import traceback
import types
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


class ModuleNotImported(ImportError):
    """Raised by a function of a placeholder module: its module could not be imported (the message is its file)."""


_BROKEN = {}  # graded module -> evaluation.broken_module's sentence, or None once it imported (or failed otherwise)


def graded_functions():
    """{module: [function names]} of every graded function in cases.json (a case's function and those it calls)."""
    functions = {}
    for case in load_cases():
        for dotted in [f"{case['module']}.{case['function']}", *case.get("calls", ())]:
            module, _, name = dotted.partition(".")
            functions.setdefault(module, set()).add(name)
    return {module: sorted(names) for module, names in functions.items()}


def _placeholder(module_name, functions):
    """What stands in ``sys.modules`` for a graded module that could not be imported, so that the student's other
    modules still import: its graded functions, each raising ModuleNotImported."""
    module = types.ModuleType(module_name)

    def make(name):
        def absent(*args, **kwargs):
            raise ModuleNotImported(f"{module_name}.py")
        absent.__name__ = name
        return absent

    for name in functions:
        setattr(module, name, make(name))
    return module


def _culprit(exc):
    """The name of the submission's module whose own code raised ``exc`` while it was imported."""
    if isinstance(exc, SyntaxError) and exc.filename:
        path = Path(exc.filename)
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).parent == FOLDER]
        path = Path(frames[-1].filename) if frames else Path("")
    return path.stem if path.parent == FOLDER else ""


def broken(module_name):
    """evaluation.broken_module's sentence when the graded module ``module_name`` cannot be imported because of an
    error in its own file (a SyntaxError, an ImportError, anything its top level raises), else None. A module that
    fails only because another graded module does is imported with a placeholder for that one."""
    if module_name in _BROKEN:
        return _BROKEN[module_name]
    _BROKEN[module_name] = None
    if not (FOLDER / f"{module_name}.py").is_file():
        return None
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    functions = graded_functions()
    for _ in range(len(functions) + 1):
        try:
            importlib.import_module(module_name)
            return None
        except Exception as exc:
            culprit = _culprit(exc)
            if culprit and culprit != module_name and culprit in functions and broken(culprit):
                continue  # it now imports with a placeholder of the culprit: try again
            outcome = _failure(exc)
            sentence = evaluation.broken_module(module_name, outcome) if culprit == module_name else None
            _BROKEN[module_name] = sentence
            if sentence:
                sys.modules[module_name] = _placeholder(module_name, functions.get(module_name, ()))
            return sentence
    return None


def run(module_name, function_name, args, kwargs):
    """Import and call the student's function; return an evaluation.Outcome like the sandbox's."""
    if not (FOLDER / f"{module_name}.py").is_file():
        return evaluation.Outcome(False, error="ImportFailed", detail=f"MissingFile: {module_name}.py")
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    if broken(module_name):
        return evaluation.Outcome(False, error="ModuleNotImported", detail=f"{module_name}.py")
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
    the function calls that fail their own public checks: those come first."""
    outcome = run(case["module"], case["function"], wire.decode(case["args"]), wire.decode(case["kwargs"]))
    if outcome.error == "ModuleNotImported":  # its module, or one whose function it called, could not be imported
        file = outcome.detail if _BROKEN.get(outcome.detail[:-3]) else f"{case['module']}.py"
        return evaluation.Verdict(False, evaluation.say("not_imported", file=file), not_run=file)
    variants = [(key, message, evaluation.decode_variant(output)) for key, message, output in case["variants"]]
    try:
        verdict = evaluation.judge(case["kind"], outcome, wire.decode(case["expected"]), variants,
                                   wire.decode(case["options"]), resolve(case["predict"]),
                                   function=f"{case['module']}.{case['function']}()")
    except Exception as exc:  # a value no comparison foresaw: the case fails, as in the grader
        return evaluation.Verdict(False, evaluation.say("bad_value", detail=f"{type(exc).__name__}: {exc}"))
    if verdict.passed:
        return verdict
    failing = [name for name in case.get("calls", ()) if not broken(name.partition(".")[0]) and _fails(name)]
    if not failing:
        return verdict
    cause = say("upstream", functions=", ".join(f"{name}()" for name in failing))
    return evaluation.Verdict(False, evaluation.with_cause(verdict.message, cause), verdict.misconception or "upstream")


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
