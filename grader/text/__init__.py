"""The kit's languages: which one is in use, and the text of every language but English.

English stays where it has always been written: each module's ``MESSAGES``, the catalogues' titles and
misconception messages, the notebooks' percent-format sources, and the solutions' docstrings and TODO hints. Every
other language has one place of its own, ``grader/text/<lang>/`` (``zh`` for Chinese), keyed by stable keys:

- ``("evaluation", "not_implemented")``: a module's ``MESSAGES`` entry (the table is named after the module);
- ``("catalogue:a3_backprop", "part:backward")``, ``"check:<title>"``, ``"misconception:<key>"`` (or
  ``"misconception:<key>@<part>"`` where one key carries different messages in different parts), ``"title"``,
  ``"label:<case or run label>"``, ``"returns:<text>"``;
- ``("doc:solutions/a3_backprop/backprop.py", "output_delta")`` (``"module"`` for the module docstring),
  ``("hint:solutions/...", "<function>")`` and ``("code:solutions/...", "<MESSAGES key>")`` for student files;
- ``("notebook:a3_backprop", "<cell key>")``: a markdown cell, from ``# %% [markdown] <cell key>``.

The language is ambient, never an argument: an entry point (the command line, a pool worker, an nbgrader
preprocessor) decides it once with ``settle`` (``--lang``, else ``$NNKIT_LANG``, else the language of the course it
works in, else English), a block that must speak another one says ``with language(lang):``, and everything below
reads ``current()``. docs/architecture.md says why. A module
makes its messages translatable with ``MESSAGES = text.table("name", {...})``: the table reads like the dict it
wraps, and ``MESSAGES[key]`` is the current language's text where it has one. ``tests/test_text.py`` fails when any
English key lacks a translation with the same placeholders, or a translation has no English key any more.
"""
import importlib
import os
import re
import string
from contextlib import contextmanager
from functools import lru_cache

ENGLISH = "en"
LANGUAGES = ("en", "zh")
VARIABLE = "NNKIT_LANG"

MESSAGES = {
    "unknown_language": "unknown language {lang!r}; use one of {known}",
}

_chosen = None


class UnknownLanguage(ValueError):
    pass


def check(lang):
    """``lang`` if the kit speaks it, else UnknownLanguage."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(MESSAGES["unknown_language"].format(lang=lang, known=", ".join(LANGUAGES)))
    return lang


def current():
    """The language in use: the one ``use`` chose, else ``$NNKIT_LANG``, else English."""
    if _chosen:
        return _chosen
    return check(os.environ.get(VARIABLE) or ENGLISH)


def chosen():
    """The language ``use`` chose in this process, or None."""
    return _chosen


def use(lang):
    """Speak ``lang`` in this process from now on (None: back to ``$NNKIT_LANG`` or English). Subprocesses the kit
    starts get it through ``$NNKIT_LANG`` (see ``paths.tool_env``)."""
    global _chosen
    _chosen = check(lang) if lang else None
    return current()


def settle(flag=None, course=None):
    """An entry point's one decision, made before anything is said: ``flag`` (``--lang``, a preprocessor's ``lang``),
    else ``$NNKIT_LANG``, else ``course()`` (the language of the course the command works in, or None), else English.
    Speaks it from now on, and returns it."""
    return use(flag or os.environ.get(VARIABLE) or (course() if course else None) or ENGLISH)


@contextmanager
def language(lang):
    """Speak ``lang`` inside a with block, then go back to what was spoken before."""
    global _chosen
    saved = _chosen
    use(lang)
    try:
        yield current()
    finally:
        _chosen = saved


@lru_cache(maxsize=None)
def tables(lang):
    """{table name: {key: text}} of a language other than English."""
    if check(lang) == ENGLISH:
        return {}
    return importlib.import_module(f"{__name__}.{lang}").TABLES


def lookup(table_name, key, english):
    """The text of ``key`` in table ``table_name``, in the current language; ``english`` when that language is
    English or has no such entry."""
    lang = _spoken()
    if lang == ENGLISH:
        return english
    found = tables(lang).get(table_name, {}).get(key)
    return english if found is None else found


def _spoken():
    """current(), or English while $NNKIT_LANG names no language: the error that says so must still be said."""
    try:
        return current()
    except UnknownLanguage:
        return ENGLISH


def translation(table_name):
    """{key: text} of one table in the current language; {} for English."""
    lang = current()
    return dict(tables(lang).get(table_name, {})) if lang != ENGLISH else {}


class Table(dict):
    """A module's ``MESSAGES``: the English dict, read in the current language."""

    def __init__(self, name, english):
        super().__init__(english)
        self.name = name

    def __getitem__(self, key):
        english = dict.__getitem__(self, key)
        return lookup(self.name, key, english)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def english(self):
        return dict(self)


