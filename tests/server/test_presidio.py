"""Issue 15 (first part): Presidio's analyzer and anonymizer REST API on ``tracemask serve``,
in Presidio's shapes, and LiteLLM's own Presidio guardrail class pointed at a live server."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import PLANTED, Server, leaks, settle_heap, start_server
from tracemask.encryption import TOKEN, KeyRing, decrypt_text, from_file, generate_key, key_line
from tracemask.server import ConfigSource, create_app

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the bundled price map, no fetch

#: In-process servers of tests about shapes, not time: a deadline no loaded CI box can miss
#: (the default 450 ms was, on a cold first detect with a load of 7 on 2 cores).
SHAPES_ONLY = {"sink": {"kind": "none"}, "reload_interval_s": 0, "limits": {"timeout_ms": 30_000}}
TEXT = f"Write to {PLANTED[0]} or call {PLANTED[1]} about card {PLANTED[2]}."


@pytest.fixture
def api(tmp_path: Path) -> Iterator[TestClient]:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"server": SHAPES_ONLY}))
    with TestClient(create_app(ConfigSource(path=str(config), env={}))) as c:
        yield c


def test_analyze_answers_presidio_results(api: TestClient) -> None:
    r = api.post("/analyze", json={"text": TEXT, "language": "en"})
    assert r.status_code == 200
    results = r.json()
    found = {TEXT[x["start"] : x["end"]]: x["entity_type"] for x in results}
    assert found == {
        PLANTED[0]: "EMAIL_ADDRESS",
        PLANTED[1]: "PHONE_NUMBER",
        PLANTED[2]: "CREDIT_CARD",
    }
    for x in results:
        assert set(x) == {
            "entity_type", "start", "end", "score", "analysis_explanation", "recognition_metadata"
        }  # fmt: skip
        assert 0 < x["score"] <= 1
        assert x["analysis_explanation"] is None
        assert x["recognition_metadata"]["recognizer_name"]
    only = api.post("/analyze", json={"text": TEXT, "language": "en", "entities": ["CREDIT_CARD"]})
    assert [x["entity_type"] for x in only.json()] == ["CREDIT_CARD"]
    high = api.post("/analyze", json={"text": TEXT, "language": "en", "score_threshold": 1.0})
    assert all(x["score"] >= 1.0 for x in high.json())
    why = api.post("/analyze", json={"text": TEXT, "return_decision_process": True})
    assert all(x["analysis_explanation"]["recognizer"] for x in why.json())


def test_ad_hoc_recognizers_use_re2_and_deny_lists(api: TestClient) -> None:
    body = {
        "text": "Ticket TCK-123456 for Mr. Brown, zip 94110",
        "language": "en",
        "ad_hoc_recognizers": [
            {
                "name": "tickets",
                "supported_language": "en",
                "supported_entity": "TICKET",
                "patterns": [{"name": "tck", "regex": "TCK-[0-9]{6}", "score": 0.9}],
            },
            {"name": "titles", "supported_entity": "TITLE", "deny_list": ["Mr.", "Mrs."]},
        ],
    }
    r = api.post("/analyze", json=body)
    assert r.status_code == 200
    got = {(x["entity_type"], body["text"][x["start"] : x["end"]]) for x in r.json()}
    assert {("TICKET", "TCK-123456"), ("TITLE", "Mr.")} <= got
    body["ad_hoc_recognizers"] = [
        {"supported_entity": "X", "patterns": [{"regex": "(a+)+\\1"}]}  # backreference: not RE2
    ]
    r = api.post("/analyze", json=body)
    assert r.status_code == 400
    assert "invalid regex" in r.json()["error"]
    assert api.post("/analyze", json={"language": "en"}).json() == {"error": "text: Field required"}


def test_ad_hoc_context_words_raise_the_score(api: TestClient) -> None:
    """Presidio's context enhancer: a context word among the 5 words before a result adds 0.35
    (at least 0.4); the request's ``context`` words count as found near every result."""
    text = "Ship it to zip 94110 please. The invoice was paid in full last month, order 12345."
    zips = {
        "name": "zips",
        "supported_entity": "ZIP",
        "patterns": [{"name": "five digits", "regex": "\\b[0-9]{5}\\b", "score": 0.05}],
        "context": ["zip", "postal"],
    }
    body: dict[str, Any] = {
        "text": text,
        "ad_hoc_recognizers": [zips],
        "return_decision_process": True,
    }
    got = {text[x["start"] : x["end"]]: x for x in api.post("/analyze", json=body).json()}
    assert got["94110"]["score"] == pytest.approx(0.4)  # max(0.05 + 0.35, 0.4)
    assert got["12345"]["score"] == pytest.approx(0.05)  # "zip" is 13 words back: too far
    why = got["94110"]["analysis_explanation"]
    assert why["supportive_context_word"] == "zip"
    assert why["original_score"] == pytest.approx(0.05)
    assert why["score_context_improvement"] == pytest.approx(0.35)
    assert why["pattern_name"] == "five digits"
    assert got["12345"]["analysis_explanation"]["supportive_context_word"] == ""
    # score_threshold applies after the boost.
    kept = api.post("/analyze", json={**body, "score_threshold": 0.3}).json()
    assert [text[x["start"] : x["end"]] for x in kept] == ["94110"]
    # The request's context words (a match is the recognizer's word inside one of them).
    both = api.post("/analyze", json={**body, "score_threshold": 0.3, "context": ["postal code"]})
    assert [text[x["start"] : x["end"]] for x in both.json()] == ["94110", "12345"]
    # No context words on the recognizer: nothing changes.
    plain = {**zips, "context": []}
    flat = api.post("/analyze", json={**body, "ad_hoc_recognizers": [plain], "context": ["zip"]})
    assert {x["score"] for x in flat.json() if x["entity_type"] == "ZIP"} == {0.05}


