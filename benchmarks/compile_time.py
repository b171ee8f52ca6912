"""How long a spec takes to load and compile, for every YAML spec under specs/.

In: nothing (the specs are found with a glob); options ``--repeat`` and
``--pattern``. Out, on stdout: one row per spec with

* warm: ``rubricspec.load`` and ``rubricspec.compile`` in this process, best of
  ``--repeat`` runs (the grammar, the regex caches and the modules are warm);
* cold: the same once in a fresh ``python`` process: the import of
  ``rubricspec``, then load + compile, both timed inside that process, and the
  process's whole wall time (interpreter start-up included).

Specs with judged criteria compile with ``judge="replay"``. A spec that does not
compile shows its first diagnostic code instead of times. Run from the
repository root: ``python benchmarks/compile_time.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import rubricspec

ROOT = Path(__file__).resolve().parents[1]

_COLD = """
import json, sys, time
start = time.perf_counter()
import rubricspec
imported = time.perf_counter()
spec = rubricspec.load(sys.argv[1])
loaded = time.perf_counter()
rubricspec.compile(spec, judge=sys.argv[2] or None)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "load": loaded - imported, "compile": done - loaded}))
"""


def judge_for(path: Path) -> str | None:
    """"replay" when the spec has judged criteria, None when it has none; SpecError when it does not compile."""
    try:
        rubricspec.compile(str(path))
    except rubricspec.JudgeBindingError:
        return "replay"
    return None


def warm(path: Path, judge: str | None, repeat: int) -> tuple[float, float]:
    """Best load time and best compile time, in seconds."""
    loads, compiles = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        spec = rubricspec.load(str(path))
        loaded = time.perf_counter()
        rubricspec.compile(spec, judge=judge)
        loads.append(loaded - start)
        compiles.append(time.perf_counter() - loaded)
    return min(loads), min(compiles)


def cold(path: Path, judge: str | None) -> tuple[dict[str, float], float]:
    """Times measured inside a fresh interpreter, and that process's wall time."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _COLD, str(path), judge or ""], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per spec, best taken (default 5)")
    parser.add_argument("--pattern", default="**/*.yaml", help="glob under specs/ (default **/*.yaml)")
    args = parser.parse_args(argv)

    paths = sorted((ROOT / "specs").glob(args.pattern))
    print(f"{len(paths)} specs; warm = best of {args.repeat} in this process, cold = first run in a fresh "
          f"process; milliseconds; Python {sys.version.split()[0]}")
    header = (f"{'spec':<48} {'judge':<7} {'load':>7} {'compile':>8} {'warm':>7} | {'import':>7} "
              f"{'load+compile':>12} {'process':>8}")
    print(header)
    print("-" * len(header))
    for path in paths:
        name = str(path.relative_to(ROOT))
        try:
            judge = judge_for(path)
        except rubricspec.SpecError as err:
            print(f"{name:<48} does not compile: {err.diagnostics[0].code}")
            continue
        load_s, compile_s = warm(path, judge, args.repeat)
        inside, process = cold(path, judge)
        print(f"{name:<48} {judge or '-':<7} {load_s * 1e3:>7.1f} {compile_s * 1e3:>8.1f} "
              f"{(load_s + compile_s) * 1e3:>7.1f} | {inside['import'] * 1e3:>7.1f} "
              f"{(inside['load'] + inside['compile']) * 1e3:>12.1f} {process * 1e3:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
