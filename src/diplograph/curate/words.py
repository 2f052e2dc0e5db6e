"""Date words as a source writes them, turned into EDTF relative to its publication date.

The reading lives in ``model.datewords`` (query filters read date words too); this module
keeps the curation names, with a word that cannot be read raised as a CurationError.
"""

from __future__ import annotations

from ..model import dates, datewords
from ..model.datewords import DateWords, find
from . import CurationError

__all__ = ["DateWords", "find", "to_edtf"]


def to_edtf(words: str, published: str) -> DateWords:
    """``model.datewords.to_edtf``; raises CurationError for words it cannot read."""
    try:
        return datewords.to_edtf(words, published)
    except dates.DateError as exc:
        raise CurationError(str(exc)) from None
