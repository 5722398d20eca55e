"""Passwords and secrets in every common assignment form of code, config, CLIs and prose.

Each case is (text, value): the whole catalog must report exactly ``value`` (and nothing else),
on both prefilter backends. Values are made up here; none comes from a peer's test table.
"""

from __future__ import annotations

import functools

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.secrets import SECRET_DETECTORS


@functools.cache
def catalog(backend: str) -> DetectionEngine:
    return DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)


def found(text: str, backend: str) -> list[str]:
    return [text[f.start : f.end] for f in catalog(backend).detect(text)]


FORMS = [
    # the new-user examples
    ("password=hunter2", "hunter2"),
    ("Password: letmein", "letmein"),
    ("api_key=my-service-token-2024", "my-service-token-2024"),
    ("token: 3c1e4b7a", "3c1e4b7a"),
    ("password=Tr0ub4dor&3xyz", "Tr0ub4dor&3xyz"),
    # Python: kwargs, default args, dict literals, annotations
    ('psycopg2.connect(host="db", password="Vq7#lake")', "Vq7#lake"),
    ('def connect(user="app", password="Vq7#lake"):', "Vq7#lake"),
    ('{"user": "app", "password": "Vq7#lake"}', "Vq7#lake"),
    ('password: str = "Vq7#lake"', "Vq7#lake"),
    # JS/TS
    ('const password = "Vq7#lake";', "Vq7#lake"),
    ('const password: string = "Vq7#lake";', "Vq7#lake"),
    ('const password: string = "letmein!";', "letmein!"),
    ("export const config = { password: 'Vq7#lake' };", "Vq7#lake"),
    # Go
    ('var dbPass string = "Vq7#lake"', "Vq7#lake"),
    ('password := "Vq7#lake"', "Vq7#lake"),
    # Java / Kotlin / Scala / C#
    ('private static final String PASSWORD = "Vq7#lake";', "Vq7#lake"),
    ('val password: String = "Vq7#lake"', "Vq7#lake"),
    ('System.setProperty("javax.net.ssl.keyStorePassword", "Vq7#lake");', "Vq7#lake"),
    ('var connection = new Conn { Password = "Vq7#lake" };', "Vq7#lake"),
    ('var password = @"Vq7#lake";', "Vq7#lake"),
    ('password "Vq7#lake";', "Vq7#lake"),
    ('{"password" => "Vq7#lake"}', "Vq7#lake"),
    ('contrasena = "Vq7#lake"', "Vq7#lake"),
    # PHP, Ruby
    ('$password .= "Vq7#lake";', "Vq7#lake"),
    ("define('DB_PASSWORD', 'Vq7#lake');", "Vq7#lake"),
    ("config.password = 'Vq7#lake'", "Vq7#lake"),
    ("{ password: 'Vq7#lake' }", "Vq7#lake"),
    # shell, Makefile, Dockerfile, .env, INI, properties, YAML, TOML
    ('export DB_PASSWORD="Vq7 lake house"', "Vq7 lake house"),
    ("DB_PASSWORD := Vq7lake9", "Vq7lake9"),
    ("DB_PASSWORD ::= Vq7lake9", "Vq7lake9"),
    ("DB_PASSWORD ?= Vq7lake9", "Vq7lake9"),
    ("ENV DB_PASSWORD=Vq7lake9", "Vq7lake9"),
    ("DB_PASSWORD=Vq7lake9\n", "Vq7lake9"),
    ("[db]\npassword = Vq7lake9\n", "Vq7lake9"),
    ("spring.datasource.password=Vq7lake9", "Vq7lake9"),
    ("db:\n  password: Vq7lake9\n", "Vq7lake9"),
    ('password = "Vq7#lake"\n', "Vq7#lake"),
    # XML elements (multi-line too) and attributes
    ("<password>Vq7lake9</password>", "Vq7lake9"),
    ("<password>\n    Vq7lake9\n</password>", "Vq7lake9"),
    ('<add key="Password" value="Vq7lake9"/>', "Vq7lake9"),
    # CLI flags
    ("mysql -u root -pVq7lake9 app", "Vq7lake9"),
    ("mysql -u root -pSDtWSsJghSKF app", "SDtWSsJghSKF"),
    ("psql --password=Vq7lake9", "Vq7lake9"),
    ("gpg --passphrase Vq7lK9xe --decrypt", "Vq7lK9xe"),
    # connection strings: the credential part
    ("Server=db;Database=app;User Id=app;Password=Vq7lake9;", "Vq7lake9"),
    ("Server=db;Database=app;User Id=app;Password=TybdlSfvbncrYy;", "TybdlSfvbncrYy"),
    ("Server=db;Database=app;User Id=app;Password=!J90O7qKQkzI8N;", "!J90O7qKQkzI8N"),
    ("Driver={ODBC Driver 18};Server=db;Uid=app;Pwd=O!eY#txSKowi;", "O!eY#txSKowi"),
    ("Driver={ODBC Driver 18};Server=db;Uid=app;Pwd={p@ss;w0rd x};", "p@ss;w0rd x"),
    ("jdbc:mysql://db:3306/app?user=app&password=Vq7lake9&ssl=true", "Vq7lake9"),
    ("postgresql://app:Vq7lake9@db:5432/app", "Vq7lake9"),
    ("amqp://guest:Vq7lake9@rabbit:5672/", "Vq7lake9"),
    ("amqp://app:Cjh#SI#W6PmQof@rabbit:5672/vhost", "Cjh#SI#W6PmQof"),
    ('password = "jIXWOvEHYbec"', "jIXWOvEHYbec"),
    ("redis://:Vq7lake9@cache:6379/0", "Vq7lake9"),
    # a literal compared with a password, either way round
    ('if password == "Vq7#lake":', "Vq7#lake"),
    ('if ("Vq7#lake" === user.password) {', "Vq7#lake"),
    # prose
    ("the password is Vq7lake9", "Vq7lake9"),
    ("You can log in as jdoe with password 8Hj#2kLq today.", "8Hj#2kLq"),
    ("Use Tr0ub4dor&3 as your new password.", "Tr0ub4dor&3"),
    # other languages
    ("Passwort: Geheim123", "Geheim123"),
    ("비밀번호:Prl23Db#@", "Prl23Db#@"),
    ("PW는Prl23Db#@", "Prl23Db#@"),
    ("Пароль: qwerty123", "qwerty123"),
    ("hasło: Tajne123", "Tajne123"),
    ("contraseña = Secreto99", "Secreto99"),
]


