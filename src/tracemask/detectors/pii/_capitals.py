"""Runs of capitalised words, found once per string for the name and address detectors.

A run is ``Jennifer Kucharski``, ``Dr. O'Connell``, ``FRANCIS G. LEVINE``, ``van de Noort``,
``Kucharski, Jennifer``: capitalised tokens on one line, lower-case particles and ``Last, First``
commas allowed. The person detector reads names in them, the address detector places.
"""

from __future__ import annotations

import re
import threading

#: Upper-case letters beyond ASCII that can start a name (Latin, Greek, Cyrillic).
_UPPER_EXTRA = "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
UPPER = f"A-Z{_UPPER_EXTRA}"
#: A letter (any script).
LETTER = r"[^\W\d_]"
#: A capitalised token: ``Smith``, ``O'Connell``, ``Stord-Painter``, ``ÁRPÁD``, ``Dr.``, ``G.``.
_TOKEN_TAIL = rf"{LETTER}*(?:['\u2019]{LETTER}+|-[{UPPER}]{LETTER}*)*\.?"
TOKEN = rf"[{UPPER}]{_TOKEN_TAIL}"
#: Lower-case particles inside names: ``Jacob van Gameren``, ``Villafranca del Cid``.
_PARTICLE_WORDS = (
    "van von der den de del della di da du dos das do le la bin ibn al el ten ter zu y nad"
)
PARTICLES = frozenset(_PARTICLE_WORDS.split())
_PARTICLE = "|".join(sorted(PARTICLES, key=len, reverse=True))
#: Characters a run does not start after (``user@Host``, ``a/Path``, ``x.Attr``, ``_Private``).
_NOT_BEFORE = r"[\w<@/\\.#$%&_+=-]"
_AFTER = r"(?![\w@/\\(>=_]|<(?!/))"
#: A run of capitalised tokens on one line, particles and ``Last, First`` commas allowed: a
#: ``TOKEN`` not after ``_NOT_BEFORE``, then more. Written to start with the capital itself (the
#: test on the character before comes after it), so that ``re`` skips from capital to capital
#: instead of trying a lookbehind at every position.
RUN = re.compile(
    rf"[{UPPER}](?<!{_NOT_BEFORE}[{UPPER}]){_TOKEN_TAIL}{_AFTER}"
    rf"(?:(?:[ \t]+(?:(?:{_PARTICLE})[ \t]+)*|[ \t]*,[ \t]*){TOKEN}{_AFTER})*"
)

_LAST = threading.local()


def capital_runs(text: str) -> list[tuple[int, str]]:
    """``(offset, run)`` for each :data:`RUN` in ``text``.

    The name and address detectors both walk the runs of the same string, one after the other:
    the runs of the last string seen by this thread are kept (with a reference to it) and given
    again for an equal string, so the regex pass runs once.
    """
    last = _LAST
    if getattr(last, "text", None) == text:
        runs: list[tuple[int, str]] = last.runs
        return runs
    runs = [(m.start(), m.group()) for m in RUN.finditer(text)]
    last.text, last.runs = text, runs
    return runs
