"""One catalogue module per assignment. Each defines ``ASSIGNMENT``, a ``grader.spec.Assignment``."""
import importlib
import pkgutil


class UnknownAssignment(LookupError):
    pass


def names():
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def load(name):
    if name not in names():
        raise UnknownAssignment(f"unknown assignment {name!r}; known: {', '.join(names()) or 'none'}")
    return importlib.import_module(f"{__name__}.{name}").ASSIGNMENT
