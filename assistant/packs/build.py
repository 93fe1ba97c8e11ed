"""Building a pack from a coach's content folder: checked as a session loads it, signed with
her key, written whole or not at all, and read back as a client will read it before it is said
to be made.

Into the pack go exactly the content files (assistant.yaml, commands.yaml, texts.yaml,
practices/*.yaml), recordings/index.yaml and the recordings it lists; nothing else in the
folder (pack.yaml, notes, a key someone left there) is ever packed. The entries are sorted and
dated 1980-01-01, so the same content and key make the same file.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.content import load_content
from assistant.content.recordings import FOLDER, INDEX, RecordingFolder, Stale, problems
from assistant.dialog.lines import recordable_lines
from assistant.durable import write_durably
from assistant.errors import UserError
from assistant.i18n import _
from assistant.packs.archive import MAX_FILE_BYTES, PackFile, megabytes
from assistant.packs.failures import Refused, cannot_read, cannot_write
from assistant.packs.keys import load_private, sign
from assistant.packs.manifest import MANIFEST, SIGNATURE, FileEntry, Manifest, signature_text
from assistant.packs.meta import read_meta

SHARED_MODE = 0o644  # a pack is made to be given away
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class BuildReport:
    """What was packed, and how complete the coach's recordings are."""

    manifest: Manifest
    path: Path
    recorded: tuple[str, ...]  # keys of lines with a current recording
    stale: tuple[Stale, ...]  # recordings packed but not played: their line says other words
    missing: tuple[str, ...]  # keys of lines without a current recording (synthesised)
    problems: tuple[str, ...]  # one line per recording not used, and why

    def describe(self) -> list[str]:
        recorded, lines = len(self.recorded), len(self.recorded) + len(self.missing)
        return [
            _("{path}: {name} {version}, {size}, signed with the key {fingerprint}").format(
                path=self.path,
                name=self.manifest.name,
                version=self.manifest.version,
                size=megabytes(self.path.stat().st_size),
                fingerprint=self.manifest.signer.fingerprint,
            ),
            _("{recorded} of {lines} lines recorded; the others are synthesised").format(
                recorded=recorded, lines=lines
            ),
            *self.problems,
        ]


def build_pack(content_dir: Path, key: Path, out: Path) -> BuildReport:
    """The pack of `content_dir` (the language folder, with pack.yaml) signed with `key`, in
    `out`. UserError (ContentError with file and line) when anything is wrong; then `out` is
    not touched."""
    content = load_content(content_dir)
    folder = Path(content.source_dir)
    meta = read_meta(folder)
    if key.resolve().is_relative_to(folder.resolve()):
        raise UserError(
            _(
                "{key} is inside the content folder {folder}: keep the pack key elsewhere, "
                "where it is never copied or shared with the content."
            ).format(key=key, folder=folder)
        )
    private, public = load_private(key)
    recordings = RecordingFolder(folder)
    lines = {line.key: line.text for line in recordable_lines(content)}
    survey = recordings.survey(lines)
    files = {name: _read(folder / name) for name in _content_files(folder, recordings)}
    manifest = Manifest(
        name=meta.name,
        version=meta.version,
        language=content.language,
        coach=meta.coach,
        contact=meta.contact,
        text_licence=meta.text_licence,
        recordings_licence=meta.recordings_licence,
        requires=meta.requires,
        signer=public,
        files={
            name: FileEntry(hashlib.sha256(data).hexdigest(), len(data))
            for name, data in files.items()
        },
    )
    signed = manifest.to_bytes()
    archive = _zip({MANIFEST: signed, SIGNATURE: signature_text(sign(private, signed)), **files})
    try:
        with PackFile(archive, out.name) as made:  # as a client will: no pack nobody can install
            made.check_files(made.signed_manifest()[0])
    except Refused as refused:
        raise UserError(
            _("{path} was not written: clients would refuse it, as {reason}.").format(
                path=out, reason=refused.reason
            )
        ) from None
    try:
        write_durably(out, archive, SHARED_MODE)
    except OSError as error:
        raise cannot_write(out, error) from None
    return BuildReport(
        manifest=manifest,
        path=out,
        recorded=tuple(survey.current),
        stale=survey.stale,
        missing=survey.missing,
        problems=tuple(problems(survey, recordings)),
    )


def _content_files(folder: Path, recordings: RecordingFolder) -> list[str]:
    names = ["assistant.yaml", "commands.yaml", "texts.yaml"]
    names += [f"practices/{path.name}" for path in sorted((folder / "practices").glob("*.yaml"))]
    index = recordings.index()
    if recordings.index_path.is_file():
        names.append(f"{FOLDER}/{INDEX}")
    names += [f"{FOLDER}/{key}.wav" for key in sorted(index) if recordings.wav(key).is_file()]
    return names


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(
                _("{path} is {size}, more than the {most} a file of a pack may be.").format(
                    path=path, size=megabytes(size), most=megabytes(MAX_FILE_BYTES)
                )
            )
        return path.read_bytes()
    except OSError as error:
        raise cannot_read(path, error) from None


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, _EPOCH)
            info.external_attr = 0o100644 << 16  # a plain file
            info.create_system = 3  # Unix, so the mode above is read as one
            stored = name.endswith(".wav")  # speech hardly deflates; no need to try
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
