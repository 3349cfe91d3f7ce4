"""The summary at the top of a feedback page: what is wrong comes first.

nbgrader's feedback page is the whole graded notebook, and a part's failures sit far down it, in that part's grade
cell. ``nbgrader generate_feedback`` (through ``grader.adapters.nbgrader.feedback.FeedbackExporter``) therefore puts a summary in
front of the notebook's first cell: a table of every part's title, score and points (the gradebook's, so hand
grading shows), the total, and for each part that lost points its first failed check, the likely cause on a line of
its own, the functions to fix first (an integrated part) and a link to the part's grade cell on the same page.

Autograde (``GradeWithKit``) leaves what the summary needs in each grade cell's score output (``record``): the
part's first failure, cut from what the cell's messages say, and the functions to fix first. It is never more than
the cell shows, so a hidden case's expected values cannot reach the summary. Every piece of text is HTML-escaped
here: a message can quote a student's output or exception.

The summary is a raw ``text/html`` cell, inserted only into the page, never into the graded notebook or the
gradebook. nbconvert passes a raw cell through its ``clean_html`` filter (bleach), which escapes every tag it does
not allow, and the ``tbody`` its parser adds to any ``table``: the summary is ``div``, ``a`` and ``strong`` only,
laid out as a table by the feedback page's style sheet (``grader.adapters.nbgrader.feedback.FEEDBACK_CSS``).
"""
import html
from dataclasses import dataclass, field
from urllib.parse import quote

import nbformat

from .. import catalogues, text
from ..shipped import evaluation
from . import results

MESSAGES = text.table("feedback_summary", {
    "heading": "Summary",
    "all_passed": "Every part passed.",
    "lost": "{lost} of {total} parts lost points. Each one's first failed check is below; its title leads to its "
            "cell.",
    "part": "Part",
    "score": "Score",
    "first_failure": "What failed first",
    "passed": "passed",
    "by_hand": "graded by hand",
    "written": "Written question: {title}",
    "waiting": "waiting for a grader",
    "unanswered": "not answered",
    "see_cell": "See the part's cell.",
    "upstream": "Fix {functions} first: this part runs your whole network.",
    "late_penalty": "Late submission penalty",
    "total": "Total",
    "toc": "Every graded cell, in page order",
})
#: the key of the record in a grade cell's score output's metadata, and the summary cell's own id
RECORD_KEY = "nnkit"
SUMMARY_ID = "nnkit-summary"
#: where a written answer stands: a grader scored it, it waits for one, or it was left as released (autograde's 0)
WRITTEN_STATES = ("by_hand", "waiting", "unanswered")


# -- autograde: what each grade cell keeps for the summary -------------------------------------------------------
def record(failure=None, upstream=(), broken=()):
    """What a grade cell keeps for the summary: the part's first failure (``results.first_failure``, or
    ``{"message": ...}`` for a message of the grader's own), the functions to fix first, and the sentences of the
    modules that could not be imported (``evaluation.broken_module``) that this part needs."""
    return {"failure": failure, "upstream": list(upstream), "broken": list(broken)}


def part_record(test, broken=None):
    """The record of a graded part, from its entry in a results document (``results.to_results``); ``broken`` is
    the document's ``extra_data.broken`` ({module file: sentence}), of which the part keeps the files it needs."""
    extra = test.get("extra_data", {})
    broken = broken if isinstance(broken, dict) else {}
    return record(extra.get("first_failure"), extra.get("upstream", ()),
                  [broken[file] for file in extra.get("broken") or () if isinstance(broken.get(file), str)])


def message_record(message):
    """The record of a grade cell that holds one message of the grader's own (it could not run, unknown part)."""
    return record({"message": message, "cause": ""})


def read_record(cell):
    """The record a grade cell's score output holds, or {} (a notebook the kit did not grade)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "execute_result":
            found = output.get("metadata", {}).get(RECORD_KEY)
            if isinstance(found, dict):
                return found
    return {}


# -- generate_feedback: the rows and the page's summary ----------------------------------------------------------
@dataclass
class Row:
    """One grade cell in the summary: ``href`` leads to it, ``upstream`` is [(function, href or '')], ``state`` is a
    written answer's (WRITTEN_STATES)."""
    key: str
    title: str
    score: float
    points: float
    href: str
    written: bool = False
    state: str = "by_hand"
    failure: dict = None
    upstream: list = field(default_factory=list)
    broken: list = field(default_factory=list)  # the sentences of the modules it needs that could not be imported

    @property
    def lost(self):
        return not self.written and self.score < self.points


def anchor(cell):
    """The fragment that leads to a grade cell on nbgrader's feedback page: the ``cell-id=<id>`` id nbconvert gives a
    code cell, else the ``<a name="<grade_id>">`` that nbgrader's template puts before every grade cell (its
    markdown cells get no id)."""
    if cell.cell_type == "code" and cell.get("id"):
        return "#cell-id=" + quote(str(cell["id"]), safe="-_")
    return "#" + quote(str(cell.metadata["nbgrader"]["grade_id"]), safe="-_")


