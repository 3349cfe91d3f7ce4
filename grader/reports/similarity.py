"""``nnkit similarity``: pairs and groups of students whose graded modules are unusually close, for a person to review.

The detector is copydetect (PyPI), a maintained implementation of winnowing (Schleimer, Wilkerson and Aiken, 2003,
the method behind MOSS): each student's graded modules are tokenised with pygments, names become ``V``/``F`` and
strings ``S`` (so renaming and comments change nothing), and k-grams of what is left are hashed and winnowed. The
k-grams of the *boilerplate* are discarded first: the released stubs, the reference solution (the shape a correct
answer takes: two students who both wrote it have shown nothing) and the notebook's given code. A pair is raised
only when it shares at least ``MIN_SHARED`` filtered characters beyond that *and* the shared part is at least
``MIN_SHARE`` of each of the two students' own code: a one-line ``sigmoid`` that most of the class writes alike is
far shorter than ``MIN_SHARED``, and two students who wrote a few such lines alike but the rest each their own
way share far less than ``MIN_SHARE`` of it. Before fingerprinting, every module is parsed and written back
(``normalise``), so that layout, comments, docstrings and the order of the functions cannot hide a copy, nor make
the stubs' and the solution's lines look like a student's own. ``benchmarks/similarity.py`` measures both
settings on a class of honest variants and on copied pairs (docs/similarity.md has the figures).

The report is an instructor's page: it lists the pairs (and the groups they form) with each one's shared passages
side by side, every student string escaped, under a Content-Security-Policy that allows no script. It says
"review", never more: close code has innocent causes too (a shared study group, the same textbook, a tutor). It is
written only where ``--out`` says, never into a student's feedback. A JSON summary beside it
(``similarity.json``) feeds the class report's section (``nnkit report --similarity``).

Work on student bytes is bounded: at most ``evaluation.MAX_MODULE_BYTES`` of each module are read, a module file
that is a symbolic link is skipped, at most ``MAX_PARSED_CHARS`` of a module are parsed, and the comparison is one
set intersection per pair.
"""
import ast
import html
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import catalogues, text
from ..core import paths
from ..shipped import evaluation
from . import results

