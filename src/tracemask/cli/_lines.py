"""A JSON Lines file masked in chunks: batched through ``Masker.mask_many``, spread over workers.

The file is cut into chunks of whole lines (about ``CHUNK_BYTES`` each). The first chunk is
masked in this process (it warms the engine: prefilter database, lexicon, regexes), the others
by ``jobs`` worker processes, forked after that warm-up where the platform can fork (they
inherit the ready ``Masker``), spawned otherwise (each builds the same ``Masker`` from the same
policy). Results are written in input order; the first error stops the job and names its line,
never its content, and the caller's atomic output then leaves nothing behind (fail closed).

Records are masked independently of one another, so the output is the same for any number of
workers, except with counter pseudonyms (``<PERSON_1>``…), numbered in input order: those run
in one process.
"""

from __future__ import annotations

import collections
import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from tracemask._jsonstr import encode_like
from tracemask._report import Report
from tracemask._scope import use_scope
from tracemask.cli._io import BOM, Input, decode, parse_json, progress, split_eol
from tracemask.exceptions import MaskingError

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from tracemask._masker import Masker

#: Input bytes per chunk (one task of a worker): big enough that sending it to a worker and
#: back costs little next to masking it, small enough to keep every worker busy to the end.
CHUNK_BYTES = 1 << 20
#: Input bytes of the first chunk, masked here before any worker starts: small, so that the
#: workers start soon, yet enough to warm the engine they inherit.
FIRST_CHUNK_BYTES = 1 << 16
#: Chunks in flight per worker (read ahead while the workers mask).
AHEAD = 2


@dataclass(frozen=True)
class Chunk:
    """Consecutive raw lines of the input, the first numbered ``first`` (1-based)."""

    first: int
    raws: list[bytes]


@dataclass
class _State:
    """What a worker needs: set before the workers fork, or by their initializer."""

    masker: Masker
    src: Input
    scopes: Mapping[str, str]


_STATE: _State | None = None


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def order_dependent(masker: Masker) -> bool:
    """Whether the output of a record depends on the records before it (counter pseudonyms)."""
    return any(getattr(op, "style", None) == "counter" for op in masker.compiled.bound_operators)


def chunks(src: Input, stream: IO[bytes], size: int | None = None) -> Iterator[Chunk]:
    """The input's lines in chunks of about ``size`` bytes (whole lines; the first one
    smaller), progress on a TTY."""
    size = size or CHUNK_BYTES
    limit = min(size, FIRST_CHUNK_BYTES)
    bar = progress(src)
    first, raws, held = 1, [], 0
    try:
        for number, raw in enumerate(stream, start=1):
            raws.append(raw)
            held += len(raw)
            if held >= limit:
                yield Chunk(first, raws)
                if bar is not None:
                    bar.update(held)
                first, raws, held, limit = number + 1, [], 0, size
        if raws:
            yield Chunk(first, raws)
            if bar is not None:
                bar.update(held)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def mask_chunk(masker: Masker, src: Input, chunk: Chunk) -> tuple[str, Report]:
    """The masked text of ``chunk`` and its counts; errors name the line, never the value."""
    records: list[tuple[int, str, str, Any]] = []
    out: list[str | int] = []  # text kept as is, or the index of a masked record
    for number, raw in enumerate(chunk.raws, start=chunk.first):
        line = decode(raw.removeprefix(BOM) if number == 1 else raw, src, number)
        content, eol = split_eol(line)
        if not content.strip():
            out.append(line)
            continue
        out.append(len(records))
        records.append((number, content, eol, parse_json(content, src, number)))
    report = Report()
    masked = _mask_records(masker, src, records, report)
    text = []
    for item in out:
        if isinstance(item, str):
            text.append(item)
            continue
        _, content, eol, obj = records[item]
        new = masked[item]
        text.append((content if new == obj else encode_like(content, new)) + eol)
    return "".join(text), report


