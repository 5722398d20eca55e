"""Provider tokens by prefix, shape and checksum.

Every token here is generated at test time from a seeded RNG (and, for GitHub and npm, given a
correct CRC32 checksum computed independently with ``zlib``); none is a real credential.
"""

from __future__ import annotations

import functools
import random
import re
import string
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.detectors.secret_samples import format_sample
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets._formats import FORMATS as TABLE
from tracemask.detectors.secrets._formats import Format
from tracemask.detectors.secrets.providers import (
    ProviderKeyedSecret,
    ProviderToken,
    factored_trigger,
)

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def rand(n: int, alphabet: str = ALNUM, seed: object = 0) -> str:
    rng = random.Random(f"{seed}:{n}:{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def crc_suffix(body: str) -> str:
    number, out = zlib.crc32(body.encode()), ""
    while number:
        number, rem = divmod(number, 62)
        out = B62[rem] + out
    return out.rjust(6, "0")


def checksummed(prefix: str, seed: object) -> str:
    body = rand(30, ALNUM, seed)
    return prefix + body + crc_suffix(body)


@functools.cache
def _engine(cls: type[PatternDetector], backend: str) -> DetectionEngine:
    """One engine per detector and backend: engines are immutable, compiling is the slow part."""
    return DetectionEngine([cls()], backend=backend)


def findings(cls: type[PatternDetector], text: str, backend: str) -> list[tuple[int, int, str]]:
    engine = _engine(cls, backend)
    return [(f.start, f.end, f.entity) for f in engine.detect(text)]


GH = "gh"  # prefixes are assembled at runtime so that no source line looks like a live token
GHP = checksummed(GH + "p_", 1)
NPM = checksummed("npm" + "_", 2)
ANT = "sk-ant-api03-" + rand(93, URLSAFE, 3) + "AA"
OPENAI_PROJ = "sk-proj-" + rand(74, URLSAFE, 4) + "T3BlbkFJ" + rand(74, URLSAFE, 5)
AWS_SECRET = rand(40, ALNUM + "+/", 6)
AZURE_KEY = rand(86, ALNUM + "+/", 7) + "=="
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
UPPER_DIGITS = string.ascii_uppercase + string.digits
DIGITS = string.digits
SLACK = f"xoxb-{rand(12, DIGITS, 27)}-{rand(13, DIGITS, 28)}-{rand(24, ALNUM, 29)}"
SLACK_HOOK = f"T{rand(10, DIGITS, 40)}/B{rand(10, DIGITS, 41)}/{rand(24, ALNUM, 42)}"
DISCORD_HOOK = f"{rand(18, DIGITS, 43)}/{rand(68, URLSAFE, 44)}"
DISCORD_BOT = f"M{rand(25, ALNUM, 45)}.{rand(6, ALNUM, 46)}.{rand(38, URLSAFE, 47)}"
AZURE_AD = rand(3, ALNUM, 38) + "8Q~" + rand(34, ALNUM, 39)
SAS = rand(43, ALNUM, 37) + "%3D"
TELEGRAM = rand(9, DIGITS, 63) + ":AA" + rand(33, URLSAFE, 64)

POSITIVES: list[tuple[type[PatternDetector], str, str, float]] = [
    # (detector, text around the token, token, minimum score)
    (ProviderToken, "export GITHUB_TOKEN={}", GHP, 0.95),
    (ProviderToken, '{{"token": "{}"}}', checksummed(GH + "o_", 11), 0.95),
    (ProviderToken, "u={};", checksummed(GH + "u_", 12), 0.95),
    (ProviderToken, "{}", checksummed(GH + "s_", 13), 0.95),
    (ProviderToken, "refresh {}.", checksummed(GH + "r_", 14), 0.95),
    (ProviderToken, "pat: {}", f"github_pat_{rand(22, ALNUM, 15)}_{rand(59, ALNUM, 16)}", 0.95),
    (ProviderToken, "//registry.npmjs.org/:_authToken={}", NPM, 0.95),
    (ProviderToken, "ANTHROPIC_API_KEY={}\n", ANT, 0.95),
    (ProviderToken, "k {}", "sk-ant-admin01-" + rand(95, URLSAFE, 17), 0.9),
    (ProviderToken, 'OpenAI(api_key="{}")', OPENAI_PROJ, 0.95),
    (ProviderToken, "my old key {}.", "sk-proj-" + rand(40, ALNUM, 18), 0.9),
    (ProviderToken, "key={}", f"sk-{rand(20, ALNUM, 19)}T3BlbkFJ{rand(20, ALNUM, 20)}", 0.95),
    (ProviderToken, "deepseek {}", "sk-" + rand(32, HEX, 21), 0.85),
    (ProviderToken, "openrouter {}", "sk-or-v1-" + rand(64, HEX, 22), 0.9),
    (ProviderToken, "aws_access_key_id = {}", "AKIA" + rand(16, BASE32, 23), 0.95),
    (ProviderToken, '"AccessKeyId": "{}"', "ASIA" + rand(16, UPPER_DIGITS, 24), 0.85),
    (ProviderToken, "aws_secret_access_key = {}", AWS_SECRET, 0.9),
    (ProviderToken, '"SecretAccessKey" : "{}",', AWS_SECRET, 0.9),
    (ProviderToken, "{}", "glpat-" + rand(20, URLSAFE, 25), 0.9),
    (ProviderToken, "CI {} ok", "gldt-" + rand(20, ALNUM, 26), 0.9),
    (ProviderToken, "{}", SLACK, 0.9),
    (ProviderToken, "stripe.api_key = '{}'", "sk_live_" + rand(24, ALNUM, 30), 0.9),
    (ProviderToken, "{}", "rk_test_" + rand(24, ALNUM, 31), 0.9),
    (ProviderToken, "{}", "whsec_" + rand(32, ALNUM, 32), 0.9),
    (ProviderToken, "maps?key={}&q=x", "AIza" + rand(35, URLSAFE, 33), 0.9),
    (ProviderToken, "Bearer {}", "ya29." + rand(100, URLSAFE, 34), 0.9),
    (ProviderToken, "client_secret {}", "GOCSPX-" + rand(28, URLSAFE, 35), 0.9),
    (ProviderToken, "HF_TOKEN={}", "hf_" + rand(34, string.ascii_letters, 36), 0.9),
    (ProviderToken, "Protocol=https;AccountName=a;AccountKey={};Suffix=x", AZURE_KEY, 0.9),
    (ProviderToken, "https://a.blob.core.windows.net/c/b?sv=2022-11-02&sig={}", SAS, 0.85),
    (ProviderToken, '"secret": "{}"', AZURE_AD, 0.9),
    (ProviderToken, "{} and more", "https://hooks.slack.com/services/" + SLACK_HOOK, 0.9),
    (ProviderToken, "post to {}", "https://discord.com/api/webhooks/" + DISCORD_HOOK, 0.9),
    (ProviderToken, 'DISCORD_BOT_TOKEN="{}"', DISCORD_BOT, 0.9),
    (ProviderToken, "GROQ_API_KEY={}", "gsk_" + rand(52, ALNUM, 48), 0.9),
    (ProviderToken, "{}", "pplx-" + rand(48, ALNUM, 49), 0.9),
    (ProviderToken, "{}", "xai-" + rand(80, ALNUM, 50), 0.9),
    (ProviderToken, "{}", "tvly-dev-" + rand(32, ALNUM, 51), 0.9),
    (ProviderToken, "{}", "sbp_" + rand(40, HEX, 52), 0.9),
    (ProviderToken, "{}", "dop_v1_" + rand(64, HEX, 53), 0.9),
    (ProviderToken, "DATABRICKS_TOKEN={}", "dapi" + rand(32, HEX, 54), 0.9),
    (ProviderToken, "{}", "dckr_pat_" + rand(27, URLSAFE, 55), 0.9),
    (ProviderToken, "{}", f"SG.{rand(22, URLSAFE, 56)}.{rand(43, URLSAFE, 57)}", 0.9),
    (ProviderToken, "{}", "pypi-AgEIcHlwaS5vcmc" + rand(150, URLSAFE, 58), 0.9),
    (ProviderToken, "{}", "ATATT3" + rand(186, URLSAFE, 59), 0.9),
    (ProviderToken, "{}", f"lsv2_pt_{rand(32, HEX, 60)}_{rand(10, HEX, 61)}", 0.9),
    (ProviderToken, "{}", "r8_" + rand(37, ALNUM, 62), 0.9),
    (ProviderToken, "api.telegram.org/bot{}/send", TELEGRAM, 0.9),
    (ProviderToken, "license_key: {}", rand(36, ALNUM, 68) + "NRAL", 0.9),
    (ProviderToken, "TF_TOKEN={}", f"{rand(14, ALNUM, 69)}.atlasv1.{rand(66, URLSAFE, 80)}", 0.9),
    (ProviderToken, "{}", "hvs." + rand(95, URLSAFE, 65), 0.9),
    (ProviderToken, "TWILIO_API_KEY={}", "SK" + rand(32, HEX, 66), 0.9),
    (ProviderToken, "{}", "SK" + rand(32, HEX, 67), 0.6),
]

NEGATIVES: list[tuple[type[PatternDetector], str]] = [
    (ProviderToken, GHP[:-1]),  # one character short
    (ProviderToken, "x" + GHP),  # inside a longer word
    (ProviderToken, GH + "p_" + "a" * 36),  # a stand-in, not a value
    (ProviderToken, "task-sk-list of the backlog"),
    (ProviderToken, "sk-proj-" + "x" * 40),
    (ProviderToken, "sk-thisisnotakeyjustsomewordsinarow"),
    (ProviderToken, "desk-" + rand(40, ALNUM, 72)),
    (ProviderToken, "EUROPEASIAAUSTRALIAAMERICA"),
    (ProviderToken, "xAKIA" + rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 73)),
    (ProviderToken, "aws_secret_access_key = " + "A" * 40),
    (ProviderToken, "pk_live_" + rand(24, ALNUM, 74)),  # publishable key: public by design
    (ProviderToken, "pk_test_" + rand(24, ALNUM, 75)),
    (ProviderToken, "hf_" + "transformersconfigurationloaderutil"[:34]),
    (ProviderToken, "SK" + "1" * 32),
    (ProviderToken, "SK" + rand(31, HEX, 79) + "x"),
]

