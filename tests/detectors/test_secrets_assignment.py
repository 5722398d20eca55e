"""Passwords and secrets assigned to telling names, and the false positives filtered out."""

from __future__ import annotations

import functools
import random
import re
import string

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets.assignment import (
    KeyAssignment,
    PasswordAssignment,
    SecretAssignment,
)

ALNUM = string.ascii_letters + string.digits


def rand(n: int, seed: int, alphabet: str = ALNUM) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


@functools.cache
def _engine(cls: type[PatternDetector], backend: str) -> DetectionEngine:
    """One engine per detector and backend: engines are immutable, compiling is the slow part."""
    return DetectionEngine([cls()], backend=backend)


def findings(cls: type[PatternDetector], text: str, backend: str) -> list[tuple[int, int, str]]:
    engine = _engine(cls, backend)
    return [(f.start, f.end, f.entity) for f in engine.detect(text)]


def trigger_fires(cls: type[PatternDetector], text: str) -> bool:
    flags = re.ASCII | (re.IGNORECASE if cls.ignore_case else 0)
    return re.search(cls.trigger, text, flags) is not None


S1, S2, S3 = rand(20, 1), rand(24, 2), rand(32, 3)
HEX40 = rand(40, 4, "0123456789abcdef")
UUID = "1ace4d19-fa7e-b4e2-c3f0-9129474bcd81"

PASSWORDS = [
    ('password = "hunter2!"', "hunter2!"),
    ("password = 'cackle!'", "cackle!"),
    ("DB_PASSWORD=Xk9#mq2Lp\n", "Xk9#mq2Lp"),
    ("password: F1lT3ReDw17hQoT3s\n", "F1lT3ReDw17hQoT3s"),
    ('{"password": "correct horse battery staple"}', "correct horse battery staple"),
    ('{\\"password\\": \\"Zq8!xK2\\"}', "Zq8!xK2"),
    (
        "define( 'PASSWORD' , '2Arh5dA1Sn0ywiVYdnpwr3aLzZDJPNG' );",
        "2Arh5dA1Sn0ywiVYdnpwr3aLzZDJPNG",
    ),
    ("run --password=Prl23Db#@ now", "Prl23Db#@"),
    ("mysql -u root --password Sne3sd8AZjq", "Sne3sd8AZjq"),
    ("gpg --passphrase N1DdkUD3E73 --output x", "N1DdkUD3E73"),
    ("-Domain 'localhost' -Password 'Sjdn43ss@!'", "Sjdn43ss@!"),
    ("my password is 237dg546fs9", "237dg546fs9"),
    ("<password>s3cr3t!X</password>", "s3cr3t!X"),
    ('<add key="Password" value="P4ss-w0rd!" />', "P4ss-w0rd!"),
    ('ConvertTo-SecureString "4yd21JKH~GE8dkd" -AsPlainText -Force', "4yd21JKH~GE8dkd"),
    ("ConvertTo-SecureString -String -Force dsjUE#$gds8s", "dsjUE#$gds8s"),
    ("https://x.example/login?user=a&password=Zq8Lw3Nv6&next=1", "Zq8Lw3Nv6"),
    ("pwd: Zx81!qq", "Zx81!qq"),
    ("ANY_PW:Prl23Db#@", "Prl23Db#@"),
    ("P/W:Prl23Db#@", "Prl23Db#@"),
    ('user.set_password("Tr0ub4dor&3")', "Tr0ub4dor&3"),
    ('dbPassword: "Kj8#x2"', "Kj8#x2"),
    ('password_confirmation = "cAc48k1Zd7";', "cAc48k1Zd7"),
    ("PASSWORD(Prl23Db#@)", "Prl23Db#@"),
    ("pin_password = 80412377", "80412377"),
    ("key_wrap = 'KJHhJKhKU7yg\\\npassword = 'Kq81zz0x\\\n", "Kq81zz0x"),  # continued line
]
SECRETS = [
    (f'client_secret = "{S1}"', S1),
    (f'{{"api_key": "{S2}"}}', S2),
    (f"ACCESS_TOKEN={S3}", S3),
    (f'LEGACY_GITHUB_SECRET = "{HEX40}"', HEX40),
    (f"secret_key_base: {S2}", S2),
    ("--token AIhq5Xyb1Gga9Q5", "AIhq5Xyb1Gga9Q5"),
    (f"--super-secret_token {UUID}", UUID),
    (f"https://api.example.com/me?access_token={S3}&fields=id", S3),
    (f"https://b.s3.amazonaws.com/k?X-Amz-Signature={HEX40}&a=1", HEX40),
    ('{"secretKey": "ENC(2dfRFqV/cS6TzRd+JyO=)"}', "ENC(2dfRFqV/cS6TzRd+JyO=)"),
    (f'"Token" : "{S2}/{S1}",', f"{S2}/{S1}"),
    ("SECRET KEY:AIhq5Xyb1Gga9Q3", "AIhq5Xyb1Gga9Q3"),
    (f"api key: {S1}", S1),
    (f"accessToken: '{S1}'", S1),
    (f"credentials={S2}", S2),
    (f"the secret is {S1}", S1),
]
KEYS = [
    (f"$key = '{S3}';", S3),
    (f'"auth": "{S2}"', S2),
    ("Activation key : ZAQWS-XCDER-VBGTR-FRTGU-KLMNX", "ZAQWS-XCDER-VBGTR-FRTGU-KLMNX"),
    (f"ANY_key={S1}", S1),
]

