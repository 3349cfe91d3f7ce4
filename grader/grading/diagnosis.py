"""The diagnosis of a check: why its failing cases fail, stated only where it holds on every one of them.

After all the cases of a check are judged (``evaluation.judge``, which says what is wrong), the engine hands the
check's cases to ``explain``. A diagnosis is one of, in this order:

1. **a catalogue misconception** (``Likely cause: ...``): its variant reproduces the student's output, or raises
   what the student's call raised, on every failing case. Two that both hold are both named; more, none.
2. **a relation** (``What your code computes: ...``, ``grader.relations``): the student's value is the reference's
   in another layout, times a constant named by a quantity of the case, a path whose first wrong step is a scaled
   step, the reference run with one same-shaped argument in place of another, a variant generated from the
   reference's own source (``grader.core.generated``), or a catalogue variant times a constant (two slips at
   once); a raise, by the generated edit that raises the very same exception and message, where its code stands
   on the student's own traceback line or it is the only edit that raises so; a value a check fixes (``generated.fixed``), by the generated
   edit that gives it.

Every diagnosis is checked numerically on every failing case, at the check's own tolerance. A match on a single
failing case counts only when its values are not a small discrete table (where chance agreement is likely); a
declared exception counts only with the very message its variant raised on the case, and an undeclared one, or a
generated edit's, only with the very same message on two failing cases at least. The work is bounded by a
``Deadline`` shared by the whole submission: when it runs out, what is not yet checked is not shown. Scores never
depend on any of this: it only adds text to failing cases.
"""
import inspect
import itertools
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..shipped import evaluation
from ..core import generated
from . import diagnosis_text as phrasing, relations

#: The grader's own time on diagnoses, per submission, in seconds (docs/speed.md has what it takes).
BUDGET_SECONDS = 1.0
MAX_SAID = relations.MAX_SAID  # two explanations that both hold are both said; more, none
MAX_FACTS = 3  # facts shown on one case



class Deadline:
    """The grader's own time left for a submission's diagnoses: only the time spent inside ``running()`` blocks
    counts (the student's calls between them do not), and ``expired()`` once it reaches ``seconds``. ``spent`` is
    that time so far (what ``Report.diagnosis_seconds`` and benchmarks/diagnosis_speed.py report)."""

    def __init__(self, seconds=BUDGET_SECONDS):
        self.seconds = seconds
        self.spent = 0.0
        self._since = None

    def expired(self):
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self.spent + running >= self.seconds

    @contextmanager
    def running(self):
        self._since = time.monotonic()
        try:
            yield self
        finally:
            self.spent += time.monotonic() - self._since
            self._since = None


@dataclass
class Record:
    """One judged case of a check: the call's Outcome, the expected value, the catalogue variants [(key, message,
    output)], the generated variants [(key, edit text, output)], and the Verdict judge gave without variants."""
    case: object
    outcome: object
    expected: object
    variants: list
    verdict: object
    generated_source: object = ()  # the generated variants, or a function that gives them when first needed

    @property
    def generated(self):
        if callable(self.generated_source):
            self.generated_source = list(self.generated_source())
        return self.generated_source


@dataclass
class Explained:
    """What a failing case's message becomes: the message, its misconception key, its relation key."""
    message: str
    misconception: str = ""
    relation: str = ""


# -- comparing as the check compares --------------------------------------------------------------------------------
def _matcher(kind, options):
    """``matches(got, target)``: whether ``got`` passes where ``target`` is expected, as ``evaluation.mismatch``
    (or ``gradient_mismatch``) judges, at the check's tolerance; arrays and numbers by a fast path of the same
    arithmetic, anything else by the evaluation's own comparison."""
    if kind == "gradient":
        limit = options.get("limit", evaluation.GRADIENT_RTOL)

        def gradient(got, target):
            if _plain_pair(got, target):
                return evaluation.rel_error(got, target) < limit
            return evaluation.gradient_mismatch(got, target, limit) is None
        return gradient
    rtol, atol = options.get("rtol", evaluation.RTOL), options.get("atol", evaluation.ATOL)
    if np.isinf(rtol) and np.isinf(atol):  # a check of structure only: equal structure says nothing of values,
        return _same_non_finite  # but the same nan and inf in the same places do

    def close(got, target):
        if not _plain_pair(got, target):
            return evaluation.mismatch(got, target, rtol, atol) is None
        g, e = np.asarray(got, dtype=np.float64), np.asarray(target, dtype=np.float64)
        finite = np.isfinite(e)
        if (finite & ~np.isfinite(g)).any():
            return False
        diff = np.where(finite, np.abs(g - e), 0.0)
        wrong = (diff > atol + rtol * np.abs(e)) | (~finite & ~((g == e) | (np.isnan(g) & np.isnan(e))))
        return not wrong.any()
    return close


