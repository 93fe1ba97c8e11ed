"""WAV inputs of every common shape, through the real command line: converted, or refused.

A recording of real Dutch speech is written at other rates (8, 44.1 and 48 kHz, by sox's own
resampler), other sample widths (8, 24 and 32 bits) and as stereo, both by Python's wave
module (the plain PCM header) and by sox (which, like many recorder apps, writes files of more
than 16 bits or more than two channels with the WAVE_FORMAT_EXTENSIBLE header). Each goes through
`transcribe FILE.wav` and is used as the microphone of a session (`vragen --mic FILE.wav`);
what comes out is compared with the 16 kHz mono 16-bit original: the same transcript where the
conversion loses nothing, the same answer kept in the journal. A file that is not audio (text,
a cut-off header, an empty file, a folder) is refused with exit status 2 and one message that
names it, never a traceback; so is an encoding that is not PCM, unless it is converted.
"""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.audio import read_wav, resample, rms, silence, write_wav
from assistant.journal.markdown import SessionRecord, parse
from tests.helpers import (
    KOREAN_YES,
    RATE,
    espeak,
    human_clips,
    korean_yes_content,
    require_espeak,
    run_cli,
)
from tests.programs import need_program

pytestmark = [pytest.mark.files, pytest.mark.vosk, pytest.mark.voice]

HANGUL = re.compile(r"[\uac00-\ud7a3]")


# --- building the variants ------------------------------------------------------------------


def _write_pcm(path: Path, values: np.ndarray, rate: int, width: int, channels: int) -> None:
    """`values` (floats on the 16-bit scale, mono) as a plain PCM WAV (format tag 1)."""
    scaled = np.repeat(values[:, None], channels, axis=1).reshape(-1)
    if width == 1:
        raw = np.clip(np.rint(scaled / 256.0) + 128, 0, 255).astype(np.uint8).tobytes()
    elif width == 2:
        raw = np.clip(np.rint(scaled), -32768, 32767).astype("<i2").tobytes()
    elif width == 3:
        as_int = np.rint(scaled * 256.0).astype("<i4")
        raw = as_int.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        raw = np.rint(scaled * 65536.0).astype("<i4").tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(raw)


def _sox(source: Path, target: Path, *options: str) -> None:
    need_program("sox")
    subprocess.run(["sox", str(source), *options, str(target)], check=True, timeout=60)


@dataclass(frozen=True)
class Variant:
    name: str
    lossless: bool  # converting back to 16 kHz mono 16-bit gives exactly the original

    def make(self, source: Path, target: Path) -> None:
        values = read_wav(source).array().astype(np.float64)
        match self.name:
            case "8 kHz" | "44.1 kHz" | "48 kHz":
                rate = {"8 kHz": "8000", "44.1 kHz": "44100", "48 kHz": "48000"}[self.name]
                _sox(source, target, "-r", rate)
            case "8-bit":
                _write_pcm(target, values, RATE, 1, 1)
            case "24-bit":
                _write_pcm(target, values, RATE, 3, 1)
            case "32-bit":
                _write_pcm(target, values, RATE, 4, 1)
            case "stereo":
                _write_pcm(target, values, RATE, 2, 2)
            case "sox 24-bit":
                _sox(source, target, "-b", "24")
            case "sox 48 kHz 24-bit stereo":
                _sox(source, target, "-r", "48000", "-b", "24", "-c", "2")
            case _:
                raise AssertionError(self.name)


PLAIN = [
    Variant("8 kHz", lossless=False),
    Variant("44.1 kHz", lossless=False),
    Variant("48 kHz", lossless=False),
    Variant("8-bit", lossless=False),
    Variant("24-bit", lossless=True),
    Variant("32-bit", lossless=True),
    Variant("stereo", lossless=True),
]
# The header most recorders write for more than 16 bits or more than two channels.
EXTENSIBLE = [
    Variant("sox 24-bit", lossless=True),
    Variant("sox 48 kHz 24-bit stereo", lossless=False),
]
ALL = PLAIN + EXTENSIBLE


