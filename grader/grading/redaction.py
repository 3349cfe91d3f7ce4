"""What a hidden case's feedback keeps of the places the student's process reported: only what the grader checks.

A hidden case's inputs reach the student's code, which can write them into anything it sends back: an exception's
message, a warning, the name of a class, a traceback entry (a code object's name and line number, and the line's
text, which ``linecache`` takes from wherever the process says), the exit code. Feedback that quoted these would
hand the inputs to the next submission. ``evaluation.judge`` leaves out, for a hidden case, every text it cannot
check (messages, exit codes, returned values, names of the student's own classes); this module rebuilds the rest
from what the grader itself holds:

- a traceback entry is kept only where it names a staged module and a line that module has; its text is that line
  of the file the grader staged, and its function a name the file defines (``def name(``), or Python's own
  ``<module>``, ``<lambda>``, ``<listcomp>``...; else ``?``;
- an argument changed in place is named by a parameter of the reference function, and its path inside that
  argument only as far as the case's own argument has such items.

What is left is a choice among the grader's own values (which line, which item): a few bits per hidden case.
"""
import dataclasses
import inspect
import re

from ..shipped.evaluation import FRAME
from ..sandbox.runner import MAX_LINE

#: The names Python gives code that is not a def
ANONYMOUS = ("<module>", "<lambda>", "<listcomp>", "<genexpr>", "<dictcomp>", "<setcomp>")
STEP = re.compile(r"\[(?:(\d+)|'([^'\]]*)')\]")


def hidden(outcome, sources, function, args, kwargs):
    """``outcome`` as a hidden case may show it. ``sources`` maps each staged file's name to its bytes;
    ``function`` is the reference function called (its parameters name the arguments), ``args`` and ``kwargs`` the
    case's own arguments."""
    return dataclasses.replace(outcome, where=[entry for entry in (_place(entry, sources) for entry in outcome.where)
                                               if entry],
                               changed=[path for path in (_path(path, function, args, kwargs)
                                                          for path in outcome.changed) if path])


def _place(entry, sources):
    """``file.py:12 in name: text`` rebuilt from the staged file, or None where the entry names no line of one."""
    match = FRAME.match(entry)
    if not match or match["file"] not in sources:
        return None
    source = sources[match["file"]]
    lines = source.decode("utf-8", errors="replace").splitlines()
    line = int(match["line"]) if len(match["line"]) < 10 else 0
    if not 1 <= line <= len(lines):
        return None
    name = match["function"]
    defined = rb"\bdef\s+" + re.escape(name.encode("utf-8", "surrogatepass")) + rb"\s*\("
    if name not in ANONYMOUS and not re.search(defined, source):
        name = "?"
    text = lines[line - 1].strip()[:MAX_LINE]
    return f"{match['file']}:{line} in {name}: {text}" if text else f"{match['file']}:{line} in {name}"


def _arguments(function, args, kwargs):
    """{label: value} of the case's arguments as the worker's mutation check names them."""
    labels = {f"args[{i}]": value for i, value in enumerate(args)}
    labels.update(kwargs)
    try:
        signature = inspect.signature(function)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return labels
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            labels.update({f"{name}[{i}]": item for i, item in enumerate(value)})
        elif kind is inspect.Parameter.VAR_KEYWORD:
            labels.update(value)
        else:
            labels[name] = value
    return labels


def _path(path, function, args, kwargs):
    """The longest start of ``path`` (``params[0][1]``, ``cache['A'][2]``) that names an argument of the case and
    items it has, or None."""
    labels = _arguments(function, args, kwargs)
    label = next((label for label in sorted(labels, key=len, reverse=True) if path.startswith(label)), None)
    if label is None:
        return None
    kept, value, rest = label, labels[label], path[len(label):]
    if rest and not rest.startswith("["):
        return None
    for step in STEP.finditer(rest):
        if step.start() != len(kept) - len(label):
            break
        index, key = step.group(1), step.group(2)
        try:
            value = value[int(index)] if index is not None and len(index) < 10 else value[key]
        except (KeyError, IndexError, TypeError, ValueError):
            break
        kept += step.group(0)
    return kept
