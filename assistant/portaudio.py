"""The process's one PortAudio library, shared by the microphone and the speaker.

PortAudio has no hot-plug: a device that vanished (unplugged, or its sound server gone) is only
found again after the library is re-initialised (python-sounddevice#125, #382). Re-initialising
ends every stream in the process, the healthy ones too, so it happens here and only here, under
one lock: every holder of a stream lets go of it first and opens it again afterwards, and the
generation counter tells a holder whether somebody else already re-initialised since its device
failed (one restart serves everyone).

Rules for holders: open, start, stop and close a stream, and ask it anything that reaches into
PortAudio (`active`, `time`), only while holding `lock`; never take `lock` while holding a lock
that the stream's own callbacks take.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from assistant.errors import UserError
from assistant.i18n import _

log = logging.getLogger(__name__)


class StreamHolder(Protocol):
    def drop_stream(self) -> None:
        """PortAudio is about to be re-initialised: close the stream now (it is ending anyway)."""
        ...

    def reopen_stream(self) -> None:
        """PortAudio has been re-initialised: open the stream again if it was in use."""
        ...


E = TypeVar("E", bound=UserError)


def sounddevice_module(error: type[E]) -> Any:
    """The sounddevice module, or `error` saying how to install the PortAudio library it
    needs (the Python package can be there while the system library is not)."""
    try:
        import sounddevice
    except OSError as problem:
        raise error(
            _(
                "Sound devices need the PortAudio library ({error}). On Debian or Raspberry Pi "
                "OS: sudo apt-get install libportaudio2"
            ).format(error=problem)
        ) from None
    return sounddevice


def _restart_sounddevice() -> None:
    import sounddevice

    while sounddevice._initialized:
        sounddevice._terminate()
    sounddevice._initialize()


class PortAudio:
    """Who holds a stream, and the one way to re-initialise the library for all of them.

    `restart` is what re-initialising means; tests pass their own to count restarts without
    touching the real library.
    """

    def __init__(self, restart: Callable[[], None] | None = None) -> None:
        self.lock = threading.RLock()
        self.restarts = 0  # re-initialisations done (including ones that failed)
        self._restart = restart or _restart_sounddevice
        self._generation = 0
        self._holders: weakref.WeakSet[StreamHolder] = weakref.WeakSet()

    @property
    def generation(self) -> int:
        """Goes up by one with every re-initialisation, before the old streams end."""
        return self._generation

    def hold(self, holder: StreamHolder) -> None:
        with self.lock:
            self._holders.add(holder)

    def release(self, holder: StreamHolder) -> None:
        with self.lock:
            self._holders.discard(holder)

    def restart(self, seen: int) -> bool:
        """Re-initialise the library so that devices are looked for afresh, unless that was
        already done since generation `seen` (when the caller's device failed). True when it
        was done now. Every holder's stream is closed first and reopened afterwards."""
        with self.lock:
            if seen != self._generation:
                return False
            # Bumped first: a stream's finished callback, which fires while it is closed below,
            # can tell from it that this is a restart and not its device failing.
            self._generation += 1
            holders = list(self._holders)
            for holder in holders:
                try:
                    holder.drop_stream()
                except Exception:
                    log.exception("closing a stream before restarting PortAudio")
            self.restarts += 1
            try:
                self._restart()
            except Exception as error:  # the next restart tries again
                log.warning("PortAudio could not be re-initialised: %s", error)
            for holder in holders:
                try:
                    holder.reopen_stream()
                except Exception:
                    log.exception("reopening a stream after restarting PortAudio")
            log.info("PortAudio re-initialised (generation %d)", self._generation)
            return True


PORTAUDIO = PortAudio()  # the real library: every device in the process shares it


class Recovery:
    """A holder's device failure, kept as PortAudio's generation when it happened, and the one
    way to open that device again."""

    def __init__(self, portaudio: PortAudio) -> None:
        self.portaudio = portaudio
        self.failed_at: int | None = None  # None while the device works

    def mark_failed(self) -> None:
        """The device failed now (the first failure counts until it is open again)."""
        if self.failed_at is None:
            self.failed_at = self.portaudio.generation

    def open(self, open_stream: Callable[[], None]) -> None:
        """Open the device with `open_stream`; after a failure PortAudio is re-initialised
        first, unless somebody did since, because a device that vanished is only found by a
        fresh library. Call with `portaudio.lock` held. When opening fails, the device counts
        as failed as of now, and the error is raised."""
        if self.failed_at is not None:
            self.portaudio.restart(self.failed_at)
        try:
            open_stream()
        except BaseException:
            self.failed_at = self.portaudio.generation
            raise
        self.failed_at = None
