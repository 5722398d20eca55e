"""The fast paths of the secret detectors agree with the plain code they stand for.

Each shortcut in ``_checks`` (a necessary condition tried before a regex, one C pass instead of
a generator) is compared with the reference written the plain way, on texts built to hit the
edges: runs and repeats at every length, template marks, case folds outside ASCII (U+017F,
U+212A, U+0130, U+0131), non-ASCII repeats.
"""

from __future__ import annotations

import math
import random
import re
import sys
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tests.detectors.secret_samples import format_sample
from tracemask.detectors.secrets import _checks as checks
from tracemask.detectors.secrets import assignment, providers
from tracemask.detectors.secrets._formats import FORMATS, Format

#: Pieces that make the checks' rare branches likely in a random concatenation.
FRAGMENTS = [
    "a", "Z", "0", "9", "x", "X", "_", "-", ".", "/", ":", " ", "\n", "$", "{", "}", "%", "<",
    ">", "[", "]", "@", "#", "*", "s", "d", "r", "(", ")", "abcde", "fedcb", "12345", "54321",
    "XYZ", "zyx", "789:;", "aaaaa", "00000", "\n\n\n\n\n", "ééééé", "\u017f", "\u212a", "\u0131",
    "\u0130",
    "\u2022\u2022\u2022", "\u2026", "...", "xxxx", "XXXX", "here", "HERE", "your", "YOUR", "my",
    "insert", "enter", "replace", "put", "key", "token", "secret", "pass", "password", "own",
    "${", "{{", "{%", "<%", "%(", ")s", "%s", "%d", "example", "dummy", "REDACTED", "not", "the",
    "api", "sk-", "AKIA", "q7Lm2Xv9", "Zp4wRt8K", "none", "null", "changeme", "ascii", "\x7f",
]  # fmt: skip
texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
    st.text(max_size=40),
    st.text(alphabet="abcdefghijABCDEF0123456789\n", max_size=40),
)


def _template_reference(value: str) -> bool:
    stripped = value.strip().strip("\"'`")
    if not stripped or stripped.casefold() in checks.PLACEHOLDER_WORDS:
        return True
    if len(set(stripped)) == 1:
        return True
    return checks._TEMPLATE.search(stripped) is not None


def _dummy_reference(value: str, *, sequences: bool = True) -> bool:
    lowered = value.lower()
    if any(marker in lowered for marker in checks._DUMMY_MARKERS):
        return True
    if sequences and checks._SEQUENCE.search(value) is not None:
        return True
    words = [p for p in value.replace("-", ".").replace("_", ".").split(".") if p]
    words = [w for w in words if checks._WORD_PART.fullmatch(w)]
    return len(words) >= 4 and sum(any(c in "aeiouyAEIOUY" for c in w) for w in words) >= 4


def _classes_reference(value: str) -> int:
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def _entropy_reference(value: str) -> float:
    if not value:
        return 0.0
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in Counter(value).values())


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(texts)
@example("abcdef")
@example("x123456y")
@example("\n\n\n\n\n\n")
@example("789:;<")
@example("ééééééé")
@example("zyxwvu")
def test_has_sequence_agrees_with_its_regex(value: str) -> None:
    assert checks.has_sequence(value) is (checks._SEQUENCE.search(value) is not None)


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(texts)
@example("YOUR_API_KEY")
@example("\u017fecret")
@example("\u212aey")
@example("\u0131nsert-token")
@example("p...q")
@example("AbXxXxcd")
@example("value-HERE")
@example("%s:%s")
@example("ab\u2026")
def test_is_placeholder_agrees_with_the_plain_regex(value: str) -> None:
    assert checks.is_placeholder(value) is _template_reference(value)


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(texts, st.booleans())
@example("not-the-key-you-are", True)
@example("not.the.key", True)
@example("abc_def-ghi.jkl", False)
def test_looks_dummy_agrees_with_the_plain_code(value: str, sequences: bool) -> None:
    assert checks.looks_dummy(value, sequences=sequences) is _dummy_reference(
        value, sequences=sequences
    )


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(texts)
@example("")
@example("\x7f")
@example("aZ9_")
@example("ǅ²")
def test_char_classes_agrees_with_the_plain_code(value: str) -> None:
    assert checks.char_classes(value) == _classes_reference(value)


@settings(max_examples=examples(1000), deadline=None, derandomize=True)
@given(texts)
@example("")
@example("aab")
@example("q7Lm2Xv9Zp4wRt8Kq7Lm2Xv9")
def test_shannon_entropy_is_the_same_float(value: str) -> None:
    assert checks.shannon_entropy(value) == _entropy_reference(value)


