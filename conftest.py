# The respcompat pytest plugin: --provider, --model, --base-url, --record-mode, --report-dir.
import importlib.util

if importlib.util.find_spec("respcompat.plugin") is not None:  # TEMP during bring-up
    pytest_plugins = ["respcompat.plugin"]
