"""The HTML matrix of the shipped profiles' offline runs, rendered by headless Chromium: a screenshot, the live DOM,
and a drill-down opened by a scripted click (`?open=<provider>/<case>`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from respcompat import PROJECT_ROOT
from respcompat.report import load_record, render_html

PROVIDERS = (
    "openai",
    "dashscope",
    "ark",
    "las",
    "rongcloud",
    "llamacpp",
    "llama-stack",
    "litellm",
)  # every shipped one
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH (apt-get install -y chromium)")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1400,1000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def matrix_page(tmp_path_factory) -> Path:
    """Each shipped profile run offline (replay only, no network) into its own record, rendered to one page."""
    out = tmp_path_factory.mktemp("matrix")
    records = []
    for p in PROVIDERS:
        d = out / p
        subprocess.run(
            [sys.executable, "-m", "pytest", f"--provider={p}", "-q", f"--report-dir={d}", "--record-mode=none"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert (d / "run.json").is_file(), f"the offline {p} run wrote no record"
        records.append(load_record(d))
    page = out / "matrix.html"
    page.write_text(render_html(records), encoding="utf-8")
    return page


def test_the_matrix_renders_to_a_nontrivial_screenshot(matrix_page, tmp_path):
    png = tmp_path / "matrix.png"
    _chromium(f"--screenshot={png}", matrix_page.as_uri())
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 30_000  # a blank 1400x1000 page compresses to a few kB
    if os.environ.get("RESPCOMPAT_SCREENSHOTS"):  # keep it for a person to look at
        shutil.copy(png, Path(os.environ["RESPCOMPAT_SCREENSHOTS"]) / "matrix.png")


def test_the_live_dom_has_the_matrix_with_every_provider_and_no_open_drill_down(matrix_page):
    dom = _chromium("--dump-dom", matrix_page.as_uri()).stdout
    assert '<table id="matrix">' in dom
    for p in PROVIDERS:
        assert f'class="fp" value="{p}"' in dom and f'data-key="{p}/text.string_input"' in dom
    assert re.search(r'<aside id="panel" hidden="?"?>', dom)  # nothing opened without a click


def test_a_scripted_click_opens_the_cells_drill_down(matrix_page, tmp_path):
    key = "llamacpp/probe.instructions"
    dom = _chromium("--dump-dom", matrix_page.as_uri() + f"?open={key}").stdout
    assert re.search(r'<aside id="panel">', dom), "the drill-down panel stayed hidden"
    shown = re.findall(r'<section class="drill" data-key="([^"]+)">', dom)  # only the opened one lost `hidden`
    assert shown == [key]
    section = dom[dom.index(f'data-key="{key}">') :]
    section = section[: section.index("</section>")]
    assert (
        "finding(s)" in section
        and "cassettes/llamacpp/probe.instructions.yaml" in section
        and "parameter probe" in section
    )
    assert re.search(r'class="cell v-[a-z-]+ sel"[^>]*data-key="' + re.escape(key), dom)  # the clicked cell is marked
    png = tmp_path / "drilldown.png"
    _chromium(f"--screenshot={png}", matrix_page.as_uri() + f"?open={key}")
    assert png.is_file() and png.stat().st_size > 30_000
    if os.environ.get("RESPCOMPAT_SCREENSHOTS"):
        shutil.copy(png, Path(os.environ["RESPCOMPAT_SCREENSHOTS"]) / "drilldown.png")


def test_a_known_cells_drill_down_says_why_it_is_known(matrix_page):
    """OpenAI's own delete example: the finding, and the triage reason that makes it known, with the page's URL."""
    key = "openai/doc.delete_example"
    dom = _chromium("--dump-dom", matrix_page.as_uri() + f"?open={key}").stdout
    assert re.search(r'<aside id="panel">', dom), "the drill-down panel stayed hidden"
    section = dom[dom.index(f'data-key="{key}">') :]
    section = section[: section.index("</section>")]
    assert "body.kind" in section and "response.deleted" in section
    assert 'class="triage"' in section and "ref-delete-object-response" in section
    assert 'href="https://platform.openai.com/docs/api-reference/responses"' in section


# --- the generated-request tables (parameter effects, coverage) on synthetic records -----------------------------------


@pytest.fixture(scope="module")
def generated_page(tmp_path_factory) -> Path:
    from test_report import _generated_pair

    page = tmp_path_factory.mktemp("generated") / "matrix.html"
    page.write_text(render_html(list(_generated_pair())), encoding="utf-8")
    return page


def _shown(dom: str, key: str) -> str:
    """The one drill-down the page shows (asserted to be `key`), as the live DOM has it."""
    assert re.search(r'<aside id="panel">', dom), "the drill-down panel stayed hidden"
    assert re.findall(r'<section class="drill" data-key="([^"]+)">', dom) == [key]
    section = dom[dom.index(f'data-key="{key}">') :]
    return section[: section.index("</section>")]


def test_a_click_on_an_effect_cell_shows_its_evidence(generated_page, tmp_path):
    key = "effect:acme/max_output_tokens"
    dom = _chromium("--dump-dom", generated_page.as_uri() + f"?open={key}").stdout
    section = _shown(dom, key)
    assert "max_output_tokens=16: output_tokens 64 -&gt; 16, status incomplete" in section
    assert "gen.effect.max_output_tokens" in section and "help.example.com/ref" in section
    assert re.search(r'class="cell eff e-applied sel"[^>]*data-key="' + re.escape(key), dom)  # the clicked cell
    assert '<table id="effects" class="grid">' in dom and '<table class="plain" id="coverage-totals">' in dom
    png = tmp_path / "effects.png"
    _chromium("--window-size=1400,1500", f"--screenshot={png}", generated_page.as_uri() + f"?open={key}")
    assert png.is_file() and png.stat().st_size > 30_000
    if os.environ.get("RESPCOMPAT_SCREENSHOTS"):
        shutil.copy(png, Path(os.environ["RESPCOMPAT_SCREENSHOTS"]) / "effects.png")


def test_a_click_on_a_coverage_cell_shows_the_values_sent(generated_page):
    key = "coverage:acme/service_tier"
    section = _shown(_chromium("--dump-dom", generated_page.as_uri() + f"?open={key}").stdout, key)
    assert '<code>"flex"</code></td><td class="o-server-error">server-error' in section
    assert "documented</dt><dd>no" in section
