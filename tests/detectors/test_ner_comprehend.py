"""Amazon Comprehend backend: a real boto3 client against a local DetectPiiEntities endpoint.

The endpoint (``comprehend_server``) runs on 127.0.0.1 and speaks the API's wire format, so
botocore's signing, retries, backoff and timeouts are the real ones; moto's Comprehend (server
mode) checks the same client against another implementation of the API.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("boto3")

from tests.detectors.comprehend_server import FakeComprehend, fake_comprehend
from tracemask import Masker, MaskingError, PolicyError
from tracemask.detectors.ner import build_ner
from tracemask.detectors.ner.comprehend import (
    COMPREHEND_LABELS,
    MAX_BYTES,
    ComprehendDetector,
    ComprehendError,
    plan_requests,
)

ALL = ("PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN")
SECRETS = ("PASSWORD", "API_KEY", "SECRET")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Credentials and region as a user's environment gives them; no shared files, no IMDS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws() -> Iterator[FakeComprehend]:
    with fake_comprehend() as state:
        yield state


def detector(aws: FakeComprehend, entities: tuple[str, ...] = ALL, **opts: Any) -> Any:
    return ComprehendDetector(entities, endpoint_url=aws.url, **opts)


def values(text: str, found: list[Any]) -> set[tuple[str, str]]:
    return {(f.entity, text[f.start : f.end]) for f in found}


# -- mapping ----------------------------------------------------------------------------------


def test_types_map_to_tracemask_entities(aws: FakeComprehend) -> None:
    text = (
        "Please ship to Margarethe Oyelaran-Fitz at 14 Quarry Lane, Leeds; mail mo@fitz.example, "
        "call +44 113 496 0000, card 4111 1111 1111 1111, ssn 078-05-1120, account 00012345678."
    )
    for value, kind in [
        ("Margarethe Oyelaran-Fitz", "NAME"),
        ("14 Quarry Lane, Leeds", "ADDRESS"),
        ("mo@fitz.example", "EMAIL"),
        ("+44 113 496 0000", "PHONE"),
        ("4111 1111 1111 1111", "CREDIT_DEBIT_NUMBER"),
        ("078-05-1120", "SSN"),
        ("00012345678", "BANK_ACCOUNT_NUMBER"),  # no tracemask entity: dropped by default
    ]:
        aws.declare(value, kind)
    found = detector(aws).detect(text)
    assert values(text, found) == {
        ("PERSON", "Margarethe Oyelaran-Fitz"),
        ("LOCATION", "14 Quarry Lane, Leeds"),
        ("EMAIL_ADDRESS", "mo@fitz.example"),
        ("PHONE_NUMBER", "+44 113 496 0000"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("US_SSN", "078-05-1120"),
    }
    assert all(f.recognizer == "Comprehend" and f.score == pytest.approx(0.99) for f in found)


def test_secret_types_keep_their_punctuation(aws: FakeComprehend) -> None:
    text = "my login is sam.k and my password is hunter2!!, the aws key AKIAIOSFODNN7EXAMPLE ok"
    aws.declare("hunter2!!", "PASSWORD")
    aws.declare("AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY")
    aws.declare("sam.k", "USERNAME")
    found = detector(aws, SECRETS).detect(text)
    assert values(text, found) == {("PASSWORD", "hunter2!!"), ("API_KEY", "AKIAIOSFODNN7EXAMPLE")}


def test_labels_option_maps_an_unmapped_type(aws: FakeComprehend) -> None:
    text = "Transfer the refund to account number 00012345678 at the branch today please."
    aws.declare("00012345678", "BANK_ACCOUNT_NUMBER")
    det = detector(aws, ("BANK_ACCOUNT",), labels={"BANK_ACCOUNT_NUMBER": "BANK_ACCOUNT"})
    assert values(text, det.detect(text)) == {("BANK_ACCOUNT", "00012345678")}


def test_every_mapped_type_is_a_comprehend_type() -> None:
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("comprehend")
    types = set(model.shape_for("PiiEntityType").enum)
    assert set(COMPREHEND_LABELS) <= types
    assert {"NAME", "ADDRESS", "EMAIL", "SSN", "CREDIT_DEBIT_NUMBER", "AWS_SECRET_KEY"} <= set(
        COMPREHEND_LABELS
    )


def test_min_score_drops_unsure_findings(aws: FakeComprehend) -> None:
    text = "The reviewer was Odalys Brennan-Kovac and the approver was Teodor Vance today."
    aws.declare("Odalys Brennan-Kovac", "NAME", 0.97)
    aws.declare("Teodor Vance", "NAME", 0.62)
    assert values(text, detector(aws, min_score=0.8).detect(text)) == {
        ("PERSON", "Odalys Brennan-Kovac")
    }
    assert len(detector(aws, min_score=0.5).detect(text)) == 2


def test_non_free_text_is_never_sent(aws: FakeComprehend) -> None:
    det = detector(aws)
    assert det.detect("gpt-4o-2024-08-06") == []
    assert det.detect("4f9c2a7e-1b3d-4e5f-8a6b-0c1d2e3f4a5b") == []
    assert aws.texts == []


# -- packing and chunking ---------------------------------------------------------------------


def test_short_strings_share_one_request_with_exact_offsets(aws: FakeComprehend) -> None:
    names = [f"Quillon Marbeck{i:02d}" for i in range(30)]
    texts = [f"Ticket {i}: the caller {n} asked about the invoice." for i, n in enumerate(names)]
    for n in names:
        aws.declare(n, "NAME")
    found = detector(aws).detect_batch(texts)
    assert len(aws.texts) == 1
    for text, name, f in zip(texts, names, found, strict=True):
        assert values(text, f) == {("PERSON", name)}


def test_non_ascii_text_is_cut_under_the_byte_limit_with_exact_offsets(
    aws: FakeComprehend,
) -> None:
    # 3- and 4-byte characters: the byte limit is hit long before the character count.
    filler = "Größe 漢字テキスト 😀 naïve café — "
    planted = [f"Ximena Ólafsdóttir-{i}" for i in range(40)]
    parts: list[str] = []
    for name in planted:
        parts.append(filler * 7)
        parts.append(f" patient {name} seen ")
    text = "".join(parts)
    for name in planted:
        aws.declare(name, "NAME")
    det = detector(aws, max_bytes=1_000, overlap=120)
    found = det.detect(text)
    assert len(text.encode()) > 12 * 1_000  # many windows
    assert all(len(t.encode()) <= 1_000 for t in aws.texts)
    got = sorted((f.start, f.end) for f in found)
    want = sorted((text.index(n), text.index(n) + len(n)) for n in planted)
    assert got == want
    assert all(text[s:e] in planted for s, e in got)


def test_a_value_cut_by_a_window_edge_is_found_whole(aws: FakeComprehend) -> None:
    name = "Wilhelmina Zaragoza-Quint"
    aws.declare(name, "NAME")
    det = detector(aws, max_bytes=1_000, overlap=100)
    for shift in range(0, 30, 2):  # the name crosses the first window's 1,000-byte end
        text = "é" * shift + " " + "café " * 160 + name + " was here " + "über " * 150
        aws.texts.clear()
        found = det.detect(text)
        assert values(text, found) == {("PERSON", name)}, shift
        assert len(aws.texts) > 1


def test_large_text_at_the_documented_limit(aws: FakeComprehend) -> None:
    # The endpoint refuses over 100,000 UTF-8 bytes, as the API documents.
    text = ("Zoë Kowalczyk-Ngata lives at 9 Elm Row. " + "δ" * 40) * 2_500  # ~300 KB
    aws.declare("Zoë Kowalczyk-Ngata", "NAME")
    found = detector(aws).detect(text)
    assert len(found) == 2_500
    assert len(aws.texts) >= 3
    assert max(len(t.encode()) for t in aws.texts) <= MAX_BYTES


def test_lone_surrogates_are_sent_as_replacement_characters(aws: FakeComprehend) -> None:
    text = "Broken \ud83d emoji from JSON, then the caller Ingrid Sølvberg-Achebe hung up."
    aws.declare("Ingrid Sølvberg-Achebe", "NAME")
    found = detector(aws).detect(text)
    assert values(text, found) == {("PERSON", "Ingrid Sølvberg-Achebe")}
    assert "\ufffd" in aws.texts[0]


@given(
    texts=st.lists(st.text(min_size=0, max_size=900), min_size=1, max_size=8),
    max_bytes=st.integers(256, 1_200),
    overlap=st.integers(0, 100),
    pack=st.booleans(),
)
def test_requests_cover_every_character_under_the_limit(
    texts: list[str], max_bytes: int, overlap: int, pack: bool
) -> None:
    texts = [t.encode("utf-8", "replace").decode() for t in texts]  # no lone surrogates
    requests = plan_requests(texts, max_bytes, overlap=overlap, pack=pack)
    covered = [[False] * len(t) for t in texts]
    for r in requests:
        assert len(r.text.encode()) <= max_bytes
        for index, start, req_start, length in r.pieces:
            assert r.text[req_start : req_start + length] == texts[index][start : start + length]
            for k in range(start, start + length):
                covered[index][k] = True
            # A span of the whole piece maps back to exactly the piece.
            assert length > 0
            assert list(r.spans(req_start, req_start + length)) == [(index, start, start + length)]
    assert all(all(c) for c in covered)
    assert all(r.text for r in requests)


# -- failures: retries, timeouts, fail closed --------------------------------------------------


def test_throttling_is_retried_with_backoff_then_succeeds(aws: FakeComprehend) -> None:
    text = "Escalated by Rosalind Achterberg on behalf of the customer yesterday."
    aws.declare("Rosalind Achterberg", "NAME")
    aws.script = ["throttle", "throttle"]
    found = detector(aws, max_attempts=4).detect(text)
    assert values(text, found) == {("PERSON", "Rosalind Achterberg")}
    assert len(aws.texts) == 3


def test_throttling_past_the_attempts_fails_closed_without_the_text(
    aws: FakeComprehend, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Escalated by Rosalind Achterberg on behalf of the customer yesterday."
    aws.script = ["throttle"] * 5
    caplog.set_level(logging.DEBUG, logger="tracemask")
    with pytest.raises(ComprehendError) as info:
        detector(aws, max_attempts=2).detect(text)
    assert "ThrottlingException" in str(info.value)
    assert len(aws.texts) == 2
    assert "Achterberg" not in str(info.value)
    assert info.value.__cause__ is None  # no botocore error chained: its message may echo input
    assert info.value.__context__ is None
    assert "Achterberg" not in caplog.text
    assert "ThrottlingException" in caplog.text


def test_a_stalled_call_times_out_and_fails_closed(aws: FakeComprehend) -> None:
    text = "Escalated by Rosalind Achterberg on behalf of the customer yesterday."
    aws.script = ["stall"]
    aws.stall = 3.0
    det = detector(aws, timeout=0.3, max_attempts=1)
    with pytest.raises(ComprehendError, match="ReadTimeoutError"):
        det.detect(text)


def test_on_error_mask_reports_the_whole_string(aws: FakeComprehend) -> None:
    text = "Escalated by Rosalind Achterberg on behalf of the customer yesterday."
    aws.script = ["error"] * 2
    found = detector(aws, max_attempts=2, on_error="mask").detect(text)
    assert [(f.start, f.end, f.entity) for f in found] == [(0, len(text), "PERSON")]
    # Not remembered: the next call asks again.
    aws.declare("Rosalind Achterberg", "NAME")
    assert values(text, detector(aws).detect(text)) == {("PERSON", "Rosalind Achterberg")}


def test_no_region_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    det = ComprehendDetector(("PERSON",))
    with pytest.raises(ComprehendError, match="NoRegionError"):
        det.detect("Escalated by Rosalind Achterberg on behalf of the customer.")


def test_the_client_has_the_timeouts_and_retries_asked_for(aws: FakeComprehend) -> None:
    det = detector(aws, timeout=7.5, connect_timeout=1.5, max_attempts=6, retry_mode="adaptive")
    config = det.client.meta.config
    assert (config.read_timeout, config.connect_timeout) == (7.5, 1.5)
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 6}
    assert det.client.meta.region_name == "eu-west-1"  # from the environment's chain


# -- inside a Masker --------------------------------------------------------------------------


def policy(aws: FakeComprehend, **options: Any) -> dict[str, Any]:
    return {
        "ner": {
            "backend": "comprehend",
            "entities": ["PERSON", "LOCATION", "EMAIL_ADDRESS"],
            "options": {"endpoint_url": aws.url, **options},
        }
    }


def test_combined_with_the_built_in_detectors(aws: FakeComprehend) -> None:
    masker = Masker(policy(aws))
    text = "Hi, this is vanterpool, write to jo.vanterpool@example.org or key sk-ant-api03-x."
    # Comprehend finds the lower-case name, which the built-ins do not; both find the email.
    aws.declare("vanterpool", "NAME")
    aws.declare("jo.vanterpool@example.org", "EMAIL")
    out = masker.mask({"messages": [{"role": "user", "content": text}]})
    content = out["messages"][0]["content"]
    assert content.startswith("Hi, this is <PERSON>, write to <EMAIL_ADDRESS> or key ")
    assert "vanterpool" not in content
    # The Comprehend NAME inside the email lost to the longer, equally sure email finding.
    assert content.count("<EMAIL_ADDRESS>") == 1
    assert content.count("<PERSON>") == 1


def test_a_trace_costs_one_request(aws: FakeComprehend) -> None:
    masker = Masker(policy(aws))
    aws.declare("Perpetua Okonkwo-Lind", "NAME")
    trace = {
        "inputs": {"question": "Can Perpetua Okonkwo-Lind change her delivery address today?"},
        "outputs": {"answer": "Yes, Perpetua Okonkwo-Lind can change it in the account page."},
        "metadata": {"model": "gpt-4o-mini", "run_id": "7f0c2d1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f"},
    }
    out = masker.mask(trace)
    assert "Okonkwo" not in str(out)
    assert out["metadata"] == trace["metadata"]
    assert len(aws.texts) == 1


def test_a_failed_prefetch_fails_the_mask_without_retrying_each_string(
    aws: FakeComprehend,
) -> None:
    masker = Masker(policy(aws, max_attempts=2))
    aws.script = ["throttle"] * 20
    trace = {f"m{i}": f"Message {i} from Perpetua Okonkwo-Lind about the order." for i in range(5)}
    with pytest.raises(MaskingError, match="ThrottlingException"):
        masker.mask(trace)
    assert len(aws.texts) == 2  # one packed request, two attempts


def test_a_failed_prefetch_with_on_error_mask_masks_each_string(aws: FakeComprehend) -> None:
    masker = Masker(policy(aws, max_attempts=1, on_error="mask"))
    aws.script = ["error"]
    trace = {f"m{i}": f"Message {i} from Perpetua Okonkwo-Lind about the order." for i in range(3)}
    out = masker.mask({**trace, "model": "gpt-4o-mini"})
    assert out == {"m0": "<PERSON>", "m1": "<PERSON>", "m2": "<PERSON>", "model": "gpt-4o-mini"}
    assert len(aws.texts) == 1


# -- policy -----------------------------------------------------------------------------------


def test_policy_options_are_validated() -> None:
    with pytest.raises(PolicyError, match=r"ner.*options\.timeout.*greater than 0"):
        Masker({"ner": {"backend": "comprehend", "options": {"timeout": 0}}})
    with pytest.raises(
        PolicyError, match=r"options\.regoin: unknown option \(did you mean region\?\)"
    ):
        Masker({"ner": {"backend": "comprehend", "options": {"regoin": "eu-west-1"}}})
    with pytest.raises(PolicyError, match=r"options\.max_bytes"):
        Masker({"ner": {"backend": "comprehend", "options": {"max_bytes": 200_000}}})
    with pytest.raises(PolicyError, match="takes none"):
        Masker({"ner": {"backend": "comprehend", "model": "en_core_web_sm"}})


def test_build_ner_knows_the_backend(aws: FakeComprehend) -> None:
    det = build_ner("comprehend", None, ["PERSON"], endpoint_url=aws.url, min_score=0.9)
    assert isinstance(det, ComprehendDetector)
    assert det.options.min_score == 0.9


# -- moto's Comprehend --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.slow
def test_against_motos_comprehend(moto_url: str) -> None:
    # moto answers DetectPiiEntities with a fixed result: NAME at 50-58, EMAIL at 230-259,
    # BANK_ACCOUNT_NUMBER at 334-349. A text with those values there reads it correctly.
    text = list("The support call was logged by the desk. Caller: " + "." * 310)
    text[50:58] = "Jennifer"
    text[230:259] = "jennifer.doe42@mail.example.o"
    text = "".join(text).replace(".....", "word ")
    det = ComprehendDetector(("PERSON", "EMAIL_ADDRESS"), endpoint_url=moto_url)
    found = det.detect(text)
    assert values(text, found) == {
        ("PERSON", "Jennifer"),
        ("EMAIL_ADDRESS", "jennifer.doe42@mail.example.o"),
    }
    # moto refuses over 100,000 characters: the backend splits a longer text.
    long_text = text + " " + "Some more words. " * 8_000
    assert len(det.detect(long_text)) >= 2


def test_langsmith_hook_withholds_a_run_when_comprehend_fails(aws: FakeComprehend) -> None:
    langsmith_hook = pytest.importorskip("tracemask.integrations.langsmith")
    hook = langsmith_hook.anonymizer(Masker(policy(aws, max_attempts=1)))
    aws.declare("Perpetua Okonkwo-Lind", "NAME")
    run = {"question": "Can Perpetua Okonkwo-Lind change her delivery address today?"}
    assert hook(run) == {"question": "Can <PERSON> change her delivery address today?"}
    aws.script = ["error"]
    other = {"question": "Could Perpetua Okonkwo-Lind also update her phone number?"}
    assert hook(other) == {}  # withheld: fail_mode closed


def test_after_a_failure_the_next_mask_asks_again(aws: FakeComprehend) -> None:
    masker = Masker(policy(aws, max_attempts=1))
    aws.declare("Perpetua Okonkwo-Lind", "NAME")
    trace = {f"m{i}": f"Message {i} from Perpetua Okonkwo-Lind about the order." for i in range(3)}
    aws.script = ["error"]
    with pytest.raises(MaskingError):
        masker.mask(trace)
    out = masker.mask(trace)  # Comprehend is back: no stale failure answers for it
    assert out == {f"m{i}": f"Message {i} from <PERSON> about the order." for i in range(3)}
    assert len(aws.texts) == 2
