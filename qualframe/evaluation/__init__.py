"""Measured agreement of assisted coding: ``qualframe eval``, learning curves, the baseline."""

from qualframe.evaluation.curve import format_table, learning_curve, parse_sizes, plot_curve
from qualframe.evaluation.metrics import score
from qualframe.evaluation.run import evaluate, load_codes, load_dataset

__all__ = [
    "evaluate",
    "format_table",
    "learning_curve",
    "load_codes",
    "load_dataset",
    "parse_sizes",
    "plot_curve",
    "score",
]
