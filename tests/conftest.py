"""Shared fixtures: real submissions built from the solutions, and an environment for the real CLIs."""
import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader import catalogues, paths, reference_cache

ROOT = paths.ROOT


cli_env = paths.tool_env


def solution_anchor(assignment, module, function):
    """The ``### BEGIN SOLUTION`` line of ``function`` in a solution module: code inserted after it runs first."""
    lines = (paths.SOLUTIONS / assignment / f"{module}.py").read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}("))
    return next(line for line in lines[start:] if "### BEGIN SOLUTION" in line)


def part_of(report, key):
    """The PartResult with this key."""
    return next(part for part in report.parts if part.key == key)


def make_submission(folder, assignment, edits=None, stub=False, extra_files=None):
    """Build a submission folder of ``assignment`` in ``folder`` and return it.

    It holds the solution modules (or the untouched stubs with ``stub=True``), then ``edits`` are applied:
    {"module.py": [(old, new), ...]} replaces text, each ``old`` must occur exactly once; {"module.py": "source"}
    replaces the whole file. ``extra_files`` {"name": "text"} adds files a student might add.
    """
    spec = catalogues.load(assignment)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = (paths.ASSIGNMENTS if stub else paths.SOLUTIONS) / assignment
    for module in spec.modules:
        shutil.copyfile(source / f"{module}.py", folder / f"{module}.py")
    for name, change in (edits or {}).items():
        target = folder / name
        if isinstance(change, str):
            target.write_text(change, encoding="utf-8")
            continue
        text = target.read_text(encoding="utf-8")
        for old, new in change:
            assert text.count(old) == 1, f"edit target occurs {text.count(old)} times in {name}: {old!r}"
            text = text.replace(old, new)
        target.write_text(text, encoding="utf-8")
    for name, text in (extra_files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def submission(tmp_path):
    """``submission(assignment, edits=None, stub=False, extra_files=None, name='student')`` -> folder."""
    def build(assignment, edits=None, stub=False, extra_files=None, name="student"):
        return make_submission(tmp_path / name / assignment, assignment, edits, stub, extra_files)
    return build


@pytest.fixture(scope="session", autouse=True)
def private_reference_cache(tmp_path_factory):
    """Every test session (each xdist worker) and the CLIs it starts use a reference cache of their own, never the
    user's: the suite always builds its references from scratch once."""
    os.environ[reference_cache.VARIABLE] = str(tmp_path_factory.mktemp("reference-cache"))


# -- a feedback page's summary (grader/feedback_summary.py) ---------------------------------------------------------
class _SummaryReader(HTMLParser):
    """Reads the summary div of a feedback page: its verdict, and each row's cells with their text and links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.verdict, self.rows, self.where = 0, "", [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and (self.depth or attrs.get("id") == "nnkit-summary"):
            self.depth += 1
            if "nnkit-row" in classes:
                self.rows.append({"status": [c for c in classes if c != "nnkit-row"][0], "cells": []})
            elif "nnkit-cell" in classes:
                self.rows[-1]["cells"].append({"text": "", "links": [], "lines": {}})
            self.where = next((c[len("nnkit-"):] for c in classes if c.startswith("nnkit-")), None)
        elif tag == "a" and self.depth and self.rows:
            self.rows[-1]["cells"][-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1
            self.where = None

    def handle_data(self, data):
        if not self.depth:
            return
        if self.where == "verdict":
            self.verdict += data
        elif self.rows and self.rows[-1]["cells"]:
            cell = self.rows[-1]["cells"][-1]
            cell["text"] += data
            if self.where in ("failure", "cause", "upstream"):
                cell["lines"][self.where] = cell["lines"].get(self.where, "") + data


def feedback_summary(page):
    """The summary of a feedback page's HTML: ``{"start", "verdict", "rows", "late", "total"}``. Each row is
    ``{"status", "title", "href", "score", "points", "note", "failure", "cause", "upstream", "links"}``; ``start`` is
    where the summary begins in the page, ``late`` the late penalty, ``total`` the total row's (score, points)."""
    start = page.find('id="nnkit-summary"')
    assert start >= 0, "the page has no summary"
    reader = _SummaryReader()
    reader.feed(page[page.rfind("<div", 0, start):])
    rows, late = [], 0.0
    for row in reader.rows[1:]:  # the first is the header
        title, score, note = row["cells"]
        if row["status"] == "nnkit-late":
            late = -float(score["text"])
            continue
        got, points = (float(value) for value in score["text"].split(" / "))
        rows.append({"status": row["status"], "title": title["text"], "href": (title["links"] or [None])[0],
                     "score": got, "points": points, "note": note["text"], "links": note["links"],
                     **{key: note["lines"].get(key, "") for key in ("failure", "cause", "upstream")}})
    total = rows.pop()
    return {"start": start, "verdict": reader.verdict, "rows": rows, "late": late,
            "total": (total["score"], total["points"])}


def link_targets(page):
    """Every fragment a link in ``page`` can lead to: the ``id`` of any element and the ``name`` of any ``a``."""
    return {html.unescape(value) for value in re.findall(r'\bid="([^"]*)"', page)} | \
        {html.unescape(value) for value in re.findall(r'<a\s+name="([^"]*)"', page)}
