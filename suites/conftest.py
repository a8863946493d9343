"""The cassette fixtures of respcompat's plugin, declared here so they take precedence over pytest-recording's
(two plugins that define the same fixture have no fixed order; a conftest always wins). A suite of your own that
uses `@pytest.mark.respcompat` needs the same line in its conftest.py."""

from respcompat.plugin import default_cassette_name, vcr_cassette_dir, vcr_config  # noqa: F401
