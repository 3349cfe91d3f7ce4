"""Variants generated from the reference's own source: one small edit of a graded function, as a student makes it.

Where no catalogue misconception and no relation to the reference's value explains a wrong output, the student
has most often computed another formula for the same quantity. An AST pass over the solution of each graded
function makes those formulas: every edit of ``EDITS`` at every place inside the function's ``### BEGIN SOLUTION``
region (the code a student writes), one edit per variant. Each variant is run, like a catalogue's, on every case of
the function's checks, in the grader's process and when the reference cache is built (``reference_cache``); a
variant that raises, or that gives the reference's value on every case, or the same values as an earlier one, is
left out, so what remains tells a computation apart on these cases. ``grader.diagnosis`` shows one only when it
reproduces the student's output on every failing case of a check.

Nothing here reads a student's source: the edits are made to the kit's own solutions.
"""
import ast
import copy
import hashlib
import inspect
import json
import signal
import threading
import warnings
from dataclasses import dataclass

import numpy as np

from ..shipped import evaluation
from . import paths, references

#: The most variants kept per function, and the longest one may run on one case, in seconds.
MAX_VARIANTS = 250
#: The most edits kept for one set of equal outputs: a raising call is told apart among them by the student's own
#: line (``grader.diagnosis``); a set of more is kept without its edits, and names nothing.
MAX_MEMBERS = 24
#: The largest output of one variant on one case that the cache keeps, encoded.
MAX_OUTPUT_BYTES = 100_000
CALL_SECONDS = 0.5
#: How long a piece of code quoted in an edit's description may be.
MAX_QUOTE = 60
#: Calls never left out: they build messages or check types.
PLUMBING = {"isinstance", "ValueError", "format", "append"}
#: Functions (or methods) a student swaps for one another.
SWAPS = {"mean": ("sum",), "sum": ("mean",), "max": ("min",), "min": ("max",), "maximum": ("minimum",),
         "minimum": ("maximum",), "log": ("log1p", "exp"), "zeros": ("ones",), "ones": ("zeros",),
         "zeros_like": ("ones_like",), "ones_like": ("zeros_like",), "where": (), "log1p": ("log",), "exp": ("log",), "argmax": ("argmin",),
         "column_stack": ("vstack",), "tanh": ("sigmoid",), "sigmoid": ("tanh",), "relu": ("leaky_relu",)}
COMPARISONS = {ast.Gt: (ast.Lt, ast.GtE), ast.GtE: (ast.Gt, ast.LtE), ast.Lt: (ast.Gt, ast.LtE),
               ast.LtE: (ast.Lt, ast.GtE), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,)}
OPERATORS = {ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div, ast.MatMult), ast.Div: (ast.Mult,),
             ast.MatMult: (ast.Mult,)}


@dataclass(frozen=True)
class Variant:
    """One edit of a reference function: ``key`` is stable for the kit's version (the function and the edit's
    place), ``old`` and ``new`` the code before and after it ("" for ``new`` where a statement is left out)."""
    key: str
    old: str
    new: str
    function: object

    @property
    def edit(self):
        return ("remove", {"old": self.old}) if not self.new else ("replace", {"old": self.old, "new": self.new})


def _quote(node):
    text = ast.unparse(node)
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1] + "…"


def _solution_lines(source):
    """The line numbers (1-based) inside ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` regions."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), start=1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _names_in(function):
    """The function's parameters and the names it assigns, in order of appearance."""
    found = [arg.arg for arg in function.args.args]
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in found:
            found.append(node.id)
    return found


