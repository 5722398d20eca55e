"""What the documentation's invisible setup blocks use: real local servers its snippets talk to.

A page's setup starts a recording HTTP server (the SDKs' egress) or a real ``tracemask serve``
process and points the environment at it (``LANGFUSE_BASE_URL``, ``OTEL_EXPORTER_OTLP_ENDPOINT``,
…), so the snippet, copied verbatim, runs against it; a hidden block after the snippet checks
what arrived. Everything started here is stopped when the document ends (``conftest.py`` calls
:func:`cleanup`), and the environment is restored there too.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integrations.conftest import CaptureServer, start_capture_server

_STACK = contextlib.ExitStack()


def at_end(stop: Callable[[], None]) -> None:
    """Run ``stop`` when the current document ends (last registered, first run)."""
    _STACK.callback(stop)


def cleanup() -> None:
    """Stop everything the document started (all run; an error is raised after them)."""
    _STACK.close()


def recording_server() -> CaptureServer:
    """A local HTTP server recording every request (bodies decompressed)."""
    cap, stop = start_capture_server()
    at_end(stop)
    return cap


def tracemask_serve(config: dict[str, Any] | None = None) -> str:
    """Start a real ``tracemask serve`` process (free port, no auth); return its base URL."""
    from tests.server.conftest import start_server  # noqa: PLC0415 - needs the server extra

    tmp = Path(tempfile.mkdtemp(prefix="tracemask-doc-serve-"))
    at_end(lambda: shutil.rmtree(tmp, ignore_errors=True))
    server = start_server(tmp, config or {})
    at_end(server.stop)
    return server.url


def reset_otel_tracer_provider() -> None:
    """Forget a global tracer provider a snippet set (OTel allows setting it once a process).

    Private OTel state, reset the way OTel's own test utilities do, so that the next document
    (or test) in this process starts from the SDK's default again.
    """
    from opentelemetry import trace  # noqa: PLC0415
    from opentelemetry.util._once import Once  # noqa: PLC0415

    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if callable(shutdown):
        shutdown()
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()


def assert_masked(cap: CaptureServer, planted: tuple[str, ...], tokens: tuple[str, ...]) -> None:
    """Something arrived; no ``planted`` value in it; each of ``tokens`` in it."""
    assert cap.requests, "nothing was sent to the recording server"
    body = cap.bodies().decode("utf-8", "replace")
    leaked = [v for v in planted if v in body]
    assert not leaked, f"sent unmasked: {leaked}"
    missing = [t for t in tokens if t not in body]
    assert not missing, f"not in what was sent: {missing}"


def langfuse_project(cap: CaptureServer) -> None:
    """Point ``LANGFUSE_*`` at ``cap`` with a fresh key pair; the previous project's client is
    shut down first (the SDK keeps one client per public key, and ``@observe`` refuses to pick
    one of several), the last one when the document ends.
    """
    import os  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    from langfuse._client.resource_manager import LangfuseResourceManager  # noqa: PLC0415

    public_key = f"pk-lf-docs-{uuid.uuid4().hex[:12]}"
    os.environ["LANGFUSE_PUBLIC_KEY"] = public_key
    os.environ["LANGFUSE_SECRET_KEY"] = f"sk-lf-docs-{uuid.uuid4().hex[:12]}"
    os.environ["LANGFUSE_BASE_URL"] = cap.url

    def stop() -> None:
        manager = LangfuseResourceManager._instances.pop(public_key, None)
        if manager is not None:
            manager.shutdown()

    while _LANGFUSE:
        _LANGFUSE.pop()()
    _LANGFUSE.append(stop)
    at_end(stop)


#: The ``stop`` of the current Langfuse project (at most one).
_LANGFUSE: list[Callable[[], None]] = []


def langsmith_endpoint(cap: CaptureServer) -> None:
    """Point ``LANGSMITH_*`` at ``cap`` (tracing on, a test key); ``cap`` answers like LangSmith
    (``/info`` without compression: multipart bodies stay readable). LangSmith caches what it
    reads from the environment: cleared now and when the document ends.
    """
    import os  # noqa: PLC0415

    from tests.integrations.test_langsmith import INFO, _clear_env_caches, answer_like  # noqa: PLC0415

    cap.reply = answer_like(INFO["multipart"])
    os.environ.update(
        LANGSMITH_ENDPOINT=cap.url,
        LANGSMITH_API_KEY="lsv2-docs-test",
        LANGSMITH_TRACING="true",
        LANGSMITH_REVISION_ID="docs",  # else LangSmith runs `git describe` in the cwd
    )
    _clear_env_caches()
    at_end(_clear_env_caches)


def page_block(page: str, first_line: str) -> str:
    """The code block of ``page`` (relative to the checkout) whose first line is ``first_line``:
    a file the page shows (``# encrypt.yaml``), written where its commands read it."""
    text = (Path(__file__).resolve().parents[1] / page).read_text(encoding="utf-8")
    for block in text.split("```")[1::2]:
        body = block.split("\n", 1)[1] if "\n" in block else ""
        if body.startswith(first_line + "\n"):
            return body
    raise LookupError(f"{page}: no code block starting with {first_line!r}")
