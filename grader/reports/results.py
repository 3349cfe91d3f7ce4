"""Gradescope's results.json, the one format every path writes: CLI, grade-all, nbgrader cells, Gradescope.

PrairieLearn's results.json is a mapping of that same document (``to_prairielearn``), so both platforms' scores
come from one builder. Every results file, whichever writes it, is cut to fit under ``LIMIT_BYTES`` (``fit``,
which ``write_results`` applies): PrairieLearn refuses a larger one, and nothing a student's code says should make
a results file, a notebook or a feedback page huge. Each part's output is bounded as it is built (``part_output``).

Every file written here is valid UTF-8 whatever str it is given (``json_text``, ``write_text_atomic``): a surrogate
code point, which no UTF-8 writer can write, becomes U+FFFD (``wire.valid_text``). The sandbox already makes every
string from the student's process valid text as it is parsed; this is the second line, for any other str (a folder
name that is not UTF-8, a results file read back).
"""
import json
import os
import tempfile
from pathlib import Path

from .. import text
from ..shipped import evaluation, wire

MESSAGES = text.table("results", {
    "summary": "{assignment}: {score:g} / {max_score:g} points",
    "part_header": "{passed} of {total} checks passed",
    "preview_header": " (and {passed} of {total} public preview checks, which carry no points)",
    "public": " (public preview)",
    "case_line": "{mark} {check} #{number}{hidden}: {message}",
    "hidden": " (hidden case)",
    "upstream": "Fix {functions} first: {it} fails its own checks (see {its} part), and this task runs your whole "
                "network.",
    "breaks": "Parts that call this function were graded with the reference standing in for it; with your own "
              "code, {parts} would break as well.",
    "it_one": "it",
    "it_many": "each",
    "its_one": "its",
    "its_many": "their",
    "quoted": "'{title}'",
    "list_join": ", ",
    "cut": "\n… [{count} more characters cut: a results file must stay under 1 MB]",
    "line_cut": "… [{count} more characters cut]",
    "more_failures": "… and {count} more failed checks, not shown",
    "not_run": "{count} checks did not run: {file} could not be imported (the error is at the top).",
    "not_run_one": "1 check did not run: {file} could not be imported (the error is at the top).",
})
# PrairieLearn refuses a results.json over 1 MiB (1,048,576 bytes); stay under it with room to spare.
LIMIT_BYTES = 1_000_000
MAX_PART_OUTPUT_CHARS = 20_000  # one part's feedback: about 10 failed cases' full messages
MAX_CASE_LINE_CHARS = 3_000  # one failed case's line
MAX_SUMMARY_CHARS = 600  # a part's first failure, and its likely cause, in a feedback page's summary
# The text fields that fit() may cut: Gradescope's and PrairieLearn's, at the top level and in each test.
TEXT_FIELDS = ("output", "message")


def part_output(part, limit=None):
    """A part's feedback: its first line is the header (how many checks passed), then one line per failed case,
    each cut to MAX_CASE_LINE_CHARS, for as many failed cases as fit in ``limit`` characters (default
    MAX_PART_OUTPUT_CHARS); then how many more."""
    limit = MAX_PART_OUTPUT_CHARS if limit is None else limit
    graded = [case for case in part.cases if not case.public]
    preview = [case for case in part.cases if case.public]
    lines = [MESSAGES["part_header"].format(passed=sum(case.passed for case in graded), total=len(graded))
             + (MESSAGES["preview_header"].format(passed=sum(case.passed for case in preview), total=len(preview))
                if preview else "")]
    failed = [case for case in part.cases if not case.passed and not getattr(case, "not_run", "")]
    not_run = {}
    for case in part.cases:
        if not case.passed and getattr(case, "not_run", ""):
            not_run[case.not_run] = not_run.get(case.not_run, 0) + 1
    lines += [f"✗ {not_run_line(count, name)}" for name, count in not_run.items()]
    size = sum(len(line) + 1 for line in lines)
    for shown, case in enumerate(failed):
        line = _cut(case_line(case.function, case.check, case.index + 1, case.public, case.message),
                    MAX_CASE_LINE_CHARS, "line_cut")
        if size + 1 + len(line) > limit:
            lines.append(MESSAGES["more_failures"].format(count=len(failed) - shown))
            break
        lines.append(line)
        size += 1 + len(line)
    upstream = getattr(part, "upstream", ())
    if upstream:
        many = len(upstream) > 1
        lines.append(MESSAGES["upstream"].format(
            functions=MESSAGES["list_join"].join(f"{name}()" for name in upstream),
            it=MESSAGES["it_many" if many else "it_one"], its=MESSAGES["its_many" if many else "its_one"]))
    if getattr(part, "breaks", ()):
        lines.append(MESSAGES["breaks"].format(parts=MESSAGES["list_join"].join(
            MESSAGES["quoted"].format(title=title) for title in part.breaks)))
    return "\n".join(lines)


