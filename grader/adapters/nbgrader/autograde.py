"""``nbgrader autograde``: grading in the kit's sandbox instead of a kernel.

``GradeWithKit`` replaces nbgrader's ``Execute`` preprocessor in ``Autograde.autograde_preprocessors``. The notebook
is never run in a kernel. Instead ``python -m grader grade`` grades the autograded submission folder in a
subprocess (by default in a child of one warm grading helper per autograde run, ``grading_helper``, which writes
what a cold process writes), and each grade cell (``grade_id`` == catalogue part key) gets the part's messages (a stdout stream), the
part's plots (``image/png``) and the part's score as a plain float ``execute_result``, which is what nbgrader's
``determine_grade`` reads; that output's metadata keeps the part's first failure for the feedback page's summary.
Code a student adds to the notebook therefore cannot change a score, and a submission that hangs or kills its
process costs only the affected checks: the grade is always written.

Written answers (nbgrader "manually graded answer" cells: markdown, ``solution`` and ``grade`` set) are nbgrader's
business, not the kit's. GradeWithKit never touches them, autograde scores an untouched one 0 and marks an answered
one as needing a manual grade, and the formgrader (or ``nbgrader.api.Gradebook``) sets its score.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from base64 import b64encode
from pathlib import Path

import nbformat
from traitlets import Bool, Float, Integer, List, Unicode, default

from ... import catalogues, text
from ...core import limits, paths
from ...reports import feedback_summary
from .. import grading_helper
from .files import STUDENT_ID_FULL
from .preprocessor import KitPreprocessor

MESSAGES = text.table("nbgrader_autograde", {
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
    "reused": "{student}: reusing the results grade-all wrote for these exact files (fingerprint {fingerprint})",
})

#: What GradeWithKit's default timeout adds to the budget: interpreter start-up, a worker start that the budget
#: does not count (at most runner.START_TIMEOUT, 30 s), and the plots (plots.TIME_LIMIT_SECONDS, 20 s).
TIMEOUT_MARGIN_SECONDS = 90


def sanitize_preprocessors():
    """nbgrader 0.9.6's default ``Autograde.sanitize_preprocessors`` (its first pass over a submitted notebook),
    after ``ZeroUntilGraded`` (a submission that autograde cannot finish scores 0, flagged, not its earlier grade)
    and ``NormaliseCells`` (the notebook's nbgrader metadata made the release's before nbgrader reads it)."""
    from nbgrader.converters.autograde import Autograde

    from .cells import NormaliseCells
    from .failures import ZeroUntilGraded
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


def grade_command(assignment, folder, out_dir, budget=limits.BUDGET_SECONDS, waive=()):
    """The arguments of ``python -m grader`` that grade ``folder`` into ``out_dir``: results.json, then plots/."""
    out_dir = Path(out_dir)
    command = ["grade", "--assignment", assignment, "--out", str(out_dir / "results.json"), "--plots",
               str(out_dir / "plots"), "--budget", repr(float(budget)), "--lang", text.current(), str(folder)]
    if waive:
        command[-1:-1] = ["--allow-weak-sandbox", ",".join(waive)]
    return command


def run_grader(assignment, folder, out_dir, timeout, budget=limits.BUDGET_SECONDS, waive=(), helper=None):
    """Run ``python -m grader grade --budget BUDGET`` on ``folder``, with the sandbox properties ``waive`` waived,
    killed after ``timeout`` seconds, in the current language (passed on as ``--lang``): in ``helper`` (a
    grading_helper.Helper, which runs the same command in a process forked from a warm one), else, or when the
    helper fails, in a cold process of its own.

    Returns (results document or None, the reason there is none, exit status (None if it was killed), the end of
    its standard error). The document is used whenever it was written and reads back, even if the process failed
    or was killed afterwards: it writes the results before it draws the plots.
    """
    out_dir = Path(out_dir)
    results, log = out_dir / "results.json", out_dir / "grader.log"
    arguments = grade_command(assignment, folder, out_dir, budget, waive)
    try:
        if helper is None:
            raise grading_helper.HelperGone("no helper")
        code = helper.run(arguments, out_dir, log, timeout)
    except grading_helper.HelperGone:
        results.unlink(missing_ok=True)  # whatever a lost helper run left: the cold run writes it anew
        shutil.rmtree(out_dir / "plots", ignore_errors=True)
        code = _run_cold(arguments, out_dir, log, timeout)
    stderr = log.read_bytes()[-4000:].decode("utf-8", errors="replace") if log.is_file() else ""
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


def _run_cold(arguments, out_dir, log, timeout):
    """``python -m grader`` ``arguments`` in a process of its own; its exit status, or None if it was killed."""
    with open(log, "wb") as errors:
        proc = subprocess.Popen([sys.executable, "-m", "grader", *arguments], cwd=out_dir, env=paths.tool_env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                                start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:  # it ended just then, and every process of its session with it
                pass
            proc.wait()
            return None


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


def reusable_results(results_dir, assignment, student, folder, budget_seconds=None):
    """(results document, plots folder) that ``grade-all --plots`` wrote for this student, if they grade exactly
    the module files in ``folder``, in the current language, under ``budget_seconds`` (default:
    limits.BUDGET_SECONDS); else None. Only the graded modules' bytes, the kit, the language and the budget decide a
    results document, so such a one is what ``python -m grader grade --plots`` would write again."""
    from ...grading import engine
    from .. import batch
    if not results_dir or not STUDENT_ID_FULL.match(str(student or "")):
        return None
    try:
        spec = catalogues.load(assignment)
    except catalogues.UnknownAssignment:  # grading it here reports that to the student's cells
        return None
    path = Path(results_dir) / assignment / f"{student}.json"
    document = batch.read_results(path)
    try:
        kit = batch.kit_fingerprint(spec, budget_seconds)
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
    helper = Bool(True, help="Grade every student of this run in one grading helper process, which forks a warm "
                             "child per student (`grader.adapters.grading_helper`), instead of a cold `python -m "
                             "grader grade` process each; the results are the same.").tag(config=True)
    waive = List(Unicode(), help="Sandbox properties to grade without, where no confinement layer holds them on this "
                                 "machine (read-the-kit, write, processes, signals, network, or 'all'). Empty: "
                                 "$NNKIT_SANDBOX_WAIVE. See docs/security.md.").tag(config=True)

    def _policy(self):
        """The sandbox policy of ``waive``; raises confinement.Refused, once per autograde run and waiver, when
        this machine cannot confine the student's code without a waiver it was not given."""
        from ...sandbox import confinement
        policy = confinement.Policy(list(self.waive) or None, option=WAIVE_OPTION)
        if policy.waived not in _CONFINEMENT_CHECKED:
            from ...sandbox.runner import Sandbox
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
        reused = reusable_results(self.reuse_results, assignment, student, folder, self.budget)
        if reused is not None:
            document, plot_dir = reused
            self.log.info(MESSAGES["reused"].format(student=student,
                                                    fingerprint=document["extra_data"]["fingerprint"][:12]))
            return document, plot_dir, 0, ""
        policy = self._policy()  # refuses before any student code runs; nbgrader then fails this submission
        helper = grading_helper.helper(paths.tool_env()) if self.helper else None
        document, reason, code, stderr = run_grader(assignment, folder, scratch, self.timeout, self.budget,
                                                    sorted(policy.waived), helper=helper)
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
            # a module that could not be imported: its sentence heads the first grade cell that needs it
            broken = (document or {}).get("extra_data", {}).get("broken") or {}
            told = set()
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
                    record = feedback_summary.part_record(part, broken)
                    first = [sentence for sentence in record["broken"] if sentence not in told]
                    if first:
                        text = "\n".join(first + [text])
                        told.update(first)
                    if code != 0:  # it failed, or was killed, after it wrote the results
                        text += "\n" + MESSAGES["plots_failed"]
                    images = part_plots(plot_dir, meta["grade_id"])
                    score = min(float(part["score"]), float(meta.get("points", part["score"])))
                    outputs = grade_outputs(text, score, images, record)
                cell.outputs = outputs
                cell.execution_count = None
                self.log.info("%s/%s: %s", assignment, meta.get("grade_id"), outputs[-1]["data"]["text/plain"])
        return nb, resources
