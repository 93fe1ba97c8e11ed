"""The one build step pyproject.toml cannot say: the content (the YAML the assistant speaks,
the coach's recordings) is edited in content/ at the top of the repository, and the build puts
a copy of it into the package as assistant/_content, so an installed program has it
(assistant/places.py finds it there). An editable install reads content/ where it is, so
editing it needs no rebuild. The sdist carries content/ (MANIFEST.in), so a wheel built from
it has the content too."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path("content")
TARGET = Path("assistant", "_content")


class BuildWithContent(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / TARGET
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SOURCE, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        copied = [
            str(Path(self.build_lib) / TARGET / path.relative_to(SOURCE))
            for path in SOURCE.rglob("*")
            if path.is_file()
        ]
        return [*super().get_outputs(include_bytecode), *([] if self.editable_mode else copied)]


setup(cmdclass={"build_py": BuildWithContent})
