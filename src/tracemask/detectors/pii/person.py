"""People's names without a neural model: name lexicons, capitalisation and context cues.

How a name is found, cheaply:

1. One regex pass finds *runs* of capitalised tokens (``Jennifer Kucharski``, ``Dr. O'Connell``,
   ``FRANCIS G. LEVINE``, ``van de Noort``); a string without any is done after that pass.
2. Each token is looked up once in the :class:`~tracemask.detectors.data.Lexicon` (given names,
   surnames, English dictionary words, function words, places: frozen mappings).
3. A run is cut into name candidates at tokens that cannot be part of a name (dictionary words
   that are not names, function words, street or organisation words) and each candidate is
   scored by its shape (see :class:`PersonDetector`); context cues before it (``Dr.``, ``my name
   is``, ``Dear``, ``son``, ``Producer``) or after it (``, MD``, ``aware``) raise the score.
4. Lower-case names are only taken right after a strong cue (``dr green``, ``husband jim``).

ALL CAPS text (clinical shorthand) carries no capitalisation signal, so an ALL CAPS token must be
a listed name and, alone, needs a cue; ``Lastname, Firstname`` is one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from tracemask._finding import Finding
from tracemask.detectors._pattern import CONTEXT_BOOST, PatternDetector
from tracemask.detectors.data import (
    FREQUENT_GIVEN,
    GIVEN,
    PLACE,
    STOP,
    SURNAME,
    TOP_SURNAME,
    WORD,
    Lexicon,
    shared_lexicon,
)
from tracemask.detectors.pii._capitals import (
    _UPPER_EXTRA,
    PARTICLES,
    TOKEN,
    capital_runs,
)
from tracemask.detectors.pii._gates import Gates, anchored, finditer_at, lazy_regex
from tracemask.detectors.pii.address import LOWER_CUE_ALTERNATION, address_gates


def _words(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (word lists are written as prose)."""
    return text.split()


_TOKEN_RE = re.compile(rf"{TOKEN}|,")

#: Honorifics: the following capitalised (or lower-case) token is a name.
TITLES = frozenset(
    _words("mr mrs ms miss mx dr drs prof sir dame rev herr frau mme mlle madame monsieur")
)
#: Words after which a capitalised token is probably a person's name (relations, roles,
#: greetings). In a run they are dropped from the name: ``Producer Vilhjálmur Georgsson``.
CUE_WORDS = frozenset(
    _words(
        """
    dear hi hello hey thanks thank cheers regards sincerely signed attn
    son sons daughter daughters wife husband mother father mom mum dad sister sisters brother
    brothers sibling aunt uncle niece nephew cousin grandson granddaughter grandaughter
    grandmother grandfather grandma grandpa girlfriend boyfriend fiance fiancee spouse partner
    proxy guardian friend neighbor neighbour colleague boss
    patient attending resident intern fellow nurse doctor physician surgeon
    producer director author writer singer actor actress player president ceo cto cfo coo
    founder cofounder chairman chairwoman senator governor minister professor judge officer
    agent manager engineer rapper drummer guitarist composer artist coach captain
    """
    )
)
#: Tokens that end a name run and mean it is a place or an organisation, not a person.
NOT_PERSON_AFTER = frozenset(
    _words(
        """
    street st avenue ave road rd lane ln drive boulevard blvd court ct place pl square sq
    terrace way parkway highway hwy circle alley row close crescent gardens park bridge
    hospital hosp clinic center centre medical university college school institute academy
    inc llc ltd gmbh corp corporation company co plc llp group partners holdings foundation
    bank church library museum hotel airport station county city state island islands
    post times journal herald tribune gazette chronicle review magazine press daily weekly
    news observer telegraph courier examiner bulletin standard monitor inquirer dispatch
    """
    )
)
#: Capitalised words that look like given names but, alone, are mostly products, programming
#: languages or weekdays/months in traces: never a name without an honorific.
AMBIGUOUS = frozenset(
    _words(
        """
    claude gemini alexa siri cortana bard grok copilot jasper julia ruby perl scala crystal
    elixir swift rust dart kotlin ada bert ernie llama alpaca vicuna mistral falcon phoenix
    apollo athena aurora nova orion luna iris ivy hazel sage echo atlas titan pandas django
    flask jenkins ansible kafka max min
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """
    )
)
#: Words no name holds (see ``PersonDetector._capable``), whatever their lexicon flags.
_DEAD_WORDS = (NOT_PERSON_AFTER | CUE_WORDS) - TITLES

