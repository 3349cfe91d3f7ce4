"""Judging one output against its expected value: the comparisons, the diagnoses and every message a student reads.

The grader and the students' self-check use this same file: ``python -m grader sync`` copies it verbatim into each
assignment's ``_selfcheck/`` folder. It must import only numpy, the stdlib and ``wire``.

``MESSAGES`` is the English text. In another language, the students' copy reads that language's text for the same
keys from ``messages.json`` beside this file (``TRANSLATION``), which a course in another language ships; without that
file, everything is English. In the grader, ``CURRENT`` gives the current language's table (``grader/text`` sets it).
"""
import builtins
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import wire

RTOL = 1e-6
ATOL = 1e-9
GRADIENT_RTOL = 1e-6
MAX_MODULE_BYTES = 256 * 1024  # the largest module file graded; the solutions' largest is about 8 KB
MAX_KEYS_SHOWN = 8  # of a returned dict with the wrong keys

MESSAGES = {
    "not_implemented": "not implemented yet: fill in the TODO in {function}",
    "missing_file": "{detail} is missing from the submission",
    "too_large": "{detail} is larger than the {limit} KB the grader accepts for one module file, so it was not "
                 "graded (the whole solution module is a few KB: is a dataset or generated code pasted into it?)",
    "missing_function": "{function} is missing: {detail}",
    "import_failed": "could not import the module ({detail}){where}",
    "module_broken": "{file} could not be imported: {error}{where}. Nothing in {file} can run until this is fixed, "
                     "so fix it first.",
    "not_imported": "{file} could not be imported, so this check did not run",
    "raised": "raised {error}: {detail}{where}",
    "timeout": "took longer than the {detail} s limit (an endless loop?)",
    "skipped_after_timeout": "not run: an earlier call of {function} ran out of time",
    "budget": "not run: the submission used up its total time allowance",
    "died": "crashed the process running it ({detail}): no sys.exit, os._exit or signals, please",
    "exited": "called sys.exit({detail}); return a value instead",
    "bad_value": "returned something the grader cannot read ({detail})",
    "opaque": "returned a {got}; expected {expected}",
    "type": "{path}returned a {got}; expected {expected}",
    "dtype": "{path}has dtype {got}; expected {expected} (everything in this kit is float64)",
    "shape": "{path}has shape {got}; expected {expected}",
    "shape_transposed": "{path}has shape {got}; expected {expected}: it looks transposed",
    "length": "{path}has {got} items; expected {expected}",
    "keys": "{path}has keys {got}; expected {expected}",
    "values": "{path}values differ at {index}: expected {expected}, got {got}{spread}",
    "values_spread": " ({count} of {total} entries differ; the largest difference, {diff:.3g}, is at {where})",
    "values_spread_here": " ({count} of {total} entries differ; the largest difference is this one's)",
    "values_hidden": "{path}values differ at {index}",
    "value": "{path}the value differs: expected {expected}, got {got}",
    "value_hidden": "{path}the value differs",
    "type_hidden": "{path}returned something other than {expected}",
    "shape_hidden": "{path}has another shape; expected {expected}",
    "length_hidden": "{path}has another number of items; expected {expected}",
    "keys_hidden": "{path}has other keys; expected {expected}",
    "raised_hidden": "raised {error}{where} (in a hidden case the exception's message is not shown: it may hold the "
                     "case's inputs)",
    "own_exception": "an exception of a class of its own",
    "output_too_large_hidden": "raised OutputTooLarge{where}: the returned value is over what a call may send back "
                               "({bytes} bytes of arrays, or {values} values)",
    "stand_in_hidden": "raised StandInError{where}: the reference standing in for a function it calls could not "
                       "answer the arguments it was given (a hidden case does not say why: the reason may hold the "
                       "case's inputs)",
    "own_warning": "a warning of a class of its own",
    "exited_hidden": "called sys.exit; return a value instead",
    "died_hidden": "crashed the process running it: no sys.exit, os._exit or signals, please",
    "bad_value_hidden": "returned something the grader cannot read",
    "too_small_hidden": "a confidently wrong prediction must cost a large loss (at least {at_least:g}), and this one "
                        "costs less",
    "not_finite": "{path}contains nan or inf at {index} for finite input: make the computation numerically stable",
    "not_finite_value": "{path}is nan or inf for finite input: make the computation numerically stable",
    "too_small": "returned {got}, but a confidently wrong prediction must cost a large loss (at least "
                 "{at_least:g})",
    "clipped_high": "the probabilities are clipped at a large value: clip at a tiny one such as 1e-12",
    "warned": "printed a warning for finite input ({detail}): make the computation numerically stable",
    "gradient": "{path}does not match the numerical gradient: relative error {error:.2g} (needs < {limit:g})",
    "gradient_hidden": "{path}does not match the numerical gradient: the relative error is not below {limit:g}",
    "converge": "{label}: {metric} is {value:.4g}; needs {relation} {threshold:g}",
    "diverged": "{label}: training diverged, the trained network outputs nan or inf (is the update's sign right? "
                "is the learning rate applied?)",
    "converged": "{label}: {metric} is {value:.4g} ({relation} {threshold:g})",
    "diagnosis": "Likely cause: {message}",
    "changed_input": "changed its {argument} {names} in place{where}: the caller's own data is silently "
                     "altered, so whatever uses it next (the next run from the same initial parameters, say) gets "
                     "different numbers",
    "in_place": "an in-place operation on an argument (x -= ..., out=x, or x[...] = ... on the array itself): build "
                "new arrays instead, x = x - ..., or x = x.copy() before x[...] = ...",
    "passed": "passed",
    "no_function": "{module}.py has no function {name}",
    "import_timeout": "importing it took too long",
    "at": " at {place}",
    "array": "numpy.ndarray of shape {shape}",
    "sequence": "{type} of {count}",
    "the_value": "the value",
    "changed_at": " (at {places})",
    "list_and": "{items} and {last}",
    "argument": "argument",
    "arguments": "arguments",
    "metric_max_error": "max error",
    "metric_accuracy": "accuracy",
    "training": "training",
    "join": "{first}. {second}",
    "frame": "{file}:{line} in {function}",
}
#: the misconception keys of the diagnoses made here rather than by a catalogue's variants
IN_PLACE, CLIPPED_HIGH = "in_place", "clipped_high"
#: what a call raises when the reference standing in for one of its callees fails on the arguments it was given
STAND_IN_ERROR = "StandInError"
#: The exception names a hidden case's feedback may show: Python's own, numpy's, the sandbox's. Any other name is
#: the student's choice (a class can be named after a case's inputs), so it is not shown.
KNOWN_ERRORS = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)]
    + [STAND_IN_ERROR, "AxisError", "LinAlgError", "OutputTooLarge", "ImportBlocked"])
