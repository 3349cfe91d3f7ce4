"""The kit's side of nbgrader: grading in the kit's sandbox, safe LMS extraction, offline feedback pages.

``nbgrader_config.py`` (the course folder's configuration) plugs these classes into nbgrader 0.9.6:

- ``GradeWithKit`` replaces nbgrader's ``Execute`` preprocessor in ``Autograde.autograde_preprocessors``. The
  notebook is never run in a kernel. Instead ``python -m grader grade`` grades the autograded submission folder
  in a subprocess, and each grade cell (``grade_id`` == catalogue part key) gets the part's messages (a stdout
  stream), the part's plots (``image/png``) and the part's score as a plain float ``execute_result``, which is
  what nbgrader's ``determine_grade`` reads; that output's metadata keeps the part's first failure for the
  feedback page's summary. Code a student adds to the notebook therefore cannot change a score,
  and a submission that hangs or kills its process costs only the affected checks: the grade is always written.
- ``SafeExtractor`` replaces nbgrader's archive extractor for ``nbgrader zip_collect``. It never calls
  ``ZipFile.extract``: it reads the few files a submission needs and writes them under names it chooses.
- ``FeedbackExporter`` is the HTML exporter of ``nbgrader generate_feedback``, with nbgrader's feedback template
  made self-contained (no MathJax from a CDN), so a page opens offline with no console errors. Each page starts
  with a summary of what is wrong (``FeedbackSummary``, ``grader.reports.feedback_summary``), from the gradebook's scores.
- ``GradesCsvExport`` is ``nbgrader export``'s plugin: nbgrader's grades.csv with the autograded points and the
  hand-graded written points in columns of their own, and the written points still waiting for a grader.

Written answers (nbgrader "manually graded answer" cells: markdown, ``solution`` and ``grade`` set) are nbgrader's
business, not the kit's. GradeWithKit never touches them, autograde scores an untouched one 0 and marks an answered
one as needing a manual grade, and the formgrader (or ``nbgrader.api.Gradebook``) sets its score.

The LMS layout that ``zip_collect`` expects, in ``downloaded/<assignment>/archive/``:

- ``<student_id>.zip``, one archive per student, holding the notebook and the graded module files, at its top or
  in sub-folders; or
- ``<student_id>/``, one folder per student, holding the same files.

A student id is letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit. For each expected file
name (the assignment's notebooks and graded modules) the shallowest copy in the archive wins. ``SafeExtractor``
writes it to ``extracted/<student_id>/<file>``, and ``NAMED_REGEXP`` turns that path into the student id and
the file id. Loose files at the top of ``archive/`` and archives with unsafe entries (absolute paths, ``..``,
links, or too large) are skipped with a warning, and nothing is written for them. So is an archive with an entry
that cannot be read to its end (a bad CRC, an encrypted entry, an unknown compression method, a damaged stream):
every file entry is read before anything is written, and every other student is still collected.
"""
import html
import json
import lzma
import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from base64 import b64encode
from pathlib import Path, PurePosixPath, PureWindowsPath

import nbformat
import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.plugins import CsvExportPlugin, ExtractorPlugin
from traitlets import Float, Integer, List, Unicode, default

from .. import catalogues, text
from ..reports import csv_cells, feedback_summary
from ..core import limits, paths
from . import autograde_failures
from .kit_preprocessor import KitPreprocessor

MESSAGES = text.table("nbgrader_bridge", {
    "grader_failed": "The grader could not run on this submission ({reason}), so every part scores 0 for now. "
                     "Please tell your instructor.",
    "reason_exit": "it stopped with exit code {code}",
    "reason_timeout": "it ran longer than {seconds:g} s",
    "reason_no_results": "it wrote no results",
    "reason_bad_results": "its results could not be read",
    "unknown_part": "This cell is not a part of {assignment}, so it scores 0.",
    "alt_curves": "Training run {run}: loss and accuracy per epoch, your run against the reference run",
    "alt_boundary": "Training run {run}: decision regions of your network next to the reference network's",
    "alt_other": "Plot of training run {run}",
    "log_failure": "The kit's grader had trouble with {folder} ({reason}). Its standard error ends with:\n{stderr}",
    "plots_failed": "(The plots of the training runs could not be drawn.)",
    "reveals": "{assignment} ships the finished {modules} of {origin}, so releasing it reveals {origin}'s answers: "
               "{when}. Release it after {origin} is due.",
    "due_unset": "the gradebook has no due date for it",
    "due_ahead": "it is due only on {due} UTC",
    "reused": "{student}: reusing the results grade-all wrote for these exact files (fingerprint {fingerprint})",
    "archive_skipped": "Skipped {path}: {reason}. Nothing was extracted from it.",
    "loose_file": "Skipped {path}: put each student's files in <student_id>.zip or a <student_id>/ folder",
    "bad_student_id": "Skipped {path}: {name!r} is not a valid student id (letters, digits, '.', '_', '-')",
    "unsafe_entry": "unsafe entry {entry!r}",
    "link_entry": "entry {entry!r} is a link",
    "too_large": "it would unpack to more than {limit} bytes",
    "too_many": "it holds more than {limit} entries",
    "not_zip": "it is not a readable zip archive",
    "unreadable": "entry {entry!r} cannot be read ({error})",
    "nothing_found": "{path}: none of the expected files ({files}) found",
    "notebook_broken": "{path}: its {name} cannot be read as a notebook; the released notebook stands in for it",
    "extracted": "Extracted {files} for student {student}",
    "no_gradebook": "no nbgrader gradebook at {path}",
    "notebook_supplied": "{path} holds no {name}: the released notebook stands in for it (autograde needs a "
                         "notebook; the grades come from the modules)",
})

