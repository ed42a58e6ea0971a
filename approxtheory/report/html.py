"""The HTML report: one self-contained page (inline style, figures embedded as data: URIs, no network).

The order answers a reader's questions in turn: how did each paper fare (verdict counts per paper),
what is refuted and how do I see it fail (each refuted claim with its ``approxtheory replay`` command),
what did the papers' own tables find, and then every claim, grouped by paper and by result, with the
result's figures beside its rows and each claim's evidence folded under its row (``<details>``).

A figure belongs to the result its file is named after: ``GYZ26.lem.softmax_max.png`` sits beside the
claims ``GYZ26.lem.softmax_max.*``; a figure named after a paper only (``JL24.construction_rate.png``)
sits at the head of that paper's claims; one named after no checked paper (the verdict chart) sits
beside the summary. Every text that comes from a claim, a verdict or a witness is escaped.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import markdown

from .. import __version__, summaries
from ..core import Verdict
from ..output import dumps

#: Verdicts in the order the summary lists them, with their colours (also the verdict chart's).
STATUS_COLOURS = {"certified": "#1b7837", "supported": "#7fbf7b", "refuted": "#c51b7d",
                  "inconclusive": "#fdb863", "not_applicable": "#bababa"}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.2rem auto; max-width: 80rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin: 1.2rem 0 .4rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; } h4 { font-size: .9rem; margin: .8rem 0 .2rem; font-family: monospace; }
p.meta { margin: 0 0 .6rem; color: #555; font-size: .85rem; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.v { display: inline-block; padding: 0 .35rem; border-radius: .25rem; color: #fff; font-size: .8rem; white-space: nowrap; }
.v-certified { background: #1b7837; } .v-supported { background: #4d9a4a; } .v-refuted { background: #c51b7d; }
.v-inconclusive { background: #b8860b; } .v-not_applicable { background: #888; }
.side { display: flex; gap: 1.2rem; align-items: flex-start; flex-wrap: wrap; }
.side > table, .side > .rows { flex: 1 1 32rem; min-width: 0; } .side > figure { flex: 0 1 34rem; margin: 0; }
.side > figure.chart { flex: 0 1 22rem; } .side > #summary-table { flex: 0 0 auto; }
.figs { display: flex; gap: 1rem; flex-wrap: wrap; } .figs > figure { flex: 0 1 30rem; margin: 0; }
#refuted h2, #summary-table td.refuted { color: #c51b7d; }
figure img { max-width: 100%; border: 1px solid #eee; } figcaption { font-size: .75rem; color: #555; }
code.cmd { user-select: all; white-space: nowrap; background: #f4f4f4; padding: .05rem .3rem; border-radius: .2rem; font-size: .8rem; }
table.claims { width: 100%; table-layout: fixed; overflow-wrap: anywhere; }
table.claims th:nth-child(1) { width: 7rem; } table.claims th:nth-child(2) { width: 32%; }
table.claims th:nth-child(4) { width: 22%; } table.claims th:nth-child(5) { width: 4.5rem; }
.stmt { color: #555; font-size: .8rem; }
tr.ev > td { border-top: none; padding: 0 .45rem .3rem; }
details summary { cursor: pointer; color: #555; font-size: .8rem; }
pre { background: #f8f8f8; padding: .4rem; overflow-x: auto; font-size: .75rem; max-height: 30rem; }
"""


def _badge(status: str) -> str:
    return f'<span class="v v-{escape(status)}">{escape(status)}</span>'


def _paper(claim_id: str) -> str:
    return claim_id.split(".")[0]


def _result(verdict: Verdict) -> str:
    """The result a claim belongs to: its id before the scope (``GYZ26.lem.softmax_max``)."""
    head, sep, _ = verdict.claim_id.partition(f".{verdict.scope}.")
    return head if sep else verdict.claim_id.rsplit(".", 1)[0]


def _anchor(claim_id: str) -> str:
    return "claim-" + claim_id


def replay_command(witness_path: str) -> str:
    """The shell command that replays a witness file."""
    return f"approxtheory replay {shlex.quote(witness_path)}"


