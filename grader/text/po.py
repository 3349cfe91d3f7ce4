"""Each language's text as gettext catalogues, read and written with Babel.

``grader/text/locale/<lang>/LC_MESSAGES/nnkit.po`` holds, for each piece of English the kit says, one entry:

- ``msgctxt``: its stable key, ``<table>::<key>`` (``results::hidden``, ``catalogue:a1_neuron_gd::part:sigmoid``,
  ``doc:solutions/a1_neuron_gd/neuron.py::sigmoid``, ``notebook:a1_neuron_gd::intro``);
- ``msgid``: the English it translates, as the kit says it now;
- ``msgstr``: the translation.

A translation is used only while its ``msgid`` is the English the kit says: when the English changes,
``python -m grader.authoring.inventory LANG --update`` keeps the old translation, marks it ``#, fuzzy`` and records
the English it was made from (``#| msgid``), as gettext's ``msgmerge`` does; until a translator updates it and drops
the flag, the kit says the English and ``tests/test_text.py`` names the entry. ``python -m grader sync`` compiles
each .po into the .mo beside it (``compiled``), which the kit reads with the standard library's gettext. Entries come
in the order of ``authoring.inventory.english()``: each module's messages, then each catalogue, each student file,
each notebook and each assignment's written questions.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
SEPARATOR = "::"
#: domain: what its entries translate. One domain, as most programs have: a contributor's new text lands in one file.
DOMAINS = {
    "nnkit": "every piece of text the kit says: modules' MESSAGES, catalogues, students' files, notebooks, written "
             "questions",
}
PROJECT = "nnkit"
WIDTH = 116


@dataclass(frozen=True)
class Entry:
    english: str  # the msgid
    text: str  # the msgstr ('' while untranslated)
    fuzzy: bool = False
    previous: tuple = field(default=())  # the English a fuzzy translation was made from

    @property
    def usable(self):
        """Whether the kit says this translation (of ``english``): translated and not marked fuzzy."""
        return bool(self.text) and not self.fuzzy


def domain(table):
    """The domain (file) of a table's entries."""
    return "nnkit"


def context(table, key):
    return f"{table}{SEPARATOR}{key}"


def split(ctxt):
    """(table, key) of a msgctxt."""
    table, _, key = (ctxt or "").partition(SEPARATOR)
    return table, key


def path(lang, name):
    return LOCALE / lang / "LC_MESSAGES" / f"{name}.po"


def languages():
    """The languages that have a catalogue folder."""
    return sorted(folder.name for folder in LOCALE.iterdir() if (folder / "LC_MESSAGES").is_dir()) \
        if LOCALE.is_dir() else []


def _read_catalog(po_path, lang):
    from babel.messages import pofile
    with open(po_path, "rb") as handle:
        return pofile.read_po(handle, locale=lang, ignore_obsolete=True, abort_invalid=True)


def read(lang):
    """{(table, key): Entry} of every entry of ``lang``'s catalogues."""
    found = {}
    for name in DOMAINS:
        po_path = path(lang, name)
        if not po_path.is_file():
            continue
        for message in _read_catalog(po_path, lang):
            if not message.id or not message.context:
                continue
            found[split(message.context)] = Entry(message.id, message.string or "", message.fuzzy,
                                                   _previous(message))
    return found


def _previous(message):
    """The English a fuzzy entry was made from: its ``#| msgid`` lines (which Babel reads as comments)."""
    from babel.messages.pofile import denormalize
    lines = [comment[2:] for comment in message.user_comments if comment.startswith("| ")]
    if not lines or not lines[0].startswith("msgid "):
        return tuple(message.previous_id or ())
    return (denormalize("\n".join([lines[0][len("msgid "):], *lines[1:]])),)


