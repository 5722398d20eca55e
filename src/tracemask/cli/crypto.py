"""``tracemask decrypt`` (with its audit record) and ``tracemask keygen``."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import sys
from datetime import datetime, timezone
from typing import Any

import click

from tracemask import __version__
from tracemask.cli._app import (
    EXIT_CODES_HELP,
    EXIT_DECRYPT,
    EXIT_MASKING,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USER,
    PipeClosed,
    cli,
    format_option,
    input_argument,
)
from tracemask.cli._io import Input, output, same_file
from tracemask.cli._job import Job
from tracemask.encryption import (
    DEFAULT_KEYS_ENV,
    KeyRing,
    Restored,
    decrypt,
    generate_key,
    key_line,
    load_keyring,
    new_key_id,
)
from tracemask.encryption._aead import require as _require_cryptography
from tracemask.encryption._decrypt import reencode
from tracemask.exceptions import DecryptionError, InputError, MaskingError, TracemaskError

# -- decrypt and keygen ---------------------------------------------------------------------


class _DecryptJob(Job):
    """One input decrypted into one writer: :class:`Job`'s reading, with decrypt for mask."""

    def __init__(self, keyring: KeyRing, src: Input, restored: Restored) -> None:
        self.keyring = keyring
        self.src = src
        self.restored = restored

    def _mask(self, obj: Any, line: int | None) -> Any:
        try:
            return decrypt(obj, self.keyring, restored=self.restored)[0]
        except DecryptionError as exc:
            where = f"{self.src.name}: line {line}" if line is not None else self.src.name
            raise DecryptionError(f"{where}: {exc}") from None

    def _mask_json_text(self, text: str, obj: Any, line: int | None) -> str:
        restored = self._mask(obj, line)
        return text if restored == obj else reencode(text, restored)


class _Audit:
    """The audit record of one ``decrypt`` run: who, when, what, how many; never values.

    The log file is opened before anything is decrypted, so that a run that cannot be
    recorded does not happen.
    """

    def __init__(self, log: str | None, record: dict[str, Any]) -> None:
        self.record = record
        self.fd: int | None = None
        if log is not None:
            try:
                self.fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                raise InputError(f"{log}: cannot write audit log ({exc.strerror})") from None

    def finish(self, restored: Restored, outcome: str, code: int, error: str | None) -> None:
        self.record |= {"outcome": outcome, "exit": code, **restored.to_dict()}
        if error is not None:
            self.record["error"] = error
        line = json.dumps(self.record, ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"tracemask: audit: {line}\n")
            sys.stderr.flush()
        if self.fd is not None:
            try:
                # One write of one line with O_APPEND: concurrent runs never interleave records.
                os.write(self.fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(self.fd)
                self.fd = None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers): the uid still identifies
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _audit_name(path: str | None, stdio: str) -> str:
    return stdio if path in (None, "-") else os.path.abspath(str(path))


def _failure(exc: BaseException) -> tuple[str, int, str]:
    """Outcome, exit code and a message safe to record (tracemask's own errors name no values)."""
    if isinstance(exc, DecryptionError):
        return "failed", EXIT_DECRYPT, str(exc)
    if isinstance(exc, MaskingError):
        return "failed", EXIT_MASKING, str(exc)
    if isinstance(exc, (TracemaskError, click.ClickException)):
        return "error", EXIT_USER, " ".join(str(exc).split())
    if isinstance(exc, (KeyboardInterrupt, click.Abort)):
        return "interrupted", 130, "interrupted"
    if isinstance(exc, (PipeClosed, BrokenPipeError)):
        return "interrupted", EXIT_PIPE, "output closed"
    return "error", EXIT_MASKING, f"internal error ({type(exc).__name__})"


