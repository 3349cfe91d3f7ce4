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
import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import catalogues, evaluation, generated, paths, references, text
from .sandbox import wire

VARIABLE = "NNKIT_REFERENCE_CACHE"
FORMAT = 3
# The grader modules whose code decides reference values, beside the catalogue itself.
CORE_SOURCES = ("spec.py", "inputs.py", "references.py", "reference_cache.py", "evaluation.py", "sandbox/wire.py",
                "catalogues/_sigmoid_bugs.py", "generated.py")

MESSAGES = text.table("reference_cache", {
    "built": "{assignment}: reference outputs of {cases} cases cached in {path}",
    "unwritable": "nnkit: the reference cache {path} cannot be written ({detail}); computing the references in "
                  "this process only (set NNKIT_REFERENCE_CACHE to a writable folder)",
})


def folder():
    """The cache folder: $NNKIT_REFERENCE_CACHE, else the user's cache directory."""
    if os.environ.get(VARIABLE):
        return Path(os.environ[VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnkit" / "references"


def key(assignment):
    """The content hash that names this assignment's cache file."""
    grader = Path(__file__).resolve().parent
    files = [grader / "catalogues" / f"{assignment.name}.py"] + [grader / name for name in CORE_SOURCES]
    for origin in sorted({assignment.name, *assignment.provided.values()}):
        files += sorted((paths.SOLUTIONS / origin).glob("*.py"))
    files += [paths.DATA / name for name in assignment.data]
    sha = hashlib.sha256(f"format {FORMAT}; numpy {np.__version__}".encode())
    for path in files:
        label = str(path.relative_to(paths.ROOT) if paths.ROOT in path.parents else path.name).encode()
        data = path.read_bytes() if path.is_file() else b"<missing>"
        for piece in (label, data):
            sha.update(len(piece).to_bytes(8, "big"))
            sha.update(piece)
    return sha.hexdigest()[:32]


def _case_id(part_key, check_index, case_index):
    return f"{part_key}/{check_index}/{case_index}"


def compute(assignment):
    """Every case's reference outputs, as {case id: {"expected": wire, "variants": [wire, ...], "generated":
    [wire or None, ...] (each already encoded)}}, and for each check that compares values, {"edits:<part>/<check>": [[key, [[old, new],
    ...]], ...]}: the variants generated from the reference's source (``grader.generated``), in the order of each
    of its cases' "generated" list."""
    cases, expected = {}, {}
    for part in assignment.parts:
        for check_index, check in enumerate(part.checks):
            for case_index, case in enumerate(check.cases):
                variants = references.variant_outputs(assignment, check, case)
                case_id = _case_id(part.key, check_index, case_index)
                expected[case_id] = references.expected(assignment, check, case)
                cases[case_id] = {"expected": wire.encode(expected[case_id]),
                                  "variants": [evaluation.encode_variant(output) for _, _, output in variants]}
    edits, outputs = generated.outputs(assignment, references.modules(assignment), expected, _passes)
    for (part_key, check_index), listed in edits.items():
        cases[f"edits:{part_key}/{check_index}"] = listed
    for case_id, values in outputs.items():
        cases[case_id]["generated"] = values
    return cases


def _passes(output, expected, check):
    """Whether ``output`` passes ``check`` where ``expected`` is expected (a generated variant that gives it is no
    different there)."""
    options = check.options or {}
    try:
        if check.kind == "gradient":
            return evaluation.gradient_mismatch(output, expected, options.get("limit", evaluation.GRADIENT_RTOL)) is None
        return evaluation.mismatch(output, expected, options.get("rtol", evaluation.RTOL),
                                   options.get("atol", evaluation.ATOL)) is None
    except Exception:
        return False


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

    def generated(self, part_key, check_index, case_index):
        """[(key, [(old, new), ...], output or None)] of the variants generated from the reference's source on one
        case (``grader.generated``), decoded when first asked for."""
        cases = self.load()._cases
        edits = cases.get(f"edits:{part_key}/{check_index}") or []
        stored = cases[_case_id(part_key, check_index, case_index)].get("generated") or []
        return [(key, [tuple(pair) for pair in pairs], None if output is None else evaluation.decode_variant(output))
                for (key, pairs), output in zip(edits, stored)]


@lru_cache(maxsize=None)
def for_assignment(name):
    """The process-wide References of an assignment, so a grading process reads each cache file at most once."""
    return References(catalogues.load(name))


def main(names):
    """``python -m grader references [NAME ...]``: build (or check) the cache of each assignment."""
    for name in names or catalogues.names():
        assignment = catalogues.load(name)
        cases = load_or_build(assignment)
        print(MESSAGES["built"].format(assignment=name, cases=sum(not key.startswith("edits:") for key in cases), path=_path(assignment, key(assignment))),
              file=sys.stderr)
    return 0
