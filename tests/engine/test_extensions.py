"""User detectors and operators, per-Masker state, and the facade's size."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest

from tracemask import Finding, Masker, MaskingError, PolicyError
from tracemask._masker import PREFETCH_BATCH

POLICY = {"entities": {"TICKET_ID": {"operator": {"type": "stars"}}}}


class TicketDetector:
    """The issue's ten-line user detector: support ticket ids such as ``TCK-123456``."""

    name = "ticket"
    entity = "TICKET_ID"
    _pattern = re.compile(r"\bTCK-\d{6}\b")

    def detect(self, text: str) -> Iterator[Finding]:
        for m in self._pattern.finditer(text):
            yield Finding(m.start(), m.end(), self.entity, 0.9, self.name)


class Stars:
    """A user operator: one star per character."""

    scope_kind = None

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        return "*" * len(value)


def test_user_detector_and_user_operator_end_to_end() -> None:
    m = Masker(POLICY, detectors=[TicketDetector()], operators={"stars": Stars()})
    assert m.mask_text("see TCK-123456 now") == "see ********** now"
    assert m.mask({"t": "TCK-654321", "e": "mail jane.doe@example.com"}) == {
        "t": "**********",
        "e": "mail <EMAIL_ADDRESS>",
    }
    assert m.scan({"t": "TCK-654321"}).by_entity == {"TICKET_ID": 1}


def test_user_detector_with_the_default_operator_and_switched_off() -> None:
    m = Masker(detectors=[TicketDetector()])
    assert m.mask_text("see TCK-123456 now") == "see <TICKET_ID> now"
    off = Masker({"entities": {"TICKET_ID": {"enabled": False}}}, detectors=[TicketDetector()])
    assert off.mask_text("see TCK-123456 now") == "see TCK-123456 now"


def test_triggered_user_detector_runs_only_when_its_trigger_matches() -> None:
    calls: list[str] = []

    class Triggered(TicketDetector):
        trigger = "TCK-"
        ignore_case = False

        def detect(self, text: str) -> Iterator[Finding]:
            calls.append(text)
            return super().detect(text)

    for backend in ("re", "hyperscan"):
        calls.clear()
        m = Masker(detectors=[Triggered()], backend=backend)
        assert m.mask_text("nothing to see here") == "nothing to see here"
        assert m.mask_text("ticket TCK-000001") == "ticket <TICKET_ID>"
        assert calls == ["ticket TCK-000001"]


def test_unknown_operator_types_stay_errors() -> None:
    with pytest.raises(PolicyError, match=r"entities\.TICKET_ID\.operator\.type: unknown operator"):
        Masker(POLICY)
    with pytest.raises(PolicyError, match="unknown operator type 'starz'"):
        Masker(
            {"entities": {"TICKET_ID": {"operator": {"type": "starz"}}}},
            operators={"stars": Stars()},
        )
    with pytest.raises(PolicyError, match="built-in operator"):
        Masker(operators={"replace": Stars()})


def test_extensions_that_do_not_fit_are_refused_at_construction() -> None:
    with pytest.raises(TypeError, match=r"tracemask\.typing\.Detector"):
        Masker(detectors=[object()])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"tracemask\.typing\.Operator"):
        Masker(operators={"x": object()})  # type: ignore[dict-item]


def test_a_failing_user_detector_fails_closed_without_the_value() -> None:
    class Broken(TicketDetector):
        def detect(self, text: str) -> Iterator[Finding]:
            raise ValueError(text)

    m = Masker(detectors=[Broken()])
    with pytest.raises(MaskingError) as info:
        m.mask({"note": "secret-ish text TCK-123456"})
    assert "TCK-123456" not in str(info.value)


COUNTER = {
    "default_operator": {"type": "pseudonymize", "key": "k", "style": "counter", "store": "memory"}
}


def test_two_maskers_with_one_counter_policy_both_start_at_one() -> None:
    first = Masker(COUNTER)
    assert first.mask_text("mail a.b@example.com") == "mail <EMAIL_ADDRESS_1>"
    assert first.mask_text("mail c.d@example.com") == "mail <EMAIL_ADDRESS_2>"
    second = Masker(COUNTER)
    assert second.mask_text("mail c.d@example.com") == "mail <EMAIL_ADDRESS_1>"


def test_operators_of_one_policy_share_its_store() -> None:
    policy = {**COUNTER, "entities": {"PHONE_NUMBER": {"operator": COUNTER["default_operator"]}}}
    m = Masker(policy)
    out = m.mask({"a": "mail a.b@example.com", "b": "call +1 415 555 0132", "c": "a.b@example.com"})
    assert out == {
        "a": "mail <EMAIL_ADDRESS_1>",
        "b": "call <PHONE_NUMBER_1>",
        "c": "<EMAIL_ADDRESS_1>",
    }


