"""Warnings that can come in floods (connections refused, accept() failing, saturation) are
logged once per interval per kind, with how many were suppressed: a flood of bad clients must
not become a flood of stderr."""

from __future__ import annotations

import logging
import threading
import time


class Throttled:
    """``warn(kind, msg, *args)`` logs the first of each ``kind`` per ``interval`` seconds."""

    def __init__(self, logger: logging.Logger, interval: float = 10.0) -> None:
        self.logger = logger
        self.interval = interval
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def warn(self, kind: str, msg: str, *args: object) -> bool:
        """Log ``msg % args`` unless ``kind`` was logged in the last interval; return whether
        it was logged."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
                return False
            self._last[kind] = now
            suppressed = self._suppressed.pop(kind, 0)
        if suppressed:
            msg += " (%d more like this in the last %.0f s)"
            args = (*args, suppressed, self.interval)
        self.logger.warning(msg, *args)
        return True
