"""Build hook: the wheel carries the data folders (schemas/, providers/, suites/, expectations/, cassettes/) as
package data under respcompat/_data/, so an installed respcompat finds them through its own package."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
FOLDERS = ("schemas", "providers", "suites", "expectations", "cassettes")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "respcompat" / "_data"
        for name in FOLDERS:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithData})
