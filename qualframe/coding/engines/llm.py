"""``llm``: a language model behind any OpenAI-compatible chat endpoint, held to the evidence.

Works with Ollama, llama.cpp's server, vLLM, LM Studio or OpenAI (``POST {endpoint}/chat/completions``).
The prompt is centred on the codebook: each code's definition, inclusion and exclusion criteria,
indicators and examples, then the codebook's decision rules, then the unit and the question that
prompted it. The answer must be JSON matching :data:`RESPONSE_SCHEMA`; every proposed code must be
one of the codebook's, and its evidence quote must occur verbatim in the unit (found with the
same forgiving-but-exact matcher as researchers' quotes), otherwise the suggestion is dropped and
counted. Answers are cached by a hash of the request, so a rerun costs nothing; timeouts and
server errors are retried with backoff; tokens, requests and seconds are accounted in ``stats``.

Privacy gate: only loopback endpoints (127.0.0.0/8, ::1, localhost) are allowed unless
``allow_remote`` is set, because a remote endpoint receives the participants' words; a loopback
endpoint is always reached directly, never through a proxy named in the environment.

Calibration: a model's stated confidence is not a probability. With labelled units, :meth:`fit`
codes up to ``calibration_units`` of them and fits a logistic map from stated confidence to being
right (Platt scaling); without, stated confidence is shrunk towards 0.5 and the run says so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol
from urllib.parse import urlparse

import numpy as np

from qualframe.coding.engines.agreement import reliability_table
from qualframe.coding.engines.base import (
    BaseCoder,
    CacheWriter,
    CodeInfo,
    EngineState,
    LabelledUnit,
    Unit,
    sigmoid,
)
from qualframe.coding.quotes import locate_quote
from qualframe.errors import AmbiguousQuoteError, InputError, QualframeError, QuoteNotFoundError
from qualframe.store.engine_caches import StudyLlmCache
from qualframe.store.study import Study

__all__ = [
    "DEFAULT_ENDPOINT",
    "RESPONSE_SCHEMA",
    "LlmCache",
    "LlmEngine",
    "MemoryCache",
    "RemoteEndpointError",
    "build_messages",
    "check_endpoint",
    "validate_response",
]

#: A local Ollama server's OpenAI-compatible API.
DEFAULT_ENDPOINT = "http://127.0.0.1:11434/v1"

#: The JSON every answer must match (also sent as ``response_format`` where the server supports it).
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["codes"],
    "properties": {
        "codes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "quote", "confidence", "rationale"],
                "properties": {
                    "code": {"type": "string"},
                    "quote": {"type": "string"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "rationale": {"type": "string"},
                },
            },
        }
    },
}


class RemoteEndpointError(InputError):
    """A non-loopback endpoint was given without ``--allow-remote``."""


class LlmCache(Protocol):
    """Where answers are cached by request hash (the study's ``llm_cache`` table, or memory)."""

    def get(self, key: str) -> tuple[str, int, int] | None:
        """``(response, prompt_tokens, completion_tokens)`` or None."""
        ...

    def put(self, key: str, model: str, response: str, prompt_tokens: int, completion_tokens: int) -> None:
        """Remember an answer."""
        ...


class MemoryCache:
    """A per-process cache (used when no study is involved, e.g. ``qualframe eval``)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, int, int]] = {}

    def get(self, key: str) -> tuple[str, int, int] | None:
        return self.entries.get(key)

    def put(self, key: str, model: str, response: str, prompt_tokens: int, completion_tokens: int) -> None:
        self.entries[key] = (response, prompt_tokens, completion_tokens)


def check_endpoint(endpoint: str, allow_remote: bool) -> bool:
    """Validate the URL; refuse a non-loopback host unless allowed. Returns whether it is remote."""
    parsed = urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{endpoint!r} is not an http(s) URL such as http://127.0.0.1:11434/v1.")
    host = parsed.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a host name other than localhost: never resolved, never trusted
    if not loopback and not allow_remote:
        raise RemoteEndpointError(
            f"{host} is not this machine, so the participants' words would leave it; use a local "
            "model server, or pass --allow-remote if your ethics approval and consent allow it."
        )
    return not loopback


def _code_block(code: CodeInfo) -> str:
    lines = [f"### {code.name}"]
    for label, value in (
        ("Definition", code.definition),
        ("Apply when", code.inclusion),
        ("Do not apply when", code.exclusion),
    ):
        if value:
            lines.append(f"{label}: {' '.join(value.split())}")
    if code.indicators:
        lines.append("Indicators: " + "; ".join(code.indicators[:8]))
    if code.examples:
        lines.append("Examples: " + " | ".join(f'"{e}"' for e in code.examples[:4]))
    return "\n".join(lines)


def build_messages(
    codes: Sequence[CodeInfo], rules: Sequence[str], unit: Unit, multi_label: bool
) -> list[dict[str, str]]:
    """The chat messages for one unit: the codebook first, then the unit and its context."""
    how_many = (
        "Apply every code that clearly applies (possibly none)."
        if multi_label
        else "Apply at most one code: the one that fits best, or none if no code applies."
    )
    system = "\n\n".join(
        [
            "You are an experienced qualitative researcher coding interview data deductively with "
            "the codebook below. Code meaning, not vocabulary, and follow each code's criteria.",
            "## Codebook\n\n" + "\n\n".join(_code_block(c) for c in codes),
            *(["## Decision rules\n" + "\n".join(f"- {r}" for r in rules)] if rules else []),
            "## Answer\n" + how_many + " Answer with JSON only, exactly in this form: "
            '{"codes": [{"code": "<a code name from the codebook, verbatim>", '
            '"quote": "<the shortest exact words of the UNIT that show it, copied verbatim>", '
            '"confidence": <0 to 1>, "rationale": "<why, in at most 25 words>"}]}. '
            'Use {"codes": []} when no code applies. Quote only the unit, never the question.',
        ]
    )
    user = (
        f"Question or previous turn (context only, do not code it):\n{unit.context}\n\n"
        if unit.context
        else ""
    )
    user += f"UNIT to code:\n{unit.text}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _extract_json(text: str) -> Any:
    """The JSON object in an answer, tolerating code fences and chatter around it."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            return json.loads(text[start : end + 1])
        raise


def validate_response(data: Any) -> list[dict[str, Any]]:
    """The ``codes`` list of an answer, or ValueError saying how it departs from the schema."""
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise ValueError("the answer is not an object with a 'codes' list")
    out = []
    for item in data["codes"]:
        if not isinstance(item, dict):
            raise ValueError("an entry of 'codes' is not an object")
        if not isinstance(item.get("code"), str) or not isinstance(item.get("quote"), str):
            raise ValueError("an entry lacks a string 'code' or 'quote'")
        confidence = item.get("confidence", 0.5)
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not 0 <= confidence <= 1
        ):
            raise ValueError("'confidence' must be a number between 0 and 1")
        rationale = item.get("rationale", "")
        out.append(
            {
                "code": item["code"],
                "quote": item["quote"],
                "confidence": float(confidence),
                "rationale": str(rationale)[:300],
            }
        )
    return out


