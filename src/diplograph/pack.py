"""A compact, indexed form of the data that queries read without building the whole graph.

``PackedGraph`` answers the same questions as the networkx graph (``query`` works on
either) but keeps relations as arrays and JSON blobs, decoding only what a query
touches: ``who-met`` on a million relations decodes a few dozen records. Packs of large
data are written to the user's cache folder so that later queries skip parsing and
validation entirely; small data is packed in memory on each run (a few milliseconds).

The pack file holds only JSON, msgpack and raw integer arrays: nothing is executed or
unpickled. It is keyed by the data files' paths, sizes, modification times and inodes
(and diplograph's version); any change rebuilds it. A pack that fails its checks (wrong
magic, header or key, sections out of bounds, a record that does not decode) is
deleted and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import sys
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from . import __version__, dates
from .model import CERTAINTY, ENTITY_TYPES, RECORDS, SCHEMA_VERSION
from .resolve import fold

PACK_FORMAT = 1
MAGIC = b"DIPLOGRAPH-PACK\x01"
#: Data at least this large (bytes, all files) is packed to disk and reused.
PERSIST_THRESHOLD = 1_000_000
CERTAINTY_CODES = {level: i for i, level in enumerate(CERTAINTY)}
_SEARCH_SEPARATOR = "\x00"  # between folded texts in the search blobs; fold() keeps it


from .errors import CacheDamaged as PackDamaged  # noqa: E402  (a pack failing its checks)

# -- fast validating decoder ---------------------------------------------------------------
# msgspec Structs generated from model.RECORDS (the one description of the format), so the
# fast path and the readable-message path cannot disagree on what is valid.

_NON_EMPTY = msgspec.Meta(min_length=1)


def _struct_field(spec) -> Any:
    from typing import Annotated, Literal

    if spec.kind == "boolean":
        kind: Any = bool
    elif spec.kind == "strings":
        kind = list[Annotated[str, _NON_EMPTY]]
    elif spec.kind == "evidence":
        kind = Annotated[list[Evidence], _NON_EMPTY]
    elif spec.enum:
        kind = Literal[spec.enum]
    elif spec.pattern:
        kind = Annotated[str, msgspec.Meta(min_length=1, pattern=spec.pattern)]
    else:
        kind = Annotated[str, _NON_EMPTY]
    if spec.required:
        return (spec.name, kind)
    return (spec.name, kind | None, None)


def _defstruct(name: str, fields) -> type[msgspec.Struct]:
    ordered = sorted(fields, key=lambda f: not f.required)  # required fields first
    return msgspec.defstruct(
        name,
        [_struct_field(f) for f in ordered],
        forbid_unknown_fields=True,
        omit_defaults=True,
        gc=False,
    )


from .model import EVIDENCE_FIELDS  # noqa: E402

Evidence = _defstruct("Evidence", EVIDENCE_FIELDS)
Source = _defstruct("Source", RECORDS["sources"])
RelationType = _defstruct("RelationType", RECORDS["relation_types"])
Entity = _defstruct("Entity", RECORDS["entities"])
Relation = _defstruct("Relation", RECORDS["relations"])
Document = msgspec.defstruct(
    "Document",
    [
        ("schema_version", int),
        ("sources", list[Source], []),
        ("relation_types", list[RelationType], []),
        ("entities", list[Entity], []),
        ("relations", list[Relation], []),
    ],
    forbid_unknown_fields=True,
    gc=False,
)

# Escaped control characters or a whitespace-only string somewhere in the raw bytes: the
# fast path cannot tell where, so the file goes through the full checker.
_SUSPICIOUS = __import__("re").compile(
    rb"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u2028|\\u2029|\\u[dD][89a-fA-F]|\\[rbf]|\\u[fF][fF][fF][eEfF]"
    rb'|"(?:\s|\\[nt])+"'
)


def decode_fast(raw: bytes) -> Any | None:
    """The document as Structs when it is certainly valid on its own, else None.

    None sends the file to ``model.check_document``, which names every problem.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if _SUSPICIOUS.search(raw):
        return None
    try:
        doc = msgspec.json.decode(raw, type=Document)
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError):
        return None
    if doc.schema_version != SCHEMA_VERSION:
        return None
    return doc


