"""Counterexample searches (Hypothesis) and the profiles they run under."""

from .profiles import PROFILES, profile_budget, register_profiles
from .ratio import Confirmation, RatioSearch, SearchResult, replay_ratio, run_ratio_search, search_outcome

__all__ = [
    "PROFILES",
    "Confirmation",
    "RatioSearch",
    "SearchResult",
    "profile_budget",
    "register_profiles",
    "replay_ratio",
    "run_ratio_search",
    "search_outcome",
]
