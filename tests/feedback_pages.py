"""Reading the summary at the top of a feedback page (grader/reports/feedback_summary.py) the way a reader sees it: the tests
of the summary and of the nbgrader round trips share it."""
import html
import re
from html.parser import HTMLParser


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


def read_summary(page):
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