#: What GradeWithKit's default timeout adds to the budget: interpreter start-up, a worker start that the budget
#: does not count (at most runner.START_TIMEOUT, 30 s), and the plots (plots.TIME_LIMIT_SECONDS, 20 s).
TIMEOUT_MARGIN_SECONDS = 90
STUDENT_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"
FILE_ID = r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.(?:ipynb|py)"
#: matched with ``re.match`` against the absolute path of each file in ``extracted/``
NAMED_REGEXP = rf".*/extracted/(?P<student_id>{STUDENT_ID})/(?P<file_id>{FILE_ID})$"
STUDENT_ID_FULL = re.compile(rf"^{STUDENT_ID}$")


# -- configuration values -----------------------------------------------------------------------------------------
def graded_files(names=None):
    """``{assignment: [graded module file, ...]}``: the files autograde must take from the student, not the source."""
    return {name: [f"{module}.py" for module in catalogues.load(name).modules]
            for name in (names or catalogues.names())}


def expected_files(assignment):
    """The file names a submission of ``assignment`` consists of: its notebook and its graded modules."""
    return [f"{assignment}.ipynb"] + graded_files([assignment])[assignment]


def revealed_answers(assignment, db_url, now=None):
    """One line for each earlier assignment whose finished modules ``assignment`` ships while that assignment is
    not yet due (no due date in the gradebook, or one still ahead); an empty list when releasing reveals nothing."""
    from datetime import datetime, timezone
    from nbgrader.api import Gradebook, MissingEntry
    try:
        spec = catalogues.load(assignment)
    except catalogues.UnknownAssignment:
        return []
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)  # nbgrader keeps due dates as naive UTC
    lines = []
    for origin in sorted(set(spec.provided.values()) - {spec.name}):
        modules = ", ".join(f"{m}.py" for m, o in sorted(spec.provided.items()) if o == origin)
        with Gradebook(db_url) as gradebook:
            try:
                due = gradebook.find_assignment(origin).duedate
            except MissingEntry:
                due = None
        if due is None or due > now:
            when = MESSAGES["due_unset"] if due is None else MESSAGES["due_ahead"].format(due=due)
            lines.append(MESSAGES["reveals"].format(assignment=assignment, origin=origin, modules=modules, when=when))
    return lines


