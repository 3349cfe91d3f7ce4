"""Mechanical mutants: bugs made by an AST pass over ``solutions/``, which no catalogue was written from.

Every graded function's solution region is edited by the operators of ``edits`` (one edit), and edits are combined
two at a time, inside one function and across two functions of an assignment. Each single edit falls in the
development half or the validation half by the sha256 of its key (``Edit.half``); a two-edit mutant combines edits
of one half only, so the halves share no edit.

The corpus is regenerated on the fly, and is deterministic: ``generate`` always gives the same edits for the same
solutions, and ``build`` runs each against the solution on fixed random inputs (``probe``) to leave out the
equivalent ones, then pairs the kept edits by sha256, so the same solutions always give the same corpus (building
it takes about 20 s on 2 cores). Nothing is stored: ``python benchmarks/mechanical_accuracy.py --list`` prints every
mutant with its half and the probe's verdict.
"""
import ast
import functools
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import edits as edit_ops
from .edits import Edit

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ("a1_neuron_gd", "a2_forward", "a3_backprop")
#: Two-edit mutants: at most this many pairs of edits inside each function, per half
PAIRS_PER_FUNCTION = 2
#: and this many pairs of edits in two different functions, per assignment and half
CROSS_PAIRS = 10
#: What ``probe`` may find: the mutant's outputs differ on some input; it raises on every input the solution
#: answers; it runs out of time; it computes what the solution computes on every input.
DIFFERS, CRASHES, HANGS, EQUIVALENT = "differs", "crashes", "hangs", "equivalent"
KEPT = (DIFFERS, CRASHES, HANGS)


@dataclass(frozen=True)
class Mutant:
    """One mechanical mutant: one or two edits of an assignment's solution modules."""
    assignment: str
    edits: tuple

    @property
    def key(self):
        return " + ".join(edit.key for edit in self.edits)

    @property
    def label(self):
        return " + ".join(edit.label for edit in self.edits)

    @property
    def half(self):
        return self.edits[0].half()

    @property
    def functions(self):
        """The edited functions, 'module.function', in edit order without repeats."""
        return tuple(dict.fromkeys(edit.qualname for edit in self.edits))

    @property
    def shape(self):
        """'one edit', 'two edits in one function' or 'two edits in two functions'."""
        if len(self.edits) == 1:
            return "one edit"
        return "two edits in one function" if len(self.functions) == 1 else "two edits in two functions"

    def sources(self):
        """{module file name: mutated source} of the modules it edits."""
        out = {}
        for module in dict.fromkeys(edit.module for edit in self.edits):
            source = module_source(self.assignment, module)
            out[f"{module}.py"] = edit_ops.apply(source, [e for e in self.edits if e.module == module])
        return out

    def to_json(self):
        return {"assignment": self.assignment, "edits": [edit.to_json() for edit in self.edits]}

    @classmethod
    def from_json(cls, data):
        return cls(data["assignment"], tuple(Edit.from_json(edit) for edit in data["edits"]))


# -- the solution modules -------------------------------------------------------------------------------------------
def _spec(assignment):
    from grader import catalogues
    return catalogues.load(assignment)


@functools.lru_cache(maxsize=None)
def module_source(assignment, module):
    """The solution source of one module an assignment's code sees (graded, or provided by another assignment)."""
    spec = _spec(assignment)
    owner = spec.provided.get(module, assignment)
    return (SOLUTIONS / owner / f"{module}.py").read_text(encoding="utf-8")


def graded_functions(assignment):
    """['module.function'] of every function a check of ``assignment`` grades, in catalogue order."""
    spec = _spec(assignment)
    return list(dict.fromkeys(check.function for part in spec.parts for check in part.checks))


