"""``python -m grader demo``: the instructor's whole round trip on an embedded example class.

The class lives in ``examples/<assignment>.json`` as recipes, not as copies of code: each synthetic student starts
from the solution or from the stubs, takes some functions or modules from the solution, applies small textual edits
(a classic bug), prepends lines to a function (an endless loop), may add cells to the notebook and may answer its
written questions. The files are
built at run time from ``solutions/`` and the released stubs, so the class follows the kit when the kit changes.

The demo builds a fresh course folder (``nbgrader_config.py`` and the assignment's source folder), makes an
LMS-style download of per-student zips from the recipes, and runs ``nbgrader generate_assignment`` and
``zip_collect``, then ``python -m grader grade-all --plots`` (the whole class in parallel), then ``nbgrader
autograde`` (which reuses those results), ``generate_feedback`` and ``export``, and the kit's ``report`` (with the
gradebook's written answers, which wait for a grader). It checks
each student's grades against the recipe's expectations and against the kit's own grader, prints the grade table,
and says where the feedback pages and the class report are. Any failed step ends it with exit status 1 and a
one-line reason; the step's full output is in ``<course>/logs/``.
"""
import ast
import json
import math
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from .. import catalogues, text
from .nbgrader.files import copy_folder
from .nbgrader.gradebook import gradebook_scores, gradebook_written
from ..core import paths
from ..authoring import sync, written

EXAMPLES = paths.ROOT / "examples"
MARKER = ".nnkit-demo-course"
PREFERRED = ("a3_backprop", "a1_neuron_gd")

MESSAGES = text.table("demo", {
    "start": "nnkit demo: {assignment} with {count} example students, in {course}",
    "step_ok": "  [ok] {step} ({seconds:.1f} s)",
    "step_failed": "demo: {step} failed (exit status {code}); its output is in {log}",
    "step_timeout": "demo: {step} did not finish within {seconds:g} s; its output is in {log}",
    "refuse": "demo: {course} exists and is not a demo course folder; choose another --course-dir",
    "recipe": "demo: bad recipe for student {student!r}: {detail}",
    "no_recipes": "demo: no example class for any of {names} in {folder}",
    "mismatch": "student {student!r}, part {part!r}: {detail}",
    "missing_grade": "student {student!r} has no grade for part {part!r} in the gradebook",
    "table_title": "Grades from nbgrader's gradebook ({assignment}, out of {max_score:g} autograded points):",
    "written_column": "written",
    "to_grade": "to grade",
    "written_note": "Written answers ({points:g} points) are graded by hand in nbgrader's formgrader; {waiting} of "
                    "them wait for a grader. Rubrics: {rubrics}",
    "unknown_answers": "answers for questions that {assignment} does not ask: {keys}",
    "legend": "Parts: {legend}",
    "table_student": "student",
    "table_total": "total",
    "table_about": "about",
    "table_max": "(max)",
    "feedback": "Feedback pages:  {path}/<student>/{assignment}/{assignment}.html",
    "report": "Class report:    {path}",
    "csv": "Grades CSV:      {nbgrader} (nbgrader export), {kit} (grade-all, per part)",
    "done": "Done in {seconds:.0f} s.",
    "edit_count": "edit target occurs {count} times in {file} (must be once): {old!r}",
    "no_function": "{module}.py has no top-level function {function!r}",
    "unknown_key": "unknown recipe keys {keys}",
    "expect_full": "expected full marks ({points:g}), got {score}",
    "expect_zero": "expected 0, got {score}",
    "expect_below": "expected less than full marks ({points:g}), got {score}",
    "expect_misconception": "expected the diagnosis {key!r} in the part's messages",
    "expect_timeout": "expected a time-limit message in the part's messages",
    "parity": "gradebook says {gradebook}, the kit's grader says {grader}",
    "unexpected": "demo: stopped by an unexpected error: {error}",
    "problems": "demo: {count} grade check(s) failed; the first: {first}",
})

RECIPE_KEYS = {"id", "about", "base", "take", "edits", "append", "prepend", "notebook_cells", "drop_grade_cells",
               "answers", "expect"}
STEP_TIMEOUT = 900


class DemoError(Exception):
    """A step failed; the message is the one line the demo prints."""