class WarnRevealedAnswers(KitPreprocessor):
    """``generate_assignment``: say in one line which earlier assignment's answers a release gives away."""

    lang = Unicode("", help="The language of the warning ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def preprocess(self, nb, resources):
        with text.language(self.lang or text.current()):
            lines = revealed_answers(resources["nbgrader"]["assignment"], resources["nbgrader"]["db_url"])
        for line in lines:
            self.log.warning(line)
        return nb, resources


def generate_preprocessors():
    """nbgrader 0.9.6's default ``GenerateAssignment.preprocessors``, after a check of what the release reveals."""
    from nbgrader.converters.generate_assignment import GenerateAssignment
    return [WarnRevealedAnswers] + list(GenerateAssignment.class_traits()["preprocessors"].default())


def answer_stub(lang=None):
    """What a released written-answer cell holds until the student writes there (nbgrader's
    ``ClearSolutions.text_stub``), in ``lang``: the text the notebook's prompt tells the student to replace."""
    from ..authoring import notebooks
    return text.lookup("notebooks", "answer_stub", notebooks.ANSWER_STUB, lang or text.current())


def sanitize_preprocessors():
    """nbgrader 0.9.6's default ``Autograde.sanitize_preprocessors`` (its first pass over a submitted notebook),
    after ``ZeroUntilGraded`` (a submission that autograde cannot finish scores 0, flagged, not its earlier grade)
    and ``NormaliseCells`` (the notebook's nbgrader metadata made the release's before nbgrader reads it)."""
    from nbgrader.converters.autograde import Autograde
    from .autograde_failures import ZeroUntilGraded
    from .nbgrader_cells import NormaliseCells
    return [ZeroUntilGraded, NormaliseCells] + list(Autograde.class_traits()["sanitize_preprocessors"].default())


def autograde_preprocessors():
    """nbgrader 0.9.6's default ``Autograde.autograde_preprocessors`` with ``Execute`` replaced by GradeWithKit, and
    every markdown cell made safe to show (``safe_markdown.SanitiseMarkdown``) before the notebook is saved."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from .safe_markdown import SanitiseMarkdown
    defaults = list(Autograde.class_traits()["autograde_preprocessors"].default())
    if Execute not in defaults:
        raise RuntimeError("nbgrader's default autograde preprocessors no longer hold Execute")
    chain = []
    for pp in defaults:
        chain.extend([GradeWithKit, SanitiseMarkdown] if pp is Execute else [pp])
    return chain


# -- grading ------------------------------------------------------------------------------------------------------
def run_grader(assignment, folder, out_dir, timeout, budget=limits.BUDGET_SECONDS, waive=(), lang=None):
    """Run ``python -m grader grade --budget BUDGET`` on ``folder``, with the sandbox properties ``waive`` waived,
    killed after ``timeout`` seconds, in ``lang`` (default: the current language).

    Returns (results document or None, the reason there is none, exit status (None if it was killed), the end of
    its standard error). The document is used whenever it was written and reads back, even if the process failed
    or was killed afterwards: it writes the results before it draws the plots.
    """
    out_dir = Path(out_dir)
    results, plots, log = out_dir / "results.json", out_dir / "plots", out_dir / "grader.log"
    command = [sys.executable, "-m", "grader", "grade", "--assignment", assignment, "--out", str(results),
               "--plots", str(plots), "--budget", repr(float(budget)), "--lang", lang or text.current(), str(folder)]
    if waive:
        command[-1:-1] = ["--allow-weak-sandbox", ",".join(waive)]
    with open(log, "wb") as errors:
        proc = subprocess.Popen(command, cwd=out_dir, env=paths.tool_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:  # it ended just then, and every process of its session with it
                pass
            proc.wait()
            code = None
    stderr = log.read_bytes()[-4000:].decode("utf-8", errors="replace")
    if not results.is_file():
        if code is None:
            return None, MESSAGES["reason_timeout"].format(seconds=timeout), code, stderr
        return None, (MESSAGES["reason_exit"].format(code=code) if code else MESSAGES["reason_no_results"]), code, \
            stderr
    try:
        document = json.loads(results.read_text(encoding="utf-8"))
        for test in document["tests"]:
            if not isinstance(test["extra_data"]["part"], str) or not isinstance(test["output"], str):
                raise TypeError("part and output must be strings")
            float(test["score"])
    except (ValueError, KeyError, TypeError):
        return None, MESSAGES["reason_bad_results"], code, stderr
    return document, "", code, stderr


def part_plots(plot_dir, part):
    """The PNG files of ``part``'s training runs (named ``<part-key>-<label>-*.png`` by grader.reports.plots)."""
    folder = Path(plot_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.png") if p.name.startswith(f"{part}-"))


def score_text(score):
    """The ``text/plain`` nbgrader parses: a plain Python float repr, never ``np.float64(...)``."""
    return repr(float(score))


def alt_text(image):
    """A description of a plot for its ``alt`` attribute: what it shows, as grader.plots wrote it beside the plot
    (``paths.plot_alt``), else what kind of plot it is, from its file name ``<part>-<label>-<kind>.png``."""
    said = paths.read_plot_alt(image)
    if said:
        return said
    stem = Path(image).stem
    kind = stem.rsplit("-", 1)[-1]
    run = stem[:-len(kind) - 1] if stem.endswith(f"-{kind}") else stem
    return MESSAGES.get(f"alt_{kind}", MESSAGES["alt_other"]).format(run=run)


def grade_outputs(text, score, images=(), record=None):
    """A grade cell's outputs: the messages (stdout), the plots, then the score, whose metadata keeps ``record``
    (``feedback_summary.record``) for the feedback page's summary."""
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=text.rstrip("\n") + "\n")]
    for image in images:
        outputs.append(nbformat.v4.new_output(
            "display_data", data={"image/png": b64encode(Path(image).read_bytes()).decode("ascii"),
                                  "text/plain": alt_text(image)},
            metadata={"image/png": {"alt": alt_text(image)}}))
    outputs.append(nbformat.v4.new_output("execute_result", data={"text/plain": score_text(score)},
                                          metadata={feedback_summary.RECORD_KEY: record or feedback_summary.record()},
                                          execution_count=None))
    return outputs


def reusable_results(results_dir, assignment, student, folder, lang=None, budget_seconds=None):
    """(results document, plots folder) that ``grade-all --plots`` wrote for this student, if they grade exactly
    the module files in ``folder``, in ``lang`` (default: the current language), under ``budget_seconds`` (default:
    limits.BUDGET_SECONDS); else None. Only the graded modules' bytes, the kit, the language and the budget decide a
    results document, so such a one is what ``python -m grader grade --plots`` would write again."""
    from . import batch
    from ..grading import engine
    if not results_dir or not STUDENT_ID_FULL.match(str(student or "")):
        return None
    try:
        spec = catalogues.load(assignment)
    except catalogues.UnknownAssignment:  # grading it here reports that to the student's cells
        return None
    path = Path(results_dir) / assignment / f"{student}.json"
    document = batch.read_results(path)
    try:
        kit = batch.kit_fingerprint(spec, lang, budget_seconds)
        fingerprint = batch.submission_fingerprint(spec, Path(folder), kit)
    except (OSError, engine.SubmissionError):  # a folder it cannot read as plain files: grade it here instead
        return None
    if not batch.current(document, fingerprint, need_plots=True):
        return None
    return document, batch.plots_folder(path.parent, student)


WAIVE_OPTION = "c.GradeWithKit.waive = {listed} in nbgrader_config.py (or NNKIT_SANDBOX_WAIVE={properties})"
_CONFINEMENT_CHECKED = set()  # the waivers under which this process has seen the sandbox start