#: Clinical/ALL CAPS abbreviations that are also listed names ("MAE", "ED", "AL", "PAT").
CAPS_STOP = frozenset(
    _words(
        "mae ed al pat art tom ace ami gi gu ct cv ms ns pe ro ra er or sr st le re ue icu ccu "
        "micu sicu csru nicu pacu kcl bp hr rr iv po prn sob cad chf copd dnr cpr ekg ecg mri "
        "abg ngt ogt ett lll rll rul lul ruq luq rlq luq dvt pna uti ivf tpn ppn npo ams"
    )
)

#: Distinct tokens whose analysis is remembered (then the memo starts over).
_MAX_SHAPES = 1 << 16

_CONTRACTION = re.compile(r"['\u2019](?:s|m|re|ve|ll|d|t)\Z", re.IGNORECASE)

#: Cue phrases right before a candidate (checked on a short window, anchored at its end).
_BEFORE_CUE = lazy_regex(
    r"(?:\b(?:name|named|called|nickname|surname|username)\b\s*(?:is|was|:|=|-)?"
    r"|\b(?:i'?m|i am|this is|it'?s|i'm)"
    r"|\b(?:mijn naam is|ik ben|ich hei(?:ß|ss)e|mein name ist|je m'appelle|me llamo"
    r"|mi nombre es|mi chiamo|meu nome é|chamo-me|nazywam się|jmenuji se|jag heter|mit navn er"
    r"|jeg heter|minun nimeni on|benim ad\u0131m|numele meu este|меня зовут|мене звати)"
    r"|\b(?:spoke|speak|talked|talk|met|meeting|call|email|contact|ask|asked)\s+(?:with|to|for)"
    rf"|\b(?:{'|'.join(sorted(CUE_WORDS, key=len, reverse=True))})\b\.?"
    r"|\b(?:by|per|from|cc|to)\s*:"
    r")[ \t,:;'\"(?!-]*\Z"
    r"|\b(?:thanks|thank you|regards|sincerely|cheers|best|signed|yours)[ \t,!.-]*\n[ \t]*\Z",
    re.IGNORECASE,
)
#: Cues right after a candidate: credentials, clinical verbs, speech verbs.
_AFTER_CUE = re.compile(
    r",?[ \t]*(?:M\.?D\b|R\.?N\b|N\.?P\b|P\.?A\b|RRT\b|Ph\.?D\b|D\.?O\b|DDS\b|Esq\b|Jr\b"
    r"|(?i:aware|notified|paged|informed|said|says|wrote|replied|stated|asked|"
    r"lives|lived|works|worked|explained|told|joined|was born|called|emailed|phoned|texted)\b)"
)
#: A title or cue word, then lower-case names: ``dr green aware``, ``husband jim``, ``hi
#: maria``, ``this is jose lopez``, ``Regards,\nmaria`` (a greeting's or sign-off's name may
#: be on the next line).
_LOWER = lazy_regex(
    rf"(?<![\w<])(?P<cue>(?i:{LOWER_CUE_ALTERNATION}))\b\.?[ \t]*[,:-]?[ \t]*"
    r"(?:\r?\n[ \t]*)?(?P<a>[a-z][a-z'-]+)(?:[ \t]+(?P<b>[a-z][a-z'-]+))?(?![\w<>@/])"
)
_TITLE_CUES = frozenset({"dr", "mr", "mrs", "ms", "prof"})
#: Titles taken in ALL CAPS ("MS" is multiple sclerosis or mental status there).
_CAPS_TITLES = frozenset({"dr", "drs", "mr", "mrs", "prof"})

