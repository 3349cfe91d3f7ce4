"""The kit's languages: which one is in use, and the text of every language but English.

English stays where it has always been written: each module's ``MESSAGES``, the catalogues' titles and
misconception messages, the notebooks' percent-format sources, and the solutions' docstrings and TODO hints. Every
other language is a set of gettext catalogues, ``grader/text/locale/<lang>/LC_MESSAGES/*.po`` (``grader.text.po``),
whose entries are keyed (``msgctxt``) by stable keys, ``<table>::<key>``:

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
wraps, and ``MESSAGES[key]`` is the current language's text where it has a translation of that very English. The
kit reads the compiled ``.mo`` files with the standard library's gettext. ``tests/test_text.py`` fails when any
English key lacks a translation with the same placeholders, or a translation has no English key any more.
"""
import os
import re
import string
import unicodedata
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
def _catalogues(lang):
    """{domain: gettext translations} of a language other than English, from the .mo files ``sync`` compiles."""
    import gettext
    from . import po
    found = {}
    for name in po.DOMAINS:
        try:
            with open(po.mo_path(check(lang), name), "rb") as handle:
                found[name] = gettext.GNUTranslations(handle)
        except FileNotFoundError:
            found[name] = gettext.NullTranslations()
    return found


#: the entries whose translation is wrapped markdown, whose line breaks between two CJK characters are dropped
def _wrapped(table_name, key):
    return table_name.startswith("notebook:") or (table_name.startswith("written:") and key.endswith(".prompt")) \
        or (table_name, key) == ("course", "readme")


def lookup(table_name, key, english):
    """The text of ``key`` in table ``table_name``, in the current language; ``english`` when that language is
    English, or has no translation of this very English (none, fuzzy, or made from English that has changed since)."""
    lang = _spoken()
    if lang == ENGLISH or not english:
        return english
    from . import po
    said = _catalogues(lang)[po.domain(table_name)].pgettext(po.context(table_name, key), english)
    return join_wide_lines(said) if said != english and _wrapped(table_name, key) else said


def _spoken():
    """current(), or English while $NNKIT_LANG names no language: the error that says so must still be said."""
    try:
        return current()
    except UnknownLanguage:
        return ENGLISH


def translation(table_name, english):
    """{key: text} of the keys of ``english`` ({key: English}) that table ``table_name`` translates in the current
    language; {} for English."""
    if current() == ENGLISH:
        return {}
    found = {key: lookup(table_name, key, value) for key, value in english.items()}
    return {key: value for key, value in found.items() if value != english[key]}


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
    said = lookup(table_name, f"misconception:{key}@{part}", english)
    return said if said != english else lookup(table_name, f"misconception:{key}", english)


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
    return _evaluation_in(_spoken())


@lru_cache(maxsize=None)
def _evaluation_in(lang):
    from ..shipped import evaluation
    with language(lang):
        return translation("evaluation", evaluation.MESSAGES)


def _install():
    """evaluation.py is copied verbatim into students' folders and imports nothing of the kit, so the grader gives it
    a function that reads the current language's table (the students' copy reads ``messages.json`` instead)."""
    from ..shipped import evaluation
    evaluation.CURRENT = _evaluation_table


_install()


# -- terminal columns ------------------------------------------------------------------------------------------------
def width(value):
    """How many terminal columns ``value`` takes: a wide or full-width character (Chinese, Japanese, Korean) takes
    two, a combining mark none, any other one (Unicode's East Asian Width property)."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in value)


def ljust(value, columns):
    """``value`` padded with spaces to ``columns`` terminal columns (``width``), as str.ljust pads characters."""
    return value + " " * max(0, columns - width(value))
