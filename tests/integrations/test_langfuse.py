"""Langfuse: the real Langfuse v5 SDK sends only masked spans to a local API stand-in.

Every test runs one traced app (``@observe`` functions, a generation, a tool that raises, a span
named after the customer, a third-party GenAI span, all inside ``propagate_attributes``) through
a real ``Langfuse`` client pointed at ``capture_server``, flushes, decodes the OTLP protobuf the
SDK posted to ``/api/public/otel/v1/traces`` and searches it.

The street address (A) is planted only under the keys ``shipping_address``/``billing_address``,
which the test policy names in a key rule: the tests do not depend on address detection.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from langfuse import Langfuse, get_client, observe, propagate_attributes
from langfuse._client.resource_manager import LangfuseResourceManager
from langfuse.types import MaskOtelSpansParams, OtelSpanData, OtelSpanIdentifier
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from tests.integrations._support import (
    ADDRESS,
    API_KEY,
    CARD,
    EMAIL,
    PHONE,
    BrokenMasker,
    leaks,
)
from tests.integrations.conftest import CaptureServer
from tracemask import Masker, Report
from tracemask.integrations.langfuse import (
    WITHHELD,
    langfuse_mask,
    langfuse_mask_otel_spans,
    masked_langfuse,
    masked_langfuse_exporter,
)
from tracemask.integrations.otel import WITHHELD_ATTRIBUTE, MaskingSpanProcessor

SYSTEM_MSG = "You are a billing support assistant. Never repeat full card numbers."
USER_MSG = f"Hi, my contact is ({EMAIL}, {PHONE}). Card {CARD}. My old key {API_KEY} leaked."
ANSWER = f"Thanks! I've noted card {CARD} and will email a confirmation to {EMAIL}."
LOOKUP_ARGS = json.dumps({"email": EMAIL, "phone": PHONE})
UPDATE_ARGS = json.dumps(
    {"customer_id": "cus_8812", "card_number": CARD, "billing_address": ADDRESS}
)
ERROR_MSG = f"card declined for {EMAIL} ({CARD}); gateway key {API_KEY}"
FOUND = json.dumps({"customer_id": "cus_8812", "email": EMAIL, "shipping_address": ADDRESS})
POLICY = {"key_rules": [{"keys": ["shipping_address", "billing_address"], "entity": "LOCATION"}]}
TRACES_PATH = "/api/public/otel/v1/traces"

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

#: What reaches Langfuse unmasked with ``mask=`` alone: the hook never sees these.
MASK_ONLY_LEAKS = {
    "name",  # a span named after the customer
    "status.message",  # the exception text, as OTel span status
    "attributes[langfuse.observation.status_message]",  # ... and as Langfuse's status message
    "attributes[user.id]",  # propagate_attributes(user_id=...), on every span
    "attributes[langfuse.trace.metadata.customer_email]",  # propagate_attributes(metadata=...)
    "attributes[langfuse.trace.metadata.callback_phone]",
    "attributes[gen_ai.input.messages]",  # a third-party instrumentation span
}
#: What reaches Langfuse unmasked with ``mask_otel_spans=``: it only patches attributes.
MASK_OTEL_SPANS_LEAKS = {"name", "status.message"}


@pytest.fixture(scope="module")
def policy_masker() -> Masker:
    """One Masker for the module (immutable and thread-safe; building one takes a while)."""
    return Masker(POLICY)


class CardDeclinedError(Exception):
    pass


# -- helpers ----------------------------------------------------------------------------------


def exported(server: CaptureServer) -> list[ExportTraceServiceRequest]:
    return [
        ExportTraceServiceRequest.FromString(r.body)
        for r in server.requests
        if r.path == TRACES_PATH
    ]


def spans_of(server: CaptureServer) -> list[Any]:
    return [
        span
        for request in exported(server)
        for rs in request.resource_spans
        for ss in rs.scope_spans
        for span in ss.spans
    ]


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return tuple(value_of(v) for v in value.array_value.values)
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def attributes_of(span: Any) -> dict[str, Any]:
    return {kv.key: value_of(kv.value) for kv in span.attributes}


def leak_locations(server: CaptureServer) -> set[str]:
    """Where planted values arrived, as ``name``, ``status.message``, ``attributes[k]``, ..."""
    found: set[str] = set()
    for request in exported(server):
        for rs in request.resource_spans:
            for kv in rs.resource.attributes:
                if leaks(json_format.MessageToJson(kv.value)):
                    found.add(f"resource.attributes[{kv.key}]")
            for ss in rs.scope_spans:
                for kv in ss.scope.attributes:
                    if leaks(json_format.MessageToJson(kv.value)):
                        found.add(f"scope.attributes[{kv.key}]")
                for span in ss.spans:
                    if leaks(span.name):
                        found.add("name")
                    if leaks(span.status.message):
                        found.add("status.message")
                    for kv in span.attributes:
                        if leaks(json_format.MessageToJson(kv.value)):
                            found.add(f"attributes[{kv.key}]")
                    for event in span.events:
                        if leaks(json_format.MessageToJson(event)):
                            found.add(f"events[{event.name}]")
                    for link in span.links:
                        if leaks(json_format.MessageToJson(link)):
                            found.add("links")
    # The whole body too, raw: nothing may hide outside the places listed above.
    if not found:
        assert leaks(server.bodies()) == []
    return found


@dataclasses.dataclass
class Project:
    """One Langfuse project on the capture server: its keys, its app's TracerProvider."""

    url: str
    public_key: str
    secret_key: str
    provider: TracerProvider
    clients: list[Langfuse]

    def client(self, **kwargs: Any) -> Langfuse:
        kwargs.setdefault("public_key", self.public_key)
        kwargs.setdefault("secret_key", self.secret_key)
        kwargs.setdefault("base_url", self.url)
        kwargs.setdefault("tracer_provider", self.provider)
        langfuse = Langfuse(**kwargs)
        self.clients.append(langfuse)
        return langfuse

    def masked_exporter(self, masker: Masker, **kwargs: Any) -> Any:
        return masked_langfuse_exporter(
            masker,
            public_key=self.public_key,
            secret_key=self.secret_key,
            base_url=self.url,
            **kwargs,
        )

    def run(self, langfuse: Langfuse) -> dict[str, Any]:
        """Run the app traced by ``langfuse``; flush; return what the app got back."""
        result = run_app(self.provider, langfuse_public_key=self.public_key)
        langfuse.flush()
        return result


