"""Where parts live: local paths or fsspec URLs (``s3://``, ``gs://``, ``az://``, ``file://``).

Local paths need nothing beyond the standard library; a URL needs ``fsspec`` (the ``batch``
extra) and the file system's own package (``s3fs``, ``gcsfs``, ``adlfs``: extras ``s3``,
``gcs``, ``azure``). Outputs are committed whole: a local part is written under a temporary
name in its directory and renamed; a remote part is written to a local temporary file and
uploaded in one put, so a reader never sees half of it.
"""

from __future__ import annotations

import contextlib
import glob as _glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from tracemask.exceptions import InputError

#: Prefix of the temporary files of parts being written (``.tracemask-tmp-…``).
TMP_PREFIX = ".tracemask-tmp-"
_GLOB_CHARS = frozenset("*?[")

EXTRA = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure"}


def is_url(path: str) -> bool:
    """Whether ``path`` names a file system by protocol (``s3://…``); ``file://`` counts."""
    return "://" in path


def has_glob(path: str) -> bool:
    return any(c in _GLOB_CHARS for c in path)


def _fsspec(path: str) -> Any:
    try:
        import fsspec  # noqa: PLC0415 - an extra, needed only for URLs
    except ImportError:
        raise InputError(
            f"{path}: URLs need the batch extra: pip install 'tracemask[batch]'"
        ) from None
    return fsspec