def _format_tag(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[20:22], "little")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("formats")


@pytest.fixture(scope="module")
def clip(folder) -> Path:
    """One real Dutch sentence, 16 kHz mono 16-bit, with a little silence around it."""
    audio = silence(0.3, RATE) + human_clips()[0].audio() + silence(0.5, RATE)
    path = folder / "clip.wav"
    write_wav(path, audio)
    return path


def _variant_of(original: Path, variant: Variant, folder: Path) -> Path:
    target = folder / f"{original.stem}-{_slug(variant.name)}.wav"
    if not target.exists():
        variant.make(original, target)
    return target


def test_the_variants_are_what_they_say(clip, folder):
    """The files really have those rates, widths, channels and headers."""
    expected = {
        "8 kHz": (8000, 2, 1),
        "44.1 kHz": (44100, 2, 1),
        "48 kHz": (48000, 2, 1),
        "8-bit": (16000, 1, 1),
        "24-bit": (16000, 3, 1),
        "32-bit": (16000, 4, 1),
        "stereo": (16000, 2, 2),
    }
    for variant in PLAIN:
        path = _variant_of(clip, variant, folder)
        assert _format_tag(path) == 1, variant
        with wave.open(str(path), "rb") as wav:
            shape = (wav.getframerate(), wav.getsampwidth(), wav.getnchannels())
        assert shape == expected[variant.name], variant
    for variant in EXTENSIBLE:
        assert _format_tag(_variant_of(clip, variant, folder)) == 0xFFFE, variant


# --- what the microphone and the recognizer get -----------------------------------------------


@pytest.mark.parametrize("variant", ALL, ids=lambda v: v.name)
def test_a_variant_reads_as_the_same_16_khz_mono_sound(clip, folder, variant):
    """What `--mic FILE.wav` and `transcribe` feed the recognizer: the original, give or take
    what the format itself loses."""
    original = read_wav(clip)
    converted = resample(read_wav(_variant_of(clip, variant, folder)), RATE)
    assert abs(converted.seconds - original.seconds) < 0.005
    if variant.lossless:
        assert converted.samples == original.samples
        return
    a, b = converted.array().astype(float), original.array().astype(float)
    length = min(len(a), len(b))
    assert np.corrcoef(a[:length], b[:length])[0, 1] > 0.9
    assert rms(converted) == pytest.approx(rms(original), rel=0.15)