@pytest.fixture
def new_project(capture_server: CaptureServer) -> Iterator[Callable[[], Project]]:
    """Projects with fresh keys: the SDK keeps one client per public key for the process."""
    projects: list[Project] = []

    def make() -> Project:
        suffix = uuid.uuid4().hex[:12]
        project = Project(
            url=capture_server.url,
            public_key=f"pk-lf-test-{suffix}",
            secret_key=f"sk-lf-test-{suffix}",
            provider=TracerProvider(resource=Resource.create({"service.name": "billing-bot"})),
            clients=[],
        )
        projects.append(project)
        return project

    yield make
    for project in projects:
        for langfuse in project.clients:
            langfuse.shutdown()
        project.provider.shutdown()
        LangfuseResourceManager._instances.pop(project.public_key, None)


@pytest.fixture
def project(new_project: Callable[[], Project]) -> Project:
    return new_project()


def run_app(provider: TracerProvider, **observe_kwargs: Any) -> dict[str, Any]:
    """A billing assistant traced with Langfuse's decorators and one third-party GenAI span."""
    instrumentation = provider.get_tracer("opentelemetry.instrumentation.openai_v2", "2.4b0")

    @observe(name="lookup_customer", as_type="tool")
    def lookup_customer(arguments: str) -> str:
        return FOUND

    @observe(name="chat-completion", as_type="generation")
    def chat_completion(messages: list[dict[str, Any]]) -> dict[str, Any]:
        get_client().update_current_generation(
            model="gpt-4o-mini",
            model_parameters={"temperature": 0.2},
            usage_details={"input": 182, "output": 41},
            metadata={"billing_phone": PHONE, "card_last4": "1111"},
        )
        with instrumentation.start_as_current_span(
            "chat gpt-4o-mini", kind=SpanKind.CLIENT
        ) as span:
            span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
            span.set_attribute("gen_ai.input.messages", json.dumps(messages))
            span.set_attribute("gen_ai.usage.input_tokens", 182)
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_update_02",
                    "type": "function",
                    "function": {"name": "update_card", "arguments": UPDATE_ARGS},
                }
            ],
        }

    @observe(name="update_card", as_type="tool")
    def update_card(arguments: str) -> dict[str, Any]:
        raise CardDeclinedError(ERROR_MSG)

    @observe(name="handle-billing-request")
    def handle_billing_request(user_message: str, customer: dict[str, str]) -> dict[str, Any]:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_MSG},
            {"role": "user", "content": user_message},
        ]
        found = lookup_customer(LOOKUP_ARGS)
        message = chat_completion(messages)
        with contextlib.suppress(CardDeclinedError):
            update_card(message["tool_calls"][0]["function"]["arguments"])
        with get_client().start_as_current_observation(name=f"escalate {EMAIL}", as_type="span"):
            pass
        get_client().update_current_span(
            metadata={"shipping_address": ADDRESS, "integration_key": API_KEY}
        )
        return {"answer": ANSWER, "customer": json.loads(found)}

    with propagate_attributes(
        user_id=EMAIL,
        session_id="sess_2024_11_jd",
        metadata={"customer_email": EMAIL, "callback_phone": PHONE, "plan": "pro"},
        tags=["billing"],
        trace_name="update-card",
    ):
        result: dict[str, Any] = handle_billing_request(
            USER_MSG, {"email": EMAIL, "phone": PHONE, "integration_key": API_KEY}, **observe_kwargs
        )
    return result


