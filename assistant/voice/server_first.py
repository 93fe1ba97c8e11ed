"""A voice server in the house first (`voice_server:`), the local voice whenever it cannot be had.

The order of the voices: the coach's recordings (RecordedVoice, in front of this one), the
server, then the local voice (Piper where it is set up, else the system voice). Each of the two
voices here has its own cache in front of it, in the one cache folder: the cache keys on the
voice's identity, so a line the server rendered is never played as the local voice's, and the
other way round; a rendered line goes through the same loudness step whoever made it.

A server that cannot give a line (unreachable, refused, timed out, gone halfway, an error)
costs that one try: the same line is rendered by the local voice at once. From then on the
local voice speaks without the server being tried, while a background thread asks the server
to describe itself, with growing delays (assistant/backoff.py); once it answers and offers the
voice, the server speaks the next line. Each change is said once: one line on stderr, and a
notice (VOICE_SERVER_LOST, VOICE_SERVER_BACK) that the dialog says aloud.

Lines with the person's own words (`render_private`: an answer read back, a look-back) go to
the local voice, so their text never leaves the device, unless `personal` (the config's
`voice_server_personal: true`).

Threads: the session and the pre-renderer render at the same time; the lock keeps the state
and the notices whole, so two failing lines at once say it once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from assistant.audio import AudioChunk
from assistant.backoff import Backoff
from assistant.dialog.messages import NoticeKind, Style
from assistant.errors import UserError
from assistant.i18n import _
from assistant.report import warn
from assistant.voice.base import CachingVoice, VoiceError

log = logging.getLogger(__name__)


class ServerFirstVoice:
    """`server` while it works, else `local`; `probe()` raises VoiceError until the server
    can speak again."""

    def __init__(
        self,
        server: CachingVoice,
        local: CachingVoice,
        probe: Callable[[], None],
        where: str,
        *,
        personal: bool = False,
        retry: Backoff | None = None,
        say: Callable[[str], None] = warn,
    ) -> None:
        self.server = server
        self.local = local
        self.probe = probe
        self.where = where  # the server's address, for the lines on stderr
        self.personal = personal
        self.retry = retry or Backoff(first=1.0, most=30.0)
        self.say = say
        self._up = True  # until a line shows otherwise: no probe delays the session's start
        self._lock = threading.Lock()
        self._notices: list[NoticeKind] = []
        self._closing = threading.Event()
        self._retrier: threading.Thread | None = None

    @property
    def up(self) -> bool:
        """True while the server speaks the lines."""
        return self._up

    def identity(self, style: Style) -> str:
        return (self.server if self._up else self.local).identity(style)

    def retune(self, rate_factor: float) -> None:
        self.server.retune(rate_factor)
        self.local.retune(rate_factor)

    def render(self, text: str, style: Style) -> AudioChunk:
        if self._up:
            try:
                return self.server.render(text, style)
            except VoiceError as error:
                self._lost(str(error))
        return _locally(self.local.render, text, style)

    def render_private(self, text: str, style: Style) -> AudioChunk:
        if self.personal and self._up:
            try:
                return self.server.render_private(text, style)
            except VoiceError as error:
                self._lost(str(error))
        return _locally(self.local.render_private, text, style)

    def prepare(self, lines: Iterable[tuple[str, Style]]) -> int:
        lines = list(lines)
        if self._up:
            try:
                return self.server.prepare(lines)
            except VoiceError as error:
                self._lost(str(error))
        try:
            return self.local.prepare(lines)
        except UserError as error:
            raise VoiceError(error.message) from None

    def take_notices(self) -> list[NoticeKind]:
        """VOICE_SERVER_LOST and VOICE_SERVER_BACK, as they happened since the last call."""
        with self._lock:
            notices, self._notices = self._notices, []
        return notices

    def close(self) -> None:
        self._closing.set()
        if self._retrier is not None:
            self._retrier.join(timeout=30)
        self.server.close()
        self.local.close()

    # --- the server gone, and back ------------------------------------------------------

    def _lost(self, why: str) -> None:
        with self._lock:
            if not self._up:
                return  # another line found out first: said once
            self._up = False
            self._notices.append(NoticeKind.VOICE_SERVER_LOST)
            self._retrier = threading.Thread(
                target=self._retry, name="voice-server-retry", daemon=True
            )
            self._retrier.start()
        # The reason is the client's own wording (address, refused, timed out), never a line.
        self.say(
            _(
                "The voice server at {uri} cannot be used ({reason}); the local voice speaks "
                "until it is back."
            ).format(uri=self.where, reason=why)
        )

    def _retry(self) -> None:
        while not self._closing.wait(self.retry.delay()):
            try:
                self.probe()
            except (VoiceError, UserError) as error:
                log.info("voice server still unusable: %s", error)
                continue
            self.retry.reset()
            with self._lock:
                self._up = True
                self._notices.append(NoticeKind.VOICE_SERVER_BACK)
            self.say(
                _("The voice server at {uri} works again; it speaks the lines from now on.").format(
                    uri=self.where
                )
            )
            return


def _locally(render: Callable[[str, Style], AudioChunk], text: str, style: Style) -> AudioChunk:
    # The local voice is only found when it is first needed (a session whose server never
    # fails does not wait for it): a missing Dutch voice then costs the line, not the session.
    try:
        return render(text, style)
    except UserError as error:
        raise VoiceError(error.message) from None
