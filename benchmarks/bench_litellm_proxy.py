"""Added latency of tracemask in a real LiteLLM proxy: two ``litellm --config`` processes, one run.

Both proxies load the same callbacks (LiteLLM's ``otel``, ``langfuse_otel`` and ``generic_api``
exporting to one local server) and forward to the same fake OpenAI-compatible upstream; one of
them also loads ``tracemask.integrations.litellm.proxy_handler_instance``. Requests (a chat
completion whose prompt, ``user`` and metadata carry personal data and a key) alternate between
the two, one at a time, after a warm-up; the client-side latency of each is timed, and the CPU
time each proxy process used over the timed requests is read from ``/proc`` (on a machine shared
with other work, CPU per request is the steadier figure: the wall-clock tail also measures the
neighbours). Prints p50, p90, p99, mean and CPU per request per proxy and the differences as a
Markdown table. Everything stays on 127.0.0.1 and stops by itself.

    python benchmarks/bench_litellm_proxy.py                  # 300 requests per proxy
    python benchmarks/bench_litellm_proxy.py --requests 100 --stream

Needs the proxy virtualenv (``.venv-litellm-proxy``, or ``$TRACEMASK_LITELLM_PROXY``: see
docs/integrations/litellm.md, "Install").
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integrations._litellm_proxy import (  # noqa: E402 - after the path above
    FakeUpstream,
    Sink,
    chat,
    proxy_env,
    proxy_executable,
    start_proxy,
    write_config,
)

OTHERS = ["otel", "langfuse_otel", "generic_api"]
TRACEMASK = "tracemask.integrations.litellm.proxy_handler_instance"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _report(rows: dict[str, dict[str, float]], requests: int, *, stream: bool) -> None:
    kind = "streamed" if stream else "non-streamed"
    print(
        f"{requests} {kind} chat completions per proxy, alternating, one at a time "
        f"(Python {platform.python_version()}, {platform.machine()})\n"
    )
    print("| proxy | p50 ms | p90 ms | p99 ms | mean ms | CPU ms/request |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("without", "with"):
        r = rows[name]
        label = "with tracemask" if name == "with" else "without tracemask"
        cells = " | ".join(f"{r[k]:.2f}" for k in ("p50", "p90", "p99", "mean", "cpu"))
        print(f"| {label} | {cells} |")
    d = {k: rows["with"][k] - rows["without"][k] for k in rows["with"]}
    cells = " | ".join(f"{d[k]:+.2f}" for k in ("p50", "p90", "p99", "mean", "cpu"))
    print(f"| added | {cells} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per proxy")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per proxy")
    parser.add_argument("--stream", action="store_true", help="streamed completions")
    args = parser.parse_args()
    executable = proxy_executable()
    if executable is None:
        print("no proxy virtualenv: see docs/integrations/litellm.md, Install", file=sys.stderr)
        return 2
    upstream, sink = FakeUpstream().start(), Sink().start()
    proxies = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name, callbacks in (("without", OTHERS), ("with", [TRACEMASK, *OTHERS])):
                directory = Path(tmp) / name
                directory.mkdir()
                config = write_config(directory, upstream.url, callbacks=callbacks, database=False)
                env = proxy_env(sink, directory / "record.jsonl")
                proxies[name] = start_proxy(executable, config, env)
            clients = {name: proxy.client() for name, proxy in proxies.items()}
            times: dict[str, list[float]] = {name: [] for name in proxies}
            extra = {"stream": True} if args.stream else {}
            cpu: dict[str, float] = {}
            for i in range(args.warmup + args.requests):
                if i == args.warmup:
                    time.sleep(1.0)  # the warm-up's background logging settles
                    cpu = {n: -_cpu_seconds(p.process.pid) for n, p in proxies.items()}
                for name in ("without", "with") if i % 2 else ("with", "without"):
                    start = time.perf_counter()
                    response = chat(clients[name], "gpt-4o-mini", **extra)
                    response.read()
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200:
                        raise RuntimeError(f"{name}: HTTP {response.status_code}")
                    if i >= args.warmup:
                        times[name].append(elapsed * 1000)
            time.sleep(1.5)  # background logging of the last requests (export is batched)
            for name, proxy in proxies.items():
                cpu[name] += _cpu_seconds(proxy.process.pid)
            for client in clients.values():
                client.close()
        finally:
            for proxy in proxies.values():
                proxy.stop()
            upstream.stop()
            sink.stop()
    rows = {
        name: {
            "p50": statistics.median(values),
            "p90": _percentile(values, 0.90),
            "p99": _percentile(values, 0.99),
            "mean": statistics.fmean(values),
            "cpu": cpu[name] * 1000 / len(values),
        }
        for name, values in times.items()
    }
    _report(rows, args.requests, stream=args.stream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