def assert_app_got_its_own_values(result: dict[str, Any]) -> None:
    assert result == {"answer": ANSWER, "customer": json.loads(FOUND)}


def assert_structure_intact(server: CaptureServer) -> None:
    """Ids, models, token counts and Langfuse's own fields arrive as the SDK wrote them."""
    spans = spans_of(server)
    assert len(spans) == 6
    assert len({s.trace_id for s in spans}) == 1
    by_name = {s.name: s for s in spans}
    generation = attributes_of(by_name["chat-completion"])
    assert generation["langfuse.observation.model.name"] == "gpt-4o-mini"
    assert json.loads(generation["langfuse.observation.usage_details"]) == {
        "input": 182,
        "output": 41,
    }
    assert generation["session.id"] == "sess_2024_11_jd"
    assert generation["langfuse.trace.name"] == "update-card"
    assert generation["langfuse.trace.metadata.plan"] == '"pro"'
    third_party = attributes_of(by_name["chat gpt-4o-mini"])
    assert third_party["gen_ai.usage.input_tokens"] == 182
    assert by_name["update_card"].status.code == 2  # ERROR


# -- mask= alone ----------------------------------------------------------------------------------


def test_mask_alone_leaks_what_the_hook_never_sees(
    policy_masker: Masker, capture_server: CaptureServer, project: Project
) -> None:
    """A documented limitation: ``mask=`` sees input, output and metadata, nothing else."""
    langfuse = project.client(mask=langfuse_mask(policy_masker))
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == MASK_ONLY_LEAKS
    assert_structure_intact(capture_server)
    by_name = {s.name: attributes_of(s) for s in spans_of(capture_server)}
    root = by_name["handle-billing-request"]
    assert json.loads(root["langfuse.observation.output"])["answer"] == (
        "Thanks! I've noted card <CREDIT_CARD> and will email a confirmation to <EMAIL_ADDRESS>."
    )
    assert root["langfuse.observation.metadata.shipping_address"] == '"<LOCATION>"'
    assert root["langfuse.observation.metadata.integration_key"] == '"<API_KEY>"'
    tool_input = json.loads(by_name["update_card"]["langfuse.observation.input"])
    assert json.loads(tool_input["args"][0]) == {  # a JSON string inside JSON: masked too
        "customer_id": "cus_8812",
        "card_number": "<CREDIT_CARD>",
        "billing_address": "<LOCATION>",
    }


def test_mask_fails_closed_end_to_end(capture_server: CaptureServer, project: Project) -> None:
    langfuse = project.client(mask=langfuse_mask(BrokenMasker()))
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == MASK_ONLY_LEAKS
    root = next(s for s in spans_of(capture_server) if s.name == "handle-billing-request")
    attrs = attributes_of(root)
    assert attrs["langfuse.observation.input"] == WITHHELD
    assert attrs["langfuse.observation.output"] == WITHHELD
    assert attrs["langfuse.observation.metadata"] == json.dumps(WITHHELD)


