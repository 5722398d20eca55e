"""Secret detectors: provider tokens (one table of formats, see ``_formats``), JWTs, private
keys, auth headers, assignments, URL credentials and high-entropy tokens.

``SECRET_DETECTORS`` lists the detector classes in priority order (most specific first); the
engine breaks ties between equally scored, equally long overlapping findings by that order.
Entities: ``API_KEY`` (provider keys, bearer credentials, JWTs), ``PRIVATE_KEY``, ``PASSWORD``
and ``SECRET``.
"""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets.assignment import (
    CredentialPair,
    KeyAssignment,
    PasswordAssignment,
    PasswordInProse,
    SecretAssignment,
)
from tracemask.detectors.secrets.auth_header import AuthorizationHeader, CurlUserPassword
from tracemask.detectors.secrets.entropy import HighEntropySecret
from tracemask.detectors.secrets.jwt import JsonWebToken
from tracemask.detectors.secrets.pem import Base64PemPrivateKey, JsonWebKey, PemPrivateKey
from tracemask.detectors.secrets.providers import ProviderKeyedSecret, ProviderToken
from tracemask.detectors.secrets.url_credentials import UrlCredentials

#: Every secret detector class, most specific first.
SECRET_DETECTORS: tuple[type[PatternDetector], ...] = (
    PemPrivateKey,
    Base64PemPrivateKey,
    JsonWebKey,
    ProviderToken,
    JsonWebToken,
    AuthorizationHeader,
    CurlUserPassword,
    UrlCredentials,
    PasswordAssignment,
    SecretAssignment,
    KeyAssignment,
    PasswordInProse,
    CredentialPair,
    ProviderKeyedSecret,
    HighEntropySecret,
)

__all__ = [
    "SECRET_DETECTORS",
    "AuthorizationHeader",
    "Base64PemPrivateKey",
    "CredentialPair",
    "CurlUserPassword",
    "HighEntropySecret",
    "JsonWebKey",
    "JsonWebToken",
    "KeyAssignment",
    "PasswordAssignment",
    "PasswordInProse",
    "PemPrivateKey",
    "ProviderKeyedSecret",
    "ProviderToken",
    "SecretAssignment",
    "UrlCredentials",
]
