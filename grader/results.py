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
    summary = MESSAGES["summary"].format(assignment=report.title, score=report.score, max_score=report.max_score)
    return document(report.assignment, report.max_score, tests, summary, report.seconds)


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
    write_text_atomic(json.dumps(content, indent=2, ensure_ascii=False) + "\n", path)