#: Validators raise confidence, never veto a distinctive format: a failing checksum, a
#: documentation dummy or a sequence still gets masked, at a lower score.
STILL_MASKED: list[str] = [
    GHP[:-1] + ("A" if GHP[-1] != "A" else "B"),  # checksum broken (a typo)
    "npm_" + rand(36, ALNUM, 81),  # no valid checksum
    NPM[:-1] + ("A" if NPM[-1] != "A" else "B"),
    "AKIA" + "IOSFODNN7" + "EXAMPLE",  # the AWS documentation key
    "dckr_pat_EXAMPLE-EXAMPLE-EXAMPLE-123",
    "gsk_" + rand(44, ALNUM, 76) + "76543210",
    "sbp_" + rand(34, HEX, 77) + "abcdef",
    "tvly-dev-" + rand(26, ALNUM, 78) + "012345",
    "https://discord.com/api/webhooks/148392840000482200/"
    "Osn_this-is-not-the-webhook-you-are-looking-for_try-another-one-8HZ",
]


@pytest.mark.parametrize(("cls", "template", "token", "score"), POSITIVES)
def test_finds_provider_tokens(
    cls: type[PatternDetector], template: str, token: str, score: float, backend: str
) -> None:
    text = template.format(token)
    start = text.index(token)
    assert findings(cls, text, backend) == [(start, start + len(token), "API_KEY")]
    found = list(cls().detect(text))
    assert max(f.score for f in found) >= score


