"""Third-party packages register claims through the ``approxtheory.claims`` entry-point group."""

from __future__ import annotations

import sys
import textwrap

import pytest

from approxtheory.core import ApproxTheoryError, Registry

PLUGIN = textwrap.dedent(
    '''
    from approxtheory.core import Claim, Source
    from approxtheory.rigorous.steps import Steps

    def verify(ctx):
        steps = Steps()  # a certified verdict records its steps, each a certificate
        steps.exact("1 <= 1", "1 <= 1 in integers", 1 <= 1)
        return steps.outcome("1 <= 1 in integers", {})

    def claims():
        return [Claim(
            id="EXAMPLE.lem.one.statement.trivial",
            statement="1 <= 1",
            source=Source("EXAMPLE", "v1", "eq. (1)"),
            provenance="classical",
            scope="statement",
            verify=verify,
        )]

    NOT_CLAIMS = 42


    def failing_claims():
        from approxtheory.author import real
        return [real("1", "0")]  # the plugin's own mistake, raised while it builds its claims
    '''
)


def install_example_package(tmp_path, target: str) -> None:
    """A minimal installed distribution: a module plus a .dist-info with entry_points.txt."""
    (tmp_path / "example_claims_pkg.py").write_text(PLUGIN)
    dist = tmp_path / "example_claims_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: example-claims-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[approxtheory.claims]\nexample = {target}\n")


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("example_claims_pkg", None)


def test_entry_point_claims_are_discovered(on_path) -> None:
    install_example_package(on_path, "example_claims_pkg:claims")
    registry = Registry.discover(packages=())
    claim = registry.get("EXAMPLE.lem.one.statement.trivial")
    assert claim.check().status.value == "certified"


def test_a_bad_entry_point_names_itself(on_path) -> None:
    install_example_package(on_path, "example_claims_pkg:NOT_CLAIMS")
    with pytest.raises(ApproxTheoryError, match="entry point 'example'"):
        Registry.discover(packages=())


def test_a_plugin_failing_to_build_its_claims_is_named_with_its_message(on_path) -> None:
    install_example_package(on_path, "example_claims_pkg:failing_claims")
    with pytest.raises(ApproxTheoryError) as caught:
        Registry.discover(packages=())
    message = str(caught.value)
    assert "entry point 'example' (example_claims_pkg:failing_claims) failed to load" in message
    assert "real: hi='0'" in message and "\\n" not in message  # its own message, as text, not a repr
    assert "fix or uninstall" in message


def test_builtin_papers_are_found_by_module_scan() -> None:
    registry = Registry.discover(packages=("approxtheory.papers",))
    assert any(c.id.startswith("GYZ26.lem.softmax_max.") for c in registry)
