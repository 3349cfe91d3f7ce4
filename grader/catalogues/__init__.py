"""One catalogue module per assignment. Each defines ``ASSIGNMENT``, a ``grader.core.spec.Assignment``.

Importing a catalogue module computes nothing: cases whose arguments come from reference code give them as a
function (``Case.inputs``). ``load`` checks the cases (``Assignment.check_cases``) the first time it returns one."""
import importlib
import pkgutil

from .. import text

MESSAGES = text.table("catalogues", {
    "unknown": "unknown assignment {name!r}; known: {known}",
    "none": "none",
})


class UnknownAssignment(LookupError):
    pass


def names():
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def load(name):
    if name not in names():
        raise UnknownAssignment(MESSAGES["unknown"].format(name=name, known=", ".join(names()) or MESSAGES["none"]))
    assignment = importlib.import_module(f"{__name__}.{name}").ASSIGNMENT
    if name not in _CHECKED:
        assignment.check_cases()
        _CHECKED.add(name)
    return assignment


_CHECKED = set()  # the assignments whose cases load has checked
