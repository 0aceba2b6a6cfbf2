"""Figures of the networks: one case's ego-network by phase, and the shift across cases.

PNG bytes from matplotlib's Agg backend (no display needed), ready for the report or a file.
Each case's alters keep one place on a circle around the participant in every phase panel, so a
reader sees the same people change from one kind of tie to another; alters absent from a phase
are faint, unlabelled dots. Edge colour is the tie type (a tie of several types is drawn as parallel
lines), node colour the role, dashed grey lines the ties between alters.
"""

from __future__ import annotations

import io
import math
from typing import Any

from qualframe.network.measures import NetworkMeasures
from qualframe.store.models import ALTER_ROLES, LIFE_PHASES, TIE_TYPES

__all__ = ["PHASE_TITLES", "ROLE_COLOURS", "TIE_COLOURS", "case_figure", "summary_figure"]

#: Tie type -> colour (the network-ties codebook's colours where it has them).
TIE_COLOURS = {
    "shared-moment": "#59A14F",
    "transactional": "#B6992D",
    "co-buying": "#E15759",
    "support": "#4E79A7",
    "pressure": "#7B3F98",
}
#: Role -> node colour.
ROLE_COLOURS = {
    "friend": "#8CD17D",
    "partner": "#FF9D9A",
    "family": "#A0CBE8",
    "fellow user": "#F1CE63",
    "dealer": "#D37295",
    "key worker": "#86BCB6",
    "housemate": "#B6992D",
    "colleague": "#9D7660",
    "professional": "#499894",
    "other": "#BAB0AC",
}
PHASE_TITLES = {
    "pre-use": "Pre-use",
    "recreational": "Recreational use",
    "dependent": "Dependent use",
    "treatment": "Treatment and now",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8})
    return plt


def _png(fig: Any, plt: Any, dpi: int, tight: bool = True) -> bytes:
    buf = io.BytesIO()
    fig.savefig(
        buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None, metadata={"Software": None}
    )
    plt.close(fig)
    return buf.getvalue()


