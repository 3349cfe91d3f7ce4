"""Grading one submission: stage its module files, call each case in the sandbox, judge in this process, score.

The student's process only ever computes outputs. Expected values, comparisons, diagnoses and scores are all made
here, from the reference solutions and the catalogue. This process never parses a student's source, and reads at
most ``evaluation.MAX_MODULE_BYTES`` (and one byte more) of each module file: a larger one is not graded.
"""
import errno
import functools
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalogues, text
from ..shipped import evaluation
from ..core import limits, paths, references
from . import diagnosis, redaction, reference_cache, steps
from ..shipped.evaluation import Outcome
from ..sandbox import confinement, runner
from ..sandbox.runner import Sandbox


MESSAGES = text.table("engine", {
    "linked_folder": "submission folder {path} is a symbolic link; grade the folder it points to, or a copy of it",
    "no_folder": "submission folder {path} does not exist",
})

#: How a submission folder is opened to read its modules: as a folder, and never through a symbolic link.
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
#: How each module file in it is opened: never through a link, and without waiting on a FIFO.
MODULE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
BUDGET_SECONDS = limits.BUDGET_SECONDS
#: read_modules' value for a module file larger than evaluation.MAX_MODULE_BYTES: it is not staged, and every part
#: that uses it fails with evaluation.MESSAGES["too_large"]. Every such file grades the same, so they share a digest.
TOO_LARGE = None


# How much longer a call may take when stand-ins answer some of its calls: each is a round trip to the grader, whose
# own time and CPU waits are given back (runner.Sandbox._credit), and whose rest, 0.15 to 0.4 ms, is the student's. 2,
# down from 3: where the kernel does not count waits only the grader's own time is given back, a third of a round
# trip, and 2 keeps the old margin there (docs/security.md). It also sizes what one call may be given back.
STAND_IN_SLOWDOWN = 2.0
#: A stand-in request may take this many times the bytes of the largest arguments a case of a function graded with
#: stand-ins passes: honest code passes its callees about what its case gave it (docs/security.md has the figures).
STAND_IN_ARGUMENT_FACTOR = 8


class SubmissionError(Exception):
    """The grader cannot run on this input at all (as opposed to a submission that scores low)."""


@dataclass
class CaseResult:
    part: str
    function: str
    check: str
    index: int
    public: bool
    passed: bool
    message: str
    misconception: str = ""
    relation: str = ""  # the key of a relation that says what the student's code computes (grader.diagnosis)
    not_run: str = ""  # the module file whose failed import kept this case from running (Report.broken)


@dataclass
class PartResult:
    """``upstream``: for an integrated part, the graded functions it relies on that fail their own checks.
    ``breaks``: for a unit part that lost points, the titles of the parts that call its functions, which the
    student's own code would break (they were graded with the reference standing in)."""
    key: str
    title: str
    points: float
    score: float
    cases: list
    upstream: list = field(default_factory=list)
    breaks: list = field(default_factory=list)
    broken: list = field(default_factory=list)  # the module files that could not be imported and that it needs

    @property
    def misconceptions(self):
        return sorted({case.misconception for case in self.cases if case.misconception})


@dataclass
class Report:
    assignment: str
    title: str
    parts: list
    seconds: float
    runs: dict = field(default_factory=dict)
    staged_digest: str = ""  # modules_digest of the graded module files staged, as read_modules read them
    sandbox: dict = field(default_factory=dict)  # confinement.Policy.check's record: layers, properties, waiver
    lang: str = "en"  # the language of its titles and messages
    diagnosis_seconds: float = 0.0  # the grader's own time on diagnoses (grader.diagnosis), within the budget
    broken: dict = field(default_factory=dict)  # {module file: evaluation.broken_module's sentence}

    @property
    def score(self):
        return round(sum(part.score for part in self.parts), 4)

    @property
    def max_score(self):
        return sum(part.points for part in self.parts)


