"""Helpers shared by the integration tests."""

from __future__ import annotations

from typing import Any

from tracemask import Masker, MaskingError, Report, load_policy


class BrokenMasker(Masker):
    """A Masker whose every call fails, the way an engine bug would surface (no engine built)."""

    def __init__(self, policy: dict[str, Any] | None = None) -> None:
        self.policy = load_policy(policy)

    def mask(self, obj: Any, *, report: Report | None = None) -> Any:
        raise MaskingError("masking failed at attributes.x: RuntimeError")