def case_figure(graph: Any, *, title: str | None = None, dpi: int = 100) -> bytes:
    """Small multiples of one case's ego-network (a :func:`qualframe.network.graphs.case_graphs` graph)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    plt = _pyplot()
    ego = next(n for n, d in graph.nodes(data=True) if d.get("kind") == "ego")
    alters = sorted(
        (n for n, d in graph.nodes(data=True) if d.get("kind") == "alter"),
        key=lambda n: (ALTER_ROLES.index(graph.nodes[n]["role"]), graph.nodes[n]["label"]),
    )
    pos = {ego: (0.0, 0.0)}
    for i, n in enumerate(alters):
        angle = math.pi / 2 - 2 * math.pi * i / max(1, len(alters))
        pos[n] = (math.cos(angle), math.sin(angle))
    fig, axes = plt.subplots(1, len(LIFE_PHASES), figsize=(3.0 * len(LIFE_PHASES), 3.6))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.8 if title else 0.86, bottom=0.16, wspace=0.05)
    for ax, phase in zip(axes, LIFE_PHASES, strict=True):
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.5, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")
        types: dict[str, list[str]] = {}
        for u, v, d in graph.edges(data=True):
            if d.get("kind") == "ego-alter" and d.get("phase") == phase:
                types.setdefault(v if u == ego else u, []).append(d["tie_type"])
        for u, v, d in graph.edges(data=True):
            if d.get("kind") == "alter-alter" and d.get("phase") in ("", phase) and u in types and v in types:
                ax.plot(*zip(pos[u], pos[v], strict=True), color="#9aa5ad", lw=1, ls="--", zorder=1)
        for alter, kinds in types.items():
            (x0, y0), (x1, y1) = pos[ego], pos[alter]
            length = math.hypot(x1 - x0, y1 - y0) or 1.0
            nx_, ny_ = -(y1 - y0) / length, (x1 - x0) / length
            ordered = sorted(set(kinds), key=TIE_TYPES.index)
            for k, kind in enumerate(ordered):
                off = (k - (len(ordered) - 1) / 2) * 0.045
                ax.plot(
                    [x0 + nx_ * off, x1 + nx_ * off],
                    [y0 + ny_ * off, y1 + ny_ * off],
                    color=TIE_COLOURS[kind],
                    lw=2.2,
                    zorder=2,
                    solid_capstyle="round",
                )
        faint = [pos[n] for n in alters if n not in types]
        if faint:  # the case's other alters, unlabelled, so the same person keeps the same place
            ax.scatter(
                *zip(*faint, strict=True),
                s=50,
                color="#eeeeee",
                edgecolors="#cccccc",
                linewidths=0.8,
                zorder=3,
            )
        shown = [n for n in alters if n in types]
        if shown:
            ax.scatter(
                *zip(*(pos[n] for n in shown), strict=True),
                s=160,
                zorder=3,
                color=[ROLE_COLOURS.get(graph.nodes[n]["role"], "#BAB0AC") for n in shown],
                edgecolors="#1d2327",
                linewidths=0.8,
            )
        for n in shown:
            x, y = pos[n]
            ax.annotate(graph.nodes[n]["label"], (x * 1.22, y * 1.22), ha="center", va="center", fontsize=7)
        ax.scatter(0, 0, s=220, color="#1d2327", zorder=4)
        ax.annotate(graph.nodes[ego]["label"], (0, -0.22), ha="center", fontsize=7, color="#1d2327")
        trans = sum(1 for ks in types.values() if {"transactional", "co-buying"} & set(ks))
        shared = sum(1 for ks in types.values() if "shared-moment" in ks)
        share = f"{trans / (trans + shared):.2f}" if trans + shared else "—"
        noun = "alter" if len(types) == 1 else "alters"
        ax.set_title(f"{PHASE_TITLES[phase]}\n{len(types)} {noun}, transactional share {share}", fontsize=8)
    handles: list[Any] = [Line2D([0], [0], color=c, lw=2.2, label=t) for t, c in TIE_COLOURS.items()]
    handles += [Line2D([0], [0], color="#9aa5ad", lw=1, ls="--", label="between alters")]
    handles += [Patch(color=c, label=r) for r, c in ROLE_COLOURS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=7, fontsize=7, frameon=False)
    if title:
        fig.suptitle(title, fontsize=9)
    return _png(fig, plt, dpi, tight=False)


def summary_figure(measures: NetworkMeasures, *, dpi: int = 100) -> bytes:
    """Across cases: transactional share recreational -> dependent per case, and ties by phase and type."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
    shift = measures.shift
    ends: dict[float, list[str]] = {}
    for case, b, a in zip(shift.cases, shift.before, shift.after, strict=True):
        colour = "#B6992D" if a > b else ("#59A14F" if a < b else "#9aa5ad")
        left.plot([0, 1], [b, a], color=colour, lw=1.6, marker="o", ms=4, alpha=0.8)
        ends.setdefault(round(a, 2), []).append(case)
    for value, cases in ends.items():
        left.annotate(", ".join(cases), (1.04, value), fontsize=6, va="center", color="#1d2327")
    left.set_xticks([0, 1], [PHASE_TITLES[shift.before_phase], PHASE_TITLES[shift.after_phase]])
    left.set_xlim(-0.2, 1.6)
    left.set_ylim(-0.05, 1.05)
    left.set_ylabel("transactional share of ties")
    left.set_title(
        f"{shift.increased} of {shift.n} participants shifted toward transactional ties", fontsize=8
    )
    for side in ("top", "right"):
        left.spines[side].set_visible(False)
    bottom = [0.0] * len(LIFE_PHASES)
    for tie_type in TIE_TYPES:
        values = [
            float(sum(p.tie_types.get(tie_type, 0) for p in measures.phases if p.phase == phase))
            for phase in LIFE_PHASES
        ]
        right.bar(range(len(LIFE_PHASES)), values, bottom=bottom, color=TIE_COLOURS[tie_type], label=tie_type)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    right.set_xticks(range(len(LIFE_PHASES)), [PHASE_TITLES[p].replace(" ", "\n", 1) for p in LIFE_PHASES])
    right.set_ylabel("alters with a tie of this type (all cases)")
    right.set_title("Ties by life phase and type", fontsize=8)
    right.legend(fontsize=7, frameon=False)
    for side in ("top", "right"):
        right.spines[side].set_visible(False)
    return _png(fig, plt, dpi)
