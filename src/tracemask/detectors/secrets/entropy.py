"""High-entropy tokens next to a word that says "secret", gitleaks' generic-api-key style.

A keyword (``key``, ``secret``, ``token``, ``password``, ``credential``, ``auth``, ``private``)
followed, within a short name and an operator or a few words, by a base64/hex/alphanumeric run of
20 to 10,000 characters whose Shannon entropy is high. The keyword is both the prefilter trigger and
part of the pattern, so the detector costs nothing on strings that do not mention one.

Filters keep the identifiers traces are full of: UUIDs, hex digests and trace/span ids (32, 40,
64 hex characters, git SHAs, W3C ``traceparent``), runs of repeated or sequential characters,
paths and URLs, dotted names, snake_case/camelCase/kebab-case identifiers, model names, cloud
resource ids and ARNs, file names, calls, dates, and base64 images; ``key_id``/``--key-id`` and
``next_page_token`` style names do not introduce a secret.
"""

from __future__ import annotations

import re

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import (
    KEY_STOPS,
    TOKEN_STOPS,
    ascii_patterns,
    char_classes,
    is_base64_media,
    is_code_name,
    is_hash_like,
    is_hex,
    is_name_like,
    is_path_like,
    is_placeholder,
    is_wordy,
    looks_dummy,
    not_after,
    shannon_entropy,
    word_before_blank,
)

_KEYWORDS = (
    rf"(?:key{not_after('key', KEY_STOPS)}|secret|token{not_after('token', TOKEN_STOPS)}"
    r"|passw(?:or)?d|pwd|credential|creds|auth|private)"
)
_TRIGGER_KEYWORDS = r"(?:key|secret|token|passw(?:or)?d|pwd|credential|creds|auth|private)"
#: A keyword ends its word (``API_KEY``, ``apiKey``, ``credentials``), unlike ``keyword`` or
#: ``author``, and names no identifier (``key_id``, ``--key-id``, ``TokenId``).
_WORD_END = r"s?(?-i:(?![a-z]))(?![-_. ]?ids?\b)"
_TOKEN_CHARS = r"A-Za-z0-9+/_.~\-"

_KEYWORD = re.compile(_TRIGGER_KEYWORDS, re.IGNORECASE)
_ID_TAIL = re.compile(r"[-_]?ids?\Z", re.IGNORECASE)
#: Minimum bits per character for a mixed-alphabet token, and for a hex one.
MIN_ENTROPY = 3.5
MIN_HEX_ENTROPY = 3.0


def _secret_flag(flag: str) -> bool:
    """Whether a CLI flag names a secret (``--api-key``), not an identifier (``--key-id``)."""
    return _KEYWORD.search(flag) is not None and _ID_TAIL.search(flag) is None


class HighEntropySecret(PatternDetector):
    """A high-entropy token introduced by a secret-ish keyword.

    Score: 0.6, 0.7 above 4.5 bits per character. The token must be 20+ characters with at
    least two character classes and a digit (or 30+ characters at 4.3 bits), at 3.0 bits per
    character for hex and 3.5 for the rest.
    """

    entity = "SECRET"
    score = 0.6
    ignore_case = True
    trigger = (
        rf"{_TRIGGER_KEYWORDS}[A-Za-z0-9_. -]{{0,30}}[\s\"'`:=>,(\\]{{1,8}}[{_TOKEN_CHARS}]{{20}}"
    )
    negative_context = ("sha", "sha1", "sha256", "md5", "hash", "digest", "checksum", "commit")
    patterns = ascii_patterns(
        rf"(?=[kstpca]){_KEYWORDS}{_WORD_END}[A-Za-z0-9_. -]{{0,30}}?[\s\"'`:=>,(\\]{{1,8}}"
        rf"(?<![{_TOKEN_CHARS}])(?P<value>[{_TOKEN_CHARS}]{{20,10000}}={{0,3}})(?![{_TOKEN_CHARS}=])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        core = value.rstrip("=").rstrip(".")
        if is_hash_like(core) or is_base64_media(core) or is_placeholder(value):
            return None
        if looks_dummy(core) or is_path_like(core) or is_wordy(core):
            return None
        if char_classes(core) < 2 or core.isdigit() or is_code_name(core) or is_name_like(core):
            return None
        if text[end : end + 1] in ("(", "["):
            return None  # a call or a subscript
        flag = word_before_blank(text, start)
        if flag is not None and flag.startswith("-") and not _secret_flag(flag):
            return None  # the value of another CLI flag: forgot-password --client-id 3n4b…
        entropy = shannon_entropy(core)
        if not any(map(str.isdigit, core)) and (len(core) < 30 or entropy < 4.3):
            return None  # digit-free runs are mostly names (``PythonTokenTypes.STRING``)
        if entropy < (MIN_HEX_ENTROPY if is_hex(core) else MIN_ENTROPY):
            return None
        return 0.7 if entropy >= 4.5 else self.score
