"""Reference outputs computed once, and kept in a cache private to the grader.

Every case's expected value and misconception outputs come from running the reference solutions, and some of them
are whole training runs. They are computed once per version of the kit and stored in one file per assignment:

    $NNKIT_REFERENCE_CACHE/<assignment>-<key>.json     (default: $XDG_CACHE_HOME/nnkit/references, or ~/.cache/...)

The key is a content hash of everything that decides the values: the assignment's catalogue, the grader modules
that build cases and call references, the solutions (the assignment's and those its provided modules come from),
the data files, and numpy's version. A file under another key is stale and is removed when the new one is written.

The folder is made with mode 0700 and each file with 0600, in the grading user's cache, never in a course folder,
a release, a feedback folder or a Gradescope submission. The student's process cannot read it: the sandbox lets it
read only its own staged folder, the standard library and numpy.

Values are stored with the sandbox's plain-data codec (JSON and raw array bytes; nothing is unpickled). A file that
cannot be read back is treated as missing and rebuilt. Nothing is computed until a case needs it, so grading
a submission whose every call fails does no reference work at all.
"""
import fcntl
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import catalogues, text
from ..shipped import evaluation
from ..core import fingerprint, paths, references
from ..shipped import wire

VARIABLE = paths.REFERENCE_CACHE_VARIABLE
FORMAT = 2

MESSAGES = text.table("reference_cache", {
    "built": "{assignment}: reference outputs of {cases} cases cached in {path}",
    "unwritable": "nnkit: the reference cache {path} cannot be written ({detail}); computing the references in "
                  "this process only (set NNKIT_REFERENCE_CACHE to a writable folder)",
})


def folder():
    """The cache folder: $NNKIT_REFERENCE_CACHE, else the user's cache directory."""
    return paths.reference_cache_folder()


def key(assignment):
    """The content hash that names this assignment's cache file: the files fingerprint.reference_sources lists,
    the cache's format and numpy's version."""
    items = [("format", f"format {FORMAT}; numpy {np.__version__}".encode())]
    items += fingerprint.file_items(fingerprint.reference_sources(assignment, catalogues.names()))
    return fingerprint.digest(items)[:32]


def _case_id(part_key, check_index, case_index):
    return f"{part_key}/{check_index}/{case_index}"


def compute(assignment):
    """Every case's reference outputs, as {case id: {"expected": wire, "variants": [wire, ...]}}."""
    cases = {}
    for part in assignment.parts:
        for check_index, check in enumerate(part.checks):
            for case_index, case in enumerate(check.cases):
                variants = references.variant_outputs(assignment, check, case)
                cases[_case_id(part.key, check_index, case_index)] = {
                    "expected": wire.encode(references.expected(assignment, check, case)),
                    "variants": [evaluation.encode_variant(output) for _, _, output in variants]}
    return cases


def _path(assignment, digest):
    return folder() / f"{assignment.name}-{digest}.json"


def _read(path, digest):
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if type(document) is not dict or document.get("key") != digest or type(document.get("cases")) is not dict:
        return None
    return document["cases"]


def _write(assignment, digest, cases):
    """Write the cache file atomically, readable by this user only, and remove the assignment's stale ones."""
    target = _path(assignment, digest)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{assignment.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"key": digest, "assignment": assignment.name, "numpy": np.__version__, "cases": cases}, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in target.parent.glob(f"{assignment.name}-*.json"):
        if stale != target:
            stale.unlink(missing_ok=True)


def load_or_build(assignment):
    """The cached cases of ``assignment``, computing and storing them first if the cache is missing or stale.
    Concurrent graders wait for one another on a lock file instead of computing the same values twice."""
    digest = key(assignment)
    path = _path(assignment, digest)
    cases = _read(path, digest)
    if cases is not None:
        return cases
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path.parent / f".{assignment.name}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cases = _read(path, digest)  # another process may have built it while this one waited
            if cases is None:
                cases = compute(assignment)
                _write(assignment, digest, cases)
    except OSError as exc:  # a read-only or full disk costs speed, never a grade
        print(MESSAGES["unwritable"].format(path=path.parent, detail=exc), file=sys.stderr)
        cases = cases if cases is not None else compute(assignment)
    return cases


class References:
    """One assignment's reference outputs, read from the cache the first time a case asks for them."""

    def __init__(self, assignment):
        self.assignment = assignment
        self._cases = None
        self._decoded = {}

    def load(self):
        """Read the cache file now (building it if needed), rather than when the first case asks."""
        if self._cases is None:
            self._cases = load_or_build(self.assignment)
        return self

    def outputs(self, part_key, check_index, case_index):
        """(expected value, [(misconception key, message, output or None), ...]) of one case."""
        case_id = _case_id(part_key, check_index, case_index)
        if case_id not in self._decoded:
            stored = self.load()._cases[case_id]
            check = self.assignment.part(part_key).checks[check_index]
            variants = [(m.key, m.message, evaluation.decode_variant(output))
                        for m, output in zip(check.misconceptions, stored["variants"])]
            self._decoded[case_id] = (wire.decode(stored["expected"]), variants)
        return self._decoded[case_id]


@lru_cache(maxsize=None)
def for_assignment(name):
    """The process-wide References of an assignment, so a grading process reads each cache file at most once."""
    return References(catalogues.load(name))


def main(names):
    """``python -m grader references [NAME ...]``: build (or check) the cache of each assignment."""
    for name in names or catalogues.names():
        assignment = catalogues.load(name)
        cases = load_or_build(assignment)
        print(MESSAGES["built"].format(assignment=name, cases=len(cases), path=_path(assignment, key(assignment))),
              file=sys.stderr)
    return 0
