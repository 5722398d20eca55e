"""``LazyPattern``: a regex compiled the first time it is used.

A default ``Masker`` holds ~350 detector regexes; compiling them all costs ~70 ms, a quarter of
``tracemask redact``'s start-up, while the prefilter lets only the few whose trigger fires run on
a given input. A ``LazyPattern`` compiles on its first call and then binds the compiled
pattern's methods on itself, so that later calls cost what ``re.Pattern``'s do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: The ``re.Pattern`` methods a lazy pattern forwards (bound on itself once compiled).
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")
#: Attributes that need the compiled pattern (``groupindex``: the named groups).
_ATTRIBUTES = ("groupindex", "groups")


class LazyPattern:
    """Stands for ``re.compile(pattern, flags)``, compiled on the first method call.

    Compiling twice from two threads at once is harmless (both results are equal); a pattern
    that does not compile raises ``re.error`` at its first use.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compile(self) -> re.Pattern[str]:
        """Compile now (if not yet) and return the ``re.Pattern``."""
        compiled = re.compile(self.pattern, self.flags)
        for name in (*_METHODS, *_ATTRIBUTES):
            # Instance attributes shadow the class's forwarding methods below.
            setattr(self, name, getattr(compiled, name))
        self.__dict__["_compiled"] = compiled
        return compiled

    def _pattern(self) -> re.Pattern[str]:
        compiled: re.Pattern[str] | None = self.__dict__.get("_compiled")
        return compiled if compiled is not None else self.compile()

    @property
    def is_compiled(self) -> bool:
        return "_compiled" in self.__dict__

    def __getattr__(self, name: str) -> Any:
        # Only reached before the first compile (then they are instance attributes).
        if name in _ATTRIBUTES:
            return getattr(self._pattern(), name)
        raise AttributeError(name)

    def search(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self._pattern().search(*args, **kwargs)

    def match(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self._pattern().match(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> re.Match[str] | None:
        return self._pattern().fullmatch(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Iterator[re.Match[str]]:
        return self._pattern().finditer(*args, **kwargs)

    def findall(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._pattern().findall(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> str:
        return self._pattern().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> tuple[str, int]:
        return self._pattern().subn(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> list[str | Any]:
        return self._pattern().split(*args, **kwargs)

    def __reduce__(self) -> tuple[type[LazyPattern], tuple[str, int]]:
        # A copy (pickle, deepcopy, a spawned worker) starts uncompiled: the bound methods and
        # ``groupindex`` of a compiled one do not pickle.
        return (LazyPattern, (self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"