@pytest.mark.parametrize(("text", "value"), FORMS)
def test_assignment_forms_mask_the_whole_value(text: str, value: str, backend: str) -> None:
    assert found(text, backend) == [value]


NOT_SECRETS = [
    "password: ${DB_PASSWORD}",
    "password = {secret}",
    "password: !!str",
    "password: !vault |",
    "用户名: 张伟, 状态: 正常",
    "Статус: готово 2024",
    'password = "<your-key>"',
    "password: ****",
    "api_key: xxxx-xxxx",
    "connect(host, password=pw)",
    "password = settings.DB_PASSWORD",
    "password = getpass.getpass()",
    "def login(user: str, password: str = None):",
    "Password: Enter yours below",
    "user.set_password(new_password)",
    '"password": "Password"',
    '<input type="password" name="password" placeholder="Password">',
    "Your password must be at least 8 characters.",
    '{"event": "new_token", "token": "Hello"}',
    '{"token": " world", "index": 3}',
    '{"model": "gpt-4o-2024-08-06", "max_tokens": 1024, "token_count": 12}',
    "span_id: 00f067aa0ba902b7",
    "password_min_length: 12",
    "if password == None:",
    "secret: my-app-secret",
    "for token in tokens:",
    "Click the password reset link to continue.",
    "The password manager 1Password stores it.",
    'if "GET" == method:',
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_names_placeholders_and_prose_are_left_alone(text: str, backend: str) -> None:
    assert found(text, backend) == []
