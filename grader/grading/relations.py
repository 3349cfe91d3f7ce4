"""Relations between a student's wrong output and the reference's: what the student's code computes, as a fact.

A relation maps the reference's value on a case (or another *base*: the reference run on other inputs, a
catalogue variant's output, a variant generated from the reference's source) to a prediction of the student's
value. Three kinds, cheapest first:

- a **layout**: the value itself, transposed, flattened, with an axis of length 1 more or less, its last or first
  row only, reversed, every row the same, one row short or long, shifted by one, an (N, N) array whose diagonal
  holds the (N,) values, cast to integers or to float32;
- a **scale** on top of a layout: the value times a constant, identified where it can be with a quantity of the
  case (a dimension of an argument, such as N the batch size, a float argument such as the learning rate), or a
  number (2, 1/2, -1, ln 2, ln 10, and their inverses and negatives);
- a **step**: for a path (a 2-D value whose rows are successive states from the same start), the first row where
  the student's path leaves the reference's, and the constant the step into it is scaled by.

Each relation is a ``Candidate`` with a stable ``key``; a candidate *holds on a case* when its prediction matches
the student's value within the check's tolerance. ``grader.diagnosis`` keeps only the candidates that hold on every
failing case of a check. Everything here works on values the grader already has; nothing reads student source.
"""
import math
from dataclasses import dataclass

import numpy as np

#: Relations of the same rank that all hold: this many are said together, more none.
MAX_SAID = 2
#: An unnamed constant factor counts only on values of this many entries, the same on every failing case.
MIN_CONSTANT_ENTRIES = 4
#: A quantity or constant is taken for the measured factor when they agree within this relative error.
FACTOR_RTOL = 1e-7
#: the layouts that change a value's dtype: compared by value, since the dtype itself is already said
DTYPES = ("truncated", "rounded", "float32")
NUMBERS = (("2", 2.0), ("1/2", 0.5), ("ln 2", math.log(2.0)), ("ln 10", math.log(10.0)),
           ("1/ln 2", 1 / math.log(2.0)), ("1/ln 10", 1 / math.log(10.0)))


@dataclass(frozen=True)
class Quantity:
    """A number of a case the grader can name: ``key`` is stable across cases (``rows:X``), ``value`` this case's.
    ``kind``: "rows", "columns", "dim" (axis 2 and beyond), "argument" (a float or int argument)."""
    key: str
    kind: str
    name: str
    value: float


def quantities(names, args):
    """The nameable quantities of one case: each array argument's dimensions, each number argument, by the
    reference's own argument names (``names``, in order)."""
    found = []
    for name, value in zip(names, args):
        if type(value) is np.ndarray and value.dtype.kind == "f":
            for axis, size in enumerate(value.shape[:3]):
                kind = ("rows", "columns")[axis] if axis < 2 else "dim"
                if size > 1:
                    found.append(Quantity(f"{kind}{axis}:{name}", kind, name, float(size)))
        elif isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
            if value not in (0, 1, -1) and math.isfinite(float(value)):
                found.append(Quantity(f"argument:{name}", "argument", name, float(value)))
    return found


def factors(case_quantities):
    """{factor key: (value, description parts)} of the constants a scale is identified with on one case: the
    numbers, each quantity and its inverse, 2 or 1/2 times a quantity, all with either sign."""
    found = {}
    for label, value in NUMBERS:
        found[f"number:{label}"] = (value, ("number", label))
    for q in case_quantities:
        found[f"q:{q.key}"] = (q.value, ("quantity", q.kind, q.name))
        found[f"inv:{q.key}"] = (1.0 / q.value, ("inverse", q.kind, q.name))
        found[f"2q:{q.key}"] = (2.0 * q.value, ("twice", q.kind, q.name))
        found[f"q/2:{q.key}"] = (q.value / 2.0, ("half", q.kind, q.name))
        found[f"2/q:{q.key}"] = (2.0 / q.value, ("two_over", q.kind, q.name))
    for key, (value, parts) in list(found.items()):
        found[f"-{key}"] = (-value, ("negative",) + parts)
    found["number:-1"] = (-1.0, ("number", "-1"))
    found["number:0"] = (0.0, ("number", "0"))
    return found


