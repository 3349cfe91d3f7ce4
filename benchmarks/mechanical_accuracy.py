"""How well the grader reads bugs nobody listed: the mechanical mutants of benchmarks/mechanical/, graded.

Every mechanical mutant (one or two AST edits of the solutions, equivalent ones left out) is graded as a real
submission by the kit's engine, and its public self-check is run as a student runs it, as benchmarks/accuracy.py
does for the hand-written registry. Per assignment and half (dev, the development half; val, the validation half):

- caught: below full marks;
- named: every edited function whose checks fail carries a diagnosis on a failing case (a "Likely cause", or a
  "What your code computes" line); where no edited function fails, any failing case;
- wrong hints: diagnosed mutants where a diagnosis does not reproduce the mutant's output: the named variant,
  re-run on the case (benchmarks/mechanical/replay.py), computes something else. Diagnoses that the replay cannot
  check (not a catalogue variant) are counted as unchecked, and every (edit, hint) pair is written to the file of
  ``--hints`` for a person to judge;
- blind spots: points are lost, yet the public self-check passes every case;
- raise or hang: mutants that raise on every random input, or run out of time (the probe's verdict), which are
  kept as bugs and shown apart.

    .venv/bin/python benchmarks/mechanical_accuracy.py [--half dev|val|both] [--only a2_forward] [--jobs 2]
        [--sample N] [--details] [--hints FILE] [--results FILE] [--list]

The table is recorded, with this command, in docs/accuracy.md.
"""
import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import accuracy  # noqa: E402
import mechanical  # noqa: E402
from grader import catalogues  # noqa: E402
from mechanical import replay  # noqa: E402

#: The words that open a diagnosis in a case's message (English): a named misconception, or a measured relation.
DIAGNOSIS_MARKERS = ("Likely cause: ", "What your code computes: ")
HALVES = ("dev", "val")


@dataclass
class Failure:
    function: str
    part: str
    check_index: int
    case_index: int
    public: bool
    message: str
    misconception: str

    @property
    def diagnoses(self):
        """The diagnosis sentences of the message, each from its marker on."""
        found = []
        for marker in DIAGNOSIS_MARKERS:
            at = self.message.find(marker)
            if at >= 0:
                rest = self.message[at:]
                ends = [rest.find(other, len(marker)) for other in DIAGNOSIS_MARKERS if other != marker]
                ends = [end for end in ends if end > 0]
                found.append(rest[:min(ends)] if ends else rest)
        return found


@dataclass
class Graded:
    """What the grader and the self-check made of one mechanical mutant."""
    assignment: str
    key: str
    label: str
    half: str
    shape: str
    functions: tuple
    status: str
    score: float
    max_score: float
    failures: list = field(default_factory=list)
    self_check_failures: int = 0
    hints: list = field(default_factory=list)  # (function, diagnosis, replay verdict)
    seconds: float = 0.0  # the whole grading, and the grader's own time on diagnoses within it
    diagnosis_seconds: float = 0.0

    @property
    def caught(self):
        return self.score < self.max_score

    @property
    def relevant(self):
        """{edited function: its failures} where it has some, else {"": every failure}."""
        mine = {f: [x for x in self.failures if x.function == f] for f in self.functions}
        mine = {f: found for f, found in mine.items() if found}
        return mine or {"": list(self.failures)}

    @property
    def named(self):
        return self.caught and all(any(x.diagnoses for x in found) for found in self.relevant.values())

    @property
    def wrong(self):
        return any(verdict == replay.FAILS for _, _, verdict in self.hints)

    @property
    def unchecked(self):
        return any(verdict == replay.UNCHECKED for _, _, verdict in self.hints)

    @property
    def blind_spot(self):
        return self.caught and self.self_check_failures == 0


def _failures(spec, report):
    found = []
    for graded, part in zip(report.parts, spec.parts):
        positions = [(check_index, case_index) for check_index, check in enumerate(part.checks)
                     for case_index in range(len(check.cases))]
        for case, (check_index, case_index) in zip(graded.cases, positions):
            if not case.passed:
                found.append(Failure(case.function, graded.key, check_index, case_index, case.public, case.message,
                                     case.misconception))
    return found


