"""Real ``tracemask serve`` processes and a scriptable upstream, all on 127.0.0.1.

Every loop here is bounded in count and time; every process and thread is stopped by its
fixture.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

DATA = Path(__file__).parent / "data"
#: Langfuse's ingestion-masking callback body for the GenAI sample trace (bare ResourceSpans).
CALLBACK_BODY = (DATA / "otlp_genai_trace.langfuse_callback.json").read_bytes()
#: The same trace as an OTLP ExportTraceServiceRequest (protobuf).
TRACE_PB = (DATA / "otlp_genai_trace.pb").read_bytes()
#: The planted fake values of the shared samples.
PLANTED = ("jane.doe@example.com", "+1 (415) 555-0132", "4111 1111 1111 1111")
TOKEN = "test-token-0123456789"


def leaks(data: bytes) -> list[str]:
    """Planted values found in ``data`` (raw or JSON-escaped)."""
    text = data.decode("utf-8", "replace")
    found = [v for v in PLANTED if v in text or json.dumps(v)[1:-1] in text]
    return found + [v for v in ("4111111111111111", "415) 555-0132") if v in text]


def settle_heap() -> None:
    """Collect, then move every object left to the permanent generation. After LiteLLM is
    imported (~400k long-lived objects) a full collection takes ~0.8 s, and the next one would
    land inside some later in-process test's 450 ms masking deadline (a 503 there)."""
    gc.collect()
    gc.freeze()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the upstream: a recording OTLP receiver whose answers a test scripts -------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes  # decompressed


Reply = Callable[[Received], tuple[int, dict[str, str], bytes]]


@dataclass
class Upstream:
    url: str
    requests: list[Received] = field(default_factory=list)
    reply: Reply | None = None
    delay: float = 0.0

    def reset(self) -> None:
        self.requests.clear()
        self.reply = None
        self.delay = 0.0

    def wait(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)


def _decode(raw: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


@pytest.fixture(scope="session")
def upstream() -> Iterator[Upstream]:
    box: dict[str, Upstream] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            up = box["u"]
            req = Received(
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                _decode(raw, self.headers.get("Content-Encoding", "")),
            )
            up.requests.append(req)
            if up.delay:
                time.sleep(min(up.delay, 5.0))
            status, headers, body = (
                up.reply(req)
                if up.reply
                else (200, {"Content-Type": req.headers["content-type"]}, b"")
            )
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the gateway gave up waiting: fine

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    up = Upstream(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    box["u"] = up
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield up
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# -- tracemask serve ------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


@dataclass
class Server:
    """One ``tracemask serve`` process; its stderr goes to ``log_path``."""

    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    config_path: Path

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, trust_env=False, **{"timeout": 10, **kwargs})

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(
    tmp: Path,
    config: dict[str, Any],
    *,
    env: dict[str, str] | None = None,
    policy: str = "",
    ready_s: float = 90,
    args: tuple[str, ...] = (),
) -> Server:
    """Write ``config`` (a policy dict with a ``server`` section), start the server, wait ready."""
    port = free_port()
    section = config.get("server", {})
    # Deadlines are a test's subject only where it sets one: elsewhere a loaded box (xdist
    # workers, browsers, other servers) must not turn a first, cold request into a 503.
    limits = {"timeout_ms": 60_000, **section.get("limits", {})}
    section = {"host": "127.0.0.1", "port": port, **section, "limits": limits}
    config = {**config, "server": section}
    tmp.mkdir(parents=True, exist_ok=True)
    config_path = tmp / "tracemask.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False) + policy, encoding="utf-8")
    log_path = tmp / "server.log"
    log_file = open(log_path, "wb")  # noqa: SIM115 - the child keeps its own descriptor
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracemask", "serve", "--config", str(config_path), *args],
            cwd=tmp,
            env={**_env(), **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    finally:
        log_file.close()
    server = Server(f"http://127.0.0.1:{port}", proc, log_path, config_path)
    deadline = time.monotonic() + ready_s
    with httpx.Client(timeout=1, trust_env=False) as c:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited {proc.returncode}:\n{server.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if c.get(server.url + "/readyz").status_code == 200:
                    return server
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"server not ready in {ready_s:g} s:\n{server.log()}")


@pytest.fixture(scope="session")
def gateway(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The main server: bearer auth, an upstream, small limits for the fault tests, and a
    per-project policy."""
    tmp = tmp_path_factory.mktemp("gateway")
    (tmp / "strict.yaml").write_text(
        "recognizers:\n"
        "  - {name: user ids, entity: USER_ID, pattern: 'user_[0-9]{4}', score: 0.9}\n",
        encoding="utf-8",
    )
    server = start_server(
        tmp,
        {
            "server": {
                "auth": {"tokens": [TOKEN]},
                "limits": {
                    "max_body_bytes": 1024 * 1024,
                    "max_concurrency": 2,
                    "max_queue": 0,
                },
                "upstream": {
                    "endpoint": upstream.url,
                    "timeout_s": 1.5,
                    "attempt_timeout_s": 0.5,
                    "max_attempts": 3,
                    "backoff_s": 0.05,
                    "max_backoff_s": 0.2,
                    "headers": {"x-upstream-key": "k-123"},
                    "pass_headers": ["x-tenant"],
                },
                "projects": [{"project_id": "proj-strict", "policy": "strict.yaml"}],
                "reload_interval_s": 0,
            }
        },
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(gateway: Server, upstream: Upstream) -> Iterator[httpx.Client]:
    upstream.reset()
    with gateway.client(headers={"authorization": f"Bearer {TOKEN}"}) as c:
        yield c
    upstream.reset()


@pytest.fixture(scope="session")
def aux(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server: no auth, an upstream nobody listens on, a 50 ms masking deadline,
    debug logging (for the canary)."""
    server = start_server(
        tmp_path_factory.mktemp("aux"),
        {
            "server": {
                "log_level": "debug",
                "limits": {"timeout_ms": 50},
                "upstream": {
                    "endpoint": f"http://127.0.0.1:{free_port()}",
                    "max_attempts": 3,
                    "backoff_s": 0.01,
                    "timeout_s": 2,
                },
            }
        },
    )
    try:
        yield server
    finally:
        server.stop()
