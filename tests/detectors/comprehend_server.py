"""A local ``DetectPiiEntities`` endpoint for the Comprehend backend's tests.

It speaks the API's wire format (JSON 1.1, ``X-Amz-Target``) to a real boto3 client, so
botocore's signing, retries, backoff and timeouts run as they do against AWS. Its "model"
reports the values a test declares, wherever they occur, with code-point offsets as the API
documents them. It enforces the documented 100 KB UTF-8 limit and can be scripted to throttle,
fail or stall.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET = "Comprehend_20171127.DetectPiiEntities"
LIMIT = 100_000


class FakeComprehend:
    """State of the endpoint: declared values, scripted failures, requests seen."""

    def __init__(self) -> None:
        #: value -> (Comprehend type, score)
        self.known: dict[str, tuple[str, float]] = {}
        #: what the next requests do before answering: "throttle", "error", "stall"
        self.script: list[str] = []
        self.stall = 2.0
        #: the Text of every request received (including retried ones)
        self.texts: list[str] = []
        self.url = ""
        self._lock = threading.Lock()

    def declare(self, value: str, kind: str, score: float = 0.99) -> None:
        self.known[value] = (kind, score)

    def answer(self, text: str) -> list[dict[str, object]]:
        found: list[dict[str, object]] = []
        for value, (kind, score) in self.known.items():
            start = text.find(value)
            while start != -1:
                found.append(
                    {
                        "Score": score,
                        "Type": kind,
                        "BeginOffset": start,
                        "EndOffset": start + len(value),
                    }
                )
                start = text.find(value, start + 1)
        return found

    def next_step(self) -> str | None:
        with self._lock:
            return self.script.pop(0) if self.script else None


def _handler(state: FakeComprehend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _reply(self, status: int, body: dict[str, object]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.headers.get("X-Amz-Target") != TARGET:
                self._reply(400, {"__type": "UnknownOperationException", "message": "?"})
                return
            text = body["Text"]
            with state._lock:
                state.texts.append(text)
            step = state.next_step()
            if step == "throttle":
                self._reply(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
                return
            if step == "error":
                self._reply(500, {"__type": "InternalServerException", "message": "oops"})
                return
            if step == "stall":
                time.sleep(state.stall)
            if len(text.encode("utf-8")) > LIMIT:
                self._reply(
                    400, {"__type": "TextSizeLimitExceededException", "message": "too long"}
                )
                return
            if body.get("LanguageCode") not in ("en", "es"):
                self._reply(400, {"__type": "UnsupportedLanguageException", "message": "lang"})
                return
            self._reply(200, {"Entities": state.answer(text)})

    return Handler


@contextmanager
def fake_comprehend() -> Iterator[FakeComprehend]:
    """Run the endpoint on 127.0.0.1 for the duration of the block."""
    state = FakeComprehend()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
