"""Benchmark diplograph as whole processes and write benchmarks/RESULTS.md.

    python benchmarks/run.py                 # 1k, 100k and 1M relations (several minutes)
    python benchmarks/run.py --sizes 1000    # a quick check

For each size it generates a dataset (benchmarks/generate.py), then measures, each as a
fresh process, the median of several runs of:

- first query: ``who-met`` right after the data changed (the cache is emptied first);
  the same for ``search``, which also builds the search file;
- repeated ``who-met``, ``show``, ``neighbors``, ``search`` (cache warm; ``search`` for
  a full name and for a part of names that many quotes hold); the busiest actor's
  ``who-met`` both as CSV and as the table a person sees (its first 50 rows);
- ``path`` between two far-apart entities;
- ``export --format graphml``;
- the straightforward approach as the baseline: parse the JSON, build a networkx
  MultiDiGraph with every attribute, answer the same who-met (benchmarks/baseline.py);

and the peak memory (max RSS) of each. It also times the bundled dataset against
``python -c "import typer, rich.table, networkx"``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIPLOGRAPH = [sys.executable, "-m", "diplograph"]


def _tree_rss(pid: int) -> int:
    """Memory (kB) of a process and its descendants now, pages they share (a forked
    child's view of its parent's data) counted once: the sum of their proportional set
    sizes (Pss). 0 when the process is gone."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(rollup.split("\nPss:")[1].split()[0])
            todo += map(int, Path(f"/proc/{current}/task/{current}/children").read_text().split())
        except (OSError, ValueError, IndexError):
            pass
    return total


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one process. The peak is the larger of the
    process's own peak RSS and the memory of it and its children together, sampled every
    quarter second (the first query after a change splits its work with a child process).
    Linux starts a child's peak from its parent's, so this process must stay small."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampled = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):  # Pss is costly to read: not too often
            sampled[0] = max(sampled[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, max(usage.ru_maxrss, sampled[0]) / 1024, proc.returncode


def measure(argv, env, repeat: int, before=None) -> dict:
    times, peaks, codes = [], [], set()
    for _ in range(repeat):
        if before:
            before()
        seconds, peak, code = run(argv, env)
        times.append(seconds)
        peaks.append(peak)
        codes.add(code)
    return {"s": statistics.median(times), "mb": max(peaks), "codes": sorted(codes)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}"


def bench_size(relations: int, work: Path, repeat: int) -> dict:
    entities = max(relations // 10, 20)
    data = work / f"data-{relations}.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate.py"),
            "--entities",
            str(entities),
            "--relations",
            str(relations),
            "--output",
            str(data),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    cache = work / f"cache-{relations}"
    env = {**os.environ, "DIPLOGRAPH_CACHE_DIR": str(cache), "DIPLOGRAPH_CACHE": "on"}
    base = [*DIPLOGRAPH, "--data", str(data)]

    def clear():
        shutil.rmtree(cache, ignore_errors=True)

    hub, leaf, far = "e5", f"e{entities // 2}", f"e{entities - 1}"
    results = {"entities": entities, "relations": relations, "mb_file": data.stat().st_size / 1e6}
    results["first"] = measure([*base, "who-met", leaf, "-f", "csv"], env, repeat, clear)
    results["first search"] = measure([*base, "search", "Kalo", "-f", "csv"], env, repeat, clear)
    results["who-met"] = measure([*base, "who-met", leaf, "-f", "csv"], env, repeat + 2)
    results["who-met hub"] = measure([*base, "who-met", hub, "-f", "csv"], env, repeat + 2)
    # as a person sees it: a table of the first rows, then how many more (tty-less here,
    # so the table is drawn 120 columns wide, as when piped)
    results["who-met hub table"] = measure([*base, "who-met", hub], env, repeat + 2)
    results["show"] = measure([*base, "show", leaf, "-f", "json"], env, repeat + 2)
    results["neighbors"] = measure([*base, "neighbors", leaf, "-f", "csv"], env, repeat + 2)
    results["search"] = measure([*base, "search", "Anna Kalo", "-f", "csv"], env, repeat + 2)
    results["search common"] = measure([*base, "search", "Kalo", "-f", "csv"], env, repeat + 2)
    results["path"] = measure([*base, "path", leaf, far, "-f", "csv"], env, repeat + 2)
    out = work / "out.graphml"
    results["export graphml"] = measure(
        [*base, "export", "-f", "graphml", "-o", str(out), "--force"], env, max(1, repeat // 2)
    )
    results["baseline"] = measure(
        [sys.executable, str(HERE / "baseline.py"), str(data), leaf], env, repeat
    )
    bad = _with_a_bad_reference(data, work / f"bad-{relations}.json")
    results["invalid"] = measure(
        [*DIPLOGRAPH, "--data", str(bad), "who-met", leaf, "-f", "csv"], env, repeat, clear
    )
    bad.unlink()
    data.unlink()
    return results


def _with_a_bad_reference(data: Path, out: Path) -> Path:
    """A copy of ``data`` whose last relation's target is an unknown entity (the id's
    characters all replaced by "x"). Patched in place near the end of the copy: this
    process must stay small, since a child's peak memory as the kernel reports it
    starts from its parent's."""
    shutil.copyfile(data, out)
    with out.open("r+b") as handle:
        tail = max(0, out.stat().st_size - 65536)
        handle.seek(tail)
        chunk = handle.read()
        at = chunk.rindex(b'"target":"') + len(b'"target":"')
        end = chunk.index(b'"', at)
        handle.seek(tail + at)
        handle.write(b"x" * (end - at))
    return out


def startup(repeat: int) -> dict:
    env = dict(os.environ)
    imports = measure([sys.executable, "-c", "import typer, rich.table, networkx"], env, repeat * 3)
    who_met = measure([*DIPLOGRAPH, "who-met", "Lukashenko"], env, repeat * 3)
    return {"imports": imports, "who-met": who_met}


NOTES = "## Reading the figures"
TARGETS = {
    "first": ("first query after the data changed", 4.0, 1024),
    "who-met": ("repeated who-met", 0.4, 300),
    "who-met hub": ("repeated who-met, the busiest actor", 0.4, 300),
    "who-met hub table": (
        "repeated who-met, the busiest actor, as a table (its first 50 rows)",
        0.4,
        300,
    ),
    "show": ("repeated show", 0.4, 300),
    "neighbors": ("repeated neighbors", 0.4, 300),
    "search": ("repeated search", 0.4, 300),
    "search common": (
        "repeated search, a common name (quotes of ~2% of relations match)",
        0.4,
        300,
    ),
    "first search": (
        "first search after the data changed (builds the cache, then the search file)",
        4.0,
        1024,
    ),
    "path": ("path between far-apart entities", 1.0, 300),
    "export graphml": ("GraphML export", None, None),
    "invalid": ("first query on invalid data (the last relation's target unknown)", None, None),
    "baseline": ("baseline: parse + full networkx graph + who-met", None, None),
}


def report(sizes: list[dict], start: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        f"Run: {time.strftime('%Y-%m-%d')}, `python benchmarks/run.py` "
        "(each figure the median of several fresh processes; memory is the peak RSS, of all "
        "processes together when a command splits its work).",
        "",
        "## Start-up on the bundled dataset",
        "",
        "| command | seconds | peak MB |",
        "| --- | ---: | ---: |",
        f'| `python -c "import typer, rich.table, networkx"` | {start["imports"]["s"]:.3f} '
        f"| {start['imports']['mb']:.0f} |",
        f"| `diplograph who-met Lukashenko` | {start['who-met']['s']:.3f} "
        f"| {start['who-met']['mb']:.0f} |",
        "",
        f"Ratio: {start['who-met']['s'] / start['imports']['s']:.2f}x the import time "
        "(target: at most 1.3x).",
        "",
    ]
    for size in sizes:
        base = size["baseline"]["s"]
        lines += [
            f"## {size['relations']:,} relations, {size['entities']:,} entities "
            f"({size['mb_file']:.0f} MB of JSON)",
            "",
            "| measure | seconds | peak MB | speed-up over baseline | target |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for key, (label, seconds, megabytes) in TARGETS.items():
            row = size[key]
            ratio = f"{base / row['s']:.1f}x"
            target = ""
            if seconds is not None:
                ok = row["s"] <= seconds and row["mb"] <= megabytes
                target = f"<= {seconds} s, <= {megabytes} MB: {'met' if ok else 'missed'}"
            note = "" if row["codes"] == [0] else f" (exit {row['codes']})"
            lines.append(
                f"| {label}{note} | {row['s']:.2f} | {row['mb']:.0f} | {ratio} | {target} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def compiled(python: str) -> None:
    """Compile the bytecode of the diplograph that ``python`` imports, as installing a
    package does: an editable install run with PYTHONDONTWRITEBYTECODE (as here) would
    otherwise compile every module on every run, and time that instead."""
    where = subprocess.run(
        [python, "-c", "import diplograph, os; print(os.path.dirname(diplograph.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,100000,1000000", help="relation counts, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    compiled(sys.executable)
    with tempfile.TemporaryDirectory(prefix="diplograph-bench-") as tmp:
        work = Path(tmp)
        start = startup(args.repeat)
        sizes = []
        for text in args.sizes.split(","):
            print(f"benchmarking {int(text):,} relations...", file=sys.stderr)
            sizes.append(bench_size(int(text), work, args.repeat))
    notes = ""  # a hand-written "## Reading the figures" section survives a rerun
    if args.output.exists():
        old = args.output.read_text(encoding="utf-8")
        if NOTES in old:
            notes = "\n" + old[old.index(NOTES) :]
    args.output.write_text(report(sizes, start) + notes, encoding="utf-8")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if own > 40:  # every child's reported peak starts from this process's own
        print(f"warning: the harness itself peaked at {own:.0f} MB", file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