class Customer(BaseModel):
    email: str
    tier: str


@dataclasses.dataclass
class Order:
    card: str
    total: float


def test_mask_function_handles_what_langfuse_passes(
    policy_masker: Masker,
) -> None:
    mask = langfuse_mask(policy_masker)
    assert mask(data=f"mail {EMAIL}") == "mail <EMAIL_ADDRESS>"
    assert mask(data={"q": EMAIL, "n": 1, "ok": True}) == {
        "q": "<EMAIL_ADDRESS>",
        "n": 1,
        "ok": True,
    }
    assert mask(data=[PHONE, None, 2.5]) == ["<PHONE_NUMBER>", None, 2.5]
    assert mask(data={"args": (EMAIL,), "kwargs": {}}) == {
        "args": ["<EMAIL_ADDRESS>"],
        "kwargs": {},
    }
    assert mask(data=Customer(email=EMAIL, tier="pro")) == {
        "email": "<EMAIL_ADDRESS>",
        "tier": "pro",
    }
    assert mask(data={"order": Order(card=CARD, total=9.5)}) == {
        "order": {"card": "<CREDIT_CARD>", "total": 9.5}
    }
    # Objects Langfuse would render as text are rendered first, so their text is masked too.
    assert mask(data={"error": CardDeclinedError(ERROR_MSG)}) == {
        "error": "CardDeclinedError: card declined for <EMAIL_ADDRESS> (<CREDIT_CARD>); "
        "gateway key <API_KEY>"
    }
    stamp = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert mask(data={"at": stamp}) == {"at": "2026-01-01T00:00:00Z"}
    assert mask(data=None) is None
    assert mask(data=json.dumps({"to": EMAIL})) == json.dumps({"to": "<EMAIL_ADDRESS>"})


def test_mask_function_fails_closed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="tracemask"):
        assert langfuse_mask(BrokenMasker())(data={"q": EMAIL}) == WITHHELD
    assert "withheld" in caplog.text
    assert leaks(caplog.text) == []
    data = {"q": EMAIL}
    assert langfuse_mask(BrokenMasker({"fail_mode": "open"}))(data=data) is data


# -- mask_otel_spans= -----------------------------------------------------------------------------


def test_mask_otel_spans_masks_every_attribute_but_not_names_or_status(
    policy_masker: Masker, capture_server: CaptureServer, project: Project
) -> None:
    report = Report()
    langfuse = project.client(
        mask_otel_spans=langfuse_mask_otel_spans(policy_masker, report=report)
    )
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == MASK_OTEL_SPANS_LEAKS
    assert_structure_intact(capture_server)
    third_party = next(s for s in spans_of(capture_server) if s.name == "chat gpt-4o-mini")
    messages = json.loads(attributes_of(third_party)["gen_ai.input.messages"])
    assert messages[1]["content"] == (
        "Hi, my contact is (<EMAIL_ADDRESS>, <PHONE_NUMBER>). Card <CREDIT_CARD>. "
        "My old key <API_KEY> leaked."
    )
    assert report.by_entity["EMAIL_ADDRESS"] > 0


def test_mask_otel_spans_withholds_attributes_it_cannot_mask(
    capture_server: CaptureServer, project: Project
) -> None:
    langfuse = project.client(mask_otel_spans=langfuse_mask_otel_spans(BrokenMasker()))
    project.run(langfuse)

    spans = spans_of(capture_server)
    assert len(spans) == 6  # the spans still arrive, so the trace keeps its shape
    for span in spans:
        assert attributes_of(span) == {WITHHELD_ATTRIBUTE: True}
    assert leak_locations(capture_server) == MASK_OTEL_SPANS_LEAKS


