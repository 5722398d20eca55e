"""Provider credentials recognised by their documented prefix and shape, and checksum if any.

Each detector groups one provider (or a few small ones) as a table of :class:`TokenRule`. A rule
carries the token regex, the literal-ish ``trigger`` the prefilter looks for, a base score and its
checks; the detector's ``patterns`` and ``trigger`` are derived from the table, so the two can
never drift apart. Prefixes and lengths follow gitleaks' ``config/gitleaks.toml`` and the
providers' own announcements.

Every rule rejects documentation dummies (``EXAMPLE``, ``123456``, ``xxxxxx``, word chains) and
tokens whose entropy is too low for random data. Scores: prefix + checksum 0.95, a distinctive
prefix and exact shape 0.9, a shorter or shared prefix 0.85.

Decisions:
    * Stripe publishable keys (``pk_live_``/``pk_test_``) are not reported: Stripe ships them to
      browsers by design. Secret (``sk_``), restricted (``rk_``) and webhook (``whsec_``) keys are.
    * GitHub and npm tokens whose CRC32 checksum does not verify are rejected: every token issued
      in these formats carries it, so a failing one is a typo, a truncation or a made-up example.
    * Twilio's ``AC…`` account SIDs are identifiers, not credentials, and are left alone; the
      ``SK…`` API key SID is reported at a context-dependent score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import (
    ascii_patterns,
    char_classes,
    has_valid_crc32_suffix,
    is_wordy,
    looks_dummy,
    shannon_entropy,
)

#: Characters that may not touch a token on the left (it would be part of a longer word).
WORD_EDGE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
#: Stricter edge for short prefixes that also occur inside base64 blobs.
BASE64_EDGE = WORD_EDGE | frozenset("+/")
_NO_EDGE: frozenset[str] = frozenset()
_RIGHT = r"(?![A-Za-z0-9_-])"


@dataclass(frozen=True)
class TokenRule:
    """One token format.

    Args:
        provider: human name, used in tests and docs only.
        regex: the whole token (no ``value`` group), ASCII.
        trigger: prefilter regex that matches wherever ``regex`` does (Hyperscan-compatible).
        score: score of a token that passes the checks.
        edge: characters that must not precede the token.
        structured: the token embeds encoded structure (macaroons, base64 JSON), so repeated or
            sequential characters are expected and not held against it.
        checksum: the token ends with the GitHub/npm base62 CRC32 checksum of its random part.
    """

    provider: str
    regex: str
    trigger: str
    score: float = 0.9
    edge: frozenset[str] = WORD_EDGE
    structured: bool = False
    checksum: bool = False


def _alphabet_bits(value: str) -> float:
    """log2 of the size of the smallest usual alphabet holding ``value`` (hex, base36, base62…)."""
    if all(c in "0123456789abcdef" for c in value) or all(c in "0123456789ABCDEF" for c in value):
        return 4.0
    classes = char_classes(value)
    if classes <= 2 and not any(not c.isalnum() for c in value):
        return math.log2(36)
    return math.log2(62)


def random_enough(value: str) -> bool:
    """Whether ``value`` has the entropy expected of random data of its length and alphabet.

    The floor, 0.65 x log2(min(length, alphabet)), sits below the 0.1 % quantile of truly random
    strings for every length and alphabet the rules use, and above hand-typed dummies.
    """
    if len(value) < 12:
        return True
    floor = 0.65 * min(math.log2(len(value)), _alphabet_bits(value))
    return shannon_entropy(value) >= floor


class _TokenDetector(PatternDetector):
    """Base of the table-driven provider detectors; subclasses set ``rules`` only."""

    entity = "API_KEY"
    score = 0.9
    rules: ClassVar[tuple[TokenRule, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.rules:
            # One alternation, so one scan per string whatever the number of rules; ASCII
            # semantics like the trigger's; and, when every rule starts with a literal
            # character, a lookahead on those characters that lets ``re`` skip ahead fast.
            alternation = "|".join(f"(?:{rule.regex})" for rule in cls.rules)
            firsts = {rule.regex[0] for rule in cls.rules}
            if all(c.isalnum() for c in firsts):
                alternation = f"(?=[{''.join(sorted(firsts))}])(?:{alternation})"
            cls.patterns = (f"(?a){alternation}",)
            cls.trigger = "|".join(f"(?:{rule.trigger})" for rule in cls.rules)

    def __init__(self) -> None:
        super().__init__()
        self._rules = tuple((re.compile(rule.regex), rule) for rule in self.rules)

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        rule = next((r for rx, r in self._rules if rx.fullmatch(value)), None)
        if rule is None:
            return None
        if start > 0 and text[start - 1] in rule.edge and not _escaped_edge(text, start):
            return None
        if rule.checksum:
            body = value[value.index("_") + 1 :]
            return rule.score if has_valid_crc32_suffix(body) else None
        if not rule.structured and (looks_dummy(value) or not random_enough(value)):
            return None
        if rule.structured and looks_dummy(value, sequences=False):
            return None
        return rule.score


def _escaped_edge(text: str, start: int) -> bool:
    """Whether the character before ``start`` ends a ``\\n``/``\\r``/``\\t`` escape sequence."""
    return start >= 2 and text[start - 2] == "\\" and text[start - 1] in "nrt"


class OpenAIKey(_TokenDetector):
    """OpenAI keys (``sk-proj-``, ``sk-svcacct-``, ``sk-admin-``, legacy ``sk-``) and the ``sk-``
    keys of OpenAI-compatible providers (DeepSeek, OpenRouter ``sk-or-v1-``, Langfuse ``sk-lf-``).
    """

    rules = (
        TokenRule(
            "OpenAI project/service/admin key",
            r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,250}" + _RIGHT,
            r"sk-(?:proj|svcacct|admin)-",
        ),
        TokenRule(
            "OpenAI legacy key",
            r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _RIGHT,
            r"sk-[A-Za-z0-9]{20}T3BlbkFJ",
            0.95,
        ),
        TokenRule("OpenRouter key", r"sk-or-v1-[a-f0-9]{64}" + _RIGHT, r"sk-or-v1-"),
        TokenRule(
            "Langfuse secret key",
            r"sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" + _RIGHT,
            r"sk-lf-",
        ),
        TokenRule(
            "OpenAI-compatible key", r"sk-[A-Za-z0-9]{32,64}" + _RIGHT, r"sk-[A-Za-z0-9]{32}", 0.85
        ),
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        score = super().validate(value, text, start, end)
        if score is None:
            return None
        if score < 0.9:  # the bare sk- form is shared by many providers: require a random body
            return None if is_wordy(value[3:]) or char_classes(value) < 2 else score
        if value.startswith(("sk-or-", "sk-lf-")):
            return score
        return 0.95 if "T3BlbkFJ" in value else 0.9


class AnthropicKey(_TokenDetector):
    """Anthropic API (``sk-ant-api03-``), admin (``sk-ant-admin01-``) and OAuth keys."""

    rules = (
        TokenRule(
            "Anthropic key",
            r"sk-ant-(?:api|admin|oat|ort|sid)[0-9]{2}-[A-Za-z0-9_-]{80,120}" + _RIGHT,
            r"sk-ant-",
        ),
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        score = super().validate(value, text, start, end)
        if score is not None and value.endswith("AA"):
            return 0.95
        return score


class AwsAccessKeyId(_TokenDetector):
    """AWS access key ids: ``AKIA`` (long-term), ``ASIA`` (STS), ``ABIA``, ``ACCA``, ``A3T…``.

    Real ids are 16 base32 characters after the prefix (0.95); ids with other digits are still
    reported at 0.85, as SDK fixtures and copied keys often are.
    """

    rules = (
        TokenRule(
            "AWS access key id",
            r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
            r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
            edge=BASE64_EDGE,
        ),
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        score = super().validate(value, text, start, end)
        if score is None or is_wordy(value[4:]):
            return None
        return 0.95 if all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in value[4:]) else 0.85


class AwsSecretAccessKey(PatternDetector):
    """AWS secret access keys: 40 base64 characters named as one (``aws_secret_access_key = …``,
    ``"SecretAccessKey": "…"``). Only the value is reported.
    """

    entity = "API_KEY"
    ignore_case = True
    score = 0.9
    trigger = r"secret[_ -]?access[_ -]?key|aws[_-]?secret"
    patterns = ascii_patterns(
        r"(?:secret[_ -]?access[_ -]?key|aws[_-]?secret(?:[_-]?key)?)(?:[_-]?id)?\\?[\"']?"
        r"\s{0,4}(?:=|:|=>)\s{0,4}\\?[\"']?(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if char_classes(value) < 3 or looks_dummy(value) or not random_enough(value):
            return None
        return self.score


class GitHubToken(_TokenDetector):
    """GitHub tokens: classic/OAuth/user/server/refresh (``ghp_ gho_ ghu_ ghs_ ghr_``) with their
    CRC32 checksum verified, and fine-grained personal access tokens (``github_pat_``).
    """

    rules = (
        TokenRule(
            "GitHub token",
            r"gh[pousr]_[A-Za-z0-9]{36}" + _RIGHT,
            r"gh[pousr]_",
            0.95,
            checksum=True,
        ),
        TokenRule(
            "GitHub fine-grained PAT",
            r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _RIGHT,
            r"github_pat_",
            0.95,
        ),
    )


class NpmToken(_TokenDetector):
    """npm access tokens (``npm_`` + 30 random characters + the base62 CRC32 checksum)."""

    rules = (TokenRule("npm token", r"npm_[A-Za-z0-9]{36}" + _RIGHT, r"npm_", 0.95, checksum=True),)


class GitLabToken(_TokenDetector):
    """GitLab personal, deploy, runner, pipeline-trigger, CI job, feed, mail, agent, OAuth-app and
    SCIM tokens (``glpat-``, ``gldt-``, ``glrt-``…) and runner registration tokens (``GR1348941``).
    """

    rules = (
        TokenRule(
            "GitLab token",
            r"gl(?:pat|dt|rt|ptt|cbt|ffct|ft|imt|agent|oas|soat)-[A-Za-z0-9_-]{20,300}"
            r"(?:\.[0-9a-z]{9})?" + _RIGHT,
            r"gl(?:pat|dt|rt|ptt|cbt|ffct|ft|imt|agent|oas|soat)-",
        ),
        TokenRule(
            "GitLab runner registration token", r"GR1348941[A-Za-z0-9_-]{20}" + _RIGHT, r"GR1348941"
        ),
    )


class SlackToken(_TokenDetector):
    """Slack bot, user, app, legacy and configuration tokens (``xoxb- xoxp- xoxa- xoxr- xoxs-
    xoxo- xoxe- xapp-``).
    """

    rules = (
        TokenRule("Slack token", r"xox[abposre]-[0-9A-Za-z-]{10,250}" + _RIGHT, r"xox[abposre]-"),
        TokenRule("Slack app token", r"xapp-[0-9]-[A-Za-z0-9-]{10,250}" + _RIGHT, r"xapp-[0-9]-"),
    )


class StripeKey(_TokenDetector):
    """Stripe secret (``sk_live_``/``sk_test_``), restricted (``rk_…``) and webhook signing
    (``whsec_``) keys. Publishable ``pk_`` keys are public by design and not reported.
    """

    rules = (
        TokenRule(
            "Stripe secret/restricted key",
            r"(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}" + _RIGHT,
            r"(?:sk|rk)_(?:live|test|prod)_",
        ),
        TokenRule("Stripe webhook secret", r"whsec_[A-Za-z0-9+/=]{32,100}" + _RIGHT, r"whsec_"),
    )


class GoogleCredential(_TokenDetector):
    """Google API keys (``AIza``), OAuth access tokens (``ya29.``), OAuth client secrets
    (``GOCSPX-``) and OAuth refresh tokens (``1//0``).
    """

    rules = (
        TokenRule("Google API key", r"AIza[A-Za-z0-9_-]{35}" + _RIGHT, r"AIza[A-Za-z0-9_-]{35}"),
        TokenRule("Google OAuth access token", r"ya29\.[A-Za-z0-9_-]{20,2048}" + _RIGHT, r"ya29\."),
        TokenRule("Google OAuth client secret", r"GOCSPX-[A-Za-z0-9_-]{28}" + _RIGHT, r"GOCSPX-"),
        TokenRule(
            "Google OAuth refresh token",
            r"1//0[A-Za-z0-9_-]{40,512}" + _RIGHT,
            r"1//0",
            0.85,
            edge=WORD_EDGE | frozenset("/:"),
        ),
    )


class HuggingFaceToken(_TokenDetector):
    """Hugging Face user (``hf_``) and organisation (``api_org_``) tokens: 34 letters."""

    rules = (
        TokenRule("Hugging Face token", r"hf_[A-Za-z]{34}" + _RIGHT, r"hf_[A-Za-z]{34}"),
        TokenRule("Hugging Face org token", r"api_org_[A-Za-z]{34}" + _RIGHT, r"api_org_"),
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        score = super().validate(value, text, start, end)
        return None if score is None or is_wordy(value[3:]) else score


class ProviderToken(_TokenDetector):
    """Other services whose tokens carry a distinctive prefix: developer platforms (Atlassian,
    PyPI, Docker, HashiCorp, Grafana, Sentry…), LLM and AI APIs (Groq, Perplexity, xAI, Tavily,
    Replicate, LangSmith, Pinecone) and SaaS APIs (SendGrid, Mailgun, Shopify, Square…).
    """

    rules = (
        TokenRule(
            "Atlassian API token",
            r"ATATT3[A-Za-z0-9_=-]{150,250}(?:(?:\\=|%3[Dd])[0-9A-Fa-f]{8})?" + _RIGHT,
            r"ATATT3",
        ),
        TokenRule(
            "PyPI upload token",
            r"pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}" + _RIGHT,
            r"pypi-AgE",
            structured=True,
        ),
        TokenRule(
            "SendGrid API key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _RIGHT, r"SG\."
        ),
        TokenRule("Groq API key", r"gsk_[A-Za-z0-9]{52}" + _RIGHT, r"gsk_[A-Za-z0-9]{52}"),
        TokenRule("DigitalOcean token", r"do[opr]_v1_[a-f0-9]{64}" + _RIGHT, r"do[opr]_v1_"),
        TokenRule("Databricks token", r"dapi[a-f0-9]{32}(?:-[0-9])?" + _RIGHT, r"dapi[a-f0-9]{32}"),
        TokenRule(
            "Docker access token", r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64}" + _RIGHT, r"dckr_"
        ),
        TokenRule(
            "Docker Swarm join token",
            r"SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}" + _RIGHT,
            r"SWMTKN-1-",
        ),
        TokenRule(
            "Docker Swarm unlock key", r"SWMKEY-1-[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/])", r"SWMKEY-1-"
        ),
        TokenRule("Perplexity API key", r"pplx-[A-Za-z0-9]{48}" + _RIGHT, r"pplx-"),
        TokenRule("xAI API key", r"xai-[A-Za-z0-9]{80}" + _RIGHT, r"xai-"),
        TokenRule("Tavily API key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}" + _RIGHT, r"tvly-"),
        TokenRule("Supabase token", r"sbp_(?:v0_)?[a-f0-9]{40}" + _RIGHT, r"sbp_"),
        TokenRule("Heroku API key", r"HRKU-[A-Za-z0-9_-]{36,64}" + _RIGHT, r"HRKU-"),
        TokenRule(
            "New Relic key",
            r"NR(?:AK|JS|II|BR|IQ|RA|RP)-[A-Za-z0-9_-]{19,40}" + _RIGHT,
            r"NR(?:AK|JS|II|BR|IQ|RA|RP)-",
        ),
        TokenRule(
            "Grafana Cloud token",
            r"glc_[A-Za-z0-9+/]{32,400}={0,3}(?![A-Za-z0-9+/=])",
            r"glc_",
            structured=True,
        ),
        TokenRule(
            "Grafana service account token",
            r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}" + _RIGHT,
            r"glsa_",
        ),
        TokenRule(
            "Grafana API key",
            r"eyJrIjoi[A-Za-z0-9+/]{60,400}={0,3}(?![A-Za-z0-9+/=])",
            r"eyJrIjoi",
            structured=True,
        ),
        TokenRule("Vault service token", r"hvs\.[A-Za-z0-9_-]{90,120}" + _RIGHT, r"hvs\."),
        TokenRule("Vault batch token", r"hvb\.[A-Za-z0-9_-]{138,300}" + _RIGHT, r"hvb\."),
        TokenRule("Linear API key", r"lin_api_[A-Za-z0-9]{40}" + _RIGHT, r"lin_api_"),
        TokenRule("Notion token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}" + _RIGHT, r"ntn_"),
        TokenRule(
            "Shopify token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + _RIGHT, r"shp(?:at|ca|pa|ss)_"
        ),
        TokenRule(
            "Sentry token",
            r"sntry(?:u_[a-f0-9]{64}|s_eyJ[A-Za-z0-9+/=_]{50,600})" + _RIGHT,
            r"sntry[us]_",
            structured=True,
        ),
        TokenRule("Postman API key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _RIGHT, r"PMAK-"),
        TokenRule(
            "age secret key",
            r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}" + _RIGHT,
            r"AGE-SECRET-KEY-1",
        ),
        TokenRule(
            "1Password service account token",
            r"ops_eyJ[A-Za-z0-9+/]{250,4000}={0,3}(?![A-Za-z0-9+/=])",
            r"ops_eyJ",
            structured=True,
        ),
        TokenRule("Replicate API token", r"r8_[A-Za-z0-9]{37}" + _RIGHT, r"r8_"),
        TokenRule(
            "LangSmith API key", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + _RIGHT, r"lsv2_"
        ),
        TokenRule("Pinecone API key", r"pcsk_[A-Za-z0-9_]{50,110}" + _RIGHT, r"pcsk_"),
        TokenRule(
            "Doppler token",
            r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}" + _RIGHT,
            r"dp\.(?:pt|st|sa|ct|scim|audit)\.",
        ),
        TokenRule(
            "PlanetScale token",
            r"pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}" + _RIGHT,
            r"pscale_",
        ),
        TokenRule(
            "Dropbox access token",
            r"sl\.[A-Za-z0-9_.-]{120,1500}" + _RIGHT,
            r"sl\.[A-Za-z0-9_.-]{120}",
        ),
        TokenRule("Mailgun API key", r"key-[0-9a-f]{32}" + _RIGHT, r"key-[0-9a-f]{32}", 0.85),
        TokenRule(
            "Bitbucket app password",
            r"ATBB[A-Za-z0-9_=.-]{32}" + _RIGHT,
            r"ATBB[A-Za-z0-9_=.-]{32}",
        ),
        TokenRule(
            "Defined Networking API key",
            r"dnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}" + _RIGHT,
            r"dnkey-",
        ),
        TokenRule("RubyGems API key", r"rubygems_[a-f0-9]{48}" + _RIGHT, r"rubygems_"),
        TokenRule(
            "Square token",
            r"(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,60}" + _RIGHT,
            r"(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22}",
            edge=BASE64_EDGE,
        ),
        TokenRule(
            "Facebook access token",
            r"EAA[CM][A-Za-z0-9]{100,400}" + _RIGHT,
            r"EAA[CM][A-Za-z0-9]{100}",
            edge=BASE64_EDGE,
        ),
        TokenRule(
            "Instagram access token",
            r"IGQV[A-Za-z0-9_-]{100,400}" + _RIGHT,
            r"IGQV[A-Za-z0-9_-]{100}",
            edge=BASE64_EDGE,
        ),
    )


class InfixToken(_TokenDetector):
    """Tokens recognised by a marker inside or at the end of them rather than a prefix: New
    Relic license keys (``…NRAL``), Terraform Cloud tokens (``….atlasv1.…``) and Telegram bot
    tokens (``<bot id>:AA…``).
    """

    rules = (
        TokenRule(
            "New Relic license key",
            r"(?:eu01x)?[A-Za-z0-9]{36}NRAL" + _RIGHT,
            r"[A-Za-z0-9]{36}NRAL",
        ),
        TokenRule(
            "Terraform Cloud token",
            r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}" + _RIGHT,
            r"\.atlasv1\.",
        ),
        TokenRule(
            "Telegram bot token",
            r"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}" + _RIGHT,
            r"[0-9]:AA[A-Za-z0-9_-]{33}",
            edge=frozenset("0123456789"),
        ),
    )


class TwilioApiKey(_TokenDetector):
    """Twilio API key SIDs (``SK`` + 32 hex): reported at 0.6 alone, 0.95 near ``twilio``."""

    rules = (
        TokenRule(
            "Twilio API key",
            r"SK[0-9a-fA-F]{32}(?![A-Za-z0-9_-])",
            r"SK[0-9a-fA-F]{32}",
            0.6,
            edge=BASE64_EDGE,
        ),
    )
    context = ("twilio",)

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        score = super().validate(value, text, start, end)
        if score is None or value[2:].isdigit() or value[2:].isalpha():
            return None
        return score


class AzureCredential(PatternDetector):
    """Azure storage/service-bus account keys (``AccountKey=``, ``SharedAccessKey=``), SAS
    signatures (``sig=``), Entra ID client secrets (``…Q~…``) and identifiable keys (``JQQJ9``).
    """

    entity = "API_KEY"
    score = 0.9
    trigger = r"AccountKey=|SharedAccessKey=|sig=|[0-9]Q~|JQQJ9"
    patterns = ascii_patterns(
        r"(?:AccountKey|SharedAccessKey)=(?P<value>[A-Za-z0-9+/]{20,100}={0,2})(?![A-Za-z0-9+/=])",
        r"[?&;]sig=(?P<value>[A-Za-z0-9%+/]{20,200}(?:=|%3[Dd]){0,2})(?![A-Za-z0-9%+/=])",
        r"(?P<value>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])",
        r"(?P<value>[A-Za-z0-9]{52}JQQJ9[A-Za-z0-9+/]{20,40}={0,2})(?![A-Za-z0-9+/=])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if start > 0 and text[start - 1] in BASE64_EDGE and text[start - 1] != "=":
            return None
        marker = value.find("JQQJ9")
        random_part = value[:52] if marker == 52 else value
        if looks_dummy(random_part) or not random_enough(random_part):
            return None
        if "Q~" in value and marker < 0 and char_classes(value) < 3:
            return None
        return 0.85 if text[max(0, start - 4) : start] == "sig=" else self.score


class WebhookUrl(PatternDetector):
    """Incoming-webhook URLs whose path is the credential: Slack, Discord, Microsoft Teams.

    Only the secret path is reported, so the host stays readable.
    """

    entity = "API_KEY"
    score = 0.9
    ignore_case = True
    trigger = r"hooks\.slack\.com/|/api/webhooks/|\.webhook\.office\.com/"
    patterns = ascii_patterns(
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<value>[A-Za-z0-9+/_-]{20,120})",
        r"(?:discord|discordapp)\.com/api/webhooks/(?P<value>[0-9]{17,20}/[A-Za-z0-9_-]{60,80})"
        + _RIGHT,
        r"\.webhook\.office\.com/webhookb2/(?P<value>[A-Za-z0-9@/_-]{40,300})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        secret = value.rsplit("/", 1)[-1]
        if looks_dummy(secret) or not random_enough(secret):
            return None
        return self.score


class DiscordBotToken(PatternDetector):
    """Discord bot tokens named as such (``DISCORD_TOKEN=…``, ``"discord_bot_token": "…"``)."""

    entity = "API_KEY"
    score = 0.9
    ignore_case = True
    trigger = r"discord"
    patterns = ascii_patterns(
        r"discord[A-Za-z0-9_.-]{0,30}\\?[\"']?\s{0,4}(?:=|:|=>)\s{0,4}\\?[\"']?"
        r"(?P<value>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})" + _RIGHT,
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        return None if looks_dummy(value) else self.score
