"""The coach's own voice first: a line with a current recording is played from it, every other
line goes to the voice behind (Piper or the system voice).

A recording goes through the same loudness step as a synthesised line (`finish_line`: faded
at both ends, brought to the speech loudness), so recorded and synthesised lines sit at one
level; the volume is applied to both alike as they are played. Lines with the person's words
(`render_private`) are never recordings. The speaking rate does not change a recording; the
pauses are not part of it.

Recordings are read when first said and kept in memory, finished (the whole content is a
few megabytes). A recording that cannot be read is synthesised instead.
Threads: the session thread renders; the lock only keeps two first uses from racing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from assistant.audio import AudioChunk, read_wav
from assistant.content.model import Content
from assistant.content.recordings import RecordingFolder, problems
from assistant.dialog.lines import recordable_lines
from assistant.dialog.messages import Style
from assistant.errors import UserError
from assistant.voice.base import SessionVoice
from assistant.voice.cache import finish_line

log = logging.getLogger(__name__)


def current_recordings(content: Content) -> tuple[dict[str, Path], list[str]]:
    """The recordings to play (text as said -> WAV), and one line for each recording that is
    not used and why (stale, gone): for the session's start, `opnemen` and the doctor.
    RecordingsError when the index cannot be read."""
    if not content.source_dir:
        return {}, []
    folder = RecordingFolder(Path(content.source_dir))
    lines = {line.key: line.text for line in recordable_lines(content)}
    survey = folder.survey(lines)
    # A pack's recording of a line this program no longer says: the pack's notice says so.
    survey = replace(
        survey, stale=tuple(s for s in survey.stale if not _dropped(s.key, content.dropped))
    )
    return survey.by_text(lines), problems(survey, folder)


def _dropped(key: str, dropped: tuple[str, ...]) -> bool:
    return any(key == line or key.startswith(line + ".") for line in dropped)


class RecordedVoice:
    """`recordings` (text as said -> WAV) in front of the session's voice."""

    def __init__(self, recordings: Mapping[str, Path], inner: SessionVoice) -> None:
        self.recordings = dict(recordings)
        self.inner = inner
        self.played = 0  # lines played from a recording
        self._finished: dict[str, AudioChunk] = {}
        self._lock = threading.Lock()

    def render(self, text: str, style: Style) -> AudioChunk:
        line = self._recording(text)
        if line is None:
            return self.inner.render(text, style)
        self.played += 1
        return line

    def render_private(self, text: str, style: Style) -> AudioChunk:
        return self.inner.render_private(text, style)

    def retune(self, rate_factor: float) -> None:
        self.inner.retune(rate_factor)

    def close(self) -> None:
        self.inner.close()

    def _recording(self, text: str) -> AudioChunk | None:
        path = self.recordings.get(text)
        if path is None:
            return None
        with self._lock:
            line = self._finished.get(text)
            if line is None:
                try:
                    line = finish_line(read_wav(path))
                except UserError as error:
                    log.warning("recording unusable, synthesising instead: %s", error.message)
                    del self.recordings[text]
                    return None
                self._finished[text] = line
            return line
