"""Passwords and secrets assigned to a telling name in code, configuration, CLIs and URLs.

``password = "…"``, ``DB_PASSWORD=…`` (.env), ``password: …`` (YAML), ``"client_secret": "…"``
(JSON, also JSON escaped inside a string), ``define('PASSWORD', '…')``, ``$key = '…'``,
``--password=…``/``--token …`` (CLIs), ``<password>…</password>``, ``ConvertTo-SecureString "…"``
and URL query parameters (``?access_token=…&sig=…``). Only the value is reported: the name, the
operator and the quotes stay.

Three detectors share the machinery, by how telling the name is:

* :class:`PasswordAssignment` (``PASSWORD``): ``password``, ``passwd``, ``passphrase``,
  ``pwd``, ``pw``, ``pass``;
* :class:`SecretAssignment` (``SECRET``): ``secret``, ``token``, ``credential(s)``, ``api_key`` and
  other qualified keys (``access_key``, ``private_key``, ``client_key``…);
* :class:`KeyAssignment` (``SECRET``, lower score): a bare ``key``/``auth``, whose value must look
  random to be reported.

False positives are filtered the way detect-secrets does: placeholders and templates
(``${VAR}``, ``{{ var }}``, ``%(x)s``, ``$VAR``, ``<your-key>``, ``****``, ``changeme``,
``null``), function calls and attribute chains (``get_password()``, ``settings.DB_PASSWORD``),
variable names and words (``password: keep empty``), paths and URLs, dates and numbers, and names
that only mention the keyword (``token_count``, ``max_tokens``, ``password_min_length``,
``next_page_token``, ``public_key``). ``changeme``-style defaults count as placeholders: they are
documentation values, and masking them would hide nothing.
"""

from __future__ import annotations

import re

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import (
    KEY_STOPS,
    TOKEN_STOPS,
    ascii_patterns,
    char_classes,
    is_code_name,
    is_hash_like,
    is_hex,
    is_name_like,
    is_path_like,
    is_placeholder,
    is_uuid,
    is_wordy,
    looks_dummy,
    not_after,
    shannon_entropy,
    word_before_blank,
)

#: Words after the keyword that make the name describe the secret rather than hold it.
_STOP_SUFFIXES = (
    "type|types|length|len|count|cnt|size|field|fields|label|hint|prompt|policy|policies|url|uri"
    "|urls|endpoint|path|file|filename|dir|name|names|id|ids|expiry|expires|expiration|expired"
    "|expire|expiresin|ttl|timeout|limit|limits|min|max|format|regex|pattern|strength|reset|rule"
    "|rules|mode|enabled|enable|required|usage|index|idx|budget|encoding|version|header|prefix"
    "|suffix|algorithm|algo|method|provider|source|store|manager|generator|input|box|button|last"
    "|age|updated|created|at|date|time|status|valid|validator|validation|error|errors|message|msg"
    "|title|description|desc|placeholder|visible|visibility|toggle|icon|form|page|view|dialog"
    "|class|style|env|var|variable|ref|file|location|cmd|command|helper|ui|changed|strategy"
    "|fingerprint|arn|used|lastused|data|spec|pair|pairs|alias|ring|board|word|words"
)
#: Qualifiers that make a following ``key`` a secret one (``api_key``, ``Secret Key``…).
_KEY_QUALIFIERS = (
    "api", "access", "auth", "private", "client", "app", "master", "signing", "encryption",
    "license", "ssh", "consumer", "session", "account", "service", "subscription", "shared",
    "webhook", "deploy", "admin", "bot", "refresh", "storage", "secret",
)  # fmt: skip
_QUALIFIED = "|".join(f"(?<={q}.key)|(?<={q}key)" for q in _KEY_QUALIFIERS)