class GradeWithKit(KitPreprocessor):
    """Fill each grade cell with the kit grader's verdict on the submission's module files. Runs no kernel.

    When ``python -m grader grade-all --plots`` has already graded the class into ``reuse_results`` (run it from
    the course folder, in parallel), each student whose modules are unchanged since then gets those results and
    plots, and is not graded again: the cells are exactly what grading here would write.
    """

    budget = Float(limits.BUDGET_SECONDS, help="Seconds one submission's code may take in all (`python -m grader "
                                                "grade --budget`); the calls past it are not run.").tag(config=True)
    timeout = Integer(help="Seconds the grader subprocess may take for one submission before it is killed (default: "
                           "the budget plus 90 s, for start-up and the plots). Results it wrote before are kept; "
                           "with none, every part scores 0.").tag(config=True)
    reuse_results = Unicode("graded", help="Folder (relative to the course folder) where `grade-all --plots` wrote "
                                           "<assignment>/<student>.json; '' to always grade here.").tag(config=True)
    lang = Unicode("", help="The language of the grade cells' messages and plots ('en', 'zh'); '' for $NNKIT_LANG, "
                            "else English. Scores do not depend on it.").tag(config=True)
    waive = List(Unicode(), help="Sandbox properties to grade without, where no confinement layer holds them on this "
                                 "machine (read-the-kit, write, processes, signals, network, or 'all'). Empty: "
                                 "$NNKIT_SANDBOX_WAIVE. See docs/security.md.").tag(config=True)

    def _policy(self):
        """The sandbox policy of ``waive``; raises confinement.Refused, once per autograde run and waiver, when
        this machine cannot confine the student's code without a waiver it was not given."""
        from ..sandbox import confinement
        policy = confinement.Policy(list(self.waive) or None, option=WAIVE_OPTION)
        if policy.waived not in _CONFINEMENT_CHECKED:
            from ..sandbox.runner import Sandbox
            with Sandbox({}, policy=policy) as sandbox:
                sandbox.start()
            _CONFINEMENT_CHECKED.add(policy.waived)
        return policy

    @default("timeout")
    def _timeout_default(self):
        return int(self.budget) + TIMEOUT_MARGIN_SECONDS

    def _results(self, assignment, student, folder, scratch):
        """(document or None, plots folder, exit status, reason there is no document) for this submission:
        reused from grade-all, or graded now."""
        lang = text.current()
        reused = reusable_results(self.reuse_results, assignment, student, folder, lang, self.budget)
        if reused is not None:
            document, plot_dir = reused
            self.log.info(MESSAGES["reused"].format(student=student,
                                                    fingerprint=document["extra_data"]["fingerprint"][:12]))
            return document, plot_dir, 0, ""
        policy = self._policy()  # refuses before any student code runs; nbgrader then fails this submission
        document, reason, code, stderr = run_grader(assignment, folder, scratch, self.timeout, self.budget,
                                                    sorted(policy.waived), lang)
        if document is None or code != 0:  # for the instructor's log only; the student sees one line
            why = reason or (MESSAGES["reason_timeout"].format(seconds=self.timeout) if code is None
                             else MESSAGES["reason_exit"].format(code=code))
            self.log.warning(MESSAGES["log_failure"].format(folder=folder, reason=why, stderr=stderr.strip()))
        return document, Path(scratch) / "plots", code, reason

    def preprocess(self, nb, resources):
        with text.language(self.lang or text.current()):
            return self._preprocess(nb, resources)

    def _preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        student = resources["nbgrader"].get("student")
        folder = os.path.abspath(resources.get("metadata", {}).get("path") or ".")
        with tempfile.TemporaryDirectory(prefix="nnkit-autograde-") as scratch:
            document, plot_dir, code, reason = self._results(assignment, student, folder, scratch)
            parts = {test["extra_data"]["part"]: test for test in document["tests"]} if document else {}
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                # only the parts' grade cells: a written answer (a solution cell) stays as the student wrote it
                if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                    continue
                part = parts.get(meta.get("grade_id"))
                if document is None or part is None:
                    message = MESSAGES["grader_failed"].format(reason=reason) if document is None else \
                        MESSAGES["unknown_part"].format(assignment=assignment)
                    outputs = grade_outputs(message, 0.0, record=feedback_summary.message_record(message))
                else:
                    text = part["output"]
                    if code != 0:  # it failed, or was killed, after it wrote the results
                        text += "\n" + MESSAGES["plots_failed"]
                    images = part_plots(plot_dir, meta["grade_id"])
                    score = min(float(part["score"]), float(meta.get("points", part["score"])))
                    outputs = grade_outputs(text, score, images, feedback_summary.part_record(part))
                cell.outputs = outputs
                cell.execution_count = None
                self.log.info("%s/%s: %s", assignment, meta.get("grade_id"), outputs[-1]["data"]["text/plain"])
        return nb, resources


# -- zip_collect ----------------------------------------------------------------------------------------------------
#: What reading a student's archive or folder can raise, besides the extractor's own refusals: a bad CRC or a cut
#: file (BadZipFile, EOFError), an encrypted entry (RuntimeError), an unknown compression method
#: (NotImplementedError), a damaged deflate, bzip2 or lzma stream (zlib.error, OSError, LZMAError), a malformed
#: header (ValueError, struct.error), an unreadable file (OSError). Any of them skips that student's archive whole.
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, zlib.error,
              lzma.LZMAError, EOFError, OSError, ValueError, struct.error)


class _Skip(Exception):
    """Why a student's archive or folder is skipped whole; nothing is written for it."""


def _unreadable(entry, exc):
    return _Skip(MESSAGES["unreadable"].format(entry=entry, error=f"{type(exc).__name__}: {exc}"))


def _unsafe(name):
    """Why an archive entry name is unsafe, or ''."""
    if "\x00" in name or PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() \
            or PureWindowsPath(name).drive or name.startswith(("/", "\\")):
        return MESSAGES["unsafe_entry"].format(entry=name)
    if ".." in re.split(r"[/\\]", name):
        return MESSAGES["unsafe_entry"].format(entry=name)
    return ""