def url_to_fs(path: str, options: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The fsspec file system for ``path`` and the path inside it."""
    fsspec = _fsspec(path)
    try:
        return fsspec.core.url_to_fs(path, **(options or {}))  # type: ignore[no-any-return]
    except ImportError as exc:
        protocol = path.split("://", 1)[0]
        extra = EXTRA.get(protocol, "batch")
        raise InputError(
            f"{path}: {protocol}:// needs the {extra} extra: pip install 'tracemask[{extra}]' "
            f"({exc.name or 'a module'} is missing)"
        ) from None
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None


class Location:
    """One file: a local path or a URL, with the file system that reads and writes it."""

    def __init__(self, path: str, options: dict[str, Any] | None = None) -> None:
        self.path = path
        self.options = options or {}
        self.local = not is_url(path) or path.startswith("file://")
        self.fs_path = path.removeprefix("file://") if self.local else path

    def __repr__(self) -> str:
        return f"Location({self.path!r})"

    def _fs(self) -> tuple[Any, str]:
        return url_to_fs(self.path, self.options)

    def size(self) -> int:
        try:
            if self.local:
                return os.stat(self.fs_path).st_size
            fs, inner = self._fs()
            return int(fs.size(inner))
        except (OSError, FileNotFoundError) as exc:
            raise InputError(f"{self.path}: cannot read ({_reason(exc)})") from None

    @contextlib.contextmanager
    def open_read(self) -> Iterator[IO[bytes]]:
        """The file's raw bytes (no decompression)."""
        try:
            if self.local:
                f: IO[bytes] = open(self.fs_path, "rb")  # noqa: SIM115 - closed below
            else:
                fs, inner = self._fs()
                f = fs.open(inner, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read ({_reason(exc)})") from None
        with f:
            yield f

    def exists(self) -> bool:
        if self.local:
            return os.path.exists(self.fs_path)
        fs, inner = self._fs()
        return bool(fs.exists(inner))

    def join(self, rel: str) -> Location:
        """The location ``rel`` below this one (a directory)."""
        rel = rel.replace(os.sep, "/")
        if self.local:
            return Location(os.path.join(self.fs_path, *rel.split("/")), self.options)
        return Location(self.path.rstrip("/") + "/" + rel, self.options)

    def read_text(self) -> str | None:
        """The whole file as UTF-8, or ``None`` when it does not exist."""
        try:
            with self.open_read() as f:
                return f.read().decode("utf-8")
        except InputError:
            return None

    @contextlib.contextmanager
    def commit(self, private: bool = False) -> Iterator[str]:
        """Yield a local temporary path to write; on success it becomes this file, whole.

        On error the temporary file is removed and this file is left as it was.
        """
        if self.local:
            directory = os.path.dirname(os.path.abspath(self.fs_path))
            try:
                os.makedirs(directory, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=directory)
            except OSError as exc:
                raise InputError(f"{self.path}: cannot write ({_reason(exc)})") from None
            os.close(fd)
            try:
                yield tmp
                if private:
                    os.chmod(tmp, 0o600)
                else:
                    umask = os.umask(0)
                    os.umask(umask)
                    os.chmod(tmp, 0o666 & ~umask)
                os.replace(tmp, self.fs_path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            return
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX)
        os.close(fd)
        try:
            yield tmp
            fs, inner = self._fs()
            parent = inner.rsplit("/", 1)[0]
            with contextlib.suppress(Exception):
                fs.makedirs(parent, exist_ok=True)
            # One put: object stores make an object visible only once it is complete.
            fs.put_file(tmp, inner)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def write_bytes(self, data: bytes) -> None:
        """Write ``data`` as this whole file (atomically)."""
        with self.commit() as tmp, open(tmp, "wb") as f:
            f.write(data)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, FileNotFoundError):
        return "No such file or directory"
    return type(exc).__name__


def expand(
    path: str, suffixes: frozenset[str], options: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The files that ``path`` names, as ``(location, relative path)`` pairs, sorted.

    A directory is walked for files whose name ends with one of ``suffixes`` (hidden files and
    tracemask's own outputs skipped); a glob matches files by pattern; a file is itself. The
    relative path (for mirroring the layout under ``-o``) is taken from the directory, or the
    glob's fixed leading directory, or is the file's name.
    """
    if not is_url(path) or path.startswith("file://"):
        local = path.removeprefix("file://")
        if has_glob(local):
            base = _glob_base(local)
            hits = sorted(p for p in _glob.glob(local, recursive=True) if os.path.isfile(p))
            return [(p, os.path.relpath(p, base)) for p in hits if _wanted(p, suffixes, True)]
        if os.path.isdir(local):
            found = []
            for root, dirs, files in os.walk(local):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                for name in sorted(files):
                    p = os.path.join(root, name)
                    if _wanted(p, suffixes, False):
                        found.append((p, os.path.relpath(p, local)))
            return found
        if not os.path.exists(local):
            raise InputError(f"{path}: cannot read (No such file or directory)")
        return [(local, os.path.basename(local))]
    fs, inner = url_to_fs(path, options)
    protocol = path.split("://", 1)[0]

    def url(p: str) -> str:
        return f"{protocol}://{p.removeprefix(protocol + '://')}"

    if has_glob(inner):
        base = _glob_base(inner)
        hits = sorted(p for p in fs.glob(inner) if fs.isfile(p))
        return [(url(p), _rel(p, base)) for p in hits if _wanted(p, suffixes, True)]
    if fs.isdir(inner):
        hits = sorted(fs.find(inner))
        pairs = [(url(p), _rel(p, inner)) for p in hits]
        return [(u, r) for u, r in pairs if _wanted(r, suffixes, False)]
    if not fs.exists(inner):
        raise InputError(f"{path}: cannot read (No such file or directory)")
    return [(path, inner.rsplit("/", 1)[-1])]


def _rel(p: str, base: str) -> str:
    return p[len(base.rstrip("/")) + 1 :] if p.startswith(base.rstrip("/") + "/") else p


def _glob_base(pattern: str) -> str:
    parts = pattern.replace(os.sep, "/").split("/")
    fixed = []
    for part in parts:
        if has_glob(part):
            break
        fixed.append(part)
    return "/".join(fixed) or "."


def _wanted(path: str, suffixes: frozenset[str], explicit: bool) -> bool:
    name = path.replace(os.sep, "/").rsplit("/", 1)[-1]
    if name.startswith((TMP_PREFIX, "_tracemask")):
        return False
    if explicit:
        return True
    return not name.startswith(".") and any(name.lower().endswith(s) for s in suffixes)


def copy_to(src: str, stream: IO[bytes]) -> None:
    """Copy the local file ``src`` to ``stream``."""
    with open(src, "rb") as f:
        shutil.copyfileobj(f, stream)
