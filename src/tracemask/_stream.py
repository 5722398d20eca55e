"""``StreamMasker``: mask a text that arrives in pieces (LLM stream deltas) as it arrives.

The masker holds back a bounded suffix of what it has been fed: the part that could still be (the
start of) a sensitive value whose end, or whose validating context, has not arrived yet. It
emits the rest masked. Detection runs on a window made of the already-emitted tail (raw, as left
context: ``password:``, ``Dr.``, ``my email is`` cues) plus the pending text, so a value is judged
with the context it has in the whole text.

Rules for the cut point (what is emitted now, ``window[:cut]``):

- at least ``hold_back`` characters stay pending;
- never inside a finding, and a finding that reaches past the cut (or touches the window's right
  edge, so could still grow) is held from its start;
- never inside a whitespace-free run (a JWT, a URL, a key, a word), since detectors validate whole
  tokens: a long token is held until it ends.

When the pending text grows beyond ``max_hold`` (a value longer than that, or a whitespace-free
run that never ends), the masker emits anyway, cutting ``hold_back`` characters before the end;
findings crossing that forced cut are masked in parts (each part replaced by its entity's
operator), so nothing detected is emitted raw, but the output then may differ from masking the
whole text at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from tracemask._finding import Finding
from tracemask._scope import current_scope

if TYPE_CHECKING:
    from tracemask._masker import Masker

__all__ = ["StreamMasker"]


class StreamMasker:
    """Masks a stream of text chunks; the concatenated output equals masking the whole text.

    Args:
        masker: the :class:`~tracemask.Masker` whose detectors and operators apply.
        hold_back: characters always kept pending until :meth:`close` (the longest suffix that
            could still be a value, or context a detector needs after a value).
        scope: scope ids for scoped pseudonyms (``{"trace": …}``), passed to the masker. Default:
            the current :func:`~tracemask.use_scope` when the stream starts; a kind it does not
            name gets one fresh id for the whole stream, so a value keeps one pseudonym in it.
        context: characters of already-emitted text that detection sees before the pending text.
        step: new characters needed before detection runs again (bounds work per character).
        max_hold: pending characters after which text is emitted even inside an unfinished value
            or token (masked in parts; see the module docstring).

    For every split of a text into chunks, ``"".join(feed(c) for c in chunks) + close()`` equals
    ``masker.mask_text(text)`` as long as no value exceeds ``max_hold`` and no detector needs
    context farther than ``context`` before or ``hold_back`` after a value. One instance serves
    one stream and is not thread-safe.
    """

    def __init__(
        self,
        masker: Masker,
        *,
        hold_back: int = 256,
        scope: Mapping[str, str] | None = None,
        context: int = 256,
        step: int = 64,
        max_hold: int = 16_384,
    ) -> None:
        if hold_back < 0 or context < 0 or step < 1:
            raise ValueError("hold_back and context must be >= 0, step >= 1")
        if max_hold < hold_back + step:
            raise ValueError("max_hold must be at least hold_back + step")
        self.masker = masker
        self.hold_back = hold_back
        self.context = context
        self.step = step
        self.max_hold = max_hold
        self.scope = _stream_scope(masker, scope)
        self._ctx = masker.compiled.context(self.scope)
        self._pieces: list[str] = []
        self._pending_len = 0
        self._tail = ""  # raw emitted text detection sees as left context
        self._since = 0  # characters fed since detection last ran
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"pending={self._pending_len}"
        return f"<StreamMasker hold_back={self.hold_back} {state}>"

    def __enter__(self) -> StreamMasker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The flushed text has no caller to go to here; what is pending is simply discarded
        # (never emitted unmasked). Call close() yourself to get the tail.
        self.discard()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` or :meth:`discard` was called."""
        return self._closed

    @property
    def pending(self) -> int:
        """Characters fed but not emitted yet."""
        return self._pending_len

    def feed(self, chunk: str) -> str:
        """Add ``chunk``; return the masked text that is now safe to emit (possibly ``""``).

        Raises:
            ValueError: the stream was closed.
            TypeError: ``chunk`` is not a ``str``.
        """
        if self._closed:
            raise ValueError("feed() after close()")
        if not isinstance(chunk, str):
            raise TypeError(f"feed() takes str, got {type(chunk).__name__}")
        if not chunk:
            return ""
        self._pieces.append(chunk)
        self._pending_len += len(chunk)
        self._since += len(chunk)
        if self._pending_len < self.hold_back + self.step:
            return ""
        # While a long value is held, wait for the pending text to grow by half before looking
        # again: detection cost stays linear in the stream length instead of quadratic.
        need = max(self.step, (self._pending_len - self.hold_back) // 2)
        if self._since < need and self._pending_len <= self.max_hold:
            return ""
        return self._advance(final=False)

    def close(self) -> str:
        """Mask and return everything still pending; the stream accepts no more chunks."""
        if self._closed:
            return ""
        out = self._advance(final=True) if self._pending_len else ""
        self.discard()
        return out

    def discard(self) -> None:
        """Drop what is pending without emitting it (an aborted stream) and close."""
        self._closed = True
        self._pieces.clear()
        self._pending_len = 0
        self._tail = ""

    # -- internals ---------------------------------------------------------------------------

    def _advance(self, *, final: bool) -> str:
        pending = "".join(self._pieces)
        window = self._tail + pending
        off, n = len(self._tail), len(window)
        self._since = 0
        every = self.masker.detect(window)
        findings = [f for f in every if f.end > off]
        if final:
            cut = n
        else:
            cut = _cut_point(window, findings, n - self.hold_back)
            if cut <= off:
                if len(pending) <= self.max_hold:
                    self._pieces = [pending]
                    return ""
                cut = n - self.hold_back  # forced: findings crossing it are masked in parts
        clipped = [
            Finding(max(f.start, off) - off, min(f.end, cut) - off, f.entity, f.score, f.recognizer)
            for f in findings
            if f.start < cut
        ]
        segment = window[off:cut]
        out = self.masker.compiled.replace(segment, clipped, self._ctx) if clipped else segment
        self._tail = window[_context_start(window, every, cut, self.context) : cut]
        rest = window[cut:]
        self._pieces = [rest] if rest else []
        self._pending_len = len(rest)
        return out


def _cut_point(window: str, findings: list[Finding], cut: int) -> int:
    """The largest cut ``<= cut`` that splits no finding and no whitespace-free run."""
    while cut > 0:
        moved = cut
        for f in findings:
            if f.start < moved <= f.end:
                # A finding ending exactly at the cut is held too: it could still grow.
                moved = min(moved, f.start)
        inside_run = 0 < moved < len(window) and not window[moved - 1].isspace()
        if inside_run and not window[moved].isspace():
            # Inside a run: back to just after the whitespace before it.
            moved = _run_start(window, moved)
        if moved == cut:
            return cut
        cut = moved
    return 0


def _run_start(window: str, pos: int) -> int:
    i = pos
    while i > 0 and not window[i - 1].isspace():
        i -= 1
    return i


def _context_start(window: str, findings: list[Finding], cut: int, context: int) -> int:
    """Where the next window's left context starts: ``context`` characters before ``cut``,
    moved to a word start, and never inside a finding (the detectors then see what they would
    see in the whole text)."""
    start = max(0, cut - context)
    if start > 0 and not window[start - 1].isspace():
        nxt = start
        while nxt < cut and not window[nxt].isspace():
            nxt += 1
        start = min(nxt + 1, cut) if nxt < cut else cut
    for f in findings:
        if f.start < start < f.end:
            start = f.start
    return start


def _stream_scope(masker: Masker, scope: Mapping[str, str] | None) -> Mapping[str, str] | None:
    """Scope ids fixed for the whole stream: every window must get the same pseudonyms."""
    if not masker.scope_kinds:
        return scope
    base = dict(scope if scope is not None else (current_scope() or {}))
    token = secrets.token_hex(8)
    for kind in masker.scope_kinds:
        if not base.get(kind):
            base[kind] = f"stream:{token}"
    return base
