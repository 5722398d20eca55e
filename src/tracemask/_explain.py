"""Why each value is masked: the findings of one masking pass, with their paths, offsets and
evidence, never the values (``tracemask detect``, the ``/ui`` playground).

:class:`ExplainWalk` is the masking walk itself (same rules, keys, paths, JSON inside strings
and field evidence), recording each string it masks: so what is explained is what
:meth:`Masker.mask` does, not a second opinion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tracemask import _jsonstr
from tracemask._paths import PathSegment, render_path
from tracemask._tokens import is_token
from tracemask._walker import Walk
from tracemask.detectors._engine import MIN_TEXT_LENGTH
from tracemask.detectors._pattern import CONTEXT_WINDOW

if TYPE_CHECKING:
    from tracemask._compiled import Rule
    from tracemask._masker import Masker


@dataclass(frozen=True)
class Explained:
    """One masked span: where it is and why (never the value).

    ``path`` is the JSON path of the string (``""`` for plain text; JSON held in a string
    continues the path of that string); ``start``/``end`` are ``str`` offsets in that string.
    ``reason`` is ``"detector"``, ``"key"`` (a key rule: the value is masked whole) or
    ``"path"`` (a path rule); ``evidence`` is the context word near the span, the field name
    that decided, or the key rule's entity list, when there is one.
    """

    path: str
    start: int
    end: int
    entity: str
    score: float
    detector: str
    reason: str
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``tracemask detect`` and the playground."""
        return asdict(self)


def explain(masker: Masker, value: Any, texts: dict[str, str] | None = None) -> list[Explained]:
    """Return every span :meth:`Masker.mask` would replace in ``value``, in walk order.

    ``texts``, when given, is filled with the string at each reported path (for a caller that
    shows the spans to the person who sent the value, like the playground; never logged).
    """
    compiled = masker.compiled
    walk = ExplainWalk(compiled, None, compiled.context(None), masker=masker, found=[])
    walk.texts = texts
    walk.run(value)
    return walk.found


def explain_text(masker: Masker, text: str) -> list[Explained]:
    """The findings of plain ``text`` (no JSON decoding), as :meth:`Masker.mask_text` masks."""
    return [_from_finding(masker, "", text, f, None) for f in masker.detect(text)]


class ExplainWalk(Walk):
    """The masking walk, recording what each masked string held."""

    #: Each path is recorded, so a container met twice is walked twice.
    dedupe = False

    def __init__(self, *args: Any, masker: Masker, found: list[Explained], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.masker = masker
        self.found = found
        self.texts: dict[str, str] | None = None

    def where_path(self) -> str:
        """The rendered path of the current string, masked: keys can hold personal data."""
        return self.masker.mask_text(render_path(self.leaf_path()))

    def string(self, text: str, rule: Rule | None, field: str | None) -> str:
        m = self.m
        if rule is not None and rule.keep:
            return text
        if self.json_in_strings and _jsonstr.looks_like_json(text):
            ok, decoded = _jsonstr.decode(text)
            if ok and isinstance(decoded, (dict, list, str)):
                nested = ExplainWalk(
                    m, None, self.ctx, self.leaf_path(), field, masker=self.masker, found=self.found
                )
                nested.texts = self.texts
                nested.run(decoded, rule)
                return super().string(text, rule, field)
        if rule is not None:
            if text and not is_token(text):
                self.found.append(self._rule_hit(text, rule, field))
                self._keep(self.found[-1].path, text)
            return super().string(text, rule, field)
        telling = m.telling(field) if self.by_field else None
        if len(text) >= MIN_TEXT_LENGTH or (telling is not None and text):
            path = self.where_path()
            for f in m.engine.detect(text, telling):
                self.found.append(_from_finding(self.masker, path, text, f, telling))
                self._keep(path, text)
        return super().string(text, rule, field)

    def _keep(self, path: str, text: str) -> None:
        if self.texts is not None:
            self.texts[path] = text

    def _rule_hit(self, text: str, rule: Rule, field: str | None) -> Explained:
        path: tuple[PathSegment, ...] = self.leaf_path()
        by_path = self.m.has_path_rules and self.m.path_rule(path) is rule
        key = None if by_path or field is None else self.masker.mask_text(field)
        return Explained(
            path=self.where_path(),
            start=0,
            end=len(text),
            entity=rule.entity,
            score=1.0,
            detector="path rule" if by_path else "key rule",
            reason="path" if by_path else "key",
            evidence=None if by_path else (f"key {key!r}" if key else None),
        )


def _from_finding(masker: Masker, path: str, text: str, f: Any, field: str | None) -> Explained:
    evidence = None
    if field is not None:
        evidence = f"field {masker.mask_text(field)!r}"
    else:
        word = _context_word(masker, f.recognizer, text, f.start, f.end)
        if word is not None:
            evidence = f"context {word!r}"
    return Explained(
        path=path,
        start=f.start,
        end=f.end,
        entity=f.entity,
        score=round(f.score, 4),
        detector=f.recognizer,
        reason="detector",
        evidence=evidence,
    )


def _context_word(masker: Masker, detector: str, text: str, start: int, end: int) -> str | None:
    """The detector's context word near ``text[start:end]`` (a word from its own list, so never
    personal data), or ``None``."""
    for det in masker.compiled.engine.detectors:
        if det.name != detector:
            continue
        regex = getattr(det, "_context", None)
        if regex is None:
            return None
        before = text[max(0, start - CONTEXT_WINDOW) : start]
        after = text[end : end + CONTEXT_WINDOW // 3]
        hit = regex.search(f"{before} {after}")
        return hit.group(0).lower() if hit else None
    return None
