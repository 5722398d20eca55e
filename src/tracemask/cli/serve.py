"""``tracemask serve`` (the masking service) and ``tracemask sink list|export``."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from typing import Any

import click

from tracemask.cli._app import EXIT_CODES_HELP, EXIT_OK, cli, policy_option, profile_option
from tracemask.cli._io import output
from tracemask.cli._tables import table
from tracemask.exceptions import InputError

# -- serve and the local sink ---------------------------------------------------------------

_SERVER_EXTRA = "tracemask serve needs the server extra: pip install 'tracemask[server]'"
_SERVER_MODULES = frozenset(
    {
        "starlette",
        "uvicorn",
        "h11",
        "httpx",
        "anyio",
        "prometheus_client",
        "google",
        "opentelemetry",
    }
)


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--config",
    "config",
    metavar="FILE",
    default=None,
    help="Policy YAML with a server: section (default: $TRACEMASK_CONFIG).",
)
@policy_option
@profile_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 4318).")
@click.option(
    "--presidio-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Also answer Presidio's analyzer/anonymizer API at the root of this port "
    "(PRESIDIO_ANALYZER_API_BASE=http://HOST:PORT).",
)
@click.option("--upstream", metavar="URL", default=None, help="OTLP/HTTP endpoint to forward to.")
@click.option("--data-dir", metavar="DIR", default=None, help="Local sink directory.")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default=None,
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes on one port (default 1; masking is CPU-bound: about one per core).",
)
@click.option("--check", is_flag=True, help='Validate the configuration, print "ok" and exit.')
def serve(
    *,
    config: str | None,
    policy: str | None,
    profile: str | None,
    host: str | None,
    port: int | None,
    presidio_port: int | None,
    upstream: str | None,
    data_dir: str | None,
    log_level: str | None,
    workers: int | None,
    check: bool,
) -> int:
    """Run the masking service: Langfuse callback, OTLP gateway, /v1/mask (see docs/server.md).

    Without an upstream, masked OTLP batches go to a local sink under --data-dir that
    'tracemask sink list|export' reads. SIGHUP or an edited config file reloads the policies.
    """
    from tracemask.server._config import ConfigSource, load_config  # noqa: PLC0415

    flags = (
        ("host", host),
        ("port", port),
        ("presidio_port", presidio_port),
        ("log_level", log_level),
        ("workers", workers),
    )
    overrides: dict[str, Any] = {k: v for k, v in flags if v is not None}
    if upstream is not None:
        overrides["upstream"] = {"endpoint": upstream}
    if data_dir is not None:
        overrides["sink"] = {"dir": data_dir}
    source = ConfigSource(path=config, policy=policy, profile=profile, overrides=overrides)
    loaded = load_config(source)
    if check:
        click.echo("ok")
        return EXIT_OK
    try:
        from tracemask.server._run import run_server  # noqa: PLC0415
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _SERVER_MODULES:
            raise click.ClickException(_SERVER_EXTRA) from None
        raise
    run_server(loaded)
    return EXIT_OK


def _sink_dir(directory: str | None) -> str:
    from tracemask.server._config import default_sink_dir  # noqa: PLC0415

    return directory or os.environ.get("TRACEMASK_SINK_DIR") or default_sink_dir()


_sink_dir_option = click.option(
    "--data-dir",
    "data_dir",
    metavar="DIR",
    default=None,
    help="Sink directory (default: $TRACEMASK_SINK_DIR, else ~/.local/share/tracemask/sink).",
)


@cli.group("sink")
def sink_group() -> None:
    """Inspect what 'tracemask serve' stored locally (masked OTLP batches)."""


def _batches(data_dir: str | None) -> Iterator[Any]:
    from tracemask.server._sink import read_batches  # noqa: PLC0415

    directory = _sink_dir(data_dir)
    try:
        yield from read_batches(directory)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None


@sink_group.command("list")
@_sink_dir_option
@click.option("--limit", type=int, default=20, show_default=True, help="Newest batches shown.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per batch.")
def sink_list(*, data_dir: str | None, limit: int, as_json: bool) -> int:
    """List stored batches: id, time, signal, items, findings, size."""
    rows = list(itertools.islice(reversed(list(_batches(data_dir))), max(limit, 0)))[::-1]
    if as_json:
        for b in rows:
            meta = {"id": b.id, "time": b.time, "signal": b.signal, "items": b.items}
            meta |= {"findings": b.findings, "bytes": b.size}
            click.echo(json.dumps(meta))
        return EXIT_OK
    if not rows:
        click.echo("no batches")
        return EXIT_OK
    cells = [
        (str(b.id), b.time, b.signal, str(b.items), str(b.findings), str(b.size)) for b in rows
    ]
    click.echo(table(("ID", "TIME", "SIGNAL", "ITEMS", "FINDINGS", "BYTES"), cells, numeric=3))
    return EXIT_OK


@sink_group.command("export")
@_sink_dir_option
@click.option("--id", "ids", type=int, multiple=True, help="Only these batches (repeatable).")
@click.option("--signal", type=click.Choice(["traces", "logs"]), default=None)
@click.option("-o", "--output", "out", metavar="OUT", default=None, help="Write here.")
def sink_export(
    *, data_dir: str | None, ids: tuple[int, ...], signal: str | None, out: str | None
) -> int:
    """Write stored batches as JSONL: one OTLP JSON export request per line."""
    wanted = set(ids)
    with output(out) as write:
        for b in _batches(data_dir):
            if (wanted and b.id not in wanted) or (signal and b.signal != signal):
                continue
            write(b.body + "\n")
    return EXIT_OK
