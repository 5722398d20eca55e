"""Issue 13.5: project policies are bound to the credential, not chosen by a client header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tracemask.server import ConfigError, ConfigSource, create_app, load_config

EMAIL = "jane.doe@example.com"
#: The default policy masks e-mails; project "lax" keeps them; project "strict" also masks
#: user ids. A client must not reach "lax" by naming it.
POLICY: dict[str, Any] = {}
LAX = {"entities": {"EMAIL_ADDRESS": {"enabled": False}}}
STRICT = {
    "recognizers": [
        {"name": "user ids", "entity": "USER_ID", "pattern": "user_[0-9]{4}", "score": 0.9}
    ]
}
BODY = {"m": f"{EMAIL} user_1234"}


def _client(tmp_path: Path, **auth: Any) -> TestClient:
    server = {
        "sink": {"kind": "none"},
        "reload_interval_s": 0,
        "auth": auth,
        "projects": [
            {"org_id": "org-a", "project_id": "lax", "policy": LAX},
            {"project_id": "strict", "policy": STRICT},
        ],
    }
    config = tmp_path / "c.json"
    config.write_text(json.dumps({**POLICY, "server": server}), encoding="utf-8")
    return TestClient(create_app(ConfigSource(path=str(config), env={})))


def _mask(c: TestClient, token: str | None, **tenant: str) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    headers |= {f"x-langfuse-{k.replace('_', '-')}": v for k, v in tenant.items()}
    r = c.post("/v1/mask", json=BODY, headers=headers)
    return r.status_code, r.json()


def test_an_unbound_client_cannot_pick_a_project_policy(tmp_path: Path) -> None:
    with _client(tmp_path, tokens=["plain"]) as c:
        assert _mask(c, "plain") == (200, {"m": "<EMAIL_ADDRESS> user_1234"})
        status, body = _mask(c, "plain", org_id="org-a", project_id="lax")
        assert (status, body) == (403, {"error": "project not permitted for this credential"})
        assert _mask(c, "plain", project_id="strict")[0] == 403
        # A project with no policy of its own: the default policy, as before.
        assert _mask(c, "plain", project_id="other") == (200, {"m": "<EMAIL_ADDRESS> user_1234"})
    with _client(tmp_path) as c:  # no auth at all: the same
        assert _mask(c, None, org_id="org-a", project_id="lax")[0] == 403


def test_a_bound_token_uses_its_tenants_policy_and_no_other(tmp_path: Path) -> None:
    tokens = [
        {"token": "lax-token", "tenants": [{"org_id": "org-a", "project_id": "lax"}]},
        {"token": "strict-token", "tenants": [{"project_id": "strict"}]},
        {"token": "both", "tenants": [{"project_id": "strict"}, {"org_id": "org-a"}]},
    ]
    with _client(tmp_path, tokens=tokens) as c:
        # No header: the token's only tenant.
        assert _mask(c, "lax-token") == (200, BODY)
        assert _mask(c, "strict-token") == (200, {"m": "<EMAIL_ADDRESS> <USER_ID>"})
        # Headers may narrow to one of the token's tenants, never leave them.
        assert _mask(c, "lax-token", project_id="lax") == (200, BODY)
        assert _mask(c, "strict-token", org_id="org-a", project_id="lax")[0] == 403
        assert _mask(c, "strict-token", project_id="other")[0] == 403
        # Several tenants: the header chooses; without it the request is ambiguous.
        assert _mask(c, "both", project_id="strict")[1] == {"m": "<EMAIL_ADDRESS> <USER_ID>"}
        assert _mask(c, "both", org_id="org-a", project_id="lax") == (200, BODY)
        assert _mask(c, "both")[0] == 400
        assert _mask(c, "nope")[0] == 401


def test_the_callback_trusts_langfuse_headers_by_default(tmp_path: Path) -> None:
    """Langfuse sets X-Langfuse-Org-Id/Project-Id itself on the callback (guarded by a network
    policy); ``trust_tenant_headers`` lists the routes where an unbound request may use them."""
    with _client(tmp_path, tokens=["plain"], routes=["mask"]) as c:
        doc = [{"scopeSpans": [{"spans": [{"name": EMAIL}]}]}]
        lax = {"x-langfuse-org-id": "org-a", "x-langfuse-project-id": "lax"}
        r = c.post("/langfuse/mask", json=doc, headers=lax)
        assert r.status_code == 200
        assert EMAIL in r.text  # the lax project's own policy
        r = c.post("/langfuse/mask", json=doc)
        assert EMAIL not in r.text
    config = tmp_path / "c.json"
    data = json.loads(config.read_text())
    data["server"]["auth"]["trust_tenant_headers"] = []
    config.write_text(json.dumps(data))
    with TestClient(create_app(ConfigSource(path=str(config), env={}))) as c:
        r = c.post("/langfuse/mask", json=doc, headers=lax)
        assert r.status_code == 403


def test_token_bindings_are_validated(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("server: {auth: {tokens: [{token: t, tenants: [{}]}]}}\n")
    with pytest.raises(ConfigError, match="a tenant needs org_id, project_id or both"):
        load_config(ConfigSource(path=str(config), env={}))
    config.write_text("server: {auth: {tokens: [{token: t, tenants: []}]}}\n")
    with pytest.raises(ConfigError, match="tenants"):
        load_config(ConfigSource(path=str(config), env={}))
