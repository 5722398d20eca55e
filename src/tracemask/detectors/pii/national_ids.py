"""National identifiers validated with ``python-stdnum`` (opt-in by policy).

Each entry of :data:`NATIONAL_IDS` names a ``stdnum`` module, a candidate regex and the context
words that identify the id in prose. Formats that are mere digit runs need a context word.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii._shapes import not_after, not_before


@dataclass(frozen=True)
class NationalIdFormat:
    """How to find one kind of national id: ``stdnum`` module, candidate regex, context."""

    module: str
    pattern: str
    context: tuple[str, ...]
    needs_context: bool


NATIONAL_IDS: dict[str, NationalIdFormat] = {
    "es.dni": NationalIdFormat("stdnum.es.dni", r"[0-9]{8}-?[A-Z]", ("dni", "nif"), False),
    "es.nie": NationalIdFormat("stdnum.es.nie", r"[XYZ]-?[0-9]{7}-?[A-Z]", ("nie",), False),
    "it.codicefiscale": NationalIdFormat(
        "stdnum.it.codicefiscale",
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
        ("codice fiscale", "cf"),
        needs_context=False,
    ),
    "fr.nir": NationalIdFormat(
        "stdnum.fr.nir",
        r"[12] ?[0-9]{2} ?[0-9]{2} ?[0-9AB]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}",
        ("nir", "sécurité sociale", "securite sociale", "insee"),
        needs_context=False,
    ),
    "de.idnr": NationalIdFormat(
        "stdnum.de.idnr",
        r"[0-9]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}",
        ("steuer", "idnr", "tax id", "identifikationsnummer"),
        needs_context=True,
    ),
    "nl.bsn": NationalIdFormat(
        "stdnum.nl.bsn", r"[0-9]{4}\.?[0-9]{2}\.?[0-9]{3}", ("bsn", "burgerservicenummer"), True
    ),
    "in_.aadhaar": NationalIdFormat(
        "stdnum.in_.aadhaar", r"[2-9][0-9]{3} ?[0-9]{4} ?[0-9]{4}", ("aadhaar", "uidai"), True
    ),
    "in_.pan": NationalIdFormat("stdnum.in_.pan", r"[A-Z]{5}[0-9]{4}[A-Z]", ("pan",), False),
    "br.cpf": NationalIdFormat(
        "stdnum.br.cpf", r"[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}", ("cpf",), False
    ),
    "ca.sin": NationalIdFormat(
        "stdnum.ca.sin", r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}", ("sin", "social insurance"), True
    ),
    "us.itin": NationalIdFormat(
        "stdnum.us.itin", r"9[0-9]{2}-?[5-9][0-9]-?[0-9]{4}", ("itin", "taxpayer"), False
    ),
    "pl.pesel": NationalIdFormat("stdnum.pl.pesel", r"[0-9]{11}", ("pesel",), True),
    "se.personnummer": NationalIdFormat(
        "stdnum.se.personnummer", r"(?:19|20)?[0-9]{6}[-+]?[0-9]{4}", ("personnummer",), True
    ),
    "dk.cpr": NationalIdFormat("stdnum.dk.cpr", r"[0-9]{6}-?[0-9]{4}", ("cpr",), True),
    "fi.hetu": NationalIdFormat(
        "stdnum.fi.hetu", r"[0-9]{6}[-+A][0-9]{3}[0-9A-Y]", ("hetu", "henkilötunnus"), False
    ),
    "mx.curp": NationalIdFormat(
        "stdnum.mx.curp", r"[A-Z]{4}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]", ("curp",), False
    ),
    "us.ein": NationalIdFormat(
        "stdnum.us.ein", r"[0-9]{2}-[0-9]{7}", ("ein", "employer identification"), True
    ),
}


class NationalIdDetector(PatternDetector):
    """One national id kind from :data:`NATIONAL_IDS`, validated by its ``stdnum`` module.

    Args:
        kind: a key of :data:`NATIONAL_IDS`, e.g. ``"gb.nino"``.
    """

    entity = "NATIONAL_ID"
    score = 0.85

    def __init__(self, kind: str) -> None:
        fmt = NATIONAL_IDS[kind]
        self.kind = kind
        self.name = f"NationalIdDetector[{kind}]"  # type: ignore[misc]
        self.patterns = (  # type: ignore[misc]
            rf"{not_before('.-')}(?P<value>{fmt.pattern}){not_after('-')}",
        )
        self.trigger = fmt.pattern  # type: ignore[misc]
        self.context = fmt.context  # type: ignore[misc]
        self._needs_context = fmt.needs_context
        self._module: Any = importlib.import_module(fmt.module)
        super().__init__()

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if not self._module.is_valid(value):
            return None
        return self.score - 0.4 if self._needs_context else self.score
