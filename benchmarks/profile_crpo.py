"""Where the time of the compiled CRPO reward goes, stage by stage, next to the hand-written one.

In: nothing (``crpo_data.generate`` makes the rollouts); options ``--count``,
``--repeat`` and ``--cprofile`` (also print cProfile's top functions of the
compiled call). Out, on stdout: microseconds per completion for each stage of
the reward, the built-ins called directly through their registered
implementations in the order and with the short-circuits the rubric uses; then
the framework overhead (the whole reward call minus the sum of its stages:
``RewardProgram._run``/``_evaluate`` and the evaluator's closures for the
compiled side, the loop and list comprehensions for the hand-written one).

A stage's cost is measured as the difference between running stages 1..k and
1..k-1 over every completion (best of ``--repeat``), so that the tag-parse and
n-gram caches behave as they do inside one reward call. On a busy machine the
differences are noisy to a few microseconds; the clock is ``time.process_time``
(this process's CPU time), which other processes on a shared machine disturb
less than the wall clock. Run from the repository root:
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
    "tag_text(conclusion): tags parsed, inner text",
    "choice_letter(...) == answer",
    "format: has_tags, tag_count x2, tags_in_order, well_formed",
    "ngram_overlap(...) >= min: tag_text x2, word bigrams x2",
    "ngram_overlap(...) <= max: the same again (cache hits)",
    "language_share(completion, \"en\")",
]


def _specialized(name: str, *constants: Any) -> Callable[..., Any]:
    return IMPLEMENTATIONS[name].specialize(DYNAMIC, *constants)  # type: ignore[misc]


def compiled_stages(texts: list[str], answers: list[str], upto: int) -> Callable[[], None]:
    has_tags, order = _specialized("has_tags", "dx", "conclusion"), _specialized("tags_in_order", "dx", "conclusion")
    count_dx, count_conclusion = _specialized("tag_count", "dx"), _specialized("tag_count", "conclusion")
    well_formed = _specialized("well_formed", "dx", "conclusion")
    text_dx, text_conclusion = _specialized("tag_text", "dx"), _specialized("tag_text", "conclusion")
    choice = IMPLEMENTATIONS["choice_letter"].specialize(DYNAMIC)  # type: ignore[misc]
    overlap = IMPLEMENTATIONS["ngram_overlap"].specialize(DYNAMIC, DYNAMIC, 2)  # type: ignore[misc]
    share = _specialized("language_share", "en")

    def run() -> None:
        for text, answer in zip(texts, answers):
            conclusion = text_conclusion(text)
            if upto >= 2:
                choice(conclusion) == answer
            if upto >= 3 and (has_tags(text) and count_dx(text) == 1 and count_conclusion(text) == 1
                              and order(text) and well_formed(text)):
                if upto >= 4 and overlap(text_conclusion(text), text_dx(text)) >= 0.2 and upto >= 5:
                    overlap(text_conclusion(text), text_dx(text)) <= 0.8
            if upto >= 6:
                share(text)

    return run


def hand_stages(texts: list[str], answers: list[str], upto: int) -> Callable[[], None]:
    def run() -> None:
        for text, answer in zip(texts, answers):
            tokens, elements = hand.parse_tags(text)
            dx = [e for e in elements if e[0] == "dx"]
            conclusion = [e for e in elements if e[0] == "conclusion"]
            conclusion_text = "\n".join(text[e[2]:e[3]].strip() for e in conclusion)
            if upto >= 2:
                hand.choice_letter(conclusion_text) == answer
            if upto >= 3 and (len(dx) == 1 and len(conclusion) == 1 and conclusion[0][1] >= dx[0][4]
                              and hand.well_formed(tokens, {"dx", "conclusion"})):
                if upto >= 4:
                    hand.overlap(conclusion_text, text[dx[0][2]:dx[0][3]].strip())
            if upto >= 6:
                hand.english_share(text)

    return run


def best_of(runs: dict[str, Callable[[], Any]], repeat: int, count: int) -> dict[str, float]:
    """Best time of each run in microseconds per completion; the runs take turns, so load drifts hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.process_time()
            run()
            times[name].append(time.process_time() - start)
    return {name: min(t) / count * 1e6 for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=8192)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top 20 (by own time)")
    args = parser.parse_args(argv)

    data = generate(args.count)
    program = rubricspec.compile(str(SPEC))
    texts = [completion_text(c) or "" for c in data.completions]
    print(f"µs per completion, {args.count} rollouts, best of {args.repeat}")
    print(f"{'stage (marginal cost)':<62}{'compiled':>9}{'by hand':>9}")
    runs: dict[str, Callable[[], Any]] = {}
    for k in range(1, len(STAGES) + 1):
        runs[f"compiled {k}"] = compiled_stages(texts, data.answers, k)
        if k != 5:  # the hand-written reward computes the overlap once and compares it twice
            runs[f"hand {k}"] = hand_stages(texts, data.answers, k)
    runs["compiled call"] = lambda: in_batches(program, data, 64)
    runs["hand call"] = lambda: in_batches(hand.crpo_reward, data, 64)
    us = best_of(runs, args.repeat, args.count)
    us["hand 5"] = us["hand 4"]
    us["compiled 0"] = us["hand 0"] = 0.0
    for k, label in enumerate(STAGES, start=1):
        print(f"{label:<62}{us[f'compiled {k}'] - us[f'compiled {k - 1}']:>9.1f}{us[f'hand {k}'] - us[f'hand {k - 1}']:>9.1f}")
    last = len(STAGES)
    print(f"{'sum of the stages':<62}{us[f'compiled {last}']:>9.1f}{us[f'hand {last}']:>9.1f}")
    print(f"{'framework overhead (whole call - stages)':<62}{us['compiled call'] - us[f'compiled {last}']:>9.1f}"
          f"{us['hand call'] - us[f'hand {last}']:>9.1f}")
    print(f"{'whole reward call, batches of 64':<62}{us['compiled call']:>9.1f}{us['hand call']:>9.1f}")
    if args.cprofile:
        profile = cProfile.Profile()
        profile.runcall(in_batches, program, data, 64)
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
