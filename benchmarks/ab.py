"""A/B: the same commands under two installs of diplograph, run alternately.

    python benchmarks/ab.py --a /path/to/old/venv/bin/python --b /path/to/new/venv/bin/python \
        --relations 1000000 --rounds 5

Each measure runs as a fresh process, A then B, ``--rounds`` times, on one generated
dataset (benchmarks/generate.py) with a cache of its own per side, so slow stretches of a
shared machine touch both sides alike. Prints a Markdown table of medians (seconds, peak
MB) and B/A ratios, for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import compiled, run  # the same timing, peak memory and bytecode as run.py

HERE = Path(__file__).resolve().parent


def measures(data: Path, entities: int, out: Path) -> dict[str, tuple[list[str], bool]]:
    """Measure name -> (arguments after ``-m diplograph``, whether the cache is emptied
    before each run)."""
    hub, leaf, far = "e5", f"e{entities // 2}", f"e{entities - 1}"
    base = ["--data", str(data)]
    return {
        "start-up: who-met Lukashenko (bundled data)": (["who-met", "Lukashenko"], False),
        "first query after the data changed": ([*base, "who-met", leaf, "-f", "csv"], True),
        "first search after the data changed": ([*base, "search", "Kalo", "-f", "csv"], True),
        "repeated who-met": ([*base, "who-met", leaf, "-f", "csv"], False),
        "repeated who-met, the busiest actor": ([*base, "who-met", hub, "-f", "csv"], False),
        "repeated show": ([*base, "show", leaf, "-f", "json"], False),
        "repeated neighbors": ([*base, "neighbors", leaf, "-f", "csv"], False),
        "repeated search": ([*base, "search", "Anna Kalo", "-f", "csv"], False),
        "repeated search, a common name": ([*base, "search", "Kalo", "-f", "csv"], False),
        "path between far-apart entities": ([*base, "path", leaf, far, "-f", "csv"], False),
        "GraphML export": ([*base, "export", "-f", "graphml", "-o", str(out), "--force"], False),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="python of install A (the baseline)")
    parser.add_argument("--b", required=True, help="python of install B")
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    entities = max(args.relations // 10, 20)
    with tempfile.TemporaryDirectory(prefix="diplograph-ab-") as tmp:
        work = Path(tmp)
        data = work / "data.json"
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--entities", str(entities)]
            + ["--relations", str(args.relations), "--output", str(data)],
            check=True,
        )
        sides = {"A": args.a, "B": args.b}
        for python in sides.values():
            compiled(python)
        caches = {side: work / f"cache-{side}" for side in sides}
        found: dict[str, dict[str, list[tuple[float, float]]]] = {}
        for name, (argv, cold) in measures(data, entities, work / "out.graphml").items():
            found[name] = {side: [] for side in sides}
            for _ in range(args.rounds):
                for side, python in sides.items():
                    env = {**os.environ, "DIPLOGRAPH_CACHE": "on"}
                    env["DIPLOGRAPH_CACHE_DIR"] = str(caches[side])
                    if cold:
                        shutil.rmtree(caches[side], ignore_errors=True)
                    seconds, mb, code = run([python, "-m", "diplograph", *argv], env)
                    if code != 0:
                        print(f"{name}: {side} exited {code}", file=sys.stderr)
                    found[name][side].append((seconds, mb))
            print(f"measured: {name}", file=sys.stderr)
    print(f"{args.relations:,} relations, {args.rounds} rounds, A and B alternately")
    print()
    print("| measure | A s | B s | B/A | A MB | B MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, by_side in found.items():
        a = statistics.median(s for s, _ in by_side["A"])
        b = statistics.median(s for s, _ in by_side["B"])
        a_mb = max(mb for _, mb in by_side["A"])
        b_mb = max(mb for _, mb in by_side["B"])
        print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.2f} | {a_mb:.0f} | {b_mb:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
