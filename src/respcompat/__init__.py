"""respcompat: conformance checks for OpenAI Responses API compatible providers."""

from pathlib import Path

__version__ = "0.2.0"

_PACKAGED = Path(__file__).resolve().parent / "_data"
# Where the data folders (schemas/, providers/, suites/, expectations/, cassettes/) are: inside an installed wheel,
# the package's `_data/` (setup.py copies them there at build time); in a source checkout, the project root.
PROJECT_ROOT = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parents[2]
DATA_FOLDERS = ("schemas", "providers", "suites", "expectations", "cassettes")
