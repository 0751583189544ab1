import shutil

import pytest
from playwright.sync_api import sync_playwright

# Debian's Chromium, installed by scripts/setup.sh --browser; Playwright never downloads one.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def page(request, browser):
    context = browser.new_context(java_script_enabled=request.param)
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()
