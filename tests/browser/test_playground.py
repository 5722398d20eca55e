"""``/ui``: paste, see each finding highlighted with its reason beside the masked output, and
no request to any other origin (CSP, no external assets)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server.conftest import Server, start_server
from tracemask.server._config import ServerSettings
from tracemask.server._ui import enabled

EMAIL = "maria.gonzalez@gmail.com"
CARD = "4111 1111 1111 1111"
PHONE = "+1 (415) 555-0132"
PAYLOAD = {
    "messages": [{"role": "user", "content": f"I am {EMAIL}, card {CARD}, call {PHONE}"}],
    "password": "hunter2!x",
    "model": "gpt-4o-mini",
    "note": '<img src="https://evil.example/x.png" onerror="fetch(\'https://evil.example\')">',
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # A deadline no loaded box misses: these tests are about the page, and under pytest-xdist
    # they may share the 2 cores with Ray or Spark (the 450 ms default then answered 503).
    config = {"server": {"reload_interval_s": 0, "limits": {"timeout_ms": 20_000}}}
    srv = start_server(tmp_path_factory.mktemp("ui"), config)
    try:
        yield srv
    finally:
        srv.stop()


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def test_paste_see_highlights_reasons_and_no_other_origin(page: Any, server: Server) -> None:
    response = page.goto(server.url + "/ui")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "connect-src 'self'" in csp
    page.fill("#input", json.dumps(PAYLOAD, indent=2))
    page.select_option("#policy", "server")
    page.click("#run")
    page.wait_for_selector("#highlighted mark")
    entities = set(
        page.eval_on_selector_all("#highlighted mark", "ms => ms.map(m => m.dataset.entity)")
    )
    assert {"EMAIL_ADDRESS", "CREDIT_CARD", "PHONE_NUMBER", "PASSWORD"} <= entities
    marked = page.eval_on_selector_all(
        "#highlighted mark", "ms => ms.map(m => m.firstChild.textContent)"
    )
    assert {EMAIL, CARD, PHONE, "hunter2!x"} <= set(marked)
    masked = page.text_content("#masked")
    for value in (EMAIL, CARD, PHONE, "hunter2!x"):
        assert value not in masked
    assert "<EMAIL_ADDRESS>" in masked
    assert "gpt-4o-mini" in masked  # nothing useful destroyed
    rows = page.eval_on_selector_all(
        "#reasons tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    by_entity = {r[1]: r for r in rows}
    assert by_entity["PASSWORD"][4] == "key rule"
    assert by_entity["PASSWORD"][6] == "key 'password'"
    assert by_entity["EMAIL_ADDRESS"][2] == "messages.0.content"
    assert by_entity["CREDIT_CARD"][6] == "context 'card'"
    assert float(by_entity["CREDIT_CARD"][5]) > 0.5
    # The pasted HTML stays text: no element was created from it, nothing was fetched.
    assert page.query_selector("#highlighted img, #masked img") is None
    assert page.requests, "the page made no request at all"
    assert all(same_origin(u, server.url) for u in page.requests), page.requests


def test_text_and_a_preset_policy(page: Any, server: Server) -> None:
    page.goto(server.url + "/ui")
    page.fill("#input", f"Ticket from {EMAIL}: please refund card {CARD}.")
    page.select_option("#policy", "strict")
    page.click("#run")
    page.wait_for_selector("#highlighted mark")
    assert page.text_content("#masked") == (
        "Ticket from <EMAIL_ADDRESS>: please refund card <CREDIT_CARD>."
    )
    assert "2 finding(s)" in page.text_content("#status")


def test_an_error_is_shown_not_thrown(page: Any, server: Server) -> None:
    page.goto(server.url + "/ui")
    page.evaluate("document.getElementById('policy').add(new Option('nope', 'nope'))")
    page.select_option("#policy", "nope")
    page.fill("#input", "hello")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "policy" in page.text_content("#status")


def test_off_by_setting_and_off_on_non_loopback_by_default(tmp_path: Path) -> None:
    assert enabled(ServerSettings(host="127.0.0.1"))
    assert enabled(ServerSettings(host="::1"))
    assert enabled(ServerSettings(host="localhost"))
    assert not enabled(ServerSettings(host="0.0.0.0"))  # noqa: S104 - the point of the test
    assert enabled(ServerSettings(host="0.0.0.0", ui=True))  # noqa: S104
    srv = start_server(tmp_path, {"server": {"ui": False, "reload_interval_s": 0}})
    try:
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as c:
            assert c.get("/ui").status_code == 404
            assert c.post("/ui/explain", json={"input": EMAIL}).status_code == 404
    finally:
        srv.stop()


def test_explain_route_is_authenticated_like_mask(tmp_path: Path) -> None:
    srv = start_server(
        tmp_path, {"server": {"auth": {"tokens": ["t-0123456789"]}, "reload_interval_s": 0}}
    )
    try:
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=60) as c:
            assert c.get("/ui").status_code == 200  # the page holds no data
            assert c.post("/ui/explain", json={"input": EMAIL}).status_code == 401
            ok = c.post(
                "/ui/explain",
                json={"input": EMAIL},
                headers={"authorization": "Bearer t-0123456789"},
            )
            assert ok.status_code == 200
            assert ok.json()["masked"] == "<EMAIL_ADDRESS>"
        assert EMAIL not in srv.log()
    finally:
        srv.stop()
