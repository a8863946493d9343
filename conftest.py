# The respcompat pytest plugin (--provider, --model, --base-url, --cassette-dir, --expectations-dir, --report-dir, and
# pytest-recording's --record-mode, default none: offline replay) is registered by the package's pytest11 entry point,
# so it works in any directory once respcompat is installed; nothing to load here.
