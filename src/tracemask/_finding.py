"""The ``Finding`` record: where a sensitive value sits, never what it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """A sensitive span found in a string.

    It holds offsets, not the matched text, so that printing, logging or raising a finding
    cannot leak the value.

    Args:
        start: Python ``str`` offset of the first character.
        end: offset one past the last character.
        entity: canonical entity name, e.g. ``"EMAIL_ADDRESS"``.
        score: confidence in ``[0, 1]``.
        recognizer: name of the detector that produced it.
    """

    start: int
    end: int
    entity: str
    score: float
    recognizer: str

    def __len__(self) -> int:
        return self.end - self.start

    def to_dict(self) -> dict[str, object]:
        """Return the JSON-serialisable form used by ``tracemask detect``."""
        return {
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "score": round(self.score, 4),
            "recognizer": self.recognizer,
        }