def _same_non_finite(got, target):
    """Whether two numbers or arrays of one shape hold nan, inf and -inf in the same places, and some of them."""
    try:
        g, e = np.asarray(got, dtype=np.float64), np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if g.shape != e.shape or np.isfinite(g).all():
        return False
    return bool(np.array_equal(np.isnan(g), np.isnan(e)) and np.array_equal(np.where(np.isinf(g), g, 0.0),
                                                                             np.where(np.isinf(e), e, 0.0)))


def _plain_pair(got, target):
    """Both float64 arrays of one shape, or both Python or numpy floats."""
    if type(got) is np.ndarray and type(target) is np.ndarray:
        return got.dtype == target.dtype == np.float64 and got.shape == target.shape
    return type(got) in (float, np.float64) and type(target) in (float, np.float64)


def _safe(matches):
    def safe(got, target):
        try:
            return matches(got, target)
        except Exception:
            return False
    return safe


# -- catalogue misconceptions ---------------------------------------------------------------------------------------
def _catalogue_holds(key, record, matches):
    """How a variant of misconception ``key`` reproduces this failing case: 'value' (its output), 'same' (the
    exception it declares, with the very message the variant raised there: ``evaluation.same_failure``), 'exact'
    (an exception it does not declare, with the very same message), or '' (it does not). The declared exception
    with another message (its words alone) is no evidence: ``A * W`` and ``b[:, None]`` both fail to broadcast."""
    best = ""
    for variant_key, _, output in record.variants:
        if variant_key != key or output is None:
            continue
        if isinstance(output, evaluation.Raised):
            raised = evaluation.what_raised(record.outcome)
            if raised is None:
                continue
            if output.detail and evaluation.raised_alike(output, *raised):
                best = min(best or "exact", "exact", key=EVIDENCE.index)
            elif not output.detail and output.message and evaluation.same_failure(*raised, output.error,
                                                                                   output.message):
                best = min(best or "same", "same", key=EVIDENCE.index)
        elif record.outcome.ok and matches(record.outcome.value, output):
            return "value"
    return best


#: the kinds of evidence, strongest first
EVIDENCE = ("value", "same", "exact")


def enough(how, records):
    """Whether the evidence ``how`` (one entry per failing record, from ``_catalogue_holds``) names a cause: it
    holds on every record; something besides an exception it does not declare holds on one at least; and a single
    record counts only by a value that is not a small discrete table, or by the very message of the exception it
    declares."""
    if not all(how) or not any(h in ("value", "same") for h in how):
        return False
    if len(records) == 1:
        return how[0] == "same" or (how[0] == "value" and not relations.discrete(records[0].outcome.value))
    return True


def catalogue_causes(records, matches):
    """[(key, message)] of the misconceptions that reproduce every failing record (``enough``); [] when none, or
    when more than MAX_SAID hold."""
    keys = []
    for record in records:
        for key, message, _ in record.variants:
            if key not in [k for k, _ in keys]:
                keys.append((key, message))
    evidence = {key: [_catalogue_holds(key, record, matches) for record in records] for key, _ in keys}
    held = [(key, message) for key, message in keys if enough(evidence[key], records)]
    # a cause whose evidence is weaker on every case than another's (an exception it does not declare, where the
    # other declares it) gives way to it
    ranks = {key: [EVIDENCE.index(how) for how in evidence[key]] for key, _ in held}
    held = [(key, message) for key, message in held
            if not any(all(a <= b for a, b in zip(ranks[other], ranks[key])) and ranks[other] != ranks[key]
                       for other, _ in held)]
    return held if len(held) <= MAX_SAID else []