def test_anonymize_applies_presidio_operators(api: TestClient) -> None:
    text = "my name is Jane Roe, my number is 0344 533 341"
    results = [
        {"start": 11, "end": 19, "score": 0.8, "entity_type": "PERSON"},
        {"start": 11, "end": 15, "score": 0.8, "entity_type": "FIRST_NAME"},  # loses: shorter
        {"start": 34, "end": 46, "score": 0.95, "entity_type": "PHONE_NUMBER"},
    ]
    body = {
        "text": text,
        "analyzer_results": results,
        "anonymizers": {
            "DEFAULT": {"type": "replace", "new_value": "ANONYMIZED"},
            "PHONE_NUMBER": {
                "type": "mask",
                "masking_char": "*",
                "chars_to_mask": 4,
                "from_end": True,
            },
        },
    }
    r = api.post("/anonymize", json=body)
    assert r.status_code == 200
    out = r.json()
    assert out["text"] == "my name is ANONYMIZED, my number is 0344 533****"
    person = {"entity_type": "PERSON", "text": "ANONYMIZED", "operator": "replace"}
    phone = {"entity_type": "PHONE_NUMBER", "text": "0344 533****", "operator": "mask"}
    assert out["items"] == [  # offsets in the anonymized text, last first (as Presidio)
        {"start": 36, "end": 48, **phone, "score": 0.95},
        {"start": 11, "end": 21, **person, "score": 0.8},
    ]
    # The default operator is Presidio's: <ENTITY_TYPE>; hash is keyed (not a bare digest).
    r = api.post("/anonymize", json={"text": text, "analyzer_results": results[:1]})
    assert r.json()["text"] == "my name is <PERSON>, my number is 0344 533 341"
    hashed = api.post(
        "/anonymize",
        json={
            "text": text,
            "analyzer_results": results[:1],
            "anonymizers": {"PERSON": {"type": "hash"}},
        },
    ).json()["items"][0]["text"]
    import hashlib  # noqa: PLC0415

    assert len(hashed) == 64
    assert hashed != hashlib.sha256(b"Jane Roe").hexdigest()
    encrypt = {"PERSON": {"type": "encrypt", "key": "caller-sent"}}
    r = api.post(
        "/anonymize",
        json={"text": text, "analyzer_results": results[:1], "anonymizers": encrypt},
    )
    assert r.status_code == 400
    bad = {"text": "short", "analyzer_results": [{"start": 0, "end": 99, "entity_type": "X"}]}
    assert api.post("/anonymize", json=bad).status_code == 400


