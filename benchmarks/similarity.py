"""How ``nnkit similarity`` separates honest students from copied pairs, on a class the kit builds itself.

Per assignment, a class of honest students is built from the solutions: each applies a random half of the correct
alternatives of ``benchmarks/mutants/`` (correct code written another way), may carry one or two of its classic
bugs (which many honest students write alike), and makes its own choices among equivalent idioms, place by
place (``a @ b`` or ``np.dot(a, b)``, ``x.T`` or ``np.transpose(x)``, ``x.sum(axis=0)`` or
``np.sum(x, axis=0)``, ...). Each is then reformatted (``ast.unparse``) and its local variables renamed. Then some students are copied: the copy renames
every local again, puts the module's functions in another order, swaps independent lines within them, and adds
comments.

It prints, for the detector's settings (``grader.similarity``) and a few others:
- honest pairs flagged: pairs of students who did not copy from each other that the report lists;
- copied pairs found: (original, copy) pairs that it lists.

    .venv/bin/python benchmarks/similarity.py [--students 30] [--copies 8] [--seed 1]

The figures are recorded, with this command, in docs/similarity.md.
"""
import argparse
import ast
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import mutants  # noqa: E402
from grader import catalogues  # noqa: E402
from grader.core import paths  # noqa: E402
from grader.reports import similarity  # noqa: E402

#: equivalent idioms a student picks between: (pattern, replacement), applied or not, each with probability 1/2
IDIOMS = (
    (r"(\b[\w\.\[\]]+) @ ([\w\.\[\]]+)", r"np.dot(\1, \2)"),
    (r"\b(\w+)\.T\b", r"np.transpose(\1)"),
    (r"\b(\w+)\.sum\(axis=(\d)\)", r"np.sum(\1, axis=\2)"),
    (r"\b(\w+)\.mean\(axis=(\d)\)", r"np.mean(\1, axis=\2)"),
    (r"\b(\w+)\.shape\[0\]", r"len(\1)"),
    (r"np\.zeros_like\((\w+)\)", r"np.zeros(\1.shape)"),
    (r"\bnp\.exp\(", r"np.e ** ("),
    (r"(\w+) \*\* 2\b", r"\1 * \1"),
)
WORDS = ("val", "tmp", "res", "out", "acc", "cur", "buf", "arr", "mat", "vec", "part", "step", "item", "piece")
COMMENTS = ("# compute this step", "# as in the lecture", "# careful with shapes here", "# vectorised",
            "# TODO check again", "# works now", "# see notes")


def _apply(sources, edits):
    """``sources`` ({file: text}) with ``edits`` applied where each old text occurs exactly once; else unchanged."""
    out = dict(sources)
    for name, change in edits.items():
        if isinstance(change, str):
            out[name] = change
            continue
        text = out.get(name, "")
        if any(text.count(old) != 1 for old, _ in change):
            return sources
        for old, new in change:
            text = text.replace(old, new)
        out[name] = text
    return out