def identify(factor, table):
    """The keys of ``table`` (from ``factors``) whose value is ``factor``."""
    if not math.isfinite(factor):
        return set()
    return {key for key, (value, _) in table.items()
            if (value == 0.0 and abs(factor) < 1e-12) or (value != 0.0 and abs(factor - value) <= FACTOR_RTOL * abs(value))}


# -- layouts --------------------------------------------------------------------------------------------------------
def _array(value):
    if type(value) is np.ndarray and value.dtype.kind in "fiub":
        return value
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return np.array(float(value))
    return None


def layouts(expected, got, only_same=False):
    """[(layout key, predicted value)] of the layouts of ``expected`` worth comparing with ``got``: only those whose
    shape is ``got``'s. The identity comes first (with ``only_same``, alone)."""
    e, g = _array(expected), _array(got)
    if e is None or g is None:
        return []
    shape = g.shape
    found = []

    def add(key, value):
        if value.shape == shape:
            found.append((key, value))

    add("same", e)
    if only_same:
        return found
    if e.ndim == 2:
        add("transposed", e.T)
    if e.ndim >= 2:
        add("flattened", e.reshape(-1))
    if e.ndim == 1:
        add("column", e[:, None])
        add("row", e[None, :])
    if e.ndim >= 1 and 1 in e.shape:
        add("squeezed", e.reshape([n for n in e.shape if n != 1]))
    if e.ndim >= 1 and len(e) >= 2:
        add("last_row", e[-1])
        add("first_row", e[0])
        add("reversed", e[::-1])
        add("all_last", np.broadcast_to(e[-1], e.shape))
        add("all_first", np.broadcast_to(e[0], e.shape))
        add("without_first", e[1:])
        add("without_last", e[:-1])
        if len(e) >= 3:
            add("shifted_back", np.concatenate([e[1:], e[-1:]]))
            add("shifted_forward", np.concatenate([e[:1], e[:-1]]))
    if g.dtype.kind in "iub" and e.dtype.kind == "f":
        with np.errstate(all="ignore"):
            add("truncated", np.trunc(e))
            add("rounded", np.round(e))
    if g.dtype == np.float32:
        add("float32", e.astype(np.float32).astype(np.float64))
    return found


def partial_layouts(expected, got):
    """[(layout key, (got part, expected part))] of relations that hold on part of a value only: an (N, N) array
    whose diagonal is the expected (N,) or (N, 1) values; one entry more than expected (at the start or the end);
    a sequence shifted by one (every entry but the last is the next expected one, or every entry but the first is
    the one before)."""
    e, g = _array(expected), _array(got)
    if e is None or g is None:
        return []
    found = []
    if g.ndim == 2 and g.shape[0] == g.shape[1] and g.shape[0] >= 2 and e.size == g.shape[0] \
            and e.shape in ((e.size,), (e.size, 1), (1, e.size)):
        found.append(("outer", (np.diagonal(g), e.reshape(-1))))
    if e.ndim >= 1 and g.ndim == e.ndim and len(g) == len(e) + 1 and g.shape[1:] == e.shape[1:]:
        found.append(("extra_last", (g[:-1], e)))
        found.append(("extra_first", (g[1:], e)))
    if e.ndim >= 1 and g.shape == e.shape and len(e) >= 3:
        found.append(("ahead", (g[:-1], e[1:])))
        found.append(("behind", (g[1:], e[:-1])))
    return found