def _readable_notebook(data):
    """Whether nbgrader can read ``data`` as a notebook (a broken one would fail autograde and keep old grades)."""
    try:
        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception:  # any reason at all: JSON, encoding, schema
        return False
    return True


class SafeExtractor(ExtractorPlugin):
    """``zip_collect``'s extractor: per-student zips or folders in, ``extracted/<student>/<file>`` out.

    Only the expected files (the assignment's notebooks and graded modules) are taken, each under its own base
    name, from the shallowest place it occurs. An archive with any unsafe or unreadable entry is skipped whole.
    """

    max_bytes = Integer(50 * 1024 ** 2, help="Largest total unpacked size of one student's archive.").tag(config=True)
    max_entries = Integer(2000, help="Most entries in one student's archive.").tag(config=True)

    def _release(self):
        """The released assignment folder, or None outside ``nbgrader zip_collect``."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return None
        return Path(coursedir.format_path(coursedir.release_directory, ".", coursedir.assignment_id))

    def _wanted(self):
        coursedir = getattr(self.parent, "coursedir", None)
        assignment = coursedir.assignment_id if coursedir else ""
        names = set(expected_files(assignment)) if assignment in catalogues.names() else set()
        release = self._release()
        if release is not None:
            names.update(p.name for p in release.glob("*.ipynb"))
        return names

    @staticmethod
    def _pick(candidates, wanted):
        """{file name: source} choosing, per wanted name, the shallowest candidate path (then the first by name)."""
        chosen = {}
        for rel in sorted(candidates, key=lambda r: (len(PurePosixPath(r).parts), r)):
            parts = PurePosixPath(rel).parts
            name = parts[-1]
            if name in wanted and name not in chosen and "__MACOSX" not in parts:
                chosen[name] = candidates[rel]
        return chosen

    def _zip_members(self, infos):
        """{relative name: ZipInfo} of a zip's files, or raise _Skip with the reason it is unsafe."""
        if len(infos) > self.max_entries:
            raise _Skip(MESSAGES["too_many"].format(limit=self.max_entries))
        if sum(info.file_size for info in infos) > self.max_bytes:
            raise _Skip(MESSAGES["too_large"].format(limit=self.max_bytes))
        members = {}
        for info in infos:
            reason = _unsafe(info.filename)
            if reason:
                raise _Skip(reason)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _Skip(MESSAGES["link_entry"].format(entry=info.filename))
            if not info.is_dir():
                members[info.filename.replace("\\", "/")] = info
        return members

    def _zip_files(self, archive, wanted):
        """{file name: bytes} of the wanted files of a zip, or raise _Skip with the reason it is skipped whole.

        Every file entry is read to its end, which checks its CRC, before any is taken, and no more than
        ``max_bytes`` are read in all: an archive is collected whole or not at all.
        """
        try:
            handle = zipfile.ZipFile(archive)
        except UNREADABLE:
            raise _Skip(MESSAGES["not_zip"]) from None
        with handle:
            members = self._zip_members(handle.infolist())
            taken = {rel: name for name, rel in self._pick({rel: rel for rel in members}, wanted).items()}
            files, left = {}, self.max_bytes
            for rel, info in members.items():
                try:
                    with handle.open(info) as stream:
                        data = stream.read(left + 1)
                except UNREADABLE as exc:
                    raise _unreadable(info.filename, exc) from None
                if len(data) > left:
                    raise _Skip(MESSAGES["too_large"].format(limit=self.max_bytes))
                left -= len(data)
                if rel in taken:
                    files[taken[rel]] = data
        return files

    def _read_files(self, entry, wanted):
        """{file name: bytes} of the wanted files of a student's zip or folder, or raise _Skip."""
        if not entry.is_dir():
            return self._zip_files(entry, wanted)
        files = {}
        for name, source in self._pick(self._folder_files(entry), wanted).items():
            try:
                files[name] = source.read_bytes()
            except OSError as exc:
                raise _unreadable(source.relative_to(entry).as_posix(), exc) from None
        return files

    def _write(self, student_dir, name, data):
        student_dir.mkdir(parents=True, exist_ok=True)
        target = student_dir / name
        if target.is_symlink() or target.exists():
            target.unlink()
        with open(target, "xb") as handle:
            handle.write(data)

    def extract(self, archive_path, extracted_path):
        archive_path, extracted_path = Path(archive_path), Path(extracted_path)
        wanted = self._wanted()
        release = self._release()
        for entry in sorted(archive_path.iterdir()):
            stem = entry.name[:-len(".zip")] if entry.name.lower().endswith(".zip") else entry.name
            if entry.is_symlink() or not (entry.is_dir() or entry.name.lower().endswith(".zip")):
                self.log.warning(MESSAGES["loose_file"].format(path=entry))
                continue
            if not STUDENT_ID_FULL.match(stem):
                self.log.warning(MESSAGES["bad_student_id"].format(path=entry, name=stem))
                continue
            try:
                files = self._read_files(entry, wanted)
            except _Skip as exc:
                self.log.warning(MESSAGES["archive_skipped"].format(path=entry, reason=exc))
                continue
            if not files:
                self.log.warning(MESSAGES["nothing_found"].format(path=entry, files=", ".join(sorted(wanted))))
                continue
            for notebook in sorted(release.glob("*.ipynb")) if release is not None else []:
                if notebook.name not in files:
                    self.log.warning(MESSAGES["notebook_supplied"].format(path=entry, name=notebook.name))
                    files[notebook.name] = notebook.read_bytes()
                elif not _readable_notebook(files[notebook.name]):
                    self.log.warning(MESSAGES["notebook_broken"].format(path=entry, name=notebook.name))
                    files[notebook.name] = notebook.read_bytes()
            for name, data in files.items():
                self._write(extracted_path / stem, name, data)
            self.log.info(MESSAGES["extracted"].format(files=", ".join(sorted(files)), student=stem))

    @staticmethod
    def _folder_files(folder):
        """{relative path: path} of the regular files under ``folder``, never following a link."""
        found = {}
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not Path(root, d).is_symlink()]
            for file in files:
                full = Path(root, file)
                if not full.is_symlink() and full.is_file():
                    found[full.relative_to(folder).as_posix()] = full
        return found


