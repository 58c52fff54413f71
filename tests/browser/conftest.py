"""Fixtures for browser tests: a Jupyter server and headless Chromium.

- ``jupyter_server`` (session): JupyterLab + Notebook 7 on a free port, root
  dir a temp folder, kernels import the working tree's ``nbmonitor``
  (``PYTHONPATH`` = repo root) and write runs to a temp ``NBMONITOR_DIR``.
- ``jupyter_server_factory`` (session): ``factory(extra_env) -> JupyterServer``
  for a test that needs other environment variables (one server per distinct
  env, reused for the session, all stopped at the end).
- ``browser_context`` (session): a Chromium persistent context.
- ``lab_page`` (function): a fresh page with console errors collected; its
  kernels are shut down after the test; on failure a screenshot and the
  console log land in ``test-artifacts/screenshots/FAILED_<test>.*``.

Missing Chromium/playwright/jupyterlab: skip, or fail when
``NBMONITOR_BROWSER_TESTS=1``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.browser import lab


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab / Notebook 7 in headless Chromium (tests/browser)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    setattr(item, f"_nbm_rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_stack() -> None:
    """Skip or fail (``NBMONITOR_BROWSER_TESTS=1``) when pieces are missing."""
    lab.require_browser_stack()


@pytest.fixture(scope="session")
def jupyter_server_factory(browser_stack: None) -> Callable[..., lab.JupyterServer]:
    base = Path(tempfile.mkdtemp(prefix="nbm-browser-"))
    servers: dict[tuple, lab.JupyterServer] = {}

    def factory(extra_env: Mapping[str, str] | None = None) -> lab.JupyterServer:
        key = tuple(sorted((str(k), str(v)) for k, v in (extra_env or {}).items()))
        if key not in servers:
            servers[key] = lab.start_jupyter_server(base / f"server{len(servers)}", extra_env)
        return servers[key]

    yield factory
    for server in servers.values():
        server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def jupyter_server(jupyter_server_factory, tmp_path_factory) -> lab.JupyterServer:
    runs = tmp_path_factory.mktemp("nbmonitor-runs")
    return jupyter_server_factory({"NBMONITOR_DIR": str(runs)})


@pytest.fixture(scope="session")
def browser_context(browser_stack: None):
    with lab.chromium_context() as ctx:
        yield ctx


@pytest.fixture
def lab_page(browser_context, request):
    """A fresh Playwright page; console errors via ``lab.console_errors(page)``."""
    page = browser_context.new_page()
    lab.attach_console(page)
    yield page
    rep = getattr(request.node, "_nbm_rep_call", None)
    if rep is not None and rep.failed:
        # What the browser showed when the test failed, and its console.
        name = "FAILED_" + request.node.nodeid.split("::", 1)[-1]
        try:
            shot = lab.screenshot(page, name)
            shot.with_suffix(".console.txt").write_text(
                "\n".join(str(e) for e in lab.console_log(page).entries) + "\n"
            )
        except Exception:
            pass
    servers = lab.servers_used_by(page)
    lab.forget_page(page)
    page.close()
    # Kernels this test started: shut them down (2-core machines).
    for server in servers:
        server.shutdown_kernels()
