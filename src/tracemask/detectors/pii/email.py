"""Email addresses."""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector


class EmailDetector(PatternDetector):
    """RFC 5322-ish addresses with a dotted domain and an alphabetic TLD (IDN letters allowed)."""

    entity = "EMAIL_ADDRESS"
    trigger = "@"
    patterns = (
        r"(?<![\w.%+-])(?P<value>[\w](?:[\w.%+'-]{0,63}[\w])?"
        r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24})(?![\w-])",
    )
    #: The "@" comes at most 65 characters (1 + 63 + 1) after the match's start.
    anchors = (("@", 65),)
    score = 0.9

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        local = value.partition("@")[0]
        if ".." in local:
            return None
        # ``git@github.com:org/repo`` is an SSH remote, not a person's address.
        if local == "git" and text[end : end + 1] == ":":
            return None
        return self.score