def scale_of(got, predicted):
    """The least-squares factor c with got ≈ c * predicted over the finite entries, or nan."""
    g, p = np.asarray(got, dtype=np.float64), np.asarray(predicted, dtype=np.float64)
    if g.shape != p.shape:
        return float("nan")
    ok = np.isfinite(g) & np.isfinite(p)
    denominator = float(np.sum(p[ok] * p[ok]))
    if not ok.any() or denominator == 0.0:
        return float("nan")
    return float(np.sum(g[ok] * p[ok]) / denominator)


def first_divergent_step(got, expected, close):
    """For paths (2-D, rows are states, the same first row): (row index i ≥ 1 where ``got`` first leaves
    ``expected``, the factor of the step into it: (got[i] - got[i-1]) against (expected[i] - expected[i-1])), or
    None. ``close(a, b)`` says whether two rows agree."""
    g, e = _array(got), _array(expected)
    if g is None or e is None or g.ndim != 2 or g.shape != e.shape or len(g) < 2 or not close(g[0], e[0]):
        return None
    for i in range(1, len(g)):
        if not close(g[i], e[i]):
            step = e[i] - e[i - 1]
            if not np.any(step):
                return None
            return i, scale_of(g[i] - g[i - 1], step)
    return None


def discrete(value):
    """Whether every entry is a small integer (a truth table, a 0/1 mask): a match on such values can be chance. A
    tuple, list or dict is discrete where each of its leaves is."""
    if isinstance(value, (tuple, list, dict)):
        return all(discrete(leaf) for leaf in leaves(value).values())
    a = _array(value)
    if a is None or a.size == 0:
        return True
    with np.errstate(all="ignore"):
        finite = a[np.isfinite(a)].astype(np.float64)
    return bool(np.all(np.abs(finite - np.round(finite)) < 1e-2) and np.all(np.abs(finite) <= 2))


# -- a value's leaves, and the relations of each that hold on every failing case ------------------------------------
def leaves(value, path=()):
    """{path: leaf} of a value's arrays and numbers, through tuples, lists and dicts."""
    if isinstance(value, (tuple, list)):
        found = {}
        for i, item in enumerate(value):
            found.update(leaves(item, path + (i,)))
        return found
    if isinstance(value, dict):
        found = {}
        for key in value:
            found.update(leaves(value[key], path + (key,)))
        return found
    return {path: value}


def leaf_at(value, path):
    """The leaf at ``path`` (from ``leaves``) of a value, or None where the path leads nowhere."""
    for step in path:
        try:
            value = value[step]
        except (IndexError, KeyError, TypeError):
            return None
    return value