def not_run_line(count, file):
    """The one line for a part's ``count`` cases that did not run because ``file`` could not be imported."""
    return MESSAGES["not_run_one" if count == 1 else "not_run"].format(count=count, file=file)


def case_line(function, check, number, public, message):
    """One failed case as a part's feedback shows it: ``✗ module.function (check) #number (hidden case): message``."""
    return MESSAGES["case_line"].format(mark="✗", check=f"{function} ({check})", number=number,
                                        hidden=MESSAGES["public"] if public else MESSAGES["hidden"], message=message)


def split_cause(message, misconception):
    """(what failed, the likely cause) of a failed case's message: a diagnosed case's (``misconception`` set) ends
    with its cause (``evaluation.with_cause``); the cause is '' when there is none."""
    return evaluation.split_cause(message) if misconception else (message, "")


def first_failure(part):
    """The first failed case of a PartResult, as a part's feedback shows it first, or None when every case passed:
    ``{"function", "check", "number", "public", "message", "cause"}``, its message and cause cut to
    MAX_SUMMARY_CHARS each. Nothing in it is more than the part's output says."""
    case = next((case for case in part.cases if not case.passed), None)
    if case is None:
        return None
    if getattr(case, "not_run", ""):
        return {"function": "", "check": case.check, "number": case.index + 1, "public": case.public,
                "message": not_run_line(sum(1 for other in part.cases if other.not_run == case.not_run),
                                        case.not_run), "cause": ""}
    problem, cause = split_cause(case.message, case.misconception)
    return {"function": case.function, "check": case.check, "number": case.index + 1, "public": case.public,
            "message": _cut(problem, MAX_SUMMARY_CHARS, "line_cut"),
            "cause": _cut(cause, MAX_SUMMARY_CHARS, "line_cut")}


def test_entry(part_key, title, score, max_score, output, misconceptions=()):
    """One entry of ``tests``: a graded part."""
    return {"name": title, "score": score, "max_score": max_score,
            "status": "passed" if score >= max_score else "failed", "output": output, "visibility": "visible",
            "extra_data": {"part": part_key, "misconceptions": list(misconceptions)}}


def document(assignment, max_score, tests, output, seconds=0.0, **extra):
    """A whole results.json; ``extra`` adds to its top-level ``extra_data``."""
    return {"score": round(float(sum(test["score"] for test in tests)), 4), "execution_time": round(seconds, 3),
            "output": output, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"assignment": assignment, "max_score": max_score, **extra}}