def grade_one(entry):
    """Grade one mechanical mutant (an Entry) and check its diagnoses; a Graded."""
    mutant = entry.mutant
    spec = catalogues.load(mutant.assignment)
    with tempfile.TemporaryDirectory(prefix="nnkit-mechanical-") as work:
        folder = mechanical.make_submission(Path(work) / mutant.assignment, mutant)
        report, checks = accuracy.grade_and_self_check(mutant.assignment, folder)
    result = Graded(mutant.assignment, mutant.key, mutant.label, mutant.half, mutant.shape, mutant.functions,
                    entry.status, report.score, report.max_score, _failures(spec, report),
                    sum(not passed for _, passed, _ in checks), seconds=report.seconds,
                    diagnosis_seconds=report.diagnosis_seconds)
    diagnosed = [x for found in result.relevant.values() for x in found if x.diagnoses]
    keyed = [x for x in diagnosed if x.misconception]
    verdicts = dict(zip([id(x) for x in keyed], replay.replay(
        mutant, [(x.part, x.check_index, x.case_index, x.misconception) for x in keyed])))
    for x in diagnosed:
        verdict = verdicts.get(id(x), replay.UNCHECKED)
        for text in x.diagnoses:
            if (x.function, text, verdict) not in result.hints:
                result.hints.append((x.function, text, verdict))
    return result


def _sampled(entries, sample):
    """At most ``sample`` entries per assignment and half, chosen by the sha256 of their keys."""
    if not sample:
        return entries
    groups = {}
    for entry in sorted(entries, key=lambda e: hashlib.sha256(f"sample: {e.mutant.key}".encode("utf-8")).digest()):
        groups.setdefault((entry.mutant.assignment, entry.mutant.half), []).append(entry)
    chosen = {id(e) for group in groups.values() for e in group[:sample]}
    return [e for e in entries if id(e) in chosen]


def corpus(assignments, halves, jobs, sample=0):
    """The kept Entries of the corpus for ``assignments`` and ``halves``, and all Entries built."""
    built = mechanical.build(jobs, assignments)
    kept = [e for e in built if e.kept and e.mutant.half in halves]
    return _sampled(kept, sample), built


def run(entries, jobs, progress=None, record=None):
    """[Graded], in the order of ``entries``; ``progress(line)`` hears every 50, ``record(graded)`` each one."""
    results = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for graded in pool.map(grade_one, entries, chunksize=2):
            results.append(graded)
            if record:
                record(graded)
            if progress and len(results) % 50 == 0:
                progress(f"{len(results)} of {len(entries)} graded")
    return results


def as_json(graded):
    """One graded mutant as a JSON line: what it is, what the grader made of it, and its hints."""
    first = next(iter(graded.relevant.values()))
    return json.dumps({"half": graded.half, "assignment": graded.assignment, "label": graded.label,
                       "shape": graded.shape, "status": graded.status, "score": graded.score,
                       "max_score": graded.max_score, "caught": graded.caught, "named": graded.named,
                       "wrong": graded.wrong, "blind_spot": graded.blind_spot,
                       "first_failure": first[0].message if first else "", "seconds": round(graded.seconds, 3),
                       "diagnosis_seconds": round(graded.diagnosis_seconds, 4),
                       "hints": [list(hint) for hint in graded.hints]}, ensure_ascii=False)


def _row(label, half, items):
    caught = [g for g in items if g.caught]
    named = [g for g in caught if g.named]
    wrong = [g for g in caught if g.wrong]
    unchecked = [g for g in caught if g.unchecked]
    raising = [g for g in items if g.status in (mechanical.CRASHES, mechanical.HANGS)]
    share = f" ({100 * len(named) / len(caught):.0f} %)" if caught else ""
    return (f"| {label} | {half} | {len(items)} | {len(caught)} | {len(named)}{share} | {len(wrong)} | "
            f"{len(unchecked)} | {sum(g.blind_spot for g in items)} | {len(raising)} ({sum(g.caught for g in raising)}"
            f" caught) |")