def _transcribe(path: Path, model: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("transcribe", str(path), "--model", str(model), timeout=120)


@pytest.fixture(scope="module")
def original_transcript(clip, ko_model_dir) -> str:
    done = _transcribe(clip, ko_model_dir)
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    assert HANGUL.search(text), text  # the Korean model's words: the speech was decoded
    return text


@pytest.mark.parametrize("variant", ALL, ids=lambda v: v.name)
def test_transcribe_converts_the_variant(clip, folder, ko_model_dir, original_transcript, variant):
    done = _transcribe(_variant_of(clip, variant, folder), ko_model_dir)
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    if variant.lossless:
        assert text == original_transcript
    else:
        assert HANGUL.search(text), text  # decoded as speech, not as noise or silence


# --- the same in a session: the recording is the microphone ---------------------------------


@dataclass(frozen=True)
class SessionSetup:
    recording: Path  # one spoken answer, silence, the spoken "ja", silence: 16 kHz mono
    content: Path
    model: Path
    cache: Path


@pytest.fixture(scope="module")
def session_setup(folder, ko_model_dir) -> SessionSetup:
    require_espeak()
    yes = espeak(KOREAN_YES, "ko")
    audio = (
        silence(0.5, RATE)
        + human_clips()[0].audio()
        + silence(3.5, RATE)
        + yes
        + silence(2.0, RATE)
    )
    recording = folder / "answer.wav"
    write_wav(recording, audio)
    return SessionSetup(recording, korean_yes_content(folder), ko_model_dir, folder / "cache")


def _session(setup: SessionSetup, recording: Path, name: str) -> tuple[SessionRecord, Path]:
    """`vragen --mic RECORDING --pace 0`: the first answer comes from the recording, then it
    runs out and the session ends. Returns the journal's record and folder."""
    journal = setup.recording.parent / f"journal-{name}"
    done = run_cli(
        "vragen",
        "--mic",
        str(recording),
        "--pace",
        "0",
        "--model",
        str(setup.model),
        "--content",
        str(setup.content),
        "--journal",
        str(journal),
        "--speaker",
        str(setup.recording.parent / f"out-{name}.wav"),
        env={"XDG_CACHE_HOME": str(setup.cache)},
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Vraag 2 van 10." in done.stdout, done.stdout  # the first answer was confirmed
    (markdown,) = journal.glob("*.md")
    return parse(markdown.read_text(encoding="utf-8"), markdown.stem), journal


@pytest.fixture(scope="module")
def original_session(session_setup) -> tuple[SessionRecord, Path]:
    return _session(session_setup, session_setup.recording, "original")


# Not 8 kHz in a session: it holds nothing above 4 kHz, and whether the Korean test model then
# still takes espeak-ng's Korean word for the "ja" is luck (it did while the old linear
# interpolation mirrored the speech into 4-8 kHz). `transcribe` and the conversion test above
# still take 8 kHz; a session takes the other usual microphone rates.
SESSION_VARIANTS = [
    v for v in ALL if v.name in ("44.1 kHz", "48 kHz", "8-bit", "24-bit", "stereo")
] + EXTENSIBLE[1:]


@pytest.mark.parametrize("variant", SESSION_VARIANTS, ids=lambda v: v.name)
def test_a_session_listens_to_the_variant(session_setup, original_session, variant):
    """The answer in the journal, and its recording, are the original's."""
    expected_record, expected_folder = original_session
    expected = expected_record.answers[0]
    recording = _variant_of(session_setup.recording, variant, session_setup.recording.parent)
    record, journal = _session(session_setup, recording, _slug(variant.name))
    answer = record.answers[0]
    assert answer.number == 1 and answer.confirmed and answer.recording, record.answers
    kept = read_wav(journal / answer.recording)
    original = read_wav(expected_folder / str(expected.recording))
    assert kept.rate == original.rate == RATE
    if variant.lossless:
        assert answer.text == expected.text
        assert kept.samples == original.samples
    else:
        assert HANGUL.search(answer.text), answer.text
        assert abs(kept.seconds - original.seconds) < 0.3, (kept.seconds, original.seconds)
        assert rms(kept) == pytest.approx(rms(original), rel=0.2)


# --- not audio: refused with one message --------------------------------------------------


def _not_audio(folder: Path, kind: str) -> Path:
    path = folder / f"not-audio-{kind}.wav"
    if kind == "text":
        path.write_text("Dit is geen geluid, maar een boodschappenlijstje.\n", encoding="utf-8")
    elif kind == "cut-off header":
        whole = folder / "for-the-header.wav"
        write_wav(whole, silence(1.0, RATE))
        path.write_bytes(whole.read_bytes()[:30])  # stops inside the "fmt " chunk
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "float":
        _sox(_clip_for(folder), path, "-e", "floating-point", "-b", "32")
    elif kind == "mu-law":
        _sox(_clip_for(folder), path, "-e", "u-law")
    else:
        raise AssertionError(kind)
    return path


def _clip_for(folder: Path) -> Path:
    path = folder / "for-encodings.wav"
    write_wav(path, human_clips()[0].audio())
    return path


def _one_message(done: subprocess.CompletedProcess[str], path: Path) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    naming = [line for line in done.stderr.splitlines() if str(path) in line]
    assert len(naming) == 1, done.stderr
    assert naming[0].startswith("hartsverbinding: "), naming
    assert done.stderr.rstrip("\n").splitlines()[-1] == naming[0]  # the last word


NOT_AUDIO = ["text", "cut-off header", "empty", "folder"]


@pytest.mark.parametrize("kind", NOT_AUDIO)
def test_transcribe_refuses_a_file_that_is_not_audio(folder, ko_model_dir, kind):
    target = folder / "transcribe"
    target.mkdir(exist_ok=True)
    path = _not_audio(target, kind)
    done = _transcribe(path, ko_model_dir)
    _one_message(done, path)
    assert done.stdout == ""


@pytest.mark.parametrize("kind", NOT_AUDIO)
def test_a_session_refuses_a_microphone_file_that_is_not_audio(folder, ko_model_dir, kind):
    target = folder / "session"
    target.mkdir(exist_ok=True)
    path = _not_audio(target, kind)
    done = run_cli(
        "vragen",
        "--mic",
        str(path),
        "--pace",
        "0",
        "--model",
        str(ko_model_dir),
        "--journal",
        str(target / "journal"),
        "--speaker",
        str(target / "out.wav"),
        timeout=120,
    )
    _one_message(done, path)
    assert not list((target / "journal").glob("*.md")), "a session started on no audio"


@pytest.mark.parametrize("command", ["transcribe", "vragen --mic"])
def test_a_file_that_is_not_audio_is_refused_before_the_model_loads(folder, command):
    """The file is read first, so its refusal comes at once, not after seconds of loading the
    model: with a model folder that looks like one (am/, conf/, graph/) but holds no model,
    which loading would refuse, it is the file that is refused."""
    target = folder / f"first-{command.split()[0]}"
    target.mkdir(exist_ok=True)
    path = _not_audio(target, "text")
    no_model = target / "no-model"
    for part in ("am", "conf", "graph"):
        (no_model / part).mkdir(parents=True)
    if command == "transcribe":
        arguments = ["transcribe", str(path)]
    else:
        session = ["--journal", str(target / "journal"), "--speaker", str(target / "out.wav")]
        arguments = ["vragen", "--mic", str(path), "--pace", "0", *session]
    done = run_cli(*arguments, "--model", str(no_model), timeout=60)
    _one_message(done, path)
    assert "model" not in done.stderr, done.stderr


@pytest.mark.parametrize("kind", ["float", "mu-law"])
def test_another_encoding_is_converted_or_refused_with_one_message(
    folder, ko_model_dir, original_transcript, kind
):
    target = folder / "encodings"
    target.mkdir(exist_ok=True)
    path = _not_audio(target, kind)
    done = _transcribe(path, ko_model_dir)
    if done.returncode == 0:
        assert HANGUL.search(done.stdout), done.stdout
    else:
        _one_message(done, path)


@pytest.mark.parametrize(
    "variant",
    [None, *[v for v in PLAIN if v.name in ("24-bit", "stereo")]],
    ids=lambda v: "16-bit" if v is None else v.name,
)
def test_a_wav_cut_off_in_its_audio_gives_what_is_there(folder, clip, ko_model_dir, variant):
    """A recording whose header promises more audio than the file holds (a recorder that was
    switched off), cut in the middle of a sample frame: the audio that is there is used."""
    source = clip if variant is None else _variant_of(clip, variant, folder)
    whole = source.read_bytes()
    with wave.open(str(source), "rb") as wav:
        frame = wav.getsampwidth() * wav.getnchannels()
    cut = 44 + (len(whole) - 44) * 2 // 3 // frame * frame + frame - 1  # a frame not whole
    path = folder / f"cut-off-{source.stem}.wav"
    path.write_bytes(whole[:cut])
    done = _transcribe(path, ko_model_dir)
    assert done.returncode == 0, done.stderr
    assert HANGUL.search(done.stdout), done.stdout
    chunk = read_wav(path)
    assert chunk.seconds == pytest.approx(read_wav(clip).seconds * 2 / 3, abs=0.01)
