"""What every export format shares: the fields exported, text checks, atomic writes.

The formats themselves are the other modules of this package, one per format (see the
package docstring for the registry).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

import msgspec
import networkx as nx

from ..model import dates
from ..model.errors import ExportError
from ..model.records import CONTROL_CHARACTERS

ENTITY_FIELDS = ("name", "type", "aliases", "description", "identifiers", "lat", "lon")
RELATION_FIELDS = (
    "relation_id",
    "relation",
    "date",
    "date_text",
    "place",
    "certainty",
    "reported_by",
    "evidence",
    "note",
    "attributes",
)


encode_json = msgspec.json.Encoder().encode


def text_of(value: object) -> str:
    """A field as text: lists and objects as compact JSON (UTF-8 kept), the rest as str."""
    if isinstance(value, list | dict):
        return encode_json(value).decode("utf-8")
    return str(value)


def escape_text(text: str) -> str:
    """``xml.sax.saxutils.escape``, without the work when nothing needs escaping."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def quote_attribute(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``, without the work when nothing needs escaping."""
    return quoteattr(text) if ATTRIBUTE_SPECIAL.search(text) else f'"{text}"'


def check_text(value: str, where: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ExportError(f"{where}: contains a control character, which cannot be exported")
    return value


def entity_fields(graph: nx.MultiDiGraph, node: str) -> dict[str, object]:
    """An entity's exported fields, in order, absent ones left out."""
    attrs = graph.nodes[node]
    return {k: attrs[k] for k in ENTITY_FIELDS if k in attrs and attrs[k] not in (None, "", [])}


def relation_fields(key: str, attrs: dict) -> dict[str, object]:
    """A relation's exported fields, in order, absent ones left out."""
    values = {"relation_id": key, "relation": attrs["type"], **attrs}
    return {
        k: values[k] for k in RELATION_FIELDS if k in values and values[k] not in (None, "", [])
    }


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (lists as JSON), one type per name.

    Relation ids stay the edge keys and are also kept as a ``relation_id`` attribute;
    graph-level ``sources`` and ``relation_types`` become JSON text. Raises ExportError
    on text XML cannot carry (control characters), naming the entity or relation.
    """
    flat = nx.MultiDiGraph()
    flat.graph["sources"] = text_of(list(graph.graph.get("sources", {}).values()))
    flat.graph["relation_types"] = text_of(list(graph.graph.get("relation_types", {}).values()))
    for node in graph.nodes:
        check_text(str(node), f"entity id {node!r}")
        fields = entity_fields(graph, node)
        flat.add_node(
            node, **{k: check_text(text_of(v), f"entity '{node}' {k}") for k, v in fields.items()}
        )
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        flat.add_edge(
            u,
            v,
            key=key,
            **{k: check_text(text_of(x), f"relation '{key}' {k}") for k, x in fields.items()},
        )
    return flat


def xml_text(text: str, where: str) -> str:
    """``text`` escaped for XML, after refusing control characters (see ``check_text``)."""
    return escape(check_text(text, where))


def day_or_none(day: date) -> str | None:
    """A date bound as ISO text; None for an open end (the earliest or latest day)."""
    return None if day in (dates.MIN_DAY, dates.MAX_DAY) else day.isoformat()


def as_networkx(graph: Any, progress: Callable[..., None] | None = None) -> nx.MultiDiGraph:
    """``graph`` as a networkx MultiDiGraph: a part cut by ``queries.subgraph`` already
    is one; a store is read into one (``progress`` hears how many relations are read)."""
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    return graph.to_networkx(progress)


def prepare_target(output: str, force: bool) -> tuple[Path, Path]:
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{output}: folder '{folder}' does not exist")
    if (target.exists() or target.is_symlink()) and not force:
        raise ExportError(f"{output}: already exists (use --force to overwrite)")
    return target, folder


def _file_mode(target: Path, folder: bool = False) -> int:
    """The mode a new file (or ``folder``) would get (keeping an existing one's mode when
    replacing it)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def _temp_prefix(target: Path) -> str:
    """The prefix of a temporary file or folder written for ``target``, naming this
    process, after the stale ones of killed processes are removed (``_remove_stale``)."""
    _remove_stale(target.parent, f".{target.name}.")
    return f".{target.name}.{os.getpid()}."


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove the temporary files and folders beside a target that processes killed
    while writing left (their name holds their process id, and it no longer runs)."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        path = folder / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


def write_atomic(
    data: bytes | Callable[[BinaryIO], None], output: str, force: bool = False
) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``output`` ('-'
    for stdout) via a temporary file and rename.

    Refuses to replace an existing file unless ``force``. On any failure (or Ctrl-C)
    the temporary file is removed and an existing target is left untouched.
    """
    if output == "-":
        import sys

        if callable(data):
            data(sys.stdout.buffer)
        else:
            sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if Path(output).is_dir():
        raise ExportError(f"{output}: is a folder; give a file name")
    target, _ = prepare_target(output, force)
    replace_file(target, data, ExportError, output)


def replace_file(
    target: Path,
    data: bytes | Callable[[BinaryIO], None],
    error: type[Exception] = ExportError,
    shown: str | None = None,
) -> None:
    """Put ``data`` at ``target``: a temporary file in the same folder (named for this
    process, so a killed run's is removed by the next), fsynced, given the mode the
    file has or would get, then renamed over it. On any failure (or Ctrl-C) the
    temporary file is removed and an existing file is left as it was; an OSError becomes
    ``error`` naming ``shown`` (default: the target)."""
    shown = str(target) if shown is None else shown
    folder = target.parent
    try:
        handle, temp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise error(f"{shown}: cannot write in '{folder}' ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if callable(data):
                data(out)
            else:
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _file_mode(target))
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise error(f"{shown}: cannot write ({exc.strerror})") from None
        raise


def write_folder_atomic(files: dict[str, bytes], output: str, force: bool = False) -> None:
    """Write several files as one folder: built beside the target, then renamed into place.

    An existing folder is replaced only with ``force``, and only once the new one is
    complete; on failure nothing changes.
    """
    if output == "-":
        raise ExportError("this format writes a folder of files: give --output FOLDER, not '-'")
    target, folder = prepare_target(output, force)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{output}: is a file; this format writes a folder")
    try:
        temp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), dir=folder))
        os.chmod(temp, _file_mode(target, folder=True))  # (mkdtemp makes it 0700)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write in '{folder}' ({exc.strerror})") from None
    old = None
    try:
        for name, data in files.items():
            with open(temp / name, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=folder))
            os.replace(target, old / "previous")
        os.replace(temp, target)
    except BaseException as exc:
        if old is not None and not target.exists():
            os.replace(old / "previous", target)
        shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write ({exc.strerror})") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
