"""Where the time of the compiled CRPO reward goes, stage by stage, next to the hand-written one.

In: nothing (``crpo_data.generate`` makes the rollouts); options ``--count``,
``--repeat`` and ``--cprofile`` (also print cProfile's top functions of the
compiled call). Out, on stdout: microseconds per completion for each stage of
the reward, with the built-ins called directly through their registered
implementations in the order and with the short-circuits the rubric uses; then
the framework overhead: the whole reward call minus the sum of its stages
(``RewardProgram._run``/``_evaluate`` and the evaluator's closures on the
compiled side; the loop and list comprehensions on the hand-written one).

Every stage of every completion is timed on its own with ``time.perf_counter``
(the clock's own cost is measured and taken off), so the tag-parse and n-gram
caches behave as inside one reward call; each stage's total is the best of
``--repeat`` passes. Run from the repository root:
``python benchmarks/profile_crpo.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from typing import Any, Callable

import rubricspec
from rubricspec.runtime.functions import DYNAMIC, IMPLEMENTATIONS
from rubricspec.runtime.program import completion_text

import crpo_by_hand as hand
from crpo_data import generate
from reward_throughput import SPEC, in_batches

STAGES = [
    "tag_text(completion, \"conclusion\"): tags parsed, inner text",
    "choice_letter(...) == answer",
    "format: has_tags, tag_count x2, tags_in_order, well_formed",
    "ngram_overlap(conclusion, dx, 2): tag_text x2, bigrams x2",
    "language_share(completion, \"en\")",
]

Pass = Callable[[], list[float]]


def _specialized(name: str, *constants: Any) -> Callable[..., Any]:
    return IMPLEMENTATIONS[name].specialize(DYNAMIC, *constants)  # type: ignore[misc]


def _clock_cost() -> float:
    clock = time.perf_counter
    best = float("inf")
    for _ in range(20):
        start = clock()
        for _ in range(10000):
            clock()
        best = min(best, (clock() - start) / 10000)
    return best


def compiled_pass(texts: list[str], answers: list[str]) -> Pass:
    """One pass over the completions; seconds spent in each stage."""
    has_tags, order = _specialized("has_tags", "dx", "conclusion"), _specialized("tags_in_order", "dx", "conclusion")
    count_dx, count_conclusion = _specialized("tag_count", "dx"), _specialized("tag_count", "conclusion")
    well_formed = _specialized("well_formed", "dx", "conclusion")
    text_dx, text_conclusion = _specialized("tag_text", "dx"), _specialized("tag_text", "conclusion")
    choice = IMPLEMENTATIONS["choice_letter"].specialize(DYNAMIC)  # type: ignore[misc]
    overlap = IMPLEMENTATIONS["ngram_overlap"].specialize(DYNAMIC, DYNAMIC, 2)  # type: ignore[misc]
    share = _specialized("language_share", "en")

    def run() -> list[float]:
        clock = time.perf_counter
        t = [0.0] * len(STAGES)
        for text, answer in zip(texts, answers):
            a = clock()
            conclusion = text_conclusion(text)
            b = clock()
            choice(conclusion) == answer
            c = clock()
            ok = (has_tags(text) and count_dx(text) == 1 and count_conclusion(text) == 1 and order(text)
                  and well_formed(text))
            d = clock()
            if ok:
                0.2 <= overlap(text_conclusion(text), text_dx(text)) <= 0.8
            e = clock()
            share(text)
            f = clock()
            t[0] += b - a
            t[1] += c - b
            t[2] += d - c
            t[3] += e - d
            t[4] += f - e
        return t

    return run


def hand_pass(texts: list[str], answers: list[str]) -> Pass:
    def run() -> list[float]:
        clock = time.perf_counter
        t = [0.0] * len(STAGES)
        for text, answer in zip(texts, answers):
            a = clock()
            tokens, elements = hand.parse_tags(text)
            dx = [e for e in elements if e[0] == "dx"]
            conclusion = [e for e in elements if e[0] == "conclusion"]
            conclusion_text = "\n".join(text[e[2]:e[3]].strip() for e in conclusion)
            b = clock()
            hand.choice_letter(conclusion_text) == answer
            c = clock()
            ok = (len(dx) == 1 and len(conclusion) == 1 and conclusion[0][1] >= dx[0][4]
                  and hand.well_formed(tokens, {"dx", "conclusion"}))
            d = clock()
            if ok:
                0.2 <= hand.overlap(conclusion_text, text[dx[0][2]:dx[0][3]].strip()) <= 0.8
            e = clock()
            hand.english_share(text)
            f = clock()
            t[0] += b - a
            t[1] += c - b
            t[2] += d - c
            t[3] += e - d
            t[4] += f - e
        return t

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=8192)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top 20 (by own time)")
    args = parser.parse_args(argv)

    data = generate(args.count)
    program = rubricspec.compile(str(SPEC))
    texts = [completion_text(c) or "" for c in data.completions]
    passes = {"compiled": compiled_pass(texts, data.answers), "hand": hand_pass(texts, data.answers)}
    calls = {"compiled": lambda: in_batches(program, data, 64), "hand": lambda: in_batches(hand.crpo_reward, data, 64)}
    stage_best = {name: [float("inf")] * len(STAGES) for name in passes}
    call_best = {name: float("inf") for name in calls}
    for _ in range(args.repeat):  # everything takes turns, so a busy spell slows all of it alike
        for name in passes:
            gc.collect()
            stage_best[name] = [min(x, y) for x, y in zip(stage_best[name], passes[name]())]
            gc.collect()
            start = time.perf_counter()
            calls[name]()
            call_best[name] = min(call_best[name], time.perf_counter() - start)
    clock = _clock_cost()  # each stage reads the clock once more than it would without timing

    def us(seconds: float) -> float:
        return seconds / args.count * 1e6

    print(f"µs per completion, {args.count} rollouts, best of {args.repeat}")
    print(f"{'stage':<62}{'compiled':>9}{'by hand':>9}")
    sums = {name: 0.0 for name in passes}
    for k, label in enumerate(STAGES):
        row = {name: max(0.0, us(stage_best[name][k]) - clock * 1e6) for name in passes}
        for name in passes:
            sums[name] += row[name]
        print(f"{label:<62}{row['compiled']:>9.1f}{row['hand']:>9.1f}")
    print(f"{'sum of the stages':<62}{sums['compiled']:>9.1f}{sums['hand']:>9.1f}")
    print(f"{'framework overhead (whole call - stages)':<62}{us(call_best['compiled']) - sums['compiled']:>9.1f}"
          f"{us(call_best['hand']) - sums['hand']:>9.1f}")
    print(f"{'whole reward call, batches of 64':<62}{us(call_best['compiled']):>9.1f}{us(call_best['hand']):>9.1f}")
    if args.cprofile:
        profile = cProfile.Profile()
        profile.runcall(in_batches, program, data, 64)
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
