"""``GET /ui``: a playground page to see what is masked and why; ``POST /ui/explain`` answers it.

A person pastes a payload (JSON) or text, picks a policy (the server's, or a bundled preset)
and sees each finding highlighted by entity, with its detector, score and evidence, beside the
masked output. The page is one self-contained document: no external script, style, font or
image, and a Content-Security-Policy that lets it talk to this service only. The explain route
is a masking route (auth, body limits, admission and deadline apply as on ``/v1/mask``).

On by default only while the service listens on a loopback address (``server.ui: auto``); set
``server.ui: true`` to serve it elsewhere, ``false`` to turn it off (then both routes are 404).
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tracemask._explain import explain
from tracemask._masker import Masker
from tracemask.entities import BY_NAME
from tracemask.exceptions import MaskingError
from tracemask.server._config import ServerSettings
from tracemask.server._errors import BadRequestError, HTTPError, MaskingFailedError
from tracemask.server._http import deadline_of, guarded, masker_for, state_of

#: The page's route name in access logs and metrics.
UI = "ui"
#: ``policy`` value that means the server's own policy for the request.
SERVER_POLICY = "server"
#: Characters accepted in the playground input (the route's body limit applies too).
MAX_INPUT_CHARS = 1_000_000


class NotFoundError(HTTPError):
    status = 404
    reason = "not_found"
    message = "not found"


def enabled(settings: ServerSettings) -> bool:
    """Whether the playground is served: ``ui: auto`` means on a loopback address only."""
    choice = getattr(settings, "ui", "auto")
    if choice != "auto":
        return bool(choice)
    host = settings.host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def presets() -> list[str]:
    """The bundled policy presets, by name."""
    folder = resources.files("tracemask.policy") / "presets"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


@cache
def _preset_masker(name: str) -> Masker:
    return Masker(name)


@cache
def _page() -> tuple[bytes, str]:
    """The page and its Content-Security-Policy (inline script and style allowed by hash)."""
    template = (resources.files("tracemask.server") / "ui.html").read_text(encoding="utf-8")
    palette = "\n".join(
        f".e-{name} {{ --hue: {int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 360}; }}"
        for name in BY_NAME
    )
    options = "".join(
        f'<option value="{html.escape(p)}">preset: {html.escape(p)}</option>' for p in presets()
    )
    page = template.replace("/*PALETTE*/", palette).replace("<!--PRESETS-->", options)
    hashes = {}
    for tag in ("script", "style"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        hashes[tag] = f"'sha256-{digest}'"
    csp = (
        "default-src 'none'; "
        f"script-src {hashes['script']}; style-src {hashes['style']}; "
        "connect-src 'self'; img-src 'none'; font-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    return page.encode(), csp


def _headers(csp: str | None = None) -> dict[str, str]:
    headers = {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }
    if csp is not None:
        headers["content-security-policy"] = csp
    return headers


@guarded
async def ui_page(request: Request) -> Response:
    """The playground page."""
    state = state_of(request)
    if not enabled(state.settings()):
        raise NotFoundError
    # The presets are compiled here, off the event loop: a first compile can take seconds,
    # longer than the masking deadline that /ui/explain runs under.
    for name in presets():
        await state.run(_preset_masker, name)
    body, csp = _page()
    return Response(body, media_type="text/html; charset=utf-8", headers=_headers(csp))


def _explain(masker: Masker, text: str) -> dict[str, Any]:
    value: Any = text
    kind = "text"
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            value = json.loads(stripped)
            kind = "json"
        except (ValueError, RecursionError):
            value = text
    texts: dict[str, str] = {}
    try:
        findings = explain(masker, value, texts)
        masked = masker.mask(value)
    except MaskingError:
        raise MaskingFailedError from None
    shown = json.dumps(masked, indent=2, ensure_ascii=False) if kind == "json" else masked
    return {
        "kind": kind,
        "masked": shown,
        "findings": [f.to_dict() for f in findings],
        "texts": texts,
    }


@guarded
async def ui_explain(request: Request) -> Response:
    """``{"input": str, "policy": "server" | preset}`` → masked output, findings and reasons."""
    state = state_of(request)
    if not enabled(state.settings()):
        raise NotFoundError
    try:
        doc = json.loads(await request.body())
    except (ValueError, RecursionError):
        raise BadRequestError("body is not JSON") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("input"), str):
        raise BadRequestError('expected {"input": "...", "policy": "..."}')
    text = doc["input"]
    if len(text) > MAX_INPUT_CHARS:
        raise BadRequestError(f"input longer than {MAX_INPUT_CHARS} characters")
    choice = doc.get("policy", SERVER_POLICY)
    if choice == SERVER_POLICY:
        masker = masker_for(state.runtime(), request)
    elif isinstance(choice, str) and choice in presets():
        # Compiled when the page was served (else now, which may miss the deadline once).
        masker = await state.run(_preset_masker, choice)
    else:
        raise BadRequestError(f"policy: expected {SERVER_POLICY!r} or a preset")
    answer = await state.run(_explain, masker, text, deadline=deadline_of(request))
    return JSONResponse(answer, headers=_headers())
