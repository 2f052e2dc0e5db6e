"""Finding and reading data files, and the full checker.

``data_files`` finds what to read (a file, or a folder's ``*.json``), ``read_json`` parses
one file with errors placed by line and column, and ``check_files`` runs every rule of
``model.records`` over all files, raising DataError with every problem found, each named
with its file and place. The fast paths (``fast``, ``stream``) agree with it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import records as model
from ..model.errors import DataError

ENV_VAR = "DIPLOGRAPH_DATA"
VOCABULARY_FILE = "vocabulary.json"
_NOT_DATA = {"schema.json", "cameo.json"}  # cameo.json: the importers' CAMEO mapping


def bundled_data_dir() -> Path:
    """The dataset shipped with diplograph (inside the wheel, or data/ in a source checkout)."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "data"
    return installed if installed.is_dir() else package.parents[1] / "data"


def data_files(path: Path) -> list[Path]:
    """The JSON data files at ``path`` (a file, or a folder's ``*.json`` in name order)."""
    if path.is_symlink() and not path.exists():
        raise DataError([f"{path}: broken symbolic link"])
    if not path.exists():
        raise DataError([f"{path}: no such file or folder"])
    if path.is_dir():
        files = sorted(
            p
            for p in path.glob("*.json")
            if p.name not in _NOT_DATA and not p.name.endswith(".schema.json")
        )
        if not files:
            raise DataError([f"{path}: no data files (*.json) in this folder"])
        return files
    return [path]


def _line_col(text: str, pos: int) -> tuple[int, int]:
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
        line, col = _line_col(good, len(good))
        byte = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise DataError([f"{path}:{line}:{col}: not UTF-8 text ({byte})"]) from None
    _check_syntax(path, text, raw.removeprefix(b"\xef\xbb\xbf"))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = not text[exc.pos :].strip() or exc.msg.startswith("Unterminated string")
        if truncated:
            line, col = _line_col(text, len(text))
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {_TRUNCATED}"]) from None
        reason = exc.msg.removesuffix(" at")  # "Invalid control character at"
        raise DataError([f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {reason}"]) from None
    except RecursionError:
        raise DataError([f"{path}: invalid JSON: nested too deeply"]) from None


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
        raise DataError([f"{path}: invalid JSON: nested too deeply"]) from None
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
            line, col = _line_col(text, at)
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {reason}"]) from None
        if message == "Input data was truncated":
            line, col = _line_col(text, len(text))
            raise DataError([f"{path}:{line}:{col}: invalid JSON: {_TRUNCATED}"]) from None


def resolve_data_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The data the user asked for: ``path``, else $DIPLOGRAPH_DATA, else the bundled dataset."""
    if path is not None and str(path) != "":
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else bundled_data_dir()


def with_vocabulary(files: list[Path]) -> list[Path]:
    """The data files, preceded by the bundled relation vocabulary unless already there."""
    vocabulary = bundled_data_dir() / VOCABULARY_FILE
    resolved = {f.resolve() for f in files}
    if vocabulary.exists() and vocabulary.resolve() not in resolved:
        return [vocabulary, *files]
    return files


def read_documents(path: Path) -> list[tuple[str, dict]]:
    """Read and check every file (always with the bundled vocabulary first).

    Raises DataError listing every problem in every file.
    """
    return check_files(with_vocabulary(data_files(path)))


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