def _edits(function, lines, module_functions):
    """[(node, replacement or None to delete, old text, new text)] of every edit inside the solution lines."""
    names = _names_in(function)
    found = []

    def inside(node):
        return getattr(node, "lineno", None) in lines

    loop_heads = set()  # a while loop's test is left alone: an edit there may never end
    negated = set()  # numbers written with a minus: dropping the minus changes their sign
    for node in ast.walk(function):
        if isinstance(node, ast.While):
            loop_heads.update(id(n) for n in ast.walk(node.test))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            negated.add(id(node.operand))
    for node in ast.walk(function):
        if not inside(node) or id(node) in loop_heads:
            continue
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            for other in COMPARISONS.get(type(node.ops[0]), ()):
                found.append((node, ast.Compare(node.left, [other()], node.comparators)))
        if isinstance(node, ast.Call):
            positional = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
            if len(positional) == len(node.args):
                for i in range(len(node.args)):
                    for j in range(i + 1, len(node.args)):
                        swapped = list(node.args)
                        swapped[i], swapped[j] = swapped[j], swapped[i]
                        found.append((node, ast.Call(node.func, swapped, node.keywords)))
            callee = getattr(node.func, "id", None)
            if callee in module_functions:
                for other, (low, high) in sorted(module_functions.items()):
                    if other != callee and low <= len(node.args) <= high:
                        found.append((node, ast.Call(ast.Name(other, ast.Load()), node.args, node.keywords)))
        if isinstance(node, ast.BinOp):
            for new_op in OPERATORS.get(type(node.op), ()):
                found.append((node, ast.BinOp(node.left, new_op(), node.right)))
            if isinstance(node.op, ast.MatMult):  # a transpose added on either side
                found.append((node, ast.BinOp(ast.Attribute(node.left, "T", ast.Load()), node.op, node.right)))
                found.append((node, ast.BinOp(node.left, node.op, ast.Attribute(node.right, "T", ast.Load()))))
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
                found.append((node, node.left))
                if isinstance(node.op, (ast.Add, ast.Mult)):
                    found.append((node, node.right))
                if isinstance(node.op, ast.Sub):
                    found.append((node, ast.UnaryOp(ast.USub(), node.right)))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            found.append((node, node.operand))
        elif isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if callee not in PLUMBING and len(node.args) == 1 and not node.keywords:
                found.append((node, node.args[0]))
            for other in SWAPS.get(callee, ()):
                if isinstance(node.func, ast.Attribute):
                    found.append((node, ast.Call(ast.Attribute(node.func.value, other, ast.Load()), node.args,
                                                 node.keywords)))
                elif other in module_functions and other != callee:
                    found.append((node, ast.Call(ast.Name(other, ast.Load()), node.args, node.keywords)))
            for i, keyword in enumerate(node.keywords):
                if keyword.arg in ("axis", "keepdims"):
                    found.append((node, ast.Call(node.func, node.args, node.keywords[:i] + node.keywords[i + 1:])))
                if keyword.arg == "axis" and isinstance(keyword.value, (ast.Constant, ast.UnaryOp)):
                    try:
                        axis = ast.literal_eval(keyword.value)
                    except ValueError:
                        continue
                    for other in (0, 1, -1):
                        if other != axis and not (axis == 1 and other == -1):
                            changed = node.keywords[:i] + [ast.keyword("axis", ast.Constant(other))] \
                                + node.keywords[i + 1:]
                            found.append((node, ast.Call(node.func, node.args, changed)))
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            found.append((node, node.value))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) and not isinstance(node.value, bool):
            others = {0.0: (1.0,), 1.0: (2.0, 0.0), 2.0: (1.0,), 0.5: (1.0, 2.0)}.get(float(node.value))
            if others is None and id(node) not in negated:  # any other number, with its sign changed
                others = (-float(node.value),)
            for other in others or ():
                found.append((node, ast.Constant(type(node.value)(other))))
        elif isinstance(node, ast.Subscript):
            index = node.slice
            if isinstance(index, ast.Constant) and type(index.value) is int:
                for other in {0: (-1, 1), -1: (0, -2), 1: (0, 2)}.get(index.value, ()):
                    found.append((node, ast.Subscript(node.value, ast.Constant(other), node.ctx)))
                if index.value in (0, -1):
                    for bounds in ((None, ast.UnaryOp(ast.USub(), ast.Constant(1))), (ast.Constant(1), None)):
                        found.append((node, ast.Subscript(node.value, ast.Slice(*bounds), node.ctx)))
            elif isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
                found.append((node, ast.Subscript(node.value, ast.Constant(0), node.ctx)))
                for bounds in ((None, ast.UnaryOp(ast.USub(), ast.Constant(1))), (ast.Constant(1), None)):
                    found.append((node, ast.Subscript(node.value, ast.Slice(*bounds), node.ctx)))
            elif isinstance(index, ast.BinOp) and isinstance(index.op, (ast.Add, ast.Sub)):
                found.append((node, ast.Subscript(node.value, index.left, node.ctx)))
                for bounds in ((None, ast.UnaryOp(ast.USub(), ast.Constant(1))), (ast.Constant(1), None)):
                    found.append((node, ast.Subscript(node.value, ast.Slice(*bounds), node.ctx)))
            elif isinstance(index, ast.Name):
                for bounds in ((None, ast.UnaryOp(ast.USub(), ast.Constant(1))), (ast.Constant(1), None)):
                    found.append((node, ast.Subscript(node.value, ast.Slice(*bounds), node.ctx)))
                for op in (ast.Add, ast.Sub):
                    found.append((node, ast.Subscript(node.value, ast.BinOp(index, op(), ast.Constant(1)), node.ctx)))
                for other in (0, -1):
                    found.append((node, ast.Subscript(node.value, ast.Constant(other), node.ctx)))
            elif isinstance(index, ast.Slice):
                for field in ("lower", "upper"):
                    bound = getattr(index, field)
                    if isinstance(bound, ast.Constant) and type(bound.value) is int:
                        other = {1: None, -1: None}.get(bound.value, bound.value)
                        moved = copy.copy(index)
                        setattr(moved, field, None if other is None else ast.Constant(other))
                        found.append((node, ast.Subscript(node.value, moved, node.ctx)))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            for other in names:
                if other != node.id:
                    found.append((node, ast.Name(other, ast.Load())))
        elif isinstance(node, ast.AugAssign):
            found.append((node, ast.Assign([node.target], node.value, lineno=node.lineno)))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr)) and not isinstance(node, ast.Return):
            found.append((node, None))
    return found


