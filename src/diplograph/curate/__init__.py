"""Growing a data file: create it, add and change records, propose facts from an article.

The library half of ``diplograph init``, ``add``, ``edit``, ``remove`` and ``extract``:

- ``document``: read a data file and write it back atomically, in the layout it had, so
  that one added record diffs as exactly that record's lines.
- ``ids``: the id rules of data/README.md.
- ``words``: date words ("late January", "fall 2024") as EDTF, relative to a source's
  publication date.
- ``edit``: add, edit and remove operations on a document; each returns a new document,
  checked by the full validator before anything is written.
- ``extract``: a rule-based extractor of candidate relations from an article's text.

Nothing here prints or imports the CLI; errors are ``DiplographError`` subclasses.
"""

from __future__ import annotations

from ..model.errors import DiplographError


class CurationError(DiplographError):
    """A change the data cannot take (a record missing or in use, a quote not in the text)."""