def to_results(report):
    """The Gradescope results.json document for a Report, in the language the report was graded in."""
    with text.language(getattr(report, "lang", None) or text.current()):
        tests = [test_entry(part.key, part.title, part.score, part.points, part_output(part), part.misconceptions)
                 for part in report.parts]
        summary = MESSAGES["summary"].format(assignment=report.title, score=report.score, max_score=report.max_score)
        for test, part in zip(tests, report.parts):
            test["extra_data"].update(upstream=list(part.upstream), breaks=list(part.breaks),
                                      first_failure=first_failure(part), broken=list(getattr(part, "broken", ())))
    sandbox = getattr(report, "sandbox", None)  # the layers that confined the student, and any waiver
    broken = dict(getattr(report, "broken", None) or {})  # {module file: its sentence}: it could not be imported
    extra = dict({"sandbox": sandbox} if sandbox else {}, **({"broken": broken} if broken else {}))
    return document(report.assignment, report.max_score, tests, "\n".join([*broken.values(), summary]),
                    report.seconds, **extra)


def to_prairielearn(document, notes=()):
    """PrairieLearn's results.json for a Gradescope results ``document`` (what ``to_results`` builds).

    ``score`` is the fraction of the points, in [0, 1]. Each part is a test with its ``points`` and ``max_points``;
    its ``message`` is the first line of the part's output, and its ``output`` the rest. ``notes`` (what was found
    in the submission) become the top-level ``output``. A document made because grading itself failed
    (``extra_data.failed``) is not gradable: PrairieLearn then takes no attempt and awards no points.
    """
    extra = document.get("extra_data", {})
    max_score = float(extra.get("max_score") or 0)
    fraction = min(1.0, max(0.0, document["score"] / max_score)) if max_score > 0 else 0.0
    tests = []
    for test in document["tests"]:
        message, _, output = test["output"].partition("\n")
        tests.append({"name": test["name"], "points": test["score"], "max_points": test["max_score"],
                      "message": message, "output": output})
    failed = bool(extra.get("failed"))
    result = {"gradable": not failed, "score": fraction, "message": document["output"],
              "output": "\n".join(notes), "tests": tests}
    if extra.get("sandbox"):
        result["sandbox"] = extra["sandbox"]  # the layers that confined the student, and any waiver
    if failed:
        result["format_errors"] = [document["output"]]
    return result


def _cut(text, cap, note="cut"):
    if len(text) <= cap:
        return text
    return text[:cap] + MESSAGES[note].format(count=len(text) - cap)


def _size(document):
    return len(json_text(document).encode("utf-8"))


def fit(document, limit=LIMIT_BYTES):
    """``document`` (a Gradescope or a PrairieLearn results document) if its JSON text, as ``write_json_atomic``
    writes it, fits in ``limit`` bytes; else a copy with every text field (TEXT_FIELDS, at the top level and in
    each test) cut to one length, halved until it fits, each cut saying so. Names, scores and extra_data are never
    cut. The original is not changed."""
    if _size(document) <= limit:
        return document

    def cut_fields(entry, cap):
        return dict(entry, **{key: _cut(entry[key], cap) for key in TEXT_FIELDS if type(entry.get(key)) is str})

    tests = document.get("tests") or []
    cap = max([len(entry[key]) for entry in [document, *tests] for key in TEXT_FIELDS
               if type(entry.get(key)) is str] + [0])
    while True:
        cap //= 2
        fitted = dict(cut_fields(document, cap), tests=[cut_fields(test, cap) for test in tests])
        if cap == 0 or _size(fitted) <= limit:
            return fitted


def json_text(content):
    """The text every results file is written as: valid text, whatever strings ``content`` holds (a surrogate
    becomes U+FFFD; JSON's structure is ASCII, so only the strings' own characters change)."""
    return wire.valid_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(text, path):
    """Write a file so that a reader never sees half of it, even if this process is killed midway. The file is
    valid UTF-8 whatever ``text`` holds (``wire.valid_text``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(wire.valid_text(text))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(content, path):
    """Write a JSON document atomically (see write_text_atomic)."""
    write_text_atomic(json_text(content), path)


def write_results(document, path):
    """Write a results document (Gradescope's or PrairieLearn's), fitted under LIMIT_BYTES, atomically. Returns
    the document as written."""
    document = fit(document)
    write_json_atomic(document, path)
    return document
