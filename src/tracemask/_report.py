"""What masking found: counts by entity and by JSON path, never values."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Report:
    """Counts of masked values.

    ``by_entity`` counts findings per entity; ``by_path`` counts them per JSON path (list indices
    folded to ``*`` so that paths stay few); ``fields`` counts string values changed. No value and
    no hash of a value is ever stored.
    """

    by_entity: Counter[str] = field(default_factory=Counter)
    by_path: Counter[str] = field(default_factory=Counter)
    by_path_entity: Counter[tuple[str, str]] = field(default_factory=Counter)
    fields: int = 0

    @property
    def total(self) -> int:
        """The number of findings (each key-rule match counts as one)."""
        return sum(self.by_entity.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, entity: str, path: str, count: int = 1) -> None:
        """Count ``count`` findings of ``entity`` at ``path``."""
        self.by_entity[entity] += count
        self.by_path[path] += count
        self.by_path_entity[path, entity] += count

    def merge(self, other: Report) -> None:
        """Add the counts of ``other`` to this report."""
        self.by_entity.update(other.by_entity)
        self.by_path.update(other.by_path)
        self.by_path_entity.update(other.by_path_entity)
        self.fields += other.fields

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable summary (sorted, deterministic)."""
        return {
            "total": self.total,
            "fields": self.fields,
            "by_entity": dict(sorted(self.by_entity.items())),
            "by_path": {
                path: dict(sorted((e, n) for (p, e), n in self.by_path_entity.items() if p == path))
                for path in sorted(self.by_path)
            },
        }
