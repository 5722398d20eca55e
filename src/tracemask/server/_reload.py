"""The runtime (config + compiled maskers) and its hot reload.

A reload builds a complete new :class:`Runtime` off the event loop and swaps one reference;
every request holds the runtime it started with, so in-flight requests finish on the old policy
and none is dropped. A config that fails to load leaves the running one in place.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from tracemask._masker import Masker
from tracemask.exceptions import TracemaskError
from tracemask.policy import Policy
from tracemask.server._auth import Credentials
from tracemask.server._config import Config, ServerSettings, load_config

if TYPE_CHECKING:
    from tracemask.server._metrics import Metrics

log = logging.getLogger("tracemask.server")

#: A name for an empty profile: ``Masker(policy)`` would otherwise apply ``$TRACEMASK_PROFILE``
#: to an already resolved policy (again, or to a project policy that lacks it).
_RESOLVED = "__resolved__"


#: Made-up values of the kinds whose detectors read data files or compile patterns on first use.
#: Each new runtime's maskers detect it once, before they serve, so that their first request
#: does not pay for it: 150-350 ms on a fresh process, most of the callback's 450 ms deadline.
_WARM_UP = (
    "Jane Doe wrote from 1 Market St, San Francisco, CA 94105: call +1 (415) 555-0132 or "
    "mail jane.doe@example.com; card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, "
    "SSN 123-45-6789, key sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1, born 1984-03-12."
)


def _warm(masker: Masker) -> None:
    """Detect :data:`_WARM_UP` once (detection only: no operator runs, no store is written)."""
    try:
        masker.detect(_WARM_UP)
    except Exception as exc:  # noqa: BLE001 - the first request meets it and fails as configured
        log.warning("warming up a policy failed: %s", type(exc).__name__)


def _masker(policy: Policy) -> Masker:
    # A full dump, not the Policy itself: ``load_policy(Policy)`` dumps with
    # ``exclude_defaults=True``, which drops operators' ``type`` discriminator.
    data = policy.model_dump()
    data["profiles"] = {_RESOLVED: {}}
    return Masker(data, profile=_RESOLVED)


class Runtime:
    """One generation of the configuration: settings and a compiled masker per policy."""

    def __init__(self, config: Config, generation: int = 1) -> None:
        self.config = config
        self.settings: ServerSettings = config.settings
        self.generation = generation
        self.masker = _masker(config.policy)
        self._exact: dict[tuple[str, str], Masker] = {}
        self._project: dict[str, Masker] = {}
        self._org: dict[str, Masker] = {}
        for org, project, policy in config.projects:
            m = _masker(policy)
            if org is not None and project is not None:
                self._exact.setdefault((org, project), m)
            elif project is not None:
                self._project.setdefault(project, m)
            elif org is not None:
                self._org.setdefault(org, m)
        self.credentials = Credentials.from_settings(self.settings.auth)
        for masker in {id(m): m for m in self._all()}.values():
            _warm(masker)

    def _all(self) -> list[Masker]:
        return [self.masker, *self._exact.values(), *self._project.values(), *self._org.values()]

    def select(self, org: str | None, project: str | None) -> Masker:
        """The masker for a Langfuse org/project: exact pair, then project, then org, else the
        default policy."""
        if org is not None and project is not None:
            found = self._exact.get((org, project))
            if found is not None:
                return found
        if project is not None and project in self._project:
            return self._project[project]
        if org and org in self._org:
            return self._org[org]
        return self.masker

    def fail_open(self, masker: Masker) -> bool:
        """Whether to pass data on unmasked when masking ``masker``'s policy fails."""
        mode = self.settings.fail_mode or masker.policy.fail_mode
        return mode == "open"

    def any_fail_open(self) -> bool:
        return any(self.fail_open(m) for m in self._all())


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Reloader:
    """Holds the current :class:`Runtime`; :meth:`reload` swaps in a new one."""

    def __init__(self, config: Config, metrics: Metrics) -> None:
        self.metrics = metrics
        self.current = Runtime(config)
        self._lock = threading.Lock()
        self._stamps = self._read_stamps(config)
        metrics.generation.set(1)

    @staticmethod
    def _read_stamps(config: Config) -> dict[str, tuple[int, int, int] | None]:
        return {f: _stamp(f) for f in config.files}

    def changed(self) -> bool:
        """Whether a config or policy file changed since the last load."""
        return any(_stamp(f) != s for f, s in self._stamps.items())

    def reload(self, why: str) -> bool:
        """Load the config again and swap it in; on error keep the running one. Thread-safe."""
        with self._lock:
            old = self.current
            try:
                config = load_config(old.config.source)
                runtime = Runtime(config, old.generation + 1)
            except TracemaskError as exc:
                # Config errors name files and fields (never request data).
                log.error(  # noqa: TRY400 - one line, no traceback
                    "reload (%s) failed, keeping generation %d: %s", why, old.generation, exc
                )
                self.metrics.reloads.labels("error").inc()
                self._stamps = {f: _stamp(f) for f in self._stamps}  # retry on the next change
                return False
            except Exception as exc:  # noqa: BLE001 - keep serving on the old config
                log.error("reload (%s) failed: %s", why, type(exc).__name__)  # noqa: TRY400
                self.metrics.reloads.labels("error").inc()
                self._stamps = {f: _stamp(f) for f in self._stamps}
                return False
            fixed = ("host", "port", "langfuse_path")
            for name in fixed:
                if getattr(config.settings, name) != getattr(old.settings, name):
                    log.warning("reload: server.%s changed; it applies after a restart", name)
            self.current = runtime
            self._stamps = self._read_stamps(config)
            self.metrics.reloads.labels("ok").inc()
            self.metrics.generation.set(runtime.generation)
            log.info("reloaded configuration (%s): generation %d", why, runtime.generation)
            if runtime.any_fail_open():
                log.warning("fail_mode is open: payloads that fail masking pass UNMASKED")
            return True