KNOWN_WARNINGS = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Warning)]
    + ["ComplexWarning", "VisibleDeprecationWarning", "RankWarning"])
FRAME = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+) in (?P<function>[^\s:]+)(?P<rest>: .*)?$", re.S)


def _translation():
    """The other language's table that a course ships beside this file as messages.json, or {} (English)."""
    path = Path(__file__).with_name("messages.json")
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("evaluation", {})
    except (OSError, ValueError, AttributeError):
        return {}


TRANSLATION = _translation()
#: In the grader, a function that gives the current language's table, read at every message (grader.text sets it).
CURRENT = None


@dataclass
class Outcome:
    """What one import or call gave. ``error`` is an exception name, or one of the sandbox's own kinds."""
    ok: bool
    value: object = None
    error: str = ""
    detail: str = ""
    where: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    seconds: float = 0.0
    changed: list = field(default_factory=list)  # the arguments the call changed in place, as paths: params[0][0]
    by_grader: bool = False  # the grader itself ended the call and wrote ``detail``: no text of the student's
    # For a call that failed with STAND_IN_ERROR: what the reference standing in for a callee raised on the
    # arguments the student's code passed it, (exception name, message), as the grader saw it; () when no reference
    # raised (the grader's own limits on stand-ins, or a StandInError the student's code made up).
    stand_in_raised: tuple = ()


@dataclass(frozen=True)
class Raised:
    """What a misconception variant gives when the bug makes the call raise: the exception's name, and words its
    message must hold ("" for any). A student's call that raised alike is diagnosed with that misconception.

    A variant that raises an exception its misconception does not declare gives its whole message as ``detail``:
    a student's call matches it only by raising the same exception with the very same message (``raised_alike``),
    and only the grader's check-wide diagnosis (``grader.diagnosis``) uses it, beside the cases where the variant
    gives a value."""
    error: str
    words: str = ""
    detail: str = ""

    @classmethod
    def declared(cls, raises):
        """From a catalogue's ``Misconception.raises``: ``"ValueError"``, or ``"ValueError: broadcast"``."""
        error, _, words = raises.partition(":")
        return cls(error.strip(), words.strip())


