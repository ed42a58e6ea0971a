"""The report writes Markdown, JSON, figures and witnesses that belong together."""

from __future__ import annotations

import json

from approxtheory.cli import main
from approxtheory.core import Registry

from .helpers import wrong_bound_claim


def test_report_files(tmp_path, capsys) -> None:
    reg = Registry([wrong_bound_claim()])
    assert main(["report", "--out", str(tmp_path), "--json", "--budget", "60"], reg) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    data = json.loads((tmp_path / "report.json").read_text())
    (verdict,) = data["verdicts"]
    assert verdict["status"] == "refuted" and verdict["claim"]["scope"] == "statement"
    witness = tmp_path / data["witness_files"][verdict["claim_id"]]
    assert json.loads(witness.read_text())["claim_id"] == verdict["claim_id"]
    markdown = (tmp_path / "report.md").read_text()
    assert "## Refuted claims" in markdown and "approxtheory replay" in markdown
    for figure in files["figures"]:
        assert open(figure, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert [f.rsplit("/", 1)[1] for f in files["figures"]] == ["verdicts.png"]  # only checked papers draw figures


def test_report_draws_the_checked_papers_figures(tmp_path, capsys) -> None:
    from approxtheory.papers.gyz26 import softmax_max

    reg = Registry([c for c in softmax_max.claims() if c.id.endswith("c_closed_form")])
    assert main(["report", "--out", str(tmp_path), "--json"], reg) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert any(f.endswith("GYZ26.lem.softmax_max.png") for f in files["figures"])
    assert any(f.endswith("GYZ26.regions_slice.png") for f in files["figures"])
    assert (tmp_path / "report.html").read_text().startswith("<!doctype html>")