@pytest.mark.parametrize(("cls", "template", "token", "score"), POSITIVES)
def test_trigger_fires_on_every_positive(
    cls: type[PatternDetector], template: str, token: str, score: float
) -> None:
    del score
    flags = re.ASCII | (re.IGNORECASE if cls.ignore_case else 0)
    assert re.search(cls.trigger, template.format(token), flags)


@pytest.mark.parametrize(("cls", "text"), NEGATIVES)
def test_rejects_near_misses(cls: type[PatternDetector], text: str, backend: str) -> None:
    assert findings(cls, text, backend) == []


@pytest.mark.parametrize("token", STILL_MASKED)
def test_validators_only_lower_the_score_of_distinctive_tokens(token: str, backend: str) -> None:
    text = f"key: {token}\n"
    start = text.index(token)
    assert findings(ProviderToken, text, backend) == [(start, start + len(token), "API_KEY")]
    scores = [f.score for f in ProviderToken().detect(text)]
    assert 0.5 <= max(scores) < 0.95


def test_a_verified_checksum_raises_the_score() -> None:
    broken = GHP[:-1] + ("A" if GHP[-1] != "A" else "B")
    (good,) = ProviderToken().detect(GHP)
    (bad,) = ProviderToken().detect(broken)
    assert good.score == 0.95
    assert bad.score < good.score


def test_whole_catalog_reports_one_span_per_token(backend: str) -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)
    text = f'{{"api_key": "{OPENAI_PROJ}", "gh": "{GHP}"}}'
    assert [(text[f.start : f.end], f.entity) for f in engine.detect(text)] == [
        (OPENAI_PROJ, "API_KEY"),
        (GHP, "API_KEY"),
    ]


FORMATS: list[Callable[[str], str]] = [
    lambda t: t,
    lambda t: f'"{t}"',
    lambda t: f"'{t}',",
    lambda t: f"token={t}&x=1",
    lambda t: f"Bearer {t}\\n",
    lambda t: f"({t})",
]


