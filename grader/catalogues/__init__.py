"""One catalogue module per assignment. Each defines ``ASSIGNMENT``, a ``grader.core.spec.Assignment``."""
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
    return importlib.import_module(f"{__name__}.{name}").ASSIGNMENT
