"""Folding text for matching: case, accents and punctuation set aside.

``fold`` is what names, aliases, descriptions and quotes are compared in: the name
index, the search file and every query that takes a typed name use the same form.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

_EXTRA_FOLDS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ʼ": "", "’": "", "'": ""})
_SEPARATORS = re.compile(r"[\s\-_/.,;:()\[\]\"“”‘«»]+")
#: From this many bytes, ``fold_joined`` collapses spaces with numpy.
NUMPY_MIN_BYTES = 1_000_000


# Combining marks (accents) left after NFKD decomposition.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# ASCII text: separators and whitespace become spaces (apostrophes go), then runs of
# spaces collapse and ends are trimmed: the same result as the regexes below.
_TO_SPACE = b'-_/.,;:()[]"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f'
_ASCII_SPACES = bytes.maketrans(_TO_SPACE, b" " * len(_TO_SPACE))


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    if text.isascii():  # the common case, several times faster (bytes.translate)
        folded = text.encode("ascii").lower().translate(_ASCII_SPACES, b"'")
        return " ".join(folded.decode("ascii").split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _SEPARATORS.sub(" ", text.translate(_EXTRA_FOLDS)).strip()


def fold_many(texts: list[str]) -> list[str]:
    """``[fold(t) for t in texts]``, with the ASCII ones folded in one pass."""
    ascii_texts = list(itertools.compress(texts, map(str.isascii, texts)))
    folded = fold_joined(ascii_texts) if len(ascii_texts) >= len(texts) // 2 else None
    if folded is None:
        return list(map(fold, texts))  # a NUL inside a text, or mostly non-ASCII
    parts = folded.decode("ascii").split("\x00") if texts else []
    if len(ascii_texts) == len(texts):
        return parts
    done = iter(parts)
    return [next(done) if text.isascii() else fold(text) for text in texts]


def fold_joined(texts: list[str]) -> bytes | None:
    """The ASCII ``texts`` folded and joined by NULs, as bytes, in one pass: what
    ``"\\x00".join(map(fold, texts)).encode()`` gives; None when a text holds a NUL or
    is not ASCII (or there are none)."""
    joined = "\x00".join(texts)
    if not texts or joined.count("\x00") != len(texts) - 1 or not joined.isascii():
        return None
    folded = joined.encode("ascii").lower().translate(_ASCII_SPACES, b"'")
    if len(folded) >= NUMPY_MIN_BYTES:
        return _spaces_collapsed(folded)
    while b"  " in folded:  # bytes.replace is much faster than a regex here
        folded = folded.replace(b"  ", b" ")
    folded = folded.replace(b" \x00", b"\x00").replace(b"\x00 ", b"\x00")
    return folded.strip(b" ")


def _spaces_collapsed(folded: bytes) -> bytes:
    """``folded`` with each run of spaces made one, and none left at the ends or beside
    a NUL, by numpy: on long texts, faster than replacing (a comma and a space become two
    spaces, a final full stop one before the NUL: replacements by the thousand)."""
    import numpy as np

    text = np.frombuffer(folded, dtype=np.uint8)
    space = text == 32
    space[1:] &= ~space[:-1]  # only the first space of each run
    text = text[space | (text != 32)]
    if not len(text):
        return b""
    space, nul = text == 32, text == 0
    dropped = space.copy()
    dropped[1:-1] &= nul[:-2] | nul[2:]  # inside: only beside a NUL; at the ends: always
    return text[~dropped].tobytes()


def short_names(key: str) -> tuple[str, ...]:
    """The words of a person's folded name that find them alone: the last (a surname)
    and the first (the family name in "Xi Jinping", "Moon Jae-in", "Aso Taro")."""
    first, _, rest = key.partition(" ")
    last = rest.rsplit(" ", 1)[-1]
    return (last, first) if first != last else (last,)


def closest(value: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice ``value`` was probably meant to be, in any case: the one it begins
    (when only one does), else the closest spelling ("organisation" -> organization);
    None when none is close. Every did-you-mean among a few choices says this one."""
    import difflib

    folded = value.casefold()
    starting = [c for c in choices if c.casefold().startswith(folded)] if folded else []
    if len(starting) == 1:
        return starting[0]
    by_fold = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    return by_fold[close[0]] if close else None


def choose_from(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """The end of a message refusing ``value``: "(did you mean 'x'? choose from a, b)",
    or "(choose from a, b)" when none is close."""
    listed = ", ".join(choices)
    meant = closest(value, choices)
    return f"(did you mean '{meant}'? choose from {listed})" if meant else f"(choose from {listed})"
