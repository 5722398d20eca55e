"""Canary: planted values and ids sent every way never show in the server's logs or metrics."""

from __future__ import annotations

import gzip
import json

import httpx

from tests.server.conftest import CALLBACK_BODY, PLANTED, TOKEN, TRACE_PB, Server, leaks

CANARY_PROJECT = "proj-canary-7f3a9c"
CANARY_ORG = "org-canary-51b2e0"


def _battery(c: httpx.Client) -> None:
    e, p, card = PLANTED
    ids = {"x-langfuse-org-id": CANARY_ORG, "x-langfuse-project-id": CANARY_PROJECT}
    c.post("/langfuse/mask", content=CALLBACK_BODY, headers=ids)
    c.post(f"/langfuse/mask?email={e}", content=f'[{{"x": "{e}"'.encode(), headers=ids)
    c.post("/v1/mask", json={"msg": f"{e} {p} {card}", e: "key is data"}, headers={"x-note": e})
    c.post("/v1/mask?report=true", json={"msg": f"{e} {card}"}, headers=ids)
    c.post("/v1/mask", content=f"{{ broken {e} {card}".encode())
    c.post("/v1/mask", content=f"plain {e}".encode(), headers={"content-type": "text/plain"})
    c.post(f"/v1/{e}", json={"a": e})
    c.get(f"/healthz?{e}")
    c.post("/v1/traces", content=TRACE_PB, headers={"content-type": "application/x-protobuf"})
    c.post(
        "/v1/traces",
        content=gzip.compress(f'{{"resourceSpans": "{e}"}}'.encode()),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    c.post("/v1/traces", content=f"{e}{card}".encode(), headers={"content-type": "text/csv"})
    big = json.dumps({"t": f"{e} " * 60_000}).encode()
    c.post("/v1/mask", content=big)


def _check(server: Server, c: httpx.Client) -> None:
    metrics = c.get("/metrics").content
    for blob in (server.log().encode(), metrics):
        assert leaks(blob) == []
        for secret in (CANARY_PROJECT, CANARY_ORG, TOKEN, "user_8812", "key is data"):
            assert secret.encode() not in blob


def test_nothing_planted_in_logs_or_metrics(gateway: Server, aux: Server) -> None:
    with gateway.client(headers={"authorization": f"Bearer {TOKEN}"}) as c:
        _battery(c)
        with gateway.client(headers={"authorization": f"Bearer {PLANTED[0]}"}) as wrong:
            assert wrong.post("/v1/mask", json={"a": PLANTED[0]}).status_code == 401
        _check(gateway, c)
    with aux.client() as c:
        _battery(c)  # debug logging, upstream down, 50 ms deadline
        _check(aux, c)
    log = aux.log()
    # The access log is on, and says only this much (unknown paths show as "-").
    assert "GET /healthz 200" in log
    assert "POST - 404" in log
    assert "ConnectError" in log
