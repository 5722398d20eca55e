"""Issue 15: Presidio's API on a port of its own (``--presidio-port`` / ``server.presidio_port``),
with the main port's auth, limits and metrics, and LiteLLM's own Presidio guardrail class driven
the way its proxy drives it (``pre_call``, ``post_call``) against that port, in front of a
local OpenAI-compatible upstream. Real ``tracemask serve`` processes throughout."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integrations._litellm_proxy import ANSWER, CARD, EMAIL, PHONE, SSN, FakeUpstream
from tests.server.conftest import TOKEN, Server, free_port, settle_heap, start_server
from tracemask.server._config import ConfigError, ConfigSource, load_config
from tracemask.server._intake import route_budget

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the bundled price map, no fetch

PROMPT = f"I'm Jane ({EMAIL}, {PHONE}), SSN {SSN}. Please charge card {CARD} today."
LITELLM_WARNING = "ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"


@pytest.fixture(scope="module")
def listener(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server with auth and a 64 KiB body limit; its Presidio port set in the config file."""
    port = free_port()
    server = start_server(
        tmp_path_factory.mktemp("presidio-port"),
        {
            "server": {
                "presidio_port": port,
                "auth": {"tokens": [TOKEN]},
                # A deadline a loaded box cannot miss: a 503 would make LiteLLM's guardrail
                # fail open where no entity is configured (it then masks nothing).
                "limits": {"max_body_bytes": 64 * 1024, "timeout_ms": 30_000},
                "sink": {"kind": "none"},
                "reload_interval_s": 0,
            }
        },
    )
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _metric(server: Server, route: str, status: int) -> float:
    text = httpx.get(server.url + "/metrics", timeout=10, trust_env=False).text
    needle = f'tracemask_requests_total{{route="{route}",status="{status}"}} '
    for line in text.splitlines():
        if line.startswith(needle):
            return float(line[len(needle) :])
    return 0.0


def test_presidio_port_serves_presidio_api_with_the_same_auth_limits_and_metrics(
    listener: tuple[Server, str],
) -> None:
    server, base = listener
    bearer = {"authorization": f"Bearer {TOKEN}"}
    before_ok, before_401 = _metric(server, "analyze", 200), _metric(server, "analyze", 401)
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as c:
        # Presidio's paths at the root of the port.
        assert c.get("/health").status_code == 200
        assert "EMAIL_ADDRESS" in c.get("/supportedentities").json()
        body = {"text": PROMPT, "language": "en"}
        assert c.post("/analyze", json=body).status_code == 401
        # A value in a query string is never logged (uvicorn's access log stays off).
        assert c.post(f"/analyze?email={EMAIL}", json=body, headers=bearer).status_code == 200
        r = c.post("/analyze", json=body, headers=bearer)
        assert r.status_code == 200
        assert {PROMPT[x["start"] : x["end"]] for x in r.json()} >= {EMAIL, CARD}
        # Basic auth with the token as password: what a client sends from user:TOKEN@host.
        basic = base64.b64encode(f"litellm:{TOKEN}".encode()).decode()
        wrong = base64.b64encode(b"litellm:not-the-token").decode()
        assert c.post("/analyze", json=body, headers={"authorization": f"Basic {basic}"}).is_success
        assert (
            c.post("/analyze", json=body, headers={"authorization": f"Basic {wrong}"}).status_code
            == 401
        )
        # The main port's limits: the same body cap.
        big = {"text": "x" * (70 * 1024)}
        assert c.post("/anonymize", json=big, headers=bearer).status_code == 413
        # Nothing but Presidio's API and the probes on this port.
        assert c.get("/readyz").status_code == 200
        for method, path in (("POST", "/v1/mask"), ("GET", "/metrics"), ("POST", "/v1/traces")):
            r = c.request(method, path, json={}, headers=bearer)
            assert r.status_code == 404, path
            assert r.json() == {"error": "not found on this port"}
    # The main port keeps every route, Presidio's too.
    with server.client(headers=bearer) as c:
        assert c.post("/v1/mask", json={"text": PROMPT}).status_code == 200
        assert c.post("/analyze", json={"text": PROMPT}).status_code == 200
    # One metrics registry: the Presidio port's requests counted under their routes.
    assert _metric(server, "analyze", 200) >= before_ok + 3
    assert _metric(server, "analyze", 401) == before_401 + 2
    assert _metric(server, "other", 404) >= 3
    assert _metric(server, "anonymize", 413) >= 1
    log = server.log()
    assert EMAIL not in log
    assert '"POST /analyze' not in log


