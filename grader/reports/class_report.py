"""The instructor's class report: one self-contained HTML page from a folder of Gradescope results JSON.

``python -m grader report --assignment NAME --out class_report.html RESULTS_DIR`` reads every ``<student>.json``
(as ``grader/reports/results.py`` writes them) and shows the score distribution, each part's pass rate and mean score, and
how many students hit each diagnosed misconception, with its catalogue message.

With ``--gradebook gradebook.db`` (nbgrader's gradebook) it also shows the written answers that are graded by hand:
each question's graded count, how many still wait for a grader, and its mean, and each student's written scores and
total (autograded points from the results files, written points from the gradebook). Without it, the page says that
written points exist and are left out.

The page holds only scores, part and question titles, misconception keys and messages, and student names. It never
copies the tests' output text, which can quote expected values of hidden cases, nor an answer or a rubric. Every
piece of text that comes from a results file or the gradebook (student names, part keys, misconception keys) is
escaped.
"""
import base64
import html
import io
import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from .. import catalogues, text
from ..shipped import evaluation, wire
from . import results

FULL_MARKS_SLACK = 1e-6
HTML_LANG = {"zh": "zh-CN"}

MESSAGES = text.table("class_report", {
    "no_results": "results folder {path} does not exist: the report reads the results grade-all writes, so run "
                  "`nnkit grade-all --assignment {assignment} --results-dir {path} submitted/` first",
    "page_title": "Class report: {title}",
    "summary": "{count} students graded. Mean {mean:.2f}, median {median:.2f}, out of {max_score:g} points.",
    "summary_total": "{count} students graded. Mean total {mean:.2f}, median {median:.2f}, out of {max_score:g} "
                     "points: {auto:g} autograded and {written:g} for written answers graded by hand.",
    "written": "Written answers, graded by hand",
    "written_left_out": "This assignment also has {count} written questions worth {points:g} points, graded by hand "
                        "in nbgrader. They are not in this report: run it with --gradebook gradebook.db to add them.",
    "written_pending": "{count} written answers still wait for a grader.",
    "written_pending_one": "1 written answer still waits for a grader.",
    "written_done": "Every answered written question has been graded by hand.",
    "written_none_answered": "Nobody answered a written question: there is nothing to grade by hand.",
    "written_states": "Of {count} answers: {by_hand} graded by hand, {waiting} still to grade, {blank} left blank "
                      "(scored 0 automatically, by autograde: no one graded them).",
    "question": "Question",
    "graded": "Graded by hand",
    "blank": "Blank (0 automatically)",
    "to_grade": "Still to grade",
    "to_grade_cell": "to grade",
    "autograded": "Autograded",
    "nobody": "No results files were found in {folder}.",
    "distribution": "Score distribution",
    "histogram_x": "total score (out of {max_score:g})",
    "histogram_y": "students",
    "mean": "mean {value:.2f}",
    "median": "median {value:.2f}",
    "histogram_alt": "Histogram of the total scores of {count} students, out of {max_score:g} points: mean "
                     "{mean:.2f}, median {median:.2f}, lowest {low:g}, highest {high:g}.",
    "histogram_alt_empty": "An empty histogram: no student was graded.",
    "parts": "Parts",
    "part": "Part",
    "points": "Points",
    "full_marks": "Full marks",
    "mean_score": "Mean score",
    "misconceptions": "Diagnosed misconceptions",
    "misconceptions_help": "Ranked by how many students hit each one; a student counts once per misconception, "
                           "however many cases reproduced it.",
    "misconceptions_none_hit": "No student hit any of the {count} misconceptions the catalogue diagnoses.",
    "misconceptions_unhit": "{count} more misconceptions the catalogue diagnoses, that no student hit",
    "misconception": "Misconception",
    "message": "What the student read",
    "where": "Where",
    "students": "Students",
    "who": "Who",
    "unknown_misconception": "(not in the current catalogue)",
    "unknown_part": "(not in the current catalogue)",
    "no_misconceptions": "The catalogue defines no misconceptions for this assignment.",
    "per_student": "Scores by student",
    "grid_help": "Each row is a student, each numbered column a part (its number is in the Parts table), each W "
                 "column a written question (in the written answers' table); the cell gives the student's points.",
    "written_number": "W{number}",
    "heat_full": "full marks",
    "heat_some": "some points",
    "heat_none": "no points",
    "legend": "Colours:",
    "number": "#",
    "student": "Student",
    "total": "Total",
    "skipped": "Files not counted",
    "file": "File",
    "reason": "Reason",
    "bad_json": "not valid JSON: {detail}",
    "not_results": "not a Gradescope results document (no score or tests)",
    "other_assignment": "results of {other}, not {assignment}",
    "wrote": "wrote {path}",
    "similarity": "Similar code to review",
    "similarity_none": "nnkit similarity compared {students} students and found no pair that shares unusually "
                       "much code.",
    "similarity_found": "nnkit similarity compared {students} students: {pairs} pairs share unusually much code. "
                        "Review them on its page, which shows the shared passages side by side.",
    "similarity_link": "Open the similarity report",
    "similarity_bad": "The similarity summary {path} could not be read ({detail}).",
    "pair": "Pair",
    "share": "Shared share",
})

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 60em;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.none td { color: #595959; }
td.who, th.who { min-width: 9em; }
table.grid td.heat { text-align: center; min-width: 2.4em; font-variant-numeric: tabular-nums; }
table.grid th, table.grid td.num, table.grid td.heat { white-space: nowrap; }
.heat-full { background: #c9ebd2; } .heat-some { background: #fbe2ac; } .heat-none { background: #f7cdc8; }
p.legend span.swatch { display: inline-block; padding: 0 0.5em; margin: 0 0.4em 0 0.2em; border: 1px solid #bbb; }
details.unhit summary { cursor: pointer; } details.unhit li { margin: 0.2em 0; }
.bar { display: inline-block; height: 0.8em; background: #6a5acd; vertical-align: middle; margin-right: 0.4em; }
code { background: #f4f4f4; padding: 0 0.2em; }
img { max-width: 100%; }
"""


@dataclass
class Student:
    name: str
    score: float                                # the autograded score, from the results file
    parts: dict                                 # part key -> score
    misconceptions: set = field(default_factory=set)
    written: dict = field(default_factory=dict)  # question key -> hand-given score, or None while ungraded
    states: dict = field(default_factory=dict)  # question key -> "by_hand", "waiting" or "unanswered"

    @property
    def total(self):
        """The autograded score plus every written score given so far."""
        return self.score + sum(value for value in self.written.values() if value is not None)


@dataclass
class Summary:
    assignment: object                          # the catalogue's Assignment
    students: list
    skipped: list                               # (file name, reason)
    parts: list = field(default_factory=list)   # (key, title, points, full-marks share, mean score, known)
    misconceptions: list = field(default_factory=list)  # (key, message, where, [student names], known)
    with_written: bool = False                  # written scores were read from a gradebook
    # (key, title, points, graded by hand, still to grade, mean of those graded by hand, blank: scored 0 by autograde)
    written: list = field(default_factory=list)

    @property
    def max_score(self):
        return self.assignment.total_points if self.with_written else self.assignment.max_score

    def totals(self):
        return [student.total if self.with_written else student.score for student in self.students]


# -- reading -----------------------------------------------------------------------------------------------------
def _number(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def read_student(path, assignment):
    """(Student, '') from one results file, or (None, reason) when it cannot be counted."""
    try:
        document = wire.valid_texts(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, MESSAGES["bad_json"].format(detail=str(exc)[:120])
    if not isinstance(document, dict) or _number(document.get("score")) is None \
            or not isinstance(document.get("tests"), list):
        return None, MESSAGES["not_results"]
    extra = document.get("extra_data") if isinstance(document.get("extra_data"), dict) else {}
    other = extra.get("assignment")
    if other is not None and other != assignment.name:
        return None, MESSAGES["other_assignment"].format(other=other, assignment=assignment.name)
    titles = {title: part.key for part in assignment.parts
              for title in (part.title, text.catalogue(assignment.name, f"part:{part.key}", part.title))}
    parts, misconceptions = {}, set()
    for test in document["tests"]:
        if not isinstance(test, dict):
            continue
        data = test.get("extra_data") if isinstance(test.get("extra_data"), dict) else {}
        key = data.get("part")
        if not isinstance(key, str):
            key = titles.get(test.get("name"))
        if not isinstance(key, str):
            continue
        parts[key] = parts.get(key, 0.0) + (_number(test.get("score")) or 0.0)
        found = data.get("misconceptions")
        if isinstance(found, list):
            misconceptions.update(item for item in found if isinstance(item, str))
    return Student(Path(path).stem, float(document["score"]), parts, misconceptions), ""


def summarise(assignment_name, results_dir, written=None, states=None):
    """Read every ``*.json`` of ``results_dir`` and compute the class figures; with ``written``, the written scores
    of nbgrader's gradebook as {student: {question key: points, or None while it waits for a grader}}, add each
    student's written scores. A student ``written`` does not have counts as waiting for a grader on every written
    question. ``states`` ({student: {question key: "by_hand", "waiting" or "unanswered"}}, nbgrader.gradebook's
    ``gradebook_written_states``) tells an answer left blank, which autograde scored 0 by itself, from one a grader
    scored; without it, every scored answer counts as graded by hand."""
    assignment = catalogues.load(assignment_name)
    students, skipped = [], []
    for path in sorted(Path(results_dir).glob("*.json")):
        student, reason = read_student(path, assignment)
        if student is None:
            skipped.append((path.name, reason))
        else:
            students.append(student)
    summary = Summary(assignment, students, skipped)
    if written is not None:
        given = written
        summary.with_written = True
        for student in students:
            scores = given.get(student.name, {})
            student.written = {question.key: scores.get(question.key) for question in assignment.written}
            told = (states or {}).get(student.name, {})
            student.states = {key: "waiting" if value is None else told.get(key, "by_hand")
                              for key, value in student.written.items()}
        for question in assignment.written:
            by_hand = [student.written[question.key] for student in students
                       if student.states[question.key] == "by_hand"]
            blank = sum(student.states[question.key] == "unanswered" for student in students)
            waiting = sum(student.states[question.key] == "waiting" for student in students)
            title = text.lookup(f"written:{assignment.name}", f"{question.key}.title", question.title)
            summary.written.append((question.key, title, question.points, len(by_hand), waiting,
                                    sum(by_hand) / len(by_hand) if by_hand else None, blank))
    count = len(students)
    name = assignment.name
    keys = [(part.key, text.catalogue(name, f"part:{part.key}", part.title), part.points, True)
            for part in assignment.parts]
    known = {part.key for part in assignment.parts}
    extra = sorted({key for student in students for key in student.parts} - known)
    keys += [(key, MESSAGES["unknown_part"], None, False) for key in extra]
    for key, title, points, in_catalogue in keys:
        scores = [student.parts.get(key, 0.0) for student in students]
        full = sum(points is not None and score >= points - FULL_MARKS_SLACK for score in scores)
        summary.parts.append((key, title, points, full / count if count else 0.0,
                              sum(scores) / count if count else 0.0, in_catalogue))

    hits = {}
    for student in students:
        for key in student.misconceptions:
            hits.setdefault(key, []).append(student.name)
    defined = {}  # key -> (first message, [where it is checked]); one key can be diagnosed by several checks
    for part in assignment.parts:
        for check in part.checks:
            for misconception in check.misconceptions:
                message, places = defined.setdefault(misconception.key, (text.misconception(
                    name, part.key, misconception.key, misconception.message), []))
                place = f"{text.catalogue(name, f'part:{part.key}', part.title)}: {check.function}"
                if place not in places:
                    places.append(place)
    # The grader's own diagnoses, which any check can make: an argument changed in place, a loss clipped too high.
    for key in (evaluation.IN_PLACE, evaluation.CLIPPED_HIGH):
        if key in hits and key not in defined:
            defined[key] = (evaluation.say(key), [])
    listed = set(defined)
    for key, (message, places) in defined.items():
        summary.misconceptions.append((key, message, "; ".join(places), sorted(hits.get(key, [])), True))
    for key in sorted(set(hits) - listed):
        summary.misconceptions.append((key, MESSAGES["unknown_misconception"], "", sorted(hits[key]), False))
    summary.misconceptions.sort(key=lambda row: -len(row[3]))  # stable: catalogue order among equal counts
    return summary


# -- drawing -----------------------------------------------------------------------------------------------------
def histogram_figure(scores, max_score):
    """The matplotlib Figure of the total scores' histogram. Its legend (the mean and median lines) sits above the
    axes, so it covers no bar."""
    bins = int(min(20, max(5, round(max_score)))) if max_score > 0 else 5
    edges = np.linspace(0.0, max(max_score, 1e-9), bins + 1)
    fig = Figure(figsize=(7.0, 3.4), dpi=80)
    ax = fig.subplots()
    clipped = np.clip(np.asarray(scores, dtype=np.float64), 0.0, max_score)
    ax.hist(clipped, bins=edges, color="#6a5acd", edgecolor="white")
    if len(scores):
        for value, style, label in ((statistics.mean(scores), "-", "mean"),
                                    (statistics.median(scores), "--", "median")):
            ax.axvline(value, color="black", linestyle=style, linewidth=1.2,
                       label=MESSAGES[label].format(value=value))
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=2, fontsize=9, frameon=False,
                  borderaxespad=0.0)
    ax.set_xlim(0.0, max_score if max_score > 0 else 1.0)
    ax.set_xlabel(MESSAGES["histogram_x"].format(max_score=max_score))
    ax.set_ylabel(MESSAGES["histogram_y"])
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def histogram_png(scores, max_score):
    """A PNG histogram of the total scores, as bytes."""
    buffer = io.BytesIO()
    histogram_figure(scores, max_score).savefig(buffer, format="png")
    return buffer.getvalue()


def _histogram(scores, max_score):
    from . import plots
    with plots.fonts():
        return histogram_png(scores, max_score)


# -- writing -----------------------------------------------------------------------------------------------------
def _e(value):
    return html.escape(str(value), quote=True)


def _bar(share):
    return f'<span class="bar" style="width:{max(0.0, min(1.0, share)) * 6:.2f}em"></span>'


def _score(value):
    return f"{value:.2f}".rstrip("0").rstrip(".") if value == value else "nan"


def _written_section(summary):
    assignment = summary.assignment
    if not assignment.written:
        return []
    out = [f"<h2>{_e(MESSAGES['written'])}</h2>"]
    if not summary.with_written:
        line = MESSAGES["written_left_out"].format(count=len(assignment.written), points=assignment.written_points)
        return out + [f"<p>{_e(line)}</p>"]
    waiting = sum(row[4] for row in summary.written)
    by_hand = sum(row[3] for row in summary.written)
    blank = sum(row[6] for row in summary.written)
    if waiting:
        line = MESSAGES["written_pending_one"] if waiting == 1 else MESSAGES["written_pending"].format(count=waiting)
    else:
        line = MESSAGES["written_done"] if by_hand else MESSAGES["written_none_answered"]
    states = MESSAGES["written_states"].format(count=waiting + by_hand + blank, by_hand=by_hand, waiting=waiting,
                                               blank=blank)
    out.append(f'<p class="written-state">{_e(line)} {_e(states)}</p>')
    out.append("<table><tr>" + "".join(f'<th scope="col">{_e(MESSAGES[h])}</th>' for h in
                                       ("number", "question", "points", "graded", "to_grade", "blank", "mean_score"))
               + "</tr>")
    for number, (key, title, points, graded, to_grade, mean, blank_count) in enumerate(summary.written, start=1):
        out.append(f'<tr data-written="{_e(key)}"><td class="num">{_e(MESSAGES["written_number"].format(number=number))}'
                   f'</td><td>{_e(title)} <code>{_e(key)}</code></td>'
                   f'<td class="num">{_e(_score(points))}</td><td class="num graded">{graded}</td>'
                   f'<td class="num to-grade">{to_grade}</td><td class="num blank">{blank_count}</td>'
                   f'<td class="num mean">{_e(_score(mean) if mean is not None else "")}</td></tr>')
    out.append("</table>")
    return out


def _heat(score, points):
    """The heat map class of a part's cell: full marks, some points, or none."""
    if points is not None and score >= points - FULL_MARKS_SLACK:
        return "heat-full"
    return "heat-some" if score > FULL_MARKS_SLACK else "heat-none"


def _student_row(summary, student):
    cells = [f'<th scope="row">{_e(student.name)}</th>']
    if summary.with_written:
        cells.append(f'<td class="num total">{_e(_score(student.total))}</td>')
    cells.append(f'<td class="num auto">{_e(_score(student.score))}</td>')
    for key, _title, points, *_ in summary.parts:
        score = student.parts.get(key, 0.0)
        cells.append(f'<td class="heat {_heat(score, points)}" data-part="{_e(key)}">{_e(_score(score))}</td>')
    for key, *_ in summary.written:
        value = student.written.get(key)
        shown = MESSAGES["to_grade_cell"] if value is None else _score(value)
        cells.append(f'<td class="num" data-written="{_e(key)}">{_e(shown)}</td>')
    cells.append(f"<td>{_e(', '.join(sorted(student.misconceptions)))}</td>")
    return "<tr>" + "".join(cells) + "</tr>"


def _students_section(summary):
    """The students x parts grid, open, first on the page: who is stuck where, each cell coloured by its points."""
    heads = [MESSAGES["student"]] + ([MESSAGES["total"], MESSAGES["autograded"]] if summary.with_written
                                     else [MESSAGES["total"]])
    out = [f"<h2>{_e(MESSAGES['per_student'])}</h2>", f"<p>{_e(MESSAGES['grid_help'])}</p>",
           '<table class="grid"><thead><tr>' + "".join(f'<th scope="col">{_e(head)}</th>' for head in heads)]
    for number, (key, title, *_rest) in enumerate(summary.parts, start=1):
        out.append(f'<th scope="col" data-part="{_e(key)}"><abbr title="{_e(title)}">{number}</abbr></th>')
    out += [f'<th scope="col" data-written="{_e(key)}"><abbr title="{_e(title)}">{_e(MESSAGES["written_number"].format(number=number))}'
            "</abbr></th>" for number, (key, title, *_rest) in enumerate(summary.written, start=1)]
    out.append(f'<th scope="col">{_e(MESSAGES["misconceptions"])}</th></tr></thead><tbody>')
    for student in sorted(summary.students, key=lambda s: s.name):
        out.append(_student_row(summary, student))
    out.append("</tbody></table>")
    swatches = "".join(f'<span class="swatch {kind}">{_e(MESSAGES[kind.replace("-", "_")])}</span>'
                       for kind in ("heat-full", "heat-some", "heat-none"))
    out.append(f'<p class="legend">{_e(MESSAGES["legend"])}{swatches}</p>')
    return out


def _misconceptions_section(summary):
    """The misconceptions students hit, most students first; those nobody hit folded into one closed list."""
    out = [f"<h2>{_e(MESSAGES['misconceptions'])}</h2>"]
    if not summary.misconceptions:
        return out + [f"<p>{_e(MESSAGES['no_misconceptions'])}</p>"]
    hit = [row for row in summary.misconceptions if row[3]]
    unhit = [row for row in summary.misconceptions if not row[3]]
    count = len(summary.students)
    if hit:
        out.append(f"<p>{_e(MESSAGES['misconceptions_help'])}</p>")
        out.append('<table class="misconceptions"><tr>' + "".join(
            f'<th scope="col" class="{h}">{_e(MESSAGES[h])}</th>'
            for h in ("misconception", "message", "where", "students", "who")) + "</tr>")
        for key, message, where, names, _known in hit:
            share = len(names) / count if count else 0.0
            out.append(f'<tr data-misconception="{_e(key)}"><td><code>{_e(key)}</code></td>'
                       f"<td>{_e(message)}</td><td>{_e(where)}</td>"
                       f'<td class="num count">{len(names)} ({share:.0%})</td>'
                       f'<td class="who">{_e(", ".join(names))}</td></tr>')
        out.append("</table>")
    else:
        out.append(f"<p>{_e(MESSAGES['misconceptions_none_hit'].format(count=len(unhit)))}</p>")
    if unhit:
        out.append(f'<details class="unhit"><summary>{_e(MESSAGES["misconceptions_unhit"].format(count=len(unhit)))}'
                   "</summary><ul>")
        out += [f'<li data-misconception="{_e(key)}"><code>{_e(key)}</code>: {_e(message)}</li>'
                for key, message, _where, _names, _known in unhit]
        out.append("</ul></details>")
    return out


def _similarity_section(similarity):
    """The section that summarises ``nnkit similarity``'s findings and links to its page: ``similarity`` is
    (summary dict, link to the page) or (None, a line saying why it could not be read). Names only, never code."""
    found, link = similarity
    out = [f"<h2>{_e(MESSAGES['similarity'])}</h2>"]
    if found is None:
        return out + [f"<p>{_e(link)}</p>"]
    pairs = [pair for pair in found.get("pairs", []) if isinstance(pair, dict)]
    students = found.get("students", 0)
    line = MESSAGES["similarity_found"].format(students=students, pairs=len(pairs)) if pairs \
        else MESSAGES["similarity_none"].format(students=students)
    out.append(f'<p>{_e(line)} <a href="{_e(link)}">{_e(MESSAGES["similarity_link"])}</a></p>')
    if pairs:
        out.append(f'<table><thead><tr><th scope="col">{_e(MESSAGES["pair"])}</th>'
                   f'<th scope="col">{_e(MESSAGES["students"])}</th><th scope="col">{_e(MESSAGES["share"])}</th>'
                   "</tr></thead><tbody>")
        for number, pair in enumerate(pairs, start=1):
            share = max(_number(pair.get("share_a")) or 0.0, _number(pair.get("share_b")) or 0.0)
            out.append(f'<tr data-similar="{number}"><td class="num">{number}</td>'
                       f"<td>{_e(pair.get('a', ''))}, {_e(pair.get('b', ''))}</td>"
                       f'<td class="num">{share:.0%}</td></tr>')
        out.append("</tbody></table>")
    return out


def read_similarity(path, out_html):
    """(summary dict, link from ``out_html`` to its page), or (None, why not) for ``_similarity_section``."""
    import os
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(found, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, MESSAGES["similarity_bad"].format(path=path, detail=str(exc)[:120])
    page = Path(path).parent / os.path.basename(str(found.get("html", "similarity.html")))
    return found, os.path.relpath(page, Path(out_html).parent)


def render(summary, folder_label="", similarity=None):
    """The HTML page for a Summary; with ``similarity`` (``read_similarity``'s), a section on similar code."""
    assignment = summary.assignment
    students = summary.students
    max_score = summary.max_score
    title = text.catalogue(assignment.name, "title", assignment.title)
    lang = HTML_LANG.get(text.current(), text.current())
    out = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
           f"<title>{_e(MESSAGES['page_title'].format(title=title))}</title>",
           f"<style>{STYLE}</style></head><body><main>",
           f"<h1>{_e(MESSAGES['page_title'].format(title=title))}</h1>"]
    scores = summary.totals()
    if students:
        line = MESSAGES["summary_total" if summary.with_written else "summary"].format(
            count=len(students), mean=statistics.mean(scores), median=statistics.median(scores), max_score=max_score,
            auto=assignment.max_score, written=assignment.written_points)
        out.append(f"<p>{_e(line)}</p>")
    else:
        out.append(f"<p>{_e(MESSAGES['nobody'].format(folder=folder_label))}</p>")

    if students:
        out += _students_section(summary)
    out += _misconceptions_section(summary)

    out.append(f"<h2>{_e(MESSAGES['distribution'])}</h2>")
    image = base64.b64encode(_histogram(scores, max_score)).decode("ascii")
    alt = _e(MESSAGES["histogram_alt"].format(count=len(scores), max_score=max_score, mean=statistics.mean(scores),
                                              median=statistics.median(scores), low=min(scores), high=max(scores))
             if scores else MESSAGES["histogram_alt_empty"])
    out.append(f'<img src="data:image/png;base64,{image}" alt="{alt}">')

    out.append(f"<h2>{_e(MESSAGES['parts'])}</h2>")
    out.append("<table><tr>" + "".join(f'<th scope="col">{_e(MESSAGES[h])}</th>' for h in
                                       ("number", "part", "points", "full_marks", "mean_score")) + "</tr>")
    for number, (key, title, points, share, mean, _known) in enumerate(summary.parts, start=1):
        out.append(f'<tr data-part="{_e(key)}"><td class="num">{number}</td><td>{_e(title)} <code>{_e(key)}</code></td>'
                   f'<td class="num">{_e(_score(points) if points is not None else "")}</td>'
                   f'<td class="num full">{_bar(share)}{share:.0%}</td>'
                   f'<td class="num mean">{_e(_score(mean))}</td></tr>')
    out.append("</table>")

    out += _written_section(summary)

    if similarity is not None:
        out += _similarity_section(similarity)

    if summary.skipped:
        out.append(f"<h2>{_e(MESSAGES['skipped'])}</h2><table><tr><th scope=\"col\">{_e(MESSAGES['file'])}</th>"
                   f"<th scope=\"col\">{_e(MESSAGES['reason'])}</th></tr>")
        for name, reason in summary.skipped:
            out.append(f"<tr><td>{_e(name)}</td><td>{_e(reason)}</td></tr>")
        out.append("</table>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def main(assignment, results_dir, out_html, written=None, similarity=None, states=None):
    """Write the class report of ``assignment`` from ``results_dir``'s results JSON (and, with ``written``, the
    written scores of nbgrader's gradebook: see summarise; with ``similarity``, the summary ``nnkit similarity``
    wrote; ``states``: see summarise) to ``out_html``."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise NotADirectoryError(MESSAGES["no_results"].format(path=results_dir, assignment=assignment))
    summary = summarise(assignment, results_dir, written, states)
    out_html = Path(out_html)
    found = read_similarity(similarity, out_html) if similarity is not None else None
    results.write_text_atomic(render(summary, str(results_dir), found), out_html)
    print(MESSAGES["wrote"].format(path=out_html))
    return out_html
