"""A PrairieLearn externally graded question for one assignment, and the grading its entrypoint runs.

``python -m grader prairielearn --assignment NAME --out DIR`` lays DIR out like a PrairieLearn course folder:
- ``questions/nnkit/NAME/info.json``: the question (QID ``nnkit/NAME``), graded ``External``ly, whose
  ``externalGradingOptions`` name the image (``prairielearn/grader-python``, which has numpy), the kit folder to
  copy in from ``serverFilesCourse``, the entrypoint and the timeout;
- ``questions/nnkit/NAME/question.html``: a ``pl-file-upload`` of the graded modules, and the results panel;
- ``serverFilesCourse/nnkit/NAME/``: the kit (``bundle.kit_files``) and ``run``, the entrypoint.

PrairieLearn copies the kit folder to ``/grade/serverFilesCourse/nnkit/NAME/``, the uploaded files to
``/grade/student/``, and runs ``run``. It runs ``python3 -m grader.adapters.prairielearn grade NAME $ROOT``, which stages
the graded module files out of ``$ROOT/student``, grades them with the engine, maps the results to PrairieLearn's
schema (``results.to_prairielearn``), cuts them to fit its 1 MB limit (``results.write_results``), and writes
``$ROOT/results/results.json``.
``$ROOT`` is ``$PL_GRADE_ROOT``, or ``/grade``. When grading itself fails, ``run`` writes a not-gradable result
instead. docs/prairielearn.md has the whole story, and what PrairieLearn's documentation it follows.
"""
import html
import os
import shlex
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from . import bundle
from .. import catalogues, text
from ..grading import engine
from ..core import limits
from ..reports import results

IMAGE = "prairielearn/grader-python"
QID = "nnkit/{name}"
KIT_FOLDER = "nnkit/{name}"  # inside serverFilesCourse/, and so inside /grade/serverFilesCourse/ when grading
BUDGET_SECONDS = limits.BUDGET_SECONDS  # the kit's own limit on one submission's time in the sandbox
TIMEOUT_SECONDS = 135  # PrairieLearn kills the container after this: the budget, the stand-ins' round trips given
#                        back to it (runner.STAND_IN_CREDIT budgets at most), a worker start (30 s at most) and
#                        start-up, so the kit, not PrairieLearn, ends a slow submission; at most 600
MEMORY_BYTES = 1024 ** 3  # the worker's address space: under PrairieLearn's 2 GiB container, beside the grader
# What the grading process may add to its own address space (limits.cap_address_space): grading A3 adds about 40 MB,
# so the grader (about 150 MB to start with) and the worker together stay under the container's 2 GiB.
HEADROOM_BYTES = 512 * 1024 ** 2
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "nnkit:prairielearn")  # stable question UUIDs across exports

MESSAGES = text.table("prairielearn", {
    "wrote": "wrote {path}: questions/{qid}/ and serverFilesCourse/{kit}/ ({count} files)",
    "topic": "Neural networks",
    "usage": "usage: python -m grader.adapters.prairielearn grade ASSIGNMENT GRADE_ROOT",
    "upload": "Upload your module files: {files}. Only these files are graded, and the grader supplies the "
              "finished modules this assignment builds on. Run <code>pytest</code> in your assignment folder "
              "first: it runs the public checks with the same inputs and tolerances; the grader also runs "
              "hidden cases, gradient checks and training runs.",
    "parts": "Parts:",
    "part": "{title} ({points:g} {unit})",
    "point": "point",
    "points": "points",
})

RUN_COMMENT = """# PrairieLearn runs this, the question's entrypoint, for each submission, in the grading container.
# It grades $ROOT/student into $ROOT/results/results.json. ROOT is $PL_GRADE_ROOT, or /grade on PrairieLearn.
# The kit is the folder this script is in: $ROOT/serverFilesCourse/nnkit/<assignment>/."""
RUN_SOURCE = '"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"'
RUN_COMMANDS = """    && "$PYTHON" -m grader.adapters.prairielearn grade "$ASSIGNMENT" "$ROOT\""""

QUESTION_HTML = """<pl-question-panel>
  <p><strong>{title}</strong></p>
  <p>{upload}</p>
  <p>{parts_label}</p>
  <ul>
{parts}
  </ul>
  <pl-file-upload file-names="{file_names}"></pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


# -- the export ----------------------------------------------------------------------------------------------------
def entrypoint(spec):
    return f"/grade/serverFilesCourse/{KIT_FOLDER.format(name=spec.name)}/run"


def info_json(spec):
    """The question's info.json: an externally graded v3 question whose grading container runs the kit."""
    return {
        "uuid": str(uuid.uuid5(UUID_NAMESPACE, spec.name)),
        "title": text.catalogue(spec.name, "title", spec.title),
        "topic": MESSAGES["topic"],
        "tags": ["nnkit", spec.name],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,  # required by older PrairieLearn releases; newer ones ignore it
            "image": IMAGE,
            "serverFilesCourse": [f"{KIT_FOLDER.format(name=spec.name)}/"],
            "entrypoint": entrypoint(spec),
            "timeout": TIMEOUT_SECONDS,
            "enableNetworking": False,
        },
    }


