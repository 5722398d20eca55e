"""Pure scoring of predicted spans against gold spans: no I/O, no tracemask engine.

Three views of the same records:

* **Span match**, per label: a predicted span is a true positive when it is paired with a gold
  span of the same label, either *exactly* (same start and end) or by *overlap* (at least one
  character in common). Every gold and every predicted span is used at most once; the overlap
  pairing is a maximum matching, so the count does not depend on the order of the spans.
* **Characters**, entity-agnostic: the share of gold characters covered by any prediction
  (*leak recall*: what a masker with these findings would hide) and the share of predicted
  characters that lie on gold spans (*character precision*: how much masking is not damage).
* **Negatives**: of the records without any gold span, how many got at least one finding.

Scores whose denominator is zero are ``None`` ("n/a"), never 0 or 1.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: A label with fewer gold spans than this is flagged as rare: its scores move a lot with a
#: single span (one span is 5 points of recall at 20).
RARE_BELOW = 20


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A labelled span: ``text[start:end]`` (Python ``str`` offsets, end exclusive)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Example:
    """One record to score: gold and predicted spans with canonical labels."""

    id: str
    source: str
    gold: tuple[Span, ...]
    pred: tuple[Span, ...]


def ratio(num: int, den: int) -> float | None:
    """``num / den``, or ``None`` when ``den`` is 0."""
    return num / den if den else None


def f1(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean; ``None`` when either input is undefined, 0.0 when both are 0."""
    if precision is None or recall is None:
        return None
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


@dataclass
class Counts:
    """Span counts of one label (or a micro-average): gold, predicted and true positives."""

    gold: int = 0
    pred: int = 0
    tp_exact: int = 0
    tp_overlap: int = 0

    def add(self, other: Counts) -> None:
        self.gold += other.gold
        self.pred += other.pred
        self.tp_exact += other.tp_exact
        self.tp_overlap += other.tp_overlap

    def tp(self, mode: str) -> int:
        """True positives under ``mode`` (``"exact"`` or ``"overlap"``)."""
        return self.tp_exact if mode == "exact" else self.tp_overlap

    def precision(self, mode: str) -> float | None:
        return ratio(self.tp(mode), self.pred)

    def recall(self, mode: str) -> float | None:
        return ratio(self.tp(mode), self.gold)

    def f1(self, mode: str) -> float | None:
        return f1(self.precision(mode), self.recall(mode))


@dataclass
class CharCounts:
    """Character counts: gold characters, predicted characters and the two intersected.

    ``covered`` is ``|gold ∩ predicted|`` over the gold spans in scope; ``on_gold`` is
    ``|predicted ∩ any gold|``, so character precision ignores the scope of the leak recall.
    """

    gold: int = 0
    pred: int = 0
    covered: int = 0
    on_gold: int = 0

    def add(self, other: CharCounts) -> None:
        self.gold += other.gold
        self.pred += other.pred
        self.covered += other.covered
        self.on_gold += other.on_gold

    @property
    def leak_recall(self) -> float | None:
        """Share of gold characters under some prediction."""
        return ratio(self.covered, self.gold)

    @property
    def precision(self) -> float | None:
        """Share of predicted characters that are gold characters (of any label)."""
        return ratio(self.on_gold, self.pred)


@dataclass
class Scores:
    """Aggregated scores of a set of examples."""

    records: int = 0
    labels: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    #: Character counts over all gold spans, and over gold spans of the covered labels only.
    chars_all: CharCounts = field(default_factory=CharCounts)
    chars_covered: CharCounts = field(default_factory=CharCounts)
    negatives: int = 0
    negatives_flagged: int = 0

    def micro(self, labels: Iterable[str] | None = None) -> Counts:
        """Counts summed over ``labels`` (all labels seen when ``None``)."""
        total = Counts()
        wanted = None if labels is None else frozenset(labels)
        for label, counts in self.labels.items():
            if wanted is None or label in wanted:
                total.add(counts)
        return total

    @property
    def negative_flag_rate(self) -> float | None:
        """Share of records without gold spans that got at least one finding."""
        return ratio(self.negatives_flagged, self.negatives)


# -- span matching ---------------------------------------------------------------------------


