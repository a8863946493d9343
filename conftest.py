# The respcompat pytest plugin: --provider, --model, --base-url, --cassette-dir, --report-dir (+ pytest-recording's
# --record-mode, default none: offline replay).
pytest_plugins = ["respcompat.plugin"]
