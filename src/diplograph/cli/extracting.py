"""``extract`` (candidate facts from an article; ``--review`` to accept them one at a time)
and ``add --from`` (accept a reviewed candidates file in one atomic write).

spaCy is imported only here, inside the command, never at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..model.errors import DataError, UsageError
from .env import Env, handle_errors
from .options import Format, FormatOpt

#: The longest article ``extract`` reads (a book is not an article).
MAX_ARTICLE_BYTES = 5_000_000
_BETTER = "pip install 'diplograph[nlp]' && python -m spacy download en_core_web_sm"


def _note(message: str) -> None:
    sys.stderr.write(f"note: {message}\n")
    sys.stderr.flush()


def read_article(path: Path) -> str:
    """The article's text, or one clear error: missing, too large, binary, not UTF-8,
    empty."""
    from ..curate.document import read_text

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None
    if path.is_dir():
        raise DataError([f"{path}: is a folder, not an article"])
    if size > MAX_ARTICLE_BYTES:
        raise DataError(
            [
                f"{path}: {size / 1e6:.1f} MB is more than an article "
                f"(at most {MAX_ARTICLE_BYTES // 1_000_000} MB): split it into its stories"
            ]
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    if b"\x00" in head:
        raise DataError([f"{path}: a binary file, not text"])
    text = read_text(path)
    if not text.strip():
        raise DataError([f"{path}: is empty: nothing to extract"])
    return text


def _stored_text(documents: list[tuple[str, dict]], source_id: str) -> tuple[Path, str] | None:
    """(path, text) of the source's stored text, when it has one on disk."""
    from ..curate.document import read_text

    for file, doc in documents:
        for source in doc.get("sources", []):
            if source.get("id") == source_id and source.get("text"):
                path = Path(file).parent / source["text"]
                if path.exists():
                    return path, read_text(path)
    return None


def _candidates(article: Path, text: str, records: dict, published: str, model: str | None):
    """(candidates, new entities, which extractor) for ``text``."""
    from ..curate import extract as rules

    if model == "rules":
        found = rules.extract(
            text, records["entities"], records["relation_types"], published, records["relations"]
        )
        return found, [], "rules"
    from ..curate import parse

    try:
        nlp = parse.load(model or parse.DEFAULT_MODEL)
    except parse.ModelMissing as exc:
        if model:
            raise UsageError(f"--model {model}: {exc} (python -m spacy download {model})") from None
        _note(f"{exc}: using the rule-based extractor; for the better one: {_BETTER}")
        found = rules.extract(
            text, records["entities"], records["relation_types"], published, records["relations"]
        )
        return found, [], "rules"
    found, new = parse.extract(
        text,
        records["entities"],
        records["relation_types"],
        published,
        records["relations"],
        nlp=nlp,
    )
    return found, new, model or parse.DEFAULT_MODEL


