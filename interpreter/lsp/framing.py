"""LSP messages read from a byte stream, whatever the framing: the server never dies, never goes deaf.

A message is a header — `Content-Length: N`, a blank line — and N bytes of JSON. pygls' own loop trusts the
header: a length of 10^20 crashed the server, and a length that was short, long, negative or not a number
left it reading every later message out of step, for ever. Here:

- bytes that are not a header (what is left of a message whose length was short, noise) are skipped up to
  the next `Content-Length`: the stream is read in step again;
- a body is taken as soon as it holds a whole JSON object: a length that is too long does not swallow the
  next message (nor wait for bytes the client will not send: it waits for the answer), and the bytes past
  the object are read as what follows;
- a length that is not a number of at most `MAX_MESSAGE` bytes (negative, huge, text) is not believed: the
  body is the JSON object that follows the header, if there is one;
- a body that is not JSON is answered with a parse error (-32700) when its request id can be found, and a
  request whose parameters the protocol cannot read (`params: null`, a negative position) with -32602
  (invalid params): every request gets an answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcParseError

from dsl.records import frozen

logger = logging.getLogger(__name__)

MAX_MESSAGE = 64 << 20  # bytes of one message: a .conv file (20 Mo at most) and its JSON escapes
MAX_HEADER = 8192  # bytes of a header, from `Content-Length` to the blank line
CHUNK = 1 << 16
HEADER = re.compile(rb"content-length", re.IGNORECASE)
LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
REQUEST_ID = re.compile(rb'"id"\s*:\s*(-?[0-9]{1,18}|"(?:[^"\\\r\n]|\\.){0,200}")')
DECODER = json.JSONDecoder()


@frozen
class Unreadable:
    """A message that could not be read: why, and the id of the request, when it could be found."""

    reason: str
    id: int | str | None = None


class Framing:
    """The messages of a stream of bytes: `next()` gives a body, an `Unreadable`, or None at the end."""

    def __init__(self, read: Callable[[], Awaitable[bytes]]):
        self.read = read
        self.buffer = bytearray()
        self.ended = False

    async def _more(self) -> bool:
        """Read what the stream has; False at its end."""
        if self.ended:
            return False
        chunk = await self.read()
        if not chunk:
            self.ended = True
            return False
        self.buffer += chunk
        return True

    async def next(self) -> bytes | Unreadable | None:
        while True:
            found = HEADER.search(self.buffer)
            if found is None:
                del self.buffer[: max(0, len(self.buffer) - 16)]  # noise: keep what may start a header
                if not await self._more():
                    return None
                continue
            del self.buffer[: found.start()]  # what is before a header: the rest of a message read short, noise
            end = self.buffer.find(b"\r\n\r\n", 0, MAX_HEADER)
            if end < 0:
                if len(self.buffer) >= MAX_HEADER:  # no blank line where a header would end: not a header
                    del self.buffer[:1]
                elif not await self._more():  # the stream ended inside a header
                    return None
                continue
            written = LENGTH.match(self.buffer, 0, end)
            value = written.group(1).strip() if written else b""
            del self.buffer[: end + 4]
            if re.fullmatch(rb"[0-9]{1,12}", value) and int(value) <= MAX_MESSAGE:
                return await self._body(int(value))
            logger.warning("longueur de message invalide : %r", value[:40])
            return await self._unframed()

    async def _body(self, length: int) -> bytes | Unreadable:
        """The body of a message whose header gives its length (believed only as far as the JSON goes)."""
        while len(self.buffer) < length:
            if _may_be_whole(self.buffer) and _object_end(self.buffer) is not None:
                break  # the whole object is there, and the client waits: the length was too long
            if not await self._more():
                break
        body = bytes(self.buffer[:length])
        try:
            json.loads(body)
        except ValueError:
            end = _object_end(self.buffer)
            if end is not None:  # a whole object, then the next message: the length was too long
                body = bytes(self.buffer[:end])
                del self.buffer[:end]
                return body
            del self.buffer[:length]  # the length was short (or the body is no JSON): the rest is skipped
            return Unreadable("message illisible : ce n'est pas du JSON de la longueur annoncée", request_id(body))
        del self.buffer[:length]
        return body

    async def _unframed(self) -> bytes | Unreadable:
        """The body after a header whose length is not believed: the JSON object that follows, if any."""
        while True:
            del self.buffer[: len(self.buffer) - len(self.buffer.lstrip())]
            if _may_be_whole(self.buffer):
                end = _object_end(self.buffer)
                if end is not None:
                    body = bytes(self.buffer[:end])
                    del self.buffer[:end]
                    return body
            header = HEADER.search(self.buffer)
            if header is not None or len(self.buffer) > MAX_MESSAGE or not await self._more():
                cut = header.start() if header is not None else len(self.buffer)
                body = bytes(self.buffer[:cut])
                del self.buffer[:cut]
                return Unreadable("message sans longueur valide, et illisible", request_id(body))


def _may_be_whole(data: bytearray) -> bool:
    """Whether `data` may hold a whole JSON object: it starts with `{` and ends with `}` (spaces aside). Cheap:
    the object is only parsed then, not each time a piece of a long message arrives."""
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":
        end -= 1
    return data[:1] == b"{" and end > 0 and data[end - 1] == ord("}")


def _object_end(data: bytearray) -> int | None:
    """The number of bytes of the JSON object that `data` starts with, when it holds a whole one; else None."""
    if data[:1] != b"{":
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:  # what follows the object is not UTF-8: the part before it
        text = data[: error.start].decode("utf-8")
    try:
        value, end = DECODER.raw_decode(text)
    except ValueError:
        return None
    return len(text[:end].encode("utf-8")) if isinstance(value, dict) else None


def request_id(body: bytes) -> int | str | None:
    """The id of a request, read from a message that is not JSON as a whole."""
    found = REQUEST_ID.search(body[:4096])
    if found is None:
        return None
    try:
        return json.loads(found.group(1))
    except ValueError:
        return None


# ---- the loop ------------------------------------------------------------------------------------------------


async def serve_stream(stop_event, read: Callable[[], Awaitable[bytes]], protocol) -> None:
    """Read messages until the stream ends (or the server stops) and hand each one to the protocol."""
    framing = Framing(read)
    while not stop_event.is_set():
        found = await framing.next()
        if found is None:
            break
        if isinstance(found, Unreadable):
            if found.id is not None:
                answer(protocol, found.id, JsonRpcParseError(found.reason))
            continue
        dispatch(protocol, found)


def dispatch(protocol, body: bytes) -> None:
    """One message to the protocol; a request it cannot read is answered with the error that says why."""
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except JsonRpcException as error:  # params the protocol cannot read (null, a negative position…)
        plain = json.loads(body)
        if isinstance(plain, dict) and "id" in plain and "method" in plain:
            problem = (
                error
                if error.code != JsonRpcInvalidParams.CODE
                else JsonRpcInvalidParams(f"paramètres invalides pour « {plain['method']} »")
            )
            answer(protocol, plain["id"], problem)
        logger.warning("message ignoré : %s", error)
        return
    except ValueError:  # not UTF-8, not JSON
        found = request_id(body)
        if found is not None:
            answer(protocol, found, JsonRpcParseError("message illisible : ce n'est pas du JSON"))
        return
    if not hasattr(message, "jsonrpc"):  # JSON, but not a JSON-RPC message
        logger.warning("message ignoré : ce n'est pas un message JSON-RPC")
        return
    try:
        protocol.handle_message(message)
    except Exception:  # a bug of ours, or of the protocol's, must not stop the server: it is logged
        logger.exception("message mal traité")


def answer(protocol, id, error: JsonRpcException) -> None:
    protocol._send_response(id, None, error.to_response_error())


def reader(stream, executor) -> Callable[[], Awaitable[bytes]]:
    """What has arrived on a binary stream (at least a byte; nothing at its end), read in a thread."""
    read = getattr(stream, "read1", None) or (lambda size: stream.read(1))

    def chunk() -> Awaitable[bytes]:
        return asyncio.get_running_loop().run_in_executor(executor, read, CHUNK)

    return chunk