class _Replace(ast.NodeTransformer):
    """Replaces one node (by identity), or deletes it from its statement list."""

    def __init__(self, target, replacement):
        self.target, self.replacement = target, replacement

    def generic_visit(self, node):
        for field, old in ast.iter_fields(node):
            if isinstance(old, list):
                new = []
                for item in old:
                    if item is self.target:
                        if self.replacement is not None:
                            new.append(self.replacement)
                        continue
                    new.append(self.visit(item) if isinstance(item, ast.AST) else item)
                if not new and field in ("body", "orelse") and old and isinstance(node, (ast.For, ast.If, ast.While)):
                    new = [ast.Pass()] if field == "body" else []
                old[:] = new
            elif isinstance(old, ast.AST):
                if old is self.target:
                    setattr(node, field, self.replacement)
                else:
                    setattr(node, field, self.visit(old))
        return node


def _siblings(module):
    """{function name: (the fewest, the most positional arguments it takes)} of the module's functions, its own and
    those it imports from the kit: what a student may call by mistake in place of another."""
    ranges = {}
    for name, value in vars(module).items():
        if not inspect.isfunction(value) or name.startswith("_"):
            continue
        try:
            parameters = [p for p in inspect.signature(value).parameters.values()
                          if p.kind == p.POSITIONAL_OR_KEYWORD]
        except (TypeError, ValueError):
            continue
        ranges[name] = (sum(p.default is p.empty for p in parameters), len(parameters))
    return ranges


