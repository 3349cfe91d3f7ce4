"""What making every string of an answer valid text costs the grader (``wire.load_answer``; docs/security.md).

    .venv/bin/python benchmarks/valid_text.py

Prints one line per answer; asserts nothing. Each line compares ``load_answer`` (the size check, strict UTF-8, the
parse, and the walk that replaces surrogates, which runs only when the text holds a surrogate's escape) with the
size check and ``json.loads`` alone, best of 5 rounds of 3, in milliseconds.
"""
import json
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.shipped import wire  # noqa: E402

ANSWERS = {
    "90,000 ASCII strings": ["x" * 30] * 90_000,
    "30,000 strings with 15 surrogates each (the worst under the 4 MiB limit)": ["x\ud800" * 15] * 30_000,
    "30,000 strings with 15 accented letters each": ["x\u00e9" * 15] * 30_000,
    "arrays (about a solution's largest answer)": [np.ones((2000, 3)) * 0.1, [0.1] * 1000],
}


def best(function):
    return min(timeit.repeat(function, number=3, repeat=5)) / 3 * 1e3


def main():
    for name, value in ANSWERS.items():
        payload = json.dumps({"ok": True, "value": wire.encode(value)}).encode()
        ours = best(lambda: wire.load_answer(payload))
        before = best(lambda: (wire.check_size(payload, wire.MAX_ANSWER_BYTES, wire.MAX_ANSWER_ITEMS),
                               json.loads(payload)))
        print(f"{name}: {len(payload) / 1e6:.2f} MB; load_answer {ours:.1f} ms, the size check and json.loads "
              f"{before:.1f} ms")


if __name__ == "__main__":
    main()
