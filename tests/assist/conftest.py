"""Fixtures for assisted coding: a tiny codebook, labelled units, and a real local chat server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from qualframe.coding.engines import CodeInfo, LabelledUnit, Unit

FEAR = CodeInfo(
    key="fear",
    name="Fear",
    definition="Seeing the person as dangerous or frightening; feeling afraid of them.",
    keywords=("afraid", "scared", "dangerous"),
    examples=("I would be scared to be alone with him.",),
)
HELP = CodeInfo(
    key="help",
    name="Helping",
    definition="Willingness to help and support the person.",
    keywords=("help", "support"),
    patterns=(r"\blend (him|her|them) a hand\b",),
)
CODES = [FEAR, HELP]

_FEAR_TEXTS = [
    "I would be afraid of him, honestly.",
    "He scares me, he is dangerous.",
    "I'd feel scared near her.",
    "People like that are dangerous and unpredictable.",
    "I am frightened he might hurt someone.",
    "I would be afraid to share a flat with her.",
    "Being scared is natural around him.",
    "He could be violent, I'd be afraid.",
]
_HELP_TEXTS = [
    "I would help her move house.",
    "Of course I'd support him through it.",
    "I'm happy to help out.",
    "I would lend him a hand whenever he asked.",
    "We should support people like her.",
    "I'd help with the shopping and cooking.",
    "Supporting him is the right thing.",
    "I would always help a friend in need.",
]


def labelled_units() -> list[LabelledUnit]:
    """Sixteen short answers, eight per code, from eight participants."""
    out = []
    for i, text in enumerate(_FEAR_TEXTS):
        out.append(
            LabelledUnit(
                Unit(f"f{i}", text, "How would you feel around Avery?", f"p{i % 4}"), frozenset({"fear"})
            )
        )
    for i, text in enumerate(_HELP_TEXTS):
        out.append(
            LabelledUnit(Unit(f"h{i}", text, "Would you help Avery?", f"p{4 + i % 4}"), frozenset({"help"}))
        )
    return out


@dataclass
class ChatServer:
    """A real OpenAI-compatible chat server on 127.0.0.1 with scripted behaviours.

    The unit text decides the answer: MALFORMED -> not JSON; INVENT -> a quote not in the unit;
    SLOW -> answers after ``delay`` seconds; UNKNOWN -> a code not in the codebook; otherwise the
    code whose keyword occurs, quoting that keyword verbatim.
    """

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 1.5


def _answer(unit_text: str) -> str:
    if "MALFORMED" in unit_text:
        return "Sure! Here are the codes: {code: fear"
    if "INVENT" in unit_text:
        return json.dumps(
            {
                "codes": [
                    {
                        "code": "Fear",
                        "quote": "he terrifies the whole street",
                        "confidence": 0.9,
                        "rationale": "fear",
                    }
                ]
            }
        )
    if "UNKNOWN" in unit_text:
        return json.dumps(
            {"codes": [{"code": "Pity", "quote": "UNKNOWN", "confidence": 0.9, "rationale": "x"}]}
        )
    for word, code in (
        ("afraid", "Fear"),
        ("scared", "Fear"),
        ("dangerous", "Fear"),
        ("help", "Helping"),
        ("support", "Helping"),
    ):
        if word in unit_text.lower():
            start = unit_text.lower().index(word)
            quote = unit_text[start : start + len(word)]
            return (
                "```json\n"
                + json.dumps(
                    {
                        "codes": [
                            {
                                "code": code,
                                "quote": quote,
                                "confidence": 0.85,
                                "rationale": f"the unit says {quote!r}",
                            }
                        ]
                    }
                )
                + "\n```"
            )
    return json.dumps({"codes": []})


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """Start the scripted chat server in a thread for one test."""
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            unit_text = body["messages"][-1]["content"].split("UNIT to code:\n", 1)[-1]
            if "SLOW" in unit_text:
                time.sleep(state.delay)
            payload = json.dumps(
                {
                    "choices": [{"message": {"role": "assistant", "content": _answer(unit_text)}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20},
                }
            ).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
