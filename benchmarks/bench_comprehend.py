"""Client-side cost of the Comprehend backend, against a local DetectPiiEntities endpoint.

No AWS call: the endpoint is the test suite's loopback server (``tests/detectors/
comprehend_server.py``, in this process, so its own work is counted too: an upper bound).
What it shows is what tracemask and botocore add per request (signing, JSON, HTTP, packing,
offset mapping) and how many requests a trace costs; AWS's own latency is not in it.

    python benchmarks/bench_comprehend.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ of this checkout
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - the loopback endpoint checks none
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_EC2_METADATA_DISABLED="true",
)

from tests.detectors.comprehend_server import fake_comprehend

from tracemask import Masker
from tracemask.detectors.ner.comprehend import ComprehendDetector

NAME = "Perpetua Okonkwo-Lind"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    with fake_comprehend() as aws:
        aws.declare(NAME, "NAME")
        det = ComprehendDetector(("PERSON",), endpoint_url=aws.url, memo_size=0)
        det.detect("one request first, to build the client and open the connection")
        single = []
        for i in range(200):
            text = f"Ticket {i}: {NAME} asked to change the delivery address of order {i}. " * 2
            start = time.perf_counter()
            det.detect(text)
            single.append(1e3 * (time.perf_counter() - start))
        print(
            f"one request (~170 chars): p50 {statistics.median(single):.2f} ms, "
            f"p95 {percentile(single, 0.95):.2f} ms"
        )
        policy = {
            "ner": {
                "backend": "comprehend",
                "entities": ["PERSON"],
                "options": {"endpoint_url": aws.url},
            }
        }
        with_backend, builtin_only = Masker(policy), Masker()
        timed: dict[str, list[float]] = {"comprehend": [], "built-ins": []}
        before = len(aws.texts)
        for i in range(50):
            for label, masker in (("comprehend", with_backend), ("built-ins", builtin_only)):
                trace = {
                    f"m{j}": f"{label} {i}-{j}: {NAME} asked about the order." for j in range(20)
                }
                start = time.perf_counter()
                masker.mask(trace)
                timed[label].append(1e3 * (time.perf_counter() - start))
        print(
            "20-string trace: with the backend p50 "
            f"{statistics.median(timed['comprehend']):.2f} ms, "
            f"built-ins only p50 {statistics.median(timed['built-ins']):.2f} ms, "
            f"{(len(aws.texts) - before) / 50:.1f} request(s) per trace"
        )


if __name__ == "__main__":
    main()
