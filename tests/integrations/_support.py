"""Helpers shared by the integration tests."""

from __future__ import annotations

import json
from typing import Any

from tracemask import Masker, MaskingError, Report, load_policy

#: The fake values planted in the shared samples (see tests/data/samples/README.md). Card and
#: phone also in other spellings a leak could take.
EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
API_KEY = "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1"
ADDRESS = "1600 Amphitheatre Parkway, Mountain View, CA 94043"
PLANTED = (EMAIL, PHONE, CARD, CARD.replace(" ", ""), "415) 555-0132", API_KEY)


def leaks(blob: str | bytes, *, address: bool = True) -> list[str]:
    """Planted values found in ``blob`` (also JSON-escaped; A as a whole unless ``address``)."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    found = [v for v in PLANTED if v in text or json.dumps(v)[1:-1] in text]
    return found + ([ADDRESS] if address and ADDRESS in text else [])


class BrokenMasker(Masker):
    """A Masker whose every call fails, the way an engine bug would surface (no engine built)."""

    def __init__(self, policy: dict[str, Any] | None = None) -> None:
        self.policy = load_policy(policy)
        self.scope_kinds = ()

    def mask(self, obj: Any, *, report: Report | None = None, scope: Any = None) -> Any:
        raise MaskingError("masking failed at attributes.x: RuntimeError")