def test_glob_or_blank_is_any_blank_or_glob_character() -> None:
    """``_machine_made``'s one-pass class equals ``c.isspace() or c in "*|[]{}<>^"`` on every
    code point (``\\s`` is ``str.isspace``)."""
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        found = assignment._GLOB_OR_BLANK.search(c) is not None
        assert found is (c.isspace() or c in "*|[]{}<>^"), hex(code)


_LOOKAHEAD_ROWS = [fmt for fmt in FORMATS if providers.first_char_lookahead(fmt.regex, fmt.trigger)]


def test_rows_opening_with_a_case_insensitive_trigger_get_a_lookahead() -> None:
    assert len(_LOOKAHEAD_ROWS) >= 70
    assert providers.first_char_lookahead(r"(?i:ab|cd)x", "(?i:ab|cd)") == "(?=[ACac])"
    # not when the group could be skipped, or another branch could start the match
    assert providers.first_char_lookahead(r"(?i:ab)?x", "(?i:ab)") == ""
    assert providers.first_char_lookahead(r"(?i:ab)x|y", "(?i:ab)") == ""
    assert providers.first_char_lookahead(r"(?i:ab|cd)x", "(?i:ab)") == ""


def _sample(fmt: Format, rng: random.Random) -> str:
    try:
        return format_sample(fmt, rng)[0]
    except ValueError:  # a row the sampler cannot draw from: its trigger words stay
        return ""


def _row_cases() -> list[tuple[re.Pattern[str], re.Pattern[str], list[str], list[str]]]:
    """Per row with a lookahead: the plain and the fast regex, samples, the trigger's words."""
    rng = random.Random(17)
    cases = []
    for fmt in _LOOKAHEAD_ROWS:
        samples = [_sample(fmt, rng) for _ in range(3)]
        words = re.findall(r"[A-Za-z_]{3,}", fmt.trigger)
        lookahead = providers.first_char_lookahead(fmt.regex, fmt.trigger)
        plain = re.compile(f"(?a){fmt.regex}")
        cases.append((plain, re.compile(f"(?a){lookahead}{fmt.regex}"), samples, words))
    return cases


_ROW_CASES = _row_cases()


@settings(max_examples=examples(600), deadline=None, derandomize=True)
@given(
    st.sampled_from(_ROW_CASES),
    st.lists(st.sampled_from([*FRAGMENTS, "=", ": ", '"', "\\", "\t"]), max_size=8).map("".join),
    st.randoms(use_true_random=False),
)
def test_row_lookahead_finds_what_the_plain_row_finds(
    case: tuple[re.Pattern[str], re.Pattern[str], list[str], list[str]],
    noise: str,
    rng: random.Random,
) -> None:
    """A row with its first-character lookahead matches where the plain row does: on samples
    of the row, on its trigger words in changed case, and on noise around them."""
    plain, fast, samples, words = case
    text = rng.choice(samples)
    swapped = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)
    for candidate in (text, noise + text + noise, swapped, noise.join(words) + noise + swapped):
        assert [m.span() for m in fast.finditer(candidate)] == [
            m.span() for m in plain.finditer(candidate)
        ]


def _word_before_reference(text: str, start: int) -> str | None:
    i = start - 1
    while i >= 0 and text[i] in "\"'`\\":
        i -= 1
    if i < 0 or not text[i].isspace():
        return None
    found = checks._WORD_BEFORE.search(text, max(0, i - 96), i + 1)
    return found.group(1) if found else None


#: Word characters, blanks (Unicode ones too), quotes and others, for ``word_before_blank``.
_BEFORE_PIECES = [
    "a", "Z", "9", "_", ".", "-", "--password", "is", " ", "  ", "\t", "\n", "\u3000", "\x85",
    '"', "'", "`", "\\", "=", ":", "é", "x" * 30, "y" * 79, "-" * 81, "(", "$",
]  # fmt: skip
_BEFORE_TEXTS = st.lists(st.sampled_from(_BEFORE_PIECES), max_size=24).map("".join)


@settings(max_examples=examples(2000), deadline=None, derandomize=True)
@given(_BEFORE_TEXTS, st.integers(min_value=0, max_value=400))
@example("--password hunter2", 11)
@example("x" * 120 + " v", 121)
@example("a" * 100 + ' "\\ v', 105)
def test_word_before_blank_agrees_with_the_forward_regex(text: str, start: int) -> None:
    start = min(start, len(text))
    assert checks.word_before_blank(text, start) == _word_before_reference(text, start)