def test_presidio_port_flag_with_workers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """``--presidio-port`` on the command line; two worker processes accept on both ports."""
    port = free_port()
    server = start_server(
        tmp_path_factory.mktemp("presidio-flag"),
        {
            "server": {
                "sink": {"kind": "none"},
                "reload_interval_s": 0,
                "limits": {"timeout_ms": 30_000},
            }
        },
        args=("--presidio-port", str(port), "--workers", "2"),
        ready_s=120,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as c:
            for _ in range(4):  # new connections, spread over the workers
                r = c.post("/analyze", json={"text": PROMPT}, headers={"connection": "close"})
                assert r.status_code == 200
                assert {x["entity_type"] for x in r.json()} >= {"EMAIL_ADDRESS", "CREDIT_CARD"}
            assert c.post("/v1/mask", json={"text": PROMPT}).status_code == 404
        assert f"Presidio API on port {port}" in server.log()
    finally:
        server.stop()


def test_presidio_routes_have_their_own_deadline() -> None:
    """Presidio's clients wait, and LiteLLM's guardrail without ``pii_entities_config`` reads an
    error as "no PII": its routes get ``presidio_timeout_ms``, not the callback's 450 ms."""
    settings = load_config(ConfigSource(env={})).settings
    assert route_budget("analyze", settings) == 10.0
    assert route_budget("anonymize", settings) == 10.0
    assert route_budget("mask", settings) == 0.45
    tuned = load_config(ConfigSource(env={"TRACEMASK_LIMITS_PRESIDIO_TIMEOUT_MS": "2500"}))
    assert route_budget("deanonymize", tuned.settings) == 2.5


def test_presidio_port_config_errors() -> None:
    with pytest.raises(ConfigError, match="presidio_port: must differ from port"):
        load_config(ConfigSource(overrides={"port": 5002, "presidio_port": 5002}, env={}))
    with pytest.raises(ConfigError, match="env TRACEMASK_PRESIDIO_PORT: presidio_port"):
        load_config(ConfigSource(env={"TRACEMASK_PRESIDIO_PORT": "70000"}))
    loaded = load_config(ConfigSource(env={"TRACEMASK_PRESIDIO_PORT": "5002"}))
    assert loaded.settings.presidio_port == 5002


# -- LiteLLM's Presidio guardrail, as its proxy runs it -----------------------------------------


@pytest.fixture(scope="module")
def model() -> Iterator[FakeUpstream]:
    # The README's light test install has no LiteLLM (CI installs it: there a skip fails the run).
    pytest.importorskip("litellm", reason="extra: litellm")
    upstream = FakeUpstream().start()
    try:
        yield upstream
    finally:
        upstream.stop()
        settle_heap()


def _guardrail(base: str, **kwargs: Any) -> Any:
    from litellm.proxy.guardrails.guardrail_hooks.presidio import (  # noqa: PLC0415
        _OPTIONAL_PresidioPIIMasking,
    )

    # Only the two base URLs point here: the port's root, the token as a Basic password.
    url = base.replace("http://", f"http://litellm:{TOKEN}@")
    return _OPTIONAL_PresidioPIIMasking(
        presidio_analyzer_api_base=url,
        presidio_anonymizer_api_base=url,
        guardrail_name="tracemask-as-presidio",
        default_on=True,
        **kwargs,
    )


async def _proxy_call(guard: Any, upstream: FakeUpstream, prompt: str) -> Any:
    """What LiteLLM's proxy does around a chat completion: the guardrail's pre-call hook, the
    call to the model with what the hook returned, then the post-call hook on the answer."""
    import litellm  # noqa: PLC0415
    from litellm.caching.dual_cache import DualCache  # noqa: PLC0415
    from litellm.proxy._types import UserAPIKeyAuth  # noqa: PLC0415

    user = UserAPIKeyAuth()
    data: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": prompt}],
        "metadata": {},
    }
    try:
        data = await guard.async_pre_call_hook(user, DualCache(), data, "completion")
        response = await litellm.acompletion(
            model="openai/gpt-4o-mini",
            messages=data["messages"],
            api_base=upstream.url,
            api_key="sk-fake-upstream",
        )
        return await guard.async_post_call_success_hook(data, user, response)
    finally:
        await guard._close_http_session()


