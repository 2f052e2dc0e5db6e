"""Benchmark ``diplograph import gdelt``: generate a GDELT 2.0-layout export (tab-separated,
no header, 61 columns) of N rows, import it in a fresh process, report the time and peak
memory, then the first query on the result (which checks and indexes it).

    python benchmarks/import_gdelt.py [ROWS]          # default 1,000,000

The rows mimic the real exports: about 36% with one actor, a few hundred actor codes
(countries with role suffixes), each article coding a few events, symmetric events coded
both ways, events repeated by several articles.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = [f"{a}{b}{c}" for a in "ABCDEFGH" for b in "AEIOU" for c in "BDKLMNRST"][:180]
ROLES = ["", "", "", "GOV", "MIL", "BUS", "CVL", "MED", "OPP", "COP", "JUD", "LEG"]
CODES = ["010", "020", "036", "040", "040", "042", "043", "046", "051", "057", "061", "071"]
CODES += ["0841", "085", "090", "100", "111", "112", "120", "130", "141", "163", "173", "190"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    empty_actor = [""] * 10
    geo_empty = ["0", "", "", "", "", "", "", ""]
    recent: list[tuple] = []
    with path.open("w", encoding="utf-8") as out:
        event = 700_000_000
        article = 0
        previous: tuple | None = None
        for n in range(rows):
            if n % 4 == 0:
                article += 1
            event += 1
            day = 20170501 + (n * 30 // rows)
            chance = rng.random()
            if previous is not None and chance < 0.1 and previous[1][0]:
                code, first, second = previous[0], previous[2], previous[1]  # the other way
            elif recent and chance < 0.35:  # another article reports an event seen already
                code, first, second = rng.choice(recent)
            else:
                code = rng.choice(CODES)
                first = _actor(rng)
                second = _actor(rng) if rng.random() > 0.36 else empty_actor
                recent.append((code, first, second))
                if len(recent) > 2000:
                    recent.pop(0)
            previous = (code, first, second)
            city = rng.randrange(5000)
            geo = ["4", f"City {city}, Region, Country", "XX", "XX01", "", "45.5", "12.25"]
            geo.append(str(-city))
            row = [str(event), str(day), str(day // 100), str(day // 10000), "2017.5"]
            row += first + second
            row += ["1", code, code[:3], code[:2], "1", "1.0", str(rng.randrange(1, 20)), "1"]
            row += [str(rng.randrange(1, 10)), f"{rng.uniform(-10, 5):.4f}"]
            row += geo_empty + geo_empty + geo
            row += [f"{day}000000", f"https://news.example/{article}"]
            assert len(row) == 61
            out.write("\t".join(row) + "\n")


def _actor(rng: random.Random) -> list[str]:
    country = rng.choice(COUNTRIES)
    role = rng.choice(ROLES)
    return [country + role, f"NAME {country} {role}".strip(), country] + [""] * 7


def timed(command: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB of the child, its stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, done.stderr


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    exe = str(Path(sys.executable).with_name("diplograph"))
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.export.CSV"
        start = time.perf_counter()
        generate(events, rows)
        print(
            f"generated {rows:,} rows ({events.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        output = Path(tmp) / "gdelt.json"
        seconds, peak, report = timed([exe, "import", "gdelt", str(events), "-o", str(output)])
        print(
            f"import gdelt: {seconds:.1f} s, peak {peak:.0f} MB "
            f"-> {output.stat().st_size / 1e6:.0f} MB of JSON"
        )
        print(report, end="")
        # a new child: its peak alone (RUSAGE_CHILDREN keeps the largest so far)
        seconds, peak2, _ = timed([exe, "--data", str(output), "validate"])
        print(
            f"first query on the result (validate: checks and caches it): {seconds:.1f} s"
            + (f", peak {peak2:.0f} MB" if peak2 > peak else "")
        )


if __name__ == "__main__":
    main()