#: every Table made so far, by name: the completeness test reads them
TABLES = {}


def table(name, english):
    """A translatable ``MESSAGES`` table named ``name`` (its module's name), holding ``english``."""
    made = Table(name, english)
    TABLES[name] = made
    return made


# -- catalogue text -------------------------------------------------------------------------------------------------
def catalogue(name, key, english):
    """A catalogue's text (``title``, ``part:<key>``, ``check:<title>``, ``label:<label>``, ...)."""
    return lookup(f"catalogue:{name}", key, english)


def misconception(name, part, key, english):
    """A misconception's message: ``misconception:<key>@<part>`` where the catalogue needs one per part, else
    ``misconception:<key>``."""
    table_name = f"catalogue:{name}"
    lang = current()
    if lang == ENGLISH:
        return english
    found = tables(lang).get(table_name, {})
    text = found.get(f"misconception:{key}@{part}", found.get(f"misconception:{key}"))
    return english if text is None else text


def check_title(name, title):
    return catalogue(name, f"check:{title}", title) if title else title


def options(name, options):
    """A check's options with its student-facing ``label`` and ``returns`` in the current language."""
    translated = dict(options)
    for field in ("label", "returns"):
        if isinstance(translated.get(field), str) and translated[field]:
            translated[field] = catalogue(name, f"{field}:{translated[field]}", translated[field])
    return translated


# -- placeholders ---------------------------------------------------------------------------------------------------
def placeholders(template):
    """The set of ``{field}`` names (with their conversion and format spec) a str.format template uses."""
    try:
        return sorted({f"{field}!{conversion}:{spec}" for _, field, spec, conversion
                       in string.Formatter().parse(template) if field is not None})
    except ValueError:
        return ["<malformed>"]


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WIDE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
STRUCTURE = re.compile(r"^\s*(?:[#|>]|[-*+] |\d+\. |\$\$|```)")


def has_cjk(text):
    return bool(CJK.search(text))


def join_wide_lines(markdown):
    """Markdown whose paragraphs are wrapped in the source, with each line break between two CJK characters
    removed: a renderer turns a line break into a space, which Chinese text must not have. Breaks next to Latin
    text, after a heading or a table row, and before a heading, a list item, a table row, a quote or a formula, are
    kept."""
    lines = markdown.split("\n")
    out = []
    for line in lines:
        if out and out[-1].strip() and line.strip() and WIDE.match(line.lstrip()) and WIDE.search(out[-1][-1:]) \
                and not STRUCTURE.match(line) and not out[-1].lstrip().startswith(("#", "|", "$$")):
            out[-1] += line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


# -- the shared evaluation code ---------------------------------------------------------------------------------
def _evaluation_table():
    lang = _spoken()
    return {} if lang == ENGLISH else tables(lang).get("evaluation", {})


def _install():
    """evaluation.py is copied verbatim into students' folders and imports nothing of the kit, so the grader gives it
    a function that reads the current language's table (the students' copy reads ``messages.json`` instead)."""
    from ..shipped import evaluation
    evaluation.CURRENT = _evaluation_table


_install()