def _sent(upstream: FakeUpstream) -> str:
    return json.dumps(upstream.requests[-1]["messages"])


@pytest.mark.filterwarnings(LITELLM_WARNING)
def test_litellm_pre_call_mask_reaches_the_model_masked(
    listener: tuple[Server, str], model: FakeUpstream
) -> None:
    _, base = listener
    mask = {"EMAIL_ADDRESS": "MASK", "PHONE_NUMBER": "MASK", "CREDIT_CARD": "MASK"}
    guard = _guardrail(base, event_hook="pre_call", pii_entities_config=mask)
    count = len(model.requests)
    response = asyncio.run(_proxy_call(guard, model, PROMPT))
    assert len(model.requests) == count + 1
    sent = _sent(model)
    for value in (EMAIL, PHONE, CARD):
        assert value not in sent
    for tag in ("<EMAIL_ADDRESS>", "<PHONE_NUMBER>", "<CREDIT_CARD>"):
        assert tag in sent
    # Only the configured entities are asked for (LiteLLM sends them as `entities`): the SSN,
    # not configured, goes through as Presidio would let it.
    assert SSN in sent
    # pre_call only: the model's answer reaches the caller as it was.
    assert response.choices[0].message.content == ANSWER


@pytest.mark.filterwarnings(LITELLM_WARNING)
def test_litellm_pre_call_block_stops_the_call(
    listener: tuple[Server, str], model: FakeUpstream
) -> None:
    from litellm.proxy.guardrails.guardrail_hooks.presidio import (  # noqa: PLC0415
        BlockedPiiEntityError,
    )

    _, base = listener
    config = {"CREDIT_CARD": "BLOCK", "EMAIL_ADDRESS": "MASK"}
    guard = _guardrail(base, event_hook="pre_call", pii_entities_config=config)
    count = len(model.requests)
    with pytest.raises(BlockedPiiEntityError) as blocked:
        asyncio.run(_proxy_call(guard, model, PROMPT))
    assert len(model.requests) == count  # nothing reached the model
    assert "CREDIT_CARD" in str(blocked.value)
    assert CARD not in str(blocked.value)
    # Without a card the call goes through, the email masked.
    response = asyncio.run(_proxy_call(guard, model, f"Mail {EMAIL} the receipt."))
    assert len(model.requests) == count + 1
    masked = [{"role": "user", "content": "Mail <EMAIL_ADDRESS> the receipt."}]
    assert _sent(model) == json.dumps(masked)
    assert response.choices[0].message.content == ANSWER


@pytest.mark.filterwarnings(LITELLM_WARNING)
def test_litellm_post_call_masks_the_answer(
    listener: tuple[Server, str], model: FakeUpstream
) -> None:
    _, base = listener
    guard = _guardrail(base, event_hook="post_call", apply_to_output=True)
    count = len(model.requests)
    response = asyncio.run(_proxy_call(guard, model, PROMPT))
    assert len(model.requests) == count + 1
    assert CARD in _sent(model)  # post_call only: the prompt went out as sent
    answer = response.choices[0].message.content
    assert CARD not in answer
    assert EMAIL not in answer
    assert answer == (
        "Thanks! I've charged card <CREDIT_CARD> and will email a receipt to <EMAIL_ADDRESS>."
    )