def cross_check_fast(documents: list[Any]) -> bool:
    """True when the merged documents pass every cross-record rule (fast, no messages)."""
    entities = [e.id for d in documents for e in d.entities]
    entity_set = set(entities)
    if len(entity_set) != len(entities):
        return False
    sources = {s.id for d in documents for s in d.sources}
    if len(sources) != sum(len(d.sources) for d in documents):
        return False
    types: dict[str, Any] = {}
    for d in documents:
        for t in d.relation_types:
            if t.id in types and types[t.id] != t:
                return False
            types[t.id] = t
    relations = [r for d in documents for r in d.relations]
    if len({r.id for r in relations}) != len(relations):
        return False
    ends = {r.source for r in relations} | {r.target for r in relations}
    ends |= {r.place for r in relations if r.place is not None}
    ends |= {r.reported_by for r in relations if r.reported_by is not None}
    if not ends <= entity_set:
        return False
    if not {r.type for r in relations} <= set(types):
        return False
    if any(r.source == r.target for r in relations):
        return False
    if any(r.certainty == "reported" and r.reported_by is None for r in relations):
        return False
    if not {e.source for r in relations for e in r.evidence} <= sources:
        return False
    try:
        for text in {r.date for r in relations if r.date is not None}:
            dates.parse(text)
        for s in (s for d in documents for s in d.sources):
            dates.parse(s.published)
    except dates.DateError:
        return False
    return True


# -- building ------------------------------------------------------------------------------


def _concat(blobs: list[bytes]) -> tuple[bytes, array]:
    offsets = array("q", [0])
    total = 0
    for blob in blobs:
        total += len(blob)
        offsets.append(total)
    return b"".join(blobs), offsets


def _csr(ends: array, count: int) -> tuple[array, array]:
    """Compressed adjacency: for node n, relation indices rel[off[n]:off[n+1]]."""
    offsets = array("i", bytes(4 * (count + 1)))
    for end in ends:
        offsets[end + 1] += 1
    running = 0
    for i in range(count + 1):
        running += offsets[i]
        offsets[i] = running
    fill = array("i", offsets[:-1])
    rel = array("i", bytes(4 * len(ends)))
    for i, end in enumerate(ends):
        rel[fill[end]] = i
        fill[end] += 1
    return offsets, rel


def build_sections(documents: list[Any], files: list[str]) -> dict[str, Any]:
    """Everything a PackedGraph needs, from checked Documents (Structs)."""
    encode = msgspec.json.Encoder().encode
    entities = [e for d in documents for e in d.entities]
    relations = [r for d in documents for r in d.relations]
    ids = [e.id for e in entities]
    index = {node: i for i, node in enumerate(ids)}
    sources = {s.id: msgspec.structs.asdict(s) for d in documents for s in d.sources}
    rtypes = {t.id: msgspec.structs.asdict(t) for d in documents for t in d.relation_types}
    for table in (sources, rtypes):
        for record in table.values():
            for key in [k for k, v in record.items() if v is None]:
                del record[key]
    type_names = sorted({r.type for r in relations} | set(rtypes))
    type_code = {t: i for i, t in enumerate(type_names)}
    parsed = {text: dates.parse(text) for text in {r.date for r in relations if r.date}}
    ent_blob, ent_off = _concat([encode(e) for e in entities])
    rel_blob, rel_off = _concat([encode(r) for r in relations])
    src = array("i", [index[r.source] for r in relations])
    dst = array("i", [index[r.target] for r in relations])
    lo = array("i", [parsed[r.date].lower.toordinal() if r.date else 0 for r in relations])
    hi = array("i", [parsed[r.date].upper.toordinal() if r.date else 0 for r in relations])
    out_off, out_rel = _csr(src, len(ids))
    in_off, in_rel = _csr(dst, len(ids))
    exact: dict[str, list[int]] = {}
    surname: dict[str, list[int]] = {}
    for i, e in enumerate(entities):
        for name in (e.id, e.name, *(e.aliases or ())):
            key = fold(name)
            if not key:
                continue
            bucket = exact.setdefault(key, [])
            if not bucket or bucket[-1] != i:
                bucket.append(i)
            if e.type == "person" and " " in key:
                last = surname.setdefault(key.rsplit(" ", 1)[1], [])
                if not last or last[-1] != i:
                    last.append(i)
    reported: dict[str, list[int]] = {}
    for i, r in enumerate(relations):
        if r.reported_by is not None:
            reported.setdefault(r.reported_by, []).append(i)
    return {
        "meta": {
            "files": files,
            "sources": sources,
            "relation_types": rtypes,
            "type_names": type_names,
            "ids": ids,
            "exact": exact,
            "surname": surname,
            "reported": reported,
        },
        "ent_blob": ent_blob,
        "ent_off": ent_off,
        "rel_blob": rel_blob,
        "rel_off": rel_off,
        "src": src,
        "dst": dst,
        "type": array("H", [type_code[r.type] for r in relations]),
        "certainty": array("B", [CERTAINTY_CODES[r.certainty] for r in relations]),
        "lo": lo,
        "hi": hi,
        "out_off": out_off,
        "out_rel": out_rel,
        "in_off": in_off,
        "in_rel": in_rel,
    }


