"""The report and the terminal table: files that belong together, a first screen that shows the summary and
the refuted claims with replay commands that replay, escaped text, and one short line per verdict."""

from __future__ import annotations

import dataclasses
import io
import json
import shlex
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from approxtheory import cli, summaries
from approxtheory.cli import main
from approxtheory.core import Claim, Outcome, Registry, Source, Status, Verdict
from approxtheory.papers.jl24 import trained

from .helpers import certified, wrong_bound_claim

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NASTY = "a<b & c > d <script>alert(1)</script> &amp;"


class Node:
    """An element of the parsed page: tag, attributes, children and its own text."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.children, self.text = tag, attrs, [], ""

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        here = [self] if self.tag == tag and (cls is None or cls in (self.attrs.get("class") or "").split()) else []
        return here + [n for child in self.children for n in child.find_all(tag, cls)]

    def by_id(self, ident: str) -> Node:
        (node,) = [n for n in self.find_all_nodes() if n.attrs.get("id") == ident]
        return node

    def find_all_nodes(self) -> list[Node]:
        return [self] + [n for child in self.children for n in child.find_all_nodes()]


class Page(HTMLParser):
    """The page as a tree of :class:`Node` (html.parser, standard library only)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data

    @property
    def body(self) -> Node:
        (body,) = self.root.find_all("body")
        return body


def cheap_claim(name: str, statement: str, evidence: dict) -> Claim:
    return Claim(id=f"TEST.lem.{name}.statement.holds", statement=statement, source=Source("TEST", "v1", "-"),
                 provenance="classical", scope="statement",
                 verify=lambda ctx: certified("trivially", evidence))


@pytest.fixture
def report(tmp_path, capsys) -> tuple[Path, Registry]:
    """A report of a refuted claim and a certified one whose statement and evidence hold HTML-like text."""
    reg = Registry([wrong_bound_claim(), cheap_claim("nasty", NASTY, {"note": NASTY})])
    assert main(["report", "--out", str(tmp_path), "--json", "--budget", "60"], reg) == 0
    capsys.readouterr()
    return tmp_path, reg