#: ``_hash``, ``-file`` or, after a lower-case letter, ``Confirmation`` (camelCase); never
#: ``.encode``: ``password.encode(…)`` is a method call, not a name.
_SUFFIX = (
    rf"(?:(?:[_-]|(?<=(?-i:[a-z]))(?=(?-i:[A-Z])))(?!(?:{_STOP_SUFFIXES})(?-i:(?![a-z0-9])))"
    r"[A-Za-z0-9]{1,24}){0,2}"
)
_KEY_CLOSE = r"(?:\\?[\"'`])?\]?"
#: Typed declarations between a name and ``=``: ``password: str =`` (Python, TypeScript,
#: Kotlin, Scala, Rust), ``var pw string =`` (Go).
_TYPED = (
    r"\s{0,4}:\s{0,4}[A-Za-z_&][A-Za-z0-9_.\[\]|?<>&* ]{0,40}?\s{0,4}=(?![=>])"
    r"|\s{1,4}(?:\*?string|\[\]byte|String|str)\s{0,4}=(?![=>])"
)
#: ``=``, ``:``, ``=>``, ``:=``, ``::=``/``:::=``/``!=``/``+=`` (Makefile), ``.=`` (PHP), ``==``
#: (a literal compared with), ``(``, ``>`` (XML, the value possibly on the next lines),
#: ``, "`` (``define('K', 'v')``, ``setProperty("k", "v")``), `` value=`` (XML attributes) and
#: blanks (CLI flags, "is" and Dockerfile ``ENV``, checked by ``validate``).
_ASSIGN = (
    rf"(?:{_TYPED}"
    r"|\s{0,4}(?:=>|->|:::?=|:=|\?=|!=|\+=|\.=|==?(?!=)|::?|,(?=\s{0,4}\\?[\"'`]))|\(|>\s{0,40}"
    r"|\s{1,4}(?:value=|(?:is|was)\s)|\s{1,4}(?![^\s:=]{0,80}[:=]))\s{0,4}"
)
#: String prefixes: Python ``r``/``b``/``u``/``f``, C# verbatim/interpolated ``@``/``$``.
_STR_PREFIX = r"(?:(?:[rRbBuUfF]{1,2}|@\$?|\$@?)(?=[\"'`]))?"
#: An unquoted value runs to a blank, a quote, a separator or a bracket; ``&``, ``#`` and ``@``
#: belong to it (``Tr0ub4dor&3xyz``) unless ``&`` starts the next query parameter.
_UNQUOTED = r"(?:[^\s\"'`,;&<>(){}\[\]\\=]|&(?![A-Za-z_][A-Za-z0-9_.\[\]-]{0,40}=))"
#: An optional opening quote (or triple quote), then a quoted value up to the same quote or the
#: end of the line (a string continued on the next line), else an unquoted value.
_VALUE = (
    rf"\\?{_STR_PREFIX}(?:(?P<q>[\"'`])(?:(?P=q){{2}})?)?"
    rf"(?P<value>(?(q)[^\"'`\n]{{0,999}}[^\"'`\n\\]|{_UNQUOTED}{{1,10000}}={{0,3}}))"
    r"(?(q)\\?(?:(?P=q)|(?=\r?\n|\Z))|)"
)

_PASSWORD_WORD = r"pass(?:word|wd|phrase|code)s?"
#: The word in other languages (ASCII spellings: the prefilter is ASCII): German, Dutch,
#: Portuguese, Polish, Finnish, Czech/Slovak, Russian transliterated, Swedish, Danish, Norwegian.
_PASSWORD_INTL = (
    r"passwort|kennwort|wachtwoord|senha|haslo|salasana|heslo|parol|losenord|adgangskode|passord"
    r"|contrasena"
)
#: The word in scripts and spellings outside ASCII: Korean, Japanese, Chinese, Russian,
#: Ukrainian, Spanish, Polish, Swedish, Hungarian, Turkish, Greek, French.
_PASSWORD_UNICODE = (
    "비밀번호|비번|암호|패스워드|パスワード|暗証番号|密码|密碼|口令|пароль|Пароль|ПАРОЛЬ|contraseña"
    "|Contraseña|hasło|Hasło|lösenord|Lösenord|jelszó|Jelszó|şifre|Şifre|κωδικός|mot de passe"
    "|Mot de passe"
)
_PW_EDGE = r"[^\s\"'`_.$@/{(,;:-]"
#: Short forms only at the start of a name: ``pwd=``, ``ANY_PW:``, ``-pass``, not ``bypass``.
_PASSWORD_KEY = (
    rf"(?:{_PASSWORD_WORD}|{_PASSWORD_INTL}|pwd(?<!{_PW_EDGE}pwd)|pw(?<!{_PW_EDGE}pw)|pass(?<!{_PW_EDGE}pass)"
    rf"|p/w(?<!{_PW_EDGE}p/w)|(?-i:(?<=[a-z])P(?:ass|wd|w)(?![a-z])))"
)
_SECRET_KEY = (
    rf"(?:secrets?|token{not_after('token', TOKEN_STOPS)}|credentials?|creds|apikey"
    rf"|key(?:{_QUALIFIED}))"
)
_WEAK_KEY = rf"(?:key(?<![A-Za-z0-9]key){not_after('key', KEY_STOPS)}|auth(?<![A-Za-z0-9]auth))"

