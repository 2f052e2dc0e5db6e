"""The CAMEO table the importers map by (``data/cameo.json``) and the relation vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

from ..model.text import fold


def bundled_file(name: str) -> Path:
    from ..files.locate import bundled_data_dir

    return bundled_data_dir() / name


def vocabulary() -> dict[str, dict]:
    """The bundled relation types, by id."""
    doc = json.loads(bundled_file("vocabulary.json").read_text(encoding="utf-8"))
    return {t["id"]: t for t in doc["relation_types"]}


class CameoMap:
    """CAMEO event code -> relation type, from ``data/cameo.json`` (longest prefix wins)."""

    def __init__(self) -> None:
        doc = json.loads(bundled_file("cameo.json").read_text(encoding="utf-8"))
        self.codes = {row["code"]: row["type"] for row in doc["codes"]}
        self.actor_types: dict[str, str] = doc["actor_types"]
        #: ISO 3166-1 alpha-3 (= CAMEO country code) -> {"iso3166": alpha-2, "name": ...}
        self.countries: dict[str, dict] = doc["countries"]
        self._by_country_name = {
            fold(name): code
            for code, country in self.countries.items()
            for name in (country["name"], *country.get("other_names", ()))
        }
        self._cache: dict[str, str | None] = {}

    def country_by_name(self, name: str) -> str | None:
        """The alpha-3 code of a country's name ("Russian Federation" -> RUS), or None."""
        return self._by_country_name.get(fold(name))

    def type_of(self, code: str) -> str | None:
        """The relation type of an event code, or None for a code that is not CAMEO."""
        found = self._cache.get(code, "")
        if found != "":
            return found
        found = None
        if code.isdigit():
            for end in range(len(code), 1, -1):
                found = self.codes.get(code[:end])
                if found:
                    break
        self._cache[code] = found
        return found
