"""A data file as an editable document: read it, check a changed copy, write it back.

Writes keep the file's layout (indent, ASCII escapes, key order, final newline) so that
a change diffs as the lines of the records it touches: a new relation is appended to
``relations`` and shows as that relation's lines only. Every write goes to a temporary
file beside the target, is flushed and fsynced, then renamed over it (atomic on POSIX):
an error, a bad value or Ctrl-C leaves the old file as it was and no temporary file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import records as model
from ..model.errors import DataError
from . import CurationError

#: The JSON Schema ``init`` writes beside a new data file (folders skip it when loading).
SCHEMA_FILE = "schema.json"
#: The order of top-level keys in a file diplograph writes.
TOP_LEVEL = ("$schema", "schema_version", *model.RECORDS)
#: Where a source's text is stored, relative to its data file.
TEXTS_FOLDER = "sources"


@dataclass(frozen=True)
class Layout:
    """How a data file is written: what ``json.dumps`` needs to reproduce it."""

    indent: int | str | None = 2
    separators: tuple[str, str] | None = None
    ensure_ascii: bool = False
    final_newline: bool = True
    newline: str = "\n"

    @classmethod
    def of(cls, text: str) -> Layout:
        """The layout of an existing file's text (diplograph's own when unsure)."""
        newline = "\r\n" if "\r\n" in text else "\n"
        final_newline = text.endswith("\n")
        ensure_ascii = text.isascii() and "\\u" in text
        body = text.strip()
        if "\n" not in body:  # written on one line
            compact = '": ' not in body and '", ' not in body
            separators = (",", ":") if compact else None
            return cls(None, separators, ensure_ascii, final_newline, newline)
        indent = re.search(r"\n([ \t]+)\S", body)
        unit: int | str = 2
        if indent is not None:
            found = indent.group(1)
            unit = len(found) if set(found) == {" "} else found
        return cls(unit, None, ensure_ascii, final_newline, newline)

    def dumps(self, doc: dict) -> bytes:
        """``doc`` as the file's bytes."""
        text = json.dumps(
            doc, indent=self.indent, separators=self.separators, ensure_ascii=self.ensure_ascii
        )
        text += "\n" if self.final_newline else ""
        if self.newline != "\n":  # JSON strings hold no raw newline: only the layout's
            text = text.replace("\n", self.newline)
        return text.encode("utf-8")


@dataclass(frozen=True)
class DataFile:
    """One data file: where it is, its JSON object, and its layout."""

    path: Path
    doc: dict
    layout: Layout
    #: what the file was when read (size, modification time, inode): a write refuses to
    #: replace a file someone else changed since, rather than lose their change
    stamp: tuple[int, int, int] | None = None

    @classmethod
    def read(cls, path: Path) -> DataFile:
        """Read ``path``; DataError names the file and line when it is not a JSON object."""
        from ..check.files import read_json

        stamp = _stamp(path)
        doc = read_json(path)
        if not isinstance(doc, dict):
            raise DataError([f"{path}: expected a JSON object at the top level"])
        text = path.read_bytes().decode("utf-8-sig")
        return cls(path, doc, Layout.of(text), stamp)

    def records(self, kind: str) -> list[dict]:
        """The file's records of ``kind`` (a list, possibly empty)."""
        found = self.doc.get(kind, [])
        return found if isinstance(found, list) else []

    def source(self, source_id: str) -> dict | None:
        """The file's source record with this id, or None."""
        return next((s for s in self.records("sources") if s.get("id") == source_id), None)

    def text_path(self, source: dict) -> Path | None:
        """Where the source's text is stored (its ``text`` field, relative to this file)."""
        text = source.get("text")
        return self.path.parent / text if isinstance(text, str) and text.strip() else None

    def save(self, doc: dict) -> DataFile:
        """Check ``doc`` as this file's new content, then write it atomically (through a
        symbolic link to the file it names)."""
        check(doc, self.path)
        data = self.layout.dumps(doc)
        if self.stamp is not None and _stamp(self.path) != self.stamp:
            raise CurationError(
                f"{self.path}: changed by another program while this command ran; "
                "nothing written (run the command again)"
            )
        write_atomic(Path(os.path.realpath(self.path)), data)
        return DataFile(self.path, doc, self.layout, _stamp(self.path))


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def ordered(doc: dict) -> dict:
    """``doc`` with its top-level keys in the canonical order (unknown ones last)."""
    known = {k: doc[k] for k in TOP_LEVEL if k in doc}
    return {**known, **{k: v for k, v in doc.items() if k not in known}}


def check(doc: dict, path: Path) -> None:
    """Raise DataError with every problem ``doc`` would have as the file at ``path``
    (read with the bundled relation vocabulary, as every command reads it)."""
    from ..check.files import check_files
    from ..files.locate import with_vocabulary

    name = str(path)
    others = [f for f in with_vocabulary([path]) if f != path]
    if _certainly_valid(doc, others):
        return
    documents = check_files(others) if others else []
    shape = model.check_document(doc)
    problems = [f"{name}: {p}" for p in shape]
    documents.append((name, model.without_bad_records(doc, shape)))
    problems.extend(model.check_dataset(documents))
    if problems:
        raise DataError(problems)


