"""Markdown a student wrote, made safe to show in the instructor's and the student's browser.

A markdown cell is rendered to HTML where it is shown: by nbconvert on the feedback page (``generate_feedback``) and
in the formgrader's manual grading page, with raw HTML passed through and ``[text](javascript:...)`` links kept. So
a written answer holding ``<script>``, ``<img onerror=...>`` or such a link runs script on the instructor's Jupyter
origin, with the instructor's login.

``SanitiseMarkdown`` runs in ``nbgrader autograde`` (after ``GradeWithKit``), so that the autograded notebook that
every page is rendered from holds only safe markup. Each markdown cell is rendered exactly as those pages render it
(nbconvert's ``MarkdownWithMath`` and ``IPythonRenderer``, raw HTML on, with the cell's attachments), and the HTML
is cleaned by nh3 (the Ammonia sanitiser) with the allow-list below: text, emphasis, lists, code (with its Pygments
classes), tables (with their ``text-align``), links on http, https and mailto, images from the cell's attachments,
and the math delimiters, which are text until MathJax reads them. When the cleaned HTML is the HTML, read as a
sequence of tags, attributes and text, the cell is left byte for byte as the student wrote it. Otherwise its source
becomes the cleaned HTML on a single line inside one ``<div>``, which markdown passes through as it is: the text,
the emphasis, the code and the math read the same, and whatever could run script is gone. A cell nbconvert cannot
render at all (an attachment that is missing, say) becomes its own text, escaped, in a ``<pre>``.
"""
from html import escape
from html.parser import HTMLParser

import nh3
from pygments.token import STANDARD_TYPES

from ... import text
from .preprocessor import KitPreprocessor

MESSAGES = text.table("safe_markdown", {
    "cleaned": "{student}: a markdown cell of {notebook} ({cell}) held markup that could run script or change the "
               "page; the autograded notebook shows it cleaned",
})

#: The tags a cell may keep: nh3's (Ammonia's) default allow-list, which holds no script, style, form, frame or
#: embedding element.
TAGS = set(nh3.ALLOWED_TAGS)
#: nh3's default attributes, and what nbconvert's own rendering of markdown writes: the Pygments classes of a code
#: block and the alignment of a table's columns.
ATTRIBUTES = {**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
              "th": set(nh3.ALLOWED_ATTRIBUTES["th"]) | {"style"},
              "td": set(nh3.ALLOWED_ATTRIBUTES["td"]) | {"style"}}
#: The classes a tag may keep (nh3 keeps these and drops any other class)
CLASSES = {"div": {"highlight", "nnkit-cleaned"}, "span": {name for name in STANDARD_TYPES.values() if name}}
STYLE_PROPERTIES = {"text-align"}
#: Link addresses: the web, mail and relative addresses. An image's address must be a ``data:image/`` URL (nbconvert
#: makes one of each attachment of a cell): an image from anywhere else would be fetched by the instructor's browser
#: as the page opens, telling its host who graded the answer and when.
URL_SCHEMES = {"http", "https", "mailto", "data"}
#: A cleaned cell's source: one HTML block, which markdown passes through untouched.
#: The attributes the allow-list keeps that hold an address
URL_ATTRIBUTES = {"href", "src", "cite"}
WRAPPER = '<div class="nnkit-cleaned">{html}</div>'


def _keep_attribute(tag, name, value):
    """nh3's attribute filter: a ``data:`` address only as an image's source, and an image's source only so."""
    data_image = value.strip().lower().startswith("data:image/")
    if tag == "img" and name == "src":
        return value if data_image else None
    if name in URL_ATTRIBUTES and value.strip().lower().startswith("data:"):
        return None
    return value


def clean_html(markup):
    """``markup`` cleaned by nh3 with the kit's allow-list."""
    return nh3.clean(markup, tags=TAGS, attributes=ATTRIBUTES, allowed_classes=CLASSES,
                     filter_style_properties=STYLE_PROPERTIES, url_schemes=URL_SCHEMES,
                     attribute_filter=_keep_attribute, link_rel=None, strip_comments=True)


def render(source, attachments=None):
    """A markdown cell's HTML as nbconvert's HTML exporters render it (anchor links left out); raises what
    nbconvert raises on a cell it cannot render."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    renderer = IPythonRenderer(escape=False, attachments=attachments or {}, exclude_anchor_links=True)
    return MarkdownWithMath(renderer=renderer).render(source)


class _Events(HTMLParser):
    """HTML as a list of what it holds: tags with their attributes (in order of name), text, comments and any other
    markup, each a tuple."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(sorted((name, value or "") for name, value in attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)
        else:
            self.events.append(("text", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))

    def handle_decl(self, decl):
        self.events.append(("decl", decl))

    def handle_pi(self, data):
        self.events.append(("pi", data))

    def unknown_decl(self, data):
        self.events.append(("decl", data))


def events(markup):
    """What ``markup`` holds, as ``_Events`` reads it; void elements' end tags are left out, since nh3 writes none."""
    reader = _Events()
    reader.feed(markup)
    reader.close()
    return [event for event in reader.events if not (event[0] == "end" and event[1] in VOID)]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def clean_markdown(source, attachments=None):
    """``(source, changed)``: the markdown ``source`` itself when what it renders to is already clean, else the
    cleaned HTML that takes its place (see the module's docstring)."""
    try:
        rendered = render(source, attachments)
    except Exception:  # any reason nbconvert has: the page could not render it either
        return WRAPPER.format(html=f"<pre>{escape(source)}</pre>".replace("\n", "&#10;")), True
    cleaned = clean_html(rendered)
    if events(cleaned) == events(rendered):
        return source, False
    return WRAPPER.format(html=cleaned.strip().replace("\r", "&#13;").replace("\n", "&#10;")), True


class SanitiseMarkdown(KitPreprocessor):
    """``autograde``: every markdown cell of the notebook, written answers and added cells alike, made safe to show
    (``clean_markdown``); one log line for each cell that was changed."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader") or {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            source, changed = clean_markdown(cell.source, cell.get("attachments"))
            if changed:
                cell.source = source
                cell.pop("attachments", None)  # the cleaned HTML carries the images it kept as data: URLs
                name = (cell.metadata.get("nbgrader") or {}).get("grade_id") or cell.get("id") or f"#{index + 1}"
                self.log.warning(MESSAGES["cleaned"].format(student=info.get("student", "?"),
                                                            notebook=info.get("notebook", "?"), cell=name))
        return nb, resources
