"""Server configuration: the policy YAML plus a ``server:`` section, ``TRACEMASK_*`` env vars.

One file holds both: everything but ``server:`` is the default policy (validated by the engine's
:class:`~tracemask.Policy`), ``server:`` is validated here. Precedence, last wins: defaults, the
file's ``server:`` section, ``TRACEMASK_*`` environment variables, command-line flags.

This module needs only pydantic and PyYAML (core dependencies): the sink CLI and ``--check``
use it without the ``server`` extra.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    ValidationError,
    model_validator,
)

from tracemask.exceptions import PolicyError, TracemaskError
from tracemask.policy import Policy, load_policy

#: Environment variable naming the config file (policy + ``server:`` section).
ENV_CONFIG = "TRACEMASK_CONFIG"
#: The engine's own variables: never read as server settings.
_ENGINE_ENV = frozenset({"TRACEMASK_POLICY", "TRACEMASK_PROFILE", "TRACEMASK_DEBUG", ENV_CONFIG})


def default_sink_dir(env: Mapping[str, str] | None = None) -> str:
    """The sink's directory when none is configured: the user's data directory, never the
    current one (``$XDG_DATA_HOME/tracemask/sink``, ``%LOCALAPPDATA%`` on Windows)."""
    env = os.environ if env is None else env
    if os.name == "nt" and env.get("LOCALAPPDATA"):
        return str(Path(env["LOCALAPPDATA"]) / "tracemask" / "sink")
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "tracemask" / "sink")


class ConfigError(TracemaskError, ValueError):
    """The server configuration is invalid; the message names the file or variable and field."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LimitSettings(_Model):
    """Request limits. Bodies are measured after decompression. Deadlines count from the moment
    a request's headers arrived: reading the body, waiting for a slot and masking all spend it."""

    max_body_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    #: Deadline of the masking endpoints (callback, ``/v1/mask``): under Langfuse's 500 ms.
    timeout_ms: int = Field(default=450, ge=10, le=600_000)
    #: Deadline of Presidio's ``/analyze``, ``/anonymize`` and ``/deanonymize``. Longer: their
    #: clients wait for the answer (LiteLLM's guardrail), and some treat an error as "no PII
    #: found" (LiteLLM's, when no ``pii_entities_config`` is set), so a late answer is safer
    #: than a 503.
    presidio_timeout_ms: int = Field(default=10_000, ge=10, le=600_000)
    #: Requests processed at once; more wait in a queue of ``max_queue``, then get 429/503.
    max_concurrency: int = Field(default=32, ge=1)
    max_queue: int = Field(default=64, ge=0)
    queue_timeout_ms: int = Field(default=100, ge=0)
    saturated_status: Literal[429, 503] = 429
    #: Threads masking at once, per process. Masking is CPU-bound Python under one GIL: more
    #: threads only share it, so every call runs longer and, past the deadline, nearly all of
    #: them fail. Measured on an idle 2-core box (benchmarks/bench_server.py, 100-span 232 KB
    #: callbacks at concurrency 8 and 16): 8 threads answered 4 of 2,177 in time, 2 threads
    #: 42 of 92 and 48 of 179; 12 KB callbacks were faster too (202 vs 156 req/s at c=8).
    #: Scale with ``--workers`` (processes), not threads. Queued calls wait in order, and one
    #: predicted to miss its deadline is refused at once.
    threads: int = Field(default=2, ge=1, le=64)
    #: Memory that requests in flight may hold at once, estimated as ``memory_factor`` times
    #: their decoded body (parsed JSON and its masked copy); per process.
    memory_budget_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024 * 1024)
    memory_factor: float = Field(default=24.0, ge=1.0, le=1000.0)
    #: A client must send its request headers within this time of connecting (or of its previous
    #: request on a kept-alive connection), and its body within ``body_timeout_s`` of them.
    header_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    body_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    #: Idle kept-alive connections are closed after this long.
    keep_alive_s: float = Field(default=5.0, gt=0, le=3600)
    #: Open connections per process; more are closed at once (one warning per interval). Lowered
    #: to fit the process's file-descriptor limit.
    max_connections: int = Field(default=1000, ge=1)
    #: Largest upstream answer read (OTLP answers are tiny; a larger one is not read further).
    max_upstream_response_bytes: int = Field(default=1024 * 1024, ge=1024)


