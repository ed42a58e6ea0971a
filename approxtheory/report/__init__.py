"""The report: verdicts as JSON, Markdown and a self-contained HTML page, with figures (verdict summary and
each paper's own). The page and the Markdown open with the per-paper summary and the refuted claims with their
replay commands (the HTML layout is described in :mod:`approxtheory.report.html`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .. import PAPER_PACKAGES, __version__, summaries  # noqa: E402
from ..core import Registry, Verdict  # noqa: E402
from ..output import dumps, write_text_safely  # noqa: E402
from . import html  # noqa: E402
from .html import STATUS_COLOURS, replay_command  # noqa: E402


def _summary_figure(verdicts: Sequence[Verdict], path: Path) -> Path:
    papers = sorted({v.claim_id.split(".")[0] for v in verdicts})
    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.45 * len(papers)))
    left = [0] * len(papers)
    for status, colour in STATUS_COLOURS.items():
        counts = [sum(1 for v in verdicts if v.status.value == status and v.claim_id.startswith(p + ".")) for p in papers]
        ax.barh(papers, counts, left=left, color=colour, label=status)
        left = [a + b for a, b in zip(left, counts)]
    ax.set_xlabel("claims")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=len(STATUS_COLOURS), fontsize=8, frameon=False)
    ax.set_title("verdicts by paper")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _paper_modules(papers: set[str]) -> list[Any]:
    """The built-in paper modules (module ``gyz26`` for paper ``GYZ26``) among ``papers``."""
    modules = []
    for package_name in PAPER_PACKAGES:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name.upper() in papers:
                modules.append(importlib.import_module(f"{package_name}.{info.name}"))
    return modules


def paper_figures(out_dir: Path, papers: set[str]) -> list[Path]:
    """Figures from each checked paper's module that defines ``figures(out_dir) -> list[Path]``."""
    return [path for module in _paper_modules(papers) if hasattr(module, "figures") for path in module.figures(out_dir)]


def paper_tables(papers: set[str]) -> list[tuple[str, str]]:
    """(title, Markdown table) from each checked paper's module that defines ``tables()``."""
    return [table for module in _paper_modules(papers) if hasattr(module, "tables") for table in module.tables()]


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no emphasis, no HTML, no column breaks."""
    out = str(text)
    for ch in "\\`*_[]|":
        out = out.replace(ch, "\\" + ch)
    return out.replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _markdown(verdicts: Sequence[Verdict], figures: Sequence[Path], tables: Sequence[tuple[str, str]],
              replay_paths: dict[str, str], out_dir: Path, seed: int) -> str:
    """The report as Markdown, in the page's order: summary, refuted claims, findings, claims, figures."""
    papers = sorted({v.claim_id.split(".")[0] for v in verdicts})
    lines = [
        "# approxtheory report",
        "",
        f"approxtheory {__version__}, seed {seed}, {len(verdicts)} claims.",
        "",
        "`certified`: symbolic or interval proof; `supported`: numerical search found no counterexample "
        "within its budget; `refuted`: a replayable witness.",
        "",
        "| paper | " + " | ".join(STATUS_COLOURS) + " | claims |",
        "|---|" + "---|" * (len(STATUS_COLOURS) + 1),
    ]
    for paper in papers:
        mine = [v for v in verdicts if v.claim_id.startswith(paper + ".")]
        lines.append(f"| {_cell(paper)} | " + " | ".join(str(sum(v.status.value == s for v in mine) or "")
                                                         for s in STATUS_COLOURS) + f" | {len(mine)} |")
    lines += ["", "## Refuted claims", ""]
    refuted = [v for v in verdicts if v.witness is not None]
    if not refuted:
        lines.append("None.")
    for v in refuted:
        lines.append(f"- `{v.claim_id}`: {_cell(summaries.summary(v))}; replay: `{replay_command(replay_paths[v.claim_id])}`")
    lines += ["", "## Findings"]
    for title, table in tables:
        lines += ["", f"### {title}", "", table]
    lines += ["", "## Claims", "", "| claim | verdict | summary | budget |", "|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| `{v.claim_id}` | **{v.status.value}** | {_cell(summaries.summary(v))} | "
                     f"{_cell(summaries.compact_budget(v.budget))} |")
    lines += ["", "## What each verdict checked", ""]
    lines += [f"- `{v.claim_id}` ({v.scope}, {v.provenance}, {v.method}; {v.seconds:.2f} s): {_cell(v.checked)}" for v in verdicts]
    lines += ["", "## Figures", ""]
    for fig in figures:
        lines += [f"![{fig.stem}]({fig.relative_to(out_dir).as_posix()})", ""]
    return "\n".join(lines) + "\n"


