"""The Dutch Piper voices that `voice download` can fetch, and where downloaded voices live.

Every voice is published by the Piper project in the rhasspy/piper-voices repository on Hugging
Face, as a model (.onnx), its configuration (.onnx.json) and a model card naming the dataset and
its licence. The sizes and checksums below are the published ones: the SHA-256 of each model is
its Git LFS object id there; the small configuration and model card are not LFS files, so their
MD5 digests from the project's own catalogue (voices.json) are used. A download whose size or
checksum differs is refused.

A downloaded voice is a folder `<voices folder>/<name>/` holding `<name>.onnx`,
`<name>.onnx.json` and `MODEL_CARD`; it appears there whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.download import Remote
from assistant.i18n import N_

BASE_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
MODEL_CARD = "MODEL_CARD"

# The default: Dutch of the Netherlands, one speaker, read audiobook speech. See the README
# ("Piper voices") for why it is the calm choice, and what it is not.
DEFAULT_VOICE = "nl_NL-mls_5809-low"

_MLS = "CC BY 4.0, from Multilingual LibriSpeech (openslr.org/94): credit the dataset"
_NATHALIE = "CC0, from dataset-voice-nathalie (github.com/rhasspy/dataset-voice-nathalie)"
_RDH = "CC0 1.0, from dutch-vl-tts (github.com/r-dh/dutch-vl-tts)"


@dataclass(frozen=True)
class CatalogueVoice:
    name: str  # as Piper names it: language_REGION-dataset-quality
    description: str
    licence: str  # of the dataset the voice was trained on, as its model card states it
    model: Remote
    config: Remote
    card: Remote

    @property
    def size(self) -> int:
        return sum(remote.size or 0 for remote in (self.model, self.config, self.card))

    def files(self) -> tuple[tuple[str, Remote], ...]:
        """(file name in the voice's folder, where it comes from), the model first."""
        return (
            (f"{self.name}.onnx", self.model),
            (f"{self.name}.onnx.json", self.config),
            (MODEL_CARD, self.card),
        )


def _voice(
    name: str,
    description: str,
    licence: str,
    model: tuple[int, str],
    config: tuple[int, str],
    card: tuple[int, str],
) -> CatalogueVoice:
    language, dataset, quality = name.split("-")
    folder = f"{BASE_URL}/{language.split('_')[0]}/{language}/{dataset}/{quality}"
    return CatalogueVoice(
        name=name,
        description=description,
        licence=licence,
        model=Remote(f"{folder}/{name}.onnx", model[0], f"sha256:{model[1]}"),
        config=Remote(f"{folder}/{name}.onnx.json", config[0], f"md5:{config[1]}"),
        card=Remote(f"{folder}/{MODEL_CARD}", card[0], f"md5:{card[1]}"),
    )


CATALOGUE: tuple[CatalogueVoice, ...] = (
    _voice(
        "nl_NL-mls_5809-low",
        N_("Dutch (Netherlands), one speaker reading audiobooks, 16 kHz"),
        _MLS,
        (63_104_526, "b7860ada7fa27e5e29b08e7531b0e0d74b3f0602e466a22ff95f59f80a0c4327"),
        (4_165, "b927009215c55c28654ddbc7b86674c2"),
        (261, "ac4b35e581cea8418909947a29a671bb"),
    ),
    _voice(
        "nl_NL-mls_7432-low",
        N_("Dutch (Netherlands), another audiobook reader, 16 kHz"),
        _MLS,
        (63_104_526, "02feb278732c77f34c4e106d0cdc446e7e577ce29c5d7051da85a9c241ee42f0"),
        (4_165, "4d6ecdff8b7cd39e8f7137983140cf1c"),
        (260, "5d8ee8e955f077fc99cac61191d00892"),
    ),
    _voice(
        "nl_NL-mls-medium",
        N_("Dutch (Netherlands), 52 audiobook readers in one model (the first speaks), 22 kHz"),
        _MLS,
        (76_584_246, "88312e0fbf505b87caf2373d94c1384892e86b1bf2ee482cf65dc8ba179cc7d3"),
        (5_856, "1915807d7cb85274ba957846370fff39"),
        (225, "6e5d961780907a4d7746eada893b8eca"),
    ),
    _voice(
        "nl_BE-nathalie-medium",
        N_("Dutch (Belgium, Flemish), one speaker, 22 kHz"),
        _NATHALIE,
        (63_201_294, "49cf48023861f9fd42e13a8632f068fee67d1ce244a6ee38f29595afbf0a6be4"),
        (4_879, "13c6e6c9511447e1906c25748a93f0bd"),
        (284, "ff335f87ca41a3f89180781498e02635"),
    ),
    _voice(
        "nl_BE-nathalie-x_low",
        N_("Dutch (Belgium, Flemish), the same speaker, smaller and rougher, 16 kHz"),
        _NATHALIE,
        (20_628_813, "7d005d2d9b3db4326fc4a1ac86b61ab40252ccf97b76d527f4ffd76d4e3f7dbe"),
        (4_163, "5307e9c8398ab02060611bb9c2e0f137"),
        (246, "5df62094bde427374223f91f44476392"),
    ),
    _voice(
        "nl_BE-rdh-medium",
        N_("Dutch (Belgium, Flemish), one speaker, 22 kHz"),
        _RDH,
        (63_104_526, "fb1a9d89ff53dbd510c5d10bd1365c36a5f76249c3ca603076646fd778003db1"),
        (4_159, "4a7629a2d00a62e72b8692f7a19135f1"),
        (244, "dc4487b06fcef6ff270c852ce12947b9"),
    ),
    _voice(
        "nl_BE-rdh-x_low",
        N_("Dutch (Belgium, Flemish), the same speaker, smaller and rougher, 16 kHz"),
        _RDH,
        (20_628_813, "fe43651248219b4e816e47d9708f2812f2a09af99470ed822113f3e913430d52"),
        (4_158, "d222d7fa8654d49e3b35c640cc28891f"),
        (242, "6d0157bcd5ff281717e663d56dab980e"),
    ),
)


def find(name: str) -> CatalogueVoice | None:
    for voice in CATALOGUE:
        if voice.name == name:
            return voice
    return None


def model_path(name: str, folder: Path) -> Path:
    return folder / name / f"{name}.onnx"


def installed(folder: Path) -> list[str]:
    """The names of the complete voices in `folder` (model and configuration both there)."""
    if not folder.is_dir():
        return []
    names = []
    for entry in sorted(folder.iterdir()):
        model = model_path(entry.name, folder)
        if model.is_file() and model.with_name(f"{model.name}.json").is_file():
            names.append(entry.name)
    return names
