"""Strict policies: no setting is silently ignored, and a typo gets a suggestion.

pydantic already refuses unknown fields (``extra="forbid"``); this module adds what pydantic
cannot know: which entity names exist (the built-in detectors' plus those the policy or the
caller defines), and "did you mean" hints for misspelt fields, operator types and entities.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails


def suggestion(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean X?)"`` for the closest of ``choices``, or ``""``."""
    options = list(choices)
    # Case and separators are the commonest slips (CREDITCARD, credit-card): compare without them.
    folded = {_fold(c): c for c in options}
    if _fold(word) in folded and folded[_fold(word)] != word:
        return f" (did you mean {folded[_fold(word)]}?)"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(word.upper(), options, n=1, cutoff=0.6)
    if not close and len(_fold(word)) >= 3:
        # A short form of a longer name: EMAIL for EMAIL_ADDRESS, SSN for US_SSN.
        close = [c for c in options if _fold(word) in re.split(r"[^a-z0-9]+", c.lower())][:1]
    return f" (did you mean {close[0]}?)" if close else ""


def _fold(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", word.lower())


def known_entities() -> tuple[str, ...]:
    """The entities tracemask knows (:mod:`tracemask.entities`): those its detectors, key rules
    and NER backends report."""
    from tracemask.entities import BY_NAME  # noqa: PLC0415

    return tuple(BY_NAME)


def error_message(err: ErrorDetails, model: Any) -> str:
    """pydantic's message for ``err``, plainer, with a "did you mean" where one fits."""
    if err["type"] == "extra_forbidden":
        return "unknown setting" + error_hint(err, model)
    return err["msg"].removeprefix("Value error, ") + error_hint(err, model)


def error_hint(err: ErrorDetails, model: Any) -> str:
    """A "did you mean" for a pydantic error: a misspelt field, operator type or literal."""
    kind = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind == "extra_forbidden" and err["loc"]:
        fields = _fields_at(model, err["loc"][:-1])
        return suggestion(str(err["loc"][-1]), fields) if fields else ""
    if kind == "union_tag_invalid":
        tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        return suggestion(str(ctx.get("tag", "")), tags)
    known = re.search(r"\(known: ([^)]*)\)", err["msg"])
    if known and isinstance(err.get("input"), str):
        return suggestion(err["input"], known.group(1).split(", "))
    if kind == "literal_error":
        expected = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        return suggestion(str(err.get("input", "")), expected) if expected else ""
    return ""


def _fields_at(model: Any, loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model that ``loc`` (a pydantic error location) points into."""
    from pydantic import BaseModel  # noqa: PLC0415

    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    while not (isinstance(current, type) and issubclass(current, BaseModel)):
        current = _unwrap(current, None)
        if current is None:
            return []
    return list(current.model_fields)


def _step(annotation: Any, part: int | str) -> Any:
    """Follow one location segment: a field, a dict key, a list index or a union tag."""
    from pydantic import BaseModel  # noqa: PLC0415

    for _ in range(4):  # Optional[...] and Annotated[...] wrap the type a few levels deep
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            return None if field is None else field.annotation
        annotation = _unwrap(annotation, part)
        if annotation is None:
            return None
        if isinstance(annotation, _Consumed):
            return annotation.inner
    return None


class _Consumed:
    """A container step that used up the location segment (a dict key or a list index)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner


def _unwrap(annotation: Any, part: int | str | None) -> Any:
    from typing import Annotated, Union, get_args, get_origin  # noqa: PLC0415

    from pydantic import BaseModel  # noqa: PLC0415

    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return args[0]
    if origin in (dict, Mapping) and len(args) == 2:
        return _Consumed(args[1])
    if origin in (tuple, list) and args:
        return _Consumed(args[0])
    if origin is Union or type(annotation).__name__ == "UnionType":
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return members[0]
        # A discriminated union: the location names the member by its tag.
        for member in members:
            if get_origin(member) is Annotated:
                inner, *meta = get_args(member)
                if any(getattr(m, "tag", None) == part for m in meta):
                    return _Consumed(inner)
            elif isinstance(member, type) and issubclass(member, BaseModel):
                field = member.model_fields.get("type")
                if field is not None and part is not None and part in get_args(field.annotation):
                    return _Consumed(member)
        return None
    return None
