"""Shared fixtures: small registries built from the real GYZ26 objects, so CLI tests stay fast."""

from __future__ import annotations

import pytest

from approxtheory import compile_cache
from approxtheory.core import Registry
from approxtheory.papers.gyz26 import softmax_max

from .helpers import wrong_bound_claim

# The tests load the XLA programs that an earlier run compiled (the README's test command runs `regress --all`
# first) from the command's persistent cache, before anything here compiles; APPROXTHEORY_XLA_CACHE=off compiles all.
compile_cache.enable()


@pytest.fixture
def wrong_registry() -> Registry:
    return Registry([wrong_bound_claim()])


@pytest.fixture
def real_lemma_registry() -> Registry:
    return Registry(softmax_max.claims())
