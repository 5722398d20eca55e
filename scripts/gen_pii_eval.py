"""Generate a labelled PII evaluation set from Faker, in every Faker locale.

The values come from Faker's providers of each locale (national phone formats, local names and
street addresses), in short templates written for this script; checksums are broken on purpose
for part of the cards, IBANs and SSNs, next to a context word, since that is what typed-in and
LLM-invented values look like. Clean records carry the decoys of traces (ids, dates, versions,
counts, costs). One JSON object a line, in the format of ``tracemask eval``; ``source`` is the
family, so the per-source tables are per-family figures::

    python scripts/gen_pii_eval.py --out /tmp/pii_faker.jsonl --per-family 300 --seed 1
    tracemask eval /tmp/pii_faker.jsonl

Nothing here is tuned on: change the seed to get a fresh set.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from faker import Faker
from faker.config import AVAILABLE_LOCALES

# Words around a value, per language: (phone, card, iban, name lead-in, address lead-in).
WORDS: dict[str, tuple[str, str, str, str, str]] = {
    "en": ("You can call me at", "My card number is", "Please send it to IBAN", "My name is",
           "I live at"),
    "de": ("Meine Telefonnummer ist", "Meine Kreditkarte:", "Bitte überweisen an IBAN",
           "Ich heiße", "Ich wohne in der"),
    "fr": ("Mon numéro de téléphone est le", "Ma carte bancaire :", "Virement sur l'IBAN",
           "Je m'appelle", "J'habite au"),
    "es": ("Mi teléfono es el", "Mi tarjeta es la", "Transferencia a la cuenta IBAN",
           "Me llamo", "Vivo en"),
    "it": ("Il mio numero di telefono è", "La mia carta di credito:", "Bonifico sul conto IBAN",
           "Mi chiamo", "Abito in"),
    "pt": ("O meu telefone é", "Cartão de crédito:", "Transferência para o IBAN",
           "Meu nome é", "Moro na"),
    "nl": ("Mijn telefoonnummer is", "Mijn creditcard:", "Overmaken naar IBAN",
           "Mijn naam is", "Ik woon op"),
    "pl": ("Mój numer telefonu to", "Karta kredytowa:", "Przelew na IBAN",
           "Nazywam się", "Mieszkam przy"),
    "zh": ("我的电话是", "我的信用卡号是", "请转账到IBAN", "我叫", "我住在"),
    "ja": ("電話番号は", "カード番号は", "振込先IBAN", "私の名前は", "住所は"),
    "ko": ("전화번호는", "카드 번호는", "IBAN 계좌", "제 이름은", "주소는"),
    "ru": ("Мой телефон", "Номер карты", "Перевод на IBAN", "Меня зовут", "Я живу по адресу"),
}  # fmt: skip
SIGN_OFFS = ("Best regards,\n{v}", "Thanks,\n{v}", "Dear {v},\nthank you for", "Hi {v}, quick "
             "question about the invoice", "Cheers,\n{v}\nSupport team")  # fmt: skip
FREE_NAME = ("{v} called about the refund.", "Forwarded by {v} on Monday.",
             "Customer {v} asked to cancel the order.", "Meeting with {v} at 3pm.",
             "Signed: {v}")  # fmt: skip
FREE_ADDR = ("Ship to: {v}", "Deliver the parcel to {v} before Friday.", "Address: {v}",
             "Billing address\n{v}", "The office moved to {v}.")  # fmt: skip
PHONE_FREE = ("{v}", "reach me on {v} after 6", "WhatsApp {v}", "ph: {v}", "or text {v}")


def _lang(locale: str) -> str:
    return locale.split("_", maxsplit=1)[0]


def _words(locale: str) -> tuple[str, str, str, str, str]:
    return WORDS.get(_lang(locale), WORDS["en"])


def _record(family: str, locale: str, parts: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Concatenate ``(text, label)`` parts; labelled parts become spans."""
    text = ""
    spans = []
    for chunk, label in parts:
        if label:
            spans.append({"start": len(text), "end": len(text) + len(chunk), "label": label})
        text += chunk
    return {"id": f"{family}:{locale}:{len(text)}", "source": family, "text": text,
            "spans": spans, "lang": locale}  # fmt: skip


def _break_digit(rng: random.Random, value: str, lo: int = 0) -> str:
    """Change one digit (from index ``lo`` on) of ``value``."""
    idx = [i for i, c in enumerate(value) if c.isdigit() and i >= lo]
    i = rng.choice(idx)
    d = int(value[i])
    return value[:i] + str((d + rng.randint(1, 9)) % 10) + value[i + 1 :]


def _template(
    rng: random.Random, fmts: tuple[str, ...], value: str, label: str
) -> list[tuple[str, str | None]]:
    fmt = rng.choice(fmts)
    head, _, tail = fmt.partition("{v}")
    return [(head, None), (value, label), (tail, None)]


