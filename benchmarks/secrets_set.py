"""Write a labelled secrets set for ``tracemask eval``: formats planted in code, config and logs.

Every provider format of the table is drawn at random from its own regex (so no checksum
verifies and no token resembles a published example) and planted in code, config, log and chat
templates; passwords people choose are planted in the assignment forms of many languages;
connection strings, webhook URLs and base64-wrapped JWTs get their own families; decoy records
(trace/span ids, UUIDs, git SHAs, epochs, dates, versions, model names, order numbers, token
counts, costs) carry no span. ``source`` is the family, so ``tracemask eval`` reports each apart.

    python benchmarks/secrets_set.py /tmp/secrets_gen.jsonl
    tracemask eval /tmp/secrets_gen.jsonl
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for tests.*

from tests.detectors.secret_samples import format_sample

from tracemask.detectors.secrets._formats import FORMATS, KEYED_ASSIGN

SEED = 20261207
KEY = "API_KEY/SECRET"
PASSWORD = "PASSWORD"

#: Where a bare token is planted; ``{t}`` is the token.
TOKEN_TEMPLATES = (
    "export SERVICE_TOKEN={t}\n",
    '{{"api_key": "{t}", "model": "gpt-4o-2024-08-06", "temperature": 0.2}}',
    'client = Client(api_key="{t}", timeout=30)',
    "2026-12-07T10:00:00Z INFO auth ok credential={t} trace_id={trace}",
    'headers = {{"Authorization": "Bearer {t}"}}',
    "services:\n  api:\n    environment:\n      - API_TOKEN={t}\n",
    'curl -H "X-Api-Key: {t}" https://api.example.com/v1/items',
    "Here is the key I use: {t} - why does the request fail with 401?",
    "[default]\ntoken = {t}\nregion = eu-west-1\n",
    '<add key="ApiKey" value="{t}" />',
)

#: Passwords people choose: words, names with digits, keyboard walks, passphrases.
PASSWORD_WORDS = ("summer", "dragon", "monkey", "sunshine", "marina", "falcon", "tigger", "lake")


def _password(rng: random.Random) -> str:
    kind = rng.randrange(5)
    word = rng.choice(PASSWORD_WORDS)
    if kind == 0:
        return word.capitalize() + str(rng.randint(1990, 2026)) + rng.choice("!#$@&")
    if kind == 1:
        return word + str(rng.randint(1, 99))
    if kind == 2:
        return "".join(rng.choice(string.ascii_letters + string.digits + "#@&!") for _ in range(12))
    if kind == 3:
        return " ".join(rng.sample(PASSWORD_WORDS, 3)) + str(rng.randint(1, 9))
    return rng.choice(("Tr0ub4dor&3", "P@ssw0rd2024", "qwerty123", "letmein!", "Zx9#kL2@mq"))


#: Assignment forms; ``{p}`` is the password. Values with blanks only in quoted forms.
PASSWORD_TEMPLATES = (
    ('password = "{p}"', True),
    ('conn = psycopg2.connect(host="db", user="app", password="{p}")', True),
    ('def login(user="admin", password="{p}"):', True),
    ('{{"username": "app", "password": "{p}"}}', True),
    ('const password: string = "{p}";', True),
    ('var dbPass string = "{p}"', True),
    ('private static final String DB_PASSWORD = "{p}";', True),
    ('System.setProperty("javax.net.ssl.trustStorePassword", "{p}");', True),
    ("$password .= '{p}';", True),
    ('export DB_PASSWORD="{p}"', True),
    ("DB_PASSWORD={p}\n", False),
    ("DB_PASSWORD := {p}\n", False),
    ("ENV POSTGRES_PASSWORD={p}\n", False),
    ("db:\n  host: db\n  password: {p}\n", False),
    ("[mysql]\nuser = app\npassword = {p}\n", False),
    ("<password>{p}</password>", False),
    ("mysql -u root -p{p} app", False),
    ("psql --password={p} -h db", False),
    ("Password: {p}\n", False),
)

CONNECTION_TEMPLATES = (
    "Server=tcp:sql.example.net,1433;Database=app;User ID=app;Password={p};Encrypt=True;",
    "jdbc:postgresql://db:5432/app?user=app&password={p}&ssl=true",
    "postgresql://app:{p}@db.internal:5432/app",
    "mongodb+srv://app:{p}@cluster0.example.net/app?retryWrites=true",
    "redis://:{p}@cache:6379/0",
    "amqp://app:{p}@rabbit:5672/vhost",
    "Driver={{ODBC Driver 18}};Server=db;Uid=app;Pwd={p};",
)

DECOYS = (
    "trace_id={trace} span_id={span} duration_ms=412",
    '{{"run_id": "{uuid}", "parent_run_id": null, "name": "ChatOpenAI"}}',
    "commit {sha} merged into main",
    '{{"created": {epoch}, "model": "gpt-4o-2024-08-06", "object": "chat.completion"}}',
    '{{"usage": {{"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908}}}}',
    "order {order} shipped on 2026-12-07, total $42.17",
    "release v2.14.3-rc.1 deployed at {epoch}000",
    '{{"model": "claude-3-5-sonnet-20241022", "max_tokens": 1024, "cost": 0.00412}}',
    "request {uuid} finished with status 200 in 0.318 s",
    "traceparent: 00-{trace}-{span}-01",
)


def _ids(rng: random.Random) -> dict[str, str]:
    return {
        "trace": f"{rng.getrandbits(128):032x}",
        "span": f"{rng.getrandbits(64):016x}",
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "sha": f"{rng.getrandbits(160):040x}",
        "epoch": str(rng.randint(1_600_000_000, 1_800_000_000)),
        "order": str(rng.randint(10_000_000, 99_999_999)),
    }


def _record(source: str, text: str, value: str, label: str) -> dict[str, object]:
    start = text.index(value)
    return {
        "source": source,
        "text": text,
        "spans": [{"start": start, "end": start + len(value), "label": label}],
    }


def _jwt(rng: random.Random) -> str:
    def seg(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    sig = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
    return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg({'sub': str(rng.randint(1, 10**6))})}.{sig}"


def records(seed: int = SEED) -> list[dict[str, object]]:
    """The whole set, deterministic for ``seed``."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    for fmt in FORMATS:
        keyed = KEYED_ASSIGN in fmt.regex or "(?P<value>" in fmt.regex
        family = "provider-keyed" if keyed else "provider-prefix"
        for _ in range(2):
            text, value = format_sample(fmt, rng)
            if not keyed and "webhook URL" not in fmt.name:
                text = rng.choice(TOKEN_TEMPLATES).format(t=value, **_ids(rng))
            elif "webhook URL" in fmt.name:
                family = "webhook-url"
                text = f"notify: {value}\n"
            out.append(_record(family, text, value, KEY))
    for _ in range(200):
        template, quoted = rng.choice(PASSWORD_TEMPLATES)
        value = _password(rng)
        while not quoted and " " in value:
            value = _password(rng)
        out.append(_record("password-in-code", template.format(p=value), value, PASSWORD))
    for _ in range(60):
        value = "".join(rng.choice(string.ascii_letters + string.digits + "#!") for _ in range(14))
        text = rng.choice(CONNECTION_TEMPLATES).format(p=value)
        out.append(_record("connection-string", text, value, PASSWORD))
    for _ in range(30):
        wrapped = base64.b64encode(_jwt(rng).encode()).decode()
        out.append(
            _record("jwt-base64", f"cached session blob {wrapped} (expires soon)", wrapped, KEY)
        )
    out.extend(
        {"source": "decoys", "text": rng.choice(DECOYS).format(**_ids(rng)), "spans": []}
        for _ in range(200)
    )
    return out


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "secrets_gen.jsonl")
    with path.open("w", encoding="utf-8") as fh:
        for record in records():
            fh.write(json.dumps(record) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