def read_modules(assignment, submission):
    """{file name: bytes} of the graded modules in the folder ``submission``, each file read once.

    Nothing is read through a symbolic link. A folder that is a link raises SubmissionError; a module file that is
    a link, or is not a regular file, is left out, and so graded as missing. A module file over
    evaluation.MAX_MODULE_BYTES maps to TOO_LARGE, and no more than one byte past that limit is read. These bytes
    are what the sandbox gets (staged_files) and what grade-all fingerprints (modules_digest), so the two cannot
    disagree.
    """
    try:
        folder = os.open(submission, FOLDER_FLAGS)
    except OSError:
        if os.path.islink(submission):
            raise SubmissionError(MESSAGES["linked_folder"].format(path=submission)) from None
        raise
    try:
        modules = {}
        for module in assignment.modules:
            name = f"{module}.py"
            try:
                fd = os.open(name, MODULE_FLAGS, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ELOOP, errno.EMLINK):  # missing, or a link (EMLINK: BSD)
                    continue
                raise
            with os.fdopen(fd, "rb") as handle:
                if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    data = handle.read(evaluation.MAX_MODULE_BYTES + 1)
                    modules[name] = data if len(data) <= evaluation.MAX_MODULE_BYTES else TOO_LARGE
        return modules
    finally:
        os.close(folder)


def modules_digest(modules):
    """sha256 of graded module files as read_modules returns them: each file's name and bytes, unambiguously."""
    sha = hashlib.sha256()
    for name, data in sorted(modules.items()):
        for part in (name.encode("utf-8"), b"\0too large" if data is TOO_LARGE else data):
            sha.update(len(part).to_bytes(8, "big"))
            sha.update(part)
    return sha.hexdigest()


def staged_files(assignment, modules):
    """The files the sandbox gets: the graded modules' bytes (from read_modules), the provided ones from the kit (in
    the current language: their code is the same in every language, their docstrings and messages are not)."""
    files = {name: data for name, data in modules.items() if data is not TOO_LARGE}
    for module in assignment.provided:
        if text.current() == text.ENGLISH:
            files[f"{module}.py"] = paths.ASSIGNMENTS / assignment.name / f"{module}.py"
        else:
            from ..authoring import sync
            files[f"{module}.py"] = sync.provided_source(assignment, module).encode("utf-8")
    return files


def grade(assignment_name, submission_dir, *, budget_seconds=BUDGET_SECONDS, memory_bytes=None, policy=None,
          on_run=None):
    """Grade the submission folder ``submission_dir`` and return a Report. Raises SubmissionError on bad input, and
    confinement.Refused, before any student code runs, when the sandbox lacks a property ``policy`` requires.

    ``budget_seconds`` is the time the submission's code may take in all; ``memory_bytes`` is the worker's
    address-space limit (default: the sandbox's ``MEMORY_BYTES``). ``policy`` is a confinement.Policy (default:
    every property required, except those waived in ``$NNKIT_SANDBOX_WAIVE``). Every message and title is in the
    current language (``text.current()``, which the Report records); the scores never depend on it.
    ``on_run(assignment, lang, key, run)`` is called with each entry of ``Report.runs`` as soon as it is complete
    (``reports.plotter`` draws it while grading goes on); what it raises is ignored."""
    return _grade(assignment_name, submission_dir, budget_seconds, memory_bytes, policy, on_run)


