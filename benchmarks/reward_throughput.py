"""Throughput of the compiled CRPO reward against the same reward written by hand.

In: nothing (``crpo_data.generate`` makes the rollouts); options ``--count``,
``--batch``, ``--repeat``, ``--seed``. Out, on stdout: the agreement check (every
reward equal, or the mismatches with their per-criterion scores), a table of
completions per second and microseconds per completion, and as the last line
``ratio=<compiled time / hand-written time>`` for TRL-sized batches.

Run from the repository root: ``python benchmarks/reward_throughput.py``.
Both rewards are called as TRL's GRPOTrainer calls a reward function:
``f(prompts=..., completions=..., completion_ids=..., trainer_state=..., answer=...)``
on groups of ``--batch`` rollouts; the compiled program is also timed on one
call over every rollout. Each measurement is repeated and the best taken
(the median is shown too); the three are interleaved so that a busy machine
slows all of them alike.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import rubricspec

from crpo_by_hand import crpo_reward
from crpo_data import Rollouts, generate

SPEC = Path(__file__).resolve().parents[1] / "specs" / "clinical" / "crpo.yaml"

RewardFunction = Callable[..., list[Any]]


def in_batches(reward: RewardFunction, data: Rollouts, batch: int) -> list[Any]:
    out: list[Any] = []
    for start in range(0, len(data.completions), batch):
        completions = data.completions[start:start + batch]
        out.extend(reward(prompts=data.prompts[start:start + batch], completions=completions,
                          completion_ids=[[] for _ in completions], trainer_state=None,
                          answer=data.answers[start:start + batch]))
    return out


def check_agreement(program: rubricspec.RewardProgram, data: Rollouts, batch: int) -> int:
    """Print every completion where the two rewards differ; return how many."""
    compiled = in_batches(program, data, batch)
    by_hand = in_batches(crpo_reward, data, batch)
    mismatches = [i for i, (a, b) in enumerate(zip(compiled, by_hand)) if a != b]
    for i in mismatches[:20]:
        result = program.score(prompts=[data.prompts[i]], completions=[data.completions[i]],
                               answer=[data.answers[i]])[0]
        text = data.completions[i] if isinstance(data.completions[i], str) else data.completions[i][-1]["content"]
        print(f"MISMATCH row {i} ({data.kinds[i]}): compiled {compiled[i]!r}, by hand {by_hand[i]!r}, "
              f"criteria {result.criteria}, error {result.error}\n    {text[-300:]!r}")
    rewards = [r for r in compiled if r is not None]
    print(f"agreement: {len(data.completions) - len(mismatches)}/{len(data.completions)} rewards equal; "
          f"{len(rewards)} scored, mean reward {statistics.fmean(rewards):.3f}, "
          f"{sum(r >= 10 for r in rewards)} correct")
    return len(mismatches)


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20480, help="number of rollouts (default 20480)")
    parser.add_argument("--batch", type=int, default=64, help="completions per reward call (default 64)")
    parser.add_argument("--repeat", type=int, default=7, help="timed repetitions (default 7)")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args(argv)

    data = generate(args.count, args.seed)
    program = rubricspec.compile(str(SPEC))
    if check_agreement(program, data, args.batch):
        print("the two rewards disagree; timings would compare different functions")
        return 1

    everything = {"prompts": data.prompts, "completions": data.completions,
                  "completion_ids": [[] for _ in data.completions], "trainer_state": None, "answer": data.answers}
    runs: dict[str, Callable[[], Any]] = {
        f"compiled, batches of {args.batch}": lambda: in_batches(program, data, args.batch),
        f"compiled, one call of {args.count}": lambda: program(**everything),
        f"by hand, batches of {args.batch}": lambda: in_batches(crpo_reward, data, args.batch),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            times[name].append(timed(run))

    print(f"\n{args.count} rollouts, best of {args.repeat} (median in brackets); Python "
          f"{sys.version.split()[0]}")
    print(f"{'reward':<32} {'completions/s':>14} {'µs/completion':>22}")
    for name, seconds in times.items():
        best, median = min(seconds), statistics.median(seconds)
        print(f"{name:<32} {args.count / best:>14,.0f} {best / args.count * 1e6:>10.1f} "
              f"({median / args.count * 1e6:>7.1f})")
    names = list(runs)
    print(f"ratio={min(times[names[0]]) / min(times[names[2]]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
