"""Generating ``assignments/`` from ``solutions/`` and the catalogues: the one way student files are made.

For each assignment it writes:
- each graded module, with every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region replaced by a TODO and
  ``raise NotImplementedError``;
- each provided module, the earlier assignment's solution with its markers dropped;
- the data files it names from ``data/``;
- the notebook, built from ``notebooks/<assignment>.py`` with one grade cell per catalogue part;
- the self-check: ``test_selfcheck.py``, ``pytest.ini`` and ``_selfcheck/`` (the evaluation code, the codec, the
  argument watch, and the public cases with their expected values).

Outside ``assignments/``, for the instructor only, it writes ``docs/rubrics/<assignment>.md``: the written
questions with their rubrics (``grader.written``). nbgrader releases only what is in ``assignments/``, so these
never reach a student.

``python -m grader sync`` writes them; ``python -m grader sync --check`` lists what differs, for CI and the tests.
"""
import json
import re
from pathlib import Path

from . import catalogues, evaluation, notebooks, paths, references, stored_tolerance, written
from .sandbox import mutation, wire

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?::\s*(?P<hint>.*))?$")
END = re.compile(r"^[ \t]*### END SOLUTION\s*$")
SELFCHECK = Path(__file__).with_name("selfcheck")
TODO_DEFAULT = "your code here"

MESSAGES = {
    "unclosed": "{path}:{line}: BEGIN SOLUTION without a matching END SOLUTION",
    "stray_end": "{path}:{line}: END SOLUTION without a BEGIN SOLUTION",
    "top_level": "{path}:{line}: solution regions must sit inside a function body",
    "no_region": "{path}: a graded module needs at least one solution region",
    "marker_in_provided": "{path}: a provided module must have no solution markers",
}


class MarkerError(ValueError):
    pass


def _regions(text, path):
    """Yield (begin_line, end_line, indent, hint) for each solution region, 0-based and inclusive."""
    lines = text.splitlines()
    begin = None
    for number, line in enumerate(lines):
        match = BEGIN.match(line)
        if match:
            if begin is not None:
                raise MarkerError(MESSAGES["unclosed"].format(path=path, line=begin[0] + 1))
            if not match["indent"]:
                raise MarkerError(MESSAGES["top_level"].format(path=path, line=number + 1))
            begin = (number, match["indent"], (match["hint"] or "").strip())
        elif END.match(line):
            if begin is None:
                raise MarkerError(MESSAGES["stray_end"].format(path=path, line=number + 1))
            yield begin[0], number, begin[1], begin[2]
            begin = None
    if begin is not None:
        raise MarkerError(MESSAGES["unclosed"].format(path=path, line=begin[0] + 1))


def stub_source(text, path="module"):
    """The student's copy of a solution module: each region becomes a TODO that raises NotImplementedError."""
    lines = text.splitlines()
    regions = list(_regions(text, path))
    if not regions:
        raise MarkerError(MESSAGES["no_region"].format(path=path))
    out, cursor = [], 0
    for begin, end, indent, hint in regions:
        out.extend(lines[cursor:begin])
        out.append(f"{indent}# TODO: {hint or TODO_DEFAULT}")
        out.append(f"{indent}raise NotImplementedError")
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out) + "\n"


def finished_source(text, path="module"):
    """A solution module with its markers dropped and its code kept, for shipping as a provided module."""
    marker_lines = {n for begin, end, _, _ in _regions(text, path) for n in (begin, end)}
    return "\n".join(line for n, line in enumerate(text.splitlines()) if n not in marker_lines) + "\n"


def solution_lines(text, path="module"):
    """The distinctive lines that only solution regions hold: none of them may reach a student's copy."""
    lines = text.splitlines()
    inside = {n for begin, end, _, _ in _regions(text, path) for n in range(begin + 1, end)}
    outside = {lines[n].strip() for n in range(len(lines)) if n not in inside}
    return sorted({lines[n].strip() for n in inside
                   if len(lines[n].strip()) >= 8 and lines[n].strip() not in outside})


def public_cases(assignment):
    """The self-check's cases.json: every public case with its inputs, expected value and misconception outputs."""
    cases = []
    for part in assignment.parts:
        for check in part.checks:
            for index, case in enumerate(check.cases):
                if not case.public:
                    continue
                expected = references.expected(assignment, check, case)
                variants = references.variant_outputs(assignment, check, case)
                cases.append({
                    "id": f"{part.key}-{check.name}-{check.kind}-{index + 1}",
                    "part": part.key, "module": check.module, "function": check.name,
                    "check": check.title or check.kind, "kind": check.kind,
                    "args": wire.encode(tuple(case.args)), "kwargs": wire.encode(dict(case.kwargs)),
                    "expected": wire.encode(expected),
                    "variants": [[key, message, wire.encode(output)] for key, message, output in variants],
                    "options": wire.encode(dict(check.options)), "predict": check.options.get("predict", ""),
                    "stored_rtol": {"expected": stored_tolerance.for_expected(check),
                                    "inputs_and_variants": stored_tolerance.DIRECT},
                })
    return cases


