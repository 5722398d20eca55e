"""Adapters that plug one :class:`~tracemask.Masker` into each tool's own masking hook.

Each module is named after its host and imports that host's SDK lazily (an ``ImportError``
names the extra to install). Adapters never detect or walk themselves; they turn the host's
payload into JSON-like values, call the ``Masker``, and put the result back.
"""
