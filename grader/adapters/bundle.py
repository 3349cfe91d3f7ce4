"""What every grading-platform export shares: the kit it ships, the runner script, and finding the student's files.

The Gradescope autograder (``gradescope.py``) and the PrairieLearn export (``prairielearn.py``) both ship the same
kit (``kit_files``) and run it with a bash runner (``runner_script``) that writes the platform's results file, and
writes a fallback results file when the grader itself cannot run. Both stage the graded module files out of the
folder the platform puts the submission in (``locate``, ``stage``).

The kit is deliberately *not* pip-installed on either platform. The sandboxed student process imports numpy from
site-packages, so anything installed there (an editable install's finder included) is importable by the student.
The runner puts the kit's folder on ``PYTHONPATH`` instead, which the sandbox never puts on the student's path.

``python -m grader.adapters.bundle stage NAME SUBMISSION DEST`` copies the graded module files it finds in SUBMISSION (at
the top, or in folders below, as students' zips often nest them) into DEST.
"""
import re
import shutil
import sys
from pathlib import Path

from .. import catalogues, text
from ..core import paths
from ..reports import results

MAX_DEPTH = 3
MAX_FOLDERS = 2000
IGNORED_DIRS = {"__MACOSX", "__pycache__", "node_modules", ".ipynb_checkpoints", ".git", "venv", ".venv"}
SKIPPED_FILES = re.compile(r"(\.pyc|\.pyo|~|\.DS_Store)$")

MESSAGES = text.table("bundle", {
    "readme": "nnkit: the grader and reference solutions for one {platform} assignment.\n",
    "not_synced": "{path} is missing: run `python -m grader sync {name}` before building the export",
    "found": "graded {module}.py from {where}",
    "top": "the top of the submission",
    "ignored_copy": "also found {path}; it was not graded",
    "not_found": "{module}.py was not found in the submission",
    "fallback": "The autograder itself failed on this submission, so this score of 0 is a placeholder, not a "
                "grade. Please tell your instructor, who can regrade it once the autograder is fixed.",
    "usage": "usage: python -m grader.adapters.bundle stage ASSIGNMENT SUBMISSION_DIR DEST_DIR",
})

RUNNER = """#!/usr/bin/env bash
{comment}
set -u
ASSIGNMENT={assignment}
ROOT="${{{root_variable}:-{root_default}}}"
PYTHON="${{PYTHON:-python3}}"
SOURCE={source}
RESULTS="$ROOT/results/results.json"
{setup}mkdir -p "$ROOT/results"
rm -f "$RESULTS"
export PYTHONPATH="$SOURCE"
export MPLBACKEND=Agg
# As root, the sandbox runs the student's code as another uid, which must not be able to read the kit.
if [ "$(id -u)" = 0 ]; then chmod -R go-rwx "$SOURCE"; fi
cd "$SOURCE" \\
{commands}
status=$?
if [ ! -s "$RESULTS" ]; then
    echo "{name}: grading failed with status $status; writing the fallback results" >&2
    cat > "$RESULTS" <<'NNKIT_FALLBACK'
{fallback}
NNKIT_FALLBACK
fi
exit 0
"""


# -- the kit -------------------------------------------------------------------------------------------------------
def _tree(folder, prefix):
    """{name: path} of the files under ``folder``, without caches."""
    files = {}
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not IGNORED_DIRS.intersection(relative.parts) and not SKIPPED_FILES.search(path.name):
            files[f"{prefix}/{relative.as_posix()}"] = path
    return files


def kit_files(assignment):
    """{name inside the export: file in the repository} of the kit that grades ``assignment`` (a spec.Assignment):
    ``pyproject.toml``, ``README.md``, ``grader/``, the assignment's ``solutions/`` (and those of the assignments its
    provided modules come from), its provided modules from ``assignments/NAME/``, and ``data/``."""
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


def kit_contents(assignment, platform):
    """{name: bytes} of the kit, in name order. pyproject.toml names a readme: one is written if the repository's
    README.md is missing, to keep the source tree whole."""
    files = kit_files(assignment)
    contents = {name: files[name].read_bytes() for name in sorted(files)}
    if "README.md" not in contents:
        contents["README.md"] = MESSAGES["readme"].format(platform=platform).encode("utf-8")
    return dict(sorted(contents.items()))


def fallback_results(assignment):
    """The results a runner writes when grading itself fails: zero, with a message, never silence. It is the
    Gradescope document; ``results.to_prairielearn`` maps it to a not-gradable PrairieLearn one."""
    return results.document(assignment.name, assignment.max_score, [], MESSAGES["fallback"], failed=True)


def runner_script(*, name, comment, assignment, root_variable, root_default, source, commands, fallback, setup=""):
    """A bash runner: it grades into ``$ROOT/results/results.json`` with the kit at ``source`` on PYTHONPATH, and
    writes ``fallback`` (a JSON document) there when ``commands`` left no results file. It always exits 0, so the
    platform reads the file rather than reporting a failed job. In a language other than English (the current one
    when the export is built), it grades in that language."""
    if text.current() != text.ENGLISH:
        setup = "\n".join(filter(None, [setup, f"export {text.VARIABLE}={text.current()}"]))
    return RUNNER.format(name=name, comment=comment, assignment=assignment, root_variable=root_variable,
                         root_default=root_default, source=source, setup=setup and f"{setup}\n", commands=commands,
                         fallback=results.json_text(results.fit(fallback)).rstrip("\n"))


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