def _certainly_valid(doc: dict, others: list[Path]) -> bool:
    """True when the fast checker (``fastcheck``, in C) vouches for ``doc`` read with
    ``others``; False sends it to the full checker, which names every problem (so a
    large file is checked in a second or two, not in a minute)."""
    import msgspec

    from ..check.fast import cross_check_fast, decode_fast

    try:
        found = [decode_fast(f.read_bytes()) for f in others]
        found.append(decode_fast(msgspec.json.encode(doc)))
    except (OSError, TypeError, ValueError, UnicodeError, OverflowError):
        return False
    if any(f is None for f in found):
        return False
    return cross_check_fast([f[0] for f in found if f is not None])


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``files.atomic.replace_file``: a
    temporary file, fsynced, renamed over it, the folder synced so the rename survives a
    crash; nothing changes on failure), a failure told as a ``CurationError``."""
    from ..files.atomic import replace_file

    replace_file(path, data, CurationError)


def empty_document(schema_ref: str) -> dict[str, Any]:
    """A valid data file with no records, pointing editors at ``schema_ref``."""
    return {
        "$schema": schema_ref,
        "schema_version": model.SCHEMA_VERSION,
        "sources": [],
        "entities": [],
        "relations": [],
    }


def init(path: Path, force: bool = False) -> list[Path]:
    """Write an empty data file at ``path`` and, unless one is there, the JSON Schema
    beside it (``schema.json``, which loading a folder skips). Returns what was written.
    Refuses to replace an existing file unless ``force``."""
    if path.is_dir():
        raise CurationError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise CurationError(f"{path}: folder '{path.parent}' does not exist")
    if path.exists() and not force:
        raise CurationError(f"{path}: already exists (use --force to overwrite)")
    if path.name == SCHEMA_FILE:
        raise CurationError(f"{path}: '{SCHEMA_FILE}' is where the schema goes; pick another name")
    schema = model.json_schema()
    schema_path = path.parent / SCHEMA_FILE
    written = []
    ours = False
    if schema_path.exists():
        try:
            ours = json.loads(schema_path.read_text(encoding="utf-8")).get("$id") == schema["$id"]
        except (OSError, ValueError, AttributeError):
            ours = False
    else:
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        write_atomic(schema_path, text.encode("utf-8"))
        written.append(schema_path)
        ours = True
    doc = empty_document(f"./{SCHEMA_FILE}" if ours else schema["$id"])
    write_atomic(path, Layout().dumps(doc))
    return [path, *written]


def store_text(data_path: Path, source_id: str, text: str, force: bool = False) -> str:
    """Store a source's text beside the data file (``sources/<id>.txt``); returns that
    path relative to the data file, as the source's ``text`` field records it."""
    relative = f"{TEXTS_FOLDER}/{source_id}.txt"
    target = data_path.parent / relative
    data = text.encode("utf-8")
    if target.exists() and not force and target.read_bytes() != data:
        raise CurationError(f"{target}: already exists with other text (use --force to replace it)")
    try:
        target.parent.mkdir(exist_ok=True)
    except OSError as exc:
        raise CurationError(f"{target.parent}: cannot create ({exc.strerror})") from None
    write_atomic(target, data)
    return relative


def read_text(path: Path) -> str:
    """A source text file's text (UTF-8, a byte order mark dropped)."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CurationError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CurationError(f"{path}: not UTF-8 text") from None


def text_relative(source_id: str) -> str:
    """Where ``add source --text`` stores a source's text, relative to the data file."""
    return f"{TEXTS_FOLDER}/{source_id}.txt"


@dataclass
class SourceTexts:
    """The stored texts of the sources of some data files, and those not available."""

    texts: dict[str, str]
    #: (source id, why its quotes cannot be checked), a text recorded but missing
    missing: list[tuple[str, str]]
    #: ids of sources that record no text
    unrecorded: list[str]


def source_texts(files: list[Path], given: dict[str, str] | None = None) -> SourceTexts:
    """Each source's stored text (its ``text`` field, relative to its file), for the
    sources in ``files`` not in ``given`` (texts passed by hand win)."""
    import msgspec

    head = msgspec.defstruct("Head", [("sources", list[dict[str, Any]], [])])
    given = given or {}
    found = SourceTexts({}, [], [])
    for file in files:
        try:
            raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
            sources = msgspec.json.decode(raw, type=head).sources
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            continue  # the checks already said what is wrong with it
        for source in sources:
            sid = source.get("id")
            if not isinstance(sid, str) or sid in given:
                continue
            text = source.get("text")
            if not isinstance(text, str) or not text.strip():
                found.unrecorded.append(sid)
                continue
            path = file.parent / text
            if not path.exists():
                found.missing.append((sid, f"{_shown(path)} is missing{obtain_hint(source)}"))
                continue
            try:
                found.texts[sid] = read_text(path)
            except CurationError as exc:
                found.missing.append((sid, str(exc)))
    return found


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when inside it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def obtain_hint(source: dict) -> str:
    """ " (obtain it from URL)", or what identifies the source when it has no url."""
    if source.get("url"):
        return f" (obtain it from {source['url']})"
    about = ", ".join(str(source[k]) for k in ("publisher", "published") if source.get(k))
    return f" (obtain the text of “{source.get('title', source['id'])}”, {about})"
