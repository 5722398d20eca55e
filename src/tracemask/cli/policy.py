"""``tracemask policy show|check|schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from tracemask import Masker
from tracemask._compiled import build_detectors
from tracemask.cli._app import EXIT_OK, cli, policy_option, profile_option
from tracemask.exceptions import PolicyError
from tracemask.policy import Policy, describe_policy, load_policy, policy_schema
from tracemask.policy._describe import render_comments

_HIDDEN = "**********"  # what pydantic prints for a SecretStr


@cli.group("policy")
def policy_group() -> None:
    """Show, check or describe policies."""


@policy_group.command("show")
@policy_option
@profile_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the entities, detectors, operators and key rules as JSON instead.",
)
def policy_show(*, policy: str | None, profile: str | None, as_json: bool) -> int:
    """Print the effective policy as YAML, then every entity with its operator, threshold and
    detectors, the operators and the key rules as comments (the output loads as a policy).

    Keys of keyed operators are hidden.
    """
    loaded = load_policy(policy, profile=profile)
    doc = describe_policy(loaded, build_detectors(loaded))
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return EXIT_OK
    data = _hide_keys(loaded.model_dump(mode="json"))
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    click.echo(render_comments(doc), nl=False)
    return EXIT_OK


def _hide_keys(value: Any) -> Any:
    """Hide ``key`` strings everywhere: ``profiles`` holds raw dicts that SecretStr misses."""
    if isinstance(value, dict):
        return {
            k: _HIDDEN if k == "key" and isinstance(v, str) and v else _hide_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_hide_keys(v) for v in value]
    return value


@policy_group.command("check")
@click.argument("file", metavar="FILE")
def policy_check(file: str) -> int:
    """Validate a policy file as 'redact' and 'serve' would: print "ok", or the error and exit 2.

    Every profile is checked, each compiled as a Masker (so a keyed operator without its key
    fails here, not on the first request); a 'server:' section and its project policies are
    validated as 'tracemask serve' does.
    """
    for where, policy in _policies(file):
        _compile(where, policy)
    click.echo("ok")
    return EXIT_OK


def _compile(where: str, policy: Policy) -> None:
    """Build the Masker `redact` and `serve` would build: keys are bound, models loaded."""
    try:
        Masker(policy)
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc}") from None


def _policies(file: str) -> list[tuple[str, Policy]]:
    """Every policy a file yields: the base, each profile, and a server config's projects."""
    path = Path(file)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not (isinstance(data, dict) and "server" in data):
        base = load_policy(file)  # also validates every profile, and names a missing preset
        profiles = [(f"{file}: profiles.{p}", load_policy(file, profile=p)) for p in base.profiles]
        return [(file, base), *profiles]
    # A service config: the policy plus a server: section, validated as `tracemask serve` does.
    from tracemask.server._config import ConfigSource, load_config  # noqa: PLC0415

    config = load_config(ConfigSource(path=file, env={}))
    policy_data = {k: v for k, v in data.items() if k != "server"}
    found = [(file, config.policy)]
    found += [
        (f"{file}: profiles.{p}", load_policy(policy_data, profile=p))
        for p in config.policy.profiles
    ]
    found += [(f"{file}: server.projects.{i}", p) for i, (_, _, p) in enumerate(config.projects)]
    return found


@policy_group.command("schema")
def policy_schema_command() -> int:
    """Print the JSON Schema of a policy file (for editors: see docs/policy.md)."""
    click.echo(json.dumps(policy_schema(), indent=2))
    return EXIT_OK