def variants(module, function_name, module_name, folder=None):
    """[Variant] of one reference function: ``module`` is the loaded reference module (whose globals a variant
    uses), ``module_name`` its file's name without .py, in ``folder`` (default: the solutions of the module)."""
    path = (folder or paths.SOLUTIONS) / f"{module_name}.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = _solution_lines(source)
    definition = next((node for node in tree.body if isinstance(node, ast.FunctionDef)
                       and node.name == function_name), None)
    if definition is None or not lines:
        return []
    module_functions = _siblings(module)
    made, seen, sources = [], set(), set()
    for number, (target, replacement) in enumerate(_edits(definition, lines, module_functions)):
        old = _quote(target)
        new = "" if replacement is None else _quote(replacement)
        place = (getattr(target, "lineno", 0), getattr(target, "col_offset", 0), old, new)
        if old == new or place in seen:  # the same edit at the same place, found twice
            continue
        seen.add(place)
        edited = copy.deepcopy(definition)
        # find the target's copy: the same position in a parallel walk
        originals = list(ast.walk(definition))
        copies = list(ast.walk(edited))
        twin = copies[next(i for i, node in enumerate(originals) if node is target)]
        replacement_copy = None if replacement is None else copy.deepcopy(replacement)
        edited = _Replace(twin, replacement_copy).visit(edited)
        wrapper = ast.Module([edited], type_ignores=[])
        ast.fix_missing_locations(wrapper)
        try:
            written = ast.unparse(wrapper)
        except Exception:
            continue
        if written in sources:  # the same code by another edit (`X.shape[0]` -> `X.shape[1]`, and its `0` -> `1`)
            continue
        sources.add(written)
        try:
            code = compile(wrapper, f"<generated {module_name}.{function_name} #{number}>", "exec")
        except (SyntaxError, ValueError, TypeError):
            continue
        namespace = dict(vars(module))
        try:
            exec(code, namespace)  # the kit's own solution, edited: never student code
        except Exception:
            continue
        made.append(Variant(f"{module_name}.{function_name}#{number}", old, new, namespace[function_name]))
    return made


class _Slow(Exception):
    pass


def run(variant, args, kwargs):
    """The variant's output on a case; ``evaluation.Raised`` with the whole message where it raises; None where it
    runs past CALL_SECONDS (where the process can time it: the main thread) or raises with no message."""
    timed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")

    def stop(signum, frame):
        raise _Slow

    previous = signal.signal(signal.SIGALRM, stop) if timed else None
    try:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return variant.function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except _Slow:
        return None
    except Exception as exc:
        return references.raised_exactly(exc)
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def outputs(assignment, ref, expected, close):
    """The generated variants of every graded function of ``assignment`` that some case tells apart, with their
    outputs: {(part key, check index): [[key, [[old, new], ...]], ...]} and {case id: [output, ...]} in the same
    order, for the checks that compare values (not training runs judged by what they learn).

    ``ref`` is the reference modules' namespace, ``expected`` {case id: expected value}, ``close(output, expected,
    check)`` whether an output passes the check. Variants whose outputs equal another's on every case share one
    entry, with every edit (``members``); the diagnosis says them only where it can tell which one the student
    made (``said``, or the student's own line for a raise)."""
    by_function = {}
    for part in assignment.parts:
        for check_index, check in enumerate(part.checks):
            if check.kind != "converge" or fixed(check):
                by_function.setdefault(check.function, []).append((part.key, check_index, check))
    edits, per_case = {}, {}
    for function, checks in by_function.items():
        module_name, name = function.split(".", 1)
        made = variants(getattr(ref, module_name), name, module_name, paths.SOLUTIONS / assignment.name)
        case_ids = [(f"{part_key}/{check_index}/{index}", check, case) for part_key, check_index, check in checks
                    for index, case in enumerate(check.cases)]
        reference = getattr(getattr(ref, module_name), name)
        own = {case_id: _own(reference, case) for case_id, check, case in case_ids if fixed(check)}
        groups, order = {}, []
        for variant in made:
            results = [_storable(run(variant, case.args, case.kwargs)) for _, _, case in case_ids]
            raised = [isinstance(r, evaluation.Raised) for r, _ in results]
            if all(r is None or is_raised for (r, _), is_raised in zip(results, raised)):
                if not all(raised):
                    continue  # raising on every case, it tells a student's raising call apart; else, nothing
            elif all(r is None or (not is_raised and (same(r, own[case_id]) if fixed(check)
                                                      else close(r, expected[case_id], check)))
                     for (r, _), is_raised, (case_id, check, _) in zip(results, raised, case_ids)):
                continue
            fingerprint = hashlib.sha256("\0".join(encoded for _, encoded in results).encode()).hexdigest()
            if fingerprint not in groups:
                groups[fingerprint] = ([], [encoded for _, encoded in results])
                order.append(fingerprint)
            groups[fingerprint][0].append(variant)
        kept = [(members, results, pairs(members)) for members, results in (groups[f] for f in order)]
        kept = kept[:MAX_VARIANTS]
        for part_key, check_index, check in checks:
            edits[(part_key, check_index)] = [[members[0].key, pairs] for members, _, pairs in kept]
        for position, (case_id, _, _) in enumerate(case_ids):
            per_case[case_id] = [None if results[position] == "null" else json.loads(results[position])
                                 for _, results, _ in kept]
    return edits, per_case


