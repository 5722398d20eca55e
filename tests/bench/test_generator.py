"""The seeded payload generator: deterministic, and honest about what it planted where."""

from __future__ import annotations

import binascii
import json
from collections import Counter

import phonenumbers
import pytest

from tracemask import Masker
from tracemask.bench import DECODE, KINDS, Accuracy, Payload, TraceGenerator, compact_size
from tracemask.bench.generator import DECODE_B64, HARD_CASES, leaves, resolve
from tracemask.bench.runner import survives
from tracemask.detectors import validators

pytest.importorskip("faker")  # the generator's names and addresses: the bench extra

N = 40


@pytest.fixture(scope="module")
def corpus() -> list[Payload]:
    return TraceGenerator(seed=7).corpus(N, max_size=20_000)


def test_same_seed_same_corpus(corpus: list[Payload]) -> None:
    again = TraceGenerator(seed=7).corpus(N, max_size=20_000)
    assert [json.dumps(p.obj) for p in again] == [json.dumps(p.obj) for p in corpus]
    assert [p.plants for p in again] == [p.plants for p in corpus]
    assert [p.decoys for p in again] == [p.decoys for p in corpus]


def test_other_seed_other_corpus(corpus: list[Payload]) -> None:
    other = TraceGenerator(seed=8).corpus(N, max_size=20_000)
    assert [json.dumps(p.obj) for p in other] != [json.dumps(p.obj) for p in corpus]


def test_every_kind_and_json_serialisable(corpus: list[Payload]) -> None:
    gen = TraceGenerator(seed=1)
    for kind in KINDS:
        p = gen.payload(kind, 3_000)
        assert p.kind == kind
        assert (
            p.size
            == compact_size(p.obj)
            == len(json.dumps(p.obj, separators=(",", ":"), ensure_ascii=False).encode())
        )
        assert p.size >= 3_000
    assert set(Counter(p.kind for p in corpus)) == set(KINDS)
    with pytest.raises(ValueError, match="unknown payload kind"):
        gen.payload("nope", 100)


def test_sizes_follow_the_requested_range(corpus: list[Payload]) -> None:
    sizes = sorted(p.size for p in corpus)
    assert sizes[0] >= 100
    assert sizes[-1] <= 3 * 20_000  # growth is by whole turns: some overshoot
    assert sizes[len(sizes) // 2] < 10_000  # log-uniform: the median is well below the max


def test_planted_values_sit_where_recorded(corpus: list[Payload]) -> None:
    seen = 0
    for p in corpus:
        for plant in p.plants:
            assert plant.paths, plant.entity
            texts = [resolve(p.obj, path) for path in plant.paths]
            assert None not in texts
            if plant.joined:  # split across stream chunks: whole only when joined
                texts = ["".join(t or "" for t in texts)]
                assert len(plant.paths) > 1 or plant.value in texts[0]
            for text in texts:
                assert text is not None
                assert plant.value in text
                seen += 1
    assert seen > 100


def test_hard_cases_are_planted_and_reported_apart(corpus: list[Payload]) -> None:
    cases = Counter(plant.case for p in corpus for plant in p.plants)
    assert set(HARD_CASES) <= set(cases), cases
    assert cases["standard"] > sum(cases[c] for c in HARD_CASES) / 2
    joined = [plant for p in corpus for plant in p.plants if plant.joined]
    assert joined
    assert all(plant.case == "stream_chunks" for plant in joined)
    assert any(len(plant.paths) > 1 for plant in joined)  # really split
    b64 = [plant for p in corpus for plant in p.plants if plant.case == "base64"]
    assert all(any(DECODE_B64 in path for path in plant.paths) for plant in b64)


def test_an_unmasked_stream_leaks_and_a_masked_one_does_not(corpus: list[Payload]) -> None:
    p = next(p for p in corpus if any(plant.joined for plant in p.plants))
    raw, masked = Accuracy(), Accuracy()
    raw.add(p, p.obj)
    masked.add(p, Masker().mask(p.obj))
    assert raw.leaked_by_case["stream_chunks"] == raw.planted_by_case["stream_chunks"] > 0
    assert masked.leaked_by_case["stream_chunks"] < raw.leaked_by_case["stream_chunks"]


def test_decoys_sit_where_recorded_and_are_not_planted_values(corpus: list[Payload]) -> None:
    kinds: Counter[str] = Counter()
    for p in corpus:
        planted = {pl.value for pl in p.plants}
        for d in p.decoys:
            assert d.category == "decoy"
            assert d.value not in planted
            for path in d.paths:
                text = resolve(p.obj, path)
                assert text is not None
                assert d.value in text
            kinds[d.entity] += 1
    for kind in ("uuid", "timestamp", "version", "order_number", "title_case", "tool_call_id"):
        assert kinds[kind] > 0, kind


def test_json_inside_strings_is_planted_into_too(corpus: list[Payload]) -> None:
    # Tool-call arguments and OTLP attributes hold JSON strings; values inside them are located
    # through a DECODE step.
    decoded = [path for p in corpus for pl in p.plants for path in pl.paths if DECODE in path]
    assert decoded
    otlp = [p for p in corpus if p.kind == "otlp_request"]
    assert otlp
    assert any(DECODE in path for p in otlp for path, _ in leaves(p.obj))


def test_categories_and_entities(corpus: list[Payload]) -> None:
    entities = Counter(pl.entity for p in corpus for pl in p.plants)
    categories = Counter(pl.category for p in corpus for pl in p.plants)
    assert set(categories) == {"pii", "secret", "names"}
    for entity in ("EMAIL_ADDRESS", "PHONE_NUMBER", "API_KEY", "PERSON"):
        assert entities[entity] > 0, entity


REGIONS = ("US", "GB", "DE", "FR", "IN", "AU", "CA", "BR", "ES", "NL", "IE", "MX")
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _valid_in(phone: str, region: str | None) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, region))
    except phonenumbers.NumberParseException:
        return False


