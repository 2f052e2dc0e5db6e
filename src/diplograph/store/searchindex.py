"""What search scans, as the store hands it over: name candidates and folded texts.

``SearchIndex`` is the search index a ``Store`` gives (``Store.search_index``): name
candidates compared by edit similarity, and every description and evidence quote folded
(``model.text.fold``), as UTF-8, joined by NULs, with where each text starts. Quotes lie
in slices, within each by the ``label_key`` of the row their relation makes in search
results, so ``first_quotes`` meets matches in the order of the rows and stops once no
further one can make the list. The packed store keeps all of it in its search file
(``store.searchfile``), read in place.
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

#: Candidates compared with a search text at a time (``NameCandidates.matches``): the
#: texts of a batch are held as strings, never those of every name.
MATCH_BATCH = 20_000


class NameCandidates:
    """What names are compared with: every folded key of the name index and every word
    of the several-word keys, each distinct text once, sorted by (length, text).

    Sorting by length lets ``matches`` compare only the texts whose length can reach the
    cutoff (edit similarity cannot exceed 2 * shorter / (sum of lengths)).
    """

    def __init__(self, texts: Any, length_starts: Any, key_offsets: Any, key_indices: Any):
        """``texts(a, b)`` gives candidates a..b-1; ``length_starts[n]`` is the first
        candidate at least n characters long; candidate c stands for the keys
        ``key_indices[key_offsets[c]:key_offsets[c + 1]]`` (positions in sorted keys)."""
        self.texts, self.length_starts = texts, length_starts
        self.key_offsets, self.key_indices = key_offsets, key_indices

    @staticmethod
    def build(keys: list[str]) -> dict[str, Any]:
        """The parts of NameCandidates for sorted ``keys``: texts in order, and arrays."""
        stands: dict[str, list[int]] = {}  # text -> keys, ascending (keys come in order)
        for i, key in enumerate(keys):
            stands.setdefault(key, []).append(i)
            if " " in key:  # a key is never one of its own words: no repeats
                for word in set(key.split(" ")):
                    stands.setdefault(word, []).append(i)
        texts = sorted(stands)
        texts.sort(key=len)  # stable: by length, then text
        lengths = list(map(len, texts))
        longest = lengths[-1] if lengths else 0
        starts = [bisect_left(lengths, size) for size in range(longest + 2)]
        lists = list(map(stands.__getitem__, texts))
        offsets = [0, *itertools.accumulate(map(len, lists))]
        indices = list(itertools.chain.from_iterable(lists))
        return {"texts": texts, "starts": starts, "offsets": offsets, "indices": indices}

    def matches(self, query: str, cutoff: float) -> list[tuple[int, float]]:
        """(key position, score) for every candidate within ``cutoff`` of ``query``, best
        first (ties: shorter, then alphabetical candidates first)."""
        from rapidfuzz import fuzz, process

        share = cutoff / 100
        shortest = math.floor(len(query) * share / (2 - share)) if share else 0
        longest = math.ceil(len(query) * (2 - share) / share) + 1 if share else 10**9
        last = len(self.length_starts) - 1
        first, stop = (self.length_starts[min(n, last)] for n in (shortest, longest))
        found: list[tuple[float, int]] = []  # (-score, candidate)
        for part in range(first, stop, MATCH_BATCH):  # (a batch of texts held at a time)
            texts = self.texts(part, min(part + MATCH_BATCH, stop))
            found.extend(
                (-score, part + at)
                for _text, score, at in process.extract(
                    query, texts, scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
                )
            )
            del texts
        found.sort()
        out = []
        for score, c in found:
            for key in self.key_indices[self.key_offsets[c] : self.key_offsets[c + 1]]:
                out.append((key, -score))
        return out

    def prefixed(self, query: str, at_most: int = 1000) -> list[tuple[int, str]]:
        """(key position, candidate text) of the candidates that start with ``query``
        (a name or one of its words), the shortest first, at most ``at_most`` of them.
        Candidates of one length are in text order, so each length is one bisection
        (a few reads of the texts, not a scan)."""
        out: list[tuple[int, str]] = []
        last = len(self.length_starts) - 1
        for size in range(len(query), last):
            first, stop = self.length_starts[size], self.length_starts[size + 1]
            if first == stop:
                continue
            at = _bisect_texts(self.texts, first, stop, query)
            while at < stop and len(out) < at_most:
                text = self.texts(at, at + 1)[0]
                if not text.startswith(query):
                    break
                for key in self.key_indices[self.key_offsets[at] : self.key_offsets[at + 1]]:
                    out.append((key, text))
                at += 1
            if len(out) >= at_most:
                break
        return out


def _bisect_texts(texts: Any, first: int, stop: int, query: str) -> int:
    """The first candidate in first..stop-1 (in text order) not before ``query``."""
    low, high = first, stop
    while low < high:
        middle = (low + high) // 2
        if texts(middle, middle + 1)[0] < query:
            low = middle + 1
        else:
            high = middle
    return low


class SearchIndex:
    """What search scans: name candidates, folded description and quote texts.

    Descriptions and quotes are joined into one folded text each, so a substring search
    is one pass in C.
    """

    def __init__(self, names, desc_node, desc_text, quote_text, quote_owners, quote_position):
        """``names`` is (NameCandidates, key position -> key, key position -> the ids of
        the entities it names); ``desc_text`` and
        ``quote_text`` are (folded blob, start offsets) pairs, ``quote_text`` with the
        (first, stop) quote ranges within which quotes are laid out by the
        ``label_key`` of their relation's row; ``quote_owners`` is (quote -> its
        relation's handle, quote -> that key, handles -> their edges, handles -> (source's
        name, relation type, target's name) of each); ``quote_position``: quote -> its
        place in its relation's evidence."""
        self.names, self.key_at, self.nodes_at = names
        self.desc_node = desc_node
        self.desc_blob, self.desc_starts = desc_text
        self.quote_blob, self.quote_starts, self.quote_slices = quote_text
        self.quote_owner, self.quote_key, self.owner_edges, self.owner_ends = quote_owners
        self.quote_position = quote_position

    def description_hits(self, needle: bytes) -> Iterator[int]:
        """The entities (``desc_node`` positions) whose folded description holds
        ``needle`` (folded UTF-8), in order."""
        return blob_hits(self.desc_blob, self.desc_starts, needle)

    def first_quotes(self, needle: bytes, count: int) -> dict[Any, int]:
        """Relation -> its first matching quote, for every relation whose row can be among
        the first ``count`` quote rows. Within each slice of the quotes they are laid out
        by their relation's label key (``label_key``: never larger for a smaller label),
        and the slices' matches are merged in key order; so once ``count`` relations
        match, the largest key seen bounds the keys of every row that can still make the
        list: matches are looked for until a larger key (ties included)."""
        first_hit: dict[Any, int] = {}
        if count <= 0:
            return first_hit
        key_of = self.quote_key
        streams = [
            (
                (key_of(item), item)
                for item in blob_hits(self.quote_blob, self.quote_starts, needle, a, b)
            )
            for a, b in self.quote_slices
        ]
        cut = None
        for key, item in heapq.merge(*streams):
            if cut is not None and key > cut:
                break
            owner = self.quote_owner(item)
            if owner not in first_hit:
                first_hit[owner] = item
                if len(first_hit) == count:
                    cut = key  # (matches come in key order: the largest so far)
        return first_hit


def blob_hits(
    blob: Any, starts: Any, needle: Any, first: int = 0, stop: int | None = None
) -> Iterator[int]:
    """Indices of the texts in ``blob`` (those from ``first`` up to ``stop``) that contain
    ``needle``, in order, found as they are asked for (bytes in UTF-8 bytes or a mapped
    section)."""
    stop = len(starts) if stop is None else stop
    if first >= stop:
        return
    end = starts[stop] if stop < len(starts) else len(blob)
    position = blob.find(needle, starts[first], end)
    while position != -1:
        item = bisect_right(starts, position, first, stop) - 1
        yield item
        if item + 1 >= stop:
            return
        position = blob.find(needle, starts[item + 1], end)


def key8(data: bytes) -> int:
    """The first eight bytes of ``data`` (zero-padded) as one big-endian unsigned integer."""
    return int.from_bytes(data[:8].ljust(8, b"\x00"), "big")


def label_key(label: str) -> int:
    """The first eight bytes of a relation row's label (UTF-8, zero-padded) as one
    unsigned integer: in the order of the labels themselves (a smaller label never has a
    larger key), so quotes laid out by it can be searched in the order of the rows."""
    return key8(label.encode("utf-8"))