def phone_cued(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    number = fake.phone_number()
    if rng.random() < 0.15:
        number += rng.choice([" x", " ext. ", " #"]) + str(rng.randint(1, 9999))
    lead = _words(locale)[0]
    return _record(
        "phone-cued",
        locale,
        [
            (lead + " ", None),
            (number, "PHONE_NUMBER"),
            (rng.choice(["", ".", " tonight.", ", thanks"]), None),
        ],
    )


def phone_free(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    return _record(
        "phone-free", locale, _template(rng, PHONE_FREE, fake.phone_number(), "PHONE_NUMBER")
    )


def card_bad(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    number = _break_digit(rng, fake.credit_card_number(), lo=1)
    if rng.random() < 0.5 and len(number) == 16:
        number = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return _record(
        "card-bad-checksum",
        locale,
        [(_words(locale)[1] + " ", None), (number, "CREDIT_CARD"), (".", None)],
    )


def card_ok(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    number = fake.credit_card_number()
    return _record(
        "card-valid",
        locale,
        _template(
            rng, ("paid with {v} yesterday", "{v}", "card on file: {v}"), number, "CREDIT_CARD"
        ),
    )


def iban_bad(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    value = fake.iban()
    value = value[:2] + _break_digit(rng, value[2:4]) + value[4:]  # wrong check digits
    if rng.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return _record(
        "iban-bad-checksum",
        locale,
        [(_words(locale)[2] + " ", None), (value, "IBAN_CODE"), (".", None)],
    )


def iban_ok(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    value = fake.iban()
    return _record(
        "iban-valid",
        locale,
        _template(rng, ("refund to {v} please", "{v}", "acct {v}"), value, "IBAN_CODE"),
    )


def ssn(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    en = Faker("en_US")
    en.seed_instance(rng.randint(0, 1 << 30))
    value = en.ssn()
    if rng.random() < 0.3:
        value = str(rng.randint(900, 999)) + value[3:]  # area 9xx: never issued
    lead = rng.choice(["SSN:", "my social security number is", "SSN#", "社会安全号码"])
    sep = "" if lead.endswith("码") else " "
    return _record("ssn", locale, [(lead + sep, None), (value, "US_SSN")])


def cjk_phone(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    loc = rng.choice(["zh_CN", "zh_TW", "ja_JP", "ko_KR"])
    f = Faker(loc)
    f.seed_instance(rng.randint(0, 1 << 30))
    lead = _words(loc)[0]
    return _record(
        "cjk-phone",
        loc,
        [
            (lead, None),
            (f.phone_number(), "PHONE_NUMBER"),
            (rng.choice(["。", "\uff0c谢谢", ""]), None),
        ],
    )


def person(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    name = fake.name()
    r = rng.random()
    if r < 0.35:
        parts = [(_words(locale)[3] + " ", None), (name, "PERSON"), (".", None)]
    elif r < 0.7:
        parts = _template(rng, SIGN_OFFS, name, "PERSON")
    else:
        parts = _template(rng, FREE_NAME, name, "PERSON")
    return _record("person", locale, parts)


def address(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    value = fake.address() if rng.random() < 0.5 else fake.street_address()
    if rng.random() < 0.4:
        parts = [(_words(locale)[4] + " ", None), (value, "LOCATION/ADDRESS")]
    else:
        parts = _template(rng, FREE_ADDR, value, "LOCATION/ADDRESS")
    return _record("address", locale, parts)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def clean(fake: Faker, rng: random.Random, locale: str) -> dict[str, Any]:
    """A record with decoys only: nothing in it is personal data."""
    pieces = [
        f"trace_id={_hex(rng, 32)} span_id={_hex(rng, 16)}",
        f"request {uuid.UUID(int=rng.getrandbits(128), version=4)} done",
        f"commit {_hex(rng, 40)}",
        f"ts={rng.randint(1_600_000_000, 1_800_000_000)}",
        f"ts_ms={rng.randint(1_600_000_000_000, 1_800_000_000_000)}",
        f"ts_ns={rng.randint(1_600_000_000_000_000_000, 1_800_000_000_000_000_000)}",
        f"created {fake.date_between('-3y').isoformat()} {rng.randint(0, 23):02d}:00:00",
        f"version {rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        f"model gpt-4o-2024-08-06 prompt_tokens={rng.randint(10, 99999)}",
        f"Order #{rng.randint(10_000_000, 99_999_999)} shipped",
        f"cost ${rng.random() * 100:.4f} for {rng.randint(1, 9999)} tokens",
        f"latency {rng.randint(1, 9999)} ms, {rng.randint(1, 999)} retries",
        "Quarterly Revenue Report for the Product Team",
        f"invoice INV-{rng.randint(100000, 999999)} total {rng.randint(10, 99999)}.00",
        "run finished with status OK in region us-east-1",
    ]
    text = "; ".join(rng.sample(pieces, rng.randint(2, 5)))
    return _record("clean", locale, [(text, None)])


FAMILIES: dict[str, Callable[[Faker, random.Random, str], dict[str, Any]]] = {
    "phone-cued": phone_cued,
    "phone-free": phone_free,
    "card-bad-checksum": card_bad,
    "card-valid": card_ok,
    "iban-bad-checksum": iban_bad,
    "iban-valid": iban_ok,
    "ssn": ssn,
    "cjk-phone": cjk_phone,
    "person": person,
    "address": address,
    "clean": clean,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-family", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fakers: dict[str, Faker] = {}
    with open(args.out, "w", encoding="utf-8") as out:
        for make in FAMILIES.values():
            for _ in range(args.per_family):
                locale = rng.choice(AVAILABLE_LOCALES)
                fake = fakers.get(locale) or fakers.setdefault(locale, Faker(locale))
                fake.seed_instance(rng.randint(0, 1 << 30))
                try:
                    record = make(fake, rng, locale)
                except AttributeError:  # a provider this locale lacks (iban, ssn…)
                    fake = fakers.setdefault("en_GB", Faker("en_GB"))
                    record = make(fake, rng, "en_GB")
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
