"""Gradescope's results.json, the one format every path writes: CLI, grade-all, nbgrader cells, Gradescope."""
import json
import os
import tempfile
from pathlib import Path

MESSAGES = {
    "summary": "{assignment}: {score:g} / {max_score:g} points",
    "part_header": "{passed} of {total} checks passed",
    "case_line": "{mark} {check} #{number}{hidden}: {message}",
    "hidden": " (hidden case)",
}


def part_output(part):
    passed = sum(case.passed for case in part.cases)
    lines = [MESSAGES["part_header"].format(passed=passed, total=len(part.cases))]
    for number, case in enumerate(part.cases, 1):
        if case.passed:
            continue
        lines.append(MESSAGES["case_line"].format(
            mark="✗", check=f"{case.function} ({case.check})", number=case.index + 1,
            hidden="" if case.public else MESSAGES["hidden"], message=case.message))
    return "\n".join(lines)


def to_results(report):
    """The Gradescope results.json document for a Report."""
    tests = []
    for part in report.parts:
        tests.append({
            "name": part.title,
            "score": part.score,
            "max_score": part.points,
            "status": "passed" if part.score >= part.points else "failed",
            "output": part_output(part),
            "visibility": "visible",
            "extra_data": {"part": part.key, "misconceptions": part.misconceptions},
        })
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": MESSAGES["summary"].format(assignment=report.title, score=report.score,
                                             max_score=report.max_score),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"assignment": report.assignment, "max_score": report.max_score},
    }


def write_json_atomic(document, path):
    """Write JSON so that a reader never sees half a file, even if this process is killed midway."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(tmp, path)
