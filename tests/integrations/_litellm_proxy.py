"""A real ``litellm --config`` proxy process on 127.0.0.1, and what stands around it.

- :class:`FakeUpstream`: an OpenAI-compatible server (chat, tool calls, SSE streams, embeddings)
  whose errors echo the prompt back, as providers' 400s do.
- :data:`RECORDER_MODULE`: a custom logger, loaded by the proxy from the config's directory,
  that writes every event and hook it receives (everything reachable from the arguments) to a
  file.
- :class:`Proxy`: the proxy process; its stdout and stderr are kept to search for leaks.

The proxy needs ``litellm[proxy]``, which does not install beside the dev extra (its pins are
not all published for the newest LiteLLM): it runs from its own virtualenv,
``$TRACEMASK_LITELLM_PROXY`` (the ``litellm`` executable), by default
``.venv-litellm-proxy/bin/litellm`` (``.ci/run`` builds it with ``pip install -e
'.[litellm-proxy]'``).
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROXY = ROOT / ".venv-litellm-proxy" / "bin" / "litellm"

#: Planted values (fake): every one must stay out of every destination.
EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
NAME = "Jane Doe"
API_KEY = "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1"
#: The key the proxy uses for the upstream (a provider credential), and its master key.
UPSTREAM_KEY = "sk-proj-Up5tr3amK3yQw8Lx2Nv6Tb1Hx9Kd4Rm7Pc2Fs5J"
MASTER_KEY = "sk-master-Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1Zq8Lw3"
PLANTED = {
    "email": EMAIL,
    "email-local": "jane.doe@",
    "phone": "555-0132",
    "card": CARD,
    "card-digits": CARD.replace(" ", ""),
    "ssn": SSN,
    "api-key": API_KEY[8:],
    "upstream-key": UPSTREAM_KEY[8:],
    "master-key": MASTER_KEY[10:],
}

PROMPT = (
    f"Hi, I'm {NAME} ({EMAIL}, {PHONE}), SSN {SSN}. Charge card {CARD}. "
    f"My old key {API_KEY} leaked, please revoke it."
)
ANSWER = f"Thanks! I've charged card {CARD} and will email a receipt to {EMAIL}."
TOOL_ARGS = json.dumps({"card_number": CARD, "notify_email": EMAIL})


def leaks(blob: str | bytes) -> list[str]:
    """Planted values found in ``blob`` (raw, or JSON-escaped)."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return [k for k, v in PLANTED.items() if v in text or json.dumps(v)[1:-1] in text]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- upstream --------------------------------------------------------------------------------------


def _prompt_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    return " ".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": ANSWER}
    finish = "stop"
    if body.get("tools"):
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_charge_01",
                    "type": "function",
                    "function": {"name": "charge_card", "arguments": TOOL_ARGS},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-e2e0001",
        "object": "chat.completion",
        "created": 1767225600,
        "model": body.get("model", "gpt-4o-mini"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 182, "completion_tokens": 41, "total_tokens": 223},
    }