def test_mask_otel_spans_on_the_shared_langfuse_sample(
    policy_masker: Masker,
) -> None:
    path = SAMPLES / "langfuse_otlp_export.pb"
    request = ExportTraceServiceRequest.FromString(path.read_bytes())
    spans = {}
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            for s in ss.spans:
                ident = OtelSpanIdentifier(trace_id=s.trace_id.hex(), span_id=s.span_id.hex())
                spans[ident] = OtelSpanData(
                    trace_id=ident.trace_id,
                    span_id=ident.span_id,
                    parent_span_id=s.parent_span_id.hex() or None,
                    name=s.name,
                    instrumentation_scope_name=ss.scope.name,
                    instrumentation_scope_version=ss.scope.version,
                    attributes={kv.key: value_of(kv.value) for kv in s.attributes},
                    resource_attributes={},
                )
    result = langfuse_mask_otel_spans(policy_masker)(params=MaskOtelSpansParams(spans=spans))

    assert len(result.span_patches) == len(spans) == 4  # every span carries planted values
    for ident, data in spans.items():
        patch = result.span_patches[ident]
        assert patch is not None
        patched = {**data.attributes, **patch.set_attributes}
        # The sample has A in free text too (and under a key "address"): not detected yet.
        assert leaks(json.dumps(patched), address=False) == [], data.name
        assert patch.delete_attributes == ()
        for key, value in patch.set_attributes.items():  # sparse: only changed values
            assert value != data.attributes[key]
    # What the hook cannot reach in this sample: the OTel status message.
    statuses = [
        s.status.message for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans
    ]
    assert any(leaks(m) for m in statuses)


# -- span_exporter= (the masked exporter) ---------------------------------------------------------


def test_masked_exporter_leaks_nothing(
    policy_masker: Masker, capture_server: CaptureServer, project: Project
) -> None:
    exporter = project.masked_exporter(policy_masker)
    langfuse = project.client(span_exporter=exporter)
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == set()
    assert_structure_intact(capture_server)
    names = {s.name for s in spans_of(capture_server)}
    assert "escalate <EMAIL_ADDRESS>" in names
    update_card = next(s for s in spans_of(capture_server) if s.name == "update_card")
    assert update_card.status.message == (
        "card declined for <EMAIL_ADDRESS> (<CREDIT_CARD>); gateway key <API_KEY>"
    )
    # Langfuse's project filter still recognises its spans: the scope's public key is intact.
    scopes = {
        ss.scope.name: {kv.key: kv.value.string_value for kv in ss.scope.attributes}
        for request in exported(capture_server)
        for rs in request.resource_spans
        for ss in rs.scope_spans
    }
    assert scopes["langfuse-sdk"] == {"public_key": project.public_key}
    assert exporter.failures == 0


def test_processor_first_on_the_provider_masks_what_langfuse_exports(
    policy_masker: Masker, capture_server: CaptureServer, project: Project
) -> None:
    """The wiring without ``span_exporter=`` (langfuse < 4.2): mask before Langfuse's processor."""
    masking = MaskingSpanProcessor(policy_masker)
    project.provider.add_span_processor(masking)  # first, before Langfuse adds its own
    langfuse = project.client()
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == set()
    assert_structure_intact(capture_server)  # the project filter kept every span
    assert masking.failures == 0


def test_masked_langfuse_builds_a_client_with_both_hooks(
    policy_masker: Masker, capture_server: CaptureServer, project: Project
) -> None:
    langfuse = masked_langfuse(
        policy_masker,
        public_key=project.public_key,
        secret_key=project.secret_key,
        base_url=project.url,
        tracer_provider=project.provider,
        otel_compression="none",
    )
    project.clients.append(langfuse)
    assert_app_got_its_own_values(project.run(langfuse))

    assert leak_locations(capture_server) == set()
    assert_structure_intact(capture_server)
    (request,) = [r for r in capture_server.requests if r.path == TRACES_PATH]
    assert "Content-Encoding" not in request.headers  # otel_compression reached the exporter
    with pytest.raises(TypeError, match="mask"):
        masked_langfuse(
            policy_masker, mask=langfuse_mask(policy_masker), public_key="pk", secret_key="sk"
        )


def test_masked_exporter_is_wired_like_langfuses_own(
    policy_masker: Masker, capture_server: CaptureServer, new_project: Callable[[], Project]
) -> None:
    """Same endpoint, auth, ``x-langfuse-*`` headers and gzip as the exporter Langfuse builds."""
    default, masked = new_project(), new_project()
    default.run(default.client())
    masked.run(masked.client(span_exporter=masked.masked_exporter(policy_masker)))

    sent = {
        r.headers["x-langfuse-public-key"]: {
            k.lower(): v
            for k, v in r.headers.items()
            if k.lower() not in {"host", "content-length"}
        }
        for r in capture_server.requests
        if r.path == TRACES_PATH
    }
    assert set(sent) == {default.public_key, masked.public_key}
    ours, theirs = sent[masked.public_key], sent[default.public_key]
    assert set(ours) == set(theirs)
    auth = base64.b64encode(f"{masked.public_key}:{masked.secret_key}".encode()).decode()
    assert ours["authorization"] == f"Basic {auth}"
    assert ours["x-langfuse-public-key"] == masked.public_key
    for key in set(theirs) - {"authorization", "x-langfuse-public-key"}:
        assert ours[key] == theirs[key], key
    assert ours["x-langfuse-ingestion-version"] == "4"
    assert ours["content-encoding"] == "gzip"