def fixed(check):
    """Whether a 'converge' check judges a value its function fixes for the case (the weights of a logic gate):
    the check's option ``fixed``. Its generated variants are compared with the student's value itself, exactly
    (``same``), as no tolerance on what the value computes tells one formula from another."""
    return check.kind == "converge" and bool((check.options or {}).get("fixed"))


#: the tolerance at which a fixed value is the same as a variant's
FIXED_RTOL, FIXED_ATOL = 1e-9, 1e-12


def same(output, target):
    """Whether ``output`` is ``target`` to within FIXED_RTOL, FIXED_ATOL, in the same structure."""
    try:
        return evaluation.mismatch(output, target, FIXED_RTOL, FIXED_ATOL) is None
    except Exception:
        return False


def _own(reference, case):
    try:
        return reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except Exception:
        return None


def pairs(members):
    """The distinct edits [[old, new], ...] of variants with equal outputs, in order; [] for more than MAX_MEMBERS
    (no one of them can be named)."""
    found = sorted({(v.old, v.new) for v in members}, key=[(v.old, v.new) for v in members].index)
    return [list(pair) for pair in found] if len(found) <= MAX_MEMBERS else []


#: Edits with equal outputs on every case say the same thing: up to this many are said together.
MAX_SAID = 3


def said(pairs):
    """The edits [(old, new)] of variants with equal outputs as a diagnosis may say them: up to MAX_SAID edits;
    [(old, new, "several")] for more that all change the same code (the slip is there, in one of several ways);
    None for none, or more that change different code (no edit can be named)."""
    pairs = [tuple(pair[:2]) for pair in pairs]
    if not pairs:
        return None
    if len(pairs) <= MAX_SAID:
        return pairs
    if len({old for old, _ in pairs}) == 1:
        return [(pairs[0][0], pairs[0][1], "several")]
    return None


def _storable(output):
    """(output, its encoding as JSON text) where the cache can hold it: a value the codec takes (a variant may build
    a structure that holds itself) of at most MAX_OUTPUT_BYTES; else (None, "null")."""
    if output is None:
        return None, "null"
    try:
        encoded = json.dumps(evaluation.encode_variant(output))
    except (ValueError, TypeError, RecursionError):
        return None, "null"
    return (output, encoded) if len(encoded) <= MAX_OUTPUT_BYTES else (None, "null")