def _mask_records(
    masker: Masker, src: Input, records: list[tuple[int, str, str, Any]], report: Report
) -> list[Any]:
    objs = [obj for _, _, _, obj in records]
    if not masker.compiled.scope_kinds:
        # One ``mask_many`` call (records share no scope-dependent output). On a failure the
        # records are masked one by one below, so that the failing line is the one named.
        batch = Report()
        with contextlib.suppress(MaskingError):
            masked = list(masker.mask_many(objs, report=batch))
            report.merge(batch)
            return masked
    result: list[Any] = []
    try:
        for _, _, _, obj in records:
            result.append(masker.mask(obj, report=report))
    except MaskingError as exc:
        number = records[len(result)][0]
        raise MaskingError(f"{src.name}: line {number}: {exc}") from None
    return result


def _work(chunk: Chunk) -> tuple[str, Report]:
    state = _STATE
    if state is None:  # pragma: no cover - set by fork or by the initializer
        raise MaskingError("worker started without a masker")
    with use_scope(**state.scopes):
        return mask_chunk(state.masker, state.src, chunk)


def _init_spawned(
    policy: str | None, profile: str | None, src: Input, scopes: dict[str, str]
) -> None:
    global _STATE  # noqa: PLW0603 - one worker process, one masker
    from tracemask.cli._app import make_masker  # noqa: PLC0415 - in the worker only

    _STATE = _State(make_masker(policy, profile), src, scopes)


def run(
    masker: Masker,
    src: Input,
    stream: IO[bytes],
    write: Callable[[str], object],
    report: Report,
    *,
    jobs: int,
    scopes: Mapping[str, str],
    policy: str | None,
    profile: str | None,
) -> None:
    """Mask the JSON Lines ``stream`` of ``src`` into ``write``, in order, with ``jobs`` workers."""
    global _STATE  # noqa: PLW0603 - inherited by forked workers
    pending = chunks(src, stream)
    first = next(pending, None)
    if first is None:
        return
    # The first chunk here: it warms the engine that forked workers inherit, and a small file
    # (one chunk) starts no worker at all.
    with use_scope(**scopes):
        text, counts = mask_chunk(masker, src, first)
    write(text)
    report.merge(counts)
    if src.size is not None:
        # No more workers than chunks left (they all start at the first task); one chunk
        # left is masked here rather than by one worker while this process waits.
        left = src.size - sum(len(raw) for raw in first.raws)
        jobs = min(jobs, -(-left // CHUNK_BYTES))
    if jobs <= 1:
        with use_scope(**scopes):
            for chunk in pending:
                text, counts = mask_chunk(masker, src, chunk)
                write(text)
                report.merge(counts)
        return
    second = next(pending, None)
    if second is None:
        return
    # Imported here: a one-chunk file (most CLI calls) does not pay for them.
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    others = set(multiprocessing.active_children())
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        _STATE = _State(masker, src, dict(scopes))
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    else:  # pragma: no cover - macOS/Windows default
        pool = ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_spawned,
            initargs=(policy, profile, src, dict(scopes)),
        )
    try:
        _drive(pool, _chain(second, pending), write, report, jobs)
    except BrokenProcessPool:
        _stop(pool, others)
        raise MaskingError(
            f"{src.name}: a worker process ended abruptly (killed, or out of memory?)"
        ) from None
    except BaseException:
        _stop(pool, others)
        raise
    finally:
        _STATE = None
        pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor, others: set[Any]) -> None:
    """Stop at once after an error or Ctrl-C: the output is discarded anyway, so the workers
    are not left to finish the chunks they hold (seconds each)."""
    import multiprocessing  # noqa: PLC0415 - imported already by the caller

    pool.shutdown(wait=False, cancel_futures=True)
    for child in set(multiprocessing.active_children()) - others:
        child.terminate()


def _drive(
    pool: ProcessPoolExecutor,
    todo: Iterator[Chunk],
    write: Callable[[str], object],
    report: Report,
    jobs: int,
) -> None:
    """Submit ``todo`` to ``pool``, at most ``AHEAD`` chunks per worker in flight, and write
    the results in input order."""
    inflight: collections.deque[Future[tuple[str, Report]]] = collections.deque()
    for chunk in todo:
        inflight.append(pool.submit(_work, chunk))
        if len(inflight) >= jobs * AHEAD:
            text, counts = inflight.popleft().result()
            write(text)
            report.merge(counts)
    while inflight:
        text, counts = inflight.popleft().result()
        write(text)
        report.merge(counts)


def _chain(first: Chunk, rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield first
    yield from rest