# -- generate_feedback ----------------------------------------------------------------------------------------------
FEEDBACK_CSS = """<style type="text/css">
div.output_area pre, div.output_subarea pre { white-space: pre-wrap; overflow-wrap: break-word; }
div.output_png img { max-width: 100%; height: auto; }
div.nnkit-summary { margin: 0 0 1.5em; padding: 0.6em 0.8em; border: 1px solid #ddd; border-radius: 4px; }
div.nnkit-heading { font-size: 1.2em; margin-bottom: 0.3em; }
div.nnkit-verdict { margin-bottom: 0.6em; }
div.nnkit-table { display: table; border-collapse: collapse; width: 100%; }
div.nnkit-row { display: table-row; }
div.nnkit-cell { display: table-cell; padding: 0.25em 0.6em; border-top: 1px solid #eee; vertical-align: top; }
div.nnkit-cell:nth-child(2) { white-space: nowrap; }
div.nnkit-head div.nnkit-cell { font-weight: bold; border-top: none; }
div.nnkit-lost div.nnkit-cell:nth-child(2) { color: #b3261e; }
div.nnkit-lost div.nnkit-cell:nth-child(2)::before { content: "\\2717\\00a0"; }
div.nnkit-passed div.nnkit-cell:nth-child(3)::before { content: "\\2713\\00a0"; }
div.nnkit-failure, div.nnkit-cause, div.nnkit-upstream { white-space: pre-wrap; overflow-wrap: anywhere; }
div.nnkit-cause { font-weight: bold; }
div#toc details > summary { display: list-item; cursor: pointer; }
.highlight .c, .highlight .c1, .highlight .ch, .highlight .cm, .highlight .cpf, .highlight .cs { color: #336666; }
.highlight .ow { color: #8a1ccf; } .highlight .se { color: #8f4e1a; }
.panel-heading a[href$="#top"] { color: #ffffff !important; }
a.anchor-link, div.nnkit-summary a { text-decoration: underline; }
</style>
"""


#: The feedback page's content security policy, the first thing in its ``<head>``: no script at all (the page needs
#: none: MathJax is left out, so formulas show as their TeX source, and nbgrader's feedback template has no script of
#: its own), no image but ``data:`` ones (the plots are), styles only in the page, no ``<base>``, no form. Fonts may
#: come from the page's own origin: Bootstrap's stylesheet declares its icon font, which the page never uses, and
#: Chromium reports a policy that refuses a declared font as an error even when nothing loads it. Whatever a
#: student's markdown held, the browser runs none of it.
FEEDBACK_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'self' data:; "
                "base-uri 'none'; form-action 'none'")
FEEDBACK_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_CSP}">'
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def with_csp(page):
    """The HTML ``page`` with FEEDBACK_CSP_META first in its head; raises ValueError on a page that has no head."""
    found = HEAD.search(page)
    if found is None:
        raise ValueError("the feedback page has no <head> for its content security policy")
    return page[:found.end()] + "\n" + FEEDBACK_CSP_META + page[found.end():]


#: The words of nbgrader's feedback template (``feedback/index.html.j2``), each as it stands there, in the order
#: they are replaced; ``FEEDBACK[key]`` is their text in the page's language.
FEEDBACK_FRAGMENTS = (
    ("Late submission penalty", "late_penalty"),
    ("(Score: ", "score_paren"),
    ("}})</h4>", "close_heading"),
    ("}})</li>", "close_item"),
    ("Score: {{ cell", "score_cell"),
    (">Test cell</a>", "test_cell"),
    (">Coding free-response</a>", "free_response"),
    (">Written response</a>", "written_response"),
    (">Task</a>", "task"),
    (">Comment</a>", "comment"),
    ("(Top)", "top"),
    ("Student's answer", "answer"),
    ("Student's task", "student_task"),
    ("Grade cell: ", "grade_cell"),
    ("Task: <code>", "task_code"),
    ("<b>Comments:</b>", "comments"),
    ("<html>", "html"),
)
FEEDBACK = text.table("feedback", {
    "late_penalty": "Late submission penalty",
    "score_paren": "(Score: ",
    "close_heading": "}})</h4>",
    "close_item": "}})</li>",
    "score_cell": "Score: {{ cell",
    "test_cell": ">Test cell</a>",
    "free_response": ">Coding free-response</a>",
    "written_response": ">Written response</a>",
    "task": ">Task</a>",
    "comment": ">Comment</a>",
    "top": "(Top)",
    "answer": "Student's answer",
    "student_task": "Student's task",
    "grade_cell": "Grade cell: ",
    "task_code": "Task: <code>",
    "comments": "<b>Comments:</b>",
    "html": "<html>",
})
FEEDBACK_TEMPLATE = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates" / "feedback" / \
    "index.html.j2"