def _figure(path: Path, css_class: str = "") -> str:
    """A figure embedded as a data: URI, so that the page needs no file and no network."""
    try:
        src = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError:  # unreadable after it was written: refer to the file instead
        src = path.as_posix()
    cls = f' class="{css_class}"' if css_class else ""
    return (f'<figure{cls}><img src="{escape(src)}" alt="{escape(path.stem)}">'
            f"<figcaption>{escape(path.name)}</figcaption></figure>")


def _place(figures: Sequence[Path], results: Mapping[str, Sequence[str]]) -> dict[str, list[Path]]:
    """Each figure's place: a result id, a paper id, or "" (the summary); see the module docstring."""
    places: dict[str, list[Path]] = {}
    for fig in figures:
        stem = fig.stem
        paper = _paper(stem)
        owners = [r for r in results.get(paper, ()) if stem == r or stem.startswith(r + ".") or r.startswith(stem + ".")]
        place = owners[0] if owners else paper if paper in results else ""
        places.setdefault(place, []).append(fig)
    return places


def _side(content: str, figures: Sequence[Path], css_class: str = "") -> str:
    if not figures:
        return content
    return f'<div class="side">{content}{"".join(_figure(f, css_class) for f in figures)}</div>'


def _summary(verdicts: Sequence[Verdict], papers: Sequence[str], figures: Sequence[Path]) -> str:
    head = "".join(f"<th>{escape(s)}</th>" for s in STATUS_COLOURS)
    rows = []
    for paper in [*papers, None]:
        mine = [v for v in verdicts if paper is None or _paper(v.claim_id) == paper]
        counts = "".join(f'<td class="n {escape(s)}">{sum(v.status.value == s for v in mine) or ""}</td>' for s in STATUS_COLOURS)
        name = "<th>all</th>" if paper is None else f'<td><a href="#paper-{escape(paper)}">{escape(paper)}</a></td>'
        rows.append(f'<tr>{name}{counts}<td class="n">{len(mine)}</td></tr>')
    table = f'<table id="summary-table"><tr><th>paper</th>{head}<th>claims</th></tr>{"".join(rows)}</table>'
    return f'<section id="summary"><h2>Summary</h2>{_side(table, figures, "chart")}</section>'


def _refuted(verdicts: Sequence[Verdict], replay_paths: Mapping[str, str]) -> str:
    refuted = [v for v in verdicts if v.witness is not None]
    if not refuted:
        return '<section id="refuted"><h2>Refuted claims</h2><p>None.</p></section>'
    rows = "".join(
        f'<tr><td><a href="#{escape(_anchor(v.claim_id))}"><code>{escape(v.claim_id)}</code></a>'
        f'<div class="stmt">{escape(summaries.summary(v))}</div></td>'
        f'<td><code class="cmd">{escape(replay_command(replay_paths[v.claim_id]))}</code></td></tr>'
        for v in refuted)
    return (f'<section id="refuted"><h2>Refuted claims ({len(refuted)})</h2>'
            "<p class=\"meta\">Each command re-checks the claim on its witness (exit 0 if the refutation reproduces), "
            "run from the folder the report was written from; a click selects the whole command.</p>"
            f'<table id="refuted-table"><tr><th>claim</th><th>replay</th></tr>{rows}</table></section>')


def _markdown_table(text: str) -> str:
    """A paper's Markdown table as HTML, raw HTML in it escaped rather than passed through."""
    md = markdown.Markdown(extensions=["tables"])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md.convert(text)