def _catalogue(assignment):
    """({grade_id: title} of the parts and written questions, {function: the unit part that checks it})."""
    try:
        spec = catalogues.load(assignment)
    except catalogues.UnknownAssignment:
        return {}, {}
    titles = {part.key: text.catalogue(spec.name, f"part:{part.key}", part.title) for part in spec.parts}
    titles.update({question.key: MESSAGES["written"].format(
        title=text.lookup(f"written:{spec.name}", f"{question.key}.title", question.title))
        for question in spec.written})
    checked = {}
    for part in spec.parts:
        if not part.integrated:
            for check in part.checks:
                checked.setdefault(check.function, part.key)
    return titles, checked


def rows(nb, grades, assignment):
    """The summary's rows, in notebook order: one per grade cell of ``nb`` that ``grades`` scores
    (``{grade_id: (score, max score, state)}``, from the gradebook; the state, one of WRITTEN_STATES, counts for a
    written answer only)."""
    titles, checked = _catalogue(assignment)
    found = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or meta.get("grade_id") not in grades:
            continue
        score, points, state = grades[meta["grade_id"]]
        written = bool(meta.get("solution"))
        kept = {} if written else read_record(cell)
        found.append(Row(meta["grade_id"], titles.get(meta["grade_id"], meta["grade_id"]), float(score or 0),
                         float(points or 0), anchor(cell), written, state, kept.get("failure"),
                         [(str(name), "") for name in kept.get("upstream") or ()],
                         [str(sentence) for sentence in kept.get("broken") or () if isinstance(sentence, str)]))
    hrefs = {row.key: row.href for row in found}
    for row in found:
        row.upstream = [(name, hrefs.get(checked.get(name), "")) for name, _ in row.upstream]
    return found


def _e(value):
    return html.escape(str(value), quote=True)


def _points(value):
    return f"{round(float(value), 2):g}"


def _link(href, label):
    """An escaped link, or the escaped label alone when there is nowhere to go."""
    return f'<a href="{_e(href)}">{_e(label)}</a>' if href else _e(label)


def _failure_line(failure):
    """The first failure as the part's cell shows it (without its likely cause), or the grader's own message."""
    if failure.get("function"):
        return results.case_line(failure["function"], failure.get("check", ""), failure.get("number", 1),
                                 bool(failure.get("public")), failure.get("message", ""))
    return failure.get("message") or MESSAGES["see_cell"]


def _what_failed(row):
    """The third column of a part that lost points: its first failure, its likely cause and what to fix first."""
    failure = row.failure if isinstance(row.failure, dict) else {}
    lines = [f'<div class="nnkit-failure">{_e(_failure_line(failure))}</div>']
    if failure.get("cause"):
        cause = evaluation.say("diagnosis", message=failure["cause"])
        lines.append(f'<div class="nnkit-cause">{_e(cause)}</div>')
    if row.upstream:
        functions = _e(results.MESSAGES["list_join"]).join(_link(href, f"{name}()") for name, href in row.upstream)
        lines.append(f'<div class="nnkit-upstream">{_e(MESSAGES["upstream"]).format(functions=functions)}</div>')
    return "".join(lines)


def _row_html(row):
    if row.lost:
        status, note = "nnkit-lost", _what_failed(row)
    elif row.written:
        status, note = "nnkit-written", _e(MESSAGES[row.state if row.state in WRITTEN_STATES else "by_hand"])
    else:
        status, note = "nnkit-passed", _e(MESSAGES["passed"])
    return _tr(status, _link(row.href, row.title), f"{_points(row.score)} / {_points(row.points)}", note)


def _tr(status, *cells):
    """A row of the summary's table, from its cells' HTML (already escaped)."""
    return f'<div class="nnkit-row {status}">' + "".join(f'<div class="nnkit-cell">{cell}</div>'
                                                          for cell in cells) + "</div>"


def render(found, score, max_score, late_penalty=0.0):
    """The summary's HTML: the verdict line, then the table of ``found`` (the rows) and the total, ``score`` out of
    ``max_score`` after ``late_penalty``, as the gradebook has them."""
    parts = [row for row in found if not row.written]
    lost = [row for row in parts if row.lost]
    verdict = MESSAGES["lost"].format(lost=len(lost), total=len(parts)) if lost else MESSAGES["all_passed"]
    table = [_tr("nnkit-head", *(_e(MESSAGES[key]) for key in ("part", "score", "first_failure")))]
    table += [_row_html(row) for row in found]
    if late_penalty:
        table.append(_tr("nnkit-late", _e(MESSAGES["late_penalty"]), f"-{_points(late_penalty)}", ""))
    table.append(_tr("nnkit-total", f"<strong>{_e(MESSAGES['total'])}</strong>",
                     f"<strong>{_points(score)} / {_points(max_score)}</strong>", ""))
    broken = list(dict.fromkeys(sentence for row in found for sentence in row.broken))  # each module once
    return (f'<div id="{SUMMARY_ID}" class="nnkit-summary">'
            f'<div class="nnkit-heading"><strong>{_e(MESSAGES["heading"])}</strong></div>'
            + "".join(f'<div class="nnkit-broken"><strong>{_e(sentence)}</strong></div>' for sentence in broken) +
            f'<div class="nnkit-verdict">{_e(verdict)}</div>'
            f'<div class="nnkit-table">{"".join(table)}</div></div>')


def cell(summary_html):
    """The raw HTML cell that holds the summary, to be the feedback notebook's first cell."""
    made = nbformat.v4.new_raw_cell(summary_html, metadata={"raw_mimetype": "text/html",
                                                            RECORD_KEY: {"summary": True}})
    made["id"] = SUMMARY_ID
    return made
