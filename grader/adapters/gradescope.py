"""A Gradescope autograder zip for one assignment.

``python -m grader gradescope --assignment NAME --out autograder.zip`` writes a zip holding:
- ``setup.sh``: installs what grading needs: numpy (from ``requirements.txt``) with pip, and the sandbox's
  ``bubblewrap`` and ``libseccomp2`` with apt;
- ``run_autograder``: stages the graded module files out of ``$ROOT/submission``, then runs
  ``python3 -m grader grade --assignment NAME --out $ROOT/results/results.json STAGED``. ``$ROOT`` is
  ``$AUTOGRADER_ROOT``, or ``/autograder`` on Gradescope, which unzips this file into ``$ROOT/source``;
- the kit (``bundle.kit_files``): ``pyproject.toml``, ``README.md``, ``grader/``, the assignment's ``solutions/``
  (and those of the assignments its provided modules come from), its provided modules, and ``data/``.

The kit is not pip-installed (``bundle`` says why): ``run_autograder`` puts ``$ROOT/source`` on ``PYTHONPATH``.
The staging, the kit and the runner's fallback are shared with the PrairieLearn export, in ``bundle.py``.
"""
import io
import os
import re
import shlex
import tempfile
import zipfile
from pathlib import Path

from . import bundle
from .. import catalogues, text
from ..core import paths

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
GRADING_REQUIREMENTS = ("numpy",)  # what `python -m grader grade` imports; nbgrader, matplotlib etc. stay out

MESSAGES = text.table("gradescope", {
    "wrote": "wrote {path} ({count} files)",
})

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
# The sandbox's tools (docs/security.md): bubblewrap's namespaces, which Gradescope's Docker may refuse (then the
# separate uid and seccomp hold), and libseccomp, which builds the system-call filter for this architecture.
if ! {{ command -v bwrap && ldconfig -p | grep 'libseccomp\\.so\\.2'; }} >/dev/null 2>&1; then
    {{ apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2 >/dev/null; }} \\
        || echo "setup.sh: bubblewrap or libseccomp2 could not be installed; see docs/security.md" >&2
fi
"$PYTHON" -m pip install --no-cache-dir -r requirements.txt \\
    || "$PYTHON" -m pip install --no-cache-dir --break-system-packages -r requirements.txt
# The reference outputs, computed once into this image's grader-only cache instead of for every submission.
PYTHONPATH="$PWD" "$PYTHON" -m grader references {assignment} \\
    || echo "setup.sh: the reference cache was not built; each submission will compute it" >&2
"""

RUN_COMMENT = """# Gradescope runs this for each submission. It grades $ROOT/submission into $ROOT/results/results.json.
# ROOT is $AUTOGRADER_ROOT, or /autograder on Gradescope."""
RUN_SETUP = """STAGED="$(mktemp -d "${TMPDIR:-/tmp}/nnkit-submission-XXXXXX")"
trap 'rm -rf "$STAGED"' EXIT"""
RUN_COMMANDS = """    && "$PYTHON" -m grader.adapters.bundle stage "$ASSIGNMENT" "$ROOT/submission" "$STAGED" \\
    && "$PYTHON" -m grader grade --assignment "$ASSIGNMENT" --out "$RESULTS" "$STAGED\""""


def run_autograder(spec):
    """The text of ``run_autograder`` for ``spec`` (a spec.Assignment)."""
    return bundle.runner_script(name="run_autograder", comment=RUN_COMMENT, assignment=shlex.quote(spec.name),
                                root_variable="AUTOGRADER_ROOT", root_default="/autograder", source='"$ROOT/source"',
                                setup=RUN_SETUP, commands=RUN_COMMANDS, fallback=bundle.fallback_results(spec))


def requirements():
    """The pip requirement lines for grading, with the versions pyproject.toml pins."""
    text = (paths.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
    found = re.findall(r'"([A-Za-z0-9_.-]+)\s*([<>=!~][^"]*)?"', block.group(1) if block else "")
    pinned = {name.lower(): f"{name}{spec or ''}" for name, spec in found}
    return [pinned.get(name, name) for name in GRADING_REQUIREMENTS]


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
    kit = bundle.kit_contents(spec, "Gradescope")
    scripts = {"setup.sh": SETUP_SH.format(assignment=shlex.quote(spec.name)), "run_autograder": run_autograder(spec)}
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in scripts.items():
            _entry(zf, name, text.encode("utf-8"), executable=True)
        _entry(zf, "requirements.txt", ("\n".join(requirements()) + "\n").encode("utf-8"))
        for name, data in kit.items():
            _entry(zf, name, data)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_zip.name}.", dir=out_zip.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())
    os.replace(tmp, out_zip)
    print(MESSAGES["wrote"].format(path=out_zip, count=len(kit) + len(scripts) + 1))
    return out_zip
