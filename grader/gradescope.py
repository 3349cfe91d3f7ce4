"""A Gradescope autograder zip for one assignment, and the submission staging its ``run_autograder`` uses.

``python -m grader gradescope --assignment NAME --out autograder.zip`` writes a zip holding:
- ``setup.sh``: installs what grading needs (numpy, from ``requirements.txt``) with pip;
- ``run_autograder``: stages the graded module files out of ``$ROOT/submission``, then runs
  ``python3 -m grader grade --assignment NAME --out $ROOT/results/results.json STAGED``. ``$ROOT`` is
  ``$AUTOGRADER_ROOT``, or ``/autograder`` on Gradescope, which unzips this file into ``$ROOT/source``;
- the kit: ``pyproject.toml``, ``README.md``, ``grader/``, the assignment's ``solutions/`` (and those of the
  assignments its provided modules come from), its provided modules from ``assignments/NAME/``, and ``data/``.

The kit is deliberately *not* pip-installed. The sandboxed student process imports numpy from site-packages, so
anything installed there (an editable install's finder included) is importable by the student. The grader runs
from ``$ROOT/source`` on ``PYTHONPATH`` instead, which the sandbox never puts on the student's path.

``python -m grader.gradescope stage NAME SUBMISSION DEST`` copies the graded module files it finds in SUBMISSION
(at the top, or in folders below, as students' zips often nest them) into DEST.
"""
import io
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from . import catalogues, paths, results

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_DEPTH = 3
MAX_FOLDERS = 2000
IGNORED_DIRS = {"__MACOSX", "__pycache__", "node_modules", ".ipynb_checkpoints", ".git", "venv", ".venv"}
SKIPPED_FILES = re.compile(r"(\.pyc|\.pyo|~|\.DS_Store)$")
GRADING_REQUIREMENTS = ("numpy",)  # what `python -m grader grade` imports; nbgrader, matplotlib etc. stay out

MESSAGES = {
    "readme": "nnkit: the grader and reference solutions for one Gradescope assignment.\n",
    "not_synced": "{path} is missing: run `python -m grader sync {name}` before building the autograder",
    "wrote": "wrote {path} ({count} files)",
    "found": "graded {module}.py from {where}",
    "top": "the top of the submission",
    "ignored_copy": "also found {path}; it was not graded",
    "not_found": "{module}.py was not found in the submission",
    "fallback": "The autograder itself failed on this submission, so this score of 0 is a placeholder, not a "
                "grade. Please tell your instructor, who can regrade it once the autograder is fixed.",
    "usage": "usage: python -m grader.gradescope stage ASSIGNMENT SUBMISSION_DIR DEST_DIR",
}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in the folder this zip was unpacked to ($AUTOGRADER_ROOT/source).
# It installs only what grading needs. The kit itself is NOT pip-installed: the sandboxed student process imports
# numpy from site-packages, so nothing of the grader or the solutions may live there. run_autograder puts this
# folder on PYTHONPATH instead.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${{PYTHON:-python3}}"
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq python3-pip
fi
"$PYTHON" -m pip install --no-cache-dir -r requirements.txt \\
    || "$PYTHON" -m pip install --no-cache-dir --break-system-packages -r requirements.txt
# The reference outputs, computed once into this image's grader-only cache instead of for every submission.
PYTHONPATH="$PWD" "$PYTHON" -m grader references {assignment} \\
    || echo "setup.sh: the reference cache was not built; each submission will compute it" >&2
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission. It grades $ROOT/submission into $ROOT/results/results.json.
# ROOT is $AUTOGRADER_ROOT, or /autograder on Gradescope.
set -u
ASSIGNMENT={assignment}
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{PYTHON:-python3}}"
SOURCE="$ROOT/source"
RESULTS="$ROOT/results/results.json"
STAGED="$(mktemp -d "${{TMPDIR:-/tmp}}/nnkit-submission-XXXXXX")"
trap 'rm -rf "$STAGED"' EXIT

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
export PYTHONPATH="$SOURCE"
export MPLBACKEND=Agg
cd "$SOURCE" \\
    && "$PYTHON" -m grader.gradescope stage "$ASSIGNMENT" "$ROOT/submission" "$STAGED" \\
    && "$PYTHON" -m grader grade --assignment "$ASSIGNMENT" --out "$RESULTS" "$STAGED"