def _sse(body: dict[str, Any]) -> bytes:
    base = {
        "id": "chatcmpl-e2e0002",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": body.get("model", "gpt-4o-mini"),
    }
    pieces = [ANSWER[i : i + 7] for i in range(0, len(ANSWER), 7)]  # values split across chunks
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    chunks += [{**base, "choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    usage = {"prompt_tokens": 182, "completion_tokens": 41, "total_tokens": 223}
    chunks.append({**base, "choices": [], "usage": usage})
    lines = [f"data: {json.dumps(c)}\n\n" for c in chunks] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


@dataclass
class FakeUpstream:
    """An OpenAI-compatible upstream. Models ``echo-400``/``echo-500``/``echo-429`` answer with
    that status and the prompt echoed in the error message; any other model answers."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FakeUpstream:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                upstream.requests.append(body)
                model = str(body.get("model", ""))
                if model.startswith("echo-"):
                    status = int(model.split("-")[1])
                    error = {
                        "message": f"Invalid 'messages[1].content': {_prompt_text(body)}",
                        "type": "invalid_request_error",
                        "param": "messages",
                        "code": None,
                    }
                    self._send(status, json.dumps({"error": error}).encode())
                elif self.path.endswith("/embeddings"):
                    data = [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}]
                    usage = {"prompt_tokens": 12, "total_tokens": 12}
                    answer = {"object": "list", "data": data, "model": model, "usage": usage}
                    self._send(200, json.dumps(answer).encode())
                elif body.get("stream"):
                    self._send(200, _sse(body), "text/event-stream")
                else:
                    self._send(200, json.dumps(_completion(body)).encode())

            def _send(self, status: int, payload: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


# -- the custom logger the proxy loads ---------------------------------------------------------

RECORDER_MODULE = '''
"""Records every event and hook this logger receives, as text, to $TRACEMASK_E2E_RECORD."""
import gzip
import json
import os
import threading

from litellm.integrations.custom_logger import CustomLogger

_LOCK = threading.Lock()


def _text(obj, seen=None, depth=0):
    seen = set() if seen is None else seen
    if depth > 12 or id(obj) in seen:
        return ""
    seen.add(id(obj))
    parts = [repr(obj)[:20000]]
    if isinstance(obj, dict):
        for k, v in list(obj.items()):
            parts += [str(k), _text(v, seen, depth + 1)]
    elif isinstance(obj, (list, tuple, set)):
        parts += [_text(v, seen, depth + 1) for v in list(obj)]
    elif hasattr(obj, "__dict__"):
        parts.append(_text(dict(vars(obj)), seen, depth + 1))
    private = getattr(obj, "__pydantic_private__", None)
    if private:
        parts.append(_text(private, seen, depth + 1))
    return " ".join(p for p in parts if p)


def _record(event, **kwargs):
    line = json.dumps({"event": event, "text": _text(kwargs)})
    with _LOCK, open(os.environ["TRACEMASK_E2E_RECORD"], "a", encoding="utf-8") as f:
        f.write(line + "\\n")


class Recorder(CustomLogger):
    def log_pre_api_call(self, model, messages, kwargs):
        _record("log_pre_api_call", messages=messages, kwargs=kwargs)

    def log_post_api_call(self, kwargs, response_obj, start_time, end_time):
        _record("log_post_api_call", kwargs=kwargs, response_obj=response_obj)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        _record("log_success_event", kwargs=kwargs, response_obj=response_obj)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        _record("log_failure_event", kwargs=kwargs, response_obj=response_obj)

    async def async_log_pre_api_call(self, model, messages, kwargs):
        _record("async_log_pre_api_call", messages=messages, kwargs=kwargs)

    async def async_log_stream_event(self, kwargs, response_obj, start_time, end_time):
        _record("async_log_stream_event", kwargs=kwargs, response_obj=response_obj)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        _record("async_log_success_event", kwargs=kwargs, response_obj=response_obj)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        _record("async_log_failure_event", kwargs=kwargs, response_obj=response_obj)

    async def async_post_call_success_hook(self, data, user_api_key_dict, response):
        _record(
            "async_post_call_success_hook", data=data, user=user_api_key_dict, response=response
        )

    async def async_post_call_failure_hook(
        self, request_data, original_exception, user_api_key_dict, traceback_str=None
    ):
        _record(
            "async_post_call_failure_hook",
            data=request_data,
            exception=original_exception,
            user=user_api_key_dict,
            traceback=traceback_str,
        )


recorder = Recorder()

# The proxy's spend-log writer, up to the database: the rows it would insert (the same class
# name, so tracemask treats it as it treats the real one).
from litellm.proxy.hooks.proxy_track_cost_callback import _ProxyDBLogger as _SpendWriter
from litellm.proxy.spend_tracking.spend_tracking_utils import get_logging_payload


def _write_row(kwargs, completion_response, start_time, end_time):
    row = get_logging_payload(
        kwargs=kwargs, response_obj=completion_response, start_time=start_time, end_time=end_time
    )
    _record("spend_log_row", row=row)
    with _LOCK, open(os.environ["TRACEMASK_E2E_RECORD"] + ".rows", "a") as f:
        f.write(json.dumps(dict(row), default=str) + "\\n")


class _RowWriter:
    """Stands in for the DB writer: failure rows go through ``update_database``."""

    async def update_database(self, *, kwargs, completion_response, start_time, end_time, **_):
        _write_row(kwargs, completion_response, start_time, end_time)


class _ProxyDBLogger(_SpendWriter):
    async def _PROXY_track_cost_callback(
        self, kwargs, completion_response, start_time=None, end_time=None
    ):
        _write_row(kwargs, completion_response, start_time, end_time)


spend_rows = _ProxyDBLogger(spend_writer=_RowWriter)
'''


# -- the proxy process -------------------------------------------------------------------------


@dataclass
class Proxy:
    """One ``litellm --config`` process; ``output()`` is what it printed so far."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: Any = None

    def output(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {MASTER_KEY}"}, timeout=60
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        if self.log is not None:
            self.log.close()


def proxy_executable() -> Path | None:
    """The ``litellm`` executable of the proxy virtualenv, if there is one."""
    configured = os.environ.get("TRACEMASK_LITELLM_PROXY")
    path = Path(configured) if configured else DEFAULT_PROXY
    return path if path.exists() else None


#: The marks of a test module that runs the real proxy (``pytestmark = PROXY_MARKS``).
PROXY_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(
        proxy_executable() is None,
        reason="no litellm[proxy] virtualenv (.venv-litellm-proxy, or $TRACEMASK_LITELLM_PROXY)",
    ),
]


def write_config(
    directory: Path,
    upstream: str,
    *,
    callbacks: list[str],
    database: bool,
) -> Path:
    """The proxy's config.yaml (and the recorder module beside it)."""
    (directory / "custom_callbacks.py").write_text(RECORDER_MODULE, "utf-8")
    models = [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("bad-request", "echo-400"),
        ("upstream-down", "echo-500"),
        ("rate-limited", "echo-429"),
    ]
    lines = ["model_list:"]
    for name, upstream_model in models:
        lines += [
            f"  - model_name: {name}",
            "    litellm_params:",
            f"      model: openai/{upstream_model}",
            f"      api_base: {upstream}",
            f"      api_key: {UPSTREAM_KEY}",
            "    model_info:",
            "      input_cost_per_token: 0.000001",
            "      output_cost_per_token: 0.000002",
        ]
    lines += [
        "  - model_name: text-embedding-3-small",
        "    litellm_params:",
        "      model: openai/text-embedding-3-small",
        f"      api_base: {upstream}",
        f"      api_key: {UPSTREAM_KEY}",
        "litellm_settings:",
        "  num_retries: 0",
        "  request_timeout: 30",
        f"  callbacks: {json.dumps(callbacks)}",
        "router_settings:",
        "  num_retries: 0",
        "  allowed_fails: 1000",
        "general_settings:",
        f"  master_key: {MASTER_KEY}",
    ]
    lines += ["  store_prompts_in_spend_logs: true"]
    if database:
        lines += ["  disable_spend_logs: false"]
    path = directory / "config.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def start_proxy(
    executable: Path,
    config: Path,
    env: dict[str, str],
    *,
    timeout: float = 180.0,
) -> Proxy:
    """Start the proxy and wait until ``/health/liveliness`` answers."""
    port = free_port()
    log_path = config.parent / "proxy.log"
    log = log_path.open("wb")
    src = str(ROOT / "src")
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))},
        "PYTHONPATH": os.pathsep.join([src, str(config.parent)]),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_MASTER_KEY": MASTER_KEY,
        "TRACEMASK_HASH_KEY": "e2e-test-accounting-key",
        "DISABLE_ADMIN_UI": "True",
        "LITELLM_DONT_SHOW_FEEDBACK_BOX": "True",
        **env,
    }
    process = subprocess.Popen(
        [str(executable), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=full_env,
        cwd=config.parent,
    )
    proxy = Proxy(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            tail = proxy.output()[-4000:]
            raise RuntimeError(f"the proxy exited ({process.returncode}):\n{tail}")
        try:
            if httpx.get(f"{proxy.url}/health/liveliness", timeout=2).status_code == 200:
                return proxy
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proxy.stop()
    raise RuntimeError(f"the proxy did not start in {timeout:.0f} s:\n{proxy.output()[-4000:]}")


@dataclass
class Sink:
    """One local HTTP server behind every exporting callback: OTLP, Langfuse OTLP, generic."""

    url: str = ""
    requests: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def bodies(self) -> bytes:
        with self.lock:
            return b"\n".join(b for _, b in self.requests)

    def paths(self) -> set[str]:
        with self.lock:
            return {p for p, _ in self.requests}

    def start(self) -> Sink:
        box = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.headers.get("Content-Encoding", "").lower() == "gzip":
                    raw = gzip.decompress(raw)
                with box.lock:
                    box.requests.append((self.path, raw))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def proxy_env(sink: Sink, record: Path) -> dict[str, str]:
    """Where LiteLLM's ``otel``, ``langfuse_otel`` and ``generic_api`` send: ``sink``."""
    return {
        "OTEL_EXPORTER": "otlp_http",
        "OTEL_ENDPOINT": f"{sink.url}/otel/v1/traces",
        "LANGFUSE_PUBLIC_KEY": "pk-lf-e2e",
        "LANGFUSE_SECRET_KEY": "sk-lf-e2e",
        "LANGFUSE_OTEL_HOST": f"{sink.url}/langfuse",
        "GENERIC_LOGGER_ENDPOINT": f"{sink.url}/generic",
        "TRACEMASK_E2E_RECORD": str(record),
    }


def chat(client: httpx.Client, model: str, **extra: Any) -> httpx.Response:
    """A chat request carrying planted values in the prompt, ``user``, metadata and a header."""
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": "You are a billing assistant."},
            {"role": "user", "content": PROMPT},
        ],
        "user": EMAIL,
        "metadata": {"customer_email": EMAIL, "ticket": "T-1042", "session_id": "sess-77"},
        **extra,
    }
    return client.post("/v1/chat/completions", json=body, headers={"x-customer-email": EMAIL})


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


__all__ = [
    "ANSWER",
    "API_KEY",
    "CARD",
    "EMAIL",
    "MASTER_KEY",
    "PLANTED",
    "PROMPT",
    "FakeUpstream",
    "Proxy",
    "Sink",
    "chat",
    "leaks",
    "proxy_env",
    "proxy_executable",
    "read_records",
    "start_proxy",
    "write_config",
]