# -- substitutions: the reference run with one argument where another belongs ---------------------------------------
def _argument_names(function):
    try:
        return [p.name for p in inspect.signature(function).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


def substitutions(records, reference, names, deadline, cases=()):
    """{(source, target): [output per record]} of the reference run with argument ``source`` standing in for
    argument ``target``, for every record: another argument of the same shape on every record, or one string
    value that the check's ``cases`` pass there (the name of another activation, say) in place of each record's
    own."""
    if reference is None:
        return {}
    count = min(len(r.case.args) for r in records)
    pairs = [(i, j) for i in range(count) for j in range(count)
             if i != j and i < len(names) and j < len(names)
             and all(type(r.case.args[i]) is np.ndarray and type(r.case.args[j]) is np.ndarray
                     and r.case.args[i].shape == r.case.args[j].shape for r in records)]
    found = {}
    for i, j in pairs:
        outputs = [_substituted(reference, record, j, lambda args, i=i: np.array(args[i], copy=True), deadline)
                   for record in records]
        if all(o is not None for o in outputs):
            found[(f"`{names[i]}`", f"`{names[j]}`")] = outputs
    for j in range(min(count, len(names))):
        if not all(isinstance(r.case.args[j], str) for r in records):
            continue
        for value in sorted({c.args[j] for c in cases if len(c.args) > j and isinstance(c.args[j], str)}):
            if any(r.case.args[j] == value for r in records):
                continue
            outputs = [_substituted(reference, record, j, lambda args, value=value: value, deadline)
                       for record in records]
            if all(o is not None for o in outputs):
                found[(repr(value), f"`{names[j]}`")] = outputs
    return found


def _substituted(reference, record, target, source, deadline):
    if deadline.expired():
        return None
    args = list(record.case.args)
    args[target] = source(args)
    return _call(reference, args, record.case.kwargs)


def _call(function, args, kwargs):
    import copy
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception:
        return None


# -- the whole check ------------------------------------------------------------------------------------------------
def explain(check, records, reference=None, deadline=None):
    """{index into ``records``: Explained} for the failing records of one check (see the module docstring).
    ``reference`` is the reference function of the check's function (for substitutions); ``deadline`` a Deadline
    (default: a fresh one of BUDGET_SECONDS)."""
    deadline = deadline or Deadline()
    failing = [i for i, r in enumerate(records) if not r.verdict.passed]
    if not failing:
        return {}
    with deadline.running(), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _explain(check, records, failing, reference, deadline)


#: the clips a student puts on probabilities before a logarithm: a loss that CLIPPED_HIGH explains is one of these
CLIPS = tuple(10.0 ** -k for k in range(1, 16)) + (np.finfo(np.float64).eps,)


def clipped_at(reference, record):
    """The clip (from CLIPS) at which the reference, given the case's first argument clipped to [eps, 1] or
    [eps, 1 - eps], gives the student's value; None where none does. That is what makes the grader's own
    CLIPPED_HIGH cause ('the probabilities are clipped at a large value') a checked fact."""
    if reference is None or not record.outcome.ok or not record.case.args:
        return None
    first = record.case.args[0]
    if type(first) is not np.ndarray:
        return None
    for eps in CLIPS:
        for high in (1.0, 1.0 - eps):
            args = (np.clip(first, eps, high),) + tuple(record.case.args[1:])
            value = _call(reference, args, record.case.kwargs)
            try:
                if value is not None and abs(float(value) - float(record.outcome.value)) <= 1e-9 + 1e-6 * abs(
                        float(value)):
                    return eps
            except (TypeError, ValueError):
                return None
    return None


def _unchecked_clips(records, failing, reference):
    """{index: Explained} taking the CLIPPED_HIGH cause off the failing records where no clip reproduces the
    student's value: a loss too small for another reason (labels swapped, say) is not a clip."""
    out = {}
    for i in failing:
        record = records[i]
        if record.verdict.misconception == evaluation.CLIPPED_HIGH and clipped_at(reference, record) is None:
            out[i] = Explained(evaluation.split_cause(record.verdict.message)[0])
    return out


def _value_failures(records, failing, matches):
    """The failing records whose failure is in what the call gave (a value, or a raise): not those failed only for
    changing an argument in place, or for the grader's own diagnoses."""
    kept = []
    for i in failing:
        record = records[i]
        if record.verdict.misconception in (evaluation.IN_PLACE, evaluation.CLIPPED_HIGH):
            if not record.outcome.ok or matches(record.outcome.value, record.expected) \
                    or record.verdict.misconception == evaluation.CLIPPED_HIGH:
                continue
        kept.append(i)
    return kept


def _explain(check, records, failing, reference, deadline):
    options = check.options or {}
    matches = _safe(_matcher(check.kind, options))
    out = _unchecked_clips(records, failing, reference)
    chosen = _value_failures(records, failing, matches)
    if chosen and generated.fixed(check):
        return _fixed(records, chosen, out)
    if not chosen or check.kind == "converge":
        return out
    failed = [records[i] for i in chosen]
    causes = catalogue_causes(failed, matches)
    if causes:
        key = causes[0][0]
        message_tail = phrasing.MESSAGES["causes_join"].join(message for _, message in causes)
        for i in chosen:
            out[i] = Explained(evaluation.with_cause(records[i].verdict.message, message_tail), key)
        return out
    if not all(r.outcome.ok for r in failed):
        return _raised_like_generated(records, chosen, matches, out)
    order = _reordered(failed, matches)
    if order:
        returns = phrasing.return_names(reference) if reference else []
        names = [returns[i] if i < len(returns) else f"[{i}]" for i in range(len(order))]
        fact = phrasing.MESSAGES["reordered"].format(got=", ".join(names[j] for j in order), expected=", ".join(names))
        for i in chosen:
            computes = phrasing.MESSAGES["computes"].format(facts=fact)
            out[i] = Explained(evaluation.say("join", first=records[i].verdict.message, second=computes), "",
                               "reordered:" + ",".join(map(str, order)))
        return out
    if not all(relations.same_frame(r.outcome.value, r.expected) for r in failed):
        return out
    names = _argument_names(reference) if reference else []
    returns = phrasing.return_names(reference) if reference else []
    tables = [relations.factors(relations.quantities(names, r.case.args)) for r in failed]
    facts = _search(failed, matches, tables, reference, names, deadline, check.cases)
    if not facts:
        return out
    key, per_record, misconception, cause = facts
    for n, i in enumerate(chosen):
        texts = [phrasing.MESSAGES["fact"].format(leaf=phrasing.leaf_name(path, returns), relation=relation)
                 for path, relation in per_record(n)][:MAX_FACTS]
        computes = phrasing.MESSAGES["computes"].format(facts=phrasing.MESSAGES["facts_join"].join(texts))
        message = evaluation.say("join", first=records[i].verdict.message, second=computes)
        if cause:  # two slips: the cause, and what the value is against what that cause alone gives; the
            # misconception's key is not recorded, since its variant alone does not give the student's value
            message = evaluation.with_cause(records[i].verdict.message, evaluation.say(
                "join", first=cause, second=computes))
        out[i] = Explained(message, "", key)
    return out


def _search(failed, matches, tables, reference, names, deadline, cases=()):
    """(relation key, record index -> [(path, relation text)], misconception key, cause) of the bases whose
    relations explain every leaf on every failing record, or None. The bases come in tiers, cheapest and most
    direct first: the expected value; the reference run with an argument in place of another; the generated
    variants; the catalogue's variants, scaled or laid out otherwise (two slips). In the first tier where some
    base explains the value, those of the simplest relation are said, up to MAX_SAID of them; more, and none is
    (two explanations that disagree are both said or neither)."""
    tiers = [lambda: [("expected", phrasing.MESSAGES["base.expected"], [r.expected for r in failed], True, None)],
             lambda: [(f"substituted:{source}>{target}", phrasing.MESSAGES["base.substituted"].format(
                 source=source, target=target), outputs, False, None)
                 for (source, target), outputs in substitutions(failed, reference, names, deadline, cases).items()],
             lambda: _generated_bases(failed),
             lambda: _variant_bases(failed)]
    for tier in tiers:
        if deadline.expired():
            return None
        explained = []
        for base_key, base_text, outputs, with_layouts, cause in tier():
            if deadline.expired():
                return None
            if not all(relations.same_frame(o, r.expected) for o, r in zip(outputs, failed)):
                continue
            found = relations.explain_leaves(failed, outputs, matches, tables, deadline, with_layouts)
            if found and not (cause and all(s == ("same", None) for choices in found.values() for s, _ in choices)):
                rank = max(relations.rank(s) for choices in found.values() for s, _ in choices)
                explained.append((rank, base_key, base_text, found, cause))
        if not explained:
            continue
        best = min(item[0] for item in explained)
        explained = [item for item in explained if item[0] == best]
        if len(explained) > MAX_SAID or len({item[4][0] if item[4] else "" for item in explained}) > 1 \
                or any(item[2] is None for item in explained):
            return None
        keys = "+".join(item[1] + "|" + ",".join(f"{path}:{s[0]}:{s[1]}" for path, choices in item[3].items()
                                                 for s, _ in choices[:1]) for item in explained)

        def per_record(n, explained=explained):
            said = []
            for _, _, base_text, found, _ in explained:
                for path, choices in found.items():
                    said.append((path, phrasing.MESSAGES["or"].join(phrasing.relation_text(s, details[n], base_text, tables[n])
                                                           for s, details in choices)))
            return said
        cause = explained[0][4]
        return keys, per_record, cause[0] if cause else "", cause[1] if cause else ""
    if deadline.expired():
        return None
    return _mixture(failed, matches, tables, deadline, names)


def argument_leaves(args, names):
    """{label: path into args} of the arrays among a case's arguments: ``W``, ``params[1][0]``."""
    found = {}
    for index, value in enumerate(args):
        name = names[index] if index < len(names) else f"args[{index}]"
        for path, leaf in relations.leaves(value).items():
            if type(leaf) is np.ndarray and leaf.size > 1:
                found[name + "".join(f"[{step!r}]" for step in path)] = (index,) + path
    return found


def _mixture(failed, matches, tables, deadline, names=()):
    """Per leaf, the first kind of base that explains it on every failing record (two slips in two returned
    values, say): the expected value's relations, an argument returned as it was given, a generated variant, a
    catalogue variant. (relation key, per_record, misconception key, cause) as ``_search`` gives, where every
    wrong leaf is explained; or None."""
    wrong = [path for path in relations.leaves(failed[0].expected)
             if relations.explain_leaf(failed, path, [r.expected for r in failed], matches, tables, False) is not relations.EQUAL]
    if len(wrong) < 2:
        return None
    arguments = argument_leaves(failed[0].case.args, names)
    generated_bases, variant_bases = _generated_bases(failed), _variant_bases(failed)
    said, keys, causes = {}, [], []
    for path in wrong:
        if deadline.expired():
            return None
        options = [("expected", phrasing.MESSAGES["base.expected"], [r.expected for r in failed], True, None)]
        options += [(f"argument:{label}", phrasing.MESSAGES["base.argument"].format(name=label),
                     [_nest(relations.leaf_at(r.case.args, where), path) for r in failed], False, None)
                    for label, where in arguments.items()]
        for kind in (options, generated_bases, variant_bases):
            hits = []
            for base_key, base_text, outputs, with_layouts, cause in kind:
                if any(o is None for o in outputs):
                    continue
                explained = relations.explain_leaf(failed, path, outputs, matches, tables, with_layouts)
                if explained is relations.EQUAL:
                    explained = [(("same", None), [{} for _ in failed])]
                if explained:
                    hits.append((base_key, base_text, explained, cause))
            if hits:
                break
        if not hits or len(hits) > MAX_SAID or len({h[3] for h in hits}) > 1 \
                or any(h[1] is None for h in hits):
            return None
        said[path] = hits
        keys.append(f"{path}:" + "/".join(h[0] for h in hits))
        if hits[0][3] and hits[0][3] not in causes:
            causes.append(hits[0][3])
        options = options[:1]

    def per_record(n):
        return [(path, phrasing.MESSAGES["or"].join(phrasing.relation_text(s, details[n], base_text, tables[n])
                                           for _, base_text, explained, _ in hits for s, details in explained))
                for path, hits in said.items()]
    cause_key = causes[0][0] if causes else ""
    cause_text = phrasing.MESSAGES["causes_join"].join(message for _, message in causes)
    return "mixture|" + ",".join(keys), per_record, cause_key, cause_text


def _nest(value, path):
    """``value`` placed at ``path`` of a frame, as a base whose leaf at ``path`` is that value."""
    if value is None:
        return None
    for step in reversed(path):
        if type(step) is int:
            value = [None] * step + [value]
        else:
            value = {step: value}
    return value


def _reordered(failed, matches):
    """The order in which the student's function returns the expected values, where it is another one on every
    failing record (a tuple of two to four values): [index of the expected value at each place], or None."""
    first = failed[0].expected
    if not isinstance(first, tuple) or not 2 <= len(first) <= 4:
        return None
    for order in itertools.permutations(range(len(first))):
        if list(order) == sorted(order):
            continue
        if all(isinstance(r.outcome.value, (tuple, list)) and len(r.outcome.value) == len(r.expected)
               and all(matches(r.outcome.value[i], r.expected[j]) for i, j in enumerate(order)) for r in failed):
            return list(order)
    return None


def _generated_outputs(failed):
    """[(key, edit pairs, [output per record])] of the generated variants, in the cache's order."""
    found = []
    for index, (key, pairs, _) in enumerate(failed[0].generated):
        found.append((key, pairs, [r.generated[index][2] if index < len(r.generated) and r.generated[index][0] == key
                                   else None for r in failed]))
    return found


def _raised_like_generated(records, chosen, matches, out):
    """Where some failing calls raised: the generated variants that raise the very same exception, with the very
    same message, on each of those, and give the student's value on the others, on two failing cases at least.
    An edit that only reproduces an exception is said where its new code stands on a line of the student's own
    traceback on every failing call that raised (``student_lines``, ``on_line``), or where it is the only
    generated edit that raises so (a single edit may have set up a value that fails on a later line), or where all
    those edits rewrite the same code, itself no bare name or number (``X.shape[1:]`` or ``X.shape[:-1]`` for
    ``X.shape[0]``: the slip is there); else none is, since a bare name or number, or code on no line of the
    traceback, may be any of them: the exception's type, message and line, already shown, say what is. Each where
    it can be said (``generated.said``)."""
    failed = [records[i] for i in chosen]
    if len(failed) < 2:
        return out
    hits = []
    for key, pairs, outputs in _generated_outputs(failed):
        if all(_same_outcome(record.outcome, output, matches) for record, output in zip(failed, outputs)):
            hits.append((key, pairs))
    if any(not pairs for _, pairs in hits):  # a set of edits too large to keep raises alike: none can be named
        return out
    pairs = list(dict.fromkeys(tuple(pair[:2]) for _, found in hits for pair in found))
    lines = [student_lines(r.outcome) for r in failed if not r.outcome.ok]
    on_lines = [pair for pair in pairs if all(on_line(pair[1], found) for found in lines)]
    if not on_lines and len(pairs) > 1 and not (len({old for old, _ in pairs}) == 1 and checkable(pairs[0][0])):
        # several edits raise alike and none stands on the student's own lines: which one they made is not known,
        # and the exception, its message and line, already shown, say what is; unless they all rewrite the same
        # code, which a bare name or number is not (it stands in many places)
        return out
    said = generated.said(on_lines or pairs)
    if not said:
        return out
    edits = phrasing.edit_text(said)
    for i in chosen:
        fact = phrasing.MESSAGES["raises_as" if not records[i].outcome.ok else "gives_as"].format(edit=edits)
        computes = phrasing.MESSAGES["computes"].format(facts=fact)
        out[i] = Explained(evaluation.say("join", first=records[i].verdict.message, second=computes), "",
                           "raised:" + "/".join(key for key, _ in hits))
    return out


def student_lines(outcome):
    """The text of each line of the student's traceback (``Outcome.where``), without its spaces."""
    found = []
    for entry in outcome.where:
        match = evaluation.FRAME.match(entry)
        if match and match["rest"]:
            found.append("".join(match["rest"][2:].split()))
    return found


def checkable(new):
    """Whether an edit's new code can be looked for on a line: code with an operator, a call, an index or an
    attribute in it (a bare name or number stands on almost any line; a statement left out, on none)."""
    code = "".join(new.rstrip("…").split())
    return not code.isidentifier() and len(code) >= 3 and any(c in code for c in "()[].@*/+-<>=")


def on_line(new, lines):
    """Whether the code ``new`` (an edit's new text, ``checkable``; a quote cut short with "…" by its start) stands
    on one of ``lines`` (``student_lines``)."""
    code = "".join(new.rstrip("…").split())
    return checkable(new) and any(code in line for line in lines)


def _fixed(records, chosen, out):
    """A check of a value its function fixes (``generated.fixed``): the generated variants that give the student's
    very value, or raise the very same exception, on every failing case; said where their edits can be."""
    failed = [records[i] for i in chosen]
    if not all(r.outcome.ok for r in failed):
        return _raised_like_generated(records, chosen, generated.same, out)
    if len(failed) == 1 and relations.discrete(failed[0].outcome.value):
        return out
    hits = [(key, pairs) for key, pairs, outputs in _generated_outputs(failed)
            if all(_same_outcome(r.outcome, output, generated.same) for r, output in zip(failed, outputs))]
    said = generated.said([tuple(pair[:2]) for _, pairs in hits for pair in pairs]) \
        if hits and all(pairs for _, pairs in hits) else None
    if not said:
        return out
    edits = phrasing.edit_text(said)
    for i in chosen:
        computes = phrasing.MESSAGES["computes"].format(facts=phrasing.MESSAGES["gives_as"].format(edit=edits))
        out[i] = Explained(evaluation.say("join", first=records[i].verdict.message, second=computes), "",
                           "fixed:" + "/".join(key for key, _ in hits))
    return out


def _same_outcome(outcome, output, matches):
    if output is None:
        return False
    if not outcome.ok:
        raised = evaluation.what_raised(outcome)
        return raised is not None and isinstance(output, evaluation.Raised) and output.detail != "" and \
            evaluation.raised_alike(output, *raised)
    return not isinstance(output, evaluation.Raised) and matches(outcome.value, output)


def _generated_bases(failed):
    """The generated variants as bases; one whose edits cannot be said (``generated.said``) has no text: where it
    explains the value as well as another, neither is said."""
    bases = []
    for key, pairs, outputs in _generated_outputs(failed):
        if all(o is not None and not isinstance(o, evaluation.Raised) for o in outputs):
            said = generated.said(pairs)
            text = phrasing.MESSAGES["base.generated"].format(edit=phrasing.edit_text(said)) if said else None
            bases.append((f"generated:{key}", text, outputs, False, None))
    return bases


def _variant_bases(failed):
    """The catalogue's variants as bases, one per misconception key: the first whose outputs exist on every
    failing record."""
    bases, seen = [], set()
    for index, (key, message, _) in enumerate(failed[0].variants):
        if key in seen:
            continue
        outputs = [r.variants[index][2] if index < len(r.variants) else None for r in failed]
        if all(o is not None and not isinstance(o, evaluation.Raised) for o in outputs):
            seen.add(key)
            bases.append((f"variant:{key}", phrasing.MESSAGES["base.variant"], outputs, True, (key, message)))
    return bases
