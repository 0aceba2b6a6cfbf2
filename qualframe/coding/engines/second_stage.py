"""The supervised engine's second stage: the participant's other talk and the place in the talk.

Attitudes are traits of people: someone who blames the vignette character in one answer often
does in the next. And talk moves as an interview goes on: in counselling sessions change talk
rises from about 15 % of client turns in the first fifth of a session to 36 % in the last. The
second stage is a small logistic regression over a unit's own out-of-fold probabilities, the mean
over the same case's other units and (in one of its two forms) the unit's place in its transcript
(``Unit.position``).

Which form, if any, is kept is decided on participants the stage did not see (:func:`fit_stage`):
judged on the units it was fitted to, a stage with twenty inputs always looks better, and on ten
coded AnnoMI sessions that made the engine worse on new ones. A stage is the pair ``(weights,
biases)`` the engine saves with its state; nothing here keeps state of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualframe.coding.engines.base import Unit, sigmoid, softmax
from qualframe.coding.engines.linear import fit_linear, log_loss

__all__ = ["PLACE_FEATURES", "apply_stage", "fit_stage", "stage_features", "stage_width"]

#: Columns of a unit's place: five fifths one-hot, the position, and whether it is known.
PLACE_FEATURES = 7

Stage = tuple[np.ndarray, np.ndarray]


def _probabilities(logits: np.ndarray, multi_label: bool) -> np.ndarray:
    return sigmoid(logits) if multi_label else softmax(logits)


def stage_width(outputs: int) -> int:
    """How many inputs a stage over ``outputs`` probabilities reads (to refuse a stage of another shape)."""
    return 3 * outputs + PLACE_FEATURES


def stage_features(p: np.ndarray, units: Sequence[Unit]) -> np.ndarray:
    """Per unit: its own log-probabilities, its case's other units' mean probabilities, its place.

    The mean is zero when the unit is its case's only one; it is also given scaled by the log of
    how many other units there are, so one other answer counts less than twenty. The place is the
    unit's position in its transcript as one of five fifths (one-hot), the position itself and
    whether it is known (all zero where it is not).
    """
    index: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        if unit.case:
            index.setdefault(unit.case, []).append(i)
    others = np.zeros_like(p)
    count = np.zeros((len(p), 1))
    for members in index.values():
        if len(members) > 1:
            total = p[members].sum(axis=0)
            others[members] = (total - p[members]) / (len(members) - 1)
            count[members] = np.log(len(members) - 1)
    place = np.zeros((len(p), PLACE_FEATURES))
    for i, unit in enumerate(units):
        if unit.position is not None:
            position = min(max(unit.position, 0.0), 1.0)
            place[i, min(int(position * 5), 4)] = 1.0
            place[i, 5:] = position, 1.0
    return np.hstack([np.log(np.clip(p, 1e-6, 1.0)), others, others * count, place])


def apply_stage(stage: Stage | None, p: np.ndarray, units: Sequence[Unit], multi_label: bool) -> np.ndarray:
    """``p`` as the stage shifts it (unchanged without a stage)."""
    if stage is None:
        return p
    w, b = stage
    return _probabilities(stage_features(p, units) @ w.T + b, multi_label)


def fit_stage(
    p: np.ndarray, y: np.ndarray, units: Sequence[Unit], mask: np.ndarray, multi_label: bool
) -> Stage | None:
    """The form of the stage that lowers log loss on held-out participants, or None.

    ``p`` are the first stage's out-of-fold probabilities. Each form (without and, where any place
    is known, with the place) is fitted on the other cases and scored on held-out ones
    (:func:`_held_out_loss`) and must beat ``p``'s own log loss there.
    """
    cases = [u.case or u.id for u in units]
    if len(set(cases)) < 3 or (len(set(cases)) == len(cases) and all(u.position is None for u in units)):
        return None
    full = stage_features(p, units)
    without_place = full.copy()
    without_place[:, -PLACE_FEATURES:] = 0.0
    forms = [without_place] + ([full] if any(u.position is not None for u in units) else [])
    best, best_loss = None, log_loss(p, y, multi_label, mask)
    for x in forms:
        loss = _held_out_loss(x, y, mask, cases, multi_label)
        if loss < best_loss:
            best, best_loss = x, loss
    return None if best is None else fit_linear(best, y, multi_label, 1.0, mask)


def _held_out_loss(
    x: np.ndarray, y: np.ndarray, mask: np.ndarray, cases: Sequence[str], multi_label: bool
) -> float:
    """Log loss of a stage on held-out cases (3 folds grouped by case, pooled)."""
    from sklearn.model_selection import GroupKFold

    q = np.zeros(y.shape)
    folds = GroupKFold(n_splits=min(3, len(set(cases))))
    for train, test in folds.split(x, groups=list(cases)):
        w, b = fit_linear(x[train], y[train], multi_label, 1.0, mask[train])
        q[test] = _probabilities(x[test] @ w.T + b, multi_label)
    return log_loss(q, y, multi_label, mask)