def question_html(spec):
    items = [MESSAGES["part"].format(title=text.catalogue(spec.name, f"part:{part.key}", part.title),
                                     points=part.points, unit=MESSAGES["point" if part.points == 1 else "points"])
             for part in spec.parts]
    files = [f"{module}.py" for module in spec.modules]
    return QUESTION_HTML.format(
        title=html.escape(text.catalogue(spec.name, "title", spec.title)), parts_label=MESSAGES["parts"],
        file_names=", ".join(files),
        parts="\n".join(f"    <li>{html.escape(item)}</li>" for item in items),
        upload=MESSAGES["upload"].format(files=", ".join(f"<code>{html.escape(name)}</code>" for name in files)))


def run_script(spec):
    """The text of ``run``, the entrypoint, for ``spec`` (a spec.Assignment)."""
    fallback = results.to_prairielearn(bundle.fallback_results(spec))
    return bundle.runner_script(name="run", comment=RUN_COMMENT, assignment=shlex.quote(spec.name),
                                root_variable="PL_GRADE_ROOT", root_default="/grade", source=RUN_SOURCE,
                                commands=RUN_COMMANDS, fallback=fallback)


def _replace_folder(target, files, executable=()):
    """Make ``target`` hold exactly ``files`` ({relative name: bytes}): it is built beside ``target`` and swapped
    in, so no file of an earlier export is left in it, and a failed build leaves the earlier export in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
    old = None
    try:
        fresh.chmod(0o755)
        for name, data in files.items():
            path = fresh / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o755 if name in executable else 0o644)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(fresh, target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        if old is not None and not target.exists() and (old / target.name).exists():
            os.replace(old / target.name, target)  # put the previous export back
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_export(assignment, out_dir):
    """Write the PrairieLearn question and kit of ``assignment`` (a name) under ``out_dir``; return ``out_dir``.

    Only ``questions/nnkit/NAME/`` and ``serverFilesCourse/nnkit/NAME/`` are written, each replaced whole; the
    same assignment always gives the same bytes, and the same question UUID.
    """
    spec = catalogues.load(assignment)
    out_dir = Path(out_dir)
    kit = bundle.kit_contents(spec, "PrairieLearn")
    kit["run"] = run_script(spec).encode("utf-8")
    question = {"info.json": results.json_text(info_json(spec)).encode("utf-8"),
                "question.html": question_html(spec).encode("utf-8")}
    _replace_folder(out_dir / "serverFilesCourse" / KIT_FOLDER.format(name=spec.name), kit, executable={"run"})
    _replace_folder(out_dir / "questions" / QID.format(name=spec.name), question)
    print(MESSAGES["wrote"].format(path=out_dir, qid=QID.format(name=spec.name),
                                   kit=KIT_FOLDER.format(name=spec.name), count=len(kit) + len(question)))
    return out_dir


# -- grading, inside the container ---------------------------------------------------------------------------------
def grade(assignment, root, *, budget_seconds=BUDGET_SECONDS, memory_bytes=MEMORY_BYTES):
    """Grade ``root/student`` into ``root/results/results.json`` (PrairieLearn's schema); return the document."""
    spec = catalogues.load(assignment)
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="nnkit-submission-") as staged:
        notes = bundle.stage(spec.name, root / "student", staged)
        for note in notes:
            print(note)
        report = engine.grade(spec.name, staged, budget_seconds=budget_seconds, memory_bytes=memory_bytes)
    document = results.write_results(results.to_prairielearn(results.to_results(report), notes),
                                     root / "results" / "results.json")
    print(document["message"])
    return document


def main(argv=None):
    own_process = argv is None
    argv = sys.argv[1:] if own_process else argv
    if len(argv) != 3 or argv[0] != "grade":
        print(MESSAGES["usage"], file=sys.stderr)
        return 2
    if own_process:  # run as a program: this process grades one submission and nothing else
        limits.cap_address_space(HEADROOM_BYTES)
    from ..sandbox.confinement import Refused
    try:
        grade(argv[1], argv[2])
    except Refused as exc:  # one line; `run` then writes the not-gradable fallback
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