def encode_variant(output):
    """A variant's output for the wire: ``Raised`` as ``{"__raised__": name, "words": ...}``, anything else by the
    codec (which never makes that key at the top level)."""
    if isinstance(output, Raised):
        encoded = {"__raised__": output.error, "words": output.words}
        return dict(encoded, detail=output.detail) if output.detail else encoded
    return wire.encode(output)


def decode_variant(data):
    if type(data) is dict and type(data.get("__raised__")) is str:
        return Raised(data["__raised__"], str(data.get("words", "")), str(data.get("detail", "")))
    return wire.decode(data)


@dataclass
class Verdict:
    """The judgement of one case. ``misconception`` is the key of a diagnosed classic bug, or ''. ``not_run`` is the
    file of a graded module that could not be imported and kept the case from running, or ''."""
    passed: bool
    message: str
    misconception: str = ""
    not_run: str = ""


def say(key, **fields):
    table = CURRENT() if CURRENT is not None else TRANSLATION
    return table.get(key, MESSAGES[key]).format(**fields)


def with_cause(problem, cause):
    """A message that says what is wrong, then ``Likely cause: <cause>``."""
    return say("join", first=problem, second=say("diagnosis", message=cause))


def split_cause(message):
    """(what is wrong, the likely cause) of a message ``with_cause`` made, at its last cause; (message, '') when it
    has none."""
    joined = with_cause("\0", "\1")
    separator = joined[joined.index("\0") + 1:joined.index("\1")]
    problem, found, cause = message.rpartition(separator)
    return (problem, cause) if found else (message, "")


# -- describing values ----------------------------------------------------------------------------------------------
def describe(value):
    if isinstance(value, wire.Opaque):
        return value.type_name
    if type(value) is np.ndarray:
        return say("array", shape=value.shape)
    if isinstance(value, (tuple, list)):
        return say("sequence", type=type(value).__name__, count=len(value))
    return type(value).__name__


def _expected_kind(expected):
    if type(expected) is np.ndarray:
        return say("array", shape=expected.shape)
    if isinstance(expected, (float, np.floating)):
        return "float"
    return describe(expected)


def _fmt(value):
    return np.format_float_positional(value, precision=6, trim="-") if np.isfinite(value) else str(value)


