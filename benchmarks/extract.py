"""How well, and how fast, ``extract`` proposes an article's facts.

For each article with facts labelled by hand (the bundled article against the bundled
dataset; ``docs/harbour-talks.txt`` and the articles in ``tests/articles/`` against the
file beside each): recall and precision on (source, type, target) with direction, and of
the facts found the share whose date and certainty are right, as ``extract --score``
counts them; once with the labelled file's entities (as ``--score`` runs), once from no
entities at all (the extractor proposes them; its ids are matched to the labels' ids).
Then the time of one ``diplograph extract`` run on a 1,500-word article, pipeline
loading included (best of 3).

    python benchmarks/extract.py [--model rules]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from diplograph.curate import extract as rules  # noqa: E402
from diplograph.curate.extract import score  # noqa: E402
from diplograph.files.locate import read_documents, resolve_data_path  # noqa: E402

BUNDLED = Path("/work/shared/sources/carnegie-2025-06-24-belarus-us-visit.txt")
for candidate in (ROOT.parent / "shared/sources", ROOT.parent.parent / "shared/sources"):
    if (candidate / BUNDLED.name).exists():
        BUNDLED = candidate / BUNDLED.name


def articles() -> list[tuple[str, Path, Path | None]]:
    found = [("bundled (carnegie-2025-06-24)", BUNDLED, None)]
    for labels in sorted((ROOT / "tests" / "articles").glob("*.json")):
        doc = json.loads(labels.read_text(encoding="utf-8"))
        text = (labels.parent / doc["sources"][0]["text"]).resolve()
        found.append((text.name, text, labels))
    return found


def measure(model: str, text: Path, labels: Path | None, with_entities: bool) -> dict:
    documents = read_documents(resolve_data_path(labels))
    records = {k: [r for _, d in documents for r in d.get(k, [])] for k in
               ("entities", "relation_types", "relations", "sources")}  # fmt: skip
    published = records["sources"][0]["published"] if labels else "2025-06-24"
    entities = records["entities"] if with_entities else []
    body = text.read_text(encoding="utf-8")
    if model == "rules":
        found = rules.extract(body, entities, records["relation_types"], published)
    else:
        from diplograph.curate import parse

        found, _ = parse.extract(body, entities, records["relation_types"], published,
                                 nlp=parse.load(model))  # fmt: skip
    types = {t["id"]: t for t in records["relation_types"]}
    return score(found, records["relations"], types)


def timing(model: str) -> float:
    """Seconds for `diplograph extract` on a 1,500-word article (best of 3)."""
    body = BUNDLED.read_text(encoding="utf-8")
    paragraphs = body.split("\n\n")
    words, text = 0, []
    while words < 1500:
        for p in paragraphs:
            text.append(p)
            words += len(p.split())
            if words >= 1500:
                break
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "article.txt"
        article.write_text("\n\n".join(text), encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "diplograph", "extract", str(article), "--source",
                 "carnegie-2025-06-24", "--model", model, "--format", "json"],
                check=True, capture_output=True,
            )  # fmt: skip
            best = min(best, time.perf_counter() - start)
    print(f"1,500-word article ({words} words), one `diplograph extract` run: {best:.2f} s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="en_core_web_sm")
    model = parser.parse_args().model
    print(f"model: {model}")
    print("| article | entities | facts | proposed | found | recall | precision "
          "| date right | certainty right |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, text, labels in articles():
        if not text.exists():
            print(f"| {name} | (text absent) |")
            continue
        for with_entities in (True, False):
            s = measure(model, text, labels, with_entities)
            kind = "labelled" if with_entities else "none (proposed)"
            print(f"| {name} | {kind} | {s['relations']} | {s['proposals']} | {s['found']} "
                  f"| {s['recall']:.2f} | {s['precision']:.2f} | {s['date_right']:.2f} "
                  f"| {s['certainty_right']:.2f} |")  # fmt: skip
    timing(model)


if __name__ == "__main__":
    main()