#: Upper-case letters of the scripts we read, as a set, for shape checks.
_UPPER_SET = frozenset(_UPPER_EXTRA + "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class _Tok(NamedTuple):
    start: int
    end: int
    key: str  # lower case, trailing period and contraction removed
    flags: int
    caps: bool  # ALL CAPS (two letters or more)
    initial: bool  # one letter, with or without a period
    simple: bool  # Title case with no inner capitals (``Kucharski``, not ``UserProfile``)
    period: bool  # ended with a period


#: ``_Tok`` from a tuple without the generated ``__new__`` (a Python-level call per token).
_new_tok = tuple.__new__

#: A name candidate in a run: its tokens, the token after it, honorific before, cue before.
_Candidate = tuple[tuple[_Tok, ...], _Tok | None, bool, bool]


class _Scored(NamedTuple):
    """A candidate with what its tokens alone say (worked out once per distinct run)."""

    name: tuple[_Tok, ...]
    after: _Tok | None  # the token after it in the run
    score: float  # before context (``max(score, 0.85)`` after an honorific)
    titled: bool  # after an honorific
    cued: bool  # a cue word right before it in the run
    boost: bool  # a cue before or after may add CONTEXT_BOOST
    after_ok: bool  # a cue after counts (an unlisted or listed-name word in it)
    single_caps: bool  # one word, ALL CAPS


#: A run's plan: the ``Last, First`` segment pair to try first (runs with one comma), then the
#: name candidates.
_Plan = tuple[tuple[list[_Tok], list[_Tok]] | None, tuple[_Scored, ...]]
#: The plan of a run that cannot hold a name (most runs: "The", "JSON", "Please").
_NO_CANDIDATE: _Plan = (None, ())


class PersonDetector(PatternDetector):
    """People's names, scored by shape and context.

    Scores before context (the default threshold is 0.5):

    * a given name followed by a surname or an unlisted capitalised word: 0.85
      (``Jennifer Kucharski``, ``Mohmad R. Vizirov``); 0.65 in ALL CAPS;
    * a given name that is also an English word (``Mark``, ``Will``) followed by a listed
      surname: 0.75; a surname and a given name both listed (``Hajdu Miklós``): 0.7;
    * a given name alone: 0.55 (0.3 in ALL CAPS, or when it is also a word, place or product);
    * a surname alone: 0.35; an unlisted capitalised word, or two: 0.2 / 0.4;
    * after an honorific (``Dr.``, ``Mrs``): at least 0.85, whatever the token.

    A cue before (``my name is``, ``Dear``, ``son``, ``Producer``) or after (``, MD``,
    ``aware``) adds 0.35. Runs followed by a street, facility or company word (``Anderson
    Street``, ``Memorial Hospital``) are not people.

    Args:
        lexicon: name and word lists; detectors built by one policy share one.
    """

    entity = "PERSON"
    # A capitalised word at a word start, any non-ASCII letter (``Ángel``, ``Aß``: the same
    # test on text and on UTF-8 bytes), or a lower-case cue that can introduce a name.
    trigger = (
        rf"\b[A-Z][A-Za-z]|[^\x00-\x7f]|\b(?:{LOWER_CUE_ALTERNATION})\b"
        # The pronoun is written upper case ("I am jose", "I'm maria"): no Title case word then.
        r"|\bI(?:'?m| am)\b"
    )
    score = 0.85

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        super().__init__()
        self.lexicon = lexicon if lexicon is not None else shared_lexicon()
        self._shapes: dict[str, tuple[str, int, int, bool, bool, bool, bool]] = {}
        self._plans: dict[str, _Plan] = {}
        self._gates = self.shared_scan = person_gates()

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield PERSON findings in ``text``."""
        plans = self._plans
        for offset, run in capital_runs(text):
            plan = plans.get(run)
            if plan is None:
                plan = self._plan(run)
                if len(plans) >= _MAX_SHAPES:
                    plans.clear()
                plans[run] = plan
            if plan is not _NO_CANDIDATE:
                yield from self._apply(text, offset, plan)
        ascii_only = text.isascii()
        gates, at = self._gates.scan(text.lower(), ascii_only)
        if "lower" in gates:
            yield from self._lower(text, anchored(at, "lower"))
        if ascii_only:
            return  # the caseless scripts are not ASCII
        caseless = _CASELESS_CHAR.search(text)
        if caseless is not None:
            yield from self._caseless(text, caseless.start())

    # -- capitalised runs ----------------------------------------------------------------------

    def _plan(self, run: str) -> _Plan:
        """What ``run`` can yield, worked out from its own text: the ``Last, First`` pair to try
        and the name candidates (token offsets relative to the run). Runs repeat across strings
        ("The", "Dr. Smith", "Please"): each distinct run is planned once (bounded memo), and
        most plans are empty."""
        if "," not in run and self._dead(run):
            return _NO_CANDIDATE
        segments: list[list[_Tok]] = [[]]
        if " " not in run and "\t" not in run and "," not in run:
            # One token (a run holds several only with spaces, tabs or commas between them).
            segments[0].append(self._tok(run, 0))
        else:
            for m in _TOKEN_RE.finditer(run):
                if m.group() == ",":
                    segments.append([])
                else:
                    segments[-1].append(self._tok(m.group(), m.start()))
        pair = (segments[0], segments[1]) if len(segments) == 2 else None
        candidates = tuple(
            scored
            for seg in segments
            for c in self._candidates(seg)
            if (scored := self._base(c)) is not None
        )
        if pair is None and not candidates:
            return _NO_CANDIDATE
        return pair, candidates

    def _dead(self, run: str) -> bool:
        """Whether no token of a comma-free run can be part of a name, from one lexicon lookup
        per word (most runs: "The", "Including", "Strategize Granular Portals Roadmap").

        A token that :meth:`_capable` rejects whatever came before it: two letters or more
        (not an initial), not an honorific (none before it, so nothing is ``titled``), and a
        function word, a dictionary word that is not also a name, a street, facility or
        company word or a cue word. ``_shape`` would give it the same key (a trailing period
        dropped, lower case; words with an apostrophe are left to it: the contraction is cut
        there) and these flags or more (``Lexicon.flags`` only adds ``WORD`` to a listed
        token, and not to names). The particles between tokens are not tokens."""
        tokens = self.lexicon.tokens
        for word in run.split():
            if word in PARTICLES:
                continue
            key = (word[:-1] if word[-1] == "." else word).lower()
            if len(key) < 2 or key in TITLES or "'" in key or "\u2019" in key:
                return False
            if key in _DEAD_WORDS:
                continue
            f = tokens.get(key, 0)
            if not (f & STOP or (f & WORD and not f & (GIVEN | SURNAME))):
                return False
        return True

    def _apply(self, text: str, offset: int, plan: _Plan) -> Iterator[Finding]:
        """Score the candidates of a run found at ``offset`` in its context."""
        pair, candidates = plan
        if pair is not None and (merged := self._last_first(text, offset, pair)) is not None:
            yield merged
            return
        for candidate in candidates:
            finding = self._score(text, offset, candidate)
            if finding is not None:
                yield finding

    def _tok(self, raw: str, start: int) -> _Tok:
        # Words repeat across a trace's strings (Zipf): what a token is depends on its text
        # only, so it is worked out once per distinct token (bounded memo).
        shape = self._shapes.get(raw)
        if shape is None:
            shape = self._shape(raw)
            if len(self._shapes) >= _MAX_SHAPES:
                self._shapes.clear()
            self._shapes[raw] = shape
        key, length, flags, caps, initial, simple, period = shape
        return _new_tok(_Tok, (start, start + length, key, flags, caps, initial, simple, period))

    def _shape(self, raw: str) -> tuple[str, int, int, bool, bool, bool, bool]:
        """What a token is, from its text: ``_Tok`` without the offsets."""
        period = raw[-1] == "."
        word = raw[:-1] if period else raw
        # Only a token with an apostrophe can end with a contraction; only one with an
        # apostrophe or a hyphen has parts for ``_simple_title`` to split.
        joined = "'" in word or "\u2019" in word
        stripped = _CONTRACTION.sub("", word) if joined else word
        key = stripped.lower()
        letters = len(stripped)
        caps = letters > 1 and word.isupper()
        if caps:
            simple = False
        elif letters == 1 or (not joined and "-" not in word and word[1:].islower()):
            simple = True  # what _simple_title answers for one part with no inner capital
        else:
            simple = _simple_title(word)
        flags = self.lexicon.flags(key)
        if not flags and "-" in key:
            parts = [self.lexicon.flags(part) for part in key.split("-")]
            if all(f & (WORD | STOP) for f in parts):
                flags = WORD  # "Plug-And-Play", "Back-End": compounds of dictionary words
            elif all(f & (GIVEN | SURNAME) for f in parts):
                # "Élodie-Andrée", "Sébastien-Marcel": compounds of names.
                flags = GIVEN if parts[0] & GIVEN else SURNAME
        return key, letters, flags, caps, letters == 1, simple, period

    def _capable(self, tok: _Tok, titled: bool) -> bool:
        """Whether ``tok`` can be part of a name (``titled``: first token after ``Dr``)."""
        f = tok.flags
        if tok.initial:
            return titled or tok.period or tok.key not in ("i", "a")
        if f & STOP or tok.key in NOT_PERSON_AFTER or tok.key in TITLES or tok.key in CUE_WORDS:
            return False
        if tok.caps and tok.key in CAPS_STOP:
            return False
        if f & (GIVEN | SURNAME):
            return True
        if f & WORD:
            # "Dr. Green", "Mrs. Baker": after an honorific a Title case word is a name.
            return titled and tok.simple and not tok.initial

        # An unlisted word: a name only when it looks like one (Title case, or after "Dr").
        return tok.simple or (titled and tok.caps)

    def _candidates(self, seg: list[_Tok]) -> Iterator[_Candidate]:
        """Name candidates of one comma-free segment of a run, with what surrounds them in it:
        the token after, whether an honorific or a cue word came right before."""
        i, n = 0, len(seg)
        titled = False
        cued = False
        while i < n:
            tok = seg[i]
            if tok.key in TITLES and not tok.initial and (not tok.caps or tok.key in _CAPS_TITLES):
                titled, cued = True, False
                i += 1
                continue
            if tok.key in CUE_WORDS:
                cued = True
                i += 1
                continue
            if tok.key in _STREET_BEFORE and not tok.caps:
                return  # "Rua João Pessoa 1636": the rest of the run is a street name
            if not self._capable(tok, titled):
                titled = cued = False
                i += 1
                continue
            j = i + 1
            while j < n and self._capable(seg[j], False):
                if seg[j].initial and j + 1 >= n and not seg[j].period:
                    break
                j += 1
            name = seg[i:j]
            # Trailing initials ("Smith J") and a dangling initial are not part of the name.
            while len(name) > 1 and name[-1].initial and not name[-1].period:
                name = name[:-1]
            after = seg[j] if j < n else None
            yield tuple(name), after, titled, cued
            titled = cued = False
            i = j

    def _base(self, candidate: _Candidate) -> _Scored | None:
        """What a candidate's tokens say, before its context: ``None`` when no context can make
        it a finding (no word; a listed place; too low a score even with a cue)."""
        name, after, titled, cued = candidate
        words = [t for t in name if not t.initial]
        if not words:
            return None
        first = words[0]
        f0 = first.flags
        caps = all(t.caps for t in words)
        if len(words) > 1 and " ".join(t.key for t in words) in self.lexicon.places:
            return None
        ambiguous = first.key in AMBIGUOUS or bool(f0 & PLACE)
        plain_given = bool(f0 & GIVEN) and not f0 & WORD
        if len(words) >= 2:
            rest = words[1:]
            if plain_given and first.key not in AMBIGUOUS and all(_surname_like(t) for t in rest):
                score = 0.65 if caps and not all(t.flags for t in rest) else 0.85
            elif f0 & GIVEN and not _plain_word(f0) and all(_listed_name(t) for t in rest):
                score = 0.75
            elif all(_listed_name(t) for t in words):
                score = 0.4 if caps else 0.7
            elif not caps and all(t.flags == 0 or _listed_name(t) for t in words):
                # Two unlisted capitalised words; a middle initial makes it a name's shape.
                score = 0.6 if any(t.initial and t.period for t in name[1:-1]) else 0.4
            else:
                score = 0.2 if caps else 0.3
        elif plain_given and not ambiguous:
            score = 0.3 if caps else 0.55 if f0 & FREQUENT_GIVEN else 0.4
        elif f0 & (GIVEN | SURNAME) and not f0 & WORD:
            score = 0.25 if caps else 0.35
        elif f0 & (GIVEN | SURNAME):
            score = 0.2
        else:
            score = 0.1 if caps else 0.2
        # A cue adds CONTEXT_BOOST, unless it cannot lift the score to the threshold or the
        # score is already high; a lone ambiguous or dictionary word gets no boost at all.
        single_caps = len(words) == 1 and caps
        if titled:
            score = max(score, 0.85)
            boost = False
        else:
            boost = 0.15 <= score < 0.85 and not (
                len(words) == 1 and (ambiguous or _plain_word(f0))
            )
        best = score + CONTEXT_BOOST if boost else score
        if (best < 0.5 and single_caps) or best < 0.3:
            return None
        after_ok = any(t.flags == 0 or _listed_name(t) for t in words)
        return _Scored(name, after, score, titled, cued, boost, after_ok, single_caps)

    def _score(self, text: str, offset: int, candidate: _Scored) -> Finding | None:
        """Score a name candidate of a run found at ``offset`` (token offsets are relative to
        the run) in its context, or ``None``."""
        name, after, score, titled, cued, boost, after_ok, single_caps = candidate
        start, end = offset + name[0].start, offset + name[-1].end
        if name[-1].initial and name[-1].period:
            end += 1
        nxt = after.key if after is not None else _next_word(text, end)
        if nxt in NOT_PERSON_AFTER:
            return None
        if (
            not titled
            and "he" in text[max(0, start - 5) : start]
            and _ARTICLE_BEFORE.search(text, max(0, start - 5), start)
        ):
            return None  # "The Washington Post", "the Smiths": an article names no person
        if boost and (
            cued or _cue_before(text, start) or (after_ok and _AFTER_CUE.match(text, end, end + 24))
        ):
            score += CONTEXT_BOOST
        if (score < 0.5 and single_caps) or score < 0.3:
            return None
        if _in_street(text, start, end):
            return None
        return Finding(start, end, self.entity, min(score, 1.0), self.name)

    def _last_first(
        self, text: str, offset: int, pair: tuple[list[_Tok], list[_Tok]]
    ) -> Finding | None:
        """``Kucharski, Jennifer`` / ``SMITH, JOHN A.``: one finding, or ``None`` (``pair``: the
        two segments of a run found at ``offset``)."""
        last, first = pair
        if len(last) != 1 or not first or len(first) > 3:
            return None
        sur, given = last[0], first[0]
        if sur.initial or given.initial or not given.flags & GIVEN or given.flags & WORD:
            return None
        if sur.flags & (WORD | STOP) or not (sur.flags & SURNAME or sur.simple):
            return None
        if any(not (t.initial or _listed_name(t)) for t in first[1:]):
            return None
        start = offset + sur.start
        if not sur.flags & SURNAME and not _cue_before(text, start):
            return None
        end = offset + first[-1].end + (1 if first[-1].initial and first[-1].period else 0)
        return Finding(start, end, self.entity, 0.8, self.name)

    # -- scripts without capitals, after a cue -----------------------------------------------

    def _caseless(self, text: str, first: int) -> Iterator[Finding]:
        """Names in scripts without capitals right after a name cue (``first``: where the hint
        regex first matched; a cue is at most a few dozen characters before it)."""
        for m in _CASELESS_NAME.finditer(text, max(0, first - 40)):
            start, end = m.span("name")
            if _HAN_OR_HANGUL.match(text, start):
                # No spaces between words: a Chinese or Korean name is 2-4 characters.
                run = end - start
                if run < 2 or (run > 4 and " " not in m.group("name")):
                    continue
                end = min(end, start + 4) if " " not in m.group("name") else end
            yield Finding(start, end, self.entity, 0.7, self.name)

    # -- lower case after a cue ------------------------------------------------------------------

    def _lower(self, text: str, at: Sequence[int] | None) -> Iterator[Finding]:
        lex = self.lexicon.tokens
        for m in finditer_at(_LOWER, text, at):
            cue = m.group("cue").lower().replace("\u2019", "'")
            if cue == "ms" and text[m.end("cue") : m.end("cue") + 1] != ".":
                continue  # clinical "ms" is mental status
            a = m.group("a")
            fa = lex.get(a, 0)
            if fa & STOP or a in CUE_WORDS or a in TITLES:
                continue
            if a in AMBIGUOUS and cue not in _TITLE_CUES:
                continue  # "hi claude", "thanks alexa": an assistant, as in Title case
            if cue in _TITLE_CUES:
                ok = bool(fa & (GIVEN | SURNAME)) or not fa & WORD
            elif cue in ("my name is", "name is", "named", "i'm", "im", "i am"):
                ok = bool(fa & (GIVEN | SURNAME)) and not fa & WORD
            else:
                ok = bool(fa & GIVEN) and not fa & WORD
            b = m.group("b")
            fb = lex.get(b, 0) if b else 0
            take_b = bool(b) and bool(fb & (GIVEN | SURNAME)) and not fb & (WORD | STOP)
            if not ok and not (take_b and fa & GIVEN and not fa & STOP):
                continue
            end = m.end("b") if take_b else m.end("a")
            yield Finding(m.start("a"), end, self.entity, 0.8, self.name)


_STREET_BEFORE = frozenset(
    _words(
        "rue rua via calle avenida av avenue strada ulica ul viale largo piazza praça plaza "
        "rambla paseo camino carrer c chemin allée boulevard bd"
    )
)
#: Words right before a street's name (abbreviations with their period dropped): a name after
#: them is a street's ("pl. Stefana Batorego 59/73", "Quadra Maria Julia Novais").
_STREET_WORD_BEFORE = _STREET_BEFORE | frozenset(
    _words(
        "pl al os aleja plac quadra rodovia alameda vila setor conjunto rotonda circuito "
        "diagonal carrera transversal cl cr drumul splaiul intrarea calea jalan jl thanon "
        "travessa corso vicolo impasse quai"
    )
)
#: Letters of scripts without capitals (Arabic, Hebrew, Indic, Thai, Georgian, Armenian is
#: cased but rare…, CJK, Hangul): a name in them cannot be told by its shape, only by a cue.
_CASELESS = (
    "\u0531-\u058f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u0900-\u0dff\u0e00-\u0eff"
    "\u10a0-\u10ff\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
)
_CASELESS_WORD = rf"[{_CASELESS}][{_CASELESS}\u0300-\u036f\u064b-\u065f\u0e31-\u0e4e\u200c\u200d]*"
#: Cues after which a name follows, in many languages (and greeting or signature positions).
#: Only cues that announce a name: "Hi", "from", "I am" are as often followed by anything
#: else ("Hi 你好", "from 東京", "我是学生").
_NAME_CUES = (
    r"my name is|name is|call me|dear|signed:?|meeting with|spoke with|talked to|forwarded by"
    r"|sent by|mijn naam is|ich heiße|ich heisse|mein name ist|je m'appelle|me llamo"
    r"|mi nombre es|mi chiamo|meu nome é|chamo-me|nazywam się|jmenuji se|jag heter"
    r"|mitt namn är|mit navn er|jeg heter|minun nimeni on|benim ad\u0131m|numele meu este"
    r"|меня зовут|мене звати|我叫|我的名字是|我的名字叫|名字叫|私の名前は|名前は|제 이름은"
    r"|이름은|اسمي|שמי|ผมชื่อ|ฉันชื่อ|ชื่อ|मेरा नाम"
    # A sign-off, then the name on the next line.
    r"|(?:thanks|thank you|regards|best|cheers|sincerely|yours)[ \t]*[,!.]?[ \t]*(?=\n)"
)
#: A name cue then a word of a caseless script: ``My name is مائده جنتی``, ``我叫 林秀英``,
#: ``Thanks,\nپریتم``.
_CASELESS_NAME = lazy_regex(
    rf"(?i:(?<![^\W\d_])(?:{_NAME_CUES}))[ \t]*[,:!.\-]?[ \t]*\n?[ \t]*"
    rf"(?P<name>{_CASELESS_WORD}(?:[ \t]{_CASELESS_WORD}){{0,3}})"
)
_CASELESS_CHAR = lazy_regex(f"[{_CASELESS}]")


def person_gates(backend: str = "auto") -> Gates:
    """The person detector's gates: those of the address detector, which hold the person
    detector's too (one scan per string serves both)."""
    return address_gates(backend)


#: Spaceless scripts: a name there is two to four characters after the cue.
_HAN_OR_HANGUL = lazy_regex(r"[\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _simple_title(word: str) -> bool:
    """``Kucharski``, ``O'Connell``, ``Stord-Painter``: capitals only at part starts."""
    for part in re.split(r"['\u2019-]", word):
        if not part:
            return False
        rest = part[1:]
        if rest and not rest.islower():
            # McDonald, MacLeod, LeBlanc, DeSantis, VanDyke: one inner capital after a prefix.
            cut = next((len(p) for p in _NAME_PREFIXES if part.startswith(p)), 0)
            if not (cut and part[cut : cut + 1].isupper() and part[cut + 1 :].islower()):
                return False
    return True


_NAME_PREFIXES = ("Mac", "Mc", "Le", "La", "De", "Di", "Du", "Da", "Van", "Von", "Del", "St")


def _listed_name(tok: _Tok) -> bool:
    return bool(tok.flags & (GIVEN | SURNAME)) and not tok.flags & (WORD | STOP)


def _surname_like(tok: _Tok) -> bool:
    """After a given name: a listed surname (frequent ones even when also words) or an
    unlisted Title case word."""
    f = tok.flags
    if f & STOP:
        return False
    if f & (GIVEN | SURNAME):
        return not f & WORD or bool(f & TOP_SURNAME)
    if f & WORD:
        return False
    return tok.simple or tok.caps


def _plain_word(flags: int) -> bool:
    """A dictionary word that is not also a frequent name: "World", "Report", not "Mark"."""
    return bool(flags & WORD) and not flags & (FREQUENT_GIVEN | TOP_SURNAME)


def _in_street(text: str, start: int, end: int) -> bool:
    """``86036 Rua do Arenque``, ``rue Victor Hugo``, ``Joaquin Suarez 2906``: a street name."""
    # Within 24 characters before the name: a number or a street word ("Rua", "pl."), then
    # spaces (what ``(?:(\d{1,6})|([^\W\d_]+)\.?)[ \t]+\Z`` finds there, read backwards).
    window = text[max(0, start - 24) : start]
    head = window.rstrip(" \t")
    if head and len(head) < len(window):
        if head[-1].isdecimal():
            return True
        word = _tail_letters(head[:-1] if head[-1] == "." else head)
        if word and word.lower() in _STREET_WORD_BEFORE:
            return True
    return _HOUSE_NUMBER_AFTER.match(text, end) is not None


def _tail_letters(text: str) -> str:
    r"""The letters (``[^\W\d_]``) ending ``text``: a few characters, read backwards."""
    i = len(text)
    while i and text[i - 1].isalnum() and not text[i - 1].isdecimal():
        i -= 1
    return text[i:]


def _cue_before(text: str, start: int) -> bool:
    """Whether a cue phrase ends right before ``start`` (``_BEFORE_CUE`` in the 40 characters
    before it). The regex tries each of those positions; most names have no cue, and every cue
    ends with a word of ``_CUE_END``, ``=`` or a line break then spaces: that is looked at
    first, backwards from ``start``."""
    window = text[max(0, start - 40) : start]
    if not window.rstrip(" \t").endswith("\n"):
        head = window.rstrip(_CUE_TRAIL)
        if not head.endswith("="):
            word = _tail_letters(head[:-1] if head.endswith(".") else head)
            if not word or _CUE_END.fullmatch(word) is None:
                return False
    return _BEFORE_CUE.search(text, max(0, start - 40), start) is not None


#: What may follow a cue's last word: the regex's trailing ``[ \t,:;'"(?!-]*``, and the
#: ``\s``, ``:`` and ``-`` of ``name: ``, ``name -``, ``by:`` (U+3000 is the last character
#: ``\s`` matches).
_CUE_TRAIL = " \t,:;'\"(?!-" + "".join(c for c in map(chr, range(0x3000 + 1)) if c.isspace())
#: The last word of every ``_BEFORE_CUE`` alternative but ``name=`` and the sign-off line (same
#: case folding as the regex, which is case-insensitive).
_CUE_END = lazy_regex(
    r"name|named|called|nickname|surname|username|is|was|m|im|am|s|its"
    r"|ben|hei(?:ß|ss)e|ist|appelle|llamo|es|chiamo|é|me|się|se|heter|er|on|ad\u0131m|este"
    r"|зовут|звати|with|to|for|by|per|from|cc"
    rf"|{'|'.join(sorted(CUE_WORDS, key=len, reverse=True))}",
    re.IGNORECASE,
)
_HOUSE_NUMBER_AFTER = lazy_regex(r"[ \t]+\d{1,5}[a-zA-Z]?[ \t]*(?:$|[\n,]|\Z)", re.MULTILINE)


_ARTICLE_BEFORE = re.compile(r"(?<![^\W\d_])[Tt]he[ \t]+\Z")


def _next_word(text: str, end: int) -> str:
    m = _NEXT_WORD.match(text, end)
    return m.group(1).lower() if m else ""


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
