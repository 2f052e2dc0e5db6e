"""Time ``diplograph draw`` with the default layout (no system program) on the bundled
data and on generated graphs, and print a Markdown table for RESULTS.md.

    python benchmarks/draw.py            # bundled, 1,000 and 10,000 relations
    python benchmarks/draw.py --repeat 5

Each run is a fresh process (start-up included), cache warm, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: (label, relations, entities); None: the bundled data
GRAPHS = [("bundled", None, None), ("generated", 1_000, 250), ("generated", 10_000, 2_500)]


def best(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="svg,html,png")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "diplograph"]
    rows = ["| graph | relations | format | time | size |", "| --- | ---: | --- | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        os.environ.setdefault("DIPLOGRAPH_CACHE_DIR", str(work / "cache"))
        for label, relations, entities in GRAPHS:
            data: list[str] = []
            if relations:
                path = work / f"g{relations}.json"
                subprocess.run(
                    [
                        sys.executable,
                        str(HERE / "generate.py"),
                        "--relations",
                        str(relations),
                        "--entities",
                        str(entities),
                        "--output",
                        str(path),
                    ],
                    check=True,
                    capture_output=True,
                )
                data = ["--data", str(path)]
            subprocess.run([*cli, *data, "stats"], check=True, capture_output=True)  # cache
            for fmt in args.formats.split(","):
                out = work / f"picture.{fmt}"
                argv = [*cli, *data, "draw", "--max-relations", "100000", "--force", "-o", str(out)]
                seconds = best(argv, args.repeat)
                size = out.stat().st_size / 1e6
                count = f"{relations:,}" if relations else "83"
                rows.append(f"| {label} | {count} | {fmt} | {seconds:.2f} s | {size:.2f} MB |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