def test_info_routes(api: TestClient) -> None:
    entities = api.get("/supportedentities").json()
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE"} <= set(entities)
    assert api.get("/recognizers").json()
    assert set(api.get("/anonymizers").json()) >= {"replace", "redact", "mask", "hash"}
    assert api.get("/health").status_code == 200


@pytest.fixture(scope="module")
def presidio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(
        tmp_path_factory.mktemp("presidio"),
        {"server": SHAPES_ONLY},
    )
    try:
        yield server
    finally:
        server.stop()


def _guardrail(server: Server, **kwargs: Any) -> Any:
    from litellm.proxy.guardrails.guardrail_hooks.presidio import (  # noqa: PLC0415
        _OPTIONAL_PresidioPIIMasking,
    )

    return _OPTIONAL_PresidioPIIMasking(
        presidio_analyzer_api_base=server.url + "/",
        presidio_anonymizer_api_base=server.url + "/",
        guardrail_name="tracemask-as-presidio",
        **kwargs,
    )


@pytest.mark.filterwarnings("ignore:Items? .* using the `ReadOnly` qualifier:UserWarning")
def test_litellm_presidio_guardrail_masks_through_tracemask(presidio_server: Server) -> None:
    """LiteLLM's own guardrail class, unmodified, with only its two base URLs pointed here."""
    pytest.importorskip("litellm")
    guard = _guardrail(presidio_server, logging_only=True)
    kwargs = {"messages": [{"role": "user", "content": TEXT}]}

    async def run() -> Any:
        try:
            return await guard.async_logging_hook(kwargs, None, "acompletion")
        finally:
            await guard._close_http_session()

    masked_kwargs, _ = asyncio.run(run())
    settle_heap()
    content = masked_kwargs["messages"][0]["content"]
    assert leaks(content.encode()) == []
    assert "<EMAIL_ADDRESS>" in content
    assert "<CREDIT_CARD>" in content


@pytest.fixture
def crypt_api(tmp_path: Path) -> Iterator[tuple[TestClient, KeyRing]]:
    """A server whose policy encrypts (its key ring in a 0600 key file) and that needs auth."""
    keys = tmp_path / "keys"
    keys.write_text(key_line("k1", generate_key()) + "\n")
    keys.chmod(0o600)
    config = tmp_path / "c.json"
    policy = {"default_operator": {"type": "encrypt", "keys_file": str(keys)}}
    server = {**SHAPES_ONLY, "auth": {"tokens": ["t0k"]}}
    config.write_text(json.dumps({**policy, "server": server}))
    with TestClient(create_app(ConfigSource(path=str(config), env={}))) as c:
        c.headers["Authorization"] = "Bearer t0k"
        yield c, from_file(str(keys))


