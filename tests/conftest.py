"""Shared fixtures: a fresh Masker per test, no global state to reset."""

from __future__ import annotations

import pytest

from tracemask import Masker


@pytest.fixture
def masker() -> Masker:
    return Masker()


@pytest.fixture(params=["re", "hyperscan"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both prefilter engines: every detector table must hold on each."""
    return str(request.param)
