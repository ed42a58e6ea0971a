"""Shared fixtures: small registries built from the real GYZ26 objects, so CLI tests stay fast."""

from __future__ import annotations

import pytest

from approxtheory.core import Registry
from approxtheory.papers.gyz26 import softmax_max

from .helpers import wrong_bound_claim


@pytest.fixture
def wrong_registry() -> Registry:
    return Registry([wrong_bound_claim()])


@pytest.fixture
def real_lemma_registry() -> Registry:
    return Registry(softmax_max.claims())
