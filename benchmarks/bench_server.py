"""Bounded loopback load test of ``tracemask serve``.

Starts the server (no upstream, discard sink, no access log) on a free 127.0.0.1 port, then for
each body and each concurrency level runs ``--duration`` seconds (at most ``--max-requests``)
of keep-alive HTTP/1.1 requests from one asyncio client, and prints requests/s, p50, p99, max
and errors as a Markdown table. Everything stays on loopback and stops by itself.

    python benchmarks/bench_server.py                      # all bodies, levels 1..32
    python benchmarks/bench_server.py --bodies callback --levels 1,4,16 --duration 5
    python benchmarks/bench_server.py --unique             # a fresh body per request (no cache)
    python benchmarks/bench_server.py --bodies callback --workers 2     # 1 -> 2 worker scaling
    python benchmarks/bench_server.py --bodies callback --levels 1 --slow-clients 100
        # authenticated requests while 100 unauthenticated connections trickle their headers

Bodies: ``callback`` = the sample Langfuse callback body (5 spans, 12 KB) to /langfuse/mask;
``callback100`` = a 100-span callback body; ``otlp100`` = a 100-span OTLP protobuf batch to
/v1/traces.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "server" / "data"
CALLBACK = (DATA / "otlp_genai_trace.langfuse_callback.json").read_bytes()
TRACE_PB = (DATA / "otlp_genai_trace.pb").read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _callback_100() -> bytes:
    doc = json.loads(CALLBACK)
    spans = [s for rs in doc for ss in rs["scopeSpans"] for s in ss["spans"]]
    scope = doc[0]["scopeSpans"][0]
    scope["spans"] = [spans[i % len(spans)] for i in range(100)]
    doc[0]["scopeSpans"] = [scope]
    return json.dumps(doc, separators=(",", ":")).encode()


def _otlp_100() -> bytes:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: PLC0415
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest.FromString(TRACE_PB)
    spans = [s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans]
    out = ExportTraceServiceRequest()
    out.resource_spans.add().CopyFrom(req.resource_spans[0])
    scope = out.resource_spans[0].scope_spans
    del scope[1:]
    del scope[0].spans[:]
    for i in range(100):
        scope[0].spans.add().CopyFrom(spans[i % len(spans)])
    return bytes(out.SerializeToString())


def _variants(body: bytes, count: int) -> list[bytes]:
    """Bodies whose user text differs (defeats the masker's string cache)."""
    return [
        body.replace(b"Jane", b"Jane%05d" % i).replace(b"8812", b"%04d" % i) for i in range(count)
    ]


BODIES = {
    "callback": ("/langfuse/mask", "application/json", lambda: CALLBACK),
    "callback100": ("/langfuse/mask", "application/json", _callback_100),
    "otlp100": ("/v1/traces", "application/x-protobuf", _otlp_100),
}


TOKEN = "bench-token-0123456789"


def _request(path: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _slow_clients(port: int, count: int, stop: asyncio.Event) -> int:
    """``count`` unauthenticated connections sending a request a byte per second, reopened
    when the server closes them; return how many were opened in all."""
    opened = 0
    head = b"POST /langfuse/mask HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"

    async def one() -> None:
        nonlocal opened
        while not stop.is_set():
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            opened += 1
            try:
                for byte in head:
                    if stop.is_set():
                        break
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(1.0)
            except OSError:
                pass  # closed by the server's header timeout: open another
            finally:
                writer.close()

    await asyncio.gather(*(one() for _ in range(count)))
    return opened


async def _level_with_slow(
    port: int, requests: list[bytes], concurrency: int, duration: float, max_requests: int,
    *, slow: int,
) -> tuple[list[float], int, float]:  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(_slow_clients(port, slow, stop))
    await asyncio.sleep(2.0)  # let them connect and start trickling
    try:
        return await _level(port, requests, concurrency, duration, max_requests)
    finally:
        stop.set()
        await task


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _level(
    port: int, requests: list[bytes], concurrency: int, duration: float, max_requests: int
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal errors, sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at and sent < max_requests:
                payload = requests[sent % len(requests)]
                sent += 1
                start = time.perf_counter()
                writer.write(payload)
                await writer.drain()
                status = await _read_response(reader)
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors += 1
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - began


def _start_server(
    port: int, workdir: Path, max_level: int, *, workers: int, timeout_ms: int, threads: int
) -> subprocess.Popen[bytes]:
    config = workdir / "bench.yaml"
    config.write_text(
        json.dumps(
            {
                "server": {
                    "host": "127.0.0.1",
                    "port": port,
                    "access_log": False,
                    "log_level": "warning",
                    "reload_interval_s": 0,
                    "sink": {"kind": "none"},
                    "workers": workers,
                    "auth": {"tokens": [TOKEN]},
                    "limits": {
                        "max_concurrency": max(64, max_level),
                        "max_queue": 1024,
                        "timeout_ms": timeout_ms,
                        "threads": threads,
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "tracemask", "serve", "--config", str(config)],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # workers compile their policies at once: slow when busy
    while time.monotonic() < deadline:
        url = f"http://127.0.0.1:{port}/readyz"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as r:
            if r.status == 200:
                return proc
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


def _pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", default="callback,callback100,otlp100")
    parser.add_argument("--levels", default="1,2,4,8,16,32")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per level")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per level")
    parser.add_argument("--unique", action="store_true", help="a different body per request")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--threads", type=int, default=8, help="masking threads per worker")
    parser.add_argument(
        "--slow-clients", type=int, default=0, help="unauthenticated slow connections held open"
    )
    parser.add_argument(
        "--timeout-ms", type=int, default=450, help="the masking deadline (server default 450)"
    )
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start_server(
            port,
            Path(tmp),
            max(levels),
            workers=args.workers,
            timeout_ms=args.timeout_ms,
            threads=args.threads,
        )
        try:
            print(
                f"tracemask serve on 127.0.0.1:{port}; {platform.python_version()}, "
                f"{os.cpu_count()} CPUs; {args.workers} worker(s) x {args.threads} threads; "
                f"{args.duration:g} s per level; "
                f"{'unique bodies' if args.unique else 'the same body'} per request; "
                f"{args.slow_clients} slow unauthenticated connections\n"
            )
            print("| body | concurrency | requests | req/s | p50 ms | p99 ms | max ms | errors |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for name in args.bodies.split(","):
                path, ctype, make = BODIES[name]
                body = make()
                count = 2000 if name == "callback" else 200
                bodies = _variants(body, count) if args.unique else [body]
                requests = [_request(path, ctype, b) for b in bodies]
                asyncio.run(_level(port, requests, 2, 1.0, 200))  # warm up
                for level in levels:
                    lat, errors, elapsed = asyncio.run(
                        _level_with_slow(
                            port, requests, level, args.duration, args.max_requests,
                            slow=args.slow_clients,
                        )
                        if args.slow_clients
                        else _level(port, requests, level, args.duration, args.max_requests)
                    )  # fmt: skip
                    lat.sort()
                    print(
                        f"| {name} ({len(body) // 1024} KB) | {level} | {len(lat)} | "
                        f"{len(lat) / elapsed:.0f} | {1000 * statistics.median(lat):.1f} | "
                        f"{1000 * _pct(lat, 0.99):.1f} | {1000 * lat[-1]:.1f} | {errors} |",
                        flush=True,
                    )
        finally:
            proc.terminate()
            proc.wait(15)


if __name__ == "__main__":
    main()