# -- the example class ----------------------------------------------------------------------------------------------
def recipe_path(assignment):
    return EXAMPLES / f"{assignment}.json"


def choose_assignment():
    """a3_backprop when its catalogue, notebook and example class exist (it has the training plots), else a1."""
    known = catalogues.names()
    for name in PREFERRED:
        if name in known and recipe_path(name).is_file() and (paths.ASSIGNMENTS / name / f"{name}.ipynb").is_file():
            return name
    raise DemoError(MESSAGES["no_recipes"].format(names=", ".join(PREFERRED), folder=EXAMPLES))


def load_class(assignment):
    """The example class of ``assignment``: a list of student recipes."""
    document = json.loads(recipe_path(assignment).read_text(encoding="utf-8"))
    for recipe in document["students"]:
        unknown = set(recipe) - RECIPE_KEYS
        if unknown:
            raise DemoError(MESSAGES["recipe"].format(student=recipe.get("id"),
                                                      detail=MESSAGES["unknown_key"].format(keys=sorted(unknown))))
    return document["students"]


def _function_span(tree, name):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return node, start, node.end_lineno
    return None, 0, 0


def splice_function(target, source, name):
    """``target`` with its top-level function ``name`` replaced by the one in ``source``; None if either lacks it."""
    t_node, t_start, t_end = _function_span(ast.parse(target), name)
    s_node, s_start, s_end = _function_span(ast.parse(source), name)
    if t_node is None or s_node is None:
        return None
    t_lines, s_lines = target.splitlines(), source.splitlines()
    return "\n".join(t_lines[:t_start - 1] + s_lines[s_start - 1:s_end] + t_lines[t_end:]) + "\n"


def prepend_to_function(text, name, lines):
    """``text`` with ``lines`` inserted as the first statements of function ``name`` (after its docstring)."""
    node, _, _ = _function_span(ast.parse(text), name)
    if node is None:
        return None
    body = node.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
        and isinstance(body[0].value.value, str)
    all_lines = text.splitlines()
    if has_doc and len(body) == 1:
        at = body[0].end_lineno
        indent = all_lines[body[0].lineno - 1][:body[0].col_offset]
    else:
        first = body[1] if has_doc else body[0]
        at = first.lineno - 1
        indent = all_lines[first.lineno - 1][:first.col_offset]
    return "\n".join(all_lines[:at] + [indent + line for line in lines] + all_lines[at:]) + "\n"


def _solution_module(assignment, module):
    path = paths.SOLUTIONS / assignment / f"{module}.py"
    return sync.finished_source(path.read_text(encoding="utf-8"), path)


def build_student(recipe, assignment, release, folder):
    """Write the student's copy of the assignment into ``folder``: the release, then the recipe's changes."""
    student = recipe.get("id", "?")
    spec = catalogues.load(assignment)
    folder = Path(folder)
    copy_folder(release, folder)

    def fail(detail):
        raise DemoError(MESSAGES["recipe"].format(student=student, detail=detail))

    def read(module):
        return (folder / f"{module}.py").read_text(encoding="utf-8")

    def write(module, text):
        (folder / f"{module}.py").write_text(text, encoding="utf-8")

    if recipe.get("base", "stub") == "solution":
        for module in spec.modules:
            write(module, _solution_module(assignment, module))
    for item in recipe.get("take", []):
        module, _, function = item.partition(".")
        if module not in spec.modules:
            fail(f"{module} is not a graded module of {assignment}")
        if not function:
            write(module, _solution_module(assignment, module))
            continue
        spliced = splice_function(read(module), _solution_module(assignment, module), function)
        if spliced is None:
            fail(MESSAGES["no_function"].format(module=module, function=function))
        write(module, spliced)
    for file, changes in recipe.get("edits", {}).items():
        text = (folder / file).read_text(encoding="utf-8")
        for old, new in changes:
            if text.count(old) != 1:
                fail(MESSAGES["edit_count"].format(count=text.count(old), file=file, old=old))
            text = text.replace(old, new)
        (folder / file).write_text(text, encoding="utf-8")
    for file, extra in recipe.get("append", {}).items():
        with open(folder / file, "a", encoding="utf-8") as handle:
            handle.write("\n" + extra.rstrip("\n") + "\n")
    for target, lines in recipe.get("prepend", {}).items():
        module, _, function = target.partition(".")
        changed = prepend_to_function(read(module), function, lines)
        if changed is None:
            fail(MESSAGES["no_function"].format(module=module, function=function))
        write(module, changed)
    answers = recipe.get("answers", {})
    unknown = sorted(set(answers) - {question.key for question in spec.written})
    if unknown:
        fail(MESSAGES["unknown_answers"].format(assignment=assignment, keys=", ".join(unknown)))
    if recipe.get("notebook_cells") or recipe.get("drop_grade_cells") or answers:
        edit_notebook(folder / f"{assignment}.ipynb", recipe.get("notebook_cells", []),
                      recipe.get("drop_grade_cells", []), answers)
    return folder