def feedback_template(lang):
    """nbgrader's feedback page template with its words in ``lang``; None for English (nbgrader's own is used)."""
    if lang == text.ENGLISH:
        return None
    template = FEEDBACK_TEMPLATE.read_text(encoding="utf-8")
    for fragment, key in FEEDBACK_FRAGMENTS:
        template = template.replace(fragment, text.lookup("feedback", key, fragment, lang))
    return template


def answer_state(grade):
    """Where a written answer's nbgrader grade stands (``feedback_summary.WRITTEN_STATES``)."""
    if grade.needs_manual_grade:
        return "waiting"
    return "unanswered" if grade.manual_score is None else "by_hand"


def submission_grades(db_url, notebook, assignment, student):
    """``({grade_id: (score, max score, answer_state)}, (score, max score, late penalty))`` of one submitted
    notebook, read from the gradebook as generate_feedback's GetGrades reads them (the score after the penalty)."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        found = gradebook.find_submission_notebook(notebook, assignment, student)
        grades = {grade.name: (grade.score, grade.max_score, answer_state(grade)) for grade in found.grades}
        penalty = found.late_submission_penalty or 0.0
        return grades, (found.score - penalty, found.max_score, penalty)


class FeedbackSummary(KitPreprocessor):
    """``generate_feedback``: put the summary of ``grader.reports.feedback_summary`` first on the page, from the gradebook's
    scores and what GradeWithKit left in the grade cells. FeedbackExporter runs it; the graded notebook and the
    gradebook are not changed."""

    lang = Unicode("", help="The language of the summary ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader") or {}
        if not info.get("db_url"):  # not a page of generate_feedback: there are no grades to summarise
            return nb, resources
        grades, totals = submission_grades(info["db_url"], info["notebook"], info["assignment"], info["student"])
        with text.language(self.lang or text.current()):
            summary = feedback_summary.render(feedback_summary.rows(nb, grades, info["assignment"]), *totals)
        nb.cells.insert(0, feedback_summary.cell(summary))
        resources[SUMMARY_FLAG] = True
        return nb, resources


#: Where nbgrader's feedback template opens and closes its list of every grade cell's score (its "toc")
TOC_OPEN, TOC_CLOSE = '<div id="toc">', "</ol>"
#: The resource the page template tests: FeedbackSummary sets it on a page that starts with its summary
SUMMARY_FLAG = "nnkit_summary"


def collapse_toc(template, label):
    """nbgrader's feedback template with its list of every grade cell's score folded into a ``<details>`` named
    ``label`` on a page that starts with the summary, which shows those scores first, with the parts' names."""
    start = template.find(TOC_OPEN)
    end = template.find(TOC_CLOSE, start)
    if start < 0 or end < 0:  # another nbgrader's template: it stays as it is
        return template
    opened = f"{{% if resources.{SUMMARY_FLAG} %}}<details><summary>{html.escape(label)}</summary>{{% endif %}}"
    closed = f"{{% if resources.{SUMMARY_FLAG} %}}</details>{{% endif %}}"
    end += len(TOC_CLOSE)
    return (template[:start + len(TOC_OPEN)] + opened + template[start + len(TOC_OPEN):end] + closed
            + template[end:])


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML, with no script fetched from the network and with the grader's long lines wrapped,
    and first on the page a summary of what is wrong (FeedbackSummary). The page's content security policy
    (FEEDBACK_CSP) lets no script run on it.

    nbgrader's feedback template loads MathJax from a CDN, which fails offline with a console error: the macro is
    replaced by an empty one, so formulas in markdown show as their TeX source. In a language other than English
    (``lang``), the template's own words (the score summary, the cell headings) and the summary are that language's.
    """

    lang = Unicode("", help="The language of the page's own words ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def __init__(self, *args, **kwargs):
        from jinja2 import DictLoader
        super().__init__(*args, **kwargs)
        templates = {"mathjax.html.j2": "{%- macro mathjax(url='') -%}{%- endmacro %}"}
        lang = text.check(self.lang) if self.lang else text.current()
        template = feedback_template(lang) or FEEDBACK_TEMPLATE.read_text(encoding="utf-8").replace(
            "<html>", f'<html lang="{text.ENGLISH}">', 1)
        with text.language(lang):
            templates["index.html.j2"] = collapse_toc(template, feedback_summary.MESSAGES["toc"])
        self.extra_loaders = [DictLoader(templates), *self.extra_loaders]
        self.register_preprocessor(FeedbackSummary(parent=self, lang=lang))

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return with_csp(output.replace("</head>", FEEDBACK_CSS + "</head>", 1)), resources


# -- the gradebook: autograded parts and hand-graded written answers ------------------------------------------------
def gradebook_path(course, db_name="gradebook.db"):
    """The gradebook file: ``course`` itself when it is a file, else ``course/db_name``. It must exist, because
    nbgrader's ``Gradebook`` would quietly create an empty one."""
    path = Path(course)
    path = path if path.is_file() else path / db_name
    if not path.is_file():
        raise FileNotFoundError(MESSAGES["no_gradebook"].format(path=path))
    return path