def merged(lang, english, old=None, comments=None):
    """{domain: babel Catalog} of ``lang`` for the English ``english`` ({table: {key: English}}), keeping each
    translation of ``old`` ({(table, key): Entry}, default: what is on disk): kept as it is where its English is
    the same, marked fuzzy (with the English it was made from) where it changed, and dropped where its key is gone.
    ``comments`` ({table: comment}) become each entry's extracted comment, for the translator."""
    from babel.messages.catalog import Catalog
    old = read(lang) if old is None else old
    catalogs = {}
    for name in DOMAINS:
        existing = path(lang, name)
        dates = {}
        if existing.is_file():
            before = _read_catalog(existing, lang)
            dates = {"creation_date": before.creation_date, "revision_date": before.revision_date}
        else:
            now = datetime.now(timezone.utc).replace(microsecond=0)
            dates = {"creation_date": now, "revision_date": now}
        catalogs[name] = Catalog(locale=lang, domain=name, project=PROJECT, version="1", fuzzy=False,
                                 msgid_bugs_address="", last_translator="nnkit's translators",
                                 language_team="nnkit's translators",
                                 header_comment=f"# {DOMAINS[name]}, in {lang}.\n# msgctxt: <table>{SEPARATOR}<key>; "
                                                f"msgid: the English. See grader/text/po.py.",
                                 **dates)
    for table, entries in english.items():
        for key, source in entries.items():
            if not source:  # an empty English string has nothing to translate
                continue
            before = old.get((table, key))
            string, flags, previous = "", set(), ()
            if before is not None:
                string = before.text
                if before.english != source and string:
                    flags, previous = {"fuzzy"}, (before.english,)
                elif before.fuzzy and string:
                    flags, previous = {"fuzzy"}, before.previous
            catalogs[domain(table)].add(source, string, flags=flags, previous_id=previous or (),
                                        context=context(table, key),
                                        auto_comments=[comments[table]] if comments and table in comments else ())
    return catalogs


def render(catalog):
    """The text of a .po file, with each fuzzy entry's previous English in ``#| msgid`` lines, as msgmerge writes
    them (Babel writes them on one wrapped comment line, which gettext's tools do not read)."""
    from babel.messages import pofile
    out = BytesIO()
    pofile.write_po(out, catalog, width=WIDTH, ignore_obsolete=True, include_previous=False)
    content = out.getvalue().decode("utf-8")
    for message in catalog:
        if message.id and message.context and message.previous_id:
            anchor = f"msgctxt {pofile.normalize(message.context, width=WIDTH)}\n"
            lines = pofile.normalize(message.previous_id[0], width=WIDTH).split("\n")
            previous = f"#| msgid {lines[0]}\n" + "".join(f"#| {line}\n" for line in lines[1:])
            content = content.replace(anchor, previous + anchor, 1)
    return content


def mo_path(lang, name):
    return path(lang, name).with_suffix(".mo")


def compiled(lang):
    """{.mo path: bytes} of ``lang``'s catalogues, compiled with Babel: what the kit reads at run time, with the
    standard library's gettext (reading the .po files takes Babel most of a second; a grader starts in every
    autograded submission). Fuzzy and untranslated entries are left out, so the kit says their English."""
    from babel.messages import mofile
    found = {}
    for name in DOMAINS:
        if path(lang, name).is_file():
            out = BytesIO()
            mofile.write_mo(out, _read_catalog(path(lang, name), lang), use_fuzzy=False)
            found[mo_path(lang, name)] = out.getvalue()
    return found


def same_translations(old, new):
    """Whether two compiled catalogues (.mo bytes) hold the same translations. Their headers may differ: Babel writes
    its own version there, so a byte-for-byte comparison would call a catalogue stale on a machine with another
    Babel."""
    import gettext

    def entries(data):
        try:
            return {key: value for key, value in gettext.GNUTranslations(BytesIO(data))._catalog.items() if key != ""}
        except (OSError, ValueError, UnicodeDecodeError):
            return None
    return entries(old) is not None and entries(old) == entries(new)


def write(lang, catalogs):
    """Write ``catalogs`` ({domain: Catalog}) as ``lang``'s .po files; returns the paths whose text changed."""
    changed = []
    for name, catalog in catalogs.items():
        target = path(lang, name)
        content = render(catalog)
        if target.is_file() and target.read_text(encoding="utf-8") == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        changed.append(target)
    return changed
