"""respcompat: conformance checks for OpenAI Responses API compatible providers."""

from pathlib import Path

__version__ = "0.1.0"

# Data folders (schemas/, providers/, ...) live at the project root, beside src/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