def _grade(assignment_name, submission_dir, budget_seconds, memory_bytes, policy, on_run=None):
    try:
        assignment = catalogues.load(assignment_name)
    except catalogues.UnknownAssignment as exc:
        raise SubmissionError(str(exc)) from None
    submission = Path(submission_dir)
    if not submission.is_dir():
        raise SubmissionError(MESSAGES["no_folder"].format(path=submission))
    modules = read_modules(assignment, submission)
    started = time.monotonic()
    ref = references.modules(assignment)
    stored = reference_cache.for_assignment(assignment.name)
    parts, runs = [], {}
    spec_name = assignment.name
    deadline = diagnosis.Deadline()
    files = staged_files(assignment, modules)
    sources = {name: data if isinstance(data, bytes) else Path(data).read_bytes() for name, data in files.items()}
    with Sandbox(files, budget_seconds=budget_seconds, memory_bytes=memory_bytes,
                 policy=policy or confinement.Policy(), stand_in_bytes=stand_in_bytes(assignment.name)) as sandbox:
        sandbox.start()  # the confinement is checked before the first case, whatever the submission holds
        for name in sorted(name for name, data in modules.items() if data is TOO_LARGE):
            sandbox.refuse(name[:-len(".py")], Outcome(False, error="TooLarge", detail=name))
        broken = _load_modules(assignment, sandbox)
        timed_out = set()
        graded, failed = set(), set()  # functions with a judged hidden case, and those with a failed one
        for part in assignment.parts:
            sandbox.drop_references()  # what a stand-in returned stays in the part graded with it
            cases = []
            for check_index, check in enumerate(part.checks):
                records = []
                for case_index, case in enumerate(check.cases):
                    chain = None
                    if check.function in timed_out:
                        outcome = Outcome(False, error="SkippedAfterTimeout")
                    else:
                        trusted = _trusted(assignment, graded, failed)
                        replaced = stand_ins(assignment, part, check, ref, trusted)
                        chain = _chain(spec_name, part, check, case, ref)
                        witnesses = {chain.steps.function: chain.see} if chain else None
                        timeout = check.timeout * (STAND_IN_SLOWDOWN if replaced or chain else 1)
                        outcome = sandbox.call(check.module, check.name, case.args, case.kwargs, timeout,
                                               stand_ins=replaced, witnesses=witnesses)
                        if outcome.error == "Timeout":
                            timed_out.add(check.function)
                    if not case.public:  # its places as the grader reads them: nothing the student's code wrote
                        outcome = redaction.hidden(outcome, sources, _resolve(ref, check.function), case.args,
                                                   case.kwargs)
                    # A failed call is judged on its failure alone: it needs no reference output, unless a
                    # classic bug of this check raises what it raised.
                    fetching = time.monotonic()  # building the reference cache is the grader's time, not theirs
                    expected, variants = (stored.outputs(part.key, check_index, case_index)
                                          if outcome.ok or _may_explain(check, outcome) else (None, ()))
                    sandbox.give_back(time.monotonic() - fetching)
                    variants = [(key, text.misconception(spec_name, part.key, key, message), output)
                                for key, message, output in variants]
                    predict = _resolve(ref, check.options.get("predict"))
                    # The catalogue's variants name a cause in diagnosis.explain, once the whole check is judged;
                    # a training run's parameters of the wrong structure are named here, by structure alone.
                    try:
                        verdict = evaluation.judge(check.kind, outcome, expected,
                                                   variants if check.kind == "converge" else (),
                                                   text.options(spec_name, check.options), predict,
                                                   function=f"{check.function}()", public=case.public)
                    except Exception as exc:  # a value no comparison foresaw: this case fails, grading goes on
                        verdict = evaluation.Verdict(False, evaluation.say(
                            "bad_value", detail=f"{type(exc).__name__}: {exc}") if case.public
                            else evaluation.say("bad_value_hidden"))
                    if chain is not None and outcome.ok:  # the run's result must be its own steps, however good
                        problem = chain.problem(evaluation.dig(outcome.value, check.options.get("params_at", ())))
                        if problem and verdict.passed:
                            verdict = evaluation.Verdict(False, problem)
                        elif problem:  # it missed its goal as well: both are said, the goal first
                            verdict = evaluation.Verdict(False, evaluation.say("join", first=verdict.message,
                                                                               second=problem), verdict.misconception)
                    not_run = "" if verdict.passed else _not_run(check, outcome, broken)
                    if not_run:
                        verdict = evaluation.Verdict(False, evaluation.say("not_imported", file=not_run))
                    cases.append(CaseResult(part.key, check.function,
                                            text.check_title(spec_name, check.title) or check.kind, case_index,
                                            case.public, verdict.passed, verdict.message, verdict.misconception,
                                            not_run=not_run))
                    records.append(diagnosis.Record(case, outcome, expected, variants, verdict,
                                                    lambda c=case_index, ci=check_index, o=outcome:
                                                    stored.generated(part.key, ci, c)
                                                    if o.ok or o.error not in NOT_RAISED else []))
                    if _decides_trust(case):
                        graded.add(check.function)
                        if not verdict.passed:
                            failed.add(check.function)
                    # Plotted: public runs that returned. A hidden run's data stays hidden, and a failed call
                    # has no run to plot.
                    if check.kind == "converge" and outcome.ok and case.public and check.options.get("plot", True):
                        label = (text.catalogue(spec_name, f"label:{case.label}", case.label) if case.label
                                 else "")
                        key = f"{part.key}/{case.label or case_index}"
                        runs[key] = {
                            "student": outcome.value if outcome.ok else None, "reference": expected,
                            "options": check.options, "function": check.function,
                            "caption": label or "{} #{}".format(
                                text.catalogue(spec_name, f"part:{part.key}", part.title), case_index + 1)}
                        if on_run is not None:
                            try:
                                on_run(assignment.name, text.current(), key, runs[key])
                            except Exception:  # a courtesy: never costs the grade
                                pass
                spent = deadline.spent
                _diagnose(check, records, cases[len(cases) - len(records):], _resolve(ref, check.function),
                          deadline)
                sandbox.give_back(deadline.spent - spent)
            score = part_score(part.points, cases)
            title = text.catalogue(spec_name, f"part:{part.key}", part.title)
            parts.append(PartResult(part.key, title, part.points, score, cases))
    _explain_dependencies(assignment, parts, broken)
    return Report(assignment.name, text.catalogue(spec_name, "title", assignment.title), parts,
                  time.monotonic() - started, runs, staged_digest=modules_digest(modules),
                  sandbox=sandbox.record or {}, lang=text.current(), diagnosis_seconds=deadline.spent,
                  broken={f"{module}.py": sentence for module, sentence in broken.items()})


