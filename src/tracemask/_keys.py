"""Key-name rules: which object keys hold values that are sensitive as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_key(key: str) -> str:
    """Normalise a key for matching: last dotted segment, lower case, no ``_``/``-``/spaces.

    ``http.request.header.X-Api-Key`` → ``xapikey``; ``clientSecret`` → ``clientsecret``.
    """
    last = key.rsplit(".", 1)[-1] if "." in key else key
    return _SEPARATORS.sub("", last.lower())


def normalize_dotted(key: str) -> str:
    """Normalise every dotted segment of ``key``: ``User.Email_Address`` → ``user.emailaddress``."""
    return ".".join(_SEPARATORS.sub("", seg.lower()) for seg in key.split("."))


@dataclass(frozen=True)
class KeyMatcher(Generic[R]):
    """Matches keys against rule names, returning the first matching rule.

    A name without a dot (``api_key``) matches a key's last dotted segment, so it also matches
    ``http.request.header.x-api-key``. A name with dots (``user.id``) matches the whole key, so
    it does not match ``session.id``. A leading ``*`` matches any key ending with the rest.
    """

    rules: tuple[R, ...]
    exact: dict[str, int]
    suffixes: tuple[tuple[str, int], ...]
    dotted: dict[str, int]
    dotted_suffixes: tuple[tuple[str, int], ...]

    @classmethod
    def build(cls, rules: Iterable[tuple[Iterable[str], R]]) -> KeyMatcher[R]:
        """Build from ``(names, rule)`` pairs; earlier rules win."""
        exact: dict[str, int] = {}
        suffixes: list[tuple[str, int]] = []
        dotted: dict[str, int] = {}
        dotted_suffixes: list[tuple[str, int]] = []
        ordered: list[R] = []
        for index, (names, rule) in enumerate(rules):
            ordered.append(rule)
            for name in names:
                wildcard = name.startswith("*")
                body = name[1:] if wildcard else name
                if "." in body:
                    norm = normalize_dotted(body)
                    if wildcard:
                        dotted_suffixes.append((norm, index))
                    else:
                        dotted.setdefault(norm, index)
                elif wildcard:
                    suffixes.append((normalize_key(body), index))
                else:
                    exact.setdefault(normalize_key(body), index)
        return cls(tuple(ordered), exact, tuple(suffixes), dotted, tuple(dotted_suffixes))

    def match(self, key: str) -> R | None:
        """Return the first rule (in build order) matching ``key``, or ``None``."""
        hits: list[int] = []
        if (self.dotted or self.dotted_suffixes) and "." in key:
            full = normalize_dotted(key)
            hit = self.dotted.get(full)
            if hit is not None:
                hits.append(hit)
            hits.extend(index for suffix, index in self.dotted_suffixes if full.endswith(suffix))
        norm = normalize_key(key)
        hit = self.exact.get(norm)
        if hit is not None:
            hits.append(hit)
        hits.extend(index for suffix, index in self.suffixes if norm.endswith(suffix))
        return self.rules[min(hits)] if hits else None
