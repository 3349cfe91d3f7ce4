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

Values are stored with the sandbox's plain-data codec (JSON and raw array bytes; nothing is unpickled). Nothing is
computed until a case needs it, so grading a submission whose every call fails does no reference work at all.

Each file carries a digest of its cases (sha256 of their canonical JSON), checked when it is read, and the cases
themselves are checked against the catalogue: one entry for every case, with one output for every misconception of
its check. A file that fails either check (a value edited by hand, a case missing, a file cut short) is never used:
it is reported in one line on standard error and computed again. A stored value that still cannot be decoded is
computed again for that case alone. So a damaged cache costs time, never a grade.
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

from .. import catalogues, text
from ..shipped import evaluation
from ..core import fingerprint, generated, paths, references
from ..shipped import wire

VARIABLE = paths.REFERENCE_CACHE_VARIABLE
FORMAT = 3  # 3: the content digest

MESSAGES = text.table("reference_cache", {
    "built": "{assignment}: reference outputs of {cases} cases cached in {path}",
    "unwritable": "nnkit: the reference cache {path} cannot be written ({detail}); computing the references in "
                  "this process only (set NNKIT_REFERENCE_CACHE to a writable folder)",
    "damaged": "nnkit: the reference cache {path} failed its check ({detail}); computing the references again",
    "unreadable": "it cannot be read as JSON: {detail}",
    "other_key": "it is not the cache of this version of the kit",
    "digest": "its cases do not match its digest: it was changed after it was written",
    "cases": "its cases are not the catalogue's: {missing} missing, {extra} unknown, {malformed} malformed",
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


def _layout(assignment):
    """{case id: the number of misconception outputs it stores}, for every case of the catalogue."""
    return {_case_id(part.key, check_index, case_index): len(check.misconceptions)
            for part in assignment.parts for check_index, check in enumerate(part.checks)
            for case_index in range(len(check.cases))}


def compute_case(assignment, part_key, check_index, case_index):
    """One case's reference outputs: {"expected": wire, "variants": [wire, ...]}."""
    check = assignment.part(part_key).checks[check_index]
    case = check.cases[case_index]
    variants = references.variant_outputs(assignment, check, case)
    return {"expected": wire.encode(references.expected(assignment, check, case)),
            "variants": [evaluation.encode_variant(output) for _, _, output in variants]}


def compute(assignment):
    """Every case's reference outputs, as {case id: {"expected": wire, "variants": [wire, ...], "generated":
    [wire or None, ...]}}, and for each check that compares values, {"edits:<part>/<check>": [[key, [[old, new],
    ...]], ...]}: the variants generated from the reference's source (``core.generated``), in the order of each of
    its cases' "generated" list."""
    cases = {_case_id(part.key, check_index, case_index): compute_case(assignment, part.key, check_index, case_index)
             for part in assignment.parts for check_index, check in enumerate(part.checks)
             for case_index in range(len(check.cases))}
    expected = {case_id: wire.decode(case["expected"]) for case_id, case in cases.items()}
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


def content_digest(cases):
    """sha256 of the cases' canonical JSON (keys sorted, no spaces): what a cache file's ``digest`` must be."""
    return hashlib.sha256(json.dumps(cases, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _path(assignment, digest):
    return folder() / f"{assignment.name}-{digest}.json"


def check_cases(assignment, cases):
    """Why ``cases`` are not a whole cache of ``assignment`` (``MESSAGES["cases"]``), or '' when every case of the
    catalogue is there, with an expected value and one output per misconception, and nothing else is."""
    layout = _layout(assignment)
    missing = [case_id for case_id in layout if case_id not in cases]
    extra = [case_id for case_id in cases if case_id not in layout and not (
        case_id.startswith("edits:") and type(cases[case_id]) is list)]
    malformed = [case_id for case_id, count in layout.items() if case_id in cases and not (
        type(cases[case_id]) is dict and "expected" in cases[case_id]
        and type(cases[case_id].get("variants")) is list and len(cases[case_id]["variants"]) == count)]
    if missing or extra or malformed:
        return MESSAGES["cases"].format(missing=len(missing), extra=len(extra), malformed=len(malformed))
    return ""


def _read(path, digest, assignment):
    """(the cases of the cache file at ``path``, or None; why it cannot be used, or '' when it is simply not
    there). A file is used only if it is this key's, its cases match its digest, and they are the catalogue's."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, ""
    except (OSError, ValueError) as exc:
        return None, MESSAGES["unreadable"].format(detail=str(exc)[:200])
    if type(document) is not dict or document.get("key") != digest:
        return None, MESSAGES["other_key"]
    cases = document.get("cases")
    if type(cases) is not dict or document.get("digest") != content_digest(cases):
        return None, MESSAGES["digest"]
    problem = check_cases(assignment, cases)
    return (None, problem) if problem else (cases, "")


def _write(assignment, digest, cases):
    """Write the cache file atomically, readable by this user only, and remove the assignment's stale ones."""
    target = _path(assignment, digest)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{assignment.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"key": digest, "assignment": assignment.name, "numpy": np.__version__,
                       "digest": content_digest(cases), "cases": cases}, out)
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in target.parent.glob(f"{assignment.name}-*.json"):
        if stale != target:
            stale.unlink(missing_ok=True)


def load_or_build(assignment):
    """The cached cases of ``assignment``, computing and storing them first if the cache is missing, stale or
    fails its checks (``_read``; said in one line on standard error). Concurrent graders wait for one another on a
    lock file instead of computing the same values twice."""
    digest = key(assignment)
    path = _path(assignment, digest)
    cases, _ = _read(path, digest, assignment)
    if cases is not None:
        return cases
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path.parent / f".{assignment.name}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cases, problem = _read(path, digest, assignment)  # another process may have built it meanwhile
            if cases is None:
                if problem:
                    print(MESSAGES["damaged"].format(path=path, detail=problem), file=sys.stderr)
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
        """(expected value, [(misconception key, message, output or None), ...]) of one case. A stored case that
        cannot be decoded (the file passed its checks, so it was written so) is computed again here."""
        case_id = _case_id(part_key, check_index, case_index)
        if case_id not in self._decoded:
            check = self.assignment.part(part_key).checks[check_index]
            stored = self.load()._cases[case_id]  # every case is there: the file passed check_cases
            try:
                self._decoded[case_id] = self._decode(check, stored)
            except Exception:  # bad base64, a shape that does not fit its bytes, an unknown marker
                self._decoded[case_id] = self._decode(check, compute_case(self.assignment, part_key, check_index,
                                                                          case_index))
        return self._decoded[case_id]

    def generated(self, part_key, check_index, case_index):
        """[(key, [(old, new), ...], output or None)] of the variants generated from the reference's source on one
        case (``core.generated``), decoded when first asked for; [] where the stored ones cannot be read."""
        cases = self.load()._cases
        edits = cases.get(f"edits:{part_key}/{check_index}") or []
        stored = cases[_case_id(part_key, check_index, case_index)].get("generated") or []
        try:
            return [(key, [tuple(pair) for pair in pairs], None if output is None
                     else evaluation.decode_variant(output)) for (key, pairs), output in zip(edits, stored)]
        except Exception:  # a diagnosis is extra: unreadable variants give none
            return []

    @staticmethod
    def _decode(check, stored):
        variants = [(m.key, m.message, evaluation.decode_variant(output))
                    for m, output in zip(check.misconceptions, stored["variants"], strict=True)]
        return wire.decode(stored["expected"]), variants


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
