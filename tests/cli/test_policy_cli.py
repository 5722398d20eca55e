"""``tracemask policy check|show|schema``: catches what redact and serve would refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from tests.cli.test_cli import one_line_error
from tests.clirun import Ran

from tracemask import load_policy

Run = Callable[..., Ran]
Write = Callable[[str, "str | bytes"], Path]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # The policy passed with "ok" and all three settings were ignored.
        (
            "entities:\n  CREDITCARD: {operator: {type: mask}}\n  PERSONS: {enabled: false}\n"
            "  EMAIL: {allow: [a@b.co]}\n",
            "p.yaml: entities.CREDITCARD: unknown entity (did you mean CREDIT_CARD?)",
        ),
        # `redact` refused this one after `check` said ok.
        ("default_operator: {type: hash}\n", "p.yaml: operator 'hash': no key"),
        (
            "profiles:\n  prod:\n    entities: {EMAIL_ADDRESS: {operator: {type: pseudonymize}}}\n",
            "p.yaml: profiles.prod: operator 'pseudonymize': no key",
        ),
        ("recognizers:\n  - {name: r, entity: X, pattern: '(a'}\n", "missing ): (a"),
        ("server:\n  port: 99999\n", "server: port"),
        (
            "server:\n  projects:\n"
            "    - {project_id: p1, policy: {default_operator: {type: hash}}}\n",
            "p.yaml: server.projects.0: operator 'hash': no key",
        ),
        (
            "server:\n  port: 8080\nprofiles:\n  dev: {default_operator: {type: surrogate}}\n",
            "p.yaml: profiles.dev: operator 'surrogate': no key",
        ),
    ],
)
def test_check_refuses_what_redact_or_serve_would(
    run: Run, frozen: Write, content: str, expected: str
) -> None:
    frozen("p.yaml", content)
    line = one_line_error(run("policy", "check", "p.yaml"))
    assert expected in line
    assert "b'" not in line


def test_check_accepts_keys_and_server_configs(run: Run, frozen: Write) -> None:
    frozen("keyed.yaml", "default_operator: {type: hash, key: k-123456}\n")
    frozen("srv.yaml", "server: {port: 8080}\nentities: {EMAIL_ADDRESS: {enabled: false}}\n")
    for name in ("keyed.yaml", "srv.yaml"):
        proc = run("policy", "check", name)
        assert (proc.returncode, proc.stdout) == (0, b"ok\n"), proc.stderr


def test_show_lists_every_entity_and_still_loads(run: Run, tmp_path: Path) -> None:
    proc = run("policy", "show")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    for entity in ("CREDIT_CARD", "EMAIL_ADDRESS", "PERSON", "LOCATION", "US_SSN", "API_KEY"):
        assert f"#   {entity} " in text
    assert "EmailDetector" in text
    assert "#   pseudonymize" in text
    assert "PASSWORD [replace]: password" in text
    assert load_policy(yaml.safe_load(text)) == load_policy(None)


def test_show_json(run: Run, frozen: Write) -> None:
    frozen("p.yaml", "threshold: 0.7\nentities: {CREDIT_CARD: {operator: {type: mask}}}\n")
    proc = run("policy", "show", "--policy", "p.yaml", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {e["entity"]: e for e in json.loads(proc.stdout)["entities"]}
    assert rows["CREDIT_CARD"]["operator"] == "mask"
    assert rows["PHONE_NUMBER"] == {
        "entity": "PHONE_NUMBER",
        "description": "a phone number",
        "enabled": True,
        "operator": "replace",
        "threshold": 0.7,
        "allow": 0,
        "deny": 0,
        "detectors": ["PhoneNumberDetector", "FieldValue"],
        "by_key": True,
    }


def test_schema_is_json_and_validates_a_policy(run: Run) -> None:
    proc = run("policy", "schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate({"entities": {"CREDIT_CARD": {"threshold": 0.9}}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"entities": {"CREDIT_CARD": {"treshold": 0.9}}}, schema)
