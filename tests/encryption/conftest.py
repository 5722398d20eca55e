"""Keys, key rings and encrypting maskers for the encryption tests (fresh keys per test run)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import Ran, invoke
from tracemask import Masker
from tracemask.encryption import KeyRing, generate_key, key_line

#: Two keys made once per test session: tests must never depend on particular key bytes.
K1 = generate_key()
K2 = generate_key(32)
#: Encrypt everything the masker masks, key-rule values too, so that all of it comes back.
ENCRYPT_ALL = {"default_operator": {"type": "encrypt"}, "key_operator": {"type": "encrypt"}}

Run = Callable[..., Ran]


def env_value(*entries: tuple[str, bytes]) -> str:
    """``$TRACEMASK_ENCRYPTION_KEYS`` for ``entries`` (the first is the active key)."""
    return ",".join(key_line(kid, key) for kid, key in entries)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing({"k1": K1, "k2": K2})


@pytest.fixture
def keys_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set ``$TRACEMASK_ENCRYPTION_KEYS`` to k1 (active) and k2; return its value."""
    value = env_value(("k1", K1), ("k2", K2))
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", value)
    return value


@pytest.fixture
def encrypting(keys_env: str) -> Masker:
    """A masker that encrypts every finding and key-rule value with k1."""
    return Masker(ENCRYPT_ALL, backend="re")


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """``tracemask ARGS`` in process in ``tmp_path`` with only the ``env`` TRACEMASK_* given."""

    def _run(*args: str, stdin: bytes | str = b"", env: dict[str, str] | None = None) -> Ran:
        return invoke(*args, cwd=tmp_path, stdin=stdin, env=env)

    return _run
