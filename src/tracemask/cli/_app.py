"""The ``tracemask`` command group, its shared options, exit codes and the entry function.

Every user error prints one line, ``tracemask: error: <where>: <what>``, and never a value from
the data. Exit codes: 0 ok, 1 findings (``scan`` only), 2 user error, 3 masking failure,
4 decryption failure (``decrypt`` only).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from tracemask import __version__
from tracemask.cli._io import FORMATS
from tracemask.exceptions import DecryptionError, MaskingError, TracemaskError

if TYPE_CHECKING:
    from tracemask._masker import Masker

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USER = 2
EXIT_MASKING = 3
EXIT_DECRYPT = 4
EXIT_PIPE = 141  # 128 + SIGPIPE: the reader went away (``tracemask redact big.jsonl | head``)

EXIT_CODES_HELP = """\b
Exit codes:
  0  ok
  1  findings (scan only)
  2  user error: bad input, policy, file or flag
  3  masking failure
  4  decryption failure (decrypt only): unknown or wrong key, edited token"""


# -- commands --------------------------------------------------------------------------------


def make_masker(policy: str | None, profile: str | None) -> Masker:
    with _no_pydantic_plugins():
        from tracemask._masker import Masker  # noqa: PLC0415 - not needed by --help, keygen...

        return Masker(policy, profile=profile)


@contextlib.contextmanager
def _no_pydantic_plugins() -> Iterator[None]:
    """pydantic's documented switch ``PYDANTIC_DISABLE_PLUGINS``, while the policy models are
    built: the first model built otherwise reads the entry points of every installed
    distribution (30-70 ms of each CLI start in a large environment) looking for plugins, and
    the policy's models use none. A value the user set is kept; the variable is unset after,
    so that nothing this process starts inherits it."""
    if "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        yield
        return
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
    try:
        yield
    finally:
        os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)


policy_option = click.option(
    "--policy",
    "policy",
    metavar="FILE",
    default=None,
    help="Policy file or preset name (default: $TRACEMASK_POLICY, else the default policy).",
)
profile_option = click.option(
    "--profile", metavar="NAME", default=None, help="Profile of the policy to apply."
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Input format; auto: by extension (.json, .jsonl, .ndjson), else by content.",
)
input_argument = click.argument("path", default="-", metavar="[PATH|-]")


class PipeClosed(Exception):  # noqa: N818 - not an error: the reader stopped reading
    """stdout's reader went away; raised instead of ``BrokenPipeError``, which click would
    turn into exit 1 (our "findings" code)."""


#: The module (under ``tracemask.cli``) defining each command, imported when the command is
#: run or listed: ``tracemask redact`` does not pay for the server's, the benchmark's or the
#: archive machinery's imports (start-up is part of every ``redact`` in a shell loop).
COMMAND_MODULES = {
    "redact": "mask",
    "detect": "mask",
    "scan": "mask",
    "decrypt": "crypto",
    "keygen": "crypto",
    "eval": "evaluate",
    "bench": "evaluate",
    "policy": "policy",
    "serve": "serve",
    "sink": "serve",
}


class _Group(click.Group):
    """The command group, its commands' modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(super().list_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            with _no_pydantic_plugins():  # the engine's models are built by this import
                importlib.import_module(f"tracemask.cli.{module}")  # registers its commands
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(
    __version__, "--version", prog_name="tracemask", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Mask personal data and secrets in LLM traces, logs and exports."""


# -- entry point -----------------------------------------------------------------------------


def _fail(message: str, code: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"tracemask: error: {message}\n")
        sys.stderr.flush()
    return code


def _usage_message(exc: click.UsageError) -> str:
    message = " ".join(exc.format_message().split()).rstrip(".")
    ctx = exc.ctx
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (errors already printed)."""
    try:
        rv = cli.main(args=argv, prog_name="tracemask", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            click.echo(exc.ctx.get_help(), err=True)  # bare ``tracemask``: help, as click does
            return EXIT_USER
        return _fail(_usage_message(exc), EXIT_USER)
    except click.ClickException as exc:
        return _fail(" ".join(exc.format_message().split()), EXIT_USER)
    except click.Abort:
        return _fail("interrupted", 130)
    except MaskingError as exc:
        return _fail(str(exc), EXIT_MASKING)
    except DecryptionError as exc:
        return _fail(str(exc), EXIT_DECRYPT)
    except TracemaskError as exc:
        return _fail(str(exc), EXIT_USER)
    except (PipeClosed, BrokenPipeError):
        # Silence the flush at exit: stdout's reader is gone.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or type(exc).__name__}", EXIT_USER)
    except Exception as exc:
        if os.environ.get("TRACEMASK_DEBUG"):
            raise
        # The message of an unexpected error may hold data: print its type only.
        return _fail(
            f"internal error ({type(exc).__name__}); set TRACEMASK_DEBUG=1 for details",
            EXIT_MASKING,
        )
    return rv if isinstance(rv, int) else EXIT_OK


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())
