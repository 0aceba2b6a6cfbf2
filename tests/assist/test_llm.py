"""The llm engine against a real chat server on 127.0.0.1, and the privacy gate."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qualframe.coding.engines import Unit, make_engine
from qualframe.coding.engines.llm import RemoteEndpointError, build_messages, check_endpoint
from tests.assist.conftest import CODES, ChatServer
from tests.conftest import snapshot


def _engine(server: ChatServer, **kw: object):
    return make_engine("llm", CODES, endpoint=server.url, model="test-model", **{"timeout": 5.0, **kw})


def test_suggestions_quote_the_unit_verbatim(chat_server: ChatServer) -> None:
    engine = _engine(chat_server)
    unit = Unit("u1", "Honestly I'd be scared of him at night.", "How would you feel?")
    [s] = engine.suggest([unit])
    assert (s.code, unit.text[s.start : s.end]) == ("fear", "scared")
    assert "scared" in s.rationale and 0 < s.confidence < 1
    assert engine.stats["prompt_tokens"] == 100 and engine.stats["completion_tokens"] == 20
    # The prompt is the codebook's: definitions and the question (as context only).
    messages = chat_server.requests[0]["messages"]
    assert "Seeing the person as dangerous" in messages[0]["content"]
    assert "How would you feel?" in messages[1]["content"]


def test_invented_quotes_and_unknown_codes_are_dropped_and_counted(chat_server: ChatServer) -> None:
    engine = _engine(chat_server)
    units = [Unit("u1", "INVENT: he is a bit odd."), Unit("u2", "UNKNOWN code please.")]
    assert engine.suggest(units) == []
    assert engine.stats["invented_quotes"] == 1 and engine.stats["unknown_codes"] == 1


def test_malformed_json_is_retried_then_the_unit_is_left_uncoded(chat_server: ChatServer) -> None:
    engine = _engine(chat_server)
    units = [Unit("u1", "MALFORMED answer here."), Unit("u2", "I would help him.")]
    suggestions = engine.suggest(units)
    assert [s.code for s in suggestions] == ["help"]
    assert engine.stats["malformed"] == 2 and engine.stats["failed_units"] == 1


def test_timeouts_are_retried_and_accounted(chat_server: ChatServer) -> None:
    chat_server.delay = 1.0
    engine = _engine(chat_server, timeout=0.3, retries=1)
    assert engine.suggest([Unit("u1", "SLOW: I am afraid."), Unit("u2", "I would help.")])[0].code == "help"
    assert engine.stats["retries"] == 1 and engine.stats["failed_units"] == 1


def test_answers_are_cached_by_content(chat_server: ChatServer) -> None:
    engine = _engine(chat_server)
    unit = Unit("u1", "I'd help.", "Would you help?")
    engine.suggest([unit])
    again = _engine(chat_server, cache=engine.cache)
    again.suggest([Unit("other-id", "I'd help.", "Would you help?")])
    assert len(chat_server.requests) == 1 and again.stats["cache_hits"] == 1


def test_the_privacy_gate_refuses_a_remote_endpoint_without_the_flag() -> None:
    for url in ("https://api.openai.com/v1", "http://10.0.0.5:8000/v1", "http://192.168.1.2/v1"):
        with pytest.raises(RemoteEndpointError, match="--allow-remote"):
            check_endpoint(url, allow_remote=False)
    assert check_endpoint("http://127.0.0.1:11434/v1", allow_remote=False) is False
    assert check_endpoint("http://localhost:8080/v1", allow_remote=False) is False
    assert check_endpoint("http://[::1]:8080/v1", allow_remote=False) is False
    assert (
        check_endpoint("https://api.openai.com/v1", allow_remote=True) is True
    )  # allowed, and marked remote


def test_suggest_refuses_a_remote_endpoint_and_leaves_the_study_unchanged(cli, study, corpus: Path) -> None:
    from qualframe.imports import import_files

    import_files(study, [corpus / "P01.txt"])
    before = snapshot(study.path)
    result = cli("suggest", study.path, "--engine", "llm", "--endpoint", "http://203.0.113.9/v1")
    assert result.returncode == 2 and "--allow-remote" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(study.path) == before


def test_the_prompt_asks_for_one_code_in_single_label_mode() -> None:
    single = build_messages(CODES, ["Code meaning."], Unit("u", "x"), multi_label=False)[0]["content"]
    multi = build_messages(CODES, [], Unit("u", "x"), multi_label=True)[0]["content"]
    assert "at most one code" in single and "Code meaning." in single
    assert "every code that clearly applies" in multi


def test_a_local_endpoint_is_reached_directly_never_through_a_proxy_from_the_environment(
    chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A university network's proxy setting must not carry the participants' words off the machine.
    proxied: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            proxied.append(self.path)
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, address)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        [s] = _engine(chat_server).suggest([Unit("u1", "I would help him.")])
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert s.code == "help" and len(chat_server.requests) == 1
    assert proxied == []