status=$?
if [ ! -s "$RESULTS" ]; then
    echo "run_autograder: grading failed with status $status; writing the fallback results" >&2
    cat > "$RESULTS" <<'NNKIT_FALLBACK'
{fallback}
NNKIT_FALLBACK
fi
exit 0
"""


# -- building the zip ----------------------------------------------------------------------------------------------
def _tree(folder, prefix):
    """{arcname: path} of the files under ``folder``, without caches."""
    files = {}
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not IGNORED_DIRS.intersection(relative.parts) and not SKIPPED_FILES.search(path.name):
            files[f"{prefix}/{relative.as_posix()}"] = path
    return files


def kit_files(assignment):
    """{name inside the zip: file in the repository} of the kit that grades ``assignment`` (a spec.Assignment)."""
    files = {"pyproject.toml": paths.ROOT / "pyproject.toml"}
    if (paths.ROOT / "README.md").is_file():
        files["README.md"] = paths.ROOT / "README.md"
    files.update(_tree(paths.ROOT / "grader", "grader"))
    for origin in sorted({assignment.name, *assignment.provided.values()}):
        files.update(_tree(paths.SOLUTIONS / origin, f"solutions/{origin}"))
    for module in sorted(assignment.provided):
        path = paths.ASSIGNMENTS / assignment.name / f"{module}.py"
        if not path.is_file():
            raise FileNotFoundError(MESSAGES["not_synced"].format(path=path, name=assignment.name))
        files[f"assignments/{assignment.name}/{module}.py"] = path
    if paths.DATA.is_dir():
        files.update(_tree(paths.DATA, "data"))
    return files


def requirements():
    """The pip requirement lines for grading, with the versions pyproject.toml pins."""
    text = (paths.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
    found = re.findall(r'"([A-Za-z0-9_.-]+)\s*([<>=!~][^"]*)?"', block.group(1) if block else "")
    pinned = {name.lower(): f"{name}{spec or ''}" for name, spec in found}
    return [pinned.get(name, name) for name in GRADING_REQUIREMENTS]


def fallback_results(assignment):
    """The results.json run_autograder writes when grading itself fails: zero, with a message, never silence."""
    return results.document(assignment.name, assignment.max_score, [], MESSAGES["fallback"], failed=True)


def _entry(zf, name, data, executable=False):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
    zf.writestr(info, data)


def build_autograder(assignment, out_zip):
    """Write the Gradescope autograder zip of ``assignment`` (a name) to ``out_zip``; return its path.

    The zip is byte-for-byte reproducible: fixed order, fixed timestamps, fixed modes.
    """
    spec = catalogues.load(assignment)
    files = kit_files(spec)
    if "README.md" not in files:
        readme = MESSAGES["readme"].encode("utf-8")  # pyproject.toml names a readme; keep the source tree whole
    else:
        readme = None
    scripts = {
        "setup.sh": SETUP_SH.format(assignment=shlex.quote(spec.name)),
        "run_autograder": RUN_AUTOGRADER.format(assignment=shlex.quote(spec.name),
                                                fallback=json.dumps(fallback_results(spec), indent=2)),
    }
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in scripts.items():
            _entry(zf, name, text.encode("utf-8"), executable=True)
        _entry(zf, "requirements.txt", ("\n".join(requirements()) + "\n").encode("utf-8"))
        if readme is not None:
            _entry(zf, "README.md", readme)
        for name in sorted(files):
            _entry(zf, name, files[name].read_bytes())
    fd, tmp = tempfile.mkstemp(prefix=f".{out_zip.name}.", dir=out_zip.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())
    os.replace(tmp, out_zip)
    print(MESSAGES["wrote"].format(path=out_zip, count=len(files) + len(scripts) + 1 + (readme is not None)))
    return out_zip


# -- finding the student's files -----------------------------------------------------------------------------------
def _folders(root):
    """(depth, folder) for ``root`` and the real folders below it, MAX_DEPTH deep, skipping hidden and junk ones."""
    found, frontier = [(0, root)], [root]
    for depth in range(1, MAX_DEPTH + 1):
        below = []
        for folder in frontier:
            try:
                children = sorted(folder.iterdir())
            except OSError:
                continue
            below += [child for child in children if child.is_dir() and not child.is_symlink()
                      and not child.name.startswith(".") and child.name not in IGNORED_DIRS]
        below = below[:MAX_FOLDERS - len(found)]
        found += [(depth, folder) for folder in below]
        frontier = below
    return found


def locate(assignment, root):
    """Where each graded module file of ``assignment`` (a spec.Assignment) is in the submission folder ``root``.

    Returns ({module: path}, notes). The folder holding the most of the modules wins, then the shallowest, then
    the first by name; a module missing there is taken from the shallowest folder that has it.
    """
    root = Path(root)
    holdings = []
    for depth, folder in _folders(root) if root.is_dir() else []:
        have = {module for module in assignment.modules
                if (folder / f"{module}.py").is_file() and not (folder / f"{module}.py").is_symlink()}
        if have:
            holdings.append((-len(have), depth, str(folder.relative_to(root)), folder, have))
    holdings.sort(key=lambda row: row[:3])
    chosen, notes = {}, []
    for module in assignment.modules:
        places = [row for row in holdings if module in row[4]]
        if not places:
            notes.append(MESSAGES["not_found"].format(module=module))
            continue
        chosen[module] = places[0][3] / f"{module}.py"
        where = places[0][2]
        notes.append(MESSAGES["found"].format(module=module, where=MESSAGES["top"] if where == "." else where))
        notes += [MESSAGES["ignored_copy"].format(path=f"{row[2]}/{module}.py") for row in places[1:]]
    return chosen, notes


def stage(assignment, submission, dest):
    """Copy the graded module files found in ``submission`` into ``dest``; return the notes for the log."""
    spec = catalogues.load(assignment)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    chosen, notes = locate(spec, submission)
    for module, path in chosen.items():
        shutil.copyfile(path, dest / f"{module}.py")
    return notes


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 4 or argv[0] != "stage":
        print(MESSAGES["usage"], file=sys.stderr)
        return 2
    for note in stage(*argv[1:]):
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