def _figures(verdicts: Sequence[Verdict], figures_dir: Path, papers: set[str]) -> tuple[list[Path], list[str]]:
    """The summary figure and each paper's own; a figure that cannot be written is a problem, not a crash."""
    try:
        figures_dir.mkdir(parents=True, exist_ok=True)
        return [_summary_figure(verdicts, figures_dir / "verdicts.png"), *paper_figures(figures_dir, papers)], []
    except OSError as err:
        return [], [f"cannot write the figures in {figures_dir} ({err.strerror}); the report has none"]


def write_report(verdicts: Sequence[Verdict], registry: Registry, out_dir: Path, *, seed: int,
                 interrupted: bool = False) -> dict[str, Any]:
    """Write report.json, report.md, report.html, witnesses/ and figures/ under ``out_dir``; return the paths.

    Each file is written atomically; one that cannot be written (full disk, no permission) goes to a
    fallback file in the temporary folder, and ``problems`` says which and where. An ``interrupted``
    (partial) report says so and goes to report.partial.*, witnesses.partial/ and figures.partial/,
    beside a complete report of an earlier run, which it never replaces.
    """
    problems: list[str] = []
    tag = ".partial" if interrupted else ""

    def write(path: Path, text: str) -> Path:
        written, problem = write_text_safely(path, text)
        problems.extend([problem] if problem else [])
        return written

    witnesses = {}
    for v in verdicts:
        if v.witness is not None:
            target = out_dir / f"witnesses{tag}" / f"{v.claim_id}.json"
            written = write(target, dumps(v.witness.to_dict(), indent=2, sort_keys=True) + "\n")
            witnesses[v.claim_id] = str(written.relative_to(out_dir)) if written == target else str(written)
    papers = {v.claim_id.split(".")[0] for v in verdicts}
    figures, figure_problems = _figures(verdicts, out_dir / f"figures{tag}", papers)
    problems += figure_problems
    tables = paper_tables(papers)
    claims = {c.id: c.describe() for c in registry}
    data = {
        "approxtheory": __version__,
        "seed": seed,
        "verdicts": [{**v.to_dict(), "claim": claims.get(v.claim_id)} for v in verdicts],
        "witness_files": witnesses,
        "figures": [str(f.relative_to(out_dir)) for f in figures],
        "tables": [{"title": title, "markdown": table} for title, table in tables],
        **({"interrupted": True} if interrupted else {}),
    }
    json_path = write(out_dir / f"report{tag}.json", dumps(data, indent=2, sort_keys=True) + "\n")
    replay_paths = {claim_id: str(out_dir / path) for claim_id, path in witnesses.items()}  # from where `report` ran
    notice = (f"Interrupted (Ctrl-C): a partial report of the {len(verdicts)} claims checked before it; "
              "a complete report of an earlier run in this folder, if any, is kept as report.md, report.json and report.html.")
    md_path = write(out_dir / f"report{tag}.md", (f"**{notice}**\n\n" if interrupted else "")
                    + _markdown(verdicts, figures, tables, replay_paths, out_dir, seed))
    page = html.render(verdicts, claims, figures, tables, replay_paths, seed)
    if interrupted:
        page = page.replace("<body>", f"<body><p><strong>{notice}</strong></p>", 1)
    html_path = write(out_dir / f"report{tag}.html", page)
    return {"json": str(json_path), "markdown": str(md_path), "html": str(html_path),
            "figures": [str(f) for f in figures], "witnesses": witnesses, "problems": problems}
