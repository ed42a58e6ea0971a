"""The registry of claims: built-in paper modules and third-party entry points."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from importlib.metadata import EntryPoint, entry_points

from .bound import Bound
from .claim import Claim
from .errors import ApproxTheoryError

ENTRY_POINT_GROUP = "approxtheory.claims"


def _claims_of(obj: object, origin: str) -> list[Claim]:
    """Accept a callable returning claims, or an iterable of claims; anything else is an error."""
    if callable(obj) and not isinstance(obj, Claim):
        obj = obj()
    if isinstance(obj, Claim):
        return [obj]
    try:
        claims = list(obj)  # type: ignore[call-overload]
    except TypeError:
        raise ApproxTheoryError(
            f"{origin} gave {type(obj).__name__}, not claims",
            "an `approxtheory.claims` entry point must name a function returning a list of Claim",
        ) from None
    bad = [c for c in claims if not isinstance(c, Claim)]
    if bad:
        raise ApproxTheoryError(f"{origin} gave non-claims: {bad[:3]!r}")
    return claims


def entry_point_claims(ep: EntryPoint, group: str = ENTRY_POINT_GROUP) -> list[Claim]:
    """The claims an entry point registers; a plugin that fails to import or to build its claims is named
    in one error with its own message (a bug in one installed package must not read as a bug of ours)."""
    origin = f"the {group} entry point {ep.name!r} ({ep.value})"
    try:
        return _claims_of(ep.load(), origin)
    except Exception as err:  # noqa: BLE001 - whatever the plugin raised, said once with its name
        problem = str(err) if isinstance(err, ApproxTheoryError) else f"{type(err).__name__}: {err}"
        raise ApproxTheoryError(f"{origin} failed to load:\n  {problem.replace(chr(10), chr(10) + '  ')}",
                                "fix or uninstall the package that provides it") from None


class Registry:
    """Claims by id, in registration order."""

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._claims: dict[str, Claim] = {}
        self.extend(claims)

    def add(self, claim: Claim) -> None:
        if claim.id in self._claims:
            raise ApproxTheoryError(f"claim id {claim.id} is registered twice")
        self._claims[claim.id] = claim

    def extend(self, claims: Iterable[Claim]) -> None:
        for claim in claims:
            self.add(claim)

    def __iter__(self) -> Iterator[Claim]:
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def get(self, claim_id: str) -> Claim:
        _require_id(claim_id, "claim id")
        try:
            return self._claims[claim_id]
        except KeyError:
            raise self._unknown(claim_id) from None

    def select(self, patterns: Sequence[str]) -> list[Claim]:
        """Claims whose id equals a pattern or starts with ``pattern.`` (so ``GYZ26`` picks a paper)."""
        if isinstance(patterns, str):
            raise ApproxTheoryError(f"select takes a list of ids or prefixes, got the string {patterns!r}",
                                    f"write select([{patterns!r}])")
        if not patterns:
            return list(self)
        for pattern in patterns:
            _require_id(pattern, "claim id or prefix")
        chosen: dict[str, Claim] = {}
        for pattern in patterns:
            hits = [c for c in self if c.id == pattern or c.id.startswith(pattern.rstrip(".") + ".")]
            if not hits:
                raise self._unknown(pattern)
            chosen.update((c.id, c) for c in hits)
        return list(chosen.values())

    def bounds(self) -> list[tuple[Claim, Bound]]:
        """Every registered bound once, with the first claim that declares it."""
        seen: dict[str, tuple[Claim, Bound]] = {}
        for claim in self:
            for bound in claim.bounds:
                seen.setdefault(bound.id, (claim, bound))
        return list(seen.values())

    def _unknown(self, claim_id: str) -> ApproxTheoryError:
        close = difflib.get_close_matches(claim_id, list(self._claims), n=3, cutoff=0.5)
        papers = sorted({c.paper for c in self})
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else f"`approxtheory theorems` lists the ids; papers: {', '.join(papers) or 'none'}"
        )
        return ApproxTheoryError(f"no registered claim matches {claim_id!r}", hint)

    @classmethod
    def discover(
        cls, packages: Sequence[str] = (), group: str = ENTRY_POINT_GROUP
    ) -> Registry:
        """Collect ``claims()`` from every module of ``packages``, then from the entry-point group."""
        registry = cls()
        for package_name in packages:
            package = importlib.import_module(package_name)
            for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
                module = importlib.import_module(f"{package_name}.{info.name}")
                if hasattr(module, "claims"):
                    registry.extend(_claims_of(module.claims, module.__name__))
        for ep in entry_points(group=group):
            registry.extend(entry_point_claims(ep, group))
        return registry


def _require_id(value: object, what: str) -> None:
    """A claim id or prefix must be a string: an int or a list would fail deep inside the lookup."""
    if not isinstance(value, str):
        raise ApproxTheoryError(f"a {what} is a string, got {type(value).__name__} {value!r}",
                                "`approxtheory theorems` lists the ids")