@pytest.mark.parametrize("wrap", FORMATS)
def test_tokens_are_found_in_common_surroundings(wrap: Callable[[str], str], backend: str) -> None:
    text = wrap(GHP)
    start = text.index(GHP)
    assert findings(ProviderToken, text, backend) == [(start, start + len(GHP), "API_KEY")]


def test_the_table_holds_at_least_150_documented_formats() -> None:
    assert len(TABLE) >= 150
    assert len({fmt.name for fmt in TABLE}) == len(TABLE)
    for fmt in TABLE:
        assert fmt.source.startswith(("docs:https://", "gitleaks:", "trufflehog:")), fmt.name


def test_docs_list_every_format_with_its_source() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "detectors.md").read_text(encoding="utf-8")
    for fmt in TABLE:
        assert f"| {fmt.name} |" in docs, fmt.name


@pytest.mark.parametrize("fmt", TABLE, ids=lambda f: f.name)
def test_every_format_finds_a_random_token_of_its_shape(fmt: Format) -> None:
    """A token drawn at random from the row's own regex (no valid checksum, no known example)
    is reported whole, and the row's trigger fires on it."""
    text, value = format_sample(fmt, random.Random(fmt.name))
    assert re.search(fmt.trigger, text, re.ASCII)
    for backend in ("re", "hyperscan"):
        found = [text[f.start : f.end] for f in _engine(ProviderToken, backend).detect(text)]
        assert value in found, (fmt.name, backend)


def test_factored_trigger_is_the_union_of_the_row_triggers() -> None:
    combined = re.compile(factored_trigger([fmt.trigger for fmt in TABLE]), re.ASCII)
    rng = random.Random(3)
    for fmt in TABLE:
        text, _ = format_sample(fmt, rng)
        assert combined.search(text), fmt.name
    assert combined.search("nothing to see here, version 1.2.3") is None


def test_needle_and_hyperscan_row_filters_give_the_same_findings() -> None:
    """The pure-Python row filter (used when Hyperscan is not loaded) finds exactly what the
    Hyperscan one does, on every format's sample and on decoys."""
    from tracemask.detectors._prefilter import build_prefilter  # noqa: PLC0415
    from tracemask.detectors.secrets.providers import NeedlePrefilter  # noqa: PLC0415

    triggers = [fmt.trigger for fmt in TABLE]
    needle, scan = ProviderToken(), ProviderToken()
    needle._filter = NeedlePrefilter(triggers)
    scan._filter = build_prefilter([(t, False) for t in triggers], "hyperscan")
    rng = random.Random(11)
    texts = [format_sample(fmt, rng)[0] for fmt in TABLE]
    texts += ["see https://hooks.slack.com/services/x", "Together we plan the Linear roadmap"]
    for text in texts:
        assert set(needle._row_filter().hits(text)) >= set(scan._row_filter().hits(text))
        assert list(needle.detect(text)) == list(scan.detect(text)), text


KEYED_POSITIVES = [
    ("ACCUWEATHER_KEY={}", rand(20, HEX, 90)),
    ('"zendesk": "{}"', rand(20, ALNUM, 91)),
    ("asana_client_id: {}", rand(16, DIGITS, 92)),
    ("hubspot_token = '{}'", "5f0c3a9e-7b1d-4c2e-9a8f-3d6b1e4c7a90"),
    ("SHODAN_API={}", rand(32, ALNUM, 93)),
]


@pytest.mark.parametrize(("template", "token"), KEYED_POSITIVES)
def test_provider_named_keys_make_random_values_credentials(
    template: str, token: str, backend: str
) -> None:
    text = template.format(token)
    start = text.index(token)
    assert findings(ProviderKeyedSecret, text, backend) == [(start, start + len(token), "API_KEY")]


KEYED_DECOYS = [
    "openai_organization: org-AbCdEf1234567890XyZ",
    "langfuse_trace_id: 4bf92f3577b34da6a3ce929d0e0e4736",
    "github_sha: da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "stripe_customer_id: cus_NffrFeUfNV2Hib8k",
    "notion_page_id: 1429989fe8ac4effbc8f57f56486db54",
    '{"mailchimp_list": "newsletter-subscribers"}',
    "hubspot_portal_id: 45123987",
    "pinecone_index: products-prod-eu",
    "twilio_account_sid: AC4d2f64e2a108cd72f648b1984c3b5a13",
    "shodan_query: apache-country-de",
    "nothing about any provider: a8f3c9e1d2b74f6a9c0e",
]


@pytest.mark.parametrize("text", KEYED_DECOYS)
def test_provider_named_ids_slugs_and_words_are_left_alone(text: str, backend: str) -> None:
    assert findings(ProviderKeyedSecret, text, backend) == []
