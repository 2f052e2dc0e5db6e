"""A quote checked against its source's stored text (``add relation``, ``edit
relation``): verbatim, or refused with the closest span of the text, said to differ only
in quote marks, dashes or spacing when that is all."""

from __future__ import annotations

from ..model import records as model
from . import CurationError
from .document import DataFile, obtain_hint, read_text


def check_quote(datafile: DataFile, source: dict, quote: str) -> str | None:
    """None when ``quote`` is verbatim in the source's stored text; a note when the
    text cannot be checked (no text recorded, or its file missing). CurationError,
    with the closest span of the text, when the quote is not in it."""
    path = datafile.text_path(source)
    if path is None:
        return f"quote not checked: source '{source['id']}' has no stored text"
    if not path.exists():
        return f"quote not checked: {path} is missing" + obtain_hint(source)
    text = read_text(path)
    if quote in text:
        return None
    span, near = closest_span(quote, text)
    short = quote if len(quote) <= 60 else quote[:57] + "..."
    why = "differs only in quote marks, dashes or spacing from" if near else "is not in"
    hint = f'; the text has: "{span}"' if span else ""
    raise CurationError(f"quote \"{short}\" {why} source '{source['id']}'{hint}")


def closest_span(quote: str, text: str) -> tuple[str, bool]:
    """The span of ``text`` closest to ``quote``, and whether it differs only in quote
    marks, dashes or spacing ("", False when nothing is close)."""
    loose, where = _loose_with_positions(text)
    wanted = model.loose(quote)
    at = loose.find(wanted) if wanted else -1
    if at >= 0:
        start, end = where[at], where[at + len(wanted) - 1] + 1
        return text[start:end], True
    from rapidfuzz import fuzz

    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=60)
    if found is None:
        return "", False
    start, end = found.dest_start, found.dest_end
    while start > 0 and not text[start - 1].isspace():  # widen to whole words
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    span = " ".join(text[start:end].split())
    return span.rstrip(".,;:"), False


def _loose_with_positions(text: str) -> tuple[str, list[int]]:
    """``model.loose(text)`` and, for each of its characters, its index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    straight = model.STRAIGHT_QUOTES
    pending_space = False
    for i, char in enumerate(text):
        if char.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            where.append(i - 1)
            pending_space = False
        out.append(char.translate(straight))
        where.append(i)
    return "".join(out), where
