"""Opening a dataset: from the cache when it is current, else built (and kept) anew.

Large data is packed once into the user's cache folder and reused while the data files
stay as they are; small data is packed in memory on each run (a few milliseconds). A
pack found damaged, at opening or while a query reads it, is deleted and the question
answered again from the data files (``answer``): a damaged cache costs time, never a
wrong answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .. import __version__
from ..files.locate import data_files, with_vocabulary
from ..model.errors import DataChanged
from ..model.gcpause import paused_gc
from ..model.records import ENTITY_TYPES
from .format import PACK_FORMAT, PackDamaged, file_state, read_pack, remove_stale, write_pack
from .packed import PackedGraph
from .protocol import Progress, Store

T = TypeVar("T")

#: Data at least this large (bytes, all files) is packed to disk and reused.
PERSIST_THRESHOLD = 1_000_000


def cache_dir() -> Path:
    """Where packs live: $DIPLOGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/diplograph, else
    ~/.cache/diplograph."""
    explicit = os.environ.get("DIPLOGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diplograph"


def data_key(files: list[Path]) -> tuple[str, str]:
    """(pack file name, key): the name follows the data's location, the key its state.

    The state is each file's size, modification and change times, inode and device: any
    write to a file moves its change time (st_ctime), which, unlike the modification
    time, no one but the kernel can set back; a file replaced by another has another
    inode. So an edit that keeps the size and restores the modification time still
    changes the key."""
    where = hashlib.sha256(json.dumps([str(f.resolve()) for f in files]).encode()).hexdigest()
    key = json.dumps([PACK_FORMAT, __version__, ENTITY_TYPES, file_states(files)])
    return f"{where[:32]}.pack", hashlib.sha256(key.encode()).hexdigest()


def file_states(files: list[Path]) -> list[list]:
    """What ``data_key`` knows of each file's state (see there)."""
    return [[str(f.resolve()), *file_state(f.stat())] for f in files]


def cache_mode() -> str:
    """$DIPLOGRAPH_CACHE: 'auto' (default: persist large data), 'on' or 'off'."""
    mode = os.environ.get("DIPLOGRAPH_CACHE", "auto").lower()
    return mode if mode in ("auto", "on", "off") else "auto"


def answer(
    path: Path,
    question: Callable[[Store], T],
    progress: Progress | None = None,
    store: Store | None = None,
    reopened: Callable[[Store], None] | None = None,
) -> T:
    """``question(store)`` for the data at ``path``: the one call a command makes
    (``store``: the data already opened; ``reopened`` hears of a store opened anew).

    A cache found damaged while the question is answered (a record that does not decode
    or match its index, a section cut short) is deleted, and the question answered once
    more from a store built anew from the data files.
    """
    if store is None:
        store = open_store(path, progress)
    try:
        return question(store)
    except PackDamaged as damaged:
        where = damaged.path or store.path
        if where is None:  # built in memory from the data: it changed while read
            raise DataChanged() from None
        discard(Path(where))
    del store
    store = open_store(path, progress)
    if reopened is not None:
        reopened(store)
    try:
        return question(store)
    except PackDamaged:  # damaged twice in a row: the data is being changed
        raise DataChanged() from None


def discard(pack: Path) -> None:
    """Delete a pack and its search file (found damaged; rebuilt on the next read).
    Never raises: a pack that cannot be deleted is only not used."""
    for path in (pack, pack.with_suffix(".search")):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def open_store(path: Path, progress: Progress | None = None) -> PackedGraph:
    """The data at ``path`` as a PackedGraph, from the cache when it is current;
    ``progress`` hears the steps of building it (and, later, of its search file)."""
    packed = _open(path, progress)
    packed.progress = progress
    return packed


def _open(path: Path, progress: Progress | None) -> PackedGraph:
    files = with_vocabulary(data_files(path))
    mode = cache_mode()
    large = sum(f.stat().st_size for f in files) >= PERSIST_THRESHOLD
    persist = mode == "on" or (mode == "auto" and large)
    if not large:
        progress = None  # packed in a blink: no progress bar
    if persist:
        name, key = data_key(files)
        folder = cache_dir()
        target = folder / name
        remove_stale(folder)
        try:
            packed = PackedGraph(read_pack(target, key))
            packed.path, packed.key = target, key
            packed.sidecar = target.with_suffix(".search")
            return packed
        except PackDamaged:  # missing, stale or damaged: built anew below
            discard(target)
        states = file_states(files)
    # only when there is no pack
    from ..files.merged import merged_by_identifier
    from .build import build_sections, build_streaming, documents_for_pack

    keep = target.with_suffix(".merged.json") if persist else None
    with paused_gc(), merged_by_identifier(files, path, keep) as readable:
        # (a folder whose files share an identifier is read as one file merging them)
        read_states = file_states(readable)
        sections = build_streaming(readable, progress)
        if sections is None:  # a doubt: the full checker names every problem, or passes
            loaded = documents_for_pack(readable, progress, doubted=True)
            if progress:
                progress("indexing")
            sections = build_sections(loaded, [str(f) for f in readable])
            del loaded
        unchanged = file_states(readable) == read_states
        # a pack may read its records from the files, or from the merged file kept in
        # the cache folder, not from a temporary one (gone once this block ends)
        lasting = readable == files or (keep is not None and keep in readable)
    # (else the data changed while read: that run answers from what it read)
    if persist and lasting and unchanged and file_states(files) == states:
        if progress:
            progress("writing the cache")
        try:
            write_pack(target, key, sections)
            target.with_suffix(".search").unlink(missing_ok=True)
        except (OSError, PackDamaged):
            pass  # an unwritable cache folder only costs speed
        else:
            del sections
            try:
                packed = PackedGraph(read_pack(target, key))
            except PackDamaged:  # replaced at once by a run that read other data
                raise DataChanged() from None
            packed.path, packed.key, packed.sidecar = target, key, target.with_suffix(".search")
            return packed
    sections["rel_blob"] = sections["rel_blob"].join()
    return PackedGraph(sections)