def table(results, halves):
    lines = ["| assignment | half | mutants | caught | named | wrong hints | unchecked hints | self-check blind spots "
             "| raise or hang |", "|---|---|---|---|---|---|---|---|---|"]
    assignments = list(dict.fromkeys(g.assignment for g in results))
    for assignment in assignments:
        for half in halves:
            lines.append(_row(f"`{assignment}`", half, [g for g in results
                                                        if g.assignment == assignment and g.half == half]))
    for half in halves:
        if len(assignments) > 1:
            lines.append(_row("all", half, [g for g in results if g.half == half]))
        for shape in ("one edit", "two edits in one function", "two edits in two functions"):
            lines.append(_row(f"all, {shape}", half, [g for g in results if g.half == half and g.shape == shape]))
    return "\n".join(lines)


def speed(results):
    """The grader's own time on diagnoses per submission, against the whole grading, per assignment."""
    lines = ["| assignment | submissions | grading, median / max s | diagnosis, median / max s |", "|---|---|---|---|"]
    for assignment in dict.fromkeys(g.assignment for g in results):
        mine = [g for g in results if g.assignment == assignment]
        grading = sorted(g.seconds for g in mine)
        diagnosis = sorted(g.diagnosis_seconds for g in mine)
        lines.append(f"| `{assignment}` | {len(mine)} | {grading[len(grading) // 2]:.2f} / {grading[-1]:.2f} | "
                     f"{diagnosis[len(diagnosis) // 2]:.3f} / {diagnosis[-1]:.3f} |")
    return "\n".join(lines)


def details(results):
    """One line per mutant that falls short, saying how."""
    lines = []
    for g in results:
        problems = []
        if not g.caught:
            problems.append("not caught")
        elif not g.named:
            first = next(iter(g.relevant.values()))
            problems.append("not named: " + (first[0].message if first else ""))
        if g.wrong:
            problems.append("wrong hint: " + "; ".join(text for _, text, v in g.hints if v == replay.FAILS))
        if g.blind_spot:
            problems.append("self-check blind spot")
        if problems:
            lines.append(f"- [{g.half}] {g.assignment} / {g.label}: " + "; ".join(problems))
    return "\n".join(lines) or "(none)"


def _cell(text):
    return " ".join(str(text).split()).replace("\t", " ")


def write_hints(results, path):
    """Every (edit label, hint) pair, as tab-separated lines, for a person to judge the hint against the edit."""
    rows = ["half\tassignment\tedit\tfunction\treplay\thint"]
    for g in results:
        for function, text, verdict in g.hints:
            rows.append("\t".join(_cell(v) for v in (g.half, g.assignment, g.label, function, verdict, text)))
    Path(path).write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=mechanical.ASSIGNMENTS, help="one assignment (repeatable)")
    parser.add_argument("--half", choices=("dev", "val", "both"), default="both")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=0, help="at most N mutants per assignment and half")
    parser.add_argument("--details", action="store_true", help="list every mutant that falls short")
    parser.add_argument("--hints", default="mechanical_hints.tsv", help="where to write the (edit, hint) table")
    parser.add_argument("--list", action="store_true", help="print the corpus (half, verdict, edit) and stop")
    parser.add_argument("--results", help="append each graded mutant to this file as a JSON line, as it is graded")
    args = parser.parse_args(argv)
    started = time.monotonic()
    halves = HALVES if args.half == "both" else (args.half,)
    entries, built = corpus(args.only or list(mechanical.ASSIGNMENTS), halves, args.jobs, args.sample)
    if args.list:
        for entry in built:
            print(f"{entry.mutant.half}\t{entry.status}\t{entry.mutant.assignment}\t{entry.mutant.label}")
        return 0
    left_out = sum(e.status == mechanical.EQUIVALENT for e in built if e.mutant.half in halves)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(args.results, "a", encoding="utf-8")) if args.results else None

        def record(graded):
            out.write(as_json(graded) + "\n")
            out.flush()

        results = run(entries, args.jobs, lambda line: print(f"{line} ({time.monotonic() - started:.0f} s)",
                                                              file=sys.stderr, flush=True), record if out else None)
    print(table(results, halves))
    print(f"\n{len(results)} mutants graded ({left_out} equivalent ones left out) in "
          f"{time.monotonic() - started:.0f} s with --jobs {args.jobs}; hints in {args.hints}")
    print(speed(results))
    write_hints(results, args.hints)
    if args.details:
        print()
        print(details(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
