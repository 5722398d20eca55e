"""Where keys come from: an environment variable, a file, or a pluggable key provider.

Every error names the source (variable, file and line, provider) and never key material.
"""

from __future__ import annotations

import base64
import binascii
import functools
import importlib
import json
import os
import re
import stat
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from tracemask.encryption._keyring import KEY_ID, KeyRing
from tracemask.exceptions import KeyRingError

#: The environment variable read when no other source is named.
DEFAULT_KEYS_ENV = "TRACEMASK_ENCRYPTION_KEYS"
_PROVIDER_SPEC = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*\Z")
_B64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}\Z")


@runtime_checkable
class KeyProvider(Protocol):
    """A callable returning the keys: a :class:`KeyRing`, or a mapping key id -> key.

    Mapping values are raw ``bytes`` or base64 ``str``; the first entry is the active key.
    Named in a policy or on the command line as ``"module:attribute"``; back it with a KMS
    (unwrap data keys at start-up) as shown in docs/encryption.md.
    """

    def __call__(self) -> KeyRing | Mapping[str, bytes | str]:
        """Return the keys."""
        ...


def decode_key(text: str, where: str) -> bytes:
    """Decode a base64 (standard or URL-safe, padding optional) key; errors name ``where``."""
    text = text.strip()
    if not _B64.match(text):
        raise KeyRingError(f"{where}: key is not base64")
    padded = text.rstrip("=").translate(str.maketrans("-_", "+/"))
    try:
        return base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"{where}: key is not base64") from None


def parse_keys(text: str, source: str, *, unit: str = "line") -> KeyRing:
    """Parse ``KEY_ID:BASE64_KEY`` entries separated by commas or newlines; the first is active.

    ``#`` starts a comment (base64 never contains ``#``). ``unit`` is how errors locate an
    entry: ``"line"`` (files, 1-based line numbers) or ``"entry"`` (a variable's entries).
    """
    keys: dict[str, bytes] = {}
    number = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        for part in line.split("#", 1)[0].split(","):
            entry = part.strip()
            if not entry:
                continue
            number += 1
            where = f"{source}: {unit} {line_no if unit == 'line' else number}"
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not KEY_ID.match(key_id):
                raise KeyRingError(
                    f"{where}: expected KEY_ID:BASE64_KEY (key id: 1-32 of A-Z a-z 0-9 _ . -)"
                )
            if key_id in keys:
                raise KeyRingError(f"{where}: key id '{key_id}' appears twice")
            keys[key_id] = decode_key(encoded, f"{where}: key '{key_id}'")
    if not keys:
        raise KeyRingError(f"{source}: no keys")
    return _ring(keys, None, source)


def _ring(keys: Mapping[str, bytes], active: str | None, source: str) -> KeyRing:
    try:
        return KeyRing(keys, active)
    except KeyRingError as exc:
        raise KeyRingError(f"{source}: {exc}") from None


def from_env(name: str = DEFAULT_KEYS_ENV) -> KeyRing:
    """Keys from the environment variable ``name``: ``kid1:base64,kid2:base64`` (first active)."""
    raw = os.environ.get(name)
    if not raw or not raw.strip():
        raise KeyRingError(
            f"environment variable {name} is not set (create a key with 'tracemask keygen')"
        )
    return parse_keys(raw, f"${name}", unit="entry")


def from_file(path: str) -> KeyRing:
    """Keys from a file: ``KEY_ID:BASE64_KEY`` lines (first active, ``#`` comments), or JSON
    ``{"active": "k2", "keys": {"k1": "base64", "k2": "base64"}}``.

    On POSIX the file must not be accessible to other users (mode ``0600``/``0400``/``0640``).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise KeyRingError(f"{path}: cannot read key file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise KeyRingError(f"{path}: key file is not a regular file")
        if os.name == "posix" and st.st_mode & 0o007:
            mode = stat.S_IMODE(st.st_mode)
            raise KeyRingError(
                f"{path}: key file is accessible to other users (mode {mode:04o}); "
                f"run: chmod 600 {path}"
            )
        data = f.read()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise KeyRingError(f"{path}: key file is not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        return _from_json(text, path)
    return parse_keys(text, path)


def _from_json(text: str, path: str) -> KeyRing:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        # The position only: the JSON parser's message never quotes the document, but be sure.
        lineno = getattr(exc, "lineno", None)
        where = f"{path}: line {lineno}" if lineno else path
        raise KeyRingError(f"{where}: invalid JSON key file") from None
    keys = doc.get("keys") if isinstance(doc, dict) else None
    active = doc.get("active") if isinstance(doc, dict) else None
    if not isinstance(keys, dict) or not keys or not isinstance(active, (str, type(None))):
        raise KeyRingError(
            f'{path}: expected {{"active": KEY_ID, "keys": {{KEY_ID: BASE64_KEY, ...}}}}'
        )
    decoded: dict[str, bytes] = {}
    for key_id, encoded in keys.items():
        if not KEY_ID.match(key_id):
            raise KeyRingError(f"{path}: a key id is 1-32 characters from A-Z a-z 0-9 _ . -")
        if not isinstance(encoded, str):
            raise KeyRingError(f"{path}: key '{key_id}': expected a base64 string")
        decoded[key_id] = decode_key(encoded, f"{path}: key '{key_id}'")
    return _ring(decoded, active, path)


def from_provider(spec: str) -> KeyRing:
    """Keys from the :class:`KeyProvider` named ``"module:attribute"`` (called once)."""
    if not _PROVIDER_SPEC.match(spec):
        raise KeyRingError(f"key provider '{spec}': expected 'module:attribute'")
    module_name, _, attr = spec.partition(":")
    source = f"key provider '{spec}'"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise KeyRingError(f"{source}: cannot import {exc.name or module_name}") from None
    try:
        provider = functools.reduce(getattr, attr.split("."), module)
    except AttributeError:
        raise KeyRingError(f"{source}: {module_name} has no attribute {attr}") from None
    if not callable(provider):
        raise KeyRingError(f"{source}: not callable")
    try:
        result = provider()
    except Exception as exc:
        # Only the type: a provider's message is out of our control and could quote a secret.
        # The cause stays chained for Python callers who need to debug their provider.
        raise KeyRingError(f"{source} failed ({type(exc).__name__})") from exc
    return _provided(result, source)


def _provided(result: object, source: str) -> KeyRing:
    if isinstance(result, KeyRing):
        return result
    if not isinstance(result, Mapping) or not result:
        raise KeyRingError(f"{source}: expected a KeyRing or a non-empty mapping key id -> key")
    keys: dict[str, bytes] = {}
    for key_id, key in result.items():
        if not isinstance(key_id, str) or not KEY_ID.match(key_id):
            raise KeyRingError(f"{source}: a key id is 1-32 characters from A-Z a-z 0-9 _ . -")
        if isinstance(key, str):
            keys[key_id] = decode_key(key, f"{source}: key '{key_id}'")
        elif isinstance(key, (bytes, bytearray)):
            keys[key_id] = bytes(key)
        else:
            raise KeyRingError(f"{source}: key '{key_id}': expected bytes or a base64 string")
    return _ring(keys, None, source)


def load_keyring(
    *,
    keys_env: str = DEFAULT_KEYS_ENV,
    keys_file: str | None = None,
    key_provider: str | None = None,
) -> KeyRing:
    """Keys from the first source given: ``key_provider``, then ``keys_file``, then ``keys_env``."""
    if key_provider is not None:
        return from_provider(key_provider)
    if keys_file is not None:
        return from_file(keys_file)
    return from_env(keys_env)