_ARRAY_SECTIONS = {
    "ent_off": "q",
    "rel_off": "q",
    "src": "i",
    "dst": "i",
    "type": "H",
    "certainty": "B",
    "lo": "i",
    "hi": "i",
    "out_off": "i",
    "out_rel": "i",
    "in_off": "i",
    "in_rel": "i",
}


def write_pack(path: Path, key: str, sections: dict[str, Any]) -> None:
    """Write a pack atomically (temporary file, then rename)."""
    blobs: dict[str, bytes] = {}
    for name, value in sections.items():
        if name == "meta":
            blobs[name] = msgspec.msgpack.encode(value)
        elif isinstance(value, array):
            blobs[name] = value.tobytes()
        else:
            blobs[name] = bytes(value)
    layout: dict[str, list[int]] = {}
    offset = 0
    for name, blob in blobs.items():
        layout[name] = [offset, len(blob)]
        offset += len(blob)
    header = msgspec.msgpack.encode(
        {
            "format": PACK_FORMAT,
            "key": key,
            "layout": layout,
            "byteorder": sys.byteorder,
            "size": offset,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".pack.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC)
            out.write(len(header).to_bytes(4, "little"))
            out.write(header)
            for blob in blobs.values():
                out.write(blob)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_pack(path: Path, key: str) -> dict[str, Any]:
    """Map a pack file; raise PackDamaged if anything about it is off."""
    try:
        with open(path, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise PackDamaged(str(exc)) from None
    try:
        if mapped[: len(MAGIC)] != MAGIC:
            raise PackDamaged("bad magic")
        size = int.from_bytes(mapped[len(MAGIC) : len(MAGIC) + 4], "little")
        start = len(MAGIC) + 4
        header = msgspec.msgpack.decode(mapped[start : start + size])
        body = start + size
        if (
            not isinstance(header, dict)
            or header.get("format") != PACK_FORMAT
            or header.get("key") != key
            or header.get("byteorder") != sys.byteorder
            or body + header.get("size", -1) != len(mapped)
        ):
            raise PackDamaged("stale or foreign pack")
        layout = header["layout"]
        if set(layout) != {"meta", "ent_blob", "rel_blob", *_ARRAY_SECTIONS}:
            raise PackDamaged("sections missing")
        sections: dict[str, Any] = {}
        for name, (offset, length) in layout.items():
            if offset < 0 or length < 0 or body + offset + length > len(mapped):
                raise PackDamaged(f"section {name} out of bounds")
            view = memoryview(mapped)[body + offset : body + offset + length]
            if name == "meta":
                sections[name] = msgspec.msgpack.decode(view)
            elif name in _ARRAY_SECTIONS:
                values = array(_ARRAY_SECTIONS[name])
                if length % values.itemsize:
                    raise PackDamaged(f"section {name} has a bad length")
                values.frombytes(view)
                sections[name] = values
            else:
                sections[name] = view
        return sections
    except (msgspec.DecodeError, KeyError, TypeError, ValueError) as exc:
        raise PackDamaged(str(exc)) from None


# -- the graph view ------------------------------------------------------------------------


class _Nodes:
    """``graph.nodes``: id -> attribute dict, decoded on first use."""

    def __init__(self, packed: PackedGraph):
        self._packed = packed

    def __getitem__(self, node: str) -> dict:
        return self._packed.node_attrs(self._packed.index[node])

    def __contains__(self, node: object) -> bool:
        return node in self._packed.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed.ids)

    def __len__(self) -> int:
        return len(self._packed.ids)

    def __call__(self, data: bool = False):
        if not data:
            return iter(self._packed.ids)
        return ((n, self._packed.node_attrs(i)) for i, n in enumerate(self._packed.ids))


class PackedGraph:
    """A read-only MultiDiGraph look-alike over pack sections (see module docstring).

    Supports what ``query`` uses: ``graph``, ``nodes``, ``in``, iteration, ``out_edges`` /
    ``in_edges`` / ``edges`` (keys=True, data=True), ``degree``, ``number_of_*``; plus
    array-backed ``fast_steps`` for path search and ``search_*`` helpers.
    """

    def __init__(self, sections: dict[str, Any]):
        meta = sections["meta"]
        self._s = sections
        self.ids: list[str] = meta["ids"]
        self.index = {node: i for i, node in enumerate(self.ids)}
        self.graph = {
            "sources": meta["sources"],
            "relation_types": meta["relation_types"],
            "files": meta["files"],
        }
        self.type_names: list[str] = meta["type_names"]
        self.exact: dict[str, list[int]] = meta["exact"]
        self.surname: dict[str, list[int]] = meta["surname"]
        self.reported: dict[str, list[int]] = meta["reported"]
        self.nodes = _Nodes(self)
        self._node_cache: dict[int, dict] = {}
        self._edge_cache: dict[int, tuple] = {}
        self._decode = msgspec.json.Decoder().decode
        self._search = None
        self.path: Path | None = None  # the pack file, when read from the cache
        self.sidecar: Path | None = None  # where a persisted pack keeps its search index
        self.key = ""

    # networkx-like surface ---------------------------------------------------------------

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return True

    def number_of_nodes(self) -> int:
        return len(self.ids)

    def number_of_edges(self) -> int:
        return len(self._s["src"])

    def node_attrs(self, i: int) -> dict:
        attrs = self._node_cache.get(i)
        if attrs is None:
            off = self._s["ent_off"]
            try:
                record = self._decode(self._s["ent_blob"][off[i] : off[i + 1]])
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
            record.pop("id", None)
            record.setdefault("aliases", [])
            record.setdefault("description", "")
            attrs = self._node_cache[i] = record
        return attrs

    def edge(self, i: int) -> tuple[str, str, str, dict]:
        """Relation i as (source, target, id, attributes)."""
        found = self._edge_cache.get(i)
        if found is None:
            off = self._s["rel_off"]
            try:
                record = self._decode(self._s["rel_blob"][off[i] : off[i + 1]])
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
            key = record.pop("id")
            u, v = record.pop("source"), record.pop("target")
            found = self._edge_cache[i] = (u, v, key, record)
        return found

    def _incident(self, node: str, offsets: str, rels: str) -> list[tuple]:
        i = self.index[node]
        off, rel = self._s[offsets], self._s[rels]
        return [self.edge(r) for r in rel[off[i] : off[i + 1]]]

    def out_edges(self, node: str, keys: bool = True, data: bool = True) -> list[tuple]:
        return self._incident(node, "out_off", "out_rel")

    def in_edges(self, node: str, keys: bool = True, data: bool = True) -> list[tuple]:
        return self._incident(node, "in_off", "in_rel")

    def edges(self, keys: bool = True, data: bool = True) -> Iterator[tuple]:
        return (self.edge(i) for i in range(self.number_of_edges()))

    def degree(self, node: str | None = None):
        out_off, in_off = self._s["out_off"], self._s["in_off"]

        def one(i: int) -> int:
            return out_off[i + 1] - out_off[i] + in_off[i + 1] - in_off[i]

        if node is not None:
            return one(self.index[node])
        return ((n, one(i)) for i, n in enumerate(self.ids))

    def reported_by(self, node: str) -> list[tuple]:
        """Relations whose ``reported_by`` is ``node``."""
        return [self.edge(i) for i in self.reported.get(node, [])]

    # fast paths ----------------------------------------------------------------------------

    def edge_filter(self, filters) -> Callable[[int], bool] | None:
        """A test on relation indices equivalent to ``filters.accepts``, from arrays only."""
        if (
            filters.relation_types == frozenset()
            and not filters.certainty
            and (filters.since is None and filters.until is None)
        ):
            return None
        s = self._s
        types = None
        if filters.relation_types:
            types = {i for i, t in enumerate(self.type_names) if t in filters.relation_types}
        levels = {CERTAINTY_CODES[c] for c in filters.certainty} if filters.certainty else None
        since = filters.since.toordinal() if filters.since else None
        until = filters.until.toordinal() if filters.until else None
        rtype, cert, lo, hi = s["type"], s["certainty"], s["lo"], s["hi"]

        def accepts(i: int) -> bool:
            if types is not None and rtype[i] not in types:
                return False
            if levels is not None and cert[i] not in levels:
                return False
            if since is None and until is None:
                return True
            if lo[i] == 0:
                return False
            if since is not None and hi[i] < since:
                return False
            return not (until is not None and lo[i] > until)

        return accepts

    def fast_steps(self, node: str, direction: str, accepts, avoid) -> Iterator[tuple[str, int]]:
        """(next node, relation index) one hop from ``node``; see query._steps."""
        s, ids = self._s, self.ids
        i = self.index[node]
        if direction in ("out", "both"):
            off, rel, far = s["out_off"], s["out_rel"], s["dst"]
            for r in rel[off[i] : off[i + 1]]:
                if accepts is None or accepts(r):
                    nxt = ids[far[r]]
                    if nxt not in avoid:
                        yield nxt, r
        if direction in ("in", "both"):
            off, rel, far = s["in_off"], s["in_rel"], s["src"]
            for r in rel[off[i] : off[i + 1]]:
                if accepts is None or accepts(r):
                    nxt = ids[far[r]]
                    if nxt not in avoid:
                        yield nxt, r

    def endpoints(self, accepts) -> Iterator[tuple[str, str]]:
        """(source, target) of every relation passing ``accepts`` (None: all)."""
        ids, src, dst = self.ids, self._s["src"], self._s["dst"]
        for r in range(len(src)):
            if accepts is None or accepts(r):
                yield ids[src[r]], ids[dst[r]]

    def bounds(self, r: int) -> tuple[date, date] | None:
        lo = self._s["lo"][r]
        if lo == 0:
            return None
        return date.fromordinal(lo), date.fromordinal(self._s["hi"][r])

    def _record(self, blob: str, offsets: str, i: int) -> dict:
        off = self._s[offsets]
        try:
            return self._decode(self._s[blob][off[i] : off[i + 1]])
        except msgspec.DecodeError as exc:
            raise PackDamaged(str(exc), self.path) from None

    def search_index(self):
        """The SearchIndex for ``query.search``, from the sidecar file when current."""
        if self._search is None:
            self._search = self._load_search() or self._build_search()
        return self._search

    def _search_parts(self, parts: dict) -> Any:
        from .query import SearchIndex

        owner_rel, owner_pos = parts["owner_rel"], parts["owner_pos"]
        return SearchIndex(
            sorted(self.exact),
            [self.ids[i] for i in parts["desc_node"]],
            (parts["desc_blob"], list(parts["desc_starts"])),
            (parts["quote_blob"], list(parts["quote_starts"])),
            lambda i: self.edge(owner_rel[i]),
            lambda i: owner_pos[i],
        )

    def _build_search(self) -> Any:
        desc_node, descriptions = array("i"), []
        for i in range(len(self.ids)):
            text = self._record("ent_blob", "ent_off", i).get("description")
            if text:
                desc_node.append(i)
                descriptions.append(text)
        owner_rel, owner_pos, quotes = array("i"), array("i"), []
        for r in range(self.number_of_edges()):
            for position, ev in enumerate(self._record("rel_blob", "rel_off", r)["evidence"]):
                owner_rel.append(r)
                owner_pos.append(position)
                quotes.append(ev["quote"])
        desc_blob, desc_starts = search_blob(descriptions)
        quote_blob, quote_starts = search_blob(quotes)
        parts = {
            "desc_node": desc_node,
            "desc_blob": desc_blob,
            "desc_starts": array("q", desc_starts),
            "quote_blob": quote_blob,
            "quote_starts": array("q", quote_starts),
            "owner_rel": owner_rel,
            "owner_pos": owner_pos,
        }
        if self.sidecar is not None:
            self._save_search(parts)
        return self._search_parts(parts)

    def _save_search(self, parts: dict) -> None:
        payload = {
            "key": self.key,
            **{k: v.tobytes() if isinstance(v, array) else v for k, v in parts.items()},
        }
        try:
            handle, temp = tempfile.mkstemp(prefix=".search.", dir=self.sidecar.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(msgspec.msgpack.encode(payload))
            os.replace(temp, self.sidecar)
        except OSError:
            pass  # only costs speed next time

    def _load_search(self) -> Any:
        if self.sidecar is None or not self.sidecar.exists():
            return None
        try:
            payload = msgspec.msgpack.decode(self.sidecar.read_bytes())
            if not isinstance(payload, dict) or payload.get("key") != self.key:
                return None
            parts = {"desc_blob": payload["desc_blob"], "quote_blob": payload["quote_blob"]}
            for name, code in (
                ("desc_node", "i"),
                ("desc_starts", "q"),
                ("quote_starts", "q"),
                ("owner_rel", "i"),
                ("owner_pos", "i"),
            ):
                values = array(code)
                values.frombytes(payload[name])
                parts[name] = values
            if len(parts["owner_rel"]) != len(parts["quote_starts"]):
                return None
            return self._search_parts(parts)
        except (OSError, msgspec.DecodeError, KeyError, TypeError, ValueError):
            return None

    def to_networkx(self):
        """The whole graph as a networkx MultiDiGraph (for stats, export, k paths)."""
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.graph.update(self.graph)
        graph.add_nodes_from((n, self.node_attrs(i)) for i, n in enumerate(self.ids))
        graph.add_edges_from((u, v, k, a) for u, v, k, a in self.edges())
        return graph


# -- opening data --------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where packs live: $DIPLOGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/diplograph, else
    ~/.cache/diplograph."""
    explicit = os.environ.get("DIPLOGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diplograph"


def data_key(files: list[Path]) -> tuple[str, str]:
    """(pack file name, key): the name follows the data's location, the key its state."""
    where = hashlib.sha256(json.dumps([str(f.resolve()) for f in files]).encode()).hexdigest()
    state = []
    for f in files:
        st = f.stat()
        state.append([str(f.resolve()), st.st_size, st.st_mtime_ns, st.st_ino])
    key = json.dumps([PACK_FORMAT, __version__, ENTITY_TYPES, state])
    return f"{where[:32]}.pack", hashlib.sha256(key.encode()).hexdigest()


def cache_mode() -> str:
    """$DIPLOGRAPH_CACHE: 'auto' (default: persist large data), 'on' or 'off'."""
    mode = os.environ.get("DIPLOGRAPH_CACHE", "auto").lower()
    return mode if mode in ("auto", "on", "off") else "auto"


def open_packed(path: Path, progress: Callable[[str], None] | None = None) -> PackedGraph:
    """The data at ``path`` as a PackedGraph, from the cache when it is current."""
    from .load import data_files, documents_for_pack, with_vocabulary

    files = with_vocabulary(data_files(path))
    mode = cache_mode()
    persist = mode == "on" or (
        mode == "auto" and sum(f.stat().st_size for f in files) >= PERSIST_THRESHOLD
    )
    if persist:
        name, key = data_key(files)
        target = cache_dir() / name
        if target.exists():
            try:
                packed = PackedGraph(read_pack(target, key))
                packed.path, packed.key = target, key
                packed.sidecar = target.with_suffix(".search")
                return packed
            except PackDamaged:
                target.unlink(missing_ok=True)
    documents = documents_for_pack(files, progress)
    if progress:
        progress("indexing")
    sections = build_sections(documents, [str(f) for f in files])
    packed = PackedGraph(sections)
    if persist:
        if progress:
            progress("writing the cache")
        try:
            write_pack(target, key, sections)
            target.with_suffix(".search").unlink(missing_ok=True)
            packed.sidecar, packed.key = target.with_suffix(".search"), key
        except OSError:
            pass  # an unwritable cache folder only costs speed
    return packed


def search_blob(texts: list[str]) -> tuple[str, list[int]]:
    """Folded texts joined by a separator, and where each starts (for substring search)."""
    folded = fold(_SEARCH_SEPARATOR.join(texts)) if texts else ""
    starts = [0]
    position = folded.find(_SEARCH_SEPARATOR)
    while position != -1:
        starts.append(position + 1)
        position = folded.find(_SEARCH_SEPARATOR, position + 1)
    return folded, starts


def blob_hits(blob: str, starts: list[int], needle: str) -> list[int]:
    """Indices of the texts in ``blob`` that contain ``needle``."""
    hits: list[int] = []
    position = blob.find(needle)
    while position != -1:
        item = bisect_right(starts, position) - 1
        if not hits or hits[-1] != item:
            hits.append(item)
        following = starts[item + 1] if item + 1 < len(starts) else len(blob)
        position = blob.find(needle, following)
    return hits
