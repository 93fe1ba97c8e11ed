"""Tampered packs, each made here as a real zip from a real signed pack, offered as an update
over an installed version: each is refused with one line that says why, and nothing is written,
neither in the packs folder, nor in the trust store, nor where an entry points outside."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.content import load_content
from assistant.packs import Refused, TrustStore, build_pack, install_pack, make_key, pack_folder
from assistant.packs.archive import MAX_FILE_BYTES
from assistant.packs.keys import load_private, sign
from assistant.packs.manifest import signature_text
from tests.helpers import coach_content, record_lines

WAV = "recordings/vragen.questions.4.wav"
PRACTICE = "practices/20-vragen-zelfcompassie.yaml"
OUTSIDE = "hartsverbinding-outside.yaml"  # what the path entries try to write


class Coach:
    """A coach's folder and key; version 1.0 installed, version 1.1 built and untouched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = coach_content(root / "coach")
        record_lines(self.folder, [WAV[len("recordings/") : -len(".wav")]])
        self.key = root / "coach.key"
        make_key(self.key)
        self.packs = root / "home" / "packs"
        self.trust = TrustStore(root / "home" / "trust.yaml")
        old = build_pack(self.folder, self.key, root / "1.0.zip").path
        install_pack(old, self.packs, self.trust, lambda signer: True)
        meta = self.folder / "pack.yaml"
        meta.write_text(meta.read_text("utf-8").replace("version: 1.0", "version: 1.1"))
        self.update = build_pack(self.folder, self.key, root / "1.1.zip").path

    def entries(self) -> dict[str, bytes]:
        with zipfile.ZipFile(self.update) as archive:
            return {name: archive.read(name) for name in archive.namelist()}


