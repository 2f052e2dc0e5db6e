"""Generate a valid diplograph dataset of any size, with a realistic shape.

    python benchmarks/generate.py --entities 100000 --relations 1000000 --output big.json

Shape: degrees are skewed (a few actors are in most relations, as heads of state are in
news data: Zipf-like weights); relation types and certainty levels follow the mix of the
bundled dataset; dates come in every precision the format allows (days, months, years,
seasons, approximate, unspecified digits, intervals, open intervals, undated); entities
have aliases, some sharing surnames (so names can be ambiguous); every relation has an
evidence quote. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

FIRST = [
    "Anna",
    "Boris",
    "Chen",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Irina",
    "Jonas",
    "Karim",
    "Lena",
    "Marek",
    "Nadia",
    "Oleg",
    "Pavel",
    "Rosa",
    "Sergei",
    "Tomas",
    "Viktor",
    "Yulia",
    "Zofia",
]
SYLLABLES = [
    "ka",
    "lo",
    "vi",
    "sha",
    "nen",
    "ko",
    "ra",
    "tse",
    "mi",
    "dov",
    "ya",
    "ush",
    "ber",
    "gan",
    "ski",
    "vich",
    "enko",
    "ova",
    "lin",
    "tar",
]
TYPES = [
    ("person", 50),
    ("country", 5),
    ("organization", 20),
    ("place", 10),
    ("group", 10),
    ("event", 5),
]
RELATIONS = [
    ("met", 30),
    ("negotiates-with", 15),
    ("released", 8),
    ("sanctions", 6),
    ("envoy-of", 4),
    ("leads", 6),
    ("visited", 8),
    ("imprisoned", 4),
    ("threatens", 4),
    ("citizen-of", 5),
    ("member-of", 6),
    ("escorted", 2),
    ("spouse-of", 1),
    ("deputy-of", 1),
]
CERTAINTY = [("stated", 70), ("reported", 15), ("hedged", 8), ("hypothetical", 7)]


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _date(rng: random.Random) -> tuple[str | None, str | None]:
    year = rng.randint(1995, 2025)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    kind = rng.random()
    if kind < 0.30:
        return f"{year}-{month:02d}-{day:02d}", None
    if kind < 0.50:
        return f"{year}-{month:02d}", "in the month"
    if kind < 0.60:
        return f"{year}", None
    if kind < 0.65:
        return f"{year}-{rng.randint(21, 24)}", "in the season"
    if kind < 0.70:
        return f"{year}-{month:02d}~", "about then"
    if kind < 0.73:
        return f"{year}-{month:02d}-{rng.randint(1, 2)}X", "early in the month"
    if kind < 0.80:
        return f"{year}/{min(year + rng.randint(0, 6), 2025)}", "over several years"
    if kind < 0.83:
        return f"{year}-{month:02d}/..", "ever since"
    return None, None


def generate(entities: int, relations: int, seed: int = 1) -> dict:
    """The dataset as a dict (see module docstring)."""
    rng = random.Random(seed)
    surnames = [_surname(rng) for _ in range(max(entities // 3, 1))]
    types = [t for t, _ in TYPES]
    type_weights = [w for _, w in TYPES]
    people = []
    for i in range(entities):
        etype = rng.choices(types, type_weights)[0]
        if etype == "person":
            surname = rng.choice(surnames)
            name = f"{rng.choice(FIRST)} {surname}"
            aliases = [surname + rng.choice(["a", "y", "i", ""])] if rng.random() < 0.5 else []
        else:
            name = f"{_surname(rng)} {etype.capitalize()} {i}"
            aliases = [f"{name.split()[0]} {i}"] if rng.random() < 0.3 else []
        people.append(
            {
                "id": f"e{i}",
                "name": name,
                "type": etype,
                "aliases": aliases,
                "description": f"A {etype} in the benchmark data, number {i}.",
            }
        )
    # Zipf-like weights: entity k is chosen in proportion to 1 / (k + 1) ** 0.9
    cumulative = list(itertools.accumulate(1 / (k + 1) ** 0.9 for k in range(entities)))
    rel_types = [t for t, _ in RELATIONS]
    rel_weights = list(itertools.accumulate(w for _, w in RELATIONS))
    levels = [c for c, _ in CERTAINTY]
    level_weights = list(itertools.accumulate(w for _, w in CERTAINTY))
    reporters = [p["id"] for p in people[:50] if p["type"] == "organization"] or ["e0"]
    rels = []
    for i in range(relations):
        source, target = rng.choices(range(entities), cum_weights=cumulative, k=2)
        if source == target:
            target = (target + 1) % entities
        rtype = rng.choices(rel_types, cum_weights=rel_weights)[0]
        certainty = rng.choices(levels, cum_weights=level_weights)[0]
        rel = {"id": f"r{i}", "type": rtype, "source": f"e{source}", "target": f"e{target}"}
        when, words = _date(rng)
        if when:
            rel["date"] = when
            if words:
                rel["date_text"] = words
        if rng.random() < 0.3:
            rel["place"] = f"e{rng.randrange(entities)}"
        rel["certainty"] = certainty
        if certainty == "reported":
            rel["reported_by"] = rng.choice(reporters)
        quote = (
            f"{people[source]['name']} {rtype.replace('-', ' ')} "
            f"{people[target]['name']}, sources said in item {i}."
        )
        rel["evidence"] = [{"source": "bench", "quote": quote}]
        rels.append(rel)
    return {
        "schema_version": 1,
        "sources": [
            {
                "id": "bench",
                "title": "Generated benchmark corpus",
                "publisher": "diplograph benchmarks",
                "published": "2025-06-24",
            }
        ],
        "entities": people,
        "relations": rels,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, required=True)
    parser.add_argument("--relations", type=int, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.entities < 2:
        parser.error("--entities must be at least 2")
    data = generate(args.entities, args.relations, args.seed)
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
    print(
        f"wrote {args.output}: {args.entities} entities, {args.relations} relations",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
