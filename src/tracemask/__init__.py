"""tracemask: fast, accurate masking of personal data and secrets in LLM traces.

>>> from tracemask import Masker
>>> Masker().mask({"msg": "mail jane.doe@example.com", "trace_id": "4bf92f3577b34da6"})
{'msg': 'mail <EMAIL_ADDRESS>', 'trace_id': '4bf92f3577b34da6'}
"""

from tracemask._finding import Finding
from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import current_scope, use_scope
from tracemask._stream import StreamMasker
from tracemask.exceptions import InputError, MaskingError, PolicyError, TracemaskError
from tracemask.policy import Policy, load_policy

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "InputError",
    "Masker",
    "MaskingError",
    "Policy",
    "PolicyError",
    "Report",
    "StreamMasker",
    "TracemaskError",
    "__version__",
    "current_scope",
    "load_policy",
    "use_scope",
]