def same_frame(got, expected):
    """Whether ``got`` has ``expected``'s containers (lengths and keys), so that leaves can be compared by path."""
    if isinstance(expected, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(expected) and all(
            same_frame(g, e) for g, e in zip(got, expected))
    if isinstance(expected, dict):
        return isinstance(got, dict) and sorted(got, key=str) == sorted(expected, key=str) and all(
            same_frame(got[k], expected[k]) for k in expected)
    return not isinstance(got, (tuple, list, dict))


def leaf_candidates(g, b, matches, table, with_layouts):
    """{signature: per-case detail} of the relations of one leaf value ``g`` to a base leaf ``b``. A signature is
    (layout, scale kind) with scale kind None (no scale), ("factor",) or ("constant", value). Without
    ``with_layouts``, the identity layout only, scaled or not."""
    found = {}
    number = not isinstance(b, np.ndarray)  # a float is compared as a float
    for layout, predicted in layouts(b, g, only_same=not with_layouts):
        if number and predicted.ndim == 0:
            predicted = float(predicted)
        if layout in DTYPES:  # the values, whatever their dtype (which the failure message names)
            if matches(np.asarray(g, dtype=np.float64), predicted):
                found[(layout, None)] = {}
            continue
        c = scale_of(g, predicted)
        if not np.isfinite(c) or abs(c - 1.0) < 1e-4:
            if matches(g, predicted):
                found[(layout, None)] = {}
            continue
        if abs(c) < 1e-12:  # a value of zeros is zero times anything: no scale says what it is
            continue
        ids = identify(c, table)
        constant = np.size(predicted) >= MIN_CONSTANT_ENTRIES  # a number is always some constant times another
        if (ids or constant) and matches(g, c * predicted if not number else float(c * predicted)):
            if ids:
                found[(layout, ("factor",))] = {"ids": ids, "value": c}
            if constant:
                found[(layout, ("constant", float(f"{c:.6g}")))] = {"value": c}
    if not with_layouts:
        return found
    for layout, (part_g, part_b) in partial_layouts(b, g):
        if matches(part_g, part_b):
            found[(layout, None)] = {}
    step = first_divergent_step(g, b, matches)
    if step:
        row, c = step
        ids = identify(c, table)
        if ids:
            found[("step", ("factor",))] = {"ids": ids, "value": c, "row": row}
    return found


def intersect(per_record):
    """The signatures found on every record, with their per-record details; factor ids narrowed to those every
    record shares."""
    common = set(per_record[0])
    for found in per_record[1:]:
        common &= set(found)
    kept = {}
    for signature in common:
        details = [found[signature] for found in per_record]
        if signature[1] == ("factor",):
            ids = set.intersection(*(d["ids"] for d in details))
            if not ids:
                continue
            details = [dict(d, ids=ids) for d in details]
        kept[signature] = details
    return kept


def rank(signature):
    """The order in which a leaf's relations are preferred: no scale, a named factor, a bare constant; and the
    value as it is before another layout of it."""
    layout, scale = signature
    return (0 if scale is None else 1 if scale == ("factor",) else 2, 0 if layout == "same" else 1)


#: what ``explain_leaf`` says of a leaf equal to its base on every case
EQUAL = "equal"


def explain_leaf(records, path, bases, matches, tables, with_layouts=True):
    """The relations of the student's leaf at ``path`` to the bases' (one value per record) that hold on every
    record: EQUAL where it is the base's own on every record, else [(signature, [detail per record])] of the
    simplest relations (two at most), or None."""
    per_record = []
    all_equal = True
    for record, base, table in zip(records, bases, tables):
        g, b = leaf_at(record.outcome.value, path), leaf_at(base, path)
        if g is None or b is None:
            return None
        candidates = leaf_candidates(g, b, matches, table, with_layouts)
        if ("same", None) not in candidates:
            all_equal = False
        per_record.append(candidates)
    if all_equal:
        return EQUAL
    common = intersect(per_record)
    common.pop(("same", None), None)
    if len(records) == 1:  # one case: no bare constant, and nothing on a small discrete table
        if discrete(leaf_at(records[0].outcome.value, path)):
            return None
        common = {s: d for s, d in common.items() if not (s[1] and s[1][0] == "constant")}
    if not common:
        return None
    best = min(rank(s) for s in common)
    chosen = sorted((s for s in common if rank(s) == best), key=lambda s: (s[0], str(s[1])))
    # relations of the same rank that all hold: two are both said; more, none
    return [(s, common[s]) for s in chosen] if len(chosen) <= MAX_SAID else None


def explain_leaves(records, bases, matches, tables, deadline, with_layouts=True):
    """For one base (a value per record, same frame as expected), the relations that explain EVERY leaf of the
    student's value on every record: {path: [(signature, details)]}, or None. Leaves equal to the base on every
    record need none. With ``with_layouts`` False only the identity layout, scaled or not, is tried."""
    found = {}
    for path in leaves(records[0].expected):
        if deadline.expired():
            return None
        explained = explain_leaf(records, path, bases, matches, tables, with_layouts)
        if explained is None:
            return None
        if explained is not EQUAL:
            found[path] = explained
    if not found:  # the base itself, on every leaf: the whole value is what the base gives
        return {(): [(("same", None), [{} for _ in records])]}
    return found
