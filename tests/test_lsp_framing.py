"""The language server over raw stdio, framed badly on purpose: a `Content-Length` huge, short, long, negative
or not a number no longer kills the server nor leaves it deaf — it reads in step again and answers the next
requests — and every request gets an answer: -32602 for parameters it cannot read (`params: null`, a negative
position), -32700 for a body that is not JSON (`interpreter.lsp.framing`)."""

from __future__ import annotations

import asyncio
import itertools
import json
import queue
import subprocess
import sys
import threading

import pytest

from tests.conftest import ROOT

WAIT = 60  # seconds to wait for an answer that must come (a loaded machine may be slow; none is measured)


class RawClient:
    """`convcheck lsp` in a process, spoken to in bytes."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interpreter.cli", "lsp"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue = queue.Queue()
        self.ids = itertools.count(100)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    return
                header += byte
            length = next(
                int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length")
            )
            self.messages.put(json.loads(stream.read(length)))

    def send_bytes(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict, length: int | bytes | None = None) -> None:
        body = json.dumps(message).encode()
        written = str(len(body) if length is None else length).encode() if not isinstance(length, bytes) else length
        self.send_bytes(b"Content-Length: " + written + b"\r\n\r\n" + body)

    def answer(self, id) -> dict:
        """The answer to request `id` (notifications in between are passed over)."""
        while True:
            message = self.messages.get(timeout=WAIT)
            if message.get("id") == id and "method" not in message:
                return message

    def request(self, id, method: str, params) -> dict:
        self.send({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        return self.answer(id)

    def close(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def server():
    """One server for every test: each leaves it as it found it, reading in step (ids are never reused)."""
    client = RawClient()
    assert "capabilities" in client.request(1, "initialize", {"capabilities": {}, "processId": None})["result"]
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    yield client
    client.close()


def alive(server) -> None:
    """The server still answers, in step: a request for the symbols of a document."""
    answer = server.request(
        next(server.ids), "textDocument/documentSymbol", {"textDocument": {"uri": "file:///absent/x.conv"}}
    )
    assert "result" in answer or "error" in answer, answer
    assert server.process.poll() is None


def test_a_huge_content_length_does_not_kill_the_server(server):
    id = next(server.ids)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": id,
            "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": "file:///absent/x.conv"}},
        },
        length=b"99999999999999999999",
    )
    assert "result" in server.answer(id)  # the body was read as the object it is
    alive(server)


def test_a_short_content_length_is_answered_then_read_past(server):
    """The request is answered — with its result when the rest of its object has arrived with it, else with a
    parse error (-32700) — and the rest of it is skipped."""
    id = next(server.ids)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": id,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///absent/x.conv"}, "position": {"line": 0, "character": 0}},
        },
        length=30,
    )
    answer = server.answer(id)
    assert "result" in answer or answer["error"]["code"] == -32700
    alive(server)
    alive(server)


def test_a_long_content_length_is_answered_without_waiting_for_more(server):
    id = next(server.ids)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": id,
            "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": "file:///absent/x.conv"}},
        },
        length=500,
    )
    assert "result" in server.answer(id)
    alive(server)


@pytest.mark.parametrize("length", [b"-5", b"douze", b"", b"1e3", b"12 octets"])
def test_a_content_length_that_is_no_length_is_read_past(server, length):
    id = next(server.ids)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": id,
            "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": "file:///absent/x.conv"}},
        },
        length=length,
    )
    assert "result" in server.answer(id)
    alive(server)


def test_noise_between_messages_is_skipped(server):
    server.send_bytes(b"\x00\xff du bruit }{ \r\n\r\n")
    alive(server)


def test_a_body_that_is_not_json_is_answered_with_a_parse_error(server):
    id = next(server.ids)
    body = b'{"jsonrpc": "2.0", "id": %d, "method": "textDocument/hover", "params": {' % id
    server.send_bytes(b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    assert server.answer(id)["error"]["code"] == -32700
    alive(server)


@pytest.mark.parametrize(
    "params",
    [
        None,
        {"textDocument": {"uri": "file:///absent/x.conv"}, "position": {"line": -1, "character": 0}},
        {"textDocument": {"uri": "file:///absent/x.conv"}, "position": {"line": 0}},
    ],
)
def test_a_request_with_unreadable_params_is_answered(server, params):
    answer = server.request(next(server.ids), "textDocument/hover", params)
    assert answer["error"]["code"] == -32602 and "textDocument/hover" in answer["error"]["message"]
    alive(server)


# ---- the framing alone, in memory ----------------------------------------------------------------------------


def messages(*chunks: bytes) -> list:
    """What `Framing` reads from these chunks, arriving one at a time."""
    from interpreter.lsp.framing import Framing, Unreadable

    pending = list(chunks)

    async def read() -> bytes:
        return pending.pop(0) if pending else b""

    async def everything():
        framing, found = Framing(read), []
        while (message := await framing.next()) is not None:
            found.append(message if isinstance(message, Unreadable) else json.loads(message))
        return found

    return asyncio.run(everything())


def framed(message: dict, length: int | None = None) -> bytes:
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body) if length is None else length}\r\n\r\n".encode() + body


def test_framing_reads_in_step_across_chunks():
    a, b = framed({"id": 1}), framed({"id": 2, "texte": "é" * 1000})
    data = a + b
    assert messages(*[data[i : i + 7] for i in range(0, len(data), 7)]) == [{"id": 1}, {"id": 2, "texte": "é" * 1000}]


def test_framing_of_short_and_long_lengths():
    from interpreter.lsp.framing import Unreadable

    short, long_, plain = framed({"id": 1, "x": "abcdef"}, 10), framed({"id": 2}, 40), framed({"id": 3})
    assert messages(short + long_ + plain) == [{"id": 1, "x": "abcdef"}, {"id": 2}, {"id": 3}]
    cut = short.index(b"\r\n\r\n") + 4 + 10  # the rest of the short message arrives later: a parse error
    assert messages(short[:cut], short[cut:] + plain) == [
        Unreadable("message illisible : ce n'est pas du JSON de la longueur annoncée", 1),
        {"id": 3},
    ]


def test_framing_with_a_content_type_header_first():
    body = json.dumps({"id": 1}).encode()
    data = (
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    assert messages(data) == [{"id": 1}]


def test_a_request_id_is_found_in_a_broken_body():
    from interpreter.lsp.framing import request_id

    assert request_id(b'{"jsonrpc":"2.0","id":42,"method":"x","params":{') == 42
    assert request_id(b'{"id": "abc", "method"') == "abc"
    assert request_id(b"{rien}") is None