def exact_matches(gold: Sequence[Span], pred: Sequence[Span]) -> Counter[str]:
    """True positives per label under exact match (start, end and label equal; one-to-one)."""
    g = Counter(gold)
    p = Counter(pred)
    tp: Counter[str] = Counter()
    for span, n in g.items():
        m = min(n, p.get(span, 0))
        if m:
            tp[span.label] += m
    return tp


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _max_matching(gold: Sequence[Span], pred: Sequence[Span]) -> int:
    """Size of a maximum matching between overlapping spans (Kuhn's augmenting paths)."""
    edges = [[j for j, p in enumerate(pred) if _overlaps(g, p)] for g in gold]
    owner: list[int | None] = [None] * len(pred)

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            k = owner[j]
            if k is None or augment(k, seen):
                owner[j] = i
                return True
        return False

    return sum(1 for i in range(len(gold)) if edges[i] and augment(i, set()))


def overlap_matches(gold: Sequence[Span], pred: Sequence[Span]) -> Counter[str]:
    """True positives per label under overlap match (same label, one character in common),
    each gold and predicted span used at most once (a maximum matching per label)."""
    by_label_gold: dict[str, list[Span]] = defaultdict(list)
    by_label_pred: dict[str, list[Span]] = defaultdict(list)
    for s in gold:
        by_label_gold[s.label].append(s)
    for s in pred:
        by_label_pred[s.label].append(s)
    tp: Counter[str] = Counter()
    for label, g in by_label_gold.items():
        p = by_label_pred.get(label)
        if p:
            n = _max_matching(sorted(g), sorted(p))
            if n:
                tp[label] = n
    return tp


# -- characters ------------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[tuple[int, int]]:
    """The union of spans as sorted, disjoint ``(start, end)`` intervals (labels ignored)."""
    out: list[tuple[int, int]] = []
    for s in sorted(spans):
        if s.end <= s.start:
            continue
        if out and s.start <= out[-1][1]:
            if s.end > out[-1][1]:
                out[-1] = (out[-1][0], s.end)
        else:
            out.append((s.start, s.end))
    return out


def length(intervals: Sequence[tuple[int, int]]) -> int:
    """Total length of disjoint intervals."""
    return sum(e - s for s, e in intervals)


def intersection(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Length of the intersection of two sorted lists of disjoint intervals."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def char_counts(gold: Sequence[Span], pred: Sequence[Span], all_gold: Sequence[Span]) -> CharCounts:
    """Character counts of one record: ``gold`` is the scope of the leak recall, ``all_gold``
    every gold span (for character precision)."""
    g = merge(gold)
    p = merge(pred)
    return CharCounts(
        gold=length(g),
        pred=length(p),
        covered=intersection(g, p),
        on_gold=intersection(merge(all_gold), p),
    )


# -- aggregation -----------------------------------------------------------------------------


def score(examples: Iterable[Example], covered: Iterable[str]) -> Scores:
    """Score ``examples``; ``covered`` are the labels the predictor can emit at all."""
    covered_set = frozenset(covered)
    scores = Scores()
    for ex in examples:
        add_example(scores, ex, covered_set)
    return scores


def add_example(scores: Scores, ex: Example, covered: frozenset[str]) -> None:
    """Add one example's counts to ``scores``."""
    scores.records += 1
    for s in ex.gold:
        scores.labels[s.label].gold += 1
    for s in ex.pred:
        scores.labels[s.label].pred += 1
    for label, n in exact_matches(ex.gold, ex.pred).items():
        scores.labels[label].tp_exact += n
    for label, n in overlap_matches(ex.gold, ex.pred).items():
        scores.labels[label].tp_overlap += n
    scores.chars_all.add(char_counts(ex.gold, ex.pred, ex.gold))
    in_scope = [s for s in ex.gold if s.label in covered]
    scores.chars_covered.add(char_counts(in_scope, ex.pred, ex.gold))
    if not ex.gold:
        scores.negatives += 1
        if ex.pred:
            scores.negatives_flagged += 1


def by_source(examples: Iterable[Example], covered: Iterable[str]) -> dict[str, Scores]:
    """Scores per ``source``, sources sorted by name."""
    covered_set = frozenset(covered)
    out: dict[str, Scores] = {}
    for ex in examples:
        add_example(out.setdefault(ex.source, Scores()), ex, covered_set)
    return dict(sorted(out.items()))


def is_rare(counts: Counts) -> bool:
    """Whether a label has too few gold spans for its scores to mean much."""
    return counts.gold < RARE_BELOW


def label_rows(scores: Scores, order: Mapping[str, int] | None = None) -> list[tuple[str, Counts]]:
    """``(label, counts)`` sorted by ``order`` (unknown labels last), then by name."""
    rank = order or {}
    return sorted(scores.labels.items(), key=lambda kv: (rank.get(kv[0], 1 << 30), kv[0]))