def test_report_files(report) -> None:
    out_dir, _ = report
    data = json.loads((out_dir / "report.json").read_text())
    verdict = next(v for v in data["verdicts"] if v["status"] == "refuted")
    assert verdict["claim"]["scope"] == "statement"
    witness = out_dir / data["witness_files"][verdict["claim_id"]]
    assert json.loads(witness.read_text())["claim_id"] == verdict["claim_id"]
    markdown = (out_dir / "report.md").read_text()
    assert markdown.index("| paper |") < markdown.index("## Refuted claims") < markdown.index("## Findings")
    assert f"approxtheory replay {witness}" in markdown
    for figure in data["figures"]:
        assert (out_dir / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["figures"] == ["figures/verdicts.png"]  # only checked papers draw figures


def test_report_opens_with_the_summary_then_the_refuted_claims_whose_commands_replay(report, capsys) -> None:
    out_dir, reg = report
    page = Page((out_dir / "report.html").read_text())
    top = [(n.tag, n.attrs.get("id")) for n in page.body.children]
    assert [t for t in top if t[0] == "section"] == [("section", "summary"), ("section", "refuted"),
                                                     ("section", "findings"), ("section", "claims")]
    assert top[:3] == [("h1", None), ("p", None), ("section", "summary")]  # nothing long before the summary
    rows = [[cell.all_text().strip() for cell in row.children] for row in page.body.by_id("summary-table").find_all("tr")]
    assert rows[0] == ["paper", "certified", "supported", "refuted", "inconclusive", "not_applicable", "claims"]
    assert rows[1:] == [["TEST", "1", "", "1", "", "", "2"], ["all", "1", "", "1", "", "", "2"]]
    (command,) = [c.all_text() for c in page.body.by_id("refuted").find_all("code", "cmd")]
    program, *argv = shlex.split(command)
    assert program == "approxtheory" and argv[0] == "replay"
    assert main(argv, reg) == 0 and "reproduced" in capsys.readouterr().out


def test_each_claims_evidence_is_folded_under_its_row(report) -> None:
    out_dir, _ = report
    page = Page((out_dir / "report.html").read_text())
    rows = [row for table in page.body.by_id("claims").find_all("table", "claims") for row in table.find_all("tr")]
    claim_rows = [i for i, row in enumerate(rows) if (row.attrs.get("id") or "").startswith("claim-")]
    assert len(claim_rows) == 2
    for i in claim_rows:
        (details,) = rows[i + 1].find_all("details")
        assert "evidence" in details.all_text() and rows[i + 1].attrs["class"] == "ev"


def test_report_escapes_claim_text(report) -> None:
    out_dir, _ = report
    text = (out_dir / "report.html").read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text
    page = Page(text)
    assert not page.root.find_all("script")
    assert NASTY in page.body.by_id("claim-TEST.lem.nasty.statement.holds").all_text()  # the statement, as written
    assert f'"note": {json.dumps(NASTY)}' in page.body.by_id("claims").all_text()  # the folded evidence, as text
    assert "<script>" not in (out_dir / "report.md").read_text()


def test_report_is_self_contained(report) -> None:
    out_dir, _ = report
    page = Page((out_dir / "report.html").read_text())
    sources = [img.attrs["src"] for img in page.root.find_all("img")]
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    assert not page.root.find_all("link") and not page.root.find_all("script")


def test_report_places_a_papers_figures_beside_its_claims(tmp_path, capsys) -> None:
    from approxtheory.papers.gyz26 import softmax_max

    reg = Registry([c for c in softmax_max.claims() if c.id.endswith("c_closed_form")])
    assert main(["report", "--out", str(tmp_path), "--json"], reg) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert any(f.endswith("GYZ26.lem.softmax_max.png") for f in files["figures"])
    assert any(f.endswith("GYZ26.regions_slice.png") for f in files["figures"])
    page = Page((tmp_path / "report.html").read_text())
    (side,) = [div for div in page.body.by_id("paper-GYZ26").find_all("div", "side")]  # the lemma's rows and figure
    assert [c.text for c in side.find_all("figcaption")] == ["GYZ26.lem.softmax_max.png"]
    assert side.find_all("tr")[1].attrs["id"] == "claim-GYZ26.lem.softmax_max.statement.c_closed_form"
    paper_level = [c.text for fig in page.body.by_id("paper-GYZ26").find_all("div", "figs") for c in fig.find_all("figcaption")]
    assert paper_level == ["GYZ26.regions_slice.png"]


# --- the terminal table ---------------------------------------------------------------------------

def test_check_table_is_one_short_line_per_verdict_with_a_compact_budget(monkeypatch, tmp_path) -> None:
    """The JL24 trained claims, their training replaced by fixed errors: the budget shows the amounts, not the
    nested dict of scaled settings, and no line is wider than the terminal."""
    shape = (len(trained.E1_ALPHAS), len(trained.E1_RANKS), len(trained.E1_MH))
    monkeypatch.setattr(trained, "_e1_all", lambda seed, steps: (np.full(shape, 1e-3), np.full(shape, 2e-3)))
    monkeypatch.setattr(trained, "e4_errors", lambda seed, steps: {
        m: {"original": 1e-3, "ordering": 1e-3, "mixing": 1e-3, "mixing_causal": 1e-3} for m in ("rnn", "transformer")})
    screen = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=screen, width=100, highlight=False))
    long = dataclasses.replace(cheap_claim("long", "long", {}), verify=lambda ctx: Outcome(
        Status.SUPPORTED, "sampled", "a long note", {"cells": 1}, {"note": "word " * 200}))
    reg = Registry([*trained.claims(), long])
    assert main(["check", "--witness-dir", str(tmp_path)], reg) == 0
    lines = screen.getvalue().splitlines()
    assert len(lines) == 1 + len(list(reg))  # the header and one line per verdict
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split() == ["verdict", "claim", "summary", "budget"]
    for line in lines[1:]:
        assert "{" not in line and "scaled" not in line and "paper" not in line
    compact = f"lbfgs_iterations_per_m_h={trained.E1_STEPS}, adam_warm_start={trained.E1_ADAM}"
    plateau = next(line for line in lines if "trained_plateau" in line)
    assert compact.startswith(plateau.rsplit("  ", 1)[1].rstrip().rstrip("…"))  # cut to fit, never folded
    assert "…" in next(line for line in lines if "TEST.lem.long" in line)
    wide = Console(file=io.StringIO(), width=200, record=True)
    wide.print(cli.verdict_table([reg.get("JL24.E1.experiment.trained_plateau").check()], 200))
    assert wide.export_text().splitlines()[1].rstrip().endswith(compact)


