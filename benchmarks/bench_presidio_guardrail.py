"""Added latency per LiteLLM call of LiteLLM's Presidio guardrail (``pre_call``), pointed at
``tracemask serve --presidio-port`` and at Presidio's own engines served the same way, one run.
Three processes on 127.0.0.1: ``tracemask serve`` (default policy, Presidio API on a second
port), ``benchmarks/presidio_app.py`` (``presidio-analyzer`` with spaCy and ``presidio-
anonymizer`` under uvicorn) and a fake OpenAI-compatible model. One LiteLLM
``_OPTIONAL_PresidioPIIMasking`` per target (its own class, unmodified, only the two base URLs
differ) plus no guardrail at all (and, with ``--floor``, one pointed at a server with the same
API doing no work: the HTTP and guardrail floor). Each call is what LiteLLM's proxy does for a
chat completion with a ``pre_call`` guardrail: the guardrail's pre-call hook (``/analyze`` +
``/anonymize`` per message, messages in parallel), then ``litellm.acompletion`` to the model
with what the hook returned. The variants alternate, one call at a time, after a warm-up.
Reported per variant: the hook's time (the latency the guardrail adds to the call) and the whole
call's, p50/p90/p99/mean, and what reached the model.

    python benchmarks/bench_presidio_guardrail.py                # 200 calls per variant
    python benchmarks/bench_presidio_guardrail.py --calls 50 --warmup 5 --scenario long
    python benchmarks/bench_presidio_guardrail.py --repeat   # the same texts on every call

Scenarios: ``short`` (a system prompt and a 170-byte user message with personal data and a
key), ``long`` (the same plus a pasted ~4 KB e-mail thread with names, addresses, phones,
cards and IBANs of several countries) and ``chat`` (the system prompt, four earlier turns and
the short user message). Texts are new on every call (cold), except in ``chat``, where only the
last message is (the conversation is sent again, as a chat client does), and with
``--repeat``, where none is.

Needs the ``server``, ``litellm`` and ``compare`` extras (presidio-analyzer,
presidio-anonymizer, a spaCy pipeline).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.integrations._litellm_proxy import EMAIL, PLANTED, PROMPT, FakeUpstream  # noqa: E402

SYSTEM = "You are a billing assistant. Answer briefly and never repeat card numbers."
#: A pasted e-mail thread (~4 KB): the long prompt of a support or RAG call.
THREAD = "\n\n".join(
    f"From: {name} <{mail}>\nSent: Monday, {day} November 2026 {hour}:14\n"
    f"Subject: RE: refund for order #{order} (ticket T-{order % 9973})\n\n"
    f"Hello team, this is {name} again about the duplicate charge on order #{order}. "
    f"You can reach me on {phone} or by post at {street}. The card ending in the digits "
    f"below was charged twice: {card}. Please refund to IBAN {iban} instead, as agreed with "
    "your colleague last week. I attached the invoice and the bank statement; the amounts are "
    "EUR 149.90 each, booked on two consecutive days. If anything is missing, tell me which "
    "document you need and I will send it the same day. Kind regards."
    for name, mail, phone, street, card, iban, order, day, hour in (
        (
            "Maria Lopez",
            "maria.lopez@example.org",
            "+34 612 345 678",
            "Calle Mayor 12, Madrid",
            "4111 1111 1111 1111",
            "ES91 2100 0418 4502 0005 1332",
            88231,
            16,
            9,
        ),
        (
            "Tom Becker",
            "t.becker@example.net",
            "+49 30 901820",
            "Hauptstr. 5, 10115 Berlin",
            "5500 0000 0000 0004",
            "DE89 3704 0044 0532 0130 00",
            88232,
            17,
            10,
        ),
        (
            "Aiko Tanaka",
            "aiko.tanaka@example.com",
            "(415) 555-0199",
            "500 Howard St, SF",
            "3400 0000 0000 009",
            "GB82 WEST 1234 5698 7654 32",
            88233,
            18,
            11,
        ),
        (
            "Jane Doe",
            "jane.doe@example.com",
            "+1 (415) 555-0132",
            "1 Market St, SF",
            "4111 1111 1111 1111",
            "FR14 2004 1010 0505 0001 3M02 606",
            88234,
            19,
            12,
        ),
        (
            "Liam O'Brien",
            "liam.obrien@example.ie",
            "+353 1 234 5678",
            "12 Grafton St, Dublin",
            "5500 0000 0000 0004",
            "IE29 AIBK 9311 5212 3456 78",
            88235,
            20,
            13,
        ),
        (
            "Sofia Rossi",
            "sofia.rossi@example.it",
            "+39 06 1234 5678",
            "Via Roma 1, Roma",
            "4111 1111 1111 1111",
            "IT60 X054 2811 1010 0000 0123 456",
            88236,
            21,
            14,
        ),
    )
)
#: A conversation so far (LiteLLM's guardrail analyzes every message on every call).
HISTORY = [
    ("user", "Hi, I was charged twice for order #88231 last week."),
    ("assistant", "Sorry about that. Could you confirm the email address on the account?"),
    ("user", f"Sure, it's {EMAIL}. Both charges went to the card ending in 1111."),
    ("assistant", "Thanks. I can see two charges of EUR 149.90. I will open a refund request."),
]
SCENARIOS = {
    "short": [("system", SYSTEM), ("user", PROMPT)],
    "long": [("system", SYSTEM), ("user", PROMPT), ("user", THREAD)],
    "chat": [("system", SYSTEM), *HISTORY, ("user", PROMPT)],
}
#: Scenarios where only the last message is new on each call (the rest is the conversation the
#: client sends again, as a chat does turn after turn).
ONLY_LAST_NEW = frozenset({"chat"})


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def _process(
    args: list[str], ready_url: str, log: Path, timeout: float = 240
) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{args[2]} exited {proc.returncode}:\n{log.read_text()[-3000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready_url, timeout=2, trust_env=False).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{ready_url} not ready in {timeout:.0f} s")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _unseen(
    messages: list[tuple[str, str]], call: int, only_last: bool = False
) -> list[tuple[str, str]]:
    """The messages made new for call number ``call`` (a reference number that no detector
    reads as a value: the same findings, a text no server has seen); ``only_last``: the last
    one only."""
    first = len(messages) - 1 if only_last else 0
    return [
        (role, f"{text} (message {call:05d})" if i >= first else text)
        for i, (role, text) in enumerate(messages)
    ]


def _load() -> str:
    """The 1, 5 and 15 minute load averages (other processes share the CPUs)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _guardrail(base: str) -> Any:
    from litellm.proxy.guardrails.guardrail_hooks.presidio import (  # noqa: PLC0415
        _OPTIONAL_PresidioPIIMasking,
    )

    return _OPTIONAL_PresidioPIIMasking(
        presidio_analyzer_api_base=base,
        presidio_anonymizer_api_base=base,
        guardrail_name="presidio",
        event_hook="pre_call",
        default_on=True,
    )