POSITIVES = (
    [(PasswordAssignment, text, value, "PASSWORD") for text, value in PASSWORDS]
    + [(SecretAssignment, text, value, "SECRET") for text, value in SECRETS]
    + [(KeyAssignment, text, value, "SECRET") for text, value in KEYS]
)


@pytest.mark.parametrize(("cls", "text", "value", "entity"), POSITIVES)
def test_finds_assigned_values(
    cls: type[PatternDetector], text: str, value: str, entity: str, backend: str
) -> None:
    start = text.index(value)
    assert findings(cls, text, backend) == [(start, start + len(value), entity)]


@pytest.mark.parametrize(("cls", "text", "value", "entity"), POSITIVES)
def test_trigger_fires_on_every_positive(
    cls: type[PatternDetector], text: str, value: str, entity: str
) -> None:
    del value, entity
    assert trigger_fires(cls, text)


NEGATIVES = [
    # prose and words
    "reset your password please",
    "password: keep empty",
    "Passwords must contain at least 8 characters",
    '{"password": "Enter your password"}',
    "Password Prl23Db#@",  # no operator: not a flag either
    "secret AIhq5Xyb1Gga9Q1",
    "Enter token : This is a query parameter",
    "the token limit was reached",
    '"token": "Hello"',
    '{"secret": "my-app-secret-name"}',
    "pass rate: 42/50",
    # code: calls, attributes, variables, environment lookups
    "password = get_password()",
    'password = os.environ["DB_PASSWORD"]',
    "password = settings.DB_PASSWORD",
    "password=password",
    '{"api_key": "OPENAI_API_KEY"}',
    'SECRET = getenv("GEHE1MN15", "")',
    # templates, placeholders and masks
    "password: ${DB_PASSWORD}",
    "password: '{{ vault_db_password }}'",
    "password = '%(password)s'",
    "PASSWORD=$PASSWORD",
    "password=<your-password>",
    "password: '********'",
    "masked_password = *****1*****2;",
    "password = changeme",
    "password: null",
    "password = None",
    'password = ""',
    'password = "abc"',
    "api_key: your_api_key_here",
    "token = xxxxxxxxxxxxxxxxxxxx",
    "password: !vault |",
    # names that only mention the keyword
    '"password_min_length": 12',
    'password_hint: "first pet"',
    '"passwordless": true',
    'bypass = "cackle!"',
    'passed = "cackle!"',
    '"token_count": 12',
    '{"max_tokens": 4096, "prompt_tokens": 10, "completion_tokens": 5}',
    '"next_page_token": "CiAKGjBpNDd2Nmp0dzQ5cHpsc3NnZGpvdW5qMnZyEL"',
    '"tokenizer": "cl100k_base"',
    '"public_key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"',
    '"primary_key": "user_id"',
    '"cache_key": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
    '"idempotency_key": "123e4567-e89b-12d3-a456-426614174000"',
    '"key": "attached_file_0"',
    "page.action?spaceKey=LOGIC&title=QUANTUM",
    '"key": "Enter"',
    '"token_type": "Bearer"',
    # other shapes
    "PWR_MGM: N0tThePSw45f!!!",
    "pwdump=n0NeKreD",
    "PWD=/home/user/project",
    "M[@%]PW:2Z.Q?2M^S;`4G?E0C.@V&?0KY]]",
    "#define PASSWORD 0x0dead1beef7cafe2",
    '"session_token": "2024-01-01T00:00:00Z"',
    'auth: "https://auth.example.com/oauth/token"',
    "passengers: [quickBrown, lazyDog]",
    "-passin file:dkajco1",
    # seen in library code and API documentation
    "'pass': 'bandpass',",
    "if pass_zero == 'lowpass':",
    "def pw_simp(*args):",
    "Pass :meth:`peek` a default value",
    'password = ask_password("Password: ")',
    'pw = " ...\\n".join(pairs)',
    "user_pass = '%s:%s' % (user, pw)",
    "class TaskCredentials(TypedDict, total=False):",
    "crt_creds = crt_s3_creds()",
    "key_for = graphml_keys[key_id]",
    "key: PKCS12PrivateKeyTypes | None,",
    'key="thumbprintList",',
    "elif self.key_spec == KeySpec.SM2:",
    'ApiKeyId: PassThroughProp | None = apikey("ApiKeyId")',
    "EMRFS_CSE_KMS_KEY_ID_KEY = 'fs.s3.cse.kms.keyId'",
    '"KeyFingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",',
    '"KeyArn": "arn:aws:kms:us-east-2:111122223333:key/1a2b3c4d-5e6f",',
    '"ChangeToken": "abcd12f2-46da-4fdb-b8d5-fbd4c466928f",',
    '"ClientRequestToken": "a8ca07e4-61ec-4399-99f4-19853801bcd5",',
    '"PasswordLastUsed": "2016-09-08T21:47:36Z",',
    '"PurchaseToken": "eyJ2IjoiMSIsInMiOjEsImMiOi...",',
    '"Resource": "arn:aws:secretsmanager:*:*:secret:prod/db-*",',
    '"secret": "aws/ssm/3p/*"',
    'XGOOGLE_API_KEY = "x-goog-api-key"',
    "_token_end = r'(?=\\s|#|[)\\]]|$)'",
    "# use when token is known-fresh",
    "proxy_url='socks5h://<username>:<password>@proxy-host'",
    '"KeyPairId": "key-03c8d3aceb53b507"',
    "use_in_pass_through=True.",
]