def edit_notebook(path, sources, drop=(), answers=None):
    """Insert code cells after the notebook's first code cell, delete the grade cells of the parts in ``drop`` and
    write ``answers`` ({question key: markdown}) into the written questions' answer cells, as a student editing
    their notebook would."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in notebook["cells"]
             if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in set(drop)]
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in (answers or {}):
            cell["source"] = answers[meta["grade_id"]]
    at = next((i + 1 for i, cell in enumerate(cells) if cell["cell_type"] == "code"), len(cells))
    new = [{"cell_type": "code", "execution_count": None, "id": f"student-added-{n}", "metadata": {},
            "outputs": [], "source": source} for n, source in enumerate(sources)]
    notebook["cells"] = cells[:at] + new + cells[at:]
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def zip_folder(folder, archive, top):
    """Zip ``folder`` as ``top/...``, the way a student zips their assignment folder for an LMS upload."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                handle.write(file, f"{top}/{file.relative_to(folder).as_posix()}")
    return archive


# -- expectations ---------------------------------------------------------------------------------------------------
def check_expectations(recipe, assignment, scores, outputs=None):
    """Lines describing where ``scores`` ({part: score}) break the recipe's expectations; [] when they hold.

    ``outputs`` ({part: the part's messages}) is needed for the ``misconceptions`` and ``timeouts`` expectations.
    """
    spec = catalogues.load(assignment)
    expect = recipe.get("expect", {})
    points = {part.key: part.points for part in spec.parts}
    problems = []

    def say(part, detail):
        problems.append(MESSAGES["mismatch"].format(student=recipe["id"], part=part, detail=detail))

    full = list(points) if expect.get("all") == "full" else expect.get("full", [])
    zero = list(points) if expect.get("all") == "zero" else expect.get("zero", [])
    for part in full:
        if scores.get(part) is None or not math.isclose(scores[part], points[part]):
            say(part, MESSAGES["expect_full"].format(points=points[part], score=scores.get(part)))
    for part in zero:
        if scores.get(part) is None or scores[part] != 0:
            say(part, MESSAGES["expect_zero"].format(score=scores.get(part)))
    for part in expect.get("below_full", []):
        if scores.get(part) is None or scores[part] >= points[part]:
            say(part, MESSAGES["expect_below"].format(points=points[part], score=scores.get(part)))
    for part, key in expect.get("misconceptions", {}).items():
        if outputs is not None and key not in outputs.get(part, {}).get("misconceptions", []):
            say(part, MESSAGES["expect_misconception"].format(key=key))
    for part in expect.get("timeouts", []):
        if outputs is not None and timeout_phrase() not in outputs.get(part, {}).get("output", ""):
            say(part, MESSAGES["expect_timeout"])
    return problems


def timeout_phrase():
    """The words that start the grader's time-limit message, in the current language."""
    from ..shipped import evaluation
    return evaluation.say("timeout", detail="\0").split("\0")[0].strip()


def results_by_part(document):
    """{part: {"score", "output", "misconceptions"}} from a Gradescope results document."""
    return {test["extra_data"]["part"]: {"score": test["score"], "output": test["output"],
                                         "misconceptions": test["extra_data"].get("misconceptions", [])}
            for test in document["tests"]}


