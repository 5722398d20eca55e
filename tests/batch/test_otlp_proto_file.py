"""``tracemask redact x.pb``: the file exporter's length-prefixed stream, or one bare request.

A captured OTLP/HTTP body (what every exporter posts, and what the shared samples hold) used to
fail as a "truncated OTLP protobuf stream": now it is masked and written back bare.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.proto", reason="extra: server")

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)

from tests.conftest import Run

TRACE_PB = (Path(__file__).parents[1] / "server" / "data" / "otlp_genai_trace.pb").read_bytes()
PLANTED = (b"jane.doe@example.com", b"4111 1111 1111 1111", b"555-0132")


def _spans(message: ExportTraceServiceRequest) -> int:
    return sum(len(s.spans) for r in message.resource_spans for s in r.scope_spans)


def test_one_bare_export_request_is_masked_and_kept_bare(tmp_path: Path, run: Run) -> None:
    (tmp_path / "trace.pb").write_bytes(TRACE_PB)
    ran = run("redact", "trace.pb", "-o", "masked.pb")
    assert ran.returncode == 0, ran.stderr
    out = (tmp_path / "masked.pb").read_bytes()
    masked = ExportTraceServiceRequest.FromString(out)
    assert _spans(masked) == _spans(ExportTraceServiceRequest.FromString(TRACE_PB)) > 0
    assert [v for v in PLANTED if v in TRACE_PB]
    assert not [v for v in PLANTED if v in out]
    assert b"<EMAIL_ADDRESS>" in out


def test_length_prefixed_stream_still_read_as_a_stream(tmp_path: Path, run: Run) -> None:
    frame = struct.pack(">I", len(TRACE_PB)) + TRACE_PB
    (tmp_path / "spans.binpb").write_bytes(frame * 2)
    ran = run("redact", "spans.binpb", "-o", "masked.binpb")
    assert ran.returncode == 0, ran.stderr
    out = (tmp_path / "masked.binpb").read_bytes()
    (size,) = struct.unpack(">I", out[:4])
    first = ExportTraceServiceRequest.FromString(out[4 : 4 + size])
    assert _spans(first) > 0
    assert len(out) > 8 + size
    assert not [v for v in PLANTED if v in out]


def test_neither_is_one_line_naming_both_forms(tmp_path: Path, run: Run) -> None:
    (tmp_path / "junk.pb").write_bytes(b"\xff\xff\xff\xff not protobuf")
    ran = run("redact", "junk.pb", "-o", "out.pb")
    assert ran.returncode == 2
    assert "junk.pb: truncated OTLP protobuf stream" in ran.stderr
    assert "one OTLP traces export request" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "out.pb").exists()


def test_an_int_attribute_under_a_personal_name_is_zeroed(tmp_path: Path, run: Run) -> None:
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue  # noqa: PLC0415

    request = ExportTraceServiceRequest()
    span = request.resource_spans.add().scope_spans.add().spans.add()
    span.name, span.trace_id, span.span_id = "lookup", b"\x01" * 16, b"\x02" * 8
    span.attributes.extend(
        [
            KeyValue(key="user.phone", value=AnyValue(int_value=4155550132)),
            KeyValue(key="gen_ai.usage.input_tokens", value=AnyValue(int_value=4111111111111111)),
        ]
    )
    (tmp_path / "ints.pb").write_bytes(request.SerializeToString())
    ran = run("redact", "ints.pb", "-o", "masked.pb")
    assert ran.returncode == 0, ran.stderr
    masked = ExportTraceServiceRequest.FromString((tmp_path / "masked.pb").read_bytes())
    attributes = masked.resource_spans[0].scope_spans[0].spans[0].attributes
    assert [(a.key, a.value.int_value) for a in attributes] == [
        ("user.phone", 0),
        ("gen_ai.usage.input_tokens", 4111111111111111),
    ]
