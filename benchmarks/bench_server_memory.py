"""Peak memory of ``tracemask serve`` under parallel large bodies (issue 13.6).

Starts the server (no upstream, discard sink, default limits: 20 MB bodies, a 1 GiB memory
budget, ``memory_factor`` 24), posts ``--parallel`` OTLP/JSON bodies of ``--mb`` MB at once to
/v1/traces, and prints each answer's status and the server's peak resident memory (VmHWM).
Admission by decoded size keeps the peak under the budget: the requests that do not fit wait up
to ``queue_timeout_ms``, then get 429 (OTLP exporters retry them).

    python benchmarks/bench_server_memory.py                  # 8 x 19 MB
    python benchmarks/bench_server_memory.py --parallel 4 --mb 10
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = ROOT / "tests" / "server" / "data" / "otlp_genai_trace.langfuse_callback.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _body(mb: float) -> bytes:
    groups = json.loads(CALLBACK.read_bytes())
    one = len(json.dumps(groups))
    return json.dumps({"resourceSpans": groups * max(1, int(mb * 1e6 / one))}).encode()


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _post(port: int, body: bytes) -> tuple[int, float]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/traces",
        data=body,
        headers={"content-type": "application/json"},
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=300) as r:  # noqa: S310
            return r.status, time.perf_counter() - start
    except urllib.error.HTTPError as exc:
        return exc.code, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--mb", type=float, default=19.0)
    args = parser.parse_args()
    body = _body(args.mb)
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "c.json"
        config.write_text(
            json.dumps(
                {
                    "server": {
                        "port": port,
                        "access_log": False,
                        "log_level": "warning",
                        "reload_interval_s": 0,
                        "sink": {"kind": "none"},
                        # A long deadline: this measures memory, not speed.
                        "upstream": {"timeout_s": 120},
                    }
                }
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tracemask", "serve", "--config", str(config)], env=env
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                    break
                time.sleep(0.1)
            idle = _hwm_mb(proc.pid)
            with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
                results = list(pool.map(lambda _: _post(port, body), range(args.parallel)))
            peak = _hwm_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
    print(f"{args.parallel} x {len(body) / 1e6:.1f} MB OTLP/JSON bodies in parallel")
    print(f"server peak RSS: {peak:.0f} MB (after start: {idle:.0f} MB)")
    for status, seconds in sorted(results):
        print(f"  {status} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
