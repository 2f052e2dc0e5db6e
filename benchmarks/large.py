"""How the figures grow with the graph: 100k, 1M and 10M relations, and the cost per 10x.

    python benchmarks/large.py                          # 100k, 1M, 10M (about 30 minutes)
    python benchmarks/large.py --sizes 100000,1000000   # a quicker look
    python benchmarks/large.py --data-dir ~/bench       # keep the generated files there

Each size is a dataset from ``benchmarks/generate.py`` (entities a tenth of the relations,
written compactly); the generated files are kept in ``--data-dir`` and reused by later
runs (generating 10M relations takes about 9 minutes, 2.5 GB). For each, as fresh
processes (``run.run``: wall seconds and the peak memory of the process and its children):
the first query after the data changed (the cache emptied first), the repeated queries an
analyst types (an ordinary actor's who-met, show, neighbors and path; the busiest actor's
who-met as CSV and as the default table; search), the first search (which builds the
search file) and the cache's size on disk against the JSON's. The section between the
markers in ``RESULTS.md`` is replaced; the rest of the file is left as it is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import DIPLOGRAPH, machine, run

HERE = Path(__file__).resolve().parent
BEGIN = "<!-- large.py: begin -->"
END = "<!-- large.py: end -->"

#: (key, what it measures, target seconds, target MB) in the order of the table.
MEASURES = [
    ("first", "first query after the data changed (builds the cache)", 15.0, 2048),
    ("who-met", "repeated who-met, an ordinary actor", 0.4, 150),
    ("show", "repeated show", 0.4, 150),
    ("neighbors", "repeated neighbors", 0.4, 150),
    ("path", "repeated path between far-apart entities", 0.4, 150),
    ("hub", "repeated who-met, the busiest actor, CSV (every row)", None, None),
    ("hub table", "repeated who-met, the busiest actor, the default table", 0.4, 150),
    ("first search", "first search (builds the search file)", 6.0, 2048),
    ("search", "repeated search, a full name", 0.4, 150),
    ("search common", "repeated search, a common word", 0.4, 150),
]


def dataset(relations: int, folder: Path) -> Path:
    """The generated file for ``relations`` in ``folder``, made when missing."""
    entities = max(relations // 10, 20)
    data = folder / f"generated-{relations}.json"
    if not data.exists():
        print(f"generating {relations:,} relations...", file=sys.stderr)
        temp = data.with_suffix(".partial")
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--entities", str(entities),
             "--relations", str(relations), "--output", str(temp)],
            check=True,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        temp.rename(data)
    return data


def bench(relations: int, folder: Path, repeat: int) -> dict:
    data = dataset(relations, folder)
    entities = max(relations // 10, 20)
    leaf, far, hub = f"e{entities // 2}", f"e{entities - 1}", "e5"
    cache = Path(tempfile.mkdtemp(prefix="diplograph-large-"))
    env = {**os.environ, "DIPLOGRAPH_CACHE_DIR": str(cache), "DIPLOGRAPH_CACHE": "on"}
    env["COLUMNS"] = "120"
    base = [*DIPLOGRAPH, "--data", str(data)]

    def once(*argv: str) -> tuple[float, float]:
        seconds, mb, code = run([*base, *argv], env)
        if code:
            raise SystemExit(f"{' '.join(argv)} exited {code}")
        return seconds, mb

    def median(*argv: str) -> tuple[float, float]:
        found = [once(*argv) for _ in range(repeat)]
        return statistics.median(s for s, _ in found), max(mb for _, mb in found)

    def empty() -> None:
        for item in cache.iterdir():
            item.unlink()

    results: dict = {"relations": relations, "json_mb": data.stat().st_size / 1e6}
    firsts = []
    for _ in range(max(1, repeat // 2)):
        empty()
        firsts.append(once("who-met", leaf, "-f", "csv"))
    results["first"] = (statistics.median(s for s, _ in firsts), max(m for _, m in firsts))
    results["who-met"] = median("who-met", leaf, "-f", "csv")
    results["show"] = median("show", leaf, "-f", "json")
    results["neighbors"] = median("neighbors", leaf, "-f", "csv")
    results["path"] = median("path", leaf, far, "-f", "csv")
    results["hub"] = median("who-met", hub, "-f", "csv")
    results["hub table"] = median("who-met", hub)
    for item in cache.glob("*.search"):
        item.unlink()
    results["first search"] = once("search", "Kalo", "-f", "csv")
    results["search"] = median("search", "Anna Kalo", "-f", "csv")
    results["search common"] = median("search", "Kalo", "-f", "csv")
    results["pack_mb"] = sum(f.stat().st_size for f in cache.glob("*.pack")) / 1e6
    results["search_mb"] = sum(f.stat().st_size for f in cache.glob("*.search")) / 1e6
    empty()
    cache.rmdir()
    return results


def verdict(seconds: float, mb: float, target_s: float | None, target_mb: float | None) -> str:
    if target_s is None:
        return ""
    met = seconds <= target_s and mb <= target_mb
    return f"<= {target_s} s, <= {target_mb} MB: {'met' if met else 'NOT met'}"


def report(sizes: list[dict]) -> str:
    head = " | ".join(f"{s['relations']:,}" for s in sizes)
    lines = [
        BEGIN,
        "## From 100k to 10M relations: the cost per 10x",
        "",
        f"Machine: {machine()}. Run: `python benchmarks/large.py` (medians of fresh "
        "processes; memory is the peak of the process and its children).",
        "",
        f"| measure | {head} | x per 10x | target at the largest |",
        "| --- |" + " ---: |" * len(sizes) + " ---: | --- |",
    ]
    for key, label, target_s, target_mb in MEASURES:
        cells = [f"{s[key][0]:.2f} s, {s[key][1]:.0f} MB" for s in sizes]
        growth = ""
        if len(sizes) > 1:
            steps = len(sizes) - 1
            t = (sizes[-1][key][0] / sizes[0][key][0]) ** (1 / steps)
            m = (sizes[-1][key][1] / sizes[0][key][1]) ** (1 / steps)
            growth = f"{t:.1f}x s, {m:.1f}x MB"
        last = sizes[-1][key]
        lines.append(
            f"| {label} | {' | '.join(cells)} | {growth} | "
            f"{verdict(last[0], last[1], target_s, target_mb)} |"
        )
    cells = [
        f"{s['pack_mb']:.0f} + {s['search_mb']:.0f} MB "
        f"({(s['pack_mb'] + s['search_mb']) / s['json_mb']:.2f}x the JSON's {s['json_mb']:.0f})"
        for s in sizes
    ]
    lines.append(f"| cache on disk: pack + search file | {' | '.join(cells)} | | <= 1x the JSON |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    sizes = []
    for text in args.sizes.split(","):
        print(f"benchmarking {int(text):,} relations...", file=sys.stderr)
        sizes.append(bench(int(text), args.data_dir, args.repeat))
    section = report(sizes)
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + section + old[old.index(END) + len(END) + 1 :]
    else:
        new = old.rstrip("\n") + "\n\n" + section
    args.output.write_text(new, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
