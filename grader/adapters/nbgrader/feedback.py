"""``nbgrader generate_feedback``: ``FeedbackExporter`` is its HTML exporter, with nbgrader's feedback template made
self-contained (no MathJax from a CDN), so a page opens offline with no console errors, and a content security
policy that lets no script run. Each page starts with a summary of what is wrong (``FeedbackSummary``,
``grader.reports.feedback_summary``), from the gradebook's scores.
"""
import html
import json
import re
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from traitlets import Unicode

from ... import text
from ...reports import feedback_summary
from .preprocessor import KitPreprocessor

FEEDBACK_CSS = """<style type="text/css">
div.output_area pre, div.output_subarea pre { white-space: pre-wrap; overflow-wrap: break-word; }
div.output_png img { max-width: 100%; height: auto; }
div.nnkit-summary { margin: 0 0 1.5em; padding: 0.6em 0.8em; border: 1px solid #ddd; border-radius: 4px; }
div.nnkit-heading { font-size: 1.2em; margin-bottom: 0.3em; }
div.nnkit-verdict { margin-bottom: 0.6em; }
div.nnkit-broken { margin: 0.4em 0 0.6em; padding: 0.4em 0.6em; border-left: 4px solid #b3261e; background: #fdf3f2;
                   white-space: pre-wrap; overflow-wrap: anywhere; }
div.nnkit-table { display: table; border-collapse: collapse; width: 100%; }
div.nnkit-row { display: table-row; }
div.nnkit-cell { display: table-cell; padding: 0.25em 0.6em; border-top: 1px solid #eee; vertical-align: top; }
div.nnkit-cell:nth-child(2) { white-space: nowrap; }
div.nnkit-head div.nnkit-cell { font-weight: bold; border-top: none; }
div.nnkit-lost div.nnkit-cell:nth-child(2) { color: #b3261e; }
div.nnkit-lost div.nnkit-cell:nth-child(2)::before { content: "\\2717\\00a0"; }
div.nnkit-passed div.nnkit-cell:nth-child(3)::before { content: "\\2713\\00a0"; }
div.nnkit-failure, div.nnkit-cause, div.nnkit-upstream { white-space: pre-wrap; overflow-wrap: anywhere; }
div.nnkit-cause { font-weight: bold; }
div#toc details > summary { display: list-item; cursor: pointer; }
.highlight .c, .highlight .c1, .highlight .ch, .highlight .cm, .highlight .cpf, .highlight .cs { color: #336666; }
.highlight .ow { color: #8a1ccf; } .highlight .se { color: #8f4e1a; }
.panel-heading a[href$="#top"] { color: #ffffff !important; }
a.anchor-link, div.nnkit-summary a { text-decoration: underline; }
</style>
"""


#: The feedback page's content security policy, the first thing in its ``<head>``: no script at all (the page needs
#: none: MathJax is left out, so formulas show as their TeX source, and nbgrader's feedback template has no script of
#: its own), no image but ``data:`` ones (the plots are), styles only in the page, no ``<base>``, no form. Fonts may
#: come from the page's own origin: Bootstrap's stylesheet declares its icon font, which the page never uses, and
#: Chromium reports a policy that refuses a declared font as an error even when nothing loads it. Whatever a
#: student's markdown held, the browser runs none of it.
FEEDBACK_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'self' data:; "
                "base-uri 'none'; form-action 'none'")
FEEDBACK_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_CSP}">'
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def with_csp(page):
    """The HTML ``page`` with FEEDBACK_CSP_META first in its head; raises ValueError on a page that has no head."""
    found = HEAD.search(page)
    if found is None:
        raise ValueError("the feedback page has no <head> for its content security policy")
    return page[:found.end()] + "\n" + FEEDBACK_CSP_META + page[found.end():]


#: The words of nbgrader's feedback template (``feedback/index.html.j2``), each as it stands there, in the order
#: they are replaced; ``FEEDBACK[key]`` is their text in the page's language.
FEEDBACK_FRAGMENTS = (
    ("Late submission penalty", "late_penalty"),
    ("(Score: ", "score_paren"),
    ("}})</h4>", "close_heading"),
    ("}})</li>", "close_item"),
    ("Score: {{ cell", "score_cell"),
    (">Test cell</a>", "test_cell"),
    (">Coding free-response</a>", "free_response"),
    (">Written response</a>", "written_response"),
    (">Task</a>", "task"),
    (">Comment</a>", "comment"),
    ("(Top)", "top"),
    ("Student's answer", "answer"),
    ("Student's task", "student_task"),
    ("Grade cell: ", "grade_cell"),
    ("Task: <code>", "task_code"),
    ("<b>Comments:</b>", "comments"),
    ("<html>", "html"),
)
FEEDBACK = text.table("feedback", {
    "late_penalty": "Late submission penalty",
    "score_paren": "(Score: ",
    "close_heading": "}})</h4>",
    "close_item": "}})</li>",
    "score_cell": "Score: {{ cell",
    "test_cell": ">Test cell</a>",
    "free_response": ">Coding free-response</a>",
    "written_response": ">Written response</a>",
    "task": ">Task</a>",
    "comment": ">Comment</a>",
    "top": "(Top)",
    "answer": "Student's answer",
    "student_task": "Student's task",
    "grade_cell": "Grade cell: ",
    "task_code": "Task: <code>",
    "comments": "<b>Comments:</b>",
    "html": "<html>",
    "no_response": "No response.",
})
#: The comment nbgrader's autograde stores for a written answer left as released (SaveAutoGrades), in English only,
#: and where the template shows a comment: the page shows FEEDBACK["no_response"] in its place.
NO_RESPONSE = "No response."
COMMENT_SHOWN = "{{ cell.metadata.nbgrader.comment | markdown2html"
FEEDBACK_TEMPLATE = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates" / "feedback" / \
    "index.html.j2"


