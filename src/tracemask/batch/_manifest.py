"""``_tracemask_manifest.json``: what each output part was made from, and how.

Per part: the input's location, size and SHA-256, record counts, findings by entity, the
policy's hash, the engine and the time taken. It is rewritten whole (atomically) after every
part, so a job killed at any moment leaves a manifest of the parts that are complete, and
``--resume`` skips exactly those (same input size, same policy hash, output present).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from tracemask import __version__
from tracemask.batch._part import PartResult
from tracemask.batch._storage import Location

NAME = "_tracemask_manifest.json"


class Manifest:
    """The manifest in an output root."""

    def __init__(self, root: Location, policy_hash: str) -> None:
        self.location = root.join(NAME)
        self.policy_hash = policy_hash
        self.parts: dict[str, dict[str, Any]] = {}
        self.created = _now()

    def load(self) -> None:
        text = self.location.read_text()
        if text is None:
            return
        try:
            doc = json.loads(text)
        except ValueError:
            return  # unreadable: start afresh (parts are re-made, never trusted)
        self.created = doc.get("created", self.created)
        parts = doc.get("parts")
        if isinstance(parts, dict):
            self.parts = {k: v for k, v in parts.items() if isinstance(v, dict)}

    def done(self, rel: str, size: int, output: Location | None) -> bool:
        """Whether ``rel`` was completed from an input of ``size`` under this policy."""
        entry = self.parts.get(rel)
        if not entry or entry.get("status") != "done":
            return False
        if entry.get("policy_hash") != self.policy_hash or entry.get("input_size") != size:
            return False
        return output is None or output.exists()

    def record(self, result: PartResult, engine: str) -> None:
        self.parts[result.rel] = {
            "status": "failed" if result.error else "done",
            "input": result.input,
            "input_size": result.size,
            "input_sha256": result.sha256,
            "output": result.rel,
            "format": result.format,
            "records": result.records,
            "records_written": result.written,
            "records_skipped": result.skipped,
            "records_quarantined": result.quarantined,
            "findings": result.report.get("by_entity", {}),
            "findings_total": result.report.get("total", 0),
            "policy_hash": self.policy_hash,
            "engine": engine,
            "seconds": round(result.seconds, 3),
            "finished": _now(),
            **({"error": result.error} if result.error else {}),
        }

    def save(self) -> None:
        doc = {
            "version": 1,
            "tracemask": __version__,
            "policy_hash": self.policy_hash,
            "created": self.created,
            "updated": _now(),
            "parts": dict(sorted(self.parts.items())),
        }
        data = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        self.location.write_bytes(data.encode("utf-8"))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