async def _call(
    guard: Any, model: FakeUpstream, messages: list[tuple[str, str]]
) -> tuple[float, float, str]:
    """One proxied call: (hook seconds, whole call seconds, the messages the model got)."""
    import litellm  # noqa: PLC0415
    from litellm.caching.dual_cache import DualCache  # noqa: PLC0415
    from litellm.proxy._types import UserAPIKeyAuth  # noqa: PLC0415

    data: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": role, "content": text} for role, text in messages],
        "metadata": {},
    }
    start = time.perf_counter()
    if guard is not None:
        data = await guard.async_pre_call_hook(UserAPIKeyAuth(), DualCache(), data, "completion")
    hooked = time.perf_counter()
    response = await litellm.acompletion(
        model="openai/gpt-4o-mini",
        messages=data["messages"],
        api_base=model.url,
        api_key="sk-fake-upstream",
    )
    end = time.perf_counter()
    assert response.choices[0].message.content
    return hooked - start, end - start, str(data["messages"])


async def _scenario(
    args: argparse.Namespace,
    model: FakeUpstream,
    guards: dict[str, Any],
    scenario: str,
    pids: dict[str, int],
) -> None:
    messages = SCENARIOS[scenario]
    size = sum(len(text.encode()) for _, text in messages)
    hook: dict[str, list[float]] = {name: [] for name in guards}
    call: dict[str, list[float]] = {name: [] for name in guards}
    sent: dict[str, str] = {}
    names = list(guards)
    cpu: dict[str, float | None] = {}
    for i in range(args.warmup + args.calls):
        if i == args.warmup:
            cpu = {name: _cpu_seconds(pid) for name, pid in pids.items()}
        # Cold by default: every call's texts are new to every server (tracemask answers a
        # text it analyzed before from its recent findings; --repeat measures that case).
        sent_now = messages if args.repeat else _unseen(messages, i, scenario in ONLY_LAST_NEW)
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            # LiteLLM finishes a call's logging in background tasks and threads: let them run
            # now, not inside the next call's timing.
            await asyncio.sleep(args.pause)
            h, c, got = await _call(guards[name], model, sent_now)
            if i >= args.warmup:
                hook[name].append(h)
                call[name].append(c)
            sent[name] = got

    # Each server answers its own variant only: its CPU time over the timed calls, per call.
    cpu_per_call: dict[str, float] = {}
    for name, pid in pids.items():
        before, after = cpu.get(name), _cpu_seconds(pid)
        if before is not None and after is not None:
            cpu_per_call[name] = (after - before) / args.calls

    def ms(x: float) -> str:
        return f"{x * 1000:.2f}"

    texts = (
        "the same texts on every call"
        if args.repeat
        else "only the last message new on each call"
        if scenario in ONLY_LAST_NEW
        else "texts new on every call"
    )
    print(
        f"\n### {scenario}: {len(messages)} messages, {size:,} bytes; {args.calls} calls per "
        f"variant after {args.warmup} warm-up, one at a time, alternating, {texts}; load "
        f"average at the end {_load()}"
    )
    print("\n| guardrail target | added (hook) p50 | p90 | p99 | mean | whole call p50 | p99 |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        hs, cs = hook[name], call[name]
        print(
            f"| {name} | {ms(_percentile(hs, 0.5))} | {ms(_percentile(hs, 0.9))} | "
            f"{ms(_percentile(hs, 0.99))} | {ms(statistics.fmean(hs))} | "
            f"{ms(_percentile(cs, 0.5))} | {ms(_percentile(cs, 0.99))} |"
        )
    print("\n(ms; 'added' = the guardrail's pre-call hook, the time it adds to each call)")
    if "tracemask" in hook and "presidio" in hook:
        for q, label in ((0.5, "p50"), (0.99, "p99")):
            ratio = _percentile(hook["presidio"], q) / _percentile(hook["tracemask"], q)
            print(f"Presidio / tracemask added latency, {label}: {ratio:.1f}x")
        base = statistics.median(call["none"])
        print(
            "whole-call p50 minus no guardrail: "
            f"tracemask {ms(statistics.median(call['tracemask']) - base)}, "
            f"presidio {ms(statistics.median(call['presidio']) - base)}"
        )
    if "floor" in hook:
        floor = _percentile(hook["floor"], 0.5)
        print(
            "p50 above the no-op floor: "
            f"tracemask {ms(_percentile(hook['tracemask'], 0.5) - floor)}, "
            f"presidio {ms(_percentile(hook['presidio'], 0.5) - floor)}"
        )
    if cpu_per_call:
        print(
            "server CPU per call (user + system, whole process): "
            + ", ".join(f"{name} {ms(v)}" for name, v in cpu_per_call.items())
        )
        if {"tracemask", "presidio"} <= set(cpu_per_call):
            tm, pr = cpu_per_call["tracemask"], cpu_per_call["presidio"]
            print(f"Presidio / tracemask server CPU per call: {pr / tm:.1f}x")
            if "floor" in cpu_per_call:
                fl = cpu_per_call["floor"]
                print(
                    f"server CPU per call above the floor's: tracemask {ms(tm - fl)}, "
                    f"presidio {ms(pr - fl)}"
                )
    for name in names:
        if name == "floor":
            continue
        leaked = sorted(k for k, v in PLANTED.items() if v in sent[name])
        print(f"planted values reaching the model via {name}: {', '.join(leaked) or 'none'}")


def _engines(reps: int = 15) -> None:
    """Detection alone, in this process, same texts: Presidio's ``AnalyzerEngine.analyze``
    (spaCy) against tracemask's ``Masker.detect`` (default policy), median of ``reps``."""
    from presidio_analyzer import AnalyzerEngine  # noqa: PLC0415

    from tracemask import Masker  # noqa: PLC0415
    from tracemask.bench.systems import spacy_nlp_engine  # noqa: PLC0415

    nlp = spacy_nlp_engine()
    analyzer, masker = AnalyzerEngine(nlp_engine=nlp), Masker()
    print("\n### detection alone, in one process (median of", reps, "runs)\n")
    print("| text | bytes | Presidio analyze | tracemask detect | ratio |")
    print("|---|---|---|---|---|")
    for label, text in (("system prompt", SYSTEM), ("user message", PROMPT), ("thread", THREAD)):
        analyzer.analyze(text, language="en")
        masker.detect(text)
        theirs, ours = [], []
        for _ in range(reps):
            start = time.perf_counter()
            analyzer.analyze(text, language="en")
            theirs.append(time.perf_counter() - start)
            start = time.perf_counter()
            masker.detect(text)
            ours.append(time.perf_counter() - start)
        a, b = statistics.median(theirs), statistics.median(ours)
        size = len(text.encode())
        print(f"| {label} | {size:,} | {a * 1000:.2f} ms | {b * 1000:.2f} ms | {a / b:.0f}x |")


async def _run(
    args: argparse.Namespace, model: FakeUpstream, bases: dict[str, str], pids: dict[str, int]
) -> int:
    guards = {"none": None, **{name: _guardrail(base) for name, base in bases.items()}}
    try:
        for scenario in args.scenario:
            await _scenario(args, model, guards, scenario, pids)
    finally:
        for guard in guards.values():
            if guard is not None:
                await guard._close_http_session()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="timed calls per variant")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls per variant")
    parser.add_argument(
        "--engines", action="store_true", help="also time detection alone, in this process"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also a no-op server with the same API: the HTTP and guardrail floor",
    )
    parser.add_argument(
        "--scenario", nargs="+", choices=sorted(SCENARIOS), default=["short", "long"]
    )
    parser.add_argument(
        "--pause", type=float, default=0.05, help="idle seconds before each call (background work)"
    )
    parser.add_argument(
        "--repeat",
        action="store_true",
        help="send the same texts on every call (a system prompt and chat history are sent "
        "again on every call; tracemask answers them from its recent findings)",
    )
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a user runs it
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}")
    print(f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {_load()}")
    tm_port, presidio_port, floor_port = _free_port(), _free_port(), _free_port()
    model = FakeUpstream().start()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "tracemask.yaml"
        config.write_text(
            "server:\n"
            f"  port: {_free_port()}\n"
            f"  presidio_port: {tm_port}\n"
            "  sink: {kind: none}\n"
            "  reload_interval_s: 0\n"
            "  access_log: false\n",
            encoding="utf-8",
        )
        serve = [sys.executable, "-m", "tracemask", "serve", "--config", str(config)]
        app = [sys.executable, str(ROOT / "benchmarks" / "presidio_app.py")]
        ports = {"tracemask": tm_port, "presidio": presidio_port}
        try:
            with contextlib.ExitStack() as stack:
                pids = {
                    "tracemask": stack.enter_context(
                        _process(serve, f"http://127.0.0.1:{tm_port}/health", Path(tmp) / "tm.log")
                    ).pid,
                    "presidio": stack.enter_context(
                        _process(
                            [*app, "--port", str(presidio_port)],
                            f"http://127.0.0.1:{presidio_port}/health",
                            Path(tmp) / "presidio.log",
                        )
                    ).pid,
                }
                if args.floor:
                    pids["floor"] = stack.enter_context(
                        _process(
                            [*app, "--port", str(floor_port), "--floor"],
                            f"http://127.0.0.1:{floor_port}/health",
                            Path(tmp) / "floor.log",
                        )
                    ).pid
                    ports["floor"] = floor_port
                bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
                status = asyncio.run(_run(args, model, bases, pids))
        finally:
            model.stop()
    if args.engines:
        _engines()
    return status


if __name__ == "__main__":
    sys.exit(main())