def _phone_valid(phone: str) -> bool:
    regions = (None,) if phone.startswith("+") else REGIONS
    return any(_valid_in(phone, r) for r in regions)


def _crc_ok(token: str) -> bool:
    body = token.split("_", 1)[1]
    n = binascii.crc32(body[:-6].encode("ascii"))
    digits = ""
    while n:
        n, r = divmod(n, 62)
        digits = B62[r] + digits
    return digits.rjust(6, "0") == body[-6:]


def test_planted_values_are_well_formed() -> None:
    # Values a masker may validate must be valid: a leak must never be a malformed value.
    gen = TraceGenerator(seed=3)
    for _ in range(200):
        assert validators.luhn(validators.digits_only(gen.card()))
        assert validators.iban(gen.iban())
        assert validators.us_ssn(validators.digits_only(gen.ssn()))
        assert _phone_valid(gen.phone())
        assert _crc_ok(gen.github_token())
        wallet = gen.wallet()
        assert wallet.startswith("0x") or validators.base58check(wallet)
        assert validators.ip_address(gen.ipv4())
        assert validators.ip_address(gen.ipv6())


def test_long_text_and_untracked_payloads() -> None:
    gen = TraceGenerator(seed=2)
    text = gen.long_text(20_000)
    assert 20_000 <= len(text) < 25_000
    big = gen.payload("langsmith_run", 60_000, track=False)
    assert big.size >= 60_000
    assert big.plants == ()
    assert big.decoys == ()


def test_survives_counts_partial_leaks() -> None:
    assert survives("+1 (415) 555-0132", "call +1 (415) 555-0132")
    assert survives("+1 (415) 555-0132", "call +1 (415) 555-<PHONE>")  # half still readable
    assert not survives("+1 (415) 555-0132", "call +1 <PHONE_NUMBER>")
    assert not survives("jane.doe@example.com", "mail <EMAIL_ADDRESS>")


def test_accuracy_of_identity_and_of_masking_everything(corpus: list[Payload]) -> None:
    keep = Accuracy()
    wipe = Accuracy()
    for p in corpus:
        keep.add(p, p.obj)
        wipe.add(p, _wipe(p.obj))
    leaked, planted = keep.leak_rate(("pii", "secret", "names"))
    assert leaked == planted > 0
    assert keep.decoys_kept()[0] == keep.decoys_kept()[1] > 0
    assert wipe.leak_rate(("pii", "secret", "names"))[0] == 0
    assert wipe.decoys_kept()[0] == 0
    doc = keep.to_json()
    assert doc["leak_all"]["rate"] == 1.0
    assert doc["decoys_kept"]["rate"] == 1.0


def _wipe(value: object) -> object:
    if isinstance(value, str):
        return "<X>"
    if isinstance(value, dict):
        return {k: _wipe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wipe(v) for v in value]
    return value
