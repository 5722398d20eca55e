"""Admission: how many requests run at once (:class:`Gate`) and how much memory they may hold
(:class:`MemoryBudget`). Both are per process and wait at most until a given time."""

from __future__ import annotations

import time

import anyio


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


class Gate:
    """At most ``size`` requests at once; up to ``queue`` more wait, each until its deadline."""

    def __init__(self, size: int, queue: int) -> None:
        self.size = size
        self.queue = queue
        self._sem = anyio.Semaphore(size)
        self.active = 0

    async def acquire(self, until: float) -> bool:
        """Take a slot, waiting until the monotonic time ``until`` at most."""
        try:
            self._sem.acquire_nowait()
        except anyio.WouldBlock:
            timeout = _remaining(until)
            if timeout <= 0 or self._sem.statistics().tasks_waiting >= self.queue:
                return False
            with anyio.move_on_after(timeout):
                await self._sem.acquire()
                self.active += 1
                return True
            return False
        self.active += 1
        return True

    def release(self) -> None:
        self.active -= 1
        self._sem.release()


class MemoryBudget:
    """Bytes that requests in flight may hold at once (their estimated peak).

    A request reserves its estimate before its body is parsed and releases it when answered; one
    whose estimate exceeds the whole budget can never run (the caller answers 413).
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self._waiters: list[anyio.Event] = []

    def fits_ever(self, amount: int) -> bool:
        return amount <= self.total

    async def acquire(self, amount: int, until: float) -> bool:
        """Reserve ``amount`` bytes, waiting until the monotonic time ``until`` at most."""
        while self.used + amount > self.total:
            timeout = _remaining(until)
            if timeout <= 0:
                return False
            event = anyio.Event()
            self._waiters.append(event)
            try:
                with anyio.move_on_after(timeout):
                    await event.wait()
            finally:
                if event in self._waiters:
                    self._waiters.remove(event)
        self.used += amount
        return True

    def release(self, amount: int) -> None:
        self.used -= amount
        waiters, self._waiters = self._waiters, []
        for event in waiters:  # each re-checks; the ones that still do not fit wait again
            event.set()
