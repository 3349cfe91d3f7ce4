"""Every piece of English a student or an instructor reads, by (table, key): what each other language must translate.

``english()`` walks the kit's sources: each module's translatable ``MESSAGES`` (``text.table``), evaluation.py's and
the self-check's messages, each catalogue's titles, labels and misconception messages, the docstrings, TODO hints
and messages of every student file, and each notebook's markdown cells. It is the template of every language's
gettext catalogues (``grader/text/locale/<lang>/LC_MESSAGES/*.po``, see ``grader.text.po``).
``python -m grader.authoring.inventory LANG --update`` merges it into LANG's .po files with Babel (new English
untranslated, changed English fuzzy, gone English dropped) and compiles them; without ``--update`` it lists what LANG
still lacks ("missing"), what changed in English since it was translated ("changed"), and entries whose English is
gone ("gone"). ``tests/test_text.py`` fails while any of the three remains.
"""
import importlib
import pkgutil
import sys

from .. import catalogues, text
from ..text import po
from . import localize, notebooks, written
from ..core import paths

#: The modules whose MESSAGES are plain dicts on purpose: they speak to the kit's own developers, not to students or
#: instructors (marker and notebook-source errors), or they run inside the sandbox, which reads no table.
UNTRANSLATED = {
    "grader.text": "MESSAGES: the one error said when the language itself is unknown",
    "grader.authoring.sync": "MESSAGES: errors in solution markers, for the kit's developers",
    "grader.authoring.notebooks": "MESSAGES: errors in notebook sources, for the kit's developers",
    "grader.sandbox.worker": "MESSAGES: built inside the sandboxed student process, which can read no table",
    "grader.sandbox.confinement": "MESSAGES: the sandbox's refusals and waivers, for whoever sets up the grading machine "
                                  "with docs/security.md (English), before any student is graded",
    "grader.sandbox.uids": "MESSAGES: why the uid layer is off, for whoever sets up the grading machine with "
                           "docs/security.md (English), like the sandbox's refusals",
}
#: Modules translated by a table of their own, which students' copies read from messages.json (see evaluation.py).
OWN_TRANSLATION = {"grader.shipped.evaluation": "TRANSLATION, set by grader.text or read from _selfcheck/messages.json"}
#: Modules that run as scripts or inside students' folders, never imported by the grader.
SCRIPTS = ("grader.__main__", "grader.sandbox.worker")
#: The self-check's own modules, which import the students' _selfcheck package and read its messages.json.
SHIPPED_SELFCHECK = ("grader.shipped.local", "grader.shipped.test_selfcheck")
SELFCHECK = paths.SHIPPED


def grader_modules():
    """The names of every module of the grader package (imported, so each text.table is registered)."""
    import grader
    names = []
    for info in pkgutil.walk_packages(grader.__path__, "grader."):
        if info.name.startswith("grader.text.") or info.name in SCRIPTS or info.name in SHIPPED_SELFCHECK:
            continue
        names.append(info.name)
    for name in names:
        importlib.import_module(name)
    return names


def plain_tables():
    """{module name: MESSAGES} of grader modules whose module-level MESSAGES is a plain dict."""
    found = {}
    for name in grader_modules():
        value = getattr(sys.modules[name], "MESSAGES", None)
        if isinstance(value, dict) and not isinstance(value, text.Table):
            found[name] = value
    return found


def _local_messages():
    return localize.code_messages((SELFCHECK / "local.py").read_text(encoding="utf-8"))


def student_files():
    """The repository paths of every English source a student file is made from."""
    files = set()
    for name in catalogues.names():
        spec = catalogues.load(name)
        files.update(paths.SOLUTIONS / name / f"{module}.py" for module in spec.modules)
        files.update(paths.SOLUTIONS / origin / f"{module}.py" for module, origin in spec.provided.items())
    files.add(SELFCHECK / "test_selfcheck.py")
    return sorted(path.relative_to(paths.ROOT).as_posix() for path in files)


def misconceptions(spec):
    """[(part key, misconception key, English message)] of a catalogue, once per distinct triple, in order."""
    found = []
    for part in spec.parts:
        for check in part.checks:
            for item in check.misconceptions:
                row = (part.key, item.key, item.message)
                if row not in found:
                    found.append(row)
    return found


def misconception_keys(spec):
    """{table key: English message}: ``misconception:<key>`` for a key that always says the same, and
    ``misconception:<key>@<part>`` for each part of a key whose message differs between parts."""
    by_key = {}
    for part, key, message in misconceptions(spec):
        by_key.setdefault(key, []).append((part, message))
    keys = {}
    for key, uses in by_key.items():
        if len({message for _, message in uses}) == 1:
            keys[f"misconception:{key}"] = uses[0][1]
        else:
            keys.update({f"misconception:{key}@{part}": message for part, message in uses})
    return keys


