"""``tracemask policy show|check``."""

from __future__ import annotations

from typing import Any

import click
import yaml

from tracemask.cli._app import EXIT_OK, cli, policy_option, profile_option
from tracemask.policy import load_policy

_HIDDEN = "**********"  # what pydantic prints for a SecretStr


@cli.group("policy")
def policy_group() -> None:
    """Show or check policies."""


@policy_group.command("show")
@policy_option
@profile_option
def policy_show(*, policy: str | None, profile: str | None) -> int:
    """Print the effective policy as YAML (keys of keyed operators are hidden)."""
    loaded = load_policy(policy, profile=profile)
    data = _hide_keys(loaded.model_dump(mode="json"))
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
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
    """Validate a policy file: print "ok", or the error and exit 2."""
    load_policy(file)
    click.echo("ok")
    return EXIT_OK