class Tenant(_Model):
    """A Langfuse org and/or project a credential may send data for."""

    org_id: str | None = None
    project_id: str | None = None

    @model_validator(mode="after")
    def _selector(self) -> Tenant:
        if self.org_id is None and self.project_id is None:
            raise ValueError("a tenant needs org_id, project_id or both")
        return self


class BoundToken(_Model):
    """A token bound to its tenants: its requests use their project policies, and only theirs."""

    token: SecretStr
    tenants: tuple[Tenant, ...] = Field(min_length=1)


def _token_kind(value: Any) -> str:
    return "bound" if isinstance(value, (Mapping, BoundToken)) else "plain"


#: A plain token, or a mapping binding one to tenants (errors then name the mapping's fields).
TokenEntry = Annotated[
    Annotated[SecretStr, Tag("plain")] | Annotated[BoundToken, Tag("bound")],
    Discriminator(_token_kind),
]


class AuthSettings(_Model):
    """Optional auth. With neither tokens nor an HMAC secret, requests are not authenticated."""

    #: Accepted bearer tokens (``Authorization: Bearer <token>``, or the raw token in
    #: ``token_header`` when that is another header). A plain token uses the default policy;
    #: ``{token: ..., tenants: [{project_id: ...}]}`` binds one to its projects' policies.
    tokens: tuple[TokenEntry, ...] = ()
    #: Routes on which ``X-Langfuse-Org-Id`` / ``-Project-Id`` select a project policy for a
    #: request whose credential is bound to no tenant. Langfuse sets those headers itself on
    #: its callback; on other routes any client could pick a weaker project's policy.
    trust_tenant_headers: tuple[
        Literal["langfuse", "traces", "logs", "mask", "analyze", "anonymize"], ...
    ] = ("langfuse",)
    token_header: str = "authorization"
    #: HMAC-SHA256 of the raw request body, hex, in ``hmac_header`` (``sha256=`` prefix allowed).
    hmac_secret: SecretStr | None = None
    hmac_header: str = "x-tracemask-signature"
    #: The routes that require auth (``langfuse``: the callback; Langfuse can only send
    #: headers its clients propagate, so a network policy often guards it instead).
    routes: tuple[
        Literal["langfuse", "traces", "logs", "mask", "analyze", "anonymize", "deanonymize"], ...
    ] = ("langfuse", "traces", "logs", "mask", "analyze", "anonymize", "deanonymize")
    protect_metrics: bool = False

    @property
    def enabled(self) -> bool:
        return bool(self.tokens) or self.hmac_secret is not None