def build(assignment):
    """Every generated file of ``assignments/<name>/`` as {relative path: text}."""
    files = {}
    source = paths.SOLUTIONS / assignment.name
    for module in assignment.modules:
        path = source / f"{module}.py"
        files[f"{module}.py"] = stub_source(path.read_text(encoding="utf-8"), path)
    for module, origin in assignment.provided.items():
        path = paths.SOLUTIONS / origin / f"{module}.py"
        files[f"{module}.py"] = finished_source(path.read_text(encoding="utf-8"), path)
    for name in assignment.data:
        files[f"data/{name}"] = (paths.DATA / name).read_text(encoding="utf-8")
    files["test_selfcheck.py"] = (SELFCHECK / "test_selfcheck.py").read_text(encoding="utf-8")
    files["pytest.ini"] = (SELFCHECK / "pytest.ini").read_text(encoding="utf-8")
    files["_selfcheck/__init__.py"] = '"""Support files for test_selfcheck.py, generated by the kit. Do not edit."""\n'
    files["_selfcheck/local.py"] = (SELFCHECK / "local.py").read_text(encoding="utf-8")
    files["_selfcheck/evaluation.py"] = Path(evaluation.__file__).read_text(encoding="utf-8")
    files["_selfcheck/wire.py"] = Path(wire.__file__).read_text(encoding="utf-8")
    files["_selfcheck/mutation.py"] = Path(mutation.__file__).read_text(encoding="utf-8")
    files["_selfcheck/cases.json"] = json.dumps(public_cases(assignment), indent=1) + "\n"
    if (paths.ROOT / "notebooks" / f"{assignment.name}.py").is_file():
        files[f"{assignment.name}.ipynb"] = notebooks.build(assignment)
    return files


def instructor_files(assignment):
    """The generated files of ``assignment`` that are not for students, as {path relative to the kit: text}."""
    sheet = written.rubric_sheet(assignment)
    return {written.path(assignment): sheet} if sheet else {}


def _generated(name):
    """(target path, relative name, text) of every file generated for assignment ``name``."""
    spec = catalogues.load(name)
    folder = paths.ASSIGNMENTS / name
    for relative, text in build(spec).items():
        yield folder / relative, relative, text
    for relative, text in instructor_files(spec).items():
        yield paths.ROOT / relative, relative, text


def _same_cases(old_text, new_text):
    """cases.json holds reference outputs, which differ between CPUs in their last bits: each stored value must
    match a fresh computation within the tolerance that its case records (see ``stored_tolerance``)."""
    try:
        old, new = json.loads(old_text), json.loads(new_text)
    except ValueError:
        return False
    if [case.get("id") for case in old] != [case.get("id") for case in new]:
        return False
    for o, n in zip(old, new):
        if o.keys() != n.keys() or len(o["variants"]) != len(n["variants"]):
            return False
        tolerance = n["stored_rtol"]
        for key in o:
            if key in ("args", "kwargs", "expected"):
                rtol = tolerance["expected" if key == "expected" else "inputs_and_variants"]
                if not _close(o[key], n[key], rtol):
                    return False
            elif key == "variants":
                if any(a[:2] != b[:2] or not _close(a[2], b[2], tolerance["inputs_and_variants"])
                       for a, b in zip(o[key], n[key])):
                    return False
            elif o[key] != n[key]:
                return False
    return True


def _close(old, new, rtol):
    try:
        return stored_tolerance.same(wire.decode(old), wire.decode(new), rtol)
    except ValueError:
        return False


def _up_to_date(target, relative, text):
    if not target.is_file():
        return False
    on_disk = target.read_text(encoding="utf-8")
    if on_disk == text:
        return True
    return relative == "_selfcheck/cases.json" and _same_cases(on_disk, text)


def differences(names=None):
    """Generated files that are missing or differ on disk, as paths relative to the kit ('assignments/<name>/<file>',
    'docs/rubrics/<name>.md').

    Every file must match byte for byte, except that cases.json's numbers may differ within their recorded tolerance.
    """
    drift = []
    for name in names or catalogues.names():
        for target, relative, text in _generated(name):
            if not _up_to_date(target, relative, text):
                drift.append(str(target.relative_to(paths.ROOT)))
    return drift


def write(names=None):
    """Write every generated file; returns the paths it changed."""
    changed = []
    for name in names or catalogues.names():
        for target, relative, text in _generated(name):
            if target.is_file() and target.read_text(encoding="utf-8") == text:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(str(target.relative_to(paths.ROOT)))
    return changed
