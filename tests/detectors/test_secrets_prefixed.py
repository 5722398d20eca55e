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

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets.prefixed import (
    AnthropicKey,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    AzureCredential,
    DiscordBotToken,
    GitHubToken,
    GitLabToken,
    GoogleCredential,
    HuggingFaceToken,
    InfixToken,
    NpmToken,
    OpenAIKey,
    ProviderToken,
    SlackToken,
    StripeKey,
    TwilioApiKey,
    WebhookUrl,
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
    (GitHubToken, "export GITHUB_TOKEN={}", GHP, 0.95),
    (GitHubToken, '{{"token": "{}"}}', checksummed(GH + "o_", 11), 0.95),
    (GitHubToken, "u={};", checksummed(GH + "u_", 12), 0.95),
    (GitHubToken, "{}", checksummed(GH + "s_", 13), 0.95),
    (GitHubToken, "refresh {}.", checksummed(GH + "r_", 14), 0.95),
    (GitHubToken, "pat: {}", f"github_pat_{rand(22, ALNUM, 15)}_{rand(59, ALNUM, 16)}", 0.95),
    (NpmToken, "//registry.npmjs.org/:_authToken={}", NPM, 0.95),
    (AnthropicKey, "ANTHROPIC_API_KEY={}\n", ANT, 0.95),
    (AnthropicKey, "k {}", "sk-ant-admin01-" + rand(95, URLSAFE, 17), 0.9),
    (OpenAIKey, 'OpenAI(api_key="{}")', OPENAI_PROJ, 0.95),
    (OpenAIKey, "my old key {}.", "sk-proj-" + rand(40, ALNUM, 18), 0.9),
    (OpenAIKey, "key={}", f"sk-{rand(20, ALNUM, 19)}T3BlbkFJ{rand(20, ALNUM, 20)}", 0.95),
    (OpenAIKey, "deepseek {}", "sk-" + rand(32, HEX, 21), 0.85),
    (OpenAIKey, "openrouter {}", "sk-or-v1-" + rand(64, HEX, 22), 0.9),
    (AwsAccessKeyId, "aws_access_key_id = {}", "AKIA" + rand(16, BASE32, 23), 0.95),
    (AwsAccessKeyId, '"AccessKeyId": "{}"', "ASIA" + rand(16, UPPER_DIGITS, 24), 0.85),
    (AwsSecretAccessKey, "aws_secret_access_key = {}", AWS_SECRET, 0.9),
    (AwsSecretAccessKey, '"SecretAccessKey" : "{}",', AWS_SECRET, 0.9),
    (GitLabToken, "{}", "glpat-" + rand(20, URLSAFE, 25), 0.9),
    (GitLabToken, "CI {} ok", "gldt-" + rand(20, ALNUM, 26), 0.9),
    (SlackToken, "{}", SLACK, 0.9),
    (StripeKey, "stripe.api_key = '{}'", "sk_live_" + rand(24, ALNUM, 30), 0.9),
    (StripeKey, "{}", "rk_test_" + rand(24, ALNUM, 31), 0.9),
    (StripeKey, "{}", "whsec_" + rand(32, ALNUM, 32), 0.9),
    (GoogleCredential, "maps?key={}&q=x", "AIza" + rand(35, URLSAFE, 33), 0.9),
    (GoogleCredential, "Bearer {}", "ya29." + rand(100, URLSAFE, 34), 0.9),
    (GoogleCredential, "client_secret {}", "GOCSPX-" + rand(28, URLSAFE, 35), 0.9),
    (HuggingFaceToken, "HF_TOKEN={}", "hf_" + rand(34, string.ascii_letters, 36), 0.9),
    (AzureCredential, "Protocol=https;AccountName=a;AccountKey={};Suffix=x", AZURE_KEY, 0.9),
    (AzureCredential, "https://a.blob.core.windows.net/c/b?sv=2022-11-02&sig={}", SAS, 0.85),
    (AzureCredential, '"secret": "{}"', AZURE_AD, 0.9),
    (WebhookUrl, "https://hooks.slack.com/services/{}", SLACK_HOOK, 0.9),
    (WebhookUrl, "https://discord.com/api/webhooks/{}", DISCORD_HOOK, 0.9),
    (DiscordBotToken, 'DISCORD_BOT_TOKEN="{}"', DISCORD_BOT, 0.9),
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
    (InfixToken, "api.telegram.org/bot{}/send", TELEGRAM, 0.9),
    (InfixToken, "license_key: {}", rand(36, ALNUM, 68) + "NRAL", 0.9),
    (InfixToken, "TF_TOKEN={}", f"{rand(14, ALNUM, 69)}.atlasv1.{rand(66, URLSAFE, 80)}", 0.9),
    (ProviderToken, "{}", "hvs." + rand(95, URLSAFE, 65), 0.9),
    (TwilioApiKey, "TWILIO_API_KEY={}", "SK" + rand(32, HEX, 66), 0.9),
    (TwilioApiKey, "{}", "SK" + rand(32, HEX, 67), 0.6),
]

NEGATIVES: list[tuple[type[PatternDetector], str]] = [
    (GitHubToken, GHP[:-1] + ("A" if GHP[-1] != "A" else "B")),  # checksum broken
    (GitHubToken, GHP[:-1]),  # one character short
    (GitHubToken, "x" + GHP),  # inside a longer word
    (GitHubToken, GH + "p_" + "a" * 36),
    (NpmToken, NPM[:-1] + ("A" if NPM[-1] != "A" else "B")),
    (NpmToken, "npm_" + rand(32, ALNUM, 70) + "EXAMPLE"),
    (AnthropicKey, "sk-ant-api03-" + rand(87, URLSAFE, 71) + "76543210"),
    (OpenAIKey, "task-sk-list of the backlog"),
    (OpenAIKey, "sk-proj-" + "x" * 40),
    (OpenAIKey, "sk-thisisnotakeyjustsomewordsinarow"),
    (OpenAIKey, "desk-" + rand(40, ALNUM, 72)),
    (AwsAccessKeyId, "AKIA" + "IOSFODNN7" + "EXAMPLE"),  # the AWS documentation key
    (AwsAccessKeyId, "EUROPEASIAAUSTRALIAAMERICA"),
    (AwsAccessKeyId, "xAKIA" + rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 73)),
    (AwsSecretAccessKey, "aws_secret_access_key = " + "A" * 40),
    (StripeKey, "pk_live_" + rand(24, ALNUM, 74)),  # publishable key: public by design
    (StripeKey, "pk_test_" + rand(24, ALNUM, 75)),
    (HuggingFaceToken, "hf_" + "transformersconfigurationloaderutil"[:34]),
    (AzureCredential, "o" * 52 + "JQQJ99AEAAAAAAAAAAAAAAAAAZFURg67"),
    (
        WebhookUrl,
        "discord.com/api/webhooks/148392840000482200/Osn_there-are-not-the-webhook-you-are-looking-for_8HZ",
    ),
    (ProviderToken, "dckr_pat_EXAMPLE-EXAMPLE-EXAMPLE-123"),
    (ProviderToken, "gsk_" + rand(44, ALNUM, 76) + "76543210"),
    (ProviderToken, "sbp_" + rand(34, HEX, 77) + "abcdef"),
    (ProviderToken, "tvly-dev-" + rand(26, ALNUM, 78) + "012345"),
    (TwilioApiKey, "SK" + "1" * 32),
    (TwilioApiKey, "SK" + rand(31, HEX, 79) + "x"),
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
    assert findings(GitHubToken, text, backend) == [(start, start + len(GHP), "API_KEY")]
