"""A speech server in the house, spoken to with the Wyoming protocol (Home Assistant's
`wyoming-faster-whisper` for transcripts, `wyoming-piper` for speech).

Guarantee: one exchange opens one TCP connection, to the host and port the person configured
and to nothing else, and is over within its deadline (connecting included): the server
answered, or `ServerUnavailable` is raised (unreachable, refused, timed out, closed early, or
the server reported an error), so the caller can fall back at once. Nothing that is sent or
received (the person's audio, the text of a line, a transcript) is logged: only sizes and
times. The `wyoming` package (the wyoming extra) is imported only when a server is used.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from assistant.errors import UserError
from assistant.i18n import _

if TYPE_CHECKING:
    from wyoming.event import Event
    from wyoming.info import Info

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0  # seconds: a server in the same house answers in milliseconds
INSTALL_HINT = "pip install 'hartsverbinding[wyoming]'"


class ServerUnavailable(Exception):
    """No answer from the speech server this time. The message says why, never what was sent."""


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int

    @property
    def uri(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"

    @staticmethod
    def parse(text: str) -> ServerAddress:
        """`tcp://HOST:PORT`, or UserError saying how it should look."""
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            port = None
            parts = None
        if parts is None or parts.scheme != "tcp" or not parts.hostname or port is None:
            raise UserError(
                _(
                    "{value}: not the address of a speech server. Write it as tcp://HOST:PORT, "
                    "for example tcp://192.168.1.20:10300."
                ).format(value=text)
            )
        return ServerAddress(parts.hostname, port)


def exchange(
    address: ServerAddress,
    send: Sequence[Event],
    until: Callable[[Event], bool],
    *,
    timeout: float,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> list[Event]:
    """Send `send`, then read events up to and including the first for which `until` is true;
    returns what was read. The whole exchange takes at most `timeout` seconds."""
    require_wyoming()
    started = time.monotonic()
    try:
        events = asyncio.run(
            asyncio.wait_for(_exchange(address, send, until, connect_timeout), timeout)
        )
    except asyncio.TimeoutError:
        raise ServerUnavailable(
            _("the speech server at {uri} did not answer within {seconds:.0f} s").format(
                uri=address.uri, seconds=timeout
            )
        ) from None
    except EOFError:  # asyncio.IncompleteReadError: closed in the middle of an event
        raise ServerUnavailable(
            _("the speech server at {uri} closed the connection").format(uri=address.uri)
        ) from None
    except OSError as error:
        raise ServerUnavailable(
            _("cannot reach the speech server at {uri} ({reason})").format(
                uri=address.uri, reason=error.strerror or type(error).__name__
            )
        ) from None
    sent = sum(len(event.payload or b"") for event in send)
    got = sum(len(event.payload or b"") for event in events)
    log.info(
        "speech server %s: %d events (%d audio bytes) out, %d events (%d audio bytes) back "
        "in %.2f s",
        address.uri,
        len(send),
        sent,
        len(events),
        got,
        time.monotonic() - started,
    )
    return events


async def _exchange(
    address: ServerAddress,
    send: Sequence[Event],
    until: Callable[[Event], bool],
    connect_timeout: float,
) -> list[Event]:
    from wyoming.client import AsyncTcpClient
    from wyoming.error import Error

    client = AsyncTcpClient(address.host, address.port)
    await asyncio.wait_for(client.connect(), connect_timeout)
    try:
        for event in send:
            await client.write_event(event)
        events: list[Event] = []
        while True:
            got = await client.read_event()
            if got is None:
                raise ServerUnavailable(
                    _("the speech server at {uri} closed the connection").format(uri=address.uri)
                )
            event = got
            if Error.is_type(event.type):
                # Its text is the server's and might quote what was sent: not passed on.
                raise ServerUnavailable(
                    _("the speech server at {uri} reported an error").format(uri=address.uri)
                )
            events.append(event)
            if until(event):
                return events
    finally:
        await client.disconnect()


def describe(
    address: ServerAddress,
    *,
    timeout: float = 2 * CONNECT_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Info:
    """What the server offers (its `Info`: programs, models, voices, languages): one `Describe`
    exchange, which sends nothing of the person's. ServerUnavailable as for `exchange`."""
    require_wyoming()
    from wyoming.info import Describe, Info

    events = exchange(
        address,
        [Describe().event()],
        lambda event: Info.is_type(event.type),
        timeout=timeout,
        connect_timeout=connect_timeout,
    )
    try:
        return Info.from_event(events[-1])
    except (KeyError, TypeError, ValueError):
        raise ServerUnavailable(
            _("the speech server at {uri} did not say what it offers").format(uri=address.uri)
        ) from None


def require_wyoming() -> None:
    """UserError naming the extra when the `wyoming` package is not installed."""
    try:
        import wyoming  # noqa: F401
    except ImportError:
        raise UserError(
            _(
                "A speech server is configured, but the Wyoming client is not installed. "
                "Install it with: {command}"
            ).format(command=INSTALL_HINT)
        ) from None
