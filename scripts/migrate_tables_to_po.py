"""One-shot migrator: the Python translation tables of ``grader/text/<lang>/`` (``messages.py``, ``catalogues.py``,
``code.py``, ``written.py``, ``notebooks/*.md`` and ``sources.json``) into gettext catalogues,
``grader/text/locale/<lang>/LC_MESSAGES/<domain>.po`` (see ``grader/text/po.py``), then the old files removed.

    .venv/bin/python scripts/migrate_tables_to_po.py [LANG ...]   (default: every grader/text/<lang>/ with tables)
    .venv/bin/python -m grader.authoring.inventory zh             (then: nothing missing, nothing changed)

Each old entry becomes the entry of the same key, with the English the kit says now as its msgid. An entry whose
English changed since it was translated (its digest in ``sources.json`` differs, or it has none) is marked fuzzy,
as the old inventory reported it "changed", unless the .po files already translate that English. An entry the .po
files already hold and the old tables do not is kept; where both hold a current one, the old table's text wins (it
is what was merged last). Entries whose key is gone are dropped.
Run it again after merging branches that added text the old way: it migrates what the old files hold and removes
them again. Nothing outside grader/text/ is touched.
"""
import hashlib
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.authoring import inventory  # noqa: E402
from grader.text import po  # noqa: E402

TEXT = ROOT / "grader" / "text"
MODULES = ("messages", "catalogues", "code", "written")
CELL = re.compile(r"^<!-- cell: (?P<key>\S+) -->$", re.M)


def _module_tables(path):
    spec = importlib.util.spec_from_file_location(f"_old_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TABLES


def _notebook_cells(path):
    """{cell key: markdown} of one old notebook file, as written (wrapped lines kept; the kit joins them)."""
    content = path.read_text(encoding="utf-8")
    marks = list(CELL.finditer(content))
    return {mark["key"]: content[mark.end():after.start() if after else len(content)].strip("\n")
            for mark, after in zip(marks, marks[1:] + [None])}


def old_tables(folder):
    """{table: {key: text}} of the old files in ``folder`` (grader/text/<lang>/), as their authors wrote them."""
    tables = {}
    for name in MODULES:
        if (folder / f"{name}.py").is_file():
            tables.update(_module_tables(folder / f"{name}.py"))
    for path in sorted((folder / "notebooks").glob("*.md")):
        tables[f"notebook:{path.stem}"] = _notebook_cells(path)
    return tables


def _digest(value):
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def migrate(lang):
    folder = TEXT / lang
    tables = old_tables(folder)
    try:
        recorded = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    english = inventory.english()
    entries = po.read(lang)
    moved = fuzzy = dropped = 0
    for table, translated in tables.items():
        for key, value in translated.items():
            source = english.get(table, {}).get(key)
            if source is None:
                dropped += 1
                continue
            changed = recorded.get(table, {}).get(key) != _digest(source)
            present = entries.get((table, key))
            moved += 1
            if changed and present is not None and present.usable and present.english == source:
                continue  # the .po already translates this English; the old table's text is older
            entries[(table, key)] = po.Entry(source, value, fuzzy=changed)
            fuzzy += changed
    written = po.write(lang, po.merged(lang, english, entries))
    for target, content in po.compiled(lang).items():  # what `python -m grader sync` compiles, so the kit speaks it
        if not target.is_file() or not po.same_translations(target.read_bytes(), content):
            target.write_bytes(content)
            written.append(target)
    for name in MODULES + ("__init__",):
        (folder / f"{name}.py").unlink(missing_ok=True)
    (folder / "sources.json").unlink(missing_ok=True)
    shutil.rmtree(folder / "notebooks", ignore_errors=True)
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    print(f"{lang}: {moved} entries moved ({fuzzy} fuzzy: their English changed since they were translated), "
          f"{dropped} dropped (their English key is gone); wrote {', '.join(str(p.relative_to(ROOT)) for p in written) or 'nothing new'}")


def main(argv):
    langs = argv or sorted(path.name for path in TEXT.iterdir()
                           if path.is_dir() and any((path / f"{name}.py").is_file() for name in MODULES))
    if not langs:
        print("no grader/text/<lang>/ tables left to migrate")
    for lang in langs:
        migrate(lang)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