def _fold(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


class LlmEngine(BaseCoder):
    """A chat model coding with the codebook; see the module docstring."""

    name: ClassVar[str] = "llm"
    version: ClassVar[str] = "1.0"

    def __init__(
        self,
        codes: Sequence[CodeInfo],
        *,
        multi_label: bool = False,
        threshold: float = 0.5,
        abstain_below: float = 0.01,
        endpoint: str = DEFAULT_ENDPOINT,
        model: str = "llama3.1:8b",
        api_key: str | None = None,
        allow_remote: bool = False,
        timeout: float = 60.0,
        retries: int = 2,
        temperature: float = 0.0,
        response_format: str = "json_object",
        rules: Sequence[str] = (),
        calibration_units: int = 40,
        cache: LlmCache | None = None,
    ) -> None:
        super().__init__(codes, multi_label=multi_label, threshold=threshold, abstain_below=abstain_below)
        if response_format not in ("json_schema", "json_object", "none"):
            raise InputError("response_format must be json_schema, json_object or none.")
        self.remote = check_endpoint(endpoint, allow_remote)
        self.endpoint = endpoint.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.allow_remote = allow_remote
        self.timeout = timeout
        self.retries = retries
        self.temperature = temperature
        self.response_format = response_format
        self.rules = list(rules)
        self.calibration_units = calibration_units
        self.cache: LlmCache = cache if cache is not None else MemoryCache()
        self.platt: tuple[float, float] | None = None
        self.stats: dict[str, float] = dict.fromkeys(
            (
                "requests",
                "cache_hits",
                "prompt_tokens",
                "completion_tokens",
                "seconds",
                "retries",
                "malformed",
                "failed_units",
                "invented_quotes",
                "unknown_codes",
            ),
            0,
        )
        self._answers: dict[str, list[tuple[int, float, int, int, str]]] = {}

    @classmethod
    def before_read(cls, params: Mapping[str, Any]) -> None:
        """The privacy gate: a non-loopback endpoint is refused before any participant's word is read."""
        check_endpoint(str(params.get("endpoint", DEFAULT_ENDPOINT)), bool(params.get("allow_remote")))

    @classmethod
    def prepare_run(
        cls, study: Study, params: dict[str, Any], *, decision_rules: Sequence[str]
    ) -> dict[str, CacheWriter]:
        """Answers cached in the study (a rerun costs nothing) and the codebooks' decision rules."""
        cache = StudyLlmCache(study)
        params.setdefault("cache", cache)
        params.setdefault("rules", list(decision_rules))
        return {"llm_cache_written": cache.flush}

    def run_stats(self) -> dict[str, Any]:
        """Requests, cache hits, tokens, retries and dropped answers, as ``llm_*`` run statistics."""
        return {f"llm_{k}": v for k, v in self.stats.items()}

    def get_params(self) -> dict[str, Any]:
        return {
            **super().get_params(),
            "endpoint": self.endpoint,
            "model": self.model,
            "remote": self.remote,
            "timeout": self.timeout,
            "retries": self.retries,
            "temperature": self.temperature,
            "response_format": self.response_format,
            "calibration_units": self.calibration_units,
            "calibrated": self.platt is not None,
        }

    # -- talking to the server -----------------------------------------------------------------
    def _request_body(self, unit: Unit) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": build_messages(self.codes, self.rules, unit, self.multi_label),
            "temperature": self.temperature,
        }
        if self.response_format == "json_object":
            body["response_format"] = {"type": "json_object"}
        elif self.response_format == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "codes", "schema": RESPONSE_SCHEMA, "strict": True},
            }
        return body

    def _post(self, client: Any, body: dict[str, Any]) -> tuple[str, int, int]:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        last = "no answer"
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats["retries"] += 1
                time.sleep(min(4.0, 0.25 * 2**attempt))
            try:
                self.stats["requests"] += 1
                response = client.post(f"{self.endpoint}/chat/completions", json=body, headers=headers)
            except httpx.TimeoutException:
                last = f"no answer within {self.timeout:g} s"
                continue
            except httpx.HTTPError as exc:
                last = f"cannot reach {self.endpoint} ({type(exc).__name__})"
                continue
            if response.status_code >= 500 or response.status_code == 429:
                last = f"the server answered {response.status_code}"
                continue
            if response.status_code >= 400:
                raise InputError(
                    f"the model server refused the request ({response.status_code}: {response.text[:120]})."
                )
            try:
                data = response.json()
                content = data["choices"][0]["message"]["content"] or ""
                usage = data.get("usage") or {}
                return content, int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            except (ValueError, KeyError, IndexError, TypeError):
                last = "the server's reply is not an OpenAI-style chat completion"
                continue
        raise _UnansweredError(last)

    def _ask(self, client: Any, unit: Unit) -> list[tuple[int, float, int, int, str]]:
        """Parsed, validated suggestions for one unit: (code index, confidence, start, end, why)."""
        body = self._request_body(unit)
        key = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        cached = self.cache.get(key)
        items: list[dict[str, Any]] | None = None
        if cached is not None:
            self.stats["cache_hits"] += 1
            items = validate_response(_extract_json(cached[0]))
        else:
            for _ in range(2):  # one more try when the answer is not valid JSON of the schema
                content, pt, ct = self._post(client, body)
                self.stats["prompt_tokens"] += pt
                self.stats["completion_tokens"] += ct
                try:
                    items = validate_response(_extract_json(content))
                except (ValueError, json.JSONDecodeError):
                    self.stats["malformed"] += 1
                    continue
                self.cache.put(key, self.model, content, pt, ct)
                break
        if items is None:
            raise _UnansweredError("the model's answers were not valid JSON of the expected form")
        index = {_fold(c.name): i for i, c in enumerate(self.codes)} | {
            _fold(c.key): i for i, c in enumerate(self.codes)
        }
        out = []
        for item in items:
            j = index.get(_fold(item["code"]))
            if j is None:
                self.stats["unknown_codes"] += 1
                continue
            try:
                start, end = locate_quote(unit.text, item["quote"], where="the unit")
            except AmbiguousQuoteError:
                start, end = locate_quote(unit.text, item["quote"], 1, where="the unit")
            except (QuoteNotFoundError, InputError):
                self.stats["invented_quotes"] += 1
                continue
            out.append((j, item["confidence"], start, end, item["rationale"] or "the model's reading"))
        if not self.multi_label and len(out) > 1:
            out = [max(out, key=lambda t: t[1])]
        return out

    def answers(self, units: Sequence[Unit]) -> list[list[tuple[int, float, int, int, str]]]:
        """Validated answers per unit (a unit the server never answered properly has none)."""
        import httpx

        out = []
        started = time.perf_counter()
        asked = failed = 0
        # A local server is reached directly: an HTTP(S)_PROXY or ALL_PROXY set for the web (common on
        # university networks) would otherwise carry the participants' words to the proxy.
        with httpx.Client(timeout=self.timeout, trust_env=self.remote) as client:
            for unit in units:
                key = f"{unit.id}\x00{unit.context}\x00{unit.text}"
                if key not in self._answers:
                    asked += 1
                    try:
                        self._answers[key] = self._ask(client, unit)
                    except _UnansweredError:
                        failed += 1
                        self._answers[key] = []
                out.append(self._answers[key])
        self.stats["seconds"] += time.perf_counter() - started
        self.stats["failed_units"] += failed
        if asked > 1 and failed == asked:
            raise InputError(f"the model server at {self.endpoint} gave no usable answer for any unit.")
        return out

    # -- protocol ------------------------------------------------------------------------------
    def _calibrated(self, stated: float) -> float:
        if self.platt is None:
            return 0.5 + 0.8 * (stated - 0.5)
        a, b = self.platt
        return float(sigmoid(np.array(a * stated + b)))

    def fit(self, examples: Sequence[LabelledUnit]) -> LlmEngine:
        """Platt-scale stated confidence on up to ``calibration_units`` labelled units."""
        self.fitted_examples = len(examples)
        sample = list(examples)[: self.calibration_units]
        if len(sample) < 10:
            return self
        stated, right = [], []
        y = self.label_matrix(sample)
        mask = self.label_mask(sample)
        answered = self.answers([ex.unit for ex in sample])
        for row, answers in enumerate(answered):
            for j, confidence, *_ in answers:
                if mask[row, j]:  # only where a person decided this code
                    stated.append(confidence)
                    right.append(bool(y[row, j]))
        if len(set(right)) == 2:
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression().fit(np.array(stated)[:, None], np.array(right))
            self.platt = (float(model.coef_[0, 0]), float(model.intercept_[0]))
        # The model does not learn from the units (only its confidence scale does), so its
        # agreement on them is nearly out of sample; measured on the calibration sample.
        scores = np.zeros(y.shape)
        for row, answers in enumerate(answered):
            for j, confidence, *_ in answers:
                scores[row, j] = max(scores[row, j], self._calibrated(confidence))
        self.reliability = reliability_table(self.code_keys, y, mask, self.decide(scores))
        return self

    def score(self, units: Sequence[Unit]) -> np.ndarray:
        out = np.zeros((len(units), len(self.codes)))
        for row, answers in enumerate(self.answers(units)):
            for j, confidence, *_ in answers:
                out[row, j] = max(out[row, j], self._calibrated(confidence))
        return out

    def evidence(self, unit: Unit, code_index: int) -> tuple[int, int, str]:
        for j, _, start, end, why in self.answers([unit])[0]:
            if j == code_index:
                return start, end, why
        return 0, len(unit.text), "the model proposed this code without a usable quote"

    def get_state(self) -> EngineState:
        state = super().get_state()
        state.meta.update(model=self.model, platt=list(self.platt) if self.platt else None)
        return state

    def set_state(self, state: EngineState) -> None:
        super().set_state(state)
        platt = state.meta.get("platt")
        self.platt = (float(platt[0]), float(platt[1])) if platt else None


class _UnansweredError(QualframeError):
    """Internal: one unit got no usable answer after retries (counted, never shown alone)."""