def test_deanonymize_round_trip_with_the_servers_keys(
    crypt_api: tuple[TestClient, KeyRing],
) -> None:
    api, ring = crypt_api
    assert api.get("/deanonymizers").json() == ["decrypt"]
    assert "encrypt" in api.get("/anonymizers").json()
    text = "my name is Jane Roe, my number is 0344 533 341"
    results = [
        {"start": 11, "end": 19, "score": 0.8, "entity_type": "PERSON"},
        {"start": 34, "end": 46, "score": 0.9, "entity_type": "PHONE_NUMBER"},
    ]
    # Presidio's encrypt takes the caller's AES key: ignored, the server's ring encrypts.
    encrypt = {"DEFAULT": {"type": "encrypt", "key": "WmZq4t7w!z%C&F)J"}}
    r = api.post(
        "/anonymize", json={"text": text, "analyzer_results": results, "anonymizers": encrypt}
    )
    assert r.status_code == 200
    anonymized = r.json()
    assert "Jane Roe" not in anonymized["text"]
    assert "0344 533 341" not in anonymized["text"]
    tokens = [i["text"] for i in anonymized["items"][::-1]]  # Presidio lists them last first
    assert all(TOKEN.fullmatch(t) and ":enc:v1:k1:" in t for t in tokens)
    assert [decrypt_text(t, ring) for t in tokens] == ["Jane Roe", "0344 533 341"]

    body = {
        "text": anonymized["text"],
        "deanonymizers": {"DEFAULT": {"type": "decrypt", "key": "WmZq4t7w!z%C&F)J"}},
        "anonymizer_results": anonymized["items"],
    }
    r = api.post("/deanonymize", json=body)
    assert r.status_code == 200
    out = r.json()
    assert out["text"] == text
    assert out["items"] == [
        {
            "start": 34,
            "end": 46,
            "entity_type": "PHONE_NUMBER",
            "text": "0344 533 341",
            "operator": "decrypt",
            "score": 0.9,
        },
        {
            "start": 11,
            "end": 19,
            "entity_type": "PERSON",
            "text": "Jane Roe",
            "operator": "decrypt",
            "score": 0.8,
        },
    ]
    # Only the entities named (or DEFAULT) are decrypted, as Presidio does.
    only = {**body, "deanonymizers": {"PHONE_NUMBER": {"type": "decrypt"}}}
    partial = api.post("/deanonymize", json=only).json()
    assert partial["text"].startswith(f"my name is {tokens[0]},")
    assert partial["text"].endswith("my number is 0344 533 341")


def test_deanonymize_refusals_never_echo_a_value(crypt_api: tuple[TestClient, KeyRing]) -> None:
    api, _ = crypt_api
    r = api.post("/anonymize", json={
        "text": "call Jane Roe",
        "analyzer_results": [{"start": 5, "end": 13, "entity_type": "PERSON"}],
        "anonymizers": {"PERSON": {"type": "encrypt"}},
    })  # fmt: skip
    item = r.json()["items"][0]
    token = item["text"]
    cases = [
        token.replace(":k1:", ":k2:"),  # a key the ring does not hold
        token[:-2] + ("B" if token[-2] != "B" else "C") + ">",  # tampered
        token.replace(token.split(":", 1)[0], "<EMAIL_ADDRESS"),  # moved to another entity
        "Jane Roe" + " " * (len(token) - 8),  # not a token at all
    ]
    for text in cases:
        span = {"start": 0, "end": len(text), "entity_type": "PERSON"}
        decrypt = {"DEFAULT": {"type": "decrypt"}}
        body = {"text": text, "deanonymizers": decrypt, "anonymizer_results": [span]}
        r = api.post("/deanonymize", json=body)
        assert r.status_code == 400, text
        assert "Jane" not in r.text
    outside = {"start": 0, "end": 999, "entity_type": "PERSON"}
    r = api.post("/deanonymize", json={"text": token, "anonymizer_results": [outside]})
    assert r.status_code == 400
    # Auth as on the other masking routes: no credential, no decryption.
    anonymous = {"text": token, "deanonymizers": {"DEFAULT": {"type": "decrypt"}}}
    r = api.post("/deanonymize", json=anonymous, headers={"Authorization": ""})
    assert r.status_code == 401


def test_deanonymize_needs_auth_and_keys(api: TestClient, tmp_path: Path) -> None:
    token = "<PERSON:enc:v1:k1:AAAA>"
    body = {"text": token, "deanonymizers": {"DEFAULT": {"type": "decrypt"}}}
    r = api.post("/deanonymize", json=body)  # no auth configured: never decrypts
    assert r.status_code == 403
    assert "needs auth" in r.json()["error"]
    config = tmp_path / "auth.json"
    server = {**SHAPES_ONLY, "auth": {"tokens": ["t0k"]}}
    config.write_text(json.dumps({"server": server}))
    with TestClient(create_app(ConfigSource(path=str(config), env={}))) as c:
        r = c.post("/deanonymize", json=body, headers={"Authorization": "Bearer t0k"})
        assert r.status_code == 400  # authenticated, but the policy has no encrypt keys
        assert "no encrypt operator" in r.json()["error"]
