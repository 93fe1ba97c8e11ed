"""The Piper worker: a process of its own that loads one Piper voice and renders line after line.

Run by process.py as `python -m assistant.voice.worker assistant.voice.piper_worker:serve`.
Piper (and onnxruntime, numpy) are imported here only, never in the program's own process,
and onnxruntime's telemetry is switched off before it can start.
Everything that goes wrong comes back as a Failed reply; the parent decides what to do.
"""

from __future__ import annotations

import io
import os
import wave
from typing import Any

from assistant.voice.worker import (
    Channel,
    Failed,
    LoadPiper,
    Ready,
    Rendered,
    RenderPiper,
    Reply,
    Request,
)

NOT_INSTALLED = "Piper is not installed"


def serve(channel: Channel) -> None:
    """Answer requests until the parent closes the channel."""
    # Nothing leaves the device: onnxruntime (from 1.29) records usage telemetry in the cache
    # folder (Microsoft/DeveloperTools/.onnxruntime) and sends it over the network from a
    # thread of its own, unless this is set before it is imported. disable_telemetry_events()
    # after the import was measured not to be enough.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    piper: Any = None
    startup_error = NOT_INSTALLED
    try:
        import piper  # now, so the worker started ahead is warm when the first line comes
    except ImportError as error:
        startup_error = f"{NOT_INSTALLED} ({error})"
    loaded: dict[str, Any] = {}  # at most one voice: model path -> piper.PiperVoice
    while True:
        try:
            request = channel.recv()
        except EOFError:
            return
        if piper is None:
            channel.send(Failed(startup_error))
            continue
        try:
            reply = _answer(piper, loaded, request)
        except Exception as error:  # a broken model, text Piper cannot phonemise...
            reply = Failed(f"{type(error).__name__}: {error}")
        channel.send(reply)


def _answer(piper: Any, loaded: dict[str, Any], request: Request) -> Reply:
    if not isinstance(request, LoadPiper | RenderPiper):
        return Failed(f"a Piper worker cannot take {type(request).__name__}")
    voice = loaded.get(request.model)
    if voice is None:
        loaded.clear()
        voice = loaded[request.model] = piper.PiperVoice.load(request.model)
    rate: int = voice.config.sample_rate
    if isinstance(request, LoadPiper):
        return Ready(rate)
    syn_config = piper.SynthesisConfig(length_scale=request.length_scale, volume=request.volume)
    gap = b"\x00\x00" * round(request.sentence_silence * rate)
    # Piper gives one chunk per sentence, with no pause between them; a calm voice takes one.
    sentences = [chunk.audio_int16_bytes for chunk in voice.synthesize(request.text, syn_config)]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(gap.join(sentences))
    return Rendered(buffer.getvalue())