def graded_functions(assignment):
    """{module: {function name}}: every graded function of ``assignment``, by its module."""
    functions = {module: set() for module in assignment.modules}
    for dotted in [check.function for part in assignment.parts for check in part.checks] + [
            name for names in assignment.calls.values() for name in names]:
        module, _, name = dotted.partition(".")
        functions.setdefault(module, set()).add(name)
    return functions


def _load_modules(assignment, sandbox):
    """Import the graded modules, in the catalogue's order, before any case runs. Returns {module: sentence} for
    each that failed with an error of its own (``evaluation.broken_module``): such a module, like a missing one,
    is a placeholder of its graded functions in the worker, so the student's other modules still import, and their
    functions that do not need it are graded."""
    sandbox.graded_functions = graded_functions(assignment)
    broken = {}
    for module in assignment.modules:
        loaded = sandbox.load(module)
        sentence = None if loaded.ok else evaluation.broken_module(module, loaded)
        if sentence:
            broken[module] = sentence
    return broken


def _not_run(check, outcome, broken):
    """The file of a broken module (``_load_modules``) that kept this failed case from running, or ''. Its own
    module's failed import, or a call into a placeholder (``ModuleNotImported``), which is the grader's own
    finding here, whatever the student's process said."""
    if not broken or outcome.ok:
        return ""
    if outcome.error == "ImportFailed" and check.module in broken:
        return f"{check.module}.py"
    if outcome.error == "ModuleNotImported":
        return ", ".join(f"{module}.py" for module in broken)
    return ""


def _diagnose(check, records, results, reference, deadline):
    """Name the cause of the check's failing cases, where one holds on every one of them (``grader.diagnosis``):
    each failing CaseResult of ``results`` (one per record) gets the diagnosed message and keys. The text only: no
    case passes or fails by it. A diagnosis that fails in the grader's own code is left out."""
    try:
        explained = diagnosis.explain(check, records, reference, deadline)
    except Exception:  # noqa: BLE001 - a diagnosis is extra text; it never costs a grade
        return
    for index, found in explained.items():
        result = results[index]
        result.message, result.relation = found.message, found.relation
        result.misconception = found.misconception or result.misconception


