"""Policies: what to detect, how to mask it, and which keys and paths get special treatment."""

from tracemask.policy._describe import describe as describe_policy
from tracemask.policy._describe import policy_schema
from tracemask.policy._load import load_policy
from tracemask.policy._model import (
    CustomRecognizer,
    EntityRule,
    KeyRule,
    NerConfig,
    PathRule,
    Policy,
)

__all__ = [
    "CustomRecognizer",
    "EntityRule",
    "KeyRule",
    "NerConfig",
    "PathRule",
    "Policy",
    "describe_policy",
    "load_policy",
    "policy_schema",
]
