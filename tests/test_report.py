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
    assert any(f.endswith("GYZ26.lem.softmax_max.png") for f in files["figures"])