@pytest.mark.parametrize(("evidence", "line"), [
    ({"agrees": {"a": True, "b": False, "c": True}, "entries": {"a": {"order": 6}}}, "2/3 agrees"),
    ({"largest_gap": 1e-15, "agrees": {"a": True}}, "largest_gap=1e-15"),  # a scalar comes first
    ({"rows": {"a": {"x": 1}}}, "what was checked"),  # nothing to count: the sentence
])
def test_a_summary_counts_a_table_of_yes_no_answers_before_falling_back_to_the_sentence(evidence, line) -> None:
    verdict = Verdict("TEST.lem.s.statement.x", Status.SUPPORTED, "statement", "primary", "sampled", "what was checked",
                      {}, evidence)
    assert summaries.summary(verdict) == line


# --- the first screen in a real browser -------------------------------------------------------------

CHROMIUM = next((path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,800", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=120, check=True)


#: Appended to a copy of the page: where the summary and the refuted section lie, written into the DOM.
MEASURE = """<script>
const box = id => document.getElementById(id).getBoundingClientRect();
document.body.setAttribute("data-measured", JSON.stringify({summary: box("summary"), refuted: box("refuted"),
  width: window.innerWidth}));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (Debian: apt-get install chromium); "
                                             "test_report_opens_with_the_summary_then_the_refuted_claims checks the structure")
def test_first_screen_in_headless_chromium_shows_the_summary_and_the_refuted_claims(report, tmp_path_factory) -> None:
    import matplotlib.image

    out_dir, _ = report
    work = tmp_path_factory.mktemp("browser")
    measured = out_dir / "measured.html"
    measured.write_text((out_dir / "report.html").read_text().replace("</body>", MEASURE + "</body>"))
    dom = Page(chromium(measured, work / "profile", "--dump-dom").stdout)
    boxes = json.loads(dom.body.attrs["data-measured"])
    assert boxes["width"] == 1280  # the layout width; --dump-dom's window keeps some height for its frame
    assert 0 <= boxes["summary"]["top"] < boxes["summary"]["bottom"] <= boxes["refuted"]["top"]
    assert boxes["refuted"]["bottom"] <= 800  # the whole refuted section is on the first screen
    shot = work / "first-screen.png"
    chromium(out_dir / "report.html", work / "profile", f"--screenshot={shot}")
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape == (800, 1280, 3)
    refuted_colour = np.array([0xc5, 0x1b, 0x7d]) / 255  # the refuted heading and counts
    assert (np.abs(pixels - refuted_colour).max(axis=-1) < 0.05).sum() > 50


def test_an_interrupted_report_says_so_and_never_replaces_a_complete_one(report, monkeypatch, capsys) -> None:
    out_dir, reg = report
    before = {name: (out_dir / name).read_bytes() for name in ("report.json", "report.md", "report.html")}
    figure = (out_dir / "figures" / "verdicts.png").read_bytes()

    def ctrl_c(*_args):
        raise cli.Interrupted(partial=[], kept="0 claims finished")

    monkeypatch.setattr(cli, "_run_claims", ctrl_c)
    assert main(["report", "--out", str(out_dir)], reg) == 130
    err = capsys.readouterr().err
    assert "interrupted:" in err and str(out_dir / "report.partial.md") in err
    assert {name: (out_dir / name).read_bytes() for name in before} == before
    assert (out_dir / "figures" / "verdicts.png").read_bytes() == figure
    assert json.loads((out_dir / "report.partial.json").read_text())["interrupted"] is True
    assert (out_dir / "report.partial.md").read_text().startswith("**Interrupted (Ctrl-C): a partial report")
    assert "Interrupted (Ctrl-C)" in (out_dir / "report.partial.html").read_text()
    assert "interrupted" not in json.loads(before["report.json"])