@cli.command("decrypt", epilog=EXIT_CODES_HELP)
@input_argument
@format_option
@click.option(
    "-o",
    "--output",
    "out",
    metavar="OUT",
    default=None,
    help="Write here (atomically; a new file is mode 0600) instead of stdout. Never the input.",
)
@click.option(
    "--keys-file",
    metavar="FILE",
    default=None,
    help="Key file: KEY_ID:BASE64_KEY lines, or JSON (see docs/encryption.md).",
)
@click.option(
    "--key-provider",
    metavar="MODULE:ATTR",
    default=None,
    help="A callable returning the keys (e.g. one that unwraps them with a cloud KMS).",
)
@click.option(
    "--keys-env",
    metavar="NAME",
    default=DEFAULT_KEYS_ENV,
    show_default=True,
    help="Environment variable holding KEY_ID:BASE64_KEY entries, used without the above.",
)
@click.option(
    "--audit-log",
    "audit_log",
    metavar="FILE",
    default=None,
    help="Also append the audit record to FILE (JSON Lines, created mode 0600).",
)
def decrypt_command(
    *,
    path: str,
    fmt: str,
    out: str | None,
    keys_file: str | None,
    key_provider: str | None,
    keys_env: str,
    audit_log: str | None,
) -> int:
    """Restore the values of encrypted tokens, for holders of the key.

    Reads JSON, JSONL or text holding <ENTITY:enc:v1:KEY_ID:...> tokens (the encrypt operator's
    output) and writes it with the original values back in place.

    Keys: --key-provider, else --keys-file, else $TRACEMASK_ENCRYPTION_KEYS (or --keys-env).
    Every run writes one audit record to stderr, and appends it to --audit-log: time (UTC),
    user, host, input, output, tokens restored per entity, key ids, outcome; never values. A
    token that does not decrypt (key not loaded, wrong key, edited or moved token) stops the
    run with exit 4; with -o nothing is written then. The input is never modified.
    """
    if keys_file is not None and key_provider is not None:
        raise click.UsageError("use --keys-file or --key-provider, not both")
    src = Input(path)
    if out is not None and out != "-" and not src.is_stdin and same_file(out, path):
        raise InputError(f"{out}: refusing to overwrite the input")
    if key_provider is not None:
        keys = f"provider:{key_provider}"
    else:
        keys = f"file:{os.path.abspath(keys_file)}" if keys_file else f"env:{keys_env}"
    audit = _Audit(
        audit_log,
        {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "event": "decrypt",
            "user": _user(),
            "host": socket.gethostname(),
            "input": _audit_name(path, "<stdin>"),
            "output": _audit_name(out, "<stdout>"),
            "format": fmt,
            "keys": keys,
            "tracemask": __version__,
        },
    )
    restored = Restored()
    try:
        try:
            _require_cryptography("tracemask decrypt")
        except ImportError as exc:
            raise click.ClickException(str(exc)) from None
        keyring = load_keyring(keys_env=keys_env, keys_file=keys_file, key_provider=key_provider)
        with output(out, private=True) as write:
            _DecryptJob(keyring, src, restored).run(fmt, write)
    except BaseException as exc:
        audit.finish(restored, *_failure(exc))
        raise
    audit.finish(restored, "ok", EXIT_OK, None)
    return EXIT_OK


@cli.command("keygen", epilog=EXIT_CODES_HELP)
@click.option(
    "--key-id", metavar="ID", default=None, help="Key id (default: k<YYYYMMDD>-<4 hex digits>)."
)
@click.option(
    "--size",
    type=click.Choice(["32", "48", "64"]),
    default="64",
    show_default=True,
    help="Key bytes: 64 is AES-256-SIV.",
)
def keygen(*, key_id: str | None, size: str) -> int:
    """Print a new random encryption key as one KEY_ID:BASE64_KEY line.

    Put it first in $TRACEMASK_ENCRYPTION_KEYS (entries separated by commas) or in a key file
    to make it the active key; keep the old keys after it so that their tokens still decrypt.
    """
    click.echo(key_line(key_id or new_key_id(), generate_key(int(size))))
    return EXIT_OK