def feedback_template():
    """nbgrader's feedback page template with its words in the current language; None for English (nbgrader's own
    is used)."""
    if text.current() == text.ENGLISH:
        return None
    template = FEEDBACK_TEMPLATE.read_text(encoding="utf-8")
    for fragment, key in FEEDBACK_FRAGMENTS:
        template = template.replace(fragment, text.lookup("feedback", key, fragment))
    if template.count(COMMENT_SHOWN) != 1:
        raise ValueError(f"nbgrader's feedback template shows no comment as {COMMENT_SHOWN!r}")
    said = json.dumps(text.lookup("feedback", "no_response", NO_RESPONSE), ensure_ascii=False)
    return template.replace(COMMENT_SHOWN, "{{ (%s if cell.metadata.nbgrader.comment == %s else "
                                          "cell.metadata.nbgrader.comment) | markdown2html"
                            % (said, json.dumps(NO_RESPONSE)))


def answer_state(grade):
    """Where a written answer's nbgrader grade stands (``feedback_summary.WRITTEN_STATES``)."""
    if grade.needs_manual_grade:
        return "waiting"
    return "unanswered" if grade.manual_score is None else "by_hand"


def submission_grades(db_url, notebook, assignment, student):
    """``({grade_id: (score, max score, answer_state)}, (score, max score, late penalty))`` of one submitted
    notebook, read from the gradebook as generate_feedback's GetGrades reads them (the score after the penalty)."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        found = gradebook.find_submission_notebook(notebook, assignment, student)
        grades = {grade.name: (grade.score, grade.max_score, answer_state(grade)) for grade in found.grades}
        penalty = found.late_submission_penalty or 0.0
        return grades, (found.score - penalty, found.max_score, penalty)


class FeedbackSummary(KitPreprocessor):
    """``generate_feedback``: put the summary of ``grader.reports.feedback_summary`` first on the page, from the gradebook's
    scores and what GradeWithKit left in the grade cells. FeedbackExporter runs it; the graded notebook and the
    gradebook are not changed."""

    lang = Unicode("", help="The language of the summary ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader") or {}
        if not info.get("db_url"):  # not a page of generate_feedback: there are no grades to summarise
            return nb, resources
        grades, totals = submission_grades(info["db_url"], info["notebook"], info["assignment"], info["student"])
        with text.language(self.lang or text.current()):
            summary = feedback_summary.render(feedback_summary.rows(nb, grades, info["assignment"]), *totals)
        nb.cells.insert(0, feedback_summary.cell(summary))
        resources[SUMMARY_FLAG] = True
        return nb, resources


#: Where nbgrader's feedback template opens and closes its list of every grade cell's score (its "toc")
TOC_OPEN, TOC_CLOSE = '<div id="toc">', "</ol>"
#: The resource the page template tests: FeedbackSummary sets it on a page that starts with its summary
SUMMARY_FLAG = "nnkit_summary"


def collapse_toc(template, label):
    """nbgrader's feedback template with its list of every grade cell's score folded into a ``<details>`` named
    ``label`` on a page that starts with the summary, which shows those scores first, with the parts' names."""
    start = template.find(TOC_OPEN)
    end = template.find(TOC_CLOSE, start)
    if start < 0 or end < 0:  # another nbgrader's template: it stays as it is
        return template
    opened = f"{{% if resources.{SUMMARY_FLAG} %}}<details><summary>{html.escape(label)}</summary>{{% endif %}}"
    closed = f"{{% if resources.{SUMMARY_FLAG} %}}</details>{{% endif %}}"
    end += len(TOC_CLOSE)
    return (template[:start + len(TOC_OPEN)] + opened + template[start + len(TOC_OPEN):end] + closed
            + template[end:])


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML, with no script fetched from the network and with the grader's long lines wrapped,
    and first on the page a summary of what is wrong (FeedbackSummary). The page's content security policy
    (FEEDBACK_CSP) lets no script run on it.

    nbgrader's feedback template loads MathJax from a CDN, which fails offline with a console error: the macro is
    replaced by an empty one, so formulas in markdown show as their TeX source. In a language other than English
    (``lang``), the template's own words (the score summary, the cell headings) and the summary are that language's.
    """

    lang = Unicode("", help="The language of the page's own words ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def __init__(self, *args, **kwargs):
        from jinja2 import DictLoader
        super().__init__(*args, **kwargs)
        templates = {"mathjax.html.j2": "{%- macro mathjax(url='') -%}{%- endmacro %}"}
        lang = text.check(self.lang) if self.lang else text.current()
        with text.language(lang):
            template = feedback_template() or FEEDBACK_TEMPLATE.read_text(encoding="utf-8").replace(
                "<html>", f'<html lang="{text.ENGLISH}">', 1)
            templates["index.html.j2"] = collapse_toc(template, feedback_summary.MESSAGES["toc"])
        self.extra_loaders = [DictLoader(templates), *self.extra_loaders]
        self.register_preprocessor(FeedbackSummary(parent=self, lang=lang))

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return with_csp(output.replace("</head>", FEEDBACK_CSS + "</head>", 1)), resources
