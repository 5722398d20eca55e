"""Loading policies from YAML, dicts and presets, with profiles and one-line errors."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracemask.exceptions import PolicyError
from tracemask.operators import USER_OPERATORS
from tracemask.policy._model import USER_ENTITIES, Policy
from tracemask.policy._strict import error_message

#: Environment variable naming a policy file used when none is given explicitly.
ENV_POLICY = "TRACEMASK_POLICY"
#: Environment variable naming the profile to apply.
ENV_PROFILE = "TRACEMASK_PROFILE"


def load_policy(
    source: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    profile: str | None = None,
    operators: Collection[str] = (),
    entities: Collection[str] = (),
) -> Policy:
    """Return a validated :class:`Policy`.

    Args:
        source: a ``Policy``, a dict, a path to a YAML file, the name of a bundled preset
            (``"default"``), or ``None`` for ``$TRACEMASK_POLICY`` or else the default.
        profile: a key of the policy's ``profiles`` whose values override the base policy;
            ``None`` reads ``$TRACEMASK_PROFILE`` — except for a ``Policy`` object, which is
            already resolved and only takes a profile given here.
        operators: names of user operators the policy may use as ``{"type": name}`` (the
            ``Masker`` passes the names of those it was given); any other unknown type is an error.
        entities: entities of user detectors, accepted under ``entities`` besides the built-in
            ones, custom recognizers' and deny lists'.

    Raises:
        PolicyError: with a one-line message naming the file, the field and the reason.
    """
    origin = "policy"
    if isinstance(source, Policy):
        if profile is None:
            return source
        data: Mapping[str, Any] = source.model_dump()
        return _validate(_apply_profile(data, profile, origin), origin, operators, entities)
    if source is None:
        source = os.environ.get(ENV_POLICY) or None
    if source is None:
        data = {}
    elif isinstance(source, Mapping):
        data = source
    else:
        data, origin = _read(source)
    profile = profile if profile is not None else os.environ.get(ENV_PROFILE) or None
    base = _validate(data, origin, operators, entities)
    # Every profile is checked now, not when someone first selects it: a typo in a profile
    # would otherwise pass review and be ignored until the day it is used.
    for name in base.profiles:
        if name != profile:
            where = f"{origin}: profiles.{name}"
            _validate(_apply_profile(data, name, origin), where, operators, entities)
    if profile is not None:
        return _validate(_apply_profile(data, profile, origin), origin, operators, entities)
    return base


def _validate(
    data: Mapping[str, Any],
    origin: str,
    operators: Collection[str] = (),
    entities: Collection[str] = (),
) -> Policy:
    context = {USER_OPERATORS: frozenset(operators), USER_ENTITIES: frozenset(entities)}
    try:
        return Policy.model_validate(data, context=context)
    except ValidationError as exc:
        raise PolicyError(f"{origin}: {_first_error(exc)}") from None


def _read(source: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    path = Path(source)
    if not path.exists() and isinstance(source, str) and "/" not in source and "." not in source:
        preset = resources.files("tracemask.policy") / "presets" / f"{source}.yaml"
        if not preset.is_file():
            raise PolicyError(f"policy: no file or preset named {source!r}")
        text, origin = preset.read_text(encoding="utf-8"), f"preset {source}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read policy ({exc.strerror})") from None
        origin = str(path)
    import yaml  # noqa: PLC0415 - policy files only: the default policy is no file

    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise PolicyError(f"{origin}:{where}: {problem}") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise PolicyError(f"{origin}: a policy is a mapping, got {type(loaded).__name__}")
    return loaded, origin


def _apply_profile(data: Mapping[str, Any], profile: str, origin: str) -> dict[str, Any]:
    profiles = data.get("profiles") or {}
    if not isinstance(profiles, Mapping) or profile not in profiles:
        known = ", ".join(profiles) if isinstance(profiles, Mapping) else ""
        raise PolicyError(f"{origin}: profiles: no profile {profile!r} (known: {known or 'none'})")
    override = profiles[profile]
    if not isinstance(override, Mapping):
        raise PolicyError(f"{origin}: profiles.{profile}: a profile is a mapping")
    return _deep_merge(data, override)


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        # An operator ({"type": ...}) is replaced whole: its fields depend on its type.
        if isinstance(current, Mapping) and isinstance(value, Mapping) and "type" not in value:
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    parts = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    # The user-operator tag is an implementation detail: "operator.type", not "operator.user.type".
    loc = ".".join(
        p
        for i, p in enumerate(parts)
        if not (p == "user" and i and parts[i - 1].endswith("operator"))
    )
    msg = error_message(err, Policy)
    # pydantic's discriminated-union locations name the tag (e.g. "operator.mask.char"): keep them.
    extra = f" ({len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    if not loc and msg.startswith(tuple(f"{name}." for name in Policy.model_fields)):
        return f"{msg}{extra}"  # a whole-policy check that names the field itself
    return f"{loc or '(root)'}: {msg}{extra}"
