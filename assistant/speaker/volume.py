"""The listener's volume, applied once: to each segment on its way to the speaker.

Guarantee: everything made before this point is at its finished loudness and knows nothing of
the volume (assistant/loudness.py): speech at SPEECH_LUFS whoever made it (a voice through the
cache, the coach's recording, the person's own answer played back), the bell and the listening
tones at their fixed distance below it. What is heard is that times one gain, the config's
`volume` times the person's own (*harder*/*zachter*, assistant/preferences.py), multiplied here
and nowhere else: so the cache holds one rendering for every volume, changing the volume renders
nothing again, and no part can apply it twice.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.loudness import scale
from assistant.speaker.base import Segment


def at_volume(segment: Segment, volume: float, gain: float = 1.0) -> Segment:
    """`segment` as it is played at the configured `volume` (0 to 1; 0.5 is 6 dB quieter) and
    the person's `gain` on top of it. A pause is silence at any volume."""
    factor = volume * gain
    if segment.kind == "pause" or factor == 1.0:
        return segment
    return replace(segment, audio=scale(segment.audio, factor))