# -- running the steps ----------------------------------------------------------------------------------------------
class Runner:
    """Runs each step as a subprocess in the course folder, logging its output, raising DemoError on failure."""

    def __init__(self, course, echo=True):
        self.course = Path(course)
        self.logs = self.course / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.echo = echo

    def __call__(self, step, command, timeout=STEP_TIMEOUT):
        log = self.logs / (step.replace(" ", "_").replace("-", "_") + ".log")
        started = time.monotonic()
        with open(log, "w", encoding="utf-8") as handle:
            try:
                proc = subprocess.run(command, cwd=self.course, env=paths.tool_env(),
                                      stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
                                      timeout=timeout)
            except subprocess.TimeoutExpired:
                raise DemoError(MESSAGES["step_timeout"].format(step=step, seconds=timeout, log=log)) from None
        if proc.returncode != 0 or _nbgrader_errors(log):
            raise DemoError(MESSAGES["step_failed"].format(step=step, code=proc.returncode, log=log))
        if self.echo:
            print(MESSAGES["step_ok"].format(step=step, seconds=time.monotonic() - started), flush=True)
        return log

    def nbgrader(self, *args):
        return self(f"nbgrader {args[0]}", [sys.executable, "-m", "nbgrader", *args])

    def grader(self, *args):
        return self(f"grader {args[0]}", [sys.executable, "-m", "grader", *args])


def _nbgrader_errors(log):
    """nbgrader logs some failures (a skipped submission) at ERROR level and still exits 0."""
    return any("| ERROR]" in line for line in log.read_text(encoding="utf-8", errors="replace").splitlines())


