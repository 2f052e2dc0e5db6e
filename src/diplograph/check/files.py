"""Reading data files, and the full checker.

``files.locate`` finds what to read (a file, or a folder's ``*.json``); ``read_json`` parses
one file with errors placed by line and column, and ``check_files`` runs every rule of
``model.records`` over all files, raising DataError with every problem found, each named
with its file and place. The fast paths (``fast``, ``stream``) agree with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import records as model
from ..model.errors import DataError
from .repeats import TOKEN, RepeatedKey, no_repeats, repeated_key_at


def line_col(text: str, pos: int) -> tuple[int, int]:
    """(Line, column) of ``pos`` in ``text``, both from 1."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def read_json(path: Path) -> Any:
    """Parse one file; errors name the file and the line and column."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise DataError([f"{path}: is a folder, expected a JSON file"]) from None
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None
    if not raw.strip():
        raise DataError([f"{path}: empty file, expected a JSON object"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", "replace")
        line, col = line_col(good, len(good))
        byte = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise DataError([f"{path}:{line}:{col}: not UTF-8 text ({byte})"]) from None
    _check_syntax(path, text, raw.removeprefix(b"\xef\xbb\xbf"))
    try:
        return json.loads(text, object_pairs_hook=no_repeats)
    except RepeatedKey as repeated:
        # json stops at the first object to end with a repeat; the message names the
        # first repeated key in reading order (the same one, unless there are several)
        found = repeated_key_at(text)
        if found is None:  # (cannot be: json found one)
            raise DataError([repeated_message(path, None, None, repeated.key)]) from None
        at, name = found
        raise DataError([repeated_message(path, *line_col(text, at), name)]) from None
    except json.JSONDecodeError as exc:
        truncated = not text[exc.pos :].strip() or exc.msg.startswith("Unterminated string")
        if truncated:
            line, col = line_col(text, len(text))
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {_TRUNCATED}"]) from None
        reason = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise DataError([f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {reason}"]) from None
    except RecursionError:
        raise DataError([f"{path}: invalid JSON: nested too deeply"]) from None


def repeated_message(path: Path, line: int | None, col: int | None, key: str) -> str:
    """The message for ``key`` repeated in one object, at ``line``:``col`` of ``path``."""
    where = f":{line}:{col}" if line is not None else ""
    name = json.dumps(key, ensure_ascii=True)
    return f"{path}{where}: invalid JSON: key {name} repeated in one object"


_TRUNCATED = "unexpected end of file (is it truncated?)"
_MALFORMED = re.compile(r"JSON is malformed: (.+) \(byte (\d+)\)")
#: A high surrogate escape not followed by a low one (or a backslash and such text).
_LONE_HIGH = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])")


def _check_syntax(path: Path, text: str, body: bytes) -> None:
    """Raise DataError for a syntax error msgspec finds in ``body`` (the file's bytes
    after any byte order mark; ``text``, the same decoded). msgspec checks the whole file
    without building anything, so a huge file cut short is reported in a second, not
    after json has built most of it. Cases msgspec cannot place are left to json."""
    import msgspec

    if _LONE_HIGH.search(text):
        return  # msgspec reports a lone surrogate escape as a syntax error; json reads it
    try:
        msgspec.json.decode(body, type=msgspec.Raw)
    except RecursionError:
        line, col = line_col(text, _too_deep(text))
        raise DataError([f"{path}:{line}:{col}: invalid JSON: nested too deeply"]) from None
    except msgspec.DecodeError as exc:
        message = str(exc)
        found = _MALFORMED.fullmatch(message)
        if found:
            reason, at = found.group(1), int(found.group(2))
            if reason == "trailing characters":
                at -= 1  # msgspec counts the first of them as read
            at = len(body[:at].decode("utf-8", "replace"))  # bytes to characters
            if reason == "invalid character" and at < len(text):
                char = text[at]
                reason += f" {char!r}" if char.isprintable() else f" U+{ord(char):04X}"
            line, col = line_col(text, at)
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {reason}"]) from None
        if message == "Input data was truncated":
            line, col = line_col(text, len(text))
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {_TRUNCATED}"]) from None


#: How deep msgspec lets arrays and objects nest.
MAX_DEPTH = 1_000


def _too_deep(text: str) -> int:
    """Where the first bracket nested deeper than ``MAX_DEPTH`` opens (outside strings)."""
    depth = 0
    for token in TOKEN.finditer(text):
        kind = token.group()
        if kind in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif kind in "]}":
            depth -= 1
    return 0


def check_files(files: list[Path]) -> list[tuple[str, dict]]:
    """The full checker: every problem in every file, with file and place."""
    documents: list[tuple[str, dict]] = []
    problems: list[str] = []
    for file in files:
        try:
            doc = read_json(file)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        found = model.check_document(doc)
        problems.extend(f"{file}: {p}" for p in found)
        if isinstance(doc, dict):
            documents.append((str(file), model.without_bad_records(doc, found)))
    problems.extend(model.check_dataset(documents))
    if problems:
        raise DataError(file_order(problems, files))
    return documents


def file_order(problems: list[str], files: list[Path]) -> list[str]:
    """Problems grouped by file, in reading order (stable within a file)."""
    rank = {str(f): i for i, f in enumerate(files)}
    return sorted(problems, key=lambda p: rank.get(p.split(":", 1)[0], len(rank)))


#: Relations read per slice by ``relation_evidence``.
EVIDENCE_SLICE = 2_000


def relation_evidence(files: list[Path]) -> Iterator:
    """(file name, relation index, [(source, quote), ...]) for every relation in
    ``files``, which must have passed the checks already: a slice of relations at a
    time, only their evidence decoded."""
    import msgspec

    from .fast import json_array

    # other fields are skipped: the data is checked already
    quote = msgspec.defstruct("Quote", [("source", str), ("quote", str | None, None)])
    cited = msgspec.json.Decoder(list[msgspec.defstruct("Cited", [("evidence", list[quote])])])
    relations = msgspec.defstruct("Relations", [("relations", list[msgspec.Raw], [])])
    for file in files:
        raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
        spans = msgspec.json.decode(raw, type=relations).relations
        for start in range(0, len(spans), EVIDENCE_SLICE):
            piece = json_array(spans[start : start + EVIDENCE_SLICE])
            for i, rel in enumerate(cited.decode(piece), start):
                yield str(file), i, [(ev.source, ev.quote) for ev in rel.evidence]


#: Problems placed by their record's id and line (more are left as they are: reading a
#: large file again to place a million problems would take longer than it helps).
MAX_PLACED = 1000
_RECORD_PLACE = re.compile(
    r"^(?P<file>.+?): (?P<kind>sources|relation_types|entities|relations)\[(?P<index>\d+)\]"
    r"(?P<rest>.*)$",
    re.S,
)


def placed(problems: list[str]) -> list[dict[str, Any]]:
    """Each problem as {file, line, id, where, problem}: a problem about record i of a
    kind ("data.json: relations[4].type: ...") gets that record's id and the line its id
    is on (``line`` and ``id`` None when unknown, as for a file that is not JSON)."""
    texts: dict[str, Any] = {}
    rows = []
    for n, message in enumerate(problems):
        found = _RECORD_PLACE.match(message) if n < MAX_PLACED else None
        if found is None:
            rows.append(_unplaced(message))
            continue
        file, kind, index = found["file"], found["kind"], int(found["index"])
        rest = found["rest"]
        field, _, problem = rest.partition(": ")
        where = f"{kind}[{index}]{field}"
        record_id, line = _record_place(texts, file, kind, index)
        rows.append(
            {"file": file, "line": line, "id": record_id, "where": where, "problem": problem}
        )
    return rows


def placed_text(row: dict[str, Any]) -> str:
    """A placed problem as one line: 'data.json:12: relations[4] 'r4'.type: ...'."""
    file = f"{row['file']}:{row['line']}" if row["line"] else row["file"]
    where = row["where"]
    if row["id"] is not None:  # relations[4] -> relations[4] 'r4'
        cut = where.index("]") + 1
        where = f"{where[:cut]} '{row['id']}'{where[cut:]}"
    parts = [part for part in (file, where, row["problem"]) if part]
    return ": ".join(parts)


def _unplaced(message: str) -> dict[str, Any]:
    file, sep, rest = message.partition(": ")
    if not sep:
        return {"file": "", "line": None, "id": None, "where": "", "problem": message}
    line = None
    name, colon, position = file.partition(":")  # data.json:5:1: invalid JSON
    if colon and position.split(":")[0].isdigit():
        file, line = name, int(position.split(":")[0])
    where, sep, problem = rest.partition(": ")
    if not sep or " " in where:
        where, problem = "", rest
    return {"file": file, "line": line, "id": None, "where": where, "problem": problem}


def _record_place(texts: dict, file: str, kind: str, index: int) -> tuple[str | None, int | None]:
    """(id, line) of record ``index`` of ``kind`` in ``file`` (None when unknown)."""
    if file not in texts:
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
            texts[file] = (text, json.loads(text))
        except (OSError, ValueError):
            texts[file] = None
    if texts[file] is None:
        return None, None
    text, doc = texts[file]
    records = doc.get(kind) if isinstance(doc, dict) else None
    if not isinstance(records, list) or index >= len(records):
        return None, None
    record = records[index]
    record_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(record_id, str):
        return None, None
    start = re.search(rf'"{kind}"\s*:\s*\[', text)
    if start is None:
        return record_id, None
    quoted = re.escape(json.dumps(record_id, ensure_ascii=False)[1:-1])
    at = re.compile(rf'"id"\s*:\s*"{quoted}"').search(text, start.end())
    if at is None:
        return record_id, None
    return record_id, text.count("\n", 0, at.start()) + 1