def _index_text(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else say("the_value")


# -- structural comparison ------------------------------------------------------------------------------------------
def mismatch(got, expected, rtol=RTOL, atol=ATOL, path="", reveal=True):
    """The first way ``got`` differs from ``expected`` as a student-facing sentence, or None when it matches.

    Type, dtype and shape are checked before values, and each is named when it is what is wrong. With
    ``reveal=False`` (hidden cases) the sentence never quotes an expected value.
    """
    prefix = f"{path} " if path else ""
    if isinstance(got, wire.Opaque):
        return _say_type(prefix, got.type_name, _expected_kind(expected), reveal)
    if type(expected) is np.ndarray:
        if type(got) is not np.ndarray:
            return _say_type(prefix, describe(got), _expected_kind(expected), reveal)
        if got.dtype != expected.dtype:  # a dtype the codec carries: one of a few, whoever chose it
            return say("dtype", path=prefix, got=got.dtype, expected=expected.dtype)
        if got.shape != expected.shape:
            if got.ndim == 2 and got.shape == expected.shape[::-1]:  # the expected shape tells what it is
                return say("shape_transposed", path=prefix, got=got.shape, expected=expected.shape)
            if not reveal:
                return say("shape_hidden", path=prefix, expected=expected.shape)
            return say("shape", path=prefix, got=got.shape, expected=expected.shape)
        return _value_mismatch(got, expected, rtol, atol, prefix, reveal)
    if isinstance(expected, (float, np.floating)):
        if type(got) not in (float, int) and not isinstance(got, (np.floating, np.integer)):
            if type(got) is np.ndarray and got.shape == ():
                got = got[()]
            else:
                return _say_type(prefix, describe(got), "float", reveal)
        return _value_mismatch(np.array(float(got)), np.array(float(expected)), rtol, atol, prefix, reveal)
    if isinstance(expected, (bool, np.bool_)) or isinstance(expected, (int, np.integer)):
        if not isinstance(got, (bool, int, np.integer, np.bool_)) or got != expected:
            return _say_values(prefix, None, expected, got, reveal)
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return _say_type(prefix, describe(got), describe(expected), reveal)
        if len(got) != len(expected):
            if not reveal:
                return say("length_hidden", path=prefix, expected=len(expected))
            return say("length", path=prefix, got=len(got), expected=len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = mismatch(g, e, rtol, atol, f"{path}[{i}]", reveal)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _say_type(prefix, describe(got), "dict", reveal)
        if sorted(got) != sorted(expected):
            if not reveal:
                return say("keys_hidden", path=prefix, expected=_keys(expected))
            return say("keys", path=prefix, got=_keys(got), expected=_keys(expected))
        for key in expected:
            problem = mismatch(got[key], expected[key], rtol, atol, f"{path}[{key!r}]", reveal)
            if problem:
                return problem
        return None
    if got != expected:
        return _say_values(prefix, None, expected, got, reveal)
    return None


def _keys(mapping):
    """A dict's keys, sorted, as a list; at most MAX_KEYS_SHOWN of them, then how many more."""
    keys = sorted(mapping)
    if len(keys) <= MAX_KEYS_SHOWN:
        return str(keys)
    return f"{str(keys[:MAX_KEYS_SHOWN])[:-1]}, … and {len(keys) - MAX_KEYS_SHOWN} more]"


def _say_type(prefix, got, expected, reveal):
    """What was returned is not of the expected kind. A hidden case does not quote what it was: a type's name, a
    sequence's length or an array's shape is the student's choice, and can carry the case's inputs."""
    if reveal:
        return say("type", path=prefix, got=got, expected=expected)
    return say("type_hidden", path=prefix, expected=expected)


def _say_values(prefix, index, expected, got, reveal, spread=None):
    """Values differ at ``index`` (a place's text, or None for a value that is one number). A hidden case quotes
    neither the expected value nor the returned one (which the student's code could have made from the case's
    inputs); only the place, one of the expected value's own. ``spread`` is (entries that differ, entries, the
    largest difference, its place's text, or None where it is ``index``) for an array of more than one entry."""
    if index is None:
        return say("value", path=prefix, expected=expected, got=got) if reveal else say("value_hidden", path=prefix)
    if not reveal:
        return say("values_hidden", path=prefix, index=index)
    said = ""
    if spread and spread[0] > 1:
        count, total, diff, where = spread
        said = say("values_spread_here", count=count, total=total) if where is None \
            else say("values_spread", count=count, total=total, diff=diff, where=where)
    return say("values", path=prefix, index=index, expected=expected, got=got, spread=said)


def _value_mismatch(got, expected, rtol, atol, prefix, reveal=True):
    if got.dtype.kind not in "fiub":
        return say("dtype", path=prefix, got=got.dtype, expected=expected.dtype)
    if np.isinf(rtol) and np.isinf(atol):  # structure-only comparison
        return None
    got_f = got.astype(np.float64)
    exp_f = expected.astype(np.float64)
    finite = np.isfinite(exp_f)
    bad_finite = finite & ~np.isfinite(got_f)
    if bad_finite.any():
        index = tuple(np.argwhere(bad_finite)[0])
        return say("not_finite", path=prefix, index=_index_text(index)) if index \
            else say("not_finite_value", path=prefix)
    with np.errstate(invalid="ignore"):
        diff = np.where(finite, np.abs(got_f - exp_f), 0.0)
        wrong = (diff > atol + rtol * np.abs(exp_f)) | (~finite & ~((got_f == exp_f) | (np.isnan(got_f) & np.isnan(exp_f))))
    if not wrong.any():
        return None
    index = tuple(np.argwhere(wrong)[0])
    if not index:  # one number
        return _say_values(prefix, None, _fmt(exp_f[index]), _fmt(got_f[index]), reveal)
    largest = tuple(np.unravel_index(int(np.argmax(np.where(wrong, diff, -1.0))), diff.shape))
    spread = (int(wrong.sum()), int(wrong.size), float(diff[largest]),
              None if largest == index else _index_text(largest))
    return _say_values(prefix, _index_text(index), _fmt(exp_f[index]), _fmt(got_f[index]), reveal, spread)


def rel_error(got, expected):
    """CS231n's relative error: max |a - b| / max(1e-8, |a| + |b|), element by element."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected)), initial=0.0))


def gradient_mismatch(got, expected, limit=GRADIENT_RTOL, path="", reveal=True):
    """Like ``mismatch``, but values are judged by relative error against a numerical gradient. With
    ``reveal=False`` (hidden cases) the sentence does not quote the error, which is computed from the expected
    value."""
    problem = mismatch(got, expected, rtol=np.inf, atol=np.inf, path=path, reveal=reveal)
    if problem:
        return problem
    if isinstance(expected, (tuple, list)):
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = gradient_mismatch(g, e, limit, f"{path}[{i}]", reveal)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        for key in expected:
            problem = gradient_mismatch(got[key], expected[key], limit, f"{path}[{key!r}]", reveal)
            if problem:
                return problem
        return None
    error = rel_error(got, expected)
    if not error < limit:
        prefix = f"{path} " if path else ""
        if not reveal:
            return say("gradient_hidden", path=prefix, limit=limit)
        return say("gradient", path=prefix, error=error, limit=limit)
    return None


# -- judging a whole outcome ----------------------------------------------------------------------------------------
def _frame(entry):
    """A place in the student's code, ``file.py:12 in name: code``, in the message language."""
    match = FRAME.match(entry)
    if not match:
        return entry
    return say("frame", file=match["file"], line=match["line"], function=match["function"]) + (match["rest"] or "")


def failure_message(outcome, function, reveal=True):
    """The sentence for a call that raised, hung, crashed or was never run. ``outcome`` is a sandbox Outcome.

    With ``reveal=False`` (a hidden case) it holds nothing the student's code chose while it had the case's inputs:
    no exception message, no exit code or signal, no name of an exception class of the student's own. Its place,
    ``outcome.where``, must already be the grader's own reading of the student's file (``grader.redaction``)."""
    where = say("at", place=_frame(outcome.where[-1])) if outcome.where else ""
    error, detail = outcome.error, outcome.detail
    if error == "NotImplementedError":
        return say("not_implemented",
                   function=_frame(outcome.where[-1].split(": ", 1)[0]) if outcome.where else function)
    if error == "ImportFailed":
        inner = detail.split(":", 1)[0]
        if inner == "MissingFile":
            return say("missing_file", detail=detail.split(": ", 1)[1])
        if inner == "TooLarge":
            return say("too_large", detail=detail.split(": ", 1)[1], limit=MAX_MODULE_BYTES // 1024)
        if detail.startswith("NotImplementedError"):
            return say("not_implemented", function=function)
        if inner == "Timeout":
            return say("import_failed", detail=say("import_timeout"), where="")
        if inner == "BudgetExceeded":
            return say("budget")
        return say("import_failed", detail=detail, where=where)
    if error == "AttributeError" and "has no function" in detail:
        module, _, name = function.removesuffix("()").partition(".")
        return say("missing_function", function=function,
                   detail=say("no_function", module=module, name=name) if name else detail)
    if error == "Timeout":
        return say("timeout", detail=detail)
    if error == "SkippedAfterTimeout":
        return say("skipped_after_timeout", function=function)
    if error == "BudgetExceeded":
        return say("budget")
    if error == "WorkerDied":
        return say("died", detail=detail) if reveal else say("died_hidden")
    if error == "SystemExit":
        return say("exited", detail=detail) if reveal else say("exited_hidden")
    if error == "BadValue":
        return say("bad_value", detail=detail) if reveal else say("bad_value_hidden")
    if not reveal and not outcome.by_grader and error == "OutputTooLarge":
        return say("output_too_large_hidden", where=where, bytes=wire.MAX_ANSWER_BYTES, values=wire.MAX_ANSWER_ITEMS)
    if not reveal and not outcome.by_grader and error == STAND_IN_ERROR:
        return say("stand_in_hidden", where=where)
    if not reveal and not outcome.by_grader:
        return say("raised_hidden", error=error if error in KNOWN_ERRORS else say("own_exception"), where=where)
    return say("raised", error=error, detail=detail, where=where)


def broken_module(module, outcome):
    """The one sentence for a graded module whose own import failed with an error (a SyntaxError, an ImportError,
    anything its top level raised), naming the file, the line and the error; None for any other failed import (a
    missing or too large file, an import that hung: each has its own message). ``outcome`` is the import's failed
    Outcome. The import runs none of a case's inputs, so the error's text is shown whole."""
    detail = outcome.detail.split(": ", 1) if outcome.error == "ImportFailed" else [outcome.error, outcome.detail]
    error = detail[0] if len(detail) == 2 else outcome.error
    if outcome.ok or error in NOT_A_BROKEN_MODULE:
        return None
    message = f"{error}: {detail[-1]}" if detail[-1] else error
    where = say("at", place=_frame(outcome.where[-1])) if outcome.where else ""
    return say("module_broken", file=f"{module}.py", error=message, where=where)


#: failed imports that are not an error of the module's own code: they keep their own messages
NOT_A_BROKEN_MODULE = ("MissingFile", "TooLarge", "Timeout", "WorkerDied", "BudgetExceeded", "ImportBlocked",
                       "NotImplementedError")


def diagnose(got, variants, rtol=RTOL, atol=ATOL):
    """The first classic bug whose output ``got`` reproduces, as (key, message), or ('', '')."""
    for key, message, output in variants:
        if output is not None and not isinstance(output, Raised) and mismatch(got, output, rtol, atol) is None:
            return key, message
    return "", ""


def raised_alike(raised, error, detail=""):
    """Whether a call that failed with the exception ``error`` (and the message ``detail``) fails as the variant
    ``raised`` (a Raised) does. A Raised with a ``detail`` (an exception its misconception does not declare) needs
    that very message."""
    if raised.detail:
        return error == raised.error and detail == raised.detail
    return error == raised.error and raised.words.lower() in detail.lower()


def what_raised(outcome):
    """(exception name, message) of what made a failed call fail, to compare with a variant that raises, or None
    when nothing the student's code or a reference raised did. A call that failed because the reference standing in
    for a callee raised on its arguments failed with what that reference raised (the variant's reference call
    raises the same); any other StandInError (the grader's own limits on stand-ins, or one the student's code made
    up) is no student crash, and nothing is compared with it."""
    if outcome.ok:
        return None
    if outcome.error == STAND_IN_ERROR:
        return tuple(outcome.stand_in_raised) or None
    return outcome.error, outcome.detail


def diagnose_failure(outcome, variants):
    """The first classic bug that raises what the student's call raised (``what_raised``), as (key, message), or
    ('', '')."""
    raised = what_raised(outcome)
    if raised is None:
        return "", ""
    for key, message, output in variants:
        if isinstance(output, Raised) and not output.detail and raised_alike(output, *raised):
            return key, message
    return "", ""


def argument_name(path):
    """The argument a path of ``Outcome.changed`` starts from: ``params`` for ``params[0][0]``, ``args[1]`` for
    ``args[1][0]``."""
    name, bracket, rest = path.partition("[")
    if name == "args" and bracket:
        return f"args[{rest.split(']', 1)[0]}]"
    return name


def changed_message(paths):
    """The sentence for a call that changed arguments in place, naming each, and where when it is inside one."""
    names = [argument_name(path) for path in paths]
    inside = [path for path, name in zip(paths, names) if path != name]
    quoted = [f"`{name}`" for name in names]
    listed = quoted[0] if len(quoted) == 1 else say("list_and", items=", ".join(quoted[:-1]), last=quoted[-1])
    changed = say("changed_input", argument=say("arguments" if len(names) > 1 else "argument"), names=listed,
                  where=say("changed_at", places=", ".join(inside)) if inside else "")
    return with_cause(changed, say("in_place"))


def judge(kind, outcome, expected, variants=(), options=None, predict=None, function="", public=True):
    """Judge one case. ``kind`` is 'match', 'gradient', 'robust' or 'converge'.

    A hidden case (``public=False``) is judged the same way, but its message never quotes an expected value. A call
    that changed one of its arguments in place fails whatever it returned; when the value is wrong as well, the
    message says both.
    """
    if not outcome.ok:
        message = failure_message(outcome, function, reveal=public)
        key, cause = diagnose_failure(outcome, variants)
        if key:
            return Verdict(False, with_cause(message, cause), key)
        return Verdict(False, message)
    verdict = _judge_value(kind, outcome, expected, variants, options or {}, predict, public)
    if not outcome.changed:
        return verdict
    message = changed_message(outcome.changed)
    if verdict.passed:
        return Verdict(False, message, IN_PLACE)
    return Verdict(False, say("join", first=message, second=verdict.message), verdict.misconception or IN_PLACE)


def _judge_value(kind, outcome, expected, variants, options, predict, public):
    got = outcome.value
    if kind == "converge":
        return _judge_converge(got, expected, options, predict, variants, public)
    if kind == "gradient":
        problem = gradient_mismatch(got, expected, options.get("limit", GRADIENT_RTOL), reveal=public)
    else:
        problem = mismatch(got, expected, options.get("rtol", RTOL), options.get("atol", ATOL), reveal=public)
    if problem is None and "at_least" in options:
        value = float(np.max(got))
        if not np.isfinite(value):
            problem = say("not_finite_value", path="")
        elif value < options["at_least"]:
            small = (say("too_small", got=_fmt(value), at_least=options["at_least"]) if public
                     else say("too_small_hidden", at_least=options["at_least"]))
            if value <= 0:  # clipping keeps a loss positive: a negative one is another bug, which the value shows
                return Verdict(False, small)
            return Verdict(False, with_cause(small, say("clipped_high")), CLIPPED_HIGH)
    if problem is None and kind == "robust" and outcome.warnings:
        problem = say("warned", detail="; ".join(outcome.warnings if public else _warning_kinds(outcome.warnings)))
    if problem is None:
        return Verdict(True, say("passed"))
    # Each variant is compared as the expected value is: a structure-only check diagnoses by structure.
    key, message = diagnose(got, variants, options.get("rtol", RTOL), options.get("atol", ATOL))
    if key:
        return Verdict(False, with_cause(problem, message), key)
    return Verdict(False, problem)


def _warning_kinds(warnings):
    """The categories of warnings, as a hidden case shows them: a Python or numpy warning class's name, without its
    message (which the student's code could have written from the case's inputs)."""
    return sorted({kind if kind in KNOWN_WARNINGS else say("own_warning")
                   for kind in (warning.split(":", 1)[0] for warning in warnings)})


def dig(value, path):
    """Follow an index path into nested tuples, lists, dicts and arrays; None where the path leads nowhere."""
    for step in path:
        if isinstance(value, dict):
            if step not in value:
                return None
        elif isinstance(value, (tuple, list)) or (type(value) is np.ndarray and value.ndim >= 1):
            if type(step) is not int or not -len(value) <= step < len(value):
                return None
        else:
            return None
        value = value[step]
    return value


def _judge_converge(got, expected, options, predict, variants=(), public=True):
    """Measure a training run with the reference ``predict(X, params, activations)``.

    ``got`` is whatever the training function returned; ``options['params_at']`` is the index path to its trained
    parameters (see ``dig``), and ``expected`` holds the evaluation set (``X``, ``y``) and ``params_like``, a value of the same
    structure, shapes and dtypes as the parameters should have.
    """
    params = dig(got, options.get("params_at", ()))
    if params is None:
        return Verdict(False, _say_type("", describe(got), options.get("returns", ""), public))
    problem = mismatch(params, expected["params_like"], rtol=np.inf, atol=np.inf, reveal=public)
    if problem:  # parameters of the wrong type, dtype or shape: a classic bug may say why, by structure alone
        key, message = diagnose(got, variants, rtol=np.inf, atol=np.inf)
        if key:
            return Verdict(False, with_cause(problem, message), key)
        return Verdict(False, problem)
    X, y = expected["X"], expected["y"]
    with np.errstate(all="ignore"):
        scores = np.asarray(predict(X, params, options.get("activations")), dtype=np.float64).reshape(y.shape)
    label = options.get("label") or say("training")
    if not np.all(np.isfinite(scores)):
        return Verdict(False, say("diverged", label=label))
    metric = options["metric"]
    if metric == "max_error":
        value = float(np.max(np.abs(scores - y)))
        passed, relation = value < options["threshold"], "<"
    else:
        value = float(np.mean((scores >= 0.5) == (y >= 0.5)))
        passed, relation = value >= options["threshold"], ">="
    key = "converged" if passed else "converge"
    name = say(f"metric_{metric}") if f"metric_{metric}" in MESSAGES else metric.replace("_", " ")
    return Verdict(passed, say(key, label=label, metric=name, value=value, relation=relation,
                               threshold=options["threshold"]))