_PLAIN_PASSWORD_FLAG = re.compile(
    f"{assignment._PASSWORD_WORD}|{assignment._PASSWORD_INTL}|{assignment._PASSWORD_UNICODE}",
    re.IGNORECASE,
)
_PASSWORD_PIECES = [
    "pass", "PASS", "word", "wd", "phrase", "code", "passwort", "Kennwort", "wachtwoord", "senha",
    "haslo", "salasana", "heslo", "parol", "losenord", "adgangskode", "passord", "contrasena",
    "비밀번호", "パスワード", "密码", "пароль", "ПАРОЛЬ", "contraseña", "hasło", "HASŁO",
    "lösenord", "jelszó", "şifre", "ŞİFRE", "κωδικός", "ΚΩΔΙΚΌΣ", "mot de passe", "MOT DE PASSE",
    "\u017f", "\u212a", "\u0131", "\u0130", "x", " ", "_", "-",
]  # fmt: skip


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PASSWORD_PIECES), max_size=8).map("".join))
@example("\u212aennwort")
@example("pa\u017f\u017fword")
def test_password_word_lookahead_agrees_with_the_plain_alternation(text: str) -> None:
    fast, plain = assignment._PASSWORD_FLAG.search(text), _PLAIN_PASSWORD_FLAG.search(text)
    assert (fast and fast.span()) == (plain and plain.span())


_WORD_ROWS = [
    providers._Row(fmt) for fmt in FORMATS if providers.opening_words(fmt.regex, fmt.trigger)
]


def test_rows_opening_with_plain_words_are_found_from_the_words() -> None:
    assert len(_WORD_ROWS) >= 60
    assert providers.opening_words(r"(?i:ab|Cd)x", "(?i:ab|Cd)") == ("ab", "cd")
    assert providers.opening_words(r"(?i:a[b-]c)x", "(?i:a[b-]c)") is None
    assert providers.opening_words(r"(?i:ab)?x", "(?i:ab)") is None


@settings(max_examples=examples(800), deadline=None, derandomize=True)
@given(
    st.sampled_from(range(len(_WORD_ROWS))),
    st.lists(st.sampled_from([*FRAGMENTS, "=", ": ", '"', "\\", "\t"]), max_size=8).map("".join),
    st.integers(min_value=0, max_value=2**32),
)
def test_row_matches_from_the_words_are_finditer(index: int, noise: str, seed: int) -> None:
    """Matches tried only where a word starts are the matches ``finditer`` gives: samples of
    the row, its words in changed case, repeated and overlapping, with noise around them."""
    row, rng = _WORD_ROWS[index], random.Random(seed)
    assert row.words is not None
    text = _sample(row.fmt, rng)
    words = list(row.words) + [w[: len(w) // 2] for w in row.words]
    swapped = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)
    pieces = [noise, text, swapped, rng.choice(words), rng.choice(words) + swapped, text + text]
    rng.shuffle(pieces)
    for candidate in (text, swapped + text, "".join(pieces), noise.join(pieces)):
        lowered = candidate.lower() if candidate.isascii() else None
        assert [m.span() for m in providers.row_matches(row, candidate, lowered)] == [
            m.span() for m in row.regex.finditer(candidate)
        ]


def _name_like_reference(value: str) -> bool:
    if value.startswith("arn:") or checks._RESOURCE_ID.fullmatch(value):
        return True
    if checks._FILE_EXTENSION.fullmatch(value):
        return True
    parts = [p for p in checks._PART_SEPARATORS.split(value) if p]
    if len(parts) < 2:
        return False
    if len(parts) <= 5 and any(len(p) >= 8 and p.isalpha() and checks.is_wordy(p) for p in parts):
        return True
    if all(p.isalpha() and p.islower() and len(p) >= 3 for p in parts):
        return True
    lower_words = sum(len(p) for p in parts if p.isalpha() and p.islower())
    return len(parts) >= 3 and lower_words >= 0.7 * sum(len(p) for p in parts)


@settings(max_examples=examples(1500), deadline=None, derandomize=True)
@given(texts)
@example("arn:aws:iam::1:role/x")
@example("vpc-0a1b2c3d4e5f60718")
@example("export-i-fh8sjjsq.ova")
@example("x-goog-api-key")
def test_is_name_like_agrees_with_the_plain_code(value: str) -> None:
    assert checks.is_name_like(value) is _name_like_reference(value)