class _Rename(ast.NodeTransformer):
    """Rename the local variables (assigned names that are not parameters) of every function."""

    def __init__(self, rng):
        self.rng = rng

    def visit_FunctionDef(self, node):
        params = {a.arg for a in node.args.args + node.args.kwonlyargs}
        stored = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        mapping = {name: f"{self.rng.choice(WORDS)}_{name.lower()}{self.rng.randint(1, 9)}"
                   for name in sorted(stored - params)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in mapping:
                sub.id = mapping[sub.id]
        return node


def restyle(source, rng, idioms=True):
    """Reformatted, locals renamed, and (with ``idioms``) each place an idiom of IDIOMS fits written one way or the
    other, at random (one student is not consistent from one line to the next either)."""
    if idioms:
        for pattern, replacement in IDIOMS:
            if rng.random() < 0.7:
                changed = re.sub(pattern, lambda m: m.expand(replacement) if rng.random() < 0.5 else m.group(0),
                                 source)
                try:
                    ast.parse(changed)
                except SyntaxError:
                    continue
                source = changed
    tree = _Rename(rng).visit(ast.parse(source))
    return ast.unparse(tree) + "\n"


def _names(node, ctx):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _swap_independent(body, rng):
    """Swap, at random, adjacent assignments that neither read nor write what the other writes."""
    for i in range(len(body) - 1):
        first, second = body[i], body[i + 1]
        if isinstance(first, ast.Assign) and isinstance(second, ast.Assign) and rng.random() < 0.7:
            written = (_names(first, ast.Store), _names(second, ast.Store))
            read = (_names(first, ast.Load), _names(second, ast.Load))
            if not (written[0] & (written[1] | read[1]) or written[1] & read[0]):
                body[i], body[i + 1] = second, first
    for node in body:
        for field in ("body", "orelse"):
            if isinstance(getattr(node, field, None), list):
                _swap_independent(getattr(node, field), rng)


def copy_of(source, rng):
    """A copy that renames every local again, reorders the module's functions and the independent lines within
    them, and adds comments."""
    tree = ast.parse(source)
    head = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    rng.shuffle(functions)
    for function in functions:
        _swap_independent(function.body, rng)
    tree.body = head + functions
    lines = ast.unparse(_Rename(rng).visit(tree)).splitlines()
    out = []
    for line in lines:
        if line.strip() and not line.strip().startswith(("def ", "@", ")", "]", "else", "elif", "except")) \
                and rng.random() < 0.15:
            out.append(line[:len(line) - len(line.lstrip())] + rng.choice(COMMENTS))
        out.append(line)
    return "\n".join(out) + "\n"


def honest_class(assignment, count, rng):
    """{student: {module file: source}} of ``count`` honest students."""
    spec = catalogues.load(assignment)
    registry = mutants.registry(assignment)
    solution = {f"{m}.py": (paths.SOLUTIONS / assignment / f"{m}.py").read_text(encoding="utf-8")
                for m in spec.modules}
    students = {}
    for number in range(count):
        sources = dict(solution)
        for alternative in registry.alternatives:
            if rng.random() < 0.5:
                sources = _apply(sources, alternative.edits)
        for bug in rng.sample(list(registry.mutants), k=rng.choice((0, 0, 1, 2))):
            sources = _apply(sources, bug.edits)
        students[f"honest{number:02d}"] = {name: restyle(text, rng) for name, text in sources.items()}
    return students


def measure(assignment, students=30, copies=8, seed=1, settings=((similarity.MIN_SHARED, similarity.MIN_SHARE),)):
    """{setting: (honest flagged, honest pairs, copies found, copies)} for one assignment's generated class."""
    rng = random.Random(f"{seed}:{assignment}")
    spec = catalogues.load(assignment)
    honest = honest_class(assignment, students, rng)
    originals = rng.sample(sorted(honest), k=copies)
    code = {name: similarity._joined({m: files[f"{m}.py"] for m in spec.modules}) for name, files in honest.items()}
    copied = set()
    for number, original in enumerate(originals):
        name = f"copy{number:02d}"
        code[name] = similarity._joined({m: copy_of(honest[original][f"{m}.py"], rng) for m in spec.modules})
        copied.add(frozenset((original, name)))
    prints = similarity.fingerprints(code, similarity.boilerplate(assignment))
    names = sorted(code)
    every = [frozenset((a, b)) for i, a in enumerate(names) for b in names[i + 1:]]
    out = {}
    for min_shared, min_share in settings:
        listed = {frozenset((p.a, p.b)) for p in similarity.compare(prints, min_shared, min_share)}
        honest_pairs = [pair for pair in every if pair not in copied]
        out[(min_shared, min_share)] = (len(listed & set(honest_pairs)), len(honest_pairs), len(listed & copied),
                                        len(copied))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", action="append", help="an assignment (default: all)")
    args = parser.parse_args(argv)
    chosen = (similarity.MIN_SHARED, similarity.MIN_SHARE)
    settings = [chosen, (0, 0.5), (0, 0.7), (0, 0.8), (150, 0.7), (150, 0.8)]
    totals = {setting: [0, 0, 0, 0] for setting in settings}
    print(f"{args.students} honest students and {args.copies} copies per assignment, seed {args.seed}")
    print(f"{'assignment':<14} {'min shared':>10} {'min share':>9}  {'honest pairs flagged':>22}  "
          f"{'copied pairs found':>18}")
    for assignment in args.only or mutants.ASSIGNMENTS:
        figures = measure(assignment, args.students, args.copies, args.seed, settings)
        for setting in settings:
            flagged, honest, found, copies = figures[setting]
            totals[setting] = [x + y for x, y in zip(totals[setting], figures[setting])]
            mark = "  <- the detector's" if setting == chosen else ""
            print(f"{assignment:<14} {setting[0]:>10} {setting[1]:>9.0%}  {flagged:>8} of {honest:<5} "
                  f"({flagged / honest:>5.1%})  {found:>6} of {copies:<3} ({found / copies:>4.0%}){mark}")
    for setting in settings:
        flagged, honest, found, copies = totals[setting]
        mark = "  <- the detector's" if setting == chosen else ""
        print(f"{'all':<14} {setting[0]:>10} {setting[1]:>9.0%}  {flagged:>8} of {honest:<5} "
              f"({flagged / honest:>5.1%})  {found:>6} of {copies:<3} ({found / copies:>4.0%}){mark}")
    print(f"Printed by `python benchmarks/similarity.py --students {args.students} --copies {args.copies} "
          f"--seed {args.seed}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
