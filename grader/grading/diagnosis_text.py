"""The words of a diagnosis (``grader.diagnosis``): what the student's code computes, as a student reads it.

Every sentence is built from the ``MESSAGES`` table below (English, and each other language's text in
``grader/text/``), from parts that each say one measured thing: which returned value (named as the reference's
docstring names it), which layout of which base value, times which factor (named by a quantity of the case where
the factor is one).
"""
import inspect
import re

from .. import text
from . import relations

MESSAGES = text.table("diagnosis_text", {
    "computes": "What your code computes: {facts}",
    "fact": "{leaf} is {relation}",
    "facts_join": "; ",
    "or": " or ",
    "your_value": "your value",
    "your_leaf": "your `{name}`",
    "scaled": "{layout} times {factor}",
    # what the value is, against a base value
    "layout.same": "{base}",
    "layout.transposed": "{base}, transposed",
    "layout.flattened": "{base}, flattened to one axis",
    "layout.column": "{base}, as one column",
    "layout.row": "{base}, as one row",
    "layout.squeezed": "{base}, without its axes of length 1",
    "layout.last_row": "the last row of {base} only",
    "layout.first_row": "the first row of {base} only",
    "layout.reversed": "{base}, in reverse order",
    "layout.all_last": "the last entry of {base}, repeated in every entry",
    "layout.all_first": "the first entry of {base}, repeated in every entry",
    "layout.without_first": "{base} without its first entry",
    "layout.without_last": "{base} without its last entry",
    "layout.shifted_back": "{base} shifted by one (entry i holds entry i + 1)",
    "layout.shifted_forward": "{base} shifted by one (entry i holds entry i - 1)",
    "layout.truncated": "{base}, cut to integers",
    "layout.rounded": "{base}, rounded to integers",
    "layout.float32": "{base}, in float32 precision",
    "layout.outer": "an (N, N) array whose diagonal holds {base}: an (N,) array met an (N, 1) one, and "
                    "broadcasting paired every entry with every other",
    "layout.extra_last": "{base} with one entry too many at the end",
    "layout.extra_first": "{base} with one entry too many at the start",
    "layout.ahead": "{base} one entry ahead (entry i holds entry i + 1)",
    "layout.behind": "{base} one entry behind (entry i holds entry i - 1)",
    "step": "the expected path up to row {before}, then a step into row {row} of {factor} times the expected step",
    "step_zero": "the expected path up to row {before}, then no step at all into row {row}: the update is lost",
    # the base values
    "base.expected": "the expected value",
    "base.substituted": "what the expected computation gives with {source} in place of {target}",
    "base.generated": "what the expected computation gives with {edit}",
    "base.variant": "what the likely cause above gives",
    "reordered": "your values come back in another order: ({got}) where ({expected}) belong",
    "raises_as": "it raises what the expected computation raises with {edit}, with the same message",
    "gives_as": "your value is what the expected computation gives with {edit}",
    "base.argument": "the `{name}` it was given, unchanged",
    # factors
    "factor": "{value} ({what})",
    "factor_number": "{value}",
    "q.rows": "the number of rows of `{name}`",
    "q.columns": "the number of columns of `{name}`",
    "q.dim": "a dimension of `{name}`",
    "q.argument": "`{name}`",
    "f.quantity": "{what}",
    "f.inverse": "one over {what}",
    "f.twice": "twice {what}",
    "f.half": "half {what}",
    "f.two_over": "2 over {what}",
    "f.negative": "minus {what}",
    "causes_join": "; or: ",
    "edit.replace": "`{new}` where `{old}` belongs",
    "edit.several": "`{old}` written otherwise (as `{new}`, or in another of several ways)",
    "edit.remove": "the statement `{old}` left out",
})


RETURNS = re.compile(r"^\s*Returns(?: a tuple of)?:\s*$")
RETURN_ITEM = re.compile(r"^\s*- (\w+):")


def return_names(function):
    """The names the reference's docstring gives its returned values, in order: ['dW', 'db'], or ['grad']."""
    doc = inspect.getdoc(function) or ""
    names, inside = [], False
    for line in doc.splitlines():
        if RETURNS.match(line):
            inside = True
            continue
        if inside:
            match = RETURN_ITEM.match(line)
            if match and not line.startswith("  -"):
                names.append(match[1])
            elif line.strip() and not line.startswith(" "):
                break
    return names


def leaf_name(path, names):
    if not path:
        return MESSAGES["your_leaf"].format(name=names[0]) if len(names) == 1 else MESSAGES["your_value"]
    if len(names) > 1 and type(path[0]) is int and path[0] < len(names):
        head, rest = names[path[0]], path[1:]
    else:
        head, rest = (names[0] if len(names) == 1 else ""), path
    label = head + "".join(f"[{step!r}]" for step in rest)
    return MESSAGES["your_leaf"].format(name=label) if label else MESSAGES["your_value"]


def _number(value):
    return f"{value:.4g}" if abs(value - round(value)) > 1e-9 else f"{int(round(value))}"


def factor_text(ids, value, table):
    whats = []
    for key in sorted(ids)[:relations.MAX_SAID]:
        parts = table[key][1]
        negative = parts[0] == "negative"
        parts = parts[1:] if negative else parts
        if parts[0] == "number":
            if negative or len(ids) == 1:
                return MESSAGES["factor_number"].format(value=("-" if negative else "") + parts[1])
            continue
        kind, qkind, name = parts
        what = MESSAGES[f"q.{qkind}"].format(name=name)
        what = MESSAGES[f"f.{kind}"].format(what=what)
        if negative:
            what = MESSAGES["f.negative"].format(what=what)
        whats.append(what)
    if not whats:
        return MESSAGES["factor_number"].format(value=_number(value))
    return MESSAGES["factor"].format(value=_number(value), what=MESSAGES["or"].join(whats))


def relation_text(signature, detail, base_text, table):
    layout, scale = signature
    if layout == "step":
        row = detail["row"]
        if abs(detail["value"]) < 1e-12:
            return MESSAGES["step_zero"].format(before=row - 1, row=row)
        return MESSAGES["step"].format(before=row - 1, row=row, factor=factor_text(detail["ids"], detail["value"],
                                                                                   table))
    layout_text = MESSAGES[f"layout.{layout}"].format(base=base_text)
    if scale is None:
        return layout_text
    if scale == ("factor",):
        factor = factor_text(detail["ids"], detail["value"], table)
    else:
        factor = MESSAGES["factor_number"].format(value=_number(scale[1]))
    return MESSAGES["scaled"].format(layout=layout_text, factor=factor)


def edit_text(pairs):
    """The words for a generated variant's edits [(old, new)]: two edits with the same outputs are both said; an
    edit marked (old, new, "several") stands for several ways of changing the same code."""
    said = []
    for pair in pairs:
        old, new = pair[0], pair[1]
        key = "edit.several" if len(pair) > 2 else "edit.replace" if new else "edit.remove"
        said.append(MESSAGES[key].format(old=old, new=new))
    return MESSAGES["or"].join(said)