@handle_errors
def extract_command(
    ctx: typer.Context,
    article: Annotated[
        Path, typer.Argument(help="The article's text (UTF-8).", metavar="ARTICLE.txt")
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source", metavar="ID", help="The source it is (its publication date dates it)."
        ),
    ],
    compare: Annotated[
        bool,
        typer.Option(
            "--score",
            help="Compare with the relations in the data: recall and precision, on stderr.",
        ),
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            help="The spaCy pipeline (default en_core_web_sm; 'rules' for the rule-based "
            "extractor, used anyway when spaCy is not installed).",
            metavar="MODEL",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the candidates as a file to review, then 'add --from FILE'.",
            metavar="FILE",
        ),
    ] = None,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="Walk the candidates one at a time: accept, edit, skip, quit (a terminal, "
            "and --data FILE).",
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Candidate relations from an article, each with its quote, date, certainty and the
    command that adds it; the new entities they need."""
    from ..curate.edit import did_you_mean
    from ..curate.extract import command_line, score
    from ..files.locate import read_documents, resolve_data_path
    from ..model.records import RECORDS
    from .render import to_json, write_csv

    if review and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("--review needs a terminal; use --output FILE, then 'add --from FILE'")
    if review and not Env.of(ctx).data:
        raise UsageError("--review writes what you accept: give the data file with --data FILE")
    documents = read_documents(resolve_data_path(Env.of(ctx).data))
    records = {kind: [r for _, d in documents for r in d.get(kind, [])] for kind in RECORDS}
    sources = {s["id"]: s for s in records["sources"]}
    if source not in sources:
        raise DataError(
            [
                f"unknown source '{source}'{did_you_mean(source, sources)}: add it first "
                "with 'diplograph add source'"
            ]
        )
    text = read_article(article)
    stored = _stored_text(documents, source)
    if stored is not None and stored[1] != text:
        raise DataError(
            [
                f"{article}: is not the stored text of source '{source}' ({stored[0]}): "
                "extract the text its quotes are checked against"
            ]
        )
    candidates, new, used = _candidates(article, text, records, sources[source]["published"], model)
    if output is not None:
        import json

        from ..curate.candidates import document
        from ..curate.document import write_atomic

        body = json.dumps(document(source, candidates, new), indent=2, ensure_ascii=False)
        write_atomic(output, (body + "\n").encode("utf-8"))
        _note(
            f"wrote {len(candidates)} candidates and {len(new)} new entities to {output}; "
            f"review it, then: diplograph --data FILE add --from {output}"
        )
    if review:
        from .reviewing import review_candidates

        review_candidates(ctx, source, candidates, new)
        return
    shown = [c for c in candidates if not c.negated]
    rows = [
        {**c.row(), "command": command_line(c, source, Env.of(ctx).data) if c.type else None}
        for c in candidates
    ]
    if fmt is Format.json:
        sys.stdout.write(to_json({"relations": rows, "entities": new}) + "\n")
    elif fmt is Format.csv:
        write_csv(rows, sys.stdout)
    elif output is None:
        out = Env.of(ctx).output
        labels = {t["id"]: t.get("label", t["id"]) for t in records["relation_types"]}
        names = {e["id"]: e.get("name", e["id"]) for e in [*records["entities"], *new]}
        if new:
            out.print(
                "new entities: "
                + ", ".join(f"{e['name']} ({e['type']}, id {e['id']})" for e in new),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if not shown:
            hint = "" if records["entities"] or new else " (the data has no entities yet)"
            out.print(f"no candidates{hint}", markup=False)
        n = 0
        for c, row in zip(candidates, rows, strict=True):
            if c.negated:
                continue
            n += 1
            when = f" · {c.date}" + (f" ({c.date_text})" if c.date_text else "") if c.date else ""
            where = f" · at {names.get(c.place, c.place)}" if c.place else ""
            by = f" by {names.get(c.reported_by, c.reported_by)}" if c.reported_by else ""
            known = f" · already {c.known}" if c.known else " · new"
            label = labels.get(c.type, c.type) if c.type else "(no type fits)"
            head = f"{n}. {c.source_name} {label} {c.target_name} ({c.type or '?'})"
            lines = [f"{head}{when}{where} · {c.certainty}{by}{known}", f"   “{c.quote}”"]
            if c.note:
                lines.append(f"   note: {c.note}")
            if row["command"]:
                lines.append(f"   {row['command']}")
            out.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
        negated = len(candidates) - len(shown)
        if negated:
            out.print(f"({negated} negated: not relations; --format json lists them)", markup=False)
    if compare:
        types = {t["id"]: t for t in records["relation_types"]}
        found = score(candidates, records["relations"], types)
        _note(
            f"{found['proposals']} facts proposed, {found['found']} of them among the "
            f"{found['relations']} in the data: recall {found['recall']:.2f}, "
            f"precision {found['precision']:.2f}; of those found, date right "
            f"{found['date_right']:.2f}, certainty right {found['certainty_right']:.2f} "
            f"({used})"
        )


def add_from(ctx: typer.Context, path: Path, fmt: Format) -> None:
    """``add --from FILE``: every accepted candidate, all or nothing."""
    from ..curate.candidates import apply, read
    from ..curate.edit import relation_types
    from .curation import file_to_change
    from .render import to_json

    datafile = file_to_change(ctx)
    doc = read(path)
    if datafile.source(doc["source"]) is None:
        raise DataError(
            [f"{path}: source '{doc['source']}' is not in {datafile.path}: add it first"]
        )
    batch = apply(datafile, relation_types(datafile), doc)
    if not batch.refused:
        datafile.save(batch.datafile.doc)
    if fmt is Format.json:
        report = {"added": batch.added, "refused": batch.refused, "skipped": batch.skipped}
        sys.stdout.write(to_json({**report, "written": not batch.refused}) + "\n")
    else:
        for line in batch.added:
            typer.echo(("would have " if batch.refused else "") + line)
        for line in batch.refused:
            typer.echo(f"refused {line}", err=True)
    if batch.refused:
        raise DataError(
            [
                f"{len(batch.refused)} of the candidates in {path} refused (above): nothing "
                f'written to {datafile.path}; fix or set "accept": false, then run again'
            ]
        )
    extra = f", {batch.skipped} not accepted" if batch.skipped else ""
    if fmt is not Format.json:
        typer.echo(f"{len(batch.added)} changes written to {datafile.path}{extra}")