def _info(name: str, mode: int = stat.S_IFREG | 0o644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write(path: Path, entries: dict[str, bytes], *extra: tuple[zipfile.ZipInfo, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(_info(name), data)
        for info, data in extra:
            archive.writestr(info, data)
    return path


def _zeros(archive: zipfile.ZipFile, name: str, megabytes: int) -> zipfile.ZipInfo:
    """A highly compressible entry: `megabytes` of zeros, deflated to about a thousandth."""
    info = _info(name)
    with archive.open(info, "w") as entry:
        block = bytes(1 << 20)
        for _ in range(megabytes):
            entry.write(block)
    return info


def _changed_byte(coach: Coach, out: Path) -> Path:
    entries = coach.entries()
    wav = bytearray(entries[WAV])
    wav[len(wav) // 2] ^= 0x01
    entries[WAV] = bytes(wav)
    return _write(out, entries)


def _changed_line(coach: Coach, out: Path) -> Path:
    entries = coach.entries()
    entries[PRACTICE] = entries[PRACTICE].replace(b"Mag het er zijn?", b"Moet het weg?")
    return _write(out, entries)


def _changed_after_signing(coach: Coach, out: Path) -> Path:
    """The recording changed and the manifest's hash changed with it, not re-signed."""
    entries = coach.entries()
    entries[WAV] = entries[WAV][:-2] + b"\x00\x01"
    manifest = json.loads(entries["manifest.json"])
    manifest["files"][WAV]["sha256"] = hashlib.sha256(entries[WAV]).hexdigest()
    entries["manifest.json"] = json.dumps(manifest, indent=1).encode() + b"\n"
    return _write(out, entries)


def _signed_broken_content(coach: Coach, out: Path) -> Path:
    """Signed with the coach's own key, but content a session cannot load (only a pack made
    by hand can be: building checks the content first)."""
    entries = coach.entries()
    entries[PRACTICE] = entries[PRACTICE].replace(b"kind: questions", b"kind: vragen")
    manifest = json.loads(entries["manifest.json"])
    manifest["files"][PRACTICE]["sha256"] = hashlib.sha256(entries[PRACTICE]).hexdigest()
    manifest["files"][PRACTICE]["size"] = len(entries[PRACTICE])
    entries["manifest.json"] = json.dumps(manifest, indent=1).encode() + b"\n"
    private, _public = load_private(coach.key)
    entries["manifest.sig"] = signature_text(sign(private, entries["manifest.json"]))
    return _write(out, entries)


def _another_signer(coach: Coach, out: Path) -> Path:
    make_key(coach.root / "someone-else.key")
    return build_pack(coach.folder, coach.root / "someone-else.key", out).path


def _parent_entry(coach: Coach, out: Path) -> Path:
    return _write(out, coach.entries(), (_info(f"../../{OUTSIDE}"), b"say: gotcha\n"))


def _absolute_entry(coach: Coach, out: Path) -> Path:
    return _write(out, coach.entries(), (_info(str(coach.root / OUTSIDE)), b"say: gotcha\n"))


def _symlink_entry(coach: Coach, out: Path) -> Path:
    link = _info("recordings/vragen.questions.5.wav", stat.S_IFLNK | 0o777)
    return _write(out, coach.entries(), (link, str(coach.root / OUTSIDE).encode()))


def _device_entry(coach: Coach, out: Path) -> Path:
    return _write(out, coach.entries(), (_info("recordings/x.wav", stat.S_IFCHR | 0o666), b""))


def _size_bomb(coach: Coach, out: Path) -> Path:
    with zipfile.ZipFile(_write(out, coach.entries()), "a") as archive:
        _zeros(archive, "recordings/vragen.questions.5.wav", 256)
    assert out.stat().st_size < 1 << 20  # 256 MiB in a small file
    return out


def _lying_size_bomb(coach: Coach, out: Path) -> Path:
    """256 MiB of zeros in place of a recording whose size in the zip's directory (local
    header and central directory both) is patched to the size the manifest says: only the
    decompressed stream is large."""
    entries = coach.entries()
    declared = len(entries.pop(WAV))
    with zipfile.ZipFile(_write(out, entries), "a") as archive:
        info = _zeros(archive, WAV, 256)
    data = bytearray(out.read_bytes())
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    central = data.rfind(WAV.encode()) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    for at in (local + 22, central + 24):
        data[at : at + 4] = declared.to_bytes(4, "little")
    out.write_bytes(bytes(data))
    with zipfile.ZipFile(out) as patched:
        assert patched.getinfo(WAV).file_size == declared
    return out


TAMPERED: dict[str, tuple[Callable[[Coach, Path], Path], str]] = {
    "a changed byte in a recording": (_changed_byte, f"'{WAV}' differs from what was signed"),
    "a changed line of a YAML file": (_changed_line, f"'{PRACTICE}' differs from what was signed"),
    "changed after signing": (_changed_after_signing, "its signature does not match"),
    "another signer for the same name": (_another_signer, "but 'jacqueline' was signed with"),
    "signed content that does not load": (
        _signed_broken_content,
        f"its content cannot be used: {PRACTICE}, line 3: kind: unknown kind 'vragen'",
    ),
    "a ../ entry": (_parent_entry, "leads out of the pack's folder"),
    "an absolute path": (_absolute_entry, "is an absolute path"),
    "a symlink entry": (_symlink_entry, "'recordings/vragen.questions.5.wav' is a link"),
    "a device entry": (_device_entry, "'recordings/x.wav' is a device"),
    "a size bomb": (
        _size_bomb,
        f"unpacks to 268.4 MB, more than the {MAX_FILE_BYTES / 1e6:.1f} MB a file may be",
    ),
    "a size bomb that lies about its size": (_lying_size_bomb, f"'{WAV}' is damaged"),
}


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under `root` with its contents' hash, a link's target, or 'folder'."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def coach(tmp_path_factory: pytest.TempPathFactory) -> Coach:
    return Coach(tmp_path_factory.mktemp("tampered"))


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_pack_is_refused_with_one_line_and_nothing_is_written(coach, tmp_path, case):
    make, reason = TAMPERED[case]
    tampered = make(coach, tmp_path / "tampered.zip")
    home = coach.packs.parent
    before = _snapshot(home)
    asked = []
    with pytest.raises(Refused) as error:
        install_pack(
            tampered, coach.packs, coach.trust, lambda signer: asked.append(signer) or True
        )
    message = error.value.message
    assert message.startswith("tampered.zip was not installed: ") and "\n" not in message
    assert reason in message
    assert error.value.exit_status == 2
    assert asked == []  # refused before anyone is asked to trust anything
    assert _snapshot(home) == before
    assert not (coach.root / OUTSIDE).exists() and not (tmp_path / OUTSIDE).exists()
    content = load_content(pack_folder(coach.packs, "jacqueline"))
    assert content.practices[1].questions[3] == "Mag het er zijn?"


def test_the_untampered_update_installs(coach, tmp_path):
    """The same pack the cases above start from: refused only for what was done to it."""
    home = tmp_path / "home"
    install_pack(coach.root / "1.0.zip", home / "packs", TrustStore(home / "t.yaml"), _yes)
    installed = install_pack(coach.update, home / "packs", TrustStore(home / "t.yaml"), _yes)
    assert installed.previous == "1.0" and installed.manifest.version == "1.1"


def _yes(signer: object) -> bool:
    return True
