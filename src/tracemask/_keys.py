"""Key-name rules: which object keys hold values that are sensitive as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_key(key: str) -> str:
    """Normalise a key for matching: last dotted segment, lower case, no ``_``/``-``/spaces.

    ``http.request.header.X-Api-Key`` → ``xapikey``; ``clientSecret`` → ``clientsecret``.
    """
    last = key.rsplit(".", 1)[-1] if "." in key else key
    return _SEPARATORS.sub("", last.lower())


@dataclass(frozen=True)
class KeyMatcher:
    """Matches keys against exact names and ``*suffix`` patterns, returning a rule index."""

    exact: dict[str, int]
    suffixes: tuple[tuple[str, int], ...]

    @classmethod
    def build(cls, rules: Iterable[tuple[Iterable[str], int]]) -> KeyMatcher:
        """Build from ``(names, rule_index)`` pairs; earlier rules win."""
        exact: dict[str, int] = {}
        suffixes: list[tuple[str, int]] = []
        for names, index in rules:
            for name in names:
                if name.startswith("*"):
                    suffixes.append((normalize_key(name[1:]), index))
                else:
                    exact.setdefault(normalize_key(name), index)
        return cls(exact, tuple(suffixes))

    def match(self, key: str) -> int | None:
        """Return the index of the first rule matching ``key``, or ``None``."""
        norm = normalize_key(key)
        hit = self.exact.get(norm)
        if hit is not None:
            return hit
        for suffix, index in self.suffixes:
            if norm.endswith(suffix):
                return index
        return None