#: k: the length of a fingerprinted run of filtered code, in characters (copydetect's noise threshold)
NOISE = 16
#: winnowing guarantee (copydetect's guarantee threshold): equal to NOISE, every k-gram is kept (a window of 1),
#: so the findings do not depend on Python's per-process string hashes, which winnowing would pick among
GUARANTEE = NOISE
#: the least shared filtered code, in characters, that can raise a pair
MIN_SHARED = 300
#: the least share of each student's own (non-boilerplate) code that the shared part must be
MIN_SHARE = 0.8
#: the largest module text that is parsed to be normalised (the largest solution module is about 9 KB); a larger
#: one is fingerprinted as it is, so that a hostile file costs a parse of at most this much
MAX_PARSED_CHARS = 32 * 1024
HTML_LANG = {"zh": "zh-CN"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

MESSAGES = text.table("similarity", {
    "title": "Similar code to review: {assignment}",
    "intro": "{students} students' graded modules were compared, leaving out the released stubs, the reference "
             "solution and the notebook's given code. {pairs} pairs share unusually much of the rest. Close code "
             "has innocent causes too (a study group, the same textbook, a tutor): review each pair before you "
             "draw any conclusion, and talk with the students.",
    "instructors_only": "For instructors only: this page shows students' code; do not share it with students.",
    "settings": "A pair is listed when it shares at least {min_shared} characters of code (after names, comments "
                "and spacing are set aside) and the shared part is at least {share:.0%} of each student's own code. "
                "The passages are shown as the detector reads them: reformatted, without comments or docstrings, "
                "functions in alphabetical order.",
    "no_pairs": "No pair of students shares unusually much code.",
    "pairs": "Pairs to review",
    "groups": "Groups to review",
    "groups_help": "Students linked by listed pairs, three or more at a time.",
    "group": "Group",
    "members": "Students",
    "student_a": "Student",
    "student_b": "Other student",
    "shared": "Shared code",
    "share_of": "Share of each student's own code",
    "passages": "Shared passages",
    "details": "Details",
    "see": "compare",
    "pair_heading": "{a} and {b}",
    "pair_summary": "{shared} characters of shared code: {share_a:.0%} of {a}'s own code, {share_b:.0%} of {b}'s.",
    "passages_of": "Passages of {student} that the other student's code shares",
    "line": "line {line}",
    "no_folder": "the submitted folder {path} does not exist",
    "no_students": "{path} holds no student folder with {assignment}'s modules",
    "skipped_link": "{student}: {module} is a symbolic link, not read",
    "wrote": "wrote {path}: {pairs} pairs and {groups} groups to review among {students} students",
})

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 75em;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { border-left: 4px solid #555; padding: 0.3em 0.8em; background: #f7f7f7; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
pre { background: #f7f7f7; border: 1px solid #ccc; padding: 0.5em; white-space: pre-wrap; word-break: break-word;
      margin: 0 0 0.6em 0; }
.where { color: #444; font-size: 0.9em; margin: 0.2em 0; }
"""


@dataclass
class Pair:
    a: str
    b: str
    shared: int                                 # shared filtered characters
    share_a: float                              # of a's own (non-boilerplate) code
    share_b: float
    passages_a: list = field(default_factory=list)  # (first line, text) of a's shared passages
    passages_b: list = field(default_factory=list)


@dataclass
class Findings:
    assignment: str
    students: list
    pairs: list                                 # every listed Pair, closest first
    groups: list                                # [[student, ...]] of three or more
    skipped: list = field(default_factory=list)  # one line each


# -- reading ---------------------------------------------------------------------------------------------------------
def _read(path):
    with open(path, "rb") as handle:
        return handle.read(evaluation.MAX_MODULE_BYTES).decode("utf-8", errors="replace")


def normalise(source):
    """The code as the detector reads it: parsed and written back (``ast.unparse``), so that layout, brackets,
    quotes, comments and docstrings are the same whoever typed them, with the module's functions in the order of
    their names (the order a student put them in says nothing); the text as it is when it does not parse or is
    longer than MAX_PARSED_CHARS."""
    if len(source) > MAX_PARSED_CHARS:
        return source
    try:
        tree = ast.parse(source)
        functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        tree.body = [node for node in tree.body if node not in functions] + sorted(functions, key=lambda n: n.name)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body \
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        return ast.unparse(tree) + "\n"
    except (SyntaxError, ValueError, RecursionError):
        return source


def _joined(texts):
    """One text of several modules, each headed by its file name: {module: source}."""
    return "".join(f"# {module}.py\n{normalise(source)}\n" for module, source in texts.items())


def student_code(folder, modules):
    """One student's graded modules, normalised and joined into one text (each headed by its file name), or ''
    when none is there; and the modules skipped as links."""
    found, links = {}, []
    for module in modules:
        path = Path(folder) / f"{module}.py"
        if path.is_symlink():
            links.append(f"{module}.py")
        elif path.is_file():
            found[module] = _read(path)
    return _joined(found) if found else "", links


def boilerplate(assignment):
    """Texts every student had or may take without copying anyone: the released stubs and the reference solution
    (each module, and all of them joined as a student's are), and the code cells of the released notebook."""
    spec = catalogues.load(assignment)
    texts = []
    for folder in (paths.ASSIGNMENTS / assignment, paths.SOLUTIONS / assignment):
        modules = {module: _read(folder / f"{module}.py") for module in spec.modules
                   if (folder / f"{module}.py").is_file()}
        texts += [_joined({module: source}) for module, source in modules.items()] + [_joined(modules)]
    notebook = paths.ASSIGNMENTS / assignment / f"{assignment}.ipynb"
    if notebook.is_file():
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        texts += [normalise("".join(cell.get("source", ""))) for cell in cells if cell.get("cell_type") == "code"]
    return texts


def class_code(assignment, submitted):
    """({student: code}, [skipped lines]) of every student folder in ``submitted`` (links to folders are skipped)."""
    spec = catalogues.load(assignment)
    submitted = Path(submitted)
    if not submitted.is_dir():
        raise FileNotFoundError(MESSAGES["no_folder"].format(path=submitted))
    code, skipped = {}, []
    for entry in sorted(submitted.iterdir()):
        folder = entry / assignment
        if entry.name.startswith(".") or entry.is_symlink() or folder.is_symlink() or not folder.is_dir():
            continue
        source, links = student_code(folder, spec.modules)
        skipped += [MESSAGES["skipped_link"].format(student=entry.name, module=link) for link in links]
        if source:
            code[entry.name] = source
    return code, skipped


# -- comparing -------------------------------------------------------------------------------------------------------
def fingerprints(code, boilerplate_texts, noise=NOISE, guarantee=GUARANTEE):
    """{name: copydetect CodeFingerprint} of each text in ``code``, the boilerplate's k-grams left out."""
    import numpy as np
    from copydetect import CodeFingerprint
    window = guarantee - noise + 1
    hashes = []
    for number, source in enumerate(boilerplate_texts):
        hashes.extend(CodeFingerprint(f"boilerplate{number}.py", noise, 1, language="python",
                                      fp=io.StringIO(source)).hashes)
    known = np.unique(np.array(hashes, dtype=np.int64)) if hashes else []
    return {name: CodeFingerprint(f"{name}.py", noise, window, boilerplate=known, language="python",
                                  fp=io.StringIO(source))
            for name, source in code.items()}


def _passages(source, slices):
    """[(first line, text)] of the code between each (start, end) of ``slices``."""
    out = []
    for start, end in zip(*slices):
        start, end = int(start), int(end)
        out.append((source.count("\n", 0, start) + 1, source[start:end]))
    return out


def compare(prints, min_shared=MIN_SHARED, min_share=MIN_SHARE):
    """Every pair of ``prints`` that shares at least ``min_shared`` characters, at least ``min_share`` of one
    student's own code, closest first."""
    from copydetect import compare_files
    names = sorted(prints)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared, (share_a, share_b), slices = compare_files(prints[a], prints[b])
            if shared < min_shared or min(share_a, share_b) < min_share:
                continue
            pairs.append(Pair(a, b, int(shared), float(share_a), float(share_b),
                              _passages(prints[a].raw_code, slices[0]), _passages(prints[b].raw_code, slices[1])))
    pairs.sort(key=lambda pair: (-max(pair.share_a, pair.share_b), -pair.shared, pair.a, pair.b))
    return pairs


def groups(pairs):
    """The students that listed pairs link together, three or more at a time, largest first."""
    parent = {}

    def root(name):
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    for pair in pairs:
        parent[root(pair.a)] = root(pair.b)
    found = {}
    for name in list(parent):
        found.setdefault(root(name), []).append(name)
    return sorted((sorted(members) for members in found.values() if len(members) >= 3), key=lambda g: (-len(g), g))


def find(assignment, submitted, min_shared=MIN_SHARED, min_share=MIN_SHARE):
    """The Findings of a class: ``submitted/<student>/<assignment>/``."""
    code, skipped = class_code(assignment, submitted)
    if not code:
        raise FileNotFoundError(MESSAGES["no_students"].format(path=submitted, assignment=assignment))
    pairs = compare(fingerprints(code, boilerplate(assignment)), min_shared, min_share)
    return Findings(assignment, sorted(code), pairs, groups(pairs), skipped)


# -- writing ---------------------------------------------------------------------------------------------------------
def _e(value):
    return html.escape(str(value), quote=True)


def _column(student, passages):
    out = [f"<div><h4>{_e(MESSAGES['passages_of'].format(student=student))}</h4>"]
    for line, code in passages:
        out.append(f'<p class="where">{_e(MESSAGES["line"].format(line=line))}</p><pre>{_e(code)}</pre>')
    return "".join(out) + "</div>"


def render(findings):
    """The HTML report of ``findings``."""
    spec = catalogues.load(findings.assignment)
    title = MESSAGES["title"].format(assignment=text.catalogue(spec.name, "title", spec.title))
    lang = HTML_LANG.get(text.current(), text.current())
    out = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title><style>{STYLE}</style></head><body><main>",
           f"<h1>{_e(title)}</h1>",
           f'<p class="note">{_e(MESSAGES["instructors_only"])}</p>',
           f"<p>{_e(MESSAGES['intro'].format(students=len(findings.students), pairs=len(findings.pairs)))}</p>",
           f"<p>{_e(MESSAGES['settings'].format(min_shared=MIN_SHARED, share=MIN_SHARE))}</p>"]
    if not findings.pairs:
        out.append(f"<p>{_e(MESSAGES['no_pairs'])}</p>")
    else:
        out.append(f"<h2>{_e(MESSAGES['pairs'])}</h2><table><thead><tr>"
                   + "".join(f'<th scope="col">{_e(MESSAGES[key])}</th>' for key in
                             ("student_a", "student_b", "shared", "share_of", "details")) + "</tr></thead><tbody>")
        for number, pair in enumerate(findings.pairs, start=1):
            out.append(f'<tr data-pair="{number}"><td>{_e(pair.a)}</td><td>{_e(pair.b)}</td>'
                       f'<td class="num">{pair.shared}</td>'
                       f'<td class="num">{pair.share_a:.0%} / {pair.share_b:.0%}</td>'
                       f'<td><a href="#pair-{number}">{_e(MESSAGES["see"])} {number}</a></td></tr>')
        out.append("</tbody></table>")
    if findings.groups:
        out.append(f"<h2>{_e(MESSAGES['groups'])}</h2><p>{_e(MESSAGES['groups_help'])}</p><table><thead><tr>"
                   f'<th scope="col">{_e(MESSAGES["group"])}</th><th scope="col">{_e(MESSAGES["members"])}</th>'
                   "</tr></thead><tbody>")
        for number, members in enumerate(findings.groups, start=1):
            out.append(f'<tr data-group="{number}"><td class="num">{number}</td>'
                       f"<td>{_e(', '.join(members))}</td></tr>")
        out.append("</tbody></table>")
    if findings.pairs:
        out.append(f"<h2>{_e(MESSAGES['passages'])}</h2>")
    for number, pair in enumerate(findings.pairs, start=1):
        said = MESSAGES["pair_summary"].format(shared=pair.shared, a=pair.a, b=pair.b, share_a=pair.share_a,
                                               share_b=pair.share_b)
        out.append(f'<section id="pair-{number}"><h3>{number}. '
                   f"{_e(MESSAGES['pair_heading'].format(a=pair.a, b=pair.b))}</h3>"
                   f"<p>{_e(said)}</p>"
                   f'<div class="side">{_column(pair.a, pair.passages_a)}{_column(pair.b, pair.passages_b)}</div>'
                   "</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def summary(findings, html_path):
    """The JSON summary the class report reads: no code, only names and figures."""
    return {"assignment": findings.assignment, "students": len(findings.students), "html": str(html_path),
            "min_shared": MIN_SHARED, "min_share": MIN_SHARE,
            "pairs": [{"a": p.a, "b": p.b, "shared": p.shared, "share_a": round(p.share_a, 4),
                       "share_b": round(p.share_b, 4)} for p in findings.pairs],
            "groups": findings.groups}


def summary_path(html_path):
    """Where the JSON summary of a report goes: beside it, ``<name>.json``."""
    return Path(html_path).with_suffix(".json")


def main(assignment, submitted, out):
    """Compare the class and write the report and its summary; return the exit code."""
    findings = find(assignment, submitted)
    for line in findings.skipped:
        print(f"similarity: {line}", file=sys.stderr)
    out = Path(out)
    results.write_text_atomic(render(findings), out)
    results.write_text_atomic(json.dumps(summary(findings, os.path.basename(out)), indent=1) + "\n",
                              summary_path(out))
    print(MESSAGES["wrote"].format(path=out, pairs=len(findings.pairs), groups=len(findings.groups),
                                   students=len(findings.students)))
    return 0
