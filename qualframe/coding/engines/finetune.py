"""``finetune``: a cross-encoder fine-tuned from the packaged MiniLM on the study's own codings.

The supervised engine embeds the question and the answer separately and learns a linear model
over the vectors; it cannot see that "No." after "Would you help her?" and "No." after "Would
you be afraid of her?" mean opposite things unless a word says so. This engine fine-tunes all six
layers of MiniLM on the pair read together (``[CLS] question [SEP] answer [SEP]``), with a
classification head over the mean of the token vectors, so attention runs across the two.

Its probabilities are blended with the supervised engine's (words, meaning and the
participant's other answers), which errs differently; the blend weight and a temperature are
chosen by log loss on cases held out from fine-tuning, so the confidences stay calibrated. With
fewer than :attr:`FinetuneEngine.min_holdout` examples nothing is held out and the blend is
fixed at one half.

Fitting is slow on a CPU (about 1.3 s per 16 units per epoch on 2 cores: some 12 minutes for
2,700 units and three epochs), so ``auto`` never chooses it: ask for it by name
(``--engine finetune``) once hundreds of units are coded. The fine-tuned weights are saved with
the engine's state in the study (float16, about 45 MB) and reused until the codings change.
Runs are seeded and deterministic on one machine.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qualframe.coding.engines.base import (
    BaseCoder,
    CodeInfo,
    EngineState,
    LabelledUnit,
    Unit,
    sigmoid,
    softmax,
)
from qualframe.coding.engines.encoder import DEFAULT_MODEL, model_path
from qualframe.coding.engines.linear import log_loss
from qualframe.coding.engines.supervised import SupervisedEngine
from qualframe.errors import InputError

__all__ = ["FinetuneEngine", "transformer_folder"]


def transformer_folder(model: str | None) -> Path:
    """The Hugging Face model folder inside a sentence-transformers model (root or ``0_Transformer``)."""
    root = model_path(model)
    modules = root / "modules.json"
    if modules.is_file():
        for module in json.loads(modules.read_text(encoding="utf-8")):
            if (
                module.get("type", "").endswith("Transformer")
                and (root / module["path"] / "config.json").is_file()
            ):
                return root / str(module["path"])
    if (root / "config.json").is_file():
        return root
    raise InputError(f"{root} holds no transformer model (config.json) to fine-tune.")


class FinetuneEngine(BaseCoder):
    """A fine-tuned MiniLM cross-encoder blended with the supervised engine; see the module docstring."""

    name: ClassVar[str] = "finetune"
    #: 1.1: its supervised part reads the place in the talk (supervised 1.1); 1.0 states refit.
    version: ClassVar[str] = "1.1"
    #: Examples needed before cases are held out to choose the blend and temperature.
    min_holdout: ClassVar[int] = 200

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.0,
        model: str | None = None,
        blend_model: str | None = None,
        epochs: float = 3.0,
        min_steps: int = 60,
        batch_size: int = 16,
        learning_rate: float = 5e-5,
        max_length: int = 160,
        use_context: bool = True,
        holdout: float = 0.1,
        seed: int = 0,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        if epochs <= 0 or batch_size < 1 or not 0 <= holdout < 0.5:
            raise InputError("finetune needs epochs > 0, batch_size >= 1 and holdout in [0, 0.5).")
        self.model = model
        #: The sentence encoder of the supervised part it is blended with (default: ``model``), so a
        #: MiniLM cross-encoder can be blended with a supervised engine over all-mpnet-base-v2.
        self.blend_model = blend_model
        self.folder = transformer_folder(model)
        self.epochs, self.min_steps, self.batch_size = float(epochs), int(min_steps), int(batch_size)
        self.learning_rate, self.max_length = float(learning_rate), int(max_length)
        self.use_context, self.holdout, self.seed = use_context, float(holdout), int(seed)
        self.supervised = SupervisedEngine(codes, multi_label=multi_label, model=blend_model or model)
        self.network: Any = None
        self.tokenizer: Any = None
        self.outputs = 0
        self.blend = 0.5  # weight of the cross-encoder; the supervised engine gets the rest
        self.temperature = 1.0

    def get_params(self) -> dict[str, Any]:
        return {
            **super().get_params(),
            "model": str(self.folder) if self.model else DEFAULT_MODEL,
            "epochs": self.epochs,
            "min_steps": self.min_steps,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "max_length": self.max_length,
            "use_context": self.use_context,
            "holdout": self.holdout,
            "seed": self.seed,
            # Only when set, so the default's training hash (and saved states) stay as they were.
            **({"blend_model": self.supervised.encoder.name} if self.blend_model else {}),
        }

    # -- the network ---------------------------------------------------------------------------
    def _build(self, outputs: int) -> None:
        """Load MiniLM from the installed package (never a hub: see :mod:`qualframe.offline`), add a head."""
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(self.seed)
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(self.folder), local_files_only=True)
        head = torch.nn.Linear(int(encoder.config.hidden_size), outputs)
        self.network = torch.nn.ModuleDict({"encoder": encoder, "head": head})
        self.outputs = outputs

    def _batch(self, units: Sequence[Unit]) -> Any:
        contexts = [u.context if self.use_context else "" for u in units]
        return self.tokenizer(
            contexts,
            [u.text for u in units],
            truncation="longest_first",
            max_length=self.max_length,
            padding=True,
            return_tensors="pt",
        )

    def _forward(self, batch: Any) -> Any:
        hidden = self.network["encoder"](**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return self.network["head"]((hidden * mask).sum(1) / mask.sum(1))

    def _train(self, units: Sequence[Unit], y: np.ndarray) -> None:
        import torch

        self._build(y.shape[1])
        network = self.network
        optimiser = torch.optim.AdamW(network.parameters(), lr=self.learning_rate, weight_decay=0.01)
        steps = max(self.min_steps, math.ceil(len(units) / self.batch_size * self.epochs))
        warmup = max(1, steps // 10)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
        )
        rng = np.random.default_rng(self.seed)
        target = torch.tensor(y.argmax(axis=1) if not self.multi_label else y.astype(np.float32))
        network.train()
        step = 0
        while step < steps:
            order = rng.permutation(len(units))
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                logits = self._forward(self._batch([units[i] for i in rows]))
                if self.multi_label:
                    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target[rows])
                else:
                    loss = torch.nn.functional.cross_entropy(logits, target[rows])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
                if step >= steps:
                    break
        network.eval()
        with torch.no_grad():  # saved as float16: round now, so a restored engine scores the same
            for tensor in network.state_dict().values():
                if tensor.is_floating_point():
                    tensor.copy_(tensor.half().float())

    def _logits(self, units: Sequence[Unit]) -> np.ndarray:
        import torch

        out = np.zeros((len(units), self.outputs))
        order = sorted(range(len(units)), key=lambda i: len(units[i].context) + len(units[i].text))
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                rows = order[start : start + 64]
                out[rows] = self._forward(self._batch([units[i] for i in rows])).double().numpy()
        return out

    def _network_probabilities(self, units: Sequence[Unit]) -> np.ndarray:
        logits = self._logits(units) / self.temperature
        return sigmoid(logits) if self.multi_label else softmax(logits)

    # -- learning ------------------------------------------------------------------------------
    def _holdout_split(self, examples: Sequence[LabelledUnit]) -> tuple[list[int], list[int]]:
        """Train and held-out indices: whole cases held out, seeded (all train when too few)."""
        everything = list(range(len(examples)))
        cases = sorted({ex.unit.case or ex.unit.id for ex in examples})
        if len(examples) < self.min_holdout or self.holdout == 0 or len(cases) < 5:
            return everything, []
        random.Random(self.seed).shuffle(cases)
        held = set(cases[: max(1, round(len(cases) * self.holdout))])
        test = [i for i, ex in enumerate(examples) if (ex.unit.case or ex.unit.id) in held]
        test_rows = set(test)
        return [i for i in everything if i not in test_rows], test

    def fit(self, examples: Sequence[LabelledUnit]) -> FinetuneEngine:
        """Fine-tune on all but the held-out cases, choose blend and temperature, refit the rest."""
        examples = self.complete(examples)  # a fine-tuned classifier needs whole labels
        self.fitted_examples = len(examples)
        if not examples:
            raise InputError("the finetune engine needs labelled examples; code some units first.")
        y = self.supervised._targets(examples)  # single-label: codes plus "(none)" when used
        if y.sum() == 0:
            raise InputError("none of the labelled units carries one of the engine's codes.")
        train, held = self._holdout_split(examples)
        units = [ex.unit for ex in examples]
        self._train([units[i] for i in train], y[train])
        self.blend, self.temperature = 0.5, 1.0
        if held:
            # The supervised engine fitted without the held-out cases too, so the blend weight
            # is chosen on predictions neither part has seen.
            probe = SupervisedEngine(
                self.codes, multi_label=self.multi_label, model=self.blend_model or self.model
            )
            probe.fit([examples[i] for i in train])
            p_sup = probe._all_probabilities([units[i] for i in held])
            logits = self._logits([units[i] for i in held])
            best: tuple[float, float, float] | None = None
            for t in (0.7, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0):
                p_net = sigmoid(logits / t) if self.multi_label else softmax(logits / t)
                for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
                    loss = log_loss(w * p_net + (1 - w) * p_sup, y[held], self.multi_label)
                    if best is None or loss < best[0]:
                        best = (loss, w, t)
            assert best is not None
            _, self.blend, self.temperature = best
        self.supervised.fit(examples)
        self.thresholds = self.supervised.thresholds
        # Measured on its supervised part (refitting the network per fold would take hours on a
        # CPU); the blend scored higher than that part on both development sets.
        self.reliability = self.supervised.reliability
        return self

    # -- scoring -------------------------------------------------------------------------------
    def score(self, units: Sequence[Unit]) -> np.ndarray:
        if self.network is None:
            raise InputError("the finetune engine is not fitted yet; it needs labelled examples.")
        if not units:
            return np.zeros((0, len(self.codes)))
        p = self.blend * self._network_probabilities(units)
        p = p + (1 - self.blend) * self.supervised._all_probabilities(units)
        return p if self.multi_label else p[:, : len(self.codes)]

    def decide(self, scores: np.ndarray) -> np.ndarray:
        # The supervised part's kappa-tuned offsets were fitted to its own probabilities, not
        # to the blend: the blend decides by plain argmax (abstaining when "(none)" wins).
        return self.supervised.decide_with(scores, None)

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        start, end, why = self.supervised.evidence(unit, code_index)
        return start, end, f"fine-tuned reader of question and answer agrees; {why}"

    # -- state ---------------------------------------------------------------------------------
    def get_state(self) -> EngineState:
        state = super().get_state()
        if self.network is None:
            return state
        state.meta.update(blend=self.blend, temperature=self.temperature, outputs=self.outputs)
        state.nest("supervised", self.supervised.get_state())
        for key, tensor in self.network.state_dict().items():
            state.arrays[f"network__{key}"] = tensor.detach().numpy().astype(np.float16)
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        if "outputs" not in state.meta:
            self.network = None
            return
        import torch

        self.blend = float(state.meta["blend"])
        self.temperature = float(state.meta["temperature"])
        self.supervised.set_state(state.part("supervised"))
        self._build(int(state.meta["outputs"]))
        weights = {
            k.removeprefix("network__"): torch.from_numpy(v.astype(np.float32))
            for k, v in state.arrays.items()
            if k.startswith("network__")
        }
        self.network.load_state_dict(weights)
        self.network.eval()