def catalogue_entries(spec):
    """{key: English} of one catalogue's table."""
    entries = {"title": spec.title}
    for part in spec.parts:
        entries[f"part:{part.key}"] = part.title
        for check in part.checks:
            if check.title:
                entries[f"check:{check.title}"] = check.title
            for field in ("label", "returns"):
                value = check.options.get(field)
                if isinstance(value, str) and value:
                    entries[f"{field}:{value}"] = value
            if check.kind == "converge":
                for case in check.cases:
                    if case.label:
                        entries[f"label:{case.label}"] = case.label
    entries.update(misconception_keys(spec))
    return entries


def english():
    """{table name: {key: English text}} of everything translatable."""
    grader_modules()
    from ..shipped import evaluation
    tables = {name: table.english() for name, table in sorted(text.TABLES.items())}
    tables["evaluation"] = dict(evaluation.MESSAGES)
    tables["local"] = _local_messages()
    for name in catalogues.names():
        tables[f"catalogue:{name}"] = catalogue_entries(catalogues.load(name))
    for rel in student_files():
        source = (paths.ROOT / rel).read_text(encoding="utf-8")
        for prefix, found in (("doc", localize.docstrings(source)), ("hint", localize.hints(source)),
                              ("code", localize.code_messages(source))):
            if found:
                tables[f"{prefix}:{rel}"] = found
    for name in catalogues.names():
        spec = catalogues.load(name)
        if notebooks.source_path(spec).is_file():
            tables[f"notebook:{name}"] = {key: body for key, body in notebooks.markdown_cells(spec)}
        if spec.written:
            tables[f"written:{name}"] = written.strings(spec)
    return tables


def translations(lang):
    """{(table, key): po.Entry} of ``lang``'s catalogues, as they are on disk."""
    return po.read(lang)


def translated(lang):
    """{table: {key: translation}} of ``lang``'s entries that are translated and not marked fuzzy."""
    found = {}
    for (table, key), entry in translations(lang).items():
        if entry.usable:
            found.setdefault(table, {})[key] = entry.text
    return found


def missing(lang):
    """[(table, key, English)] that ``lang`` has no translation for."""
    have = translations(lang)
    return [(table, key, value) for table, entries in english().items() for key, value in entries.items()
            if value and not (have.get((table, key)) and have[(table, key)].text)]


def stale(lang):
    """[(table, key, English)] whose translation in ``lang`` is marked fuzzy or was made from other English: the
    English changed since it was translated."""
    have = translations(lang)
    rows = []
    for table, entries in english().items():
        for key, value in entries.items():
            entry = have.get((table, key))
            if value and entry is not None and entry.text and (entry.fuzzy or entry.english != value):
                rows.append((table, key, value))
    return rows


def orphans(lang):
    """[(table, key)] of ``lang``'s entries whose English key is gone."""
    known = english()
    return sorted(key for key in translations(lang) if key[1] not in known.get(key[0], {}))


def update(lang):
    """Bring ``lang``'s .po files up to date with the English, as gettext's ``msgmerge`` does: a new entry
    untranslated, an entry whose English changed marked fuzzy (with the English it was made from), an entry whose key
    is gone dropped; then compile them. Returns the paths written."""
    written = po.write(lang, po.merged(lang, english()))
    for target, content in po.compiled(lang).items():
        if not target.is_file() or not po.same_translations(target.read_bytes(), content):
            target.write_bytes(content)
            written.append(target)
    return written


def main(argv):
    """``python -m grader.authoring.inventory LANG``: what LANG lacks ("missing"), and what changed in English since it
    was translated ("changed"); ``--update`` merges the English into LANG's .po files and compiles them."""
    lang = next((arg for arg in argv if not arg.startswith("-")), "zh")
    if "--update" in argv or "--accept" in argv:
        for path in update(lang):
            print(path)
        return 0
    rows = [("missing", *row) for row in missing(lang)] + [("changed", *row) for row in stale(lang)]
    rows += [("gone", table, key, "") for table, key in orphans(lang)]
    for kind, table_name, key, value in rows:
        print(f"{kind}\t{po.context(table_name, key)}\t{value!r}")
    if rows:
        print(f"translate these in grader/text/locale/{lang}/LC_MESSAGES/nnkit.po (run with --update first to add the new "
              f"ones), then run `python -m grader sync`", file=sys.stderr)
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