def gradebook_grades(course, assignment, db_name="gradebook.db"):
    """``{student: {grade_id: {...}}}`` from nbgrader's gradebook, one entry per grade cell of each submission:
    ``auto``, ``manual``, ``extra_credit``, ``score`` (nbgrader's: the manual score when there is one, else the
    auto score, plus extra credit), ``max``, ``needs_manual_grade``, and ``written``: True for a manually graded
    answer (a grade cell that is also a solution cell), False for an autograded part. An assignment the gradebook
    does not know has no submissions."""
    from nbgrader.api import Gradebook, MissingEntry
    grades = {}
    with Gradebook(f"sqlite:///{gradebook_path(course, db_name)}") as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for submission in submissions:
            row = grades.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                answers = {cell.name for cell in notebook.notebook.solution_cells}
                for grade in notebook.grades:
                    row[grade.name] = {"auto": grade.auto_score, "manual": grade.manual_score,
                                       "extra_credit": grade.extra_credit, "score": grade.score,
                                       "max": grade.max_score, "needs_manual_grade": grade.needs_manual_grade,
                                       "written": grade.name in answers}
    return grades


def gradebook_scores(course, assignment, db_name="gradebook.db"):
    """``{student: {part: auto score or None}}`` of the autograded parts, from the course's gradebook."""
    return {student: {key: grade["auto"] for key, grade in row.items() if not grade["written"]}
            for student, row in gradebook_grades(course, assignment, db_name).items()}


def written_score(grade):
    """A written answer's score as nbgrader counts it, or None while no one has graded it. An answer the student
    left as it was released is scored 0 by autograde itself."""
    return None if grade["manual"] is None and grade["auto"] is None else float(grade["score"])


def gradebook_written(course, assignment, db_name="gradebook.db"):
    """``{student: {question: score, or None while it waits for a grader}}`` of the written answers."""
    return {student: {key: written_score(grade) for key, grade in row.items() if grade["written"]}
            for student, row in gradebook_grades(course, assignment, db_name).items()}


class GradesCsvExport(CsvExportPlugin):
    """``nbgrader export``'s grades.csv, with nbgrader's columns and values, and after them the two kinds of points
    apart: ``auto_score`` / ``max_auto_score`` (the autograded parts), ``written_score`` / ``max_written_score``
    (the hand-graded written answers) and ``written_to_grade``, the points of written answers no one has graded
    yet; then ``autograde_failed``: 1 where autograde could not finish the submission, whose parts then score 0 and
    wait for a grader (``grader.adapters.autograde_failures``), else 0, each such row also logged in one line.
    nbgrader's ``score`` and ``max_score`` are the sum of both kinds. Unlike nbgrader's own plugin, it writes
    with the csv module (a name with a comma stays one cell) and makes every cell inert (``grader.csv_cells``): a
    student's name is theirs to choose."""

    KEYS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
            "late_submission_penalty", "score", "max_score")
    EXTRA = ("auto_score", "max_auto_score", "written_score", "max_written_score", "written_to_grade",
             "autograde_failed")

    def export(self, gradebook):
        from nbgrader.api import MissingEntry
        dest = self.to or "grades.csv"
        students = {str(item) for item in self.student}
        names = {str(item) for item in self.assignment}
        self.log.info("Exporting grades to %s", dest)
        rows = [list(self.KEYS + self.EXTRA)]
        for assignment in gradebook.assignments:
            if names and assignment.name not in names:
                continue
            columns = self._columns(gradebook, assignment.name)
            for student in gradebook.students:
                if students and student.id not in students:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:  # nothing submitted: 0, as nbgrader's own export says
                    timestamp, raw, penalty, score = "", 0.0, 0.0, 0.0
                else:
                    penalty = submission.late_submission_penalty
                    timestamp, raw, score = submission.timestamp, submission.score, max(0.0, submission.score - penalty)
                values = (assignment.name, assignment.duedate, timestamp, student.id, student.last_name,
                          student.first_name, student.email, raw, penalty, score, assignment.max_score)
                rows.append(["" if value is None else str(value) for value in values]
                            + columns.get(student.id, columns[None]))
        with open(dest, "w", encoding="utf-8", newline="") as handle:
            csv_cells.write_rows(rows, handle)

    def _columns(self, gradebook, name):
        """{student id: extra column texts} for assignment ``name``; the None key holds a missing submission's."""
        assignment = gradebook.find_assignment(name)
        answers = {cell.name for notebook in assignment.notebooks for cell in notebook.solution_cells}
        cells = [cell for notebook in assignment.notebooks for cell in notebook.grade_cells]
        max_auto = sum(cell.max_score for cell in cells if cell.name not in answers)
        max_written = sum(cell.max_score for cell in cells if cell.name in answers)
        rows = {None: [str(0.0), str(max_auto), str(0.0), str(max_written), str(0.0), "0"]}
        for submission in assignment.submissions:
            auto = written = waiting = 0.0
            broken = False
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    broken = broken or autograde_failures.failed(grade, answers)
                    if grade.name not in answers:
                        auto += grade.score
                    elif grade.manual_score is None and grade.auto_score is None:
                        waiting += grade.max_score
                    else:
                        written += grade.score
            rows[submission.student.id] = [str(auto), str(max_auto), str(written), str(max_written), str(waiting),
                                           str(int(broken))]
            if broken:
                self.log.warning(autograde_failures.MESSAGES["export"].format(student=submission.student.id,
                                                                              assignment=name))
        return rows


# -- helpers for the demo and the tests -----------------------------------------------------------------------------


def copy_folder(source, target):
    """Copy a folder's files (the content of any link, never the link), leaving out caches."""
    shutil.copytree(source, target, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