#: Prefilter pieces: a keyword, a name suffix, then an operator, "is", "value=" or a CLI flag.
_TRIGGER_SUFFIX = r"(?:(?:[_.-]|(?-i:[A-Z]))[A-Za-z0-9_.-]{0,50})?[\\\"'`\]]{0,3}"
#: Longest CLI flag (``--super-secret_token``) whose blank-separated value is reported.
_FLAG_LENGTH = 40
_TRIGGER_TAIL = (
    rf"{_TRIGGER_SUFFIX}(?:\s{{0,4}}[=:(,>?!+.-]|\s{{1,4}}(?:(?:is|was)\s|value=)"
    r"|\s{1,4}[A-Za-z\[\]*]{1,8}\s{0,4}=)"
)


def _trigger(keywords: str, *, cli: str = "") -> str:
    alternatives = [f"(?:{keywords}){_TRIGGER_TAIL}"]
    if cli:
        alternatives.append(rf"-[A-Za-z0-9_.-]{{0,{_FLAG_LENGTH - 2}}}(?:{cli})")
    return "|".join(alternatives)


#: Words that make a quoted value a sentence (a prompt, a hint) rather than a passphrase.
_FUNCTION_WORDS = frozenset(
    {
        "the", "your", "is", "are", "be", "must", "should", "will", "can", "at", "least",
        "enter", "please", "here", "use", "characters", "required", "invalid", "incorrect",
    }
)  # fmt: skip
_CAMEL_OR_SNAKE = re.compile(r"(?:[a-z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)+|[A-Za-z][a-z]+(?:_[a-z]+)+")
_DATE_OR_NUMBER = re.compile(
    r"\d{4}-\d{2}-\d{2}.*|v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?|[-+]?\d+(?:\.\d+)?[a-z%]{0,3}"
    r"|(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?",
    re.IGNORECASE,
)
_OPERATOR_TAIL = re.compile(r"(?:=>|->|:::?=|:=|\?=|==|!=|\+=|\.=|[=:,(>])\Z")
_NAME_TAIL = re.compile(r"[\w./-]{1,60}\Z")
_DEFINITION = re.compile(r"\s*(?:async\s+)?(?:def|class|function|func|fn)\s")
#: Calls whose first argument names the value that follows: ``define('DB_PASSWORD', '…')``,
#: ``System.setProperty("…Password", "…")``, ``os.getenv("PASSWORD", "default")``.
_DEFINE = re.compile(
    r"(?:define|setProperty|setenv|putenv|put|set|setdefault|add|getenv|get|getOrDefault"
    r"|SetEnvironmentVariable|with_secret|secret)\s{0,4}\(",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def _assignment(key: str, first: str) -> str:
    """The pattern of one keyword alternation ``key`` (starting with one of ``first``): name,
    operator, value. The lookahead on the first letters lets ``re`` skip ahead fast."""
    return f"(?=[{first}]){key}{_SUFFIX}{_KEY_CLOSE}{_ASSIGN}{_VALUE}"


def _blank_separator_ok(word: str, flag_keyword: re.Pattern[str]) -> bool:
    """Blank-separated values count after ``is``/``was`` and after a CLI flag naming the secret."""
    lowered = word.lower()
    if lowered in ("is", "was"):
        return True
    return (
        word.startswith("-")
        and len(word) <= _FLAG_LENGTH
        and flag_keyword.search(word, 0, _FLAG_LENGTH) is not None
    )


def _quoted(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] in "\"'`"


def _code(value: str, text: str, start: int, end: int) -> bool:
    """Whether the candidate is code rather than a literal value.

    Calls and subscripts (``crt_creds()``, ``keys[i]``), a ``>`` that closes no XML element,
    arguments after ``(`` that are names or do not close it (``class Credentials(TypedDict)``),
    names of variables and types, and a quote taken for an opening one when it closed a string
    (``prompt='Password: ', stream=None``).
    """
    after = text[end : end + 1]
    if _quoted(text, start):
        if after in ('"', "'", "`", "\\"):
            # A string literal, unless a method is called on it: " ...".join(parts)
            return text[end + 1 : end + 2] == "." and text[end + 2 : end + 3].isalpha()
        # No closing quote on the line: only a token continued on the next line counts.
        return any(c.isspace() for c in value) or not value[0].isalnum()
    if after in ("(", "["):
        return True
    if _operator(text, start) == ">" and not text[end : end + 80].lstrip().startswith("</"):
        return True  # ">" only closes an XML start tag: <password>value</password>
    if text[start - 1 : start] == "(":
        if after != ")" or _IDENTIFIER.fullmatch(value):
            return True
        line = text.rfind("\n", 0, start) + 1
        if _DEFINITION.match(text, line):
            return True  # def pw_simp(*args)
    return _variable(value, text, start)


#: Type names that follow a name in a declaration (``password: str``, ``token: String``).
_TYPE_NAMES = frozenset(
    {
        "str", "string", "bytes", "int", "bool", "boolean", "char", "object", "any", "secretstr",
        "secretbytes", "optional", "list", "dict", "none", "nil", "null", "void", "text",
        "varchar", "securestring",
    }
)  # fmt: skip
_HUMPS = re.compile(r"[a-z][A-Z]")


#: ``Key=value;`` pairs before the value on its line: an ODBC/ADO.NET/JDBC connection string,
#: whose values are literals whatever they look like.
_CONNECTION_STRING = re.compile(r"[A-Za-z][A-Za-z ]{0,30}=[^;\n]{0,200};[^\n]{0,200}\Z")


def _in_connection_string(text: str, start: int) -> bool:
    line = text.rfind("\n", 0, start) + 1
    return _CONNECTION_STRING.search(text, line, start) is not None


def _variable(value: str, text: str, start: int) -> bool:
    """Whether an unquoted value names a variable, an attribute or a type, not a literal.

    ``settings.DB_PASSWORD``, ``db_password``, ``authToken``, ``OPENAI_API_KEY``, ``str``, and
    plain names passed in a call (``connect(password=pw)``); a bare ``hunter2`` or ``letmein``
    after ``=`` or ``:`` in config, ``.env`` or a log line is a literal.
    """
    if _IDENTIFIER.fullmatch(value) is None or _in_connection_string(text, start):
        return False
    if "." in value or value.lower() in _TYPE_NAMES:
        return True
    if value.startswith("$"):
        return True  # $var
    if "_" in value.strip("_") or _HUMPS.search(value):
        return is_code_name(value)  # db_password, authToken; not F1lT3ReDw17hQoT3s
    line = text.rfind("\n", 0, start) + 1
    head = text[line:start]
    in_call = head.count("(") > head.count(")")
    return in_call and not any(map(str.isdigit, value))


def _name_before(text: str, start: int) -> str:
    """The name the value is assigned to, as far as it can be read back (``LEGACY_SECRET``)."""
    head = text[max(0, start - 80) : start].rstrip(" \t\"'`\\=:>(,-?rbuRBU.!+")
    name = _NAME_TAIL.search(head)
    if name and name.group(0).strip("[]*&").lower() in _TYPE_NAMES:
        # a typed declaration: the name sits before the type (password: str =, dbPass string =)
        head = head[: name.start()].rstrip(" \t:")
        name = _NAME_TAIL.search(head)
    return name.group(0) if name else ""


def _short_name(text: str, start: int) -> bool:
    """Whether the value's name uses a short password word (``pw``, ``PWD``, ``pass_through``)
    rather than a full one (``password``, ``passwd``, ``passphrase``)."""
    return _PASSWORD_FLAG.search(_name_before(text, start)) is None


def _operator(text: str, start: int) -> str:
    """The operator between a name and its value (``=``, ``:``, ``==``, ``,``…), else ``""``."""
    head = text[max(0, start - 16) : start].rstrip(" \t\"'`\\rRbBuUfF")
    found = _OPERATOR_TAIL.search(head)
    return found.group(0) if found else ""


def _comma_ok(text: str, start: int) -> bool:
    """``,`` separates a name and its value only in ``define('NAME', 'value')``."""
    return (
        _operator(text, start) != "," or _DEFINE.search(text, max(0, start - 80), start) is not None
    )


def _prose(value: str) -> bool:
    words = value.lower().split()
    return len(words) >= 2 and any(w in _FUNCTION_WORDS for w in words)


def _expression(value: str) -> bool:
    """Whether an unquoted value is code: a variable, an attribute chain, a path or a URL."""
    return is_path_like(value) or is_code_name(value)


def _sentence_follows(text: str, end: int) -> bool:
    """Whether words follow the value on its line: ``Password: Enter yours below``."""
    return text[end : end + 1] == " " and text[end + 1 : end + 2].isalpha()


def _label(value: str) -> bool:
    """Whether a quoted value is a UI label or an identifier rather than a literal password:
    ``"Password"``, ``"New password"``, ``"PassStateEntered"``."""
    if any(map(str.isdigit, value)):
        return False
    return bool(_CAMEL_OR_SNAKE.fullmatch(value)) or value.lower().startswith(("enter ", "new "))


def _word(value: str) -> bool:
    """Whether a quoted value is one word or name (``bandpass``, ``PassStateEntered``), with no
    digit or symbol a password would have; passphrases of several words are kept."""
    if " " in value or any(map(str.isdigit, value)):
        return False
    return all(c.isalpha() or c in "_-" for c in value) and (is_wordy(value) or value.islower())


#: A YAML tag (``!!str``, ``!vault``): the value follows it.
_YAML_TAG = re.compile(r"!{1,2}[A-Za-z]{2,12}")


#: Words that say what a password is like, not what it is ("the password is 'required'").
_PASSWORD_STATES = frozenset((
    "required", "invalid", "incorrect", "wrong", "expired", "missing", "correct", "changed",
    "updated", "accepted", "rejected", "optional", "disabled", "enabled", "blocked", "locked",
    "protected", "encrypted", "hashed", "hidden", "masked", "redacted", "strong", "secure",
    "insecure", "compromised", "unknown", "forgotten", "mandatory", "needed", "pending",
))  # fmt: skip


def _quoted_word(core: str, text: str, start: int) -> bool:
    """Whether ``core`` (letters only) is quoted right after the password word: ``password is
    'football'`` tells a password people choose; ``password is 'required'`` a state."""
    quote = text[start - 1 : start]
    return (
        core.isalpha()
        and quote in ("'", '"', "`")
        and text[start + len(core) : start + len(core) + 1] == quote
        and core.lower() not in _PASSWORD_STATES
    )


def _common_rejects(value: str) -> bool:
    return (
        is_placeholder(value)
        or _YAML_TAG.fullmatch(value) is not None
        or _ENV_NAME.fullmatch(value) is not None
        or value.lower() in ("!vault", "ssm", "env", "vault")
        or value.startswith("arn:")
        or (not value.isdigit() and _DATE_OR_NUMBER.fullmatch(value) is not None)
    )


#: The first letters of every password word (``pass…`` and the two lists), for a lookahead:
#: ``re`` tried the words' branches at every position of a name, a value or a window.
_PASSWORD_FIRSTS = "".join(
    sorted({"p"} | {w[0] for w in f"{_PASSWORD_INTL}|{_PASSWORD_UNICODE}".split("|")})
)
_PASSWORD_FLAG = re.compile(
    f"(?=[{_PASSWORD_FIRSTS}])(?:{_PASSWORD_WORD}|{_PASSWORD_INTL}|{_PASSWORD_UNICODE})",
    re.IGNORECASE,
)
#: ``"literal" == password``: the value is compared with a password variable.
_COMPARED = re.compile(r"[\"'`]\s{0,4}(?:===?|!==?)\s{0,4}[A-Za-z_$]")
_SECRET_NAME = re.compile(r"secret|key|pass|pwd|credential|auth|access|session|refresh", re.I)
_SECRET_FLAG = re.compile(r"secret|token|credential|creds|key", re.IGNORECASE)


class PasswordAssignment(PatternDetector):
    """A value assigned to a password-like name.

    Scores: 0.8 quoted, 0.75 unquoted after an operator, 0.65 after ``is`` or a CLI flag
    (``--password hunter2``), where the value must also hold a digit or a symbol.
    """

    entity = "PASSWORD"
    score = 0.8
    ignore_case = True
    trigger = (
        _trigger(rf"{_PASSWORD_WORD}|{_PASSWORD_INTL}|pwd|pw|pass|p/w", cli=_PASSWORD_WORD)
        + r"|securestring|mysql|mariadb"
        + r"|==\s{0,4}[A-Za-z_$][A-Za-z0-9_$.]{0,60}pass(?:word|wd|phrase|code)"
        # Password words outside ASCII (the trigger subset is ASCII): a non-ASCII character
        # (one or more UTF-8 bytes for Hyperscan) right before an operator, or an ASCII password
        # word right before one (Korean particles: "PW는"), or "mot de passe".
        + r"|[^\x00-\x7f]\s{0,4}[:=(]|(?:pass(?:word|wd)?|pwd|pw)[^\x00-\x7f]|mot de passe"
        + r"|contrase[^\x00-\x7f]|has[^\x00-\x7f]{1,4}o|l[^\x00-\x7f]{1,4}senord"
        + r"|jelsz[^\x00-\x7f]|[^\x00-\x7f]{1,4}ifre"
    )
    patterns = ascii_patterns(
        _assignment(_PASSWORD_KEY, "pkwshlac"),
        # Unicode password words, and ASCII ones glued to a Korean particle (PW는, password은)
        rf"(?=[비암패パ暗密口пПcChHlLjJşŞκmMpP])(?:(?:{_PASSWORD_UNICODE})(?:은|는|\s{{0,4}}[:=\uff1a(])"
        rf"|(?<![A-Za-z])(?i:{_PASSWORD_WORD}|pwd|pw)(?:은|는))"
        r"\s{0,4}[\"'`]?(?P<value>[^\s\"'`(),;&]{3,128})",
        r"ConvertTo-SecureString(?:\s{1,4}-[A-Za-z]{1,20}){0,4}\s{1,4}\\?[\"']?"
        r"(?P<value>[^\s\"'\\]{4,200})",
        # mysql/mariadb clients take the password glued to -p: mysql -u root -pS3cret db
        r"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;&]{0,120}?\s-p"
        r"(?P<value>[^\s\"'`]{3,128})",
        # ODBC/ADO.NET connection strings brace values holding ; or blanks: Pwd={p@ss;w0rd}
        r"\b(?:pwd|password)\s{0,2}=\s{0,2}\{(?P<value>[^{}\n]{1,200})\}",
        # a literal compared with a password variable, written the other way round
        rf"[\"'`](?P<value>[^\"'`\n]{{3,200}})[\"'`]\s{{0,4}}(?:===?|!==?)\s{{0,4}}"
        rf"(?:[A-Za-z_$][A-Za-z0-9_$]*\.){{0,3}}[A-Za-z_]{{0,30}}{_PASSWORD_WORD}",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if len(value) < 4 or _common_rejects(value) or _code(value, text, start, end):
            return None
        word = word_before_blank(text, start)
        after_blank = (
            word is not None
            and "securestring" not in text[max(0, start - 60) : start].lower()
            and _COMPARED.match(text, end) is None
        )
        if after_blank and not _blank_separator_ok(word or "", _PASSWORD_FLAG):
            return None
        if not _comma_ok(text, start) or value.strip() != value or value.endswith(":"):
            return None  # prompts and labels: 'Password: ', "Pass :meth:"
        has_digit = any(map(str.isdigit, value))
        if _PASSWORD_FLAG.search(value) and not has_digit:
            return None  # "Password", "Mot de passe": a label, not a value
        if (
            _short_name(text, start)
            and not has_digit
            and not _in_connection_string(text, start)
            and text[start - 2 : start] != "-p"
        ):
            return None  # pw/pwd/pass name many things: ask for a digit (not in Pwd=…; or -p…)
        if _quoted(text, start):
            return None if _prose(value) or _label(value) else self.score
        if value.isdigit():
            return 0.7 if len(value) >= 4 else None
        if not any(map(str.isalnum, value)) and len(value) < 6:
            return None
        if is_path_like(value):
            return None
        if all(c.isalpha() for c in value):
            # A bare word is a password people choose ("Password: letmein"), unless a sentence
            # goes on after it ("Password: Enter yours below") or only a blank introduces it.
            if after_blank or (_sentence_follows(text, end) and text[start - 2 : start] != "-p"):
                return None
            return 0.7
        if after_blank:
            return None if is_wordy(value) else 0.65
        return 0.75


_SIGNATURE_PARAM = r"[?&](?:sig|signature|x-amz-signature|x-goog-signature|x-amz-security-token)="


class SecretAssignment(PatternDetector):
    """A value assigned to a secret-like name: ``secret``, ``token``, ``credentials``, ``api_key``,
    ``access_key``, ``private_key``, ``client_secret``…; also ``--token …`` CLI flags and signature
    query parameters (``sig=``, ``X-Amz-Signature=``).

    Scores: 0.75 (0.7 after a CLI flag or "is"); values must look machine-made (not words, not
    numbers).
    """

    entity = "SECRET"
    score = 0.75
    ignore_case = True
    trigger = (
        _trigger(r"secrets?|token|credentials?|creds|key", cli=r"secret|token|credential|creds|key")
        + "|"
        + _SIGNATURE_PARAM
    )
    patterns = ascii_patterns(
        _assignment(_SECRET_KEY, "sctak"),
        rf"{_SIGNATURE_PARAM}(?P<value>[^&\s#\"'<>]{{16,4096}})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        word = word_before_blank(text, start)
        if word is not None and not _blank_separator_ok(word, _SECRET_FLAG):
            return None
        if _code(value, text, start, end) or not _machine_made(value, text, start, strict=False):
            return None
        return 0.7 if word is not None else self.score


class KeyAssignment(PatternDetector):
    """A random-looking value assigned to a bare ``key`` or ``auth`` (``$key = '…'``,
    ``"auth": "…"``). Score 0.6: the name says little, the value must say the rest.
    """

    entity = "SECRET"
    score = 0.6
    ignore_case = True
    trigger = _trigger(r"key|auth")
    patterns = ascii_patterns(_assignment(_WEAK_KEY, "ka"))

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if word_before_blank(text, start) is not None or _code(value, text, start, end):
            return None
        if not _machine_made(value, text, start, strict=True):
            return None
        return self.score


#: A blank (``\s`` is ``str.isspace``) or a glob/regex character, in one C pass.
_GLOB_OR_BLANK = re.compile(r"[\s*|\[\]{}<>^]")


def _machine_made(value: str, text: str, start: int, *, strict: bool) -> bool:
    """Whether a value assigned to a secret-ish name looks generated rather than written."""
    if len(value) < (12 if strict else 8) or _common_rejects(value) or not _comma_ok(text, start):
        return False
    if _GLOB_OR_BLANK.search(value):
        return False  # globs (``secret:prod/*``), regexes and phrases are not tokens
    has_digit = any(map(str.isdigit, value))
    if (not has_digit or "." in value) and is_code_name(value):
        return False  # names and dotted config keys (``fs.s3.cse.kms.keyId``), not tokens
    if is_name_like(value) and (strict or not has_digit):
        return False  # "my-service-token-2024" under api_key is a value, "x-goog-api-key" a name
    if is_uuid(value) and not _SECRET_NAME.search(_name_before(text, start)):
        return False  # ChangeToken, ClientToken: UUIDs named "token" are idempotency ids
    if is_hex(value) and len(value) <= 16 and (strict or len(value) == 16 or value.isdigit()):
        return False  # span ids (16 hex) and short resource ids; "token: 3c1e4b7a" is a value
    if value.isdigit() or _DATE_OR_NUMBER.fullmatch(value) or (is_wordy(value) and not has_digit):
        return False
    if not _quoted(text, start) and _expression(value):
        return False
    if is_path_like(value) or _prose(value):
        return False
    if strict and (is_hash_like(value) or is_uuid(value) or looks_dummy(value)):
        return False
    if char_classes(value) < 2:
        return False
    if not strict and has_digit and any(map(str.isalpha, value)):
        return True  # a named secret holding letters and digits: masked whatever its entropy
    entropy = shannon_entropy(value)
    if strict and not has_digit:
        return len(value) >= 24 and entropy >= 4.0
    return entropy >= 3.0 if strict or not has_digit else True


class PasswordInProse(PatternDetector):
    """A password told in a sentence: "my password is Hunter2!", "I reset it to Tr0ub4dor&3".

    The value must look like a password (a letter and a digit or symbol, no placeholder), since
    the sentence gives no quotes or operator to vouch for it.
    """

    entity = "PASSWORD"
    score = 0.7
    ignore_case = True
    trigger = r"pass(?:word|phrase|code)|pwd"
    patterns = ascii_patterns(
        r"\b(?:pass(?:word|phrase|code)|pwd)\b[^.\n]{0,40}?\b(?:is|was|to|as|:)\s+[\"'`]?"
        r"(?P<value>[^\s\"'`]{6,64})",
        r"\b(?:reset|changed|set|updated)\s+(?:it|mine|(?:my|the|your)\s+pass(?:word|phrase))"
        r"\s+to\s+[\"'`]?(?P<value>[^\s\"'`]{6,64})",
        # "log in as jdoe with password 8Hj#2kLq": the value right after the word
        r"\bpass(?:word|phrase|code)s?\s+[\"'`]?(?P<value>[^\s\"'`]{6,64})",
        # "use Tr0ub4dor&3 as your password"
        r"\b(?:use|try|enter|type)\s+[\"'`]?(?P<value>[^\s\"'`]{6,64}?)[\"'`]?\s+as\s+"
        r"(?:your|the|my)\s+(?:new\s+|temporary\s+)?pass(?:word|phrase|code)",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        core = value.rstrip(".,;!?)")
        if len(core) < 6 or _common_rejects(value) or is_path_like(value):
            return None
        has_alpha = any(map(str.isalpha, core))
        has_other = any(not c.isalpha() for c in core)
        if _PASSWORD_FLAG.search(value):
            return None
        if not (has_alpha and has_other) and not _quoted_word(core, text, start):
            return None
        # The second form ("reset it to X") needs the word password nearby to mean one.
        window = text[max(0, start - 80) : end + 80]
        return self.score if _PASSWORD_FLAG.search(window) else None


class CredentialPair(PatternDetector):
    """A user name and its password after a credentials label: ``creds: admin:hunter2``,
    ``login: admin / hunter2``, ``wifi: MyNetwork / sunshine99``. The password is the value; the
    user name is left to the other detectors (an email is masked as one)."""

    entity = "PASSWORD"
    ignore_case = True
    score = 0.75
    trigger = r"\b(?:creds?|credentials|login|logins|wifi|wi-fi)\b[ \t]*[:=]"
    patterns = (
        r"\b(?:creds?|credentials|login|logins|wifi|wi-fi)\b[ \t]*[:=][ \t]*[\"'`]?"
        r"[^\s:/\"'`]{1,64}(?:[ \t]*[:/][ \t]*|[ \t]+/[ \t]+)[\"'`]?"
        r"(?P<value>[^\s\"'`,;]{4,128})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        core = value.rstrip(".,;!?)")
        if len(core) < 4:
            return None
        if _common_rejects(core) or is_path_like(core) or core.startswith("/"):
            return None  # "login: https://…", "login: admin / <password>"
        return self.score
