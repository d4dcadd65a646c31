"""Measure clause suggestion on the labelled narratives in tests/data/suggest_eval.json.

Half the set (even positions) is for developing the vocabulary, the other half (odd
positions) is held out and reported, so the figure is not a memorised one.

Usage: python tools/eval_suggest.py [--split dev|test|all] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from ia_desk.policy.suggest import default_suggester, suggest

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "suggest_eval.json"


def evaluate(split: str = "test", show: bool = False) -> dict[str, float]:
    items = json.loads(DATA.read_text(encoding="utf-8"))
    chosen = [x for i, x in enumerate(items) if split == "all" or (i % 2 == 1) == (split == "test")]
    default_suggester()  # start-up cost is not part of the per-suggestion time
    top1 = top3 = 0
    times = []
    for item in chosen:
        t0 = time.perf_counter()
        ranked = [s.clause for s in suggest(item["text"], item["department"], top=3)]
        times.append((time.perf_counter() - t0) * 1000)
        want = set(item["clauses"])
        top1 += bool(ranked[:1] and ranked[0] in want)
        top3 += bool(want & set(ranked[:3]))
        if show and not (want & set(ranked[:3])):
            print(f"MISS {item['text'][:70]!r}: want {sorted(want)}, got {ranked}")
    n = len(chosen)
    return {
        "split": split,
        "n": n,
        "top1": top1 / n,
        "top3": top3 / n,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    r = evaluate(args.split, args.show_misses)
    print(
        f"{r['split']}: {r['n']} narratives, top-1 {r['top1']:.0%}, top-3 {r['top3']:.0%}, "
        f"median {r['median_ms']:.2f} ms, max {r['max_ms']:.2f} ms per suggestion"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