#: The failures no variant can explain: the call never ran to an exception of its own.
NOT_RAISED = ("NotImplementedError", "ImportFailed", "Timeout", "SkippedAfterTimeout", "BudgetExceeded", "WorkerDied",
              "SystemExit", "BadValue", "TooLarge")


def _chain(spec_name, part, check, case, ref):
    """The steps.Chain that watches this case's run, for a check of an integrated part that declares its steps;
    else None."""
    if not part.integrated or check.steps is None:
        return None
    return steps.Chain(check.steps(ref, case), text.options(spec_name, check.options).get("label", ""))


def _may_explain(check, outcome):
    """Whether a classic bug of ``check``, or a variant generated from the reference, may raise what the failed
    ``outcome`` raised: it raised an exception of its own."""
    return outcome.error not in NOT_RAISED


def _decides_trust(case):
    """Whether a case's verdict decides if its function serves its callers as it is: the hidden cases, which carry
    the points. A public case carries none, so failing it on purpose must not buy a function's callers the reference
    in its place (docs/security.md); a classic bug a public case catches, a hidden twin catches too."""
    return not case.public


def _trusted(assignment, graded, failed):
    """The functions whose every hidden case so far passed (``_decides_trust``), and likewise every graded function
    they call: the student's own code can serve its callers as it is."""
    sound = graded - failed
    return {name for name in sound if assignment.depends_on(name) <= sound}


def stand_ins(assignment, part, check, ref, trusted=()):
    """{name: reference function} for the graded functions ``check``'s function calls, in a unit part, except those
    in ``trusted`` (functions that passed every hidden case of their own so far: the student's code serves as it
    is). An integrated part runs the student's own code throughout."""
    if part.integrated:
        return {}
    return {name: _resolve(ref, name) for name in assignment.calls.get(check.function, ()) if name not in trusted}


@functools.lru_cache(maxsize=None)
def stand_in_bytes(assignment_name):
    """The most bytes a stand-in request may take in this assignment: STAND_IN_ARGUMENT_FACTOR times the largest
    request a case of a function with stand-ins would make if passed on whole. Computed once per assignment."""
    assignment = catalogues.load(assignment_name)
    cases = [case for part in assignment.parts if not part.integrated for check in part.checks
             if assignment.calls.get(check.function) for case in check.cases]
    largest = max((runner.stand_in_request_bytes(case.args, case.kwargs) for case in cases), default=0)
    return STAND_IN_ARGUMENT_FACTOR * largest or None


def _explain_dependencies(assignment, parts, broken=()):
    """Fill in each PartResult's ``upstream``, ``breaks`` and ``broken`` from the catalogue's call graph. A function
    of a module that could not be imported (``broken``) is never named: the module's file is (``broken``)."""
    failing = {case.function for result, part in zip(parts, assignment.parts) if not part.integrated
               for case in result.cases if not case.passed and not case.not_run}
    for result, part in zip(parts, assignment.parts):
        if result.score >= result.points:
            continue
        functions = {check.function for check in part.checks}
        result.broken = sorted({name for case in result.cases if case.not_run for name in case.not_run.split(", ")})
        if part.integrated:
            result.upstream = sorted({name for f in functions for name in assignment.depends_on(f)} & failing)
        else:
            mine = functions & failing
            result.breaks = [text.catalogue(assignment.name, f"part:{other.key}", other.title)
                             for other in assignment.parts if other is not part and not other.integrated
                             and any(mine & assignment.depends_on(check.function) for check in other.checks)]


def part_score(points, cases):
    """A part's points, shared evenly among its hidden cases: public cases are a preview of what is checked and how,
    and each has a hidden twin of the same shape and kind that carries its points, so copying the public answers
    earns nothing."""
    graded = [case for case in cases if not case.public]
    return round(points * sum(case.passed for case in graded) / len(graded), 4) if graded else 0.0


def _resolve(ref, dotted):
    if not dotted:
        return None
    module, name = dotted.split(".", 1)
    return getattr(getattr(ref, module), name)