def test_masked_exporter_reads_the_environment(
    policy_masker: Masker, capture_server: CaptureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LANGFUSE_BASE_URL", "LANGFUSE_OTEL_TRACES_EXPORT_PATH", "LANGFUSE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGFUSE_PUBLIC_KEY", "pk-lf-env")
    monkeypatch.setenv("LANGFUSE_SECRET_KEY", "sk-lf-env")
    monkeypatch.setenv("LANGFUSE_HOST", capture_server.url + "/")
    monkeypatch.setenv("LANGFUSE_OTEL_COMPRESSION", "none")
    exporter = masked_langfuse_exporter(policy_masker)
    provider = TracerProvider()
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: PLC0415

    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("langfuse-sdk").start_as_current_span(f"for {EMAIL}"):
        pass
    provider.shutdown()

    (request,) = capture_server.requests
    assert request.path == TRACES_PATH
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(b"pk-lf-env:sk-lf-env").decode()
    )
    assert "Content-Encoding" not in request.headers
    assert leaks(request.body) == []

    monkeypatch.delenv("LANGFUSE_SECRET_KEY")
    with pytest.raises(ValueError, match="LANGFUSE_SECRET_KEY"):
        masked_langfuse_exporter()


def test_masked_langfuse_without_keys_is_disabled_like_langfuse(
    policy_masker: Masker,
    capture_server: CaptureServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No keys: the client Langfuse() would build (a warning, tracing off), not a ValueError."""
    for name in ("LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANGFUSE_BASE_URL", capture_server.url)
    with caplog.at_level(logging.WARNING, logger="langfuse"):
        langfuse = masked_langfuse(policy_masker)
    assert "without public_key" in caplog.text
    with langfuse.start_as_current_observation(name=f"for {EMAIL}") as span:
        span.update(input=f"mail {EMAIL}")
    langfuse.flush()
    assert capture_server.requests == []


def test_masked_exporter_fails_closed(capture_server: CaptureServer, project: Project) -> None:
    exporter = project.masked_exporter(BrokenMasker())
    langfuse = project.client(span_exporter=exporter)
    assert_app_got_its_own_values(project.run(langfuse))

    assert exported(capture_server) == []
    assert exporter.failures == 1


# -- packaging ------------------------------------------------------------------------------------


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langfuse.types", None)
    with pytest.raises(ImportError, match=r"pip install 'tracemask\[langfuse\]'"):
        langfuse_mask_otel_spans()


def test_trace_scoped_pseudonyms_through_the_mask_hook(
    capture_server: CaptureServer, project: Project
) -> None:
    masker = Masker({"default_operator": {"type": "pseudonymize", "key": "k", "scope": "trace"}})
    langfuse = project.client(mask=langfuse_mask(masker))

    @observe(name="turn")
    def turn(question: str) -> str:
        answer(question)
        return f"done for {EMAIL}"

    @observe(name="answer")
    def answer(question: str) -> str:
        return f"mailing {EMAIL}"

    turn(f"I am {EMAIL}")
    turn(f"I am {EMAIL}")
    langfuse.flush()
    assert leaks(capture_server.bodies()) == []
    tokens: dict[bytes, set[str]] = {}
    for span in spans_of(capture_server):
        attrs = attributes_of(span)
        for key in ("langfuse.observation.input", "langfuse.observation.output"):
            if key in attrs:
                found = re.findall(r"<EMAIL_ADDRESS_[0-9a-f]{8}>", attrs[key])
                tokens.setdefault(span.trace_id, set()).update(found)
    assert len(tokens) == 2
    assert all(len(t) == 1 for t in tokens.values())  # one token per trace…
    assert len(set.union(*tokens.values())) == 2  # …and a different one in each trace
