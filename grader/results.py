"""Gradescope's results.json, the one format every path writes: CLI, grade-all, nbgrader cells, Gradescope.

PrairieLearn's results.json is a mapping of that same document (``to_prairielearn``), cut to fit PrairieLearn's
size limit (``fit_prairielearn``), so both platforms' scores come from one builder.
"""
import json
import os
import tempfile
from pathlib import Path

MESSAGES = {
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
    "cut": "\n… [{count} more characters cut: the results must stay under PrairieLearn's 1 MB limit]",
}
# PrairieLearn refuses a results.json over 1 MiB (1,048,576 bytes); stay under it with room to spare.
PRAIRIELEARN_LIMIT_BYTES = 1_000_000


def part_output(part):
    """A part's feedback: its first line is the header (how many checks passed), then one line per failed case."""
    graded = [case for case in part.cases if not case.public]
    preview = [case for case in part.cases if case.public]
    lines = [MESSAGES["part_header"].format(passed=sum(case.passed for case in graded), total=len(graded))
             + (MESSAGES["preview_header"].format(passed=sum(case.passed for case in preview), total=len(preview))
                if preview else "")]
    for number, case in enumerate(part.cases, 1):
        if case.passed:
            continue
        lines.append(MESSAGES["case_line"].format(
            mark="✗", check=f"{case.function} ({case.check})", number=case.index + 1,
            hidden=MESSAGES["public"] if case.public else MESSAGES["hidden"], message=case.message))
    upstream = getattr(part, "upstream", ())
    if upstream:
        many = len(upstream) > 1
        lines.append(MESSAGES["upstream"].format(functions=", ".join(f"{name}()" for name in upstream),
                                                 it="each" if many else "it", its="their" if many else "its"))
    if getattr(part, "breaks", ()):
        lines.append(MESSAGES["breaks"].format(parts=", ".join(f"'{title}'" for title in part.breaks)))
    return "\n".join(lines)


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
    """The Gradescope results.json document for a Report."""
    tests = [test_entry(part.key, part.title, part.score, part.points, part_output(part), part.misconceptions)
             for part in report.parts]
    for test, part in zip(tests, report.parts):
        test["extra_data"].update(upstream=list(part.upstream), breaks=list(part.breaks))
    summary = MESSAGES["summary"].format(assignment=report.title, score=report.score, max_score=report.max_score)
    sandbox = getattr(report, "sandbox", None)  # the layers that confined the student, and any waiver
    return document(report.assignment, report.max_score, tests, summary, report.seconds,
                    **({"sandbox": sandbox} if sandbox else {}))


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


def _cut(text, cap):
    if len(text) <= cap:
        return text
    return text[:cap] + MESSAGES["cut"].format(count=len(text) - cap)


def fit_prairielearn(document, limit=PRAIRIELEARN_LIMIT_BYTES):
    """``document`` if its JSON text (as ``write_json_atomic`` writes it) fits in ``limit`` bytes; else a copy with
    the top-level output and every test's message and output cut to one length, halved until it fits, each cut
    saying so. The names and scores are never cut."""
    if len(json_text(document).encode("utf-8")) <= limit:
        return document
    fields = [document.get("output", "")] + [test.get(key, "") for test in document["tests"]
                                            for key in ("message", "output")]
    cap = max(len(text) for text in fields)
    while True:
        cap //= 2
        fitted = dict(document, output=_cut(document.get("output", ""), cap),
                      tests=[dict(test, message=_cut(test.get("message", ""), cap),
                                  output=_cut(test.get("output", ""), cap)) for test in document["tests"]])
        if cap == 0 or len(json_text(fitted).encode("utf-8")) <= limit:
            return fitted


def json_text(content):
    """The text every results file is written as."""
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def write_text_atomic(text, path):
    """Write a file so that a reader never sees half of it, even if this process is killed midway."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_json_atomic(content, path):
    """Write a JSON document atomically (see write_text_atomic)."""
    write_text_atomic(json_text(content), path)
