"""Figures for the analyses: PNG bytes from matplotlib's Agg backend, ready to inline.

Reports must work offline as one file, so figures are embedded as ``data:`` URIs. Everything is
drawn with fixed sizes, fonts and colours and without timestamps in the PNG, so the same study
gives byte-identical figures. matplotlib is optional: without it these functions return None and
the report simply shows its tables.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualframe.analysis.cooccurrence import Cooccurrence
    from qualframe.analysis.reliability import ReliabilityReport
    from qualframe.analysis.saturation import SaturationResult
    from qualframe.analysis.themes import ThemeView

__all__ = [
    "cooccurrence_heatmap",
    "data_uri",
    "reliability_figure",
    "saturation_figure",
    "thematic_map",
]

_INK = "#1d2327"
_ACCENT = "#2f5d8a"
_MUTED = "#9aa5ad"


def _pyplot() -> Any | None:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is an optional extra
        return None
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "qualframe"})
    return plt


def _png(fig: Any, plt: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def data_uri(png: bytes | None) -> str | None:
    """``data:image/png;base64,...`` for an ``<img>`` tag (None stays None)."""
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _short(label: str) -> str:
    return label.split(":", 1)[-1].rsplit("/", 1)[-1]


def saturation_figure(result: SaturationResult) -> bytes | None:
    """Cumulative distinct codes by interview (study order and mean over random orderings)."""
    plt = _pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    x = list(range(1, len(result.cumulative) + 1))
    ax.bar(x, result.new_per_interview, color="#dbe8f5", edgecolor=_ACCENT, linewidth=0.6, label="new codes")
    many = len(x) > 60  # 1,000 interviews: no marker per point, a label on every n-th only
    ax.plot(
        x,
        result.cumulative,
        marker=None if many else "o",
        color=_ACCENT,
        label="cumulative codes (study order)",
    )
    if result.mean_cumulative:
        ax.plot(x, result.mean_cumulative, linestyle="--", color=_MUTED, label="mean over random orders")
    if result.point is not None:
        ax.axvline(result.point, color="#b5473a", linestyle=":", linewidth=1.2)
        ax.annotate(
            f"saturation at {result.point}",
            (result.point, max(result.cumulative) * 0.5),
            color="#b5473a",
            ha="right",
            xytext=(-4, 0),
            textcoords="offset points",
        )
    step = math.ceil(len(x) / 40) if many else 1  # rotated labels stay readable (about 40 at most)
    ax.set_xticks(x[::step])
    ax.set_xticklabels(result.order[::step], rotation=45, ha="right")
    ax.set_ylabel("codes")
    ax.set_xlabel(f"interviews ordered by {result.order_by}")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig, plt)


def cooccurrence_heatmap(table: Cooccurrence, *, limit: int = 25) -> bytes | None:
    """Heatmap of the c-coefficient for the most frequent codes."""
    plt = _pyplot()
    if plt is None or len(table.codes) < 2:
        return None
    keep = sorted(range(len(table.codes)), key=lambda i: (-table.frequency[i], table.codes[i]))[:limit]
    keep.sort(key=lambda i: table.codes[i])
    labels = [_short(table.codes[i]) for i in keep]
    values = [[table.c[i][j] if i != j else math.nan for j in keep] for i in keep]
    size = 1.8 + 0.32 * len(keep)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(
        values,
        cmap="Blues",
        vmin=0,
        vmax=max(0.2, max((v for r in values for v in r if v == v), default=0.2)),
    )
    ax.set_xticks(range(len(keep)))
    ax.set_yticks(range(len(keep)))
    ax.set_xticklabels(labels, rotation=60, ha="right")
    ax.set_yticklabels(labels)
    for a in range(len(keep)):
        for b in range(len(keep)):
            n = table.counts[keep[a]][keep[b]]
            if a != b and n:
                ax.text(b, a, str(n), ha="center", va="center", fontsize=7, color=_INK)
    fig.colorbar(image, ax=ax, fraction=0.04, label="c-coefficient")
    return _png(fig, plt)


def thematic_map(themes: Sequence[ThemeView]) -> bytes | None:
    """Codes (left) linked to the themes they support (right); line colour by theme status."""
    plt = _pyplot()
    if plt is None or not themes:
        return None
    codes = sorted({c for t in themes for c in t.codes}, key=_short)
    height = max(len(codes), len(themes)) * 0.32 + 0.8
    fig, ax = plt.subplots(figsize=(8.0, height))
    ycode = {c: len(codes) - 1 - i for i, c in enumerate(codes)}
    step = (len(codes) - 1) / max(len(themes) - 1, 1) if len(themes) > 1 else 0
    ytheme = {
        t.name: (len(codes) - 1) / 2 if len(themes) == 1 else len(codes) - 1 - i * step
        for i, t in enumerate(themes)
    }
    colour = {"candidate": "#c9a227", "reviewed": "#5b8db8", "defined": "#2f7d4f"}
    for t in themes:
        for c in t.codes:
            ax.plot(
                [0.32, 0.68],
                [ycode[c], ytheme[t.name]],
                color=colour.get(t.status, _MUTED),
                alpha=0.75,
                linewidth=1.1,
            )
    for c, y in ycode.items():
        ax.text(0.31, y, _short(c), ha="right", va="center", fontsize=8, color=_INK)
    for t in themes:
        label = "\n".join(textwrap.wrap(t.name, 34))
        ax.text(
            0.69,
            ytheme[t.name],
            f"{label}\n({t.status})",
            ha="left",
            va="center",
            fontsize=8.5,
            color=_INK,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": "#f4f6f8",
                "edgecolor": colour.get(t.status, _MUTED),
            },
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, len(codes))
    ax.axis("off")
    return _png(fig, plt)


def reliability_figure(report: ReliabilityReport) -> bytes | None:
    """Per-code Krippendorff's alpha with bootstrap intervals, against the .667 and .800 bands.

    Codes with too little evidence for a band (:func:`~qualframe.statistics.evidence_warning`)
    are drawn hollow and grey; every label carries its number of positive units.
    """
    plt = _pyplot()
    rows = [c for c in report.result.per_code if not math.isnan(c.krippendorff_alpha)]
    if plt is None or not rows:
        return None
    rows.sort(key=lambda c: c.krippendorff_alpha)
    fig, ax = plt.subplots(figsize=(6.4, 0.28 * len(rows) + 1.0))
    ax.axvspan(0.800, 1.0, color="#e3f1e6")
    ax.axvspan(0.667, 0.800, color="#fbf3dc")
    for y, c in enumerate(rows):
        lo, hi = c.alpha_ci
        if not (math.isnan(lo) or math.isnan(hi)):
            ax.plot([lo, hi], [y, y], color=_MUTED, linewidth=1.4)
        if c.warning:
            ax.plot([c.krippendorff_alpha], [y], "o", markerfacecolor="white", color=_MUTED, markersize=4)
        else:
            ax.plot([c.krippendorff_alpha], [y], "o", color=_ACCENT, markersize=4)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{_short(c.code)} ({c.positive_units})" for c in rows])
    ax.set_xlim(min(-0.2, min(c.krippendorff_alpha for c in rows) - 0.05), 1.02)
    ax.set_xlabel(
        f"Krippendorff's alpha per code (positive {report.unit}s), 95% bootstrap interval by case;\n"
        f"hollow: fewer than 10 {report.result.cluster_noun}s or 10 positive units, not judged"
    )
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig, plt)