def test_mask_many_equals_mask_per_item_and_names_the_item_on_failure() -> None:
    m = Masker()
    items = [{"m": "mail jane.doe@example.com"}, "card 4111 1111 1111 1111", 3, None]
    assert list(m.mask_many(items)) == [m.mask(x) for x in items]
    assert list(m.mask_many(iter([]))) == []

    bad = Masker(detectors=[_Raises()])
    with pytest.raises(MaskingError, match=r"at 1\.x"):
        list(bad.mask_many([{"x": 1}, {"x": "boom boom boom"}]))


class _Raises:
    name = "raises"
    entity = "BOOM"

    def detect(self, text: str) -> list[Finding]:
        if "boom" in text:
            raise RuntimeError("no")
        return []


def test_masker_facade_stays_small() -> None:
    public = {n for n in dir(Masker(detectors=[])) if not n.startswith("_")}
    assert len(public) <= 10, sorted(public)
    assert {"mask", "mask_text", "mask_many", "detect", "scan", "policy"} <= public


class Prefetching(TicketDetector):
    """A detector that works in batches, the way an NER model does."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.detected: list[str] = []

    def prefetch(self, texts: Iterable[str]) -> None:
        self.batches.append(sorted(texts))

    def detect(self, text: str) -> Iterator[Finding]:
        self.detected.append(text)
        return super().detect(text)


def test_prefetching_detectors_see_a_whole_value_then_each_batch() -> None:
    det = Prefetching()
    m = Masker(detectors=[det])
    assert m.mask({"a": ["ticket TCK-111111", {"b": "more text here"}], "n": 3}) == {
        "a": ["ticket <TICKET_ID>", {"b": "more text here"}],
        "n": 3,
    }
    assert det.batches == [["more text here", "ticket TCK-111111"]]
    assert det.detected  # then detect runs, answered from what prefetch computed
    det.batches.clear()
    items = [{"t": f"ticket TCK-{i:06d}"} for i in range(PREFETCH_BATCH + 1)]
    out = list(m.mask_many(items))
    assert out == [{"t": "ticket <TICKET_ID>"}] * len(items)
    assert [len(b) for b in det.batches] == [PREFETCH_BATCH, 1]


def test_lexicons_tables_and_databases_are_shared_by_every_masker() -> None:
    from tracemask.detectors.pii.person import PersonDetector  # noqa: PLC0415

    def parts(m: Masker) -> tuple[object, object, object]:
        detectors = m.compiled.engine.detectors
        person = next(d for d in detectors if isinstance(d, PersonDetector))
        fields = next(d for d in detectors if d.name == "FieldValue")
        prefilter = m.compiled.engine.prefilter
        return person.lexicon, fields, getattr(prefilter, "_db", prefilter)

    first, second = Masker(backend="hyperscan"), Masker(backend="hyperscan")
    assert all(a is b for a, b in zip(parts(first), parts(second), strict=True))
    # ... while what a masking call changes is each Masker's own.
    assert first.compiled.text_cache is not second.compiled.text_cache
    assert first.compiled.stores is not second.compiled.stores


def test_builtin_operator_table_and_policy_union_agree() -> None:
    from typing import get_args  # noqa: PLC0415

    from tracemask.operators import BUILTIN_OPERATORS, OperatorSpec  # noqa: PLC0415

    union = get_args(get_args(OperatorSpec)[0])
    tags = {meta.tag: get_args(member)[0] for member in union for meta in get_args(member)[1:]}
    user = tags.pop("user")
    assert tags == BUILTIN_OPERATORS
    assert user.__name__ == "UserOperatorSpec"


def test_detector_regexes_are_compiled_once_per_process() -> None:
    # ``re``'s own cache (512 entries) is cycled through by libphonenumber: without a process
    # cache, every new Masker recompiled every detector regex (~25 ms, ~10 % of a cold run).
    import re  # noqa: PLC0415

    from tracemask.detectors._pattern import PatternDetector  # noqa: PLC0415
    from tracemask.detectors.secrets.providers import ProviderToken  # noqa: PLC0415

    def regexes(m: Masker) -> list[object]:
        found: list[object] = []
        for det in m.compiled.engine.detectors:
            if isinstance(det, ProviderToken):
                found += [row.regex for row in det._rows]
            elif isinstance(det, PatternDetector):
                found += [*det._compiled, det._context, det._negative]
        return found

    first = regexes(Masker())
    for n in range(1000):  # what libphonenumber does to re's cache
        re.compile(f"evict-{n}")
    second = regexes(Masker())
    assert len(first) > 300
    assert all(a is b for a, b in zip(first, second, strict=True))
