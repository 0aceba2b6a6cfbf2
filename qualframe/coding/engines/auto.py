"""``auto`` (the default): chooses and combines engines by how many labelled examples exist.

* No labelled examples: the codebook alone. The lexicon's cues (transparent, fast) are blended
  with the embedding engine's zero-shot similarity when the packaged model is installed.
* Labelled examples: the supervised engine, blended per code with the zero-shot estimate
  according to how many examples that code has: weight ``n / (n + k)`` for the supervised
  probability (``k`` = ``shrink``, 8 by default), so a code with 2 examples still leans on its
  definition and a code with 60 is learnt from the data. The supervised engine needs at least
  ``min_examples`` labelled units and two distinct labels; below that, zero-shot only.

Evidence and rationale come from whichever engine contributed most to the suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.base import BaseCoder, CodeInfo, EngineState, LabelledUnit, Unit
from qualframe.coding.engines.lexicon import LexiconEngine
from qualframe.coding.engines.supervised import SupervisedEngine
from qualframe.errors import InputError

__all__ = ["AutoEngine"]


class AutoEngine(BaseCoder):
    """Lexicon + embedding zero-shot, shading into supervised as examples accumulate."""

    name: ClassVar[str] = "auto"
    version: ClassVar[str] = "1.0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
        shrink: float = 8.0,
        min_examples: int = 16,
        embedding: bool = True,
        model: str | None = None,
        lemmatizer: str = "auto",
        supervised_views: Sequence[str] = ("words", "meaning"),
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        self.shrink = shrink
        self.min_examples = min_examples
        self.model = model
        self.lexicon = LexiconEngine(
            codes, lemmatizer=lemmatizer, multi_label=multi_label, threshold=threshold
        )
        self.embedding: BaseCoder | None = None
        if embedding:
            try:
                from qualframe.coding.engines.embedding import EmbeddingEngine

                self.embedding = EmbeddingEngine(
                    codes, model=model, multi_label=multi_label, threshold=threshold
                )
            except (ImportError, InputError):
                self.embedding = None  # no ML extras: the lexicon alone
        self.supervised_views = tuple(supervised_views)
        self.supervised: SupervisedEngine | None = None
        self.counts = np.zeros(len(codes))

    def get_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            **super().get_params(),
            "shrink": self.shrink,
            "min_examples": self.min_examples,
            "lexicon": self.lexicon.get_params(),
            "embedding": self.embedding.get_params() if self.embedding else None,
        }
        if self.supervised is not None:
            params["supervised"] = self.supervised.get_params()
        return params

    @property
    def uses(self) -> list[str]:
        """Which engines contribute now (recorded with the run)."""
        out = ["lexicon"] + (["embedding"] if self.embedding else [])
        return out + (["supervised"] if self.supervised is not None else [])

    def fit(self, examples: Sequence[LabelledUnit]) -> AutoEngine:
        """Calibrate the zero-shot engines and, with enough examples, fit the supervised one."""
        self.fitted_examples = len(examples)
        self.lexicon.fit(examples)
        if self.embedding is not None:
            self.embedding.fit(examples)
        y = self.label_matrix(examples)
        self.counts = y.sum(axis=0).astype(float)
        self.supervised = None
        distinct = {ex.codes for ex in examples}
        if len(examples) >= self.min_examples and len(distinct) >= 2 and y.any():
            self.supervised = SupervisedEngine(
                self.codes,
                multi_label=self.multi_label,
                views=self.supervised_views,
                model=self.model,
                encoder=getattr(self.embedding, "encoder", None),
            ).fit(examples)
            self.thresholds = self.supervised.thresholds
        return self

    def _parts(self, units: Sequence[Unit]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        lexicon = self.lexicon.score(units)
        zero = lexicon
        if self.embedding is not None:
            emb = self.embedding.score(units)
            hit = lexicon > self.lexicon.base_rates * 0.5 + 1e-9
            # A matched cue raises the embedding's estimate; no cue leaves it as it is.
            zero = np.where(hit, 1 - (1 - emb) * (1 - lexicon), emb)
            if not self.multi_label:
                zero = zero / np.maximum(zero.sum(axis=1, keepdims=True), 1e-9)
        supervised = self.supervised.score(units) if self.supervised is not None else None
        return lexicon, zero, supervised

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if not units:
            return np.zeros((0, len(self.codes)))
        _, zero, supervised = self._parts(units)
        if supervised is None:
            return zero
        weight = self.counts / (self.counts + self.shrink)
        return np.asarray(weight * supervised + (1 - weight) * zero)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        # Once the supervised engine is fitted its single-label rule decides: the "(none)" class
        # and the per-code offsets tuned for kappa on its out-of-fold predictions.
        if self.supervised is not None and not self.multi_label:
            return self.supervised.decide(scores)
        return super().decide(scores)

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        lexicon = self.lexicon.score([unit])  # cheap; the other engines are not rerun per unit
        if lexicon[0, code_index] > self.lexicon.base_rates[code_index] * 0.5 + 1e-9:
            return self.lexicon.evidence(unit, code_index)
        if self.supervised is not None:
            return self.supervised.evidence(unit, code_index)
        if self.embedding is not None:
            return self.embedding.evidence(unit, code_index)
        return self.lexicon.evidence(unit, code_index)

    def get_state(self) -> EngineState:
        state = super().get_state()
        state.arrays["counts"] = self.counts
        for label, engine in (
            ("lexicon", self.lexicon),
            ("embedding", self.embedding),
            ("supervised", self.supervised),
        ):
            if engine is not None:
                state.nest(label, engine.get_state())
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        self.counts = state.arrays["counts"]

        self.lexicon.set_state(state.part("lexicon"))
        if self.embedding is not None and "embedding_meta" in state.meta:
            self.embedding.set_state(state.part("embedding"))
        self.supervised = None
        if "supervised_meta" in state.meta:
            self.supervised = SupervisedEngine(
                self.codes,
                multi_label=self.multi_label,
                views=self.supervised_views,
                model=self.model,
                encoder=getattr(self.embedding, "encoder", None),
            )
            self.supervised.set_state(state.part("supervised"))