def _findings(tables: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<h3>{escape(title)}</h3>{_markdown_table(table)}" for title, table in tables)
    return f'<section id="findings"><h2>Findings</h2>{body or "<p>The checked papers draw no tables.</p>"}</section>'


def _details(v: Verdict, claim: Mapping[str, Any] | None, replay_path: str | None) -> str:
    facts = [("scope", v.scope), ("provenance", v.provenance), ("method", v.method), ("checked", v.checked)]
    if claim is not None:
        facts.insert(0, ("source", f"{claim['source']['paper']} {claim['source']['version']}, {claim['source']['location']}"))
    items = "".join(f"<li><b>{escape(k)}</b>: {escape(str(val))}</li>" for k, val in facts)
    parts = [f"<ul>{items}</ul>", f"<b>budget</b><pre>{escape(dumps(v.budget, indent=2, sort_keys=True))}</pre>",
             f"<b>evidence</b><pre>{escape(dumps(v.evidence, indent=2, sort_keys=True))}</pre>"]
    if v.witness is not None:
        replay = f' (<code class="cmd">{escape(replay_command(replay_path))}</code>)' if replay_path else ""
        parts.append(f"<b>witness</b>{replay}<pre>{escape(dumps(v.witness.to_dict(), indent=2, sort_keys=True))}</pre>")
    return f"<details><summary>evidence, budget and method</summary>{''.join(parts)}</details>"


def _claim_rows(verdicts: Sequence[Verdict], result: str, claims: Mapping[str, Any], replay_paths: Mapping[str, str]) -> str:
    rows = []
    for v in verdicts:
        claim = claims.get(v.claim_id)
        statement = f'<div class="stmt">{escape(claim["statement"])}</div>' if claim else ""
        short = v.claim_id[len(result) + 1:] if v.claim_id.startswith(result + ".") else v.claim_id
        rows.append(f'<tr id="{escape(_anchor(v.claim_id))}"><td>{_badge(v.status.value)}</td>'
                    f'<td><code title="{escape(v.claim_id)}">{escape(short)}</code>{statement}</td>'
                    f"<td>{escape(summaries.summary(v))}</td><td>{escape(summaries.compact_budget(v.budget))}</td>"
                    f'<td class="n">{v.seconds:.2f}&nbsp;s</td></tr>'
                    f'<tr class="ev"><td></td><td colspan="4">{_details(v, claim, replay_paths.get(v.claim_id))}</td></tr>')
    return (f'<div class="rows"><table class="claims"><tr><th>verdict</th><th>claim</th><th>summary</th><th>budget</th>'
            f'<th>time</th></tr>{"".join(rows)}</table></div>')


def _claims(verdicts: Sequence[Verdict], papers: Sequence[str], places: Mapping[str, Sequence[Path]],
            claims: Mapping[str, Any], replay_paths: Mapping[str, str]) -> str:
    sections = []
    for paper in papers:
        mine = [v for v in verdicts if _paper(v.claim_id) == paper]
        counts = ", ".join(f"{n} {s}" for s in STATUS_COLOURS if (n := sum(v.status.value == s for v in mine)))
        parts = [f'<section class="paper" id="paper-{escape(paper)}"><h3>{escape(paper)} <small>({escape(counts)})</small></h3>']
        if places.get(paper):
            parts.append(f'<div class="figs">{"".join(_figure(f) for f in places[paper])}</div>')
        for result in dict.fromkeys(_result(v) for v in mine):
            rows = _claim_rows([v for v in mine if _result(v) == result], result, claims, replay_paths)
            parts.append(f"<h4>{escape(result)}</h4>{_side(rows, places.get(result, ()))}")
        sections.append("".join(parts) + "</section>")
    return f'<section id="claims"><h2>Claims by paper</h2>{"".join(sections)}</section>'


def render(verdicts: Sequence[Verdict], claims: Mapping[str, Any], figures: Sequence[Path],
           tables: Sequence[tuple[str, str]], replay_paths: Mapping[str, str], seed: int) -> str:
    """The report page. ``claims`` maps ids to ``Claim.describe()``; ``replay_paths`` maps each refuted claim
    to its witness file as the replay command names it."""
    papers = sorted({_paper(v.claim_id) for v in verdicts})
    results = {p: list(dict.fromkeys(_result(v) for v in verdicts if _paper(v.claim_id) == p)) for p in papers}
    places = _place(figures, results)
    body = [
        "<h1>approxtheory report</h1>",
        f'<p class="meta">approxtheory {escape(__version__)}, seed {seed}, {len(verdicts)} claims. '
        "<b>certified</b>: symbolic or interval proof; <b>supported</b>: numerical evidence, no counterexample "
        "within the budget; <b>refuted</b>: a replayable witness.</p>",
        _summary(verdicts, papers, places.get("", ())),
        _refuted(verdicts, replay_paths),
        _findings(tables),
        _claims(verdicts, papers, places, claims, replay_paths),
    ]
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>approxtheory report</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