@functools.cache
def _assignments(backend: str) -> DetectionEngine:
    detectors = [PasswordAssignment(), SecretAssignment(), KeyAssignment()]
    return DetectionEngine(detectors, backend=backend)


@pytest.mark.parametrize("text", NEGATIVES)
def test_filters_false_positives(text: str, backend: str) -> None:
    assert [text[f.start : f.end] for f in _assignments(backend).detect(text)] == []


def test_scores_rank_quoted_over_unquoted_over_blank_separated() -> None:
    def score(text: str) -> float:
        return max(f.score for f in PasswordAssignment().detect(text))

    assert score('password = "Zx81!qq"') == 0.8
    assert score("password = Zx81!qq") == 0.75
    assert score("--password Zx81!qq") == 0.65
    assert max(f.score for f in KeyAssignment().detect(f'"key": "{S2}"')) == 0.6


def test_value_only_is_reported_in_a_dotenv_file(backend: str) -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)
    text = (
        f"DEBUG=true\nDB_USER=app\nDB_PASSWORD=Xk9#mq2Lp\nSTRIPE_WEBHOOK_SECRET={S3}\nPORT=8080\n"
    )
    assert [(f.entity, text[f.start : f.end]) for f in engine.detect(text)] == [
        ("PASSWORD", "Xk9#mq2Lp"),
        ("SECRET", S3),
    ]
