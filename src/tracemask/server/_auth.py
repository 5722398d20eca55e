"""Optional auth: bearer tokens (checked from the headers alone) or an HMAC-SHA256 of the body.

Comparisons are constant time (digests of equal length, every configured token checked), and a
refusal is always the same 401: it never says which check failed or why. A token may be bound
to tenants (Langfuse orgs/projects): the :class:`Identity` it yields decides which project
policies its requests may use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from starlette.types import Scope

from tracemask.server._config import AuthSettings, BoundToken

#: ``(org_id, project_id)``; either may be ``None`` (any).
TenantKey = tuple[str | None, str | None]


@dataclass(frozen=True)
class Identity:
    """Who a request authenticated as. ``tenants is None``: a credential bound to no tenant."""

    tenants: tuple[TenantKey, ...] | None = None

    def tenant_for(self, org: str | None, project: str | None) -> TenantKey | None:
        """The bound tenant matching the requested org/project (absent parts taken from the
        tenant), or ``None`` when the credential may not use it."""
        for t_org, t_project in self.tenants or ():
            if org is not None and t_org is not None and org != t_org:
                continue
            if project is not None and t_project is not None and project != t_project:
                continue
            # A tenant naming only an org covers its projects; one naming only a project covers
            # that project in any org.
            return (
                t_org if t_org is not None else org,
                t_project if t_project is not None else project,
            )
        return None


UNBOUND = Identity()


@dataclass(frozen=True)
class Credentials:
    """The compiled auth settings of one configuration generation."""

    digests: tuple[bytes, ...]
    identities: tuple[Identity, ...]
    hmac_key: bytes | None

    @classmethod
    def from_settings(cls, auth: AuthSettings) -> Credentials:
        digests: list[bytes] = []
        identities: list[Identity] = []
        for entry in auth.tokens:
            if isinstance(entry, BoundToken):
                secret = entry.token.get_secret_value()
                identity = Identity(tuple((t.org_id, t.project_id) for t in entry.tenants))
            else:
                secret = entry.get_secret_value()
                identity = UNBOUND
            digests.append(hashlib.sha256(secret.encode()).digest())
            identities.append(identity)
        key = auth.hmac_secret.get_secret_value().encode() if auth.hmac_secret else None
        return cls(tuple(digests), tuple(identities), key)


def header(scope: Scope, name: str) -> str | None:
    """A request header (latin-1, as HTTP/1.1 carries it), or ``None``."""
    wanted = name.lower().encode("latin-1")
    for key, value in scope["headers"]:
        if key == wanted:
            return str(value.decode("latin-1"))
    return None


def token_identity(creds: Credentials, auth: AuthSettings, scope: Scope) -> Identity | None:
    """The identity of the bearer token in the request headers, or ``None`` if none matches."""
    if not creds.digests:
        return None
    raw = header(scope, auth.token_header)
    if raw is None:
        return None
    if auth.token_header.lower() == "authorization":
        scheme, _, raw = raw.partition(" ")
        if scheme.lower() == "basic":
            # The token as the password of HTTP Basic auth (the user name is ignored): clients
            # that take only a base URL send it from ``http://user:TOKEN@host/`` (LiteLLM's
            # Presidio guardrail, through aiohttp).
            password = _basic_password(raw)
            if password is None:
                return None
            raw = password
        elif scheme.lower() != "bearer":
            return None
    given = hashlib.sha256(raw.strip().encode("utf-8", "surrogateescape")).digest()
    found: Identity | None = None
    for digest, identity in zip(creds.digests, creds.identities, strict=True):
        # No early exit: the time does not depend on which one matched.
        if hmac.compare_digest(given, digest):
            found = identity
    return found


def _basic_password(value: str) -> str | None:
    """The password of a Basic credential, ``None`` if it is malformed."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, colon, password = decoded.partition(":")
    return password if colon else None


def signature_ok(creds: Credentials, auth: AuthSettings, scope: Scope, body: bytes) -> bool:
    """Whether the HMAC header holds the hex HMAC-SHA256 of ``body``."""
    if creds.hmac_key is None:
        return False
    raw = header(scope, auth.hmac_header)
    if raw is None:
        return False
    given = raw.strip().lower().removeprefix("sha256=").encode("ascii", "replace")
    expected = hmac.new(creds.hmac_key, body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(given, expected)
