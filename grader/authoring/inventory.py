"""Every piece of English a student or an instructor reads, by (table, key): what each other language must translate.

``english()`` walks the kit's sources: each module's translatable ``MESSAGES`` (``text.table``), evaluation.py's and
the self-check's messages, each catalogue's titles, labels and misconception messages, the docstrings, TODO hints
and messages of every student file, and each notebook's markdown cells. ``tests/test_text.py`` compares it with each
language's tables; ``python -m grader.authoring.inventory LANG`` lists what that language still lacks ("missing") and
the entries whose English changed since they were translated ("changed": ``grader/text/<lang>/sources.json``
holds a digest of the English each translation was made from). After updating a translation, record it with
``python -m grader.authoring.inventory LANG --accept``.
"""
import ast
import hashlib
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from .. import catalogues, text
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
    "grader.catalogues.a3_backprop": "MESSAGES: misconception messages, translated as catalogue:a3_backprop",
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
    tree = ast.parse((SELFCHECK / "local.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MESSAGES":
            return ast.literal_eval(node.value)
    return {}


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


def _digest(value):
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def sources_path(lang):
    """``grader/text/<lang>/sources.json``: a digest of the English each translation was made from."""
    return Path(text.__file__).resolve().parent / lang / "sources.json"


def recorded(lang):
    try:
        return json.loads(sources_path(lang).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def stale(lang):
    """[(table, key, English)] whose English changed since ``lang``'s text was accepted as its translation."""
    seen = recorded(lang)
    return [(table, key, value) for table, entries in english().items() for key, value in entries.items()
            if seen.get(table, {}).get(key) != _digest(value)]


def accept(lang):
    """Record the English every translation of ``lang`` now stands for; returns the path written."""
    have = text.tables(lang)
    digests = {table: {key: _digest(value) for key, value in sorted(entries.items()) if key in have.get(table, {})}
               for table, entries in sorted(english().items())}
    path = sources_path(lang)
    path.write_text(json.dumps({table: keys for table, keys in digests.items() if keys}, indent=1, sort_keys=True)
                    + "\n", encoding="utf-8")
    return path


def missing(lang):
    """[(table, key, English)] that ``lang`` has no text for."""
    have = text.tables(lang)
    rows = []
    for table_name, entries in english().items():
        for key, value in entries.items():
            if key not in have.get(table_name, {}):
                rows.append((table_name, key, value))
    return rows


def main(argv):
    """``python -m grader.authoring.inventory LANG``: what LANG lacks, and what changed in English since it was
    translated; ``--accept`` records that LANG's translations are up to date with the English."""
    lang = next((arg for arg in argv if not arg.startswith("-")), "zh")
    if "--accept" in argv:
        print(accept(lang))
        return 0
    rows = [("missing", *row) for row in missing(lang)]
    absent, seen = {(r[1], r[2]) for r in rows}, recorded(lang)
    rows += [("changed" if key in seen.get(table, {}) else "unaccepted", table, key, value)
             for table, key, value in stale(lang) if (table, key) not in absent]
    for kind, table_name, key, value in rows:
        print(f"{kind}\t{table_name}\t{key}\t{value!r}")
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