def make_course(course, assignment):
    """A fresh course folder: nbgrader_config.py and the assignment's source folder, copied from the kit (in another
    language than English, built by ``course.build``)."""
    course = Path(course).resolve()
    if course.exists():
        if (course / MARKER).is_file():
            shutil.rmtree(course)
        elif any(course.iterdir()):
            raise DemoError(MESSAGES["refuse"].format(course=course))
    course.mkdir(parents=True, exist_ok=True)
    (course / MARKER).write_text("made by `python -m grader demo`; safe to delete\n", encoding="utf-8")
    lang = text.current()
    if lang == text.ENGLISH:
        shutil.copyfile(paths.ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        copy_folder(paths.ASSIGNMENTS / assignment, course / "assignments" / assignment)
        return course
    from ..authoring import course as courses
    for relative, content in courses.build([assignment]).items():
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        (course / relative).write_text(content, encoding="utf-8")
    return course


def build_download(course, assignment, recipes):
    """``downloaded/<assignment>/archive/<student>.zip`` for each recipe, built from the released folder."""
    release = course / "release" / assignment
    work = course / "logs" / "students"
    archive = course / "downloaded" / assignment / "archive"
    for recipe in recipes:
        folder = build_student(recipe, assignment, release, work / recipe["id"] / assignment)
        zip_folder(folder, archive / f"{recipe['id']}.zip", assignment)
    shutil.rmtree(work)
    return archive


def run_round_trip(course, assignment, recipes, echo=True):
    """Every step of the demo in ``course``; returns {"gradebook": ..., "results": ...}."""
    run = Runner(course, echo)
    run.nbgrader("generate_assignment", assignment)
    build_download(course, assignment, recipes)
    run.nbgrader("zip_collect", assignment)
    # The fast path: grade the class in parallel first; autograde then reuses each current result and its plots.
    graded = course / "graded" / assignment
    run.grader("grade-all", "--assignment", assignment, "--jobs", "2", "--plots", "--csv",
               str(course / "kit_grades.csv"), "--results-dir", str(graded), str(course / "submitted"))
    run.nbgrader("autograde", assignment)
    run.nbgrader("generate_feedback", assignment)
    run.nbgrader("export")
    run.grader("report", "--assignment", assignment, "--out", str(course / "class_report.html"),
               "--gradebook", str(course / "gradebook.db"), str(graded))
    gradebook = gradebook_scores(course, assignment)
    results = {}
    for recipe in recipes:
        path = graded / f"{recipe['id']}.json"
        results[recipe["id"]] = results_by_part(json.loads(path.read_text(encoding="utf-8")))
    return {"gradebook": gradebook, "results": results,
            "written": gradebook_written(course, assignment)}


def verify(recipes, assignment, gradebook, results):
    """Problems (one line each): a missing grade, a grade that breaks its recipe, or gradebook != grader."""
    problems = []
    for recipe in recipes:
        student = recipe["id"]
        scores = gradebook.get(student, {})
        for part in catalogues.load(assignment).parts:
            if scores.get(part.key) is None:
                problems.append(MESSAGES["missing_grade"].format(student=student, part=part.key))
            elif student in results and not math.isclose(scores[part.key], results[student][part.key]["score"]):
                problems.append(MESSAGES["mismatch"].format(student=student, part=part.key, detail=MESSAGES[
                    "parity"].format(gradebook=scores[part.key], grader=results[student][part.key]["score"])))
        problems += check_expectations(recipe, assignment, scores, results.get(student))
    return problems


def _written_cell(scores):
    """The grade table's written column: the written points given so far, or 'to grade' while any wait."""
    if any(value is None for value in scores.values()):
        return MESSAGES["to_grade"]
    return f"{sum(scores.values()):g}"


def grade_table(recipes, assignment, gradebook, written=None):
    spec = catalogues.load(assignment)
    student, total, about, most = (MESSAGES[key] for key in ("table_student", "table_total", "table_about",
                                                              "table_max"))
    width = max([len(student), len(most)] + [len(r["id"]) for r in recipes])
    head = " ".join(f"{n:>5}" for n in range(1, len(spec.parts) + 1))
    column = len(MESSAGES["to_grade"])
    extra = written is not None and bool(spec.written)
    lines = [MESSAGES["table_title"].format(assignment=assignment, max_score=spec.max_score),
             f"  {student:<{width}}  {head}  {total:>6}"
             + (f"  {MESSAGES['written_column']:>{column}}" if extra else "") + f"  {about}",
             f"  {most:<{width}}  " + " ".join(f"{p.points:>5g}" for p in spec.parts)
             + f"  {spec.max_score:>6g}" + (f"  {spec.written_points:>{column}g}" if extra else "")]
    for recipe in recipes:
        scores = gradebook.get(recipe["id"], {})
        cells = " ".join(f"{scores[p.key]:>5.3g}" if scores.get(p.key) is not None else f"{'-':>5}"
                         for p in spec.parts)
        total = sum(scores.get(p.key) or 0.0 for p in spec.parts)
        answers = f"  {_written_cell(written.get(recipe['id'], {})):>{column}}" if extra else ""
        lines.append(f"  {recipe['id']:<{width}}  {cells}  {total:>6.4g}{answers}  {recipe.get('about', '')}")
    legend = ", ".join(f"{n} {p.key}" for n, p in enumerate(spec.parts, 1))
    lines.append(MESSAGES["legend"].format(legend=legend))
    return "\n".join(lines)


def main(course_dir, assignment=None):
    """Run the demo in ``course_dir``; return the exit status."""
    started = time.monotonic()
    try:
        assignment = assignment or choose_assignment()
        recipes = load_class(assignment)
        course = make_course(course_dir, assignment)
        print(MESSAGES["start"].format(assignment=assignment, count=len(recipes), course=course), flush=True)
        outcome = run_round_trip(course, assignment, recipes)
        problems = verify(recipes, assignment, outcome["gradebook"], outcome["results"])
        print()
        print(grade_table(recipes, assignment, outcome["gradebook"], outcome["written"]))
        print()
        spec = catalogues.load(assignment)
        if spec.written:
            waiting = sum(value is None for row in outcome["written"].values() for value in row.values())
            print(MESSAGES["written_note"].format(points=spec.written_points, waiting=waiting,
                                                  rubrics=paths.ROOT / written.path(spec)))
        print(MESSAGES["feedback"].format(path=course / "feedback", assignment=assignment))
        print(MESSAGES["report"].format(path=course / "class_report.html"))
        print(MESSAGES["csv"].format(nbgrader=course / "grades.csv", kit=course / "kit_grades.csv"))
        if problems:
            print("\n".join(problems), file=sys.stderr)
            raise DemoError(MESSAGES["problems"].format(count=len(problems), first=problems[0]))
        print(MESSAGES["done"].format(seconds=time.monotonic() - started))
        return 0
    except DemoError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # anything else still ends in one line, not a traceback
        print(MESSAGES["unexpected"].format(error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
