"""A real HTTP server on 127.0.0.1 that records what SDKs send: the egress the tests inspect."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Request:
    """One request as it arrived: method, path, headers and the body (decompressed)."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class CaptureServer:
    """Records every request; ``reply`` decides the answer (default 200 with ``{}``)."""

    url: str
    requests: list[Request] = field(default_factory=list)
    reply: Callable[[Request], tuple[int, dict[str, str], bytes]] | None = None

    def bodies(self) -> bytes:
        """Every body received so far, concatenated: the bytes to search for leaks."""
        return b"\n".join(r.body for r in self.requests)

    def wait(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until at least ``count`` requests have arrived."""
        import time  # noqa: PLC0415

        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)


def _decode(raw: bytes, encoding: str) -> bytes:
    encoding = encoding.lower().strip()
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    if encoding == "zstd":
        import zstandard  # noqa: PLC0415 - only LangSmith compresses with zstd

        return zstandard.ZstdDecompressor().decompressobj().decompress(raw)
    return raw


def start_capture_server() -> tuple[CaptureServer, Callable[[], None]]:
    """Start a capture server on a free port of 127.0.0.1; return it and its ``stop``."""
    server_box: dict[str, CaptureServer] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = _decode(raw, self.headers.get("Content-Encoding", ""))
            req = Request(self.command, self.path, dict(self.headers.items()), raw, body)
            cap = server_box["s"]
            cap.requests.append(req)
            status, headers, payload = (
                cap.reply(req) if cap.reply else (200, {"Content-Type": "application/json"}, b"{}")
            )
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    cap = CaptureServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    server_box["s"] = cap
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return cap, stop


@pytest.fixture
def capture_server() -> Iterator[CaptureServer]:
    """Start a capture server for one test; stop it afterwards."""
    cap, stop = start_capture_server()
    try:
        yield cap
    finally:
        stop()
