"""What a policy does, for people: every entity with its operator and threshold, the detectors,
the operators and the key rules (``tracemask policy show``), and the policy file's JSON Schema
(``tracemask policy schema``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracemask.entities import BY_NAME
from tracemask.operators import BUILTIN_OPERATORS
from tracemask.policy._model import Policy, defined_entities
from tracemask.policy._strict import known_entities
from tracemask.typing import Detector

#: Where the schema says it comes from; editors show it as the schema's id.
SCHEMA_ID = "https://github.com/tracemask/tracemask/blob/main/docs/policy.schema.json"


def operator_label(spec: Any) -> str:
    """``{type: mask, keep_last: 4}`` as a short string, keys hidden, defaults left out."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    fields = [f"{k}: {'***' if k == 'key' else v}" for k, v in data.items() if k != "type"]
    kind = str(spec.type)
    return kind if not fields else f"{kind} ({', '.join(fields)})"


def operator_types() -> list[tuple[str, str]]:
    """``(type, first line of its docstring)`` for every built-in operator."""
    out = []
    for name, cls in BUILTIN_OPERATORS.items():
        doc = (cls.__doc__ or "").strip().splitlines()
        out.append((name, doc[0].replace("``", "") if doc else ""))
    return out


def describe(policy: Policy, detectors: Sequence[Detector]) -> dict[str, Any]:
    """A JSON-able account of ``policy`` with the ``detectors`` a Masker builds from it."""
    by_entity: dict[str, list[str]] = {}
    for det in detectors:
        # A detector may report several entities (field evidence: phones, cards, IBANs…).
        for entity in getattr(det, "entities", None) or (det.entity,):
            by_entity.setdefault(entity, []).append(det.name)
    key_entities = {"PASSWORD", "SECRET"} | {kr.entity for kr in policy.key_rules}
    key_entities |= {"PERSON"} if policy.person_keys else set()
    key_entities |= {"LOCATION"} if policy.location_keys else set()
    key_entities |= {e for e, names in policy.field_hints.items() if names}
    names = set(known_entities()) | defined_entities(policy) | set(policy.entities)
    names |= set(by_entity)
    entities = []
    for name in sorted(names):
        rule = policy.rule(name)
        operator = rule.operator or policy.default_operator
        row = BY_NAME.get(name)
        entities.append(
            {
                "entity": name,
                "description": row.description if row else "defined by this policy",
                "enabled": rule.enabled,
                "operator": operator_label(operator),
                "threshold": rule.threshold if rule.threshold is not None else policy.threshold,
                "allow": len(rule.allow),
                "deny": len(rule.deny),
                "detectors": by_entity.get(name, []) if rule.enabled else [],
                "by_key": name in key_entities and rule.enabled,
            }
        )
    key_rules = [
        {
            "entity": kr.entity,
            "operator": operator_label(policy.key_rule_operator(kr.entity, kr.operator)),
            "keys": list(kr.keys),
        }
        for kr in policy.key_rules
    ]
    for entity, keys in (("PASSWORD", policy.password_keys), ("SECRET", policy.secret_keys)):
        if policy.rule(entity).enabled and keys:
            label = operator_label(policy.key_rule_operator(entity))
            key_rules.append({"entity": entity, "operator": label, "keys": list(keys)})
    for entity, keys in (("PERSON", policy.person_keys), ("LOCATION", policy.location_keys)):
        if policy.rule(entity).enabled and keys:
            rule_op = policy.rule(entity).operator or policy.default_operator
            label = operator_label(rule_op)
            key_rules.append({"entity": entity, "operator": label, "keys": list(keys)})
    return {
        "entities": entities,
        "detectors": [{"name": d.name, "entity": d.entity} for d in detectors],
        "operators": [{"type": t, "description": d} for t, d in operator_types()],
        "key_rules": key_rules,
        "path_rules": [
            {"path": pr.path, "entity": pr.entity, "operator": operator_label(pr.operator)}
            for pr in policy.path_rules
        ],
    }


def render_comments(doc: dict[str, Any]) -> str:
    """``describe``'s account as YAML comments: appended to the policy, it stays loadable."""
    lines = ["", "# ---- reference (comments; the settings above are the policy) ----", "#"]
    rows = [("ENTITY", "ON", "OPERATOR", "THRESHOLD", "DETECTORS")]
    for e in doc["entities"]:
        dets = ", ".join(e["detectors"]) or "-"
        row = BY_NAME.get(e["entity"])
        if e["entity"] == "NATIONAL_ID" and dets == "-" and e["enabled"]:
            dets = "none until national_ids lists some"
        elif dets == "-" and row is not None and row.ner:
            dets = "- (an NER backend: ner.backend)"
        if e["by_key"]:
            dets = f"{dets} + key rules" if dets != "-" else "key rules"
        rows.append(
            (
                e["entity"],
                "yes" if e["enabled"] else "no",
                e["operator"],
                f"{e['threshold']:g}",
                dets,
            )
        )
    lines += _columns(rows)
    lines += ["#", "# Operators ({type: NAME} under default_operator, entities.*.operator, ...):"]
    lines += _columns([(o["type"], o["description"]) for o in doc["operators"]])
    lines += ["#", "# Key rules (a value under a matching key is masked whole; first match wins):"]
    for kr in doc["key_rules"]:
        keys = ", ".join(kr["keys"])
        lines.append(f"#   {kr['entity']} [{kr['operator']}]: {keys}")
    if doc["path_rules"]:
        lines += ["#", "# Path rules:"]
        lines += [f"#   {p['path']} -> {p['entity']} [{p['operator']}]" for p in doc["path_rules"]]
    return "\n".join(lines) + "\n"


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [
        "#   " + "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]]).rstrip()
        for r in rows
    ]


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a policy file, with the known entity names listed so
    that editors complete them; other upper-case names stay valid (custom recognizers)."""
    schema = _without_user_operators(Policy.model_json_schema())
    entities = schema["properties"]["entities"]
    entities["properties"] = {name: {"$ref": "#/$defs/EntityRule"} for name in known_entities()}
    entities["propertyNames"] = {"pattern": "^[A-Z][A-Z0-9_/]*$"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "tracemask policy",
    }


def _without_user_operators(node: Any) -> Any:
    """Drop the user-operator placeholder: files the CLI and the service load cannot name user
    operators (only ``Masker(operators=...)`` supplies them), and ``{type: string}`` would match
    every built-in type too, which ``oneOf`` forbids."""
    ref = {"$ref": "#/$defs/UserOperatorSpec"}
    if isinstance(node, dict):
        return {
            k: _without_user_operators(v)
            for k, v in node.items()
            if k not in {"UserOperatorSpec", "discriminator"}
        }
    if isinstance(node, list):
        return [_without_user_operators(v) for v in node if v != ref]
    return node