class UpstreamSettings(_Model):
    """Where the OTLP gateway forwards masked batches (none: the embedded sink)."""

    #: Base URL, as ``OTEL_EXPORTER_OTLP_ENDPOINT``: ``/v1/traces`` and ``/v1/logs`` are appended.
    endpoint: str | None = None
    traces_url: str | None = None
    logs_url: str | None = None
    #: Headers sent upstream on every request (e.g. the collector's auth).
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    #: Incoming request headers copied upstream (case-insensitive names).
    pass_headers: tuple[str, ...] = ()
    #: Total budget of a forward, retries included; the OTLP routes' deadline adds 1 s to it.
    timeout_s: float = Field(default=8.0, gt=0, le=300)
    attempt_timeout_s: float = Field(default=5.0, gt=0, le=300)
    max_attempts: int = Field(default=3, ge=1, le=20)
    backoff_s: float = Field(default=0.2, ge=0, le=60)
    max_backoff_s: float = Field(default=2.0, ge=0, le=300)
    compression: Literal["gzip", "none"] = "gzip"

    @model_validator(mode="after")
    def _urls(self) -> UpstreamSettings:
        for name in ("endpoint", "traces_url", "logs_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"{name}: an http:// or https:// URL is required")
        return self

    def url(self, signal: str) -> str | None:
        """The URL for ``signal`` (``traces`` or ``logs``), or ``None`` when not configured."""
        explicit = self.traces_url if signal == "traces" else self.logs_url
        if explicit is not None:
            return explicit
        if self.endpoint is None:
            return None
        return f"{self.endpoint.rstrip('/')}/v1/{signal}"


class SinkSettings(_Model):
    """The embedded store used when no upstream is configured."""

    kind: Literal["sqlite", "jsonl", "none"] = "sqlite"
    #: Default: :func:`default_sink_dir` (``~/.local/share/tracemask/sink``).
    dir: str = Field(default_factory=default_sink_dir)
    #: sqlite: batches kept (oldest pruned); jsonl: bytes per file before rotating.
    max_batches: int = Field(default=10_000, ge=1)
    max_file_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    keep_files: int = Field(default=5, ge=1)


class ProjectPolicy(_Model):
    """A policy for one Langfuse org and/or project (``X-Langfuse-Org-Id``/``-Project-Id``)."""

    org_id: str | None = None
    project_id: str | None = None
    #: A policy file (relative to the config file), a preset name, or an inline policy.
    policy: str | dict[str, Any]
    profile: str | None = None

    @model_validator(mode="after")
    def _selector(self) -> ProjectPolicy:
        if self.org_id is None and self.project_id is None:
            raise ValueError("a project policy needs org_id, project_id or both")
        return self


class ServerSettings(_Model):
    """The ``server:`` section."""

    host: str = "127.0.0.1"
    port: int = Field(default=4318, ge=0, le=65535)
    #: A second port answering Presidio's analyzer and anonymizer API at its root (and the
    #: probes), for clients configured with a Presidio base URL
    #: (``PRESIDIO_ANALYZER_API_BASE=http://tracemask:5002``). Same host, auth, limits and
    #: metrics as the main port, which keeps serving those routes too. ``None``: no second port.
    presidio_port: int | None = Field(default=None, ge=1, le=65535)
    langfuse_path: str = Field(default="/langfuse/mask", pattern=r"^/[A-Za-z0-9/_.-]*$")
    #: ``None``: the policy's ``fail_mode`` (``closed`` unless a policy says ``open``).
    fail_mode: Literal["closed", "open"] | None = None
    #: Whether ``POST /v1/mask?report=true`` may return a report (counts and paths, no values).
    report: bool = True
    #: The ``/ui`` playground: ``auto`` serves it only while ``host`` is a loopback address.
    ui: Literal["auto"] | bool = "auto"
    access_log: bool = True
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    #: Worker processes (``tracemask serve --workers``); each has its own limits and metrics.
    workers: int = Field(default=1, ge=1, le=64)
    #: Poll the config and policy files for changes every so many seconds (0: SIGHUP only).
    reload_interval_s: float = Field(default=2.0, ge=0)
    limits: LimitSettings = LimitSettings()
    auth: AuthSettings = AuthSettings()
    upstream: UpstreamSettings = UpstreamSettings()
    sink: SinkSettings = SinkSettings()
    projects: tuple[ProjectPolicy, ...] = ()

    @model_validator(mode="after")
    def _presidio_port(self) -> ServerSettings:
        if self.presidio_port is not None and self.presidio_port == self.port:
            raise ValueError("presidio_port: must differ from port")
        return self

    @model_validator(mode="after")
    def _one_jsonl_writer(self) -> ServerSettings:
        if self.workers > 1 and self.sink.kind == "jsonl":
            raise ValueError("sink.kind jsonl has one writer: use sqlite with workers > 1")
        return self


# -- environment ---------------------------------------------------------------------------

_LIST_FIELDS = frozenset(
    {("auth", "tokens"), ("auth", "routes"), ("auth", "trust_tenant_headers"),
     ("upstream", "pass_headers")}
)  # fmt: skip
_MAP_FIELDS = frozenset({("upstream", "headers")})


def _env_names() -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for name, info in ServerSettings.model_fields.items():
        if name == "projects":
            continue
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            for child in sub.model_fields:
                names[f"TRACEMASK_{name}_{child}".upper()] = (name, child)
        else:
            names[f"TRACEMASK_{name}".upper()] = (name,)
    return names


#: ``TRACEMASK_UPSTREAM_ENDPOINT`` → ``("upstream", "endpoint")``, for every setting.
ENV_NAMES = _env_names()


def _env_value(path: tuple[str, ...], raw: str, var: str) -> Any:
    if path in _LIST_FIELDS:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if path in _MAP_FIELDS:
        try:
            value = json.loads(raw)
        except ValueError:
            raise ConfigError(f"env {var}: expected a JSON object") from None
        if not isinstance(value, dict):
            raise ConfigError(f"env {var}: expected a JSON object")
        return value
    return raw


def _from_env(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    data: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    for var, path in ENV_NAMES.items():
        raw = env.get(var)
        if raw is None or raw == "" or var in _ENGINE_ENV:
            continue
        _set(data, path, _env_value(path, raw, var))
        origin[path] = f"env {var}"
    return data, origin


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


# -- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigSource:
    """What a config was loaded from: loading it again is how hot reload works."""

    path: str | None = None
    policy: str | None = None
    profile: str | None = None
    #: Settings from command-line flags, as a nested dict (they win over everything).
    overrides: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Config:
    """A validated configuration: server settings, the default policy, project policies."""

    settings: ServerSettings
    policy: Policy
    #: ``(org_id, project_id)`` (either may be ``None``) → policy, in config order.
    projects: tuple[tuple[str | None, str | None, Policy], ...] = ()
    #: Files whose change triggers a reload.
    files: tuple[str, ...] = ()
    source: ConfigSource = ConfigSource()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: invalid YAML") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping, got {type(loaded).__name__}")
    return loaded


def _first_error(exc: ValidationError) -> tuple[tuple[str, ...], str]:
    err = exc.errors()[0]
    loc = tuple(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    msg = err["msg"].removeprefix("Value error, ")
    return loc, msg


def _policy(data: Mapping[str, Any], profile: str | None, origin: str) -> Policy:
    """Validate a policy dict. An explicit ``profile`` only: ``$TRACEMASK_PROFILE`` is applied
    by the caller to the default policy, never silently to project policies."""
    try:
        if profile is not None:
            return load_policy(data, profile=profile)
        return Policy.model_validate(data)
    except PolicyError as exc:
        raise ConfigError(f"{origin}: {str(exc).removeprefix('policy: ')}") from None
    except ValidationError as exc:
        loc, msg = _first_error(exc)
        raise ConfigError(f"{origin}: {'.'.join(loc) or '(root)'}: {msg}") from None


def _policy_from(
    source: str | Mapping[str, Any], profile: str | None, base: Path, files: list[str]
) -> Policy:
    if isinstance(source, Mapping):
        return _policy(source, profile, "policy")
    path = Path(source)
    if not path.is_absolute():
        path = base / path
    if not path.exists() and "/" not in source and "." not in source:
        preset = resources.files("tracemask.policy") / "presets" / f"{source}.yaml"
        if not preset.is_file():
            raise ConfigError(f"policy: no file or preset named {source!r}")
        data = yaml.safe_load(preset.read_text(encoding="utf-8")) or {}
        return _policy(data, profile, f"preset {source}")
    files.append(str(path))
    data = _read_yaml(path)
    data.pop("server", None)
    return _policy(data, profile, str(path))


def load_config(source: ConfigSource | None = None) -> Config:
    """Load and validate a configuration.

    Raises:
        ConfigError: with one line naming the file or environment variable and the field.
    """
    source = source or ConfigSource()
    env = os.environ if source.env is None else source.env
    files: list[str] = []
    path_str = source.path or env.get(ENV_CONFIG) or None
    file_data: dict[str, Any] = {}
    base = Path.cwd()
    origin = "config"
    if path_str is not None:
        path = Path(path_str)
        files.append(str(path))
        file_data = _read_yaml(path)
        base = path.parent
        origin = str(path)
    server_data = file_data.pop("server", None) or {}
    if not isinstance(server_data, dict):
        raise ConfigError(f"{origin}: server: expected a mapping")
    env_data, env_origin = _from_env(env)
    merged = _merge(_merge(server_data, env_data), source.overrides)
    try:
        settings = ServerSettings.model_validate(merged)
    except ValidationError as exc:
        loc, msg = _first_error(exc)
        where = env_origin.get(loc[:2]) or env_origin.get(loc[:1]) or f"{origin}: server"
        field_path = f"{'.'.join(loc)}: " if loc else ""
        raise ConfigError(f"{where}: {field_path}{msg}") from None

    profile = source.profile or env.get("TRACEMASK_PROFILE") or None
    policy_ref = source.policy or (None if file_data else env.get("TRACEMASK_POLICY")) or None
    if policy_ref is not None:
        policy = _policy_from(policy_ref, profile, Path.cwd(), files)
    else:
        policy = _policy(file_data, profile, origin)
    projects = tuple(
        (p.org_id, p.project_id, _policy_from(p.policy, p.profile, base, files))
        for p in settings.projects
    )
    return Config(settings, policy, projects, tuple(dict.fromkeys(files)), source)


def describe_env() -> list[tuple[str, str]]:
    """``(variable, setting)`` pairs, for the docs and ``--help``."""
    return [(var, ".".join(path)) for var, path in sorted(ENV_NAMES.items())]