def siblings(assignment, module):
    """{name: (required, total positional parameters)} of the functions ``module``'s code can call by a bare name:
    its own, and those it imports from the assignment's other modules."""
    spec = _spec(assignment)
    known = set(spec.modules) | set(spec.provided)
    tree = ast.parse(module_source(assignment, module))
    found = {node.name: edit_ops.signature(node) for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in known:
            defs = edit_ops.functions(module_source(assignment, node.module))
            for alias in node.names:
                if alias.name in defs:
                    found[alias.asname or alias.name] = edit_ops.signature(defs[alias.name])
    return found


def single_edits(assignment):
    """Every single Edit of the graded functions of ``assignment``, in a fixed order."""
    found = []
    for qualname in graded_functions(assignment):
        module, name = qualname.split(".", 1)
        found += edit_ops.edits_of(module, module_source(assignment, module), name, siblings(assignment, module))
    return found


def _rank(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _disjoint(assignment, first, second):
    """Whether two edits of one function change nodes that do not contain one another."""
    if first.qualname != second.qualname:
        return True
    function = edit_ops.functions(module_source(assignment, first.module))[first.function]
    a, b = edit_ops._locate(function, first), edit_ops._locate(function, second)
    return not any(node is b for node in ast.walk(a)) and not any(node is a for node in ast.walk(b))


def pairs(assignment, singles):
    """Two-edit mutants of ``assignment`` from ``singles`` (the single Mutants kept after probing): per half, up to
    PAIRS_PER_FUNCTION pairs inside each function and CROSS_PAIRS pairs across two functions, chosen by sha256."""
    chosen = []
    for half in ("dev", "val"):
        mine = [m.edits[0] for m in singles if m.half == half]
        by_function = {}
        for edit in mine:
            by_function.setdefault(edit.qualname, []).append(edit)
        for qualname, group in by_function.items():
            candidates = sorted(((a, b) for i, a in enumerate(group) for b in group[i + 1:]
                                 if a.before != b.before or a.occurrence != b.occurrence),
                                key=lambda pair: _rank(pair[0].key + " + " + pair[1].key))
            taken = 0
            for a, b in candidates:
                if taken == PAIRS_PER_FUNCTION:
                    break
                if _disjoint(assignment, a, b):
                    chosen.append(Mutant(assignment, (a, b)))
                    taken += 1
        across = sorted(((a, b) for a in mine for b in mine if a.qualname < b.qualname),
                        key=lambda pair: _rank(pair[0].key + " + " + pair[1].key))
        used = set()
        for a, b in across:
            if len([m for m in chosen if m.half == half and m.shape == "two edits in two functions"]) == CROSS_PAIRS:
                break
            if (a.qualname, b.qualname) not in used:  # spread over pairs of functions
                used.add((a.qualname, b.qualname))
                chosen.append(Mutant(assignment, (a, b)))
    return chosen


def generate(assignment):
    """The single-edit Mutants of ``assignment``, in a fixed order (pairs need the probe's verdicts first)."""
    return [Mutant(assignment, (edit,)) for edit in single_edits(assignment)]


# -- the corpus ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """A mutant of the corpus, with the probe's verdict on it."""
    mutant: Mutant
    status: str
    detail: str = ""

    @property
    def kept(self):
        return self.status in KEPT


def make_submission(folder, mutant):
    """A submission folder of the mutant: the solution modules, with the mutated ones rewritten."""
    spec = _spec(mutant.assignment)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for module in spec.modules:
        shutil.copyfile(SOLUTIONS / mutant.assignment / f"{module}.py", folder / f"{module}.py")
    for name, source in mutant.sources().items():
        (folder / name).write_text(source, encoding="utf-8")
    return folder


def build(jobs=2, assignments=ASSIGNMENTS, progress=None):
    """[Entry] of the whole corpus: every single edit, probed; then the pairs of kept edits, probed."""
    from . import probe
    entries = []
    for assignment in assignments:
        singles = generate(assignment)
        verdicts = probe.probe(singles, jobs)
        kept = [m for m, (status, _) in zip(singles, verdicts) if status in KEPT]
        doubles = pairs(assignment, kept)
        double_verdicts = probe.probe(doubles, jobs)
        entries += [Entry(m, status, detail) for m, (status, detail) in zip(singles + doubles,
                                                                           verdicts + double_verdicts)]
        if progress:
            progress(f"{assignment}: {len(singles)} single edits, {len(kept)} kept; {len(doubles)} pairs")
    return entries
