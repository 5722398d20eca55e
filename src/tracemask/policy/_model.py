"""The policy model: versioned data, validated by pydantic, immutable once loaded."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tracemask._fieldnames import (
    FIELD_HINTS,
    LOCATION_KEYS,
    NAME_KEYS,
    PASSWORD_KEYS,
    PERSON_KEYS,
    SECRET_KEYS,
)
from tracemask.operators import Drop, Keep, OperatorSpec, Replace
from tracemask.policy._strict import known_entities, suggestion

#: Validation-context key holding the entities of user detectors (``Masker(detectors=...)``).
USER_ENTITIES = "tracemask_user_entities"

#: Validators a custom recognizer may name.
ValidatorName = Literal["luhn", "iban", "us_ssn", "ip_address", "base58check", "bech32"]

#: Key names (normalised: lower case, no separators) whose values are masked whole as PASSWORD.
#: ``*x`` matches any key ending in ``x``. The tables live in ``tracemask._fieldnames``.
DEFAULT_PASSWORD_KEYS = PASSWORD_KEYS
#: Key names whose values are masked whole as SECRET.
DEFAULT_SECRET_KEYS = SECRET_KEYS
#: Key names whose string values are a person's name, masked whole as PERSON.
DEFAULT_PERSON_KEYS = PERSON_KEYS
#: Key names whose string values are (part of) a street address, masked whole as LOCATION.
DEFAULT_LOCATION_KEYS = LOCATION_KEYS
#: Key names whose string values are a PERSON when the name lexicons read them as a name
#: (``{"name": "maria garcia"}``), and left alone otherwise (``{"name": "get_weather"}``).
DEFAULT_NAME_KEYS = NAME_KEYS


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EntityRule(_Model):
    """How one entity is treated."""

    enabled: bool = True
    operator: OperatorSpec | None = None
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _no_drop(self) -> EntityRule:
        if isinstance(self.operator, Drop):
            raise ValueError(
                "operator 'drop' removes a whole field; use it in key_rules/path_rules"
            )
        return self


class KeyRule(_Model):
    """Mask the whole value under matching keys (case- and separator-insensitive).

    ``keys`` are names such as ``"api_key"`` (matches ``API-Key``, ``apiKey``, ``x.api_key``);
    a leading ``*`` matches any key ending with the rest (``"*_token"``). Without an
    ``operator`` the entity's own (``entities.<ENTITY>.operator``) applies, else
    ``key_operator``.
    """

    keys: tuple[str, ...] = Field(min_length=1)
    entity: str = "SECRET"
    operator: OperatorSpec | None = None


class PathRule(_Model):
    """Apply an operator to everything at a JSON path (glob).

    Paths join dict keys with ``.``; list items are their index; a key holding ``.`` or a named
    entry in a list (``{"key"|"name": k, "value": …}``: OTLP attributes, HAR headers, AWS tags)
    is written ``[k]``. ``*`` matches one segment and
    ``**`` any number, e.g.
    ``resourceSpans.*.scopeSpans.*.spans.*.attributes[gen_ai.input.messages]``.
    ``operator: {type: keep}`` exempts the subtree from masking.
    """

    path: str = Field(min_length=1)
    entity: str = "CUSTOM"
    operator: OperatorSpec = Keep()


class CustomRecognizer(_Model):
    """A user pattern, compiled with RE2 (linear time: a pattern cannot hang the process)."""

    name: str = Field(min_length=1)
    entity: str = Field(min_length=1, pattern=r"^[A-Z][A-Z0-9_/]*$")
    pattern: str = Field(min_length=1)
    score: float = Field(default=0.8, ge=0.0, le=1.0)
    context: tuple[str, ...] = ()
    ignore_case: bool = False
    validator: ValidatorName | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles_in_re2(cls, pattern: str) -> str:
        error = re2_error(pattern)
        if error is not None:
            raise ValueError(f"not a valid RE2 pattern: {error}")
        return pattern


def re2_error(pattern: str) -> str | None:
    """Return why RE2 refuses ``pattern`` (one line), or ``None`` when it compiles."""
    import re2  # noqa: PLC0415 - only policies with custom recognizers need RE2

    options = re2.Options()
    # RE2 logs every parse error to stderr through absl ("absl::InitializeLog", "re2.cc:242");
    # the error is reported once, by us, as one line.
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return " ".join(str(reason).split())
    return None


class NerConfig(_Model):
    """An optional NER backend run as one more detector on free-text strings.

    ``backend`` needs its extra (``tracemask[spacy]``, ``[presidio]``, ``[transformers]``,
    ``[gliner]``, ``[comprehend]``); ``model`` is a spaCy pipeline name, a local model path or
    a model name already on disk (nothing is downloaded at run time). ``comprehend`` sends
    free text to Amazon Comprehend and takes no ``model``; its ``options`` are checked here.
    """

    backend: Literal["spacy", "presidio", "transformers", "gliner", "comprehend"] | None = None
    model: str | None = None
    entities: tuple[str, ...] = ("PERSON", "LOCATION")
    min_chars: int = Field(default=20, ge=1)
    options: dict[str, object] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _comprehend_options(self) -> NerConfig:
        if self.backend == "comprehend":
            # The options model lives with the backend; importing it imports no boto3.
            from tracemask.detectors.ner.comprehend import (  # noqa: PLC0415
                ComprehendOptions,
                validate_options,
            )

            if self.model is not None:
                raise ValueError("model: the comprehend backend takes none (options.region)")
            known = ComprehendOptions.model_fields
            for name in self.options:
                if name not in known:
                    hint = suggestion(name, known) or f"; known: {', '.join(known)}"
                    raise ValueError(f"options.{name}: unknown option{hint}")
            try:
                validate_options({**self.options, "min_chars": self.min_chars})
            except ValueError as exc:
                raise ValueError(f"options.{exc}") from None
        return self


class Policy(_Model):
    """A complete masking policy. Every field has a safe default; see ``docs/policy.md``."""

    version: Literal[1] = 1
    entities: dict[str, EntityRule] = Field(default_factory=dict)
    default_operator: OperatorSpec = Replace()
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    password_keys: tuple[str, ...] = DEFAULT_PASSWORD_KEYS
    secret_keys: tuple[str, ...] = DEFAULT_SECRET_KEYS
    key_operator: OperatorSpec = Replace()
    person_keys: tuple[str, ...] = DEFAULT_PERSON_KEYS
    location_keys: tuple[str, ...] = DEFAULT_LOCATION_KEYS
    name_keys: tuple[str, ...] = DEFAULT_NAME_KEYS
    field_hints: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(FIELD_HINTS))
    key_rules: tuple[KeyRule, ...] = ()
    path_rules: tuple[PathRule, ...] = ()
    recognizers: tuple[CustomRecognizer, ...] = ()
    national_ids: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = ("US",)
    ner: NerConfig = NerConfig()
    json_in_strings: bool = True
    mask_bytes: bool = False
    hide_inputs: bool = False
    hide_outputs: bool = False
    hide_metadata: bool = False
    fail_mode: Literal["closed", "open"] = "closed"
    profiles: dict[str, dict[str, object]] = Field(default_factory=dict)

    @field_validator("entities")
    @classmethod
    def _entity_names(cls, entities: dict[str, EntityRule]) -> dict[str, EntityRule]:
        for name in entities:
            if not name or name.upper() != name:
                hint = suggestion(name, known_entities())
                raise ValueError(f"entity names are upper case, got {name!r}{hint}")
        return entities

    @field_validator("field_hints")
    @classmethod
    def _hinted_entities(cls, hints: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        from tracemask.detectors.fields import ENTITY_SHAPES  # noqa: PLC0415

        unknown = [e for e in hints if e not in ENTITY_SHAPES]
        if unknown:
            raise ValueError(
                f"field_hints: no value shape for entity {unknown[0]!r}; "
                f"known: {', '.join(ENTITY_SHAPES)}"
            )
        return hints

    @field_validator("national_ids")
    @classmethod
    def _known_ids(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        from tracemask.detectors.pii.national_ids import NATIONAL_IDS  # noqa: PLC0415

        unknown = [k for k in kinds if k not in NATIONAL_IDS]
        if unknown:
            raise ValueError(
                f"unknown national id {unknown[0]!r}; known: {', '.join(NATIONAL_IDS)}"
            )
        return kinds

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        import phonenumbers  # noqa: PLC0415

        for region in regions:
            if region not in phonenumbers.SUPPORTED_REGIONS:
                raise ValueError(f"unknown phone region {region!r} (use ISO 3166 codes like 'GB')")
        return regions

    @model_validator(mode="after")
    def _known_entities(self, info: ValidationInfo) -> Policy:
        context = info.context if isinstance(info.context, dict) else {}
        check_entities(self, context.get(USER_ENTITIES, ()))
        return self

    def rule(self, entity: str) -> EntityRule:
        """Return the rule for ``entity`` (the default rule when the policy names none)."""
        return self.entities.get(entity) or EntityRule()

    def key_rule_operator(self, entity: str, own: OperatorSpec | None = None) -> OperatorSpec:
        """The operator for a value masked whole by a key rule of ``entity``.

        A key rule's own operator, else the entity's (``entities.PASSWORD.operator`` applies
        to every PASSWORD, found in text or by key name), else ``key_operator``.
        """
        return own or self.rule(entity).operator or self.key_operator


def defined_entities(policy: Policy) -> set[str]:
    """Entities the policy itself brings: recognizers, deny lists, key and path rules, NER."""
    names = {r.entity for r in policy.recognizers}
    names |= {kr.entity for kr in policy.key_rules}
    names |= {pr.entity for pr in policy.path_rules}
    names |= {e for e, rule in policy.entities.items() if rule.deny}
    if policy.ner.backend is not None:
        names |= set(policy.ner.entities)
    return names


def check_entities(policy: Policy, extra: Collection[str] = ()) -> None:
    """Raise ``ValueError`` naming the first ``entities`` key that no detector reports.

    ``extra`` holds entities that user detectors (``Masker(detectors=...)``) report.
    """
    known = set(known_entities()) | defined_entities(policy) | set(extra)
    for name in policy.entities:
        if name not in known:
            hint = suggestion(name, sorted(known)) or (
                " (a custom entity needs a recognizer, a deny list or a user detector; "
                "'tracemask policy show' lists the known ones)"
            )
            raise ValueError(f"entities.{name}: unknown entity{hint}")
