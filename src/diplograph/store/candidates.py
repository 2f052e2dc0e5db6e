"""The name candidates' sections of a search file (``searchindex.NameCandidates``):
every folded name, alias and id, and each word of those of several words, sorted by
length then text, each with the names it stands for. ``sections`` works them out from
a list of keys; ``of_table`` from a name table's bytes, none decoded (many names)."""

from __future__ import annotations

import itertools
from array import array
from typing import Any

from .searchindex import NameCandidates

#: From this many keys, the sections are worked out with numpy.
NUMPY_MIN = 50_000


def sections(keys: list[str]) -> dict[str, Any]:
    """The name candidates' sections for sorted ``keys`` (see ``NameCandidates``)."""
    if len(keys) >= NUMPY_MIN:
        return sections_numpy(keys)
    names = NameCandidates.build(keys)
    encoded = [f"{t}\n".encode() for t in names["texts"]]  # folded texts hold no newline
    byte_at = [0, *itertools.accumulate(map(len, encoded))]
    return {
        "cand_text": b"".join(encoded),
        "cand_len": array("q", names["starts"]),
        "cand_byte": array("q", [byte_at[i] for i in names["starts"]]),
        "cand_at": array("q", byte_at),
        "cand_key_off": array("i", names["offsets"]),
        "cand_key": array("i", names["indices"]),
    }


def sections_numpy(keys: list[str]) -> dict[str, Any]:
    """``sections`` for many keys, worked out on their UTF-8 bytes."""
    import numpy as np

    encoded = [key.encode("utf-8") for key in keys]
    offsets = np.zeros(len(keys) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, encoded), np.int64, len(keys)), out=offsets[1:])
    return of_table(b"".join(encoded), offsets)


def of_table(blob: Any, offsets: Any) -> dict[str, Any]:
    """``sections`` of the sorted keys held as UTF-8 ``blob`` and ``offsets``
    (a name table's), none decoded: each (text, key) pair, the keys' own and their
    words', is a byte range; the ranges are grouped by length in characters, each group
    made distinct and sorted as fixed-width bytes (UTF-8's byte order is the texts'
    order), then pairs are sorted and made distinct as arrays (18 -> 2 s on 2M keys)."""
    import numpy as np

    data = np.frombuffer(blob, dtype=np.uint8)
    off = np.asarray(offsets, dtype=np.int64)
    n = len(off) - 1
    spaces = np.flatnonzero(data == 0x20)
    space_key = np.searchsorted(off, spaces, side="right") - 1
    several = space_key[np.flatnonzero(np.diff(space_key, prepend=-1))]  # keys of several words
    # a key's words: from its start or a space's next byte, to a space or its end
    w_start, w_start_key = (
        np.concatenate([off[several], spaces + 1]),
        np.concatenate([several, space_key]),
    )
    w_end, w_end_key = (
        np.concatenate([spaces, off[several + 1]]),
        np.concatenate([space_key, several]),
    )
    by_start, by_end = np.lexsort((w_start, w_start_key)), np.lexsort((w_end, w_end_key))
    starts = np.concatenate([off[:-1], w_start[by_start]])
    ends = np.concatenate([off[1:], w_end[by_end]])
    key_of = np.concatenate([np.arange(n, dtype=np.int64), w_start_key[by_start]])
    sizes = ends - starts
    if len(data) and int(data.max()) >= 0x80:  # not ASCII: characters are fewer than bytes
        chars_before = np.zeros(len(data) + 1, np.int64)  # characters before each byte
        np.cumsum((data & 0xC0) != 0x80, out=chars_before[1:])
        chars = chars_before[ends] - chars_before[starts]
    else:
        chars = sizes
    padded = np.concatenate([data, np.zeros(int(sizes.max()) if len(sizes) else 0, np.uint8)])
    text_of = np.empty(len(starts), np.int64)
    pieces, text_chars, text_sizes, count = [], [], [], 0
    by_chars = np.argsort(chars, kind="stable")
    bounds = np.flatnonzero(np.diff(chars[by_chars])) + 1
    for group in np.split(by_chars, bounds) if len(by_chars) else []:
        width = max(int(sizes[group].max()), 1)
        columns = np.arange(width)
        cells = padded[starts[group, None] + columns]
        cells[columns >= sizes[group, None]] = 0  # (texts hold no NUL)
        distinct, inverse = np.unique(cells.view(f"S{width}").ravel(), return_inverse=True)
        text_of[group] = inverse.ravel() + count
        rows = distinct.view(np.uint8).reshape(len(distinct), width)
        size = np.count_nonzero(rows, axis=1)
        lines = np.zeros((len(distinct), width + 1), np.uint8)
        lines[:, :width] = rows
        lines[np.arange(len(distinct)), size] = 0x0A  # each text ends with a newline
        pieces.append(lines[lines != 0])
        text_chars.append(np.full(len(distinct), chars[group[0]], np.int64))
        text_sizes.append(size)
        count += len(distinct)
    order = np.lexsort((key_of, text_of))
    text_of, key_of = text_of[order], key_of[order]
    kept = np.ones(len(order), bool)  # a word twice in one key stands for it once
    kept[1:] = (text_of[1:] != text_of[:-1]) | (key_of[1:] != key_of[:-1])
    text_of, key_of = text_of[kept], key_of[kept]
    key_off = np.zeros(count + 1, np.int64)
    np.cumsum(np.bincount(text_of, minlength=count), out=key_off[1:])
    lengths = np.concatenate(text_chars) if text_chars else np.zeros(0, np.int64)
    longest = int(lengths[-1]) if count else 0
    first_of = np.searchsorted(lengths, np.arange(longest + 2), side="left")
    byte_at = np.zeros(count + 1, np.int64)
    if count:
        np.cumsum(np.concatenate(text_sizes) + 1, out=byte_at[1:])
    return {
        "cand_text": np.concatenate(pieces).tobytes() if pieces else b"",
        "cand_len": array("q", first_of.astype(np.int64).tobytes()),
        "cand_byte": array("q", byte_at[first_of].tobytes()),
        "cand_at": array("q", byte_at.tobytes()),
        "cand_key_off": array("i", key_off.astype(np.intc).tobytes()),
        "cand_key": array("i", key_of.astype(np.intc).tobytes()),
    }
