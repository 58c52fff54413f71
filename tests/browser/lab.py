"""Helpers for browser tests: a Jupyter server, headless Chromium, notebooks.

Everything here follows /work/shared/TESTING.md ("A real browser: JupyterLab
in headless Chromium"). The pytest fixtures live in ``conftest.py``; this
module holds plain functions so tests (and people at a REPL) can import them::

    from tests.browser.lab import open_and_run, screenshot, widget_errors

Nothing here downloads anything: Chromium is Debian's ``/usr/bin/chromium``
driven through the Python ``playwright`` package (never ``playwright
install``), and all widget JavaScript comes from the lab extensions installed
in the current venv.
"""

from __future__ import annotations

import contextlib
import copy
import http.cookiejar
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("NBMONITOR_CHROMIUM", "/usr/bin/chromium")
ENV_REQUIRE = "NBMONITOR_BROWSER_TESTS"

#: Selector waits: short, so a broken widget fails fast.
SELECTOR_TIMEOUT_MS = 20_000
#: Page load / kernel start: not the widget's fault when slow, so longer.
LOAD_TIMEOUT_MS = 60_000
#: Whole "run all cells" wait, unless the caller gives one.
RUN_TIMEOUT_S = 120.0
SERVER_START_TIMEOUT_S = 60.0

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1500}


# --------------------------------------------------------------------------
# Skip or fail when the browser stack is missing
# --------------------------------------------------------------------------


def browser_tests_required() -> bool:
    """True when ``NBMONITOR_BROWSER_TESTS=1`` (CI): missing pieces then fail."""
    return os.environ.get(ENV_REQUIRE, "").strip().lower() in {"1", "true", "yes", "on"}


def missing_browser_stack() -> list[str]:
    """What is missing to run browser tests here (empty list: nothing)."""
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(
            f"Chromium not found at {CHROMIUM} "
            "(apt-get install -y --no-install-recommends chromium; "
            "never `playwright install`)"
        )
    for mod, hint in [
        ("playwright.sync_api", "pip install playwright (the Python package only)"),
        ("jupyterlab", "pip install jupyterlab"),
        ("notebook", "pip install notebook"),
        ("nbformat", "pip install nbformat"),
        ("anywidget", "pip install anywidget"),
        ("bqplot", "pip install bqplot"),
    ]:
        # find_spec, not import: importing bqplot here would only add
        # warnings to the test process; the kernel is what imports it.
        try:
            found = importlib.util.find_spec(mod) is not None
        except Exception:  # a parent package missing or broken
            found = False
        if not found:
            missing.append(f"Python module {mod!r} not found in {sys.executable}; {hint}")
    return missing


def require_browser_stack() -> None:
    """Skip (locally) or fail (``NBMONITOR_BROWSER_TESTS=1``) if pieces are missing."""
    import pytest

    missing = missing_browser_stack()
    if not missing:
        return
    msg = "browser test stack unavailable:\n  - " + "\n  - ".join(missing)
    if browser_tests_required():
        pytest.fail(f"{msg}\n({ENV_REQUIRE}=1 is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(f"{msg}\n(set {ENV_REQUIRE}=1 to make this a failure)")


# --------------------------------------------------------------------------
# Jupyter server
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JupyterServer:
    """A running ``python -m jupyterlab`` (Lab at /lab, Notebook 7 at /notebooks)."""

    url: str  # "http://127.0.0.1:PORT" (no trailing slash)
    port: int
    root_dir: Path  # notebooks the tests open are copied here
    home: Path  # temp dir holding config/runtime/settings/workspaces and the log
    env: dict[str, str]  # full environment of the server (kernels inherit it)
    proc: subprocess.Popen = field(repr=False)
    log_path: Path = field(repr=False)
    start_seconds: float = 0.0
    _http: Any = field(default=None, repr=False, compare=False)
    _jar: Any = field(default=None, repr=False, compare=False)

    # -- REST -------------------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        """Call the server's REST API; JSON in and out.

        Non-GET requests carry the ``_xsrf`` cookie and ``X-XSRFToken``
        header (the server answers 403 without them, even with no token).
        """
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        if method.upper() != "GET":
            xsrf = self._xsrf_token(timeout)
            if xsrf:
                headers["X-XSRFToken"] = xsrf
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        with self._opener().open(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def _opener(self) -> urllib.request.OpenerDirector:
        if self._http is None:
            self._jar = http.cookiejar.CookieJar()
            self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._jar))
        return self._http

    def _xsrf_token(self, timeout: float) -> str | None:
        opener = self._opener()
        for _ in range(2):
            for c in self._jar:
                if c.name == "_xsrf":
                    return c.value
            # Any page sets the cookie.
            with opener.open(f"{self.url}/lab", timeout=timeout) as resp:
                resp.read()
        return None

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def shutdown_kernels(self) -> None:
        """Delete every session and kernel (between tests: 2-core machines)."""
        with contextlib.suppress(Exception):
            for s in self.sessions():
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/sessions/{s['id']}")
        with contextlib.suppress(Exception):
            for k in self.api("GET", "/api/kernels"):
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/kernels/{k['id']}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # -- URLs -------------------------------------------------------------
    def notebook_url(self, nb_path: str, ui: str = "lab") -> str:
        """URL opening ``nb_path`` (relative to root_dir) in ``ui``."""
        rel = urllib.request.pathname2url(str(nb_path))
        if ui == "lab":
            # ?reset: start from an empty workspace, so tabs from earlier
            # tests in this session are not restored (and their kernels
            # not restarted).
            return f"{self.url}/lab/tree/{rel}?reset"
        if ui == "notebook":
            return f"{self.url}/notebooks/{rel}"
        raise ValueError(f"ui must be 'lab' or 'notebook', not {ui!r}")

    # -- lifecycle --------------------------------------------------------
    def stop(self, timeout: float = 10.0) -> None:
        """terminate, wait, kill (kernels are shut down by the server on SIGTERM)."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)


def server_env(home: Path, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the server and its kernels.

    ``PYTHONPATH`` starts with the repo root so kernels import the working
    tree's ``nbmonitor``; Jupyter's user dirs live under ``home``.
    """
    env = dict(os.environ)
    pp = [str(REPO_ROOT)]
    if env.get("PYTHONPATH"):
        pp.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(pp)
    env["JUPYTER_CONFIG_DIR"] = str(home / "config")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "lab-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "lab-workspaces")
    env["IPYTHONDIR"] = str(home / "ipython")
    env.pop("JUPYTER_TOKEN", None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugpy warning
    for k, v in (extra_env or {}).items():
        env[str(k)] = str(v)
    return env


def start_jupyter_server(
    base_dir: Path | str | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = SERVER_START_TIMEOUT_S,
) -> JupyterServer:
    """Start ``python -m jupyterlab`` as TESTING.md says and wait for /api/status.

    ``base_dir`` (a fresh temp dir by default) receives ``root/`` (the
    server's root_dir) and ``home/`` (Jupyter config, runtime, lab settings
    and workspaces, ``server.log``). ``extra_env`` is added to the server's
    environment, which kernels inherit (e.g. ``{"NBMONITOR_DIR": ...}``).
    """
    base = Path(base_dir) if base_dir is not None else Path(tempfile.mkdtemp(prefix="nbm-jupyter-"))
    root = base / "root"
    home = base / "home"
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("config/labconfig", "runtime", "lab-settings", "lab-workspaces", "ipython"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    # Silence the "news" toast (it would cover part of the screenshots).
    (home / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = server_env(home, extra_env)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # window.jupyterapp in JupyterLab ...
        "--LabApp.expose_app_in_browser=True",
        # ... and in Notebook 7 (its own server extension, its own flag).
        "--JupyterNotebookApp.expose_app_in_browser=True",
    ]
    log_path = home / "server.log"
    log = open(log_path, "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, cwd=str(root), env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    log.close()  # the child holds its own copy
    server = JupyterServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        root_dir=root,
        home=home,
        env=env,
        proc=proc,
        log_path=log_path,
    )
    deadline = t0 + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(
                f"Jupyter server exited with code {proc.returncode} before answering.\n"
                f"command: {' '.join(cmd)}\n--- {log_path} ---\n{server.log_tail()}"
            )
        try:
            server.api("GET", "/api/status", timeout=2.0)
            break
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"Jupyter server did not answer /api/status within {timeout:.0f} s.\n"
                f"--- {log_path} ---\n{server.log_tail()}"
            )
        time.sleep(0.2)
    server.start_seconds = time.monotonic() - t0
    return server


@contextlib.contextmanager
def jupyter_server(
    base_dir: Path | str | None = None, extra_env: Mapping[str, str] | None = None
) -> Iterator[JupyterServer]:
    """Context-manager form of :func:`start_jupyter_server` (always stops it)."""
    server = start_jupyter_server(base_dir, extra_env)
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------


@contextlib.contextmanager
def chromium_context(profile_dir: Path | str | None = None) -> Iterator[Any]:
    """A headless Chromium persistent context (fresh profile), as TESTING.md says.

    Yields a Playwright ``BrowserContext`` with the default timeout set to
    :data:`SELECTOR_TIMEOUT_MS`.
    """
    from playwright.sync_api import sync_playwright

    own_tmp = None
    if profile_dir is None:
        own_tmp = tempfile.mkdtemp(prefix="nbm-chromium-")
        profile_dir = own_tmp
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                str(profile_dir),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
            )
            ctx.set_default_timeout(SELECTOR_TIMEOUT_MS)
            ctx.set_default_navigation_timeout(LOAD_TIMEOUT_MS)
            try:
                yield ctx
            finally:
                ctx.close()
    finally:
        if own_tmp:
            shutil.rmtree(own_tmp, ignore_errors=True)


@dataclass
class ConsoleEntry:
    kind: str  # console message type ("error", "warning", ...) or "pageerror"
    text: str
    url: str = ""

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"[{self.kind}] {self.text}{where}"


class ConsoleLog:
    """Browser console messages and uncaught page errors seen by one page."""

    def __init__(self) -> None:
        self.entries: list[ConsoleEntry] = []

    def attach(self, page: Any) -> ConsoleLog:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)
        return self

    def _on_console(self, msg: Any) -> None:
        try:
            loc = msg.location or {}
            url = loc.get("url", "") if isinstance(loc, dict) else ""
            self.entries.append(ConsoleEntry(msg.type, msg.text, url))
        except Exception:  # never let logging break a test
            pass

    def _on_pageerror(self, err: Any) -> None:
        text = getattr(err, "stack", None) or str(err)
        self.entries.append(ConsoleEntry("pageerror", str(text)))

    @property
    def errors(self) -> list[ConsoleEntry]:
        """Console ``error`` messages and uncaught exceptions."""
        return [e for e in self.entries if e.kind in ("error", "pageerror")]

    def clear(self) -> None:
        self.entries.clear()


# Console logs by page (Playwright's sync Page objects are plain Python
# objects, but keeping the log beside them avoids depending on that).
_CONSOLE: dict[int, ConsoleLog] = {}


def attach_console(page: Any) -> ConsoleLog:
    """Start collecting console errors of ``page`` (idempotent)."""
    log = _CONSOLE.get(id(page))
    if log is None:
        log = _CONSOLE[id(page)] = ConsoleLog().attach(page)
    return log


def console_log(page: Any) -> ConsoleLog:
    return attach_console(page)


_SERVERS: dict[int, list] = {}


def servers_used_by(page: Any) -> list:
    """Servers :func:`open_notebook` opened notebooks of on ``page``."""
    return list(_SERVERS.get(id(page), []))


def forget_page(page: Any) -> None:
    """Drop what this module remembers about ``page`` (call before closing it)."""
    _CONSOLE.pop(id(page), None)
    _SERVERS.pop(id(page), None)


def console_errors(page: Any) -> list[ConsoleEntry]:
    """All console errors and uncaught page errors of ``page`` so far."""
    return console_log(page).errors


#: Substrings that mark a console error as coming from widget code.
WIDGET_ERROR_PATTERNS = (
    "nbmonitor",
    "anywidget",
    "_esm",
    "widget",  # "Could not create a view for model id", "Failed to create view", ...
    "bqplot",
    "blob:",  # anywidget loads inline _esm from blob: URLs
)


def widget_errors(page: Any, patterns: Iterable[str] = WIDGET_ERROR_PATTERNS) -> list[ConsoleEntry]:
    """Console/page errors whose text or source mentions one of ``patterns``."""
    pats = [p.lower() for p in patterns]
    return [e for e in console_errors(page) if any(p in (e.text + " " + e.url).lower() for p in pats)]


def assert_no_widget_errors(page: Any, patterns: Iterable[str] = WIDGET_ERROR_PATTERNS) -> None:
    errs = widget_errors(page, patterns)
    assert not errs, "widget errors in the browser console:\n" + "\n".join(map(str, errs))


def screenshot(page: Any, name: str, selector: str | None = None, full_page: bool = False) -> Path:
    """Save a PNG to ``test-artifacts/screenshots/<name>.png`` and return its path.

    With ``selector``, only that element (first match, scrolled into view).
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / (safe if safe.endswith(".png") else safe + ".png")
    if selector:
        loc = page.locator(selector).first
        loc.scroll_into_view_if_needed()
        loc.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


# --------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def make_notebook(cells: Sequence[Any]) -> Any:
    """An nbformat v4 notebook from cell sources.

    Each item is a code-cell source string, ``("markdown", text)`` /
    ``("code", text)``, or an nbformat cell (used as is).
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for item in cells:
        if isinstance(item, str):
            nb.cells.append(nbformat.v4.new_code_cell(item))
        elif isinstance(item, tuple) and len(item) == 2:
            kind, src = item
            maker = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}[kind]
            nb.cells.append(maker(src))
        else:
            nb.cells.append(item)
    return nb


def clear_outputs(nb: Any) -> Any:
    """A copy of ``nb`` without stored outputs, execution counts or widget state."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.metadata.pop("widgets", None)
    nb.metadata.setdefault("kernelspec", dict(KERNELSPEC))
    return nb


def write_notebook(path: Path | str, cells_or_nb: Any) -> Path:
    """Write a notebook (from cell sources, an nbformat node or a .ipynb path), outputs cleared."""
    import nbformat

    path = Path(path)
    if isinstance(cells_or_nb, (str, os.PathLike)) and str(cells_or_nb).endswith(".ipynb"):
        nb = nbformat.read(str(cells_or_nb), as_version=4)
    elif isinstance(cells_or_nb, Mapping):
        nb = nbformat.from_dict(cells_or_nb)
    else:
        nb = make_notebook(cells_or_nb)
    nb = clear_outputs(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


# --------------------------------------------------------------------------
# Driving JupyterLab / Notebook 7
# --------------------------------------------------------------------------

# Returns the NotebookPanel showing `path` (Lab: any main-area tab;
# Notebook 7: the only one), or null.
_JS_FIND_PANEL = r"""
window.__nbmPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const ok = (w) => w && w.context && w.sessionContext && w.content && w.content.model
                    && (!path || w.context.path === path);
  const cur = app.shell.currentWidget;
  if (ok(cur)) return cur;
  try {
    for (const w of app.shell.widgets('main')) { if (ok(w)) return w; }
  } catch (e) { /* shell without widgets('main') */ }
  return null;
};
"""

_JS_KERNEL_STATUS = r"""
(path) => {
  __NBM_FIND__
  const p = window.__nbmPanel(path);
  if (!p) return 'no-panel';
  const s = p.sessionContext && p.sessionContext.session;
  if (!s || !s.kernel) return 'no-kernel';
  return s.kernel.status;
}
""".replace("__NBM_FIND__", _JS_FIND_PANEL)

_JS_RUN_STATE = r"""
(path) => {
  __NBM_FIND__
  const p = window.__nbmPanel(path);
  if (!p) return {state: 'no-panel'};
  const s = p.sessionContext && p.sessionContext.session;
  const status = s && s.kernel ? s.kernel.status : 'no-kernel';
  const cells = p.content.model.cells;
  let pending = 0, total = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    const src = c.sharedModel.getSource();
    if (!src.trim()) continue;   // an empty cell never gets a count
    total += 1;
    const outs = c.outputs;
    for (let j = 0; j < outs.length; j++) {
      const o = outs.get(j).toJSON();
      if (o.output_type === 'error') {
        return {state: 'error', cell: i, ename: o.ename, evalue: o.evalue,
                traceback: (o.traceback || []).join('\n'), source: src};
      }
    }
    if (c.executionCount === null || c.executionCount === undefined) pending += 1;
  }
  return {state: pending ? 'running' : 'done', pending, total, status};
}
""".replace("__NBM_FIND__", _JS_FIND_PANEL)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def wait_kernel_idle(page: Any, nb_path: str | None = None, timeout_s: float = LOAD_TIMEOUT_MS / 1000) -> float:
    """Wait until the notebook's kernel reports ``idle``; return seconds waited.

    Works in JupyterLab and Notebook 7 (both need ``expose_app_in_browser``,
    which :func:`start_jupyter_server` sets). ``nb_path`` (relative to the
    server root) picks the notebook tab; default: the current widget.
    """
    t0 = time.monotonic()
    deadline = t0 + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = page.evaluate(_JS_KERNEL_STATUS, nb_path)
        if last == "idle":
            return time.monotonic() - t0
        time.sleep(0.2)
    raise TimeoutError(f"kernel not idle after {timeout_s:.0f} s (last status: {last!r}, notebook {nb_path!r})")


def kernel_status_settled(page: Any, nb_path: str | None, want: str = "busy", timeout_s: float = 10.0) -> str:
    """The front end's kernel status once it reads `want`, or the last one read after `timeout_s`: a subshell's
    own "idle" may show for a moment mid-cell, and must not stick."""
    deadline = time.monotonic() + timeout_s
    while (status := page.evaluate(_JS_KERNEL_STATUS, nb_path)) != want and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return status


def settle(page: Any, js: str, cond: Callable[[Any], bool], what: str | None = None, timeout_s: float = 20.0) -> Any:
    """What `js` reads from the page once `cond` accepts it, polled every 100 ms (views, marks and axes of a
    panel draw at their own pace). After `timeout_s`: an AssertionError naming `what` with the last reading,
    or, with no `what`, that reading (for the caller's own asserts to say what is wrong)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            state, error = page.evaluate(js), None
        except Exception as exc:  # noqa: BLE001 - what it reads is not drawn yet (a TypeError in the page)
            state, error = None, exc
        if state is not None and cond(state):
            return state
        if time.monotonic() > deadline:
            if what is None and error is None:
                return state
            raise AssertionError(f"{what or js}: {state if error is None else error}")
        page.wait_for_timeout(100)


def run_all_cells(page: Any) -> None:
    """Start ``notebook:run-all-cells`` without waiting for it to finish."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def run_state(page: Any, nb_path: str | None = None) -> dict:
    """``{'state': 'running'|'done'|'error'|'no-panel', ...}`` for the notebook."""
    return page.evaluate(_JS_RUN_STATE, nb_path)


class CellError(AssertionError):
    """A cell raised in the browser-run notebook."""


def wait_run_finished(page: Any, nb_path: str | None = None, timeout_s: float = RUN_TIMEOUT_S) -> float:
    """Wait until every non-empty code cell has run and the kernel is idle.

    Raises :class:`CellError` as soon as a cell shows an error output (with
    its traceback), ``TimeoutError`` after ``timeout_s``. Returns seconds waited.
    """
    t0 = time.monotonic()
    deadline = t0 + timeout_s
    st: dict = {}
    while time.monotonic() < deadline:
        st = run_state(page, nb_path)
        if st.get("state") == "error":
            tb = _ANSI.sub("", st.get("traceback") or "")
            raise CellError(
                f"cell {st.get('cell')} raised {st.get('ename')}: {st.get('evalue')}\n"
                f"--- source ---\n{st.get('source')}\n--- traceback ---\n{tb}"
            )
        if st.get("state") == "done" and st.get("status") == "idle":
            return time.monotonic() - t0
        time.sleep(0.25)
    raise TimeoutError(f"notebook {nb_path!r} still running after {timeout_s:.0f} s: {st!r}")


@dataclass
class OpenedNotebook:
    path: str  # relative to the server root
    url: str
    ui: str
    load_seconds: float  # goto until the kernel is idle


def open_notebook(page: Any, server: JupyterServer, notebook: Any, ui: str = "lab", name: str | None = None) -> OpenedNotebook:
    """Write ``notebook`` (outputs cleared) into the server root, open it, wait for an idle kernel.

    ``notebook``: a .ipynb path, an nbformat notebook, or a list of cell
    sources (see :func:`make_notebook`). ``name``: file name in the server
    root (default: the source file's name, else ``test-<n>.ipynb``).
    """
    attach_console(page)
    used = _SERVERS.setdefault(id(page), [])
    if not any(s is server for s in used):
        used.append(server)
    if name is None:
        if isinstance(notebook, (str, os.PathLike)) and str(notebook).endswith(".ipynb"):
            name = Path(notebook).name
        else:
            name = f"test-{int(time.time() * 1000) % 10**9}.ipynb"
    if not name.endswith(".ipynb"):
        name += ".ipynb"
    write_notebook(server.root_dir / name, notebook)
    url = server.notebook_url(name, ui)
    t0 = time.monotonic()
    page.goto(url, wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(
        "() => !!(window.jupyterapp && window.jupyterapp.shell)", timeout=LOAD_TIMEOUT_MS
    )
    wait_kernel_idle(page, name)
    return OpenedNotebook(path=name, url=url, ui=ui, load_seconds=time.monotonic() - t0)


def open_and_run(
    page: Any,
    server: JupyterServer,
    notebook: Any,
    ui: str = "lab",
    name: str | None = None,
    wait: bool = True,
    timeout_s: float = RUN_TIMEOUT_S,
) -> OpenedNotebook:
    """Open ``notebook`` (see :func:`open_notebook`) and run all its cells.

    With ``wait=True`` (default) return once every cell has run (raising
    :class:`CellError` on a cell error); with ``wait=False`` return right after
    starting the run, so the test can watch the DOM while cells execute, and
    call :func:`wait_run_finished` itself.
    """
    opened = open_notebook(page, server, notebook, ui=ui, name=name)
    run_all_cells(page)
    if wait:
        wait_run_finished(page, opened.path, timeout_s=timeout_s)
    return opened


def busy_loop(release: str, each: str = "", start: int = 0) -> str:
    """Python lines that end a cell: keep the kernel's main shell CPU-bound, as a training loop does, until a
    file named `release` exists in the notebook's folder (300 s at most), running `each` (one line, with `i`
    the step from `start`) every pass. The tests write that file to let the cell end; one left by an earlier
    try (a rerun, on the session's server) is removed first."""
    return f"""
import os as _os, time as _time
if _os.path.exists({release!r}):
    _os.remove({release!r})
_t0 = _time.time()
i = {start}
while not _os.path.exists({release!r}) and _time.time() - _t0 < 300:  # busy, as a training loop
    _x = 0
    for _ in range(30000):
        _x += 1
    {each or "pass"}
    i += 1
"""


# the panel's section headers (ipywidgets' Accordion in Lumino 1 and 2, our own collapsible sections)
SECTION_TITLES = (".nbm-panel .lm-AccordionPanel-title, .nbm-panel .p-Accordion-title, "
                  ".nbm-panel .jupyter-widget-Collapse-header")


def wait_section_titles(page: Any, wants: Iterable[str], timeout_ms: int = SELECTOR_TIMEOUT_MS) -> list[str]:
    """The panel's section titles once one contains each of `wants` (sections are views of their own, drawn
    a moment after the charts at times); a timeout fails with the titles there were."""
    wants = list(wants)
    try:
        page.wait_for_function("([sel, wants]) => { const t = Array.from(document.querySelectorAll(sel))"
                               ".map((e) => e.textContent); return wants.every((w) => t.some((n) => n.includes(w))); }",
                               arg=[SECTION_TITLES, wants], timeout=timeout_ms)
    finally:
        titles = [t.strip() for t in page.locator(SECTION_TITLES).all_inner_texts()]
    return titles


# pairs of tick labels of one axis whose boxes overlap, in the panel's charts
TICK_OVERLAPS_JS = """() => {
  const bad = [];
  for (const ax of document.querySelectorAll('.nbm-panel g.axis')) {
    const r = [...ax.querySelectorAll('.tick text')].map(t => t.getBoundingClientRect()).filter(b => b.width > 0);
    for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {
      const a = r[i], b = r[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) bad.push([i, j]);
    }
  }
  return bad;
}"""


# The panel's 'loss' figure (an expression), and what it draws: its shown lines and filled areas (a group's
# band is 3 lines over 1 area) and the most points of one line. Shared by the group band tests.
LOSS_FIGURE_JS = ("Array.from(document.querySelectorAll('.nbm-panel .bqplot.figure'))"
                  ".find(f => (f.querySelector('.mainheading') || {}).textContent === 'loss')")
BAND_STATE_JS = f"""() => {{
  const f = {LOSS_FIGURE_JS};
  if (!f) return null;
  const shown = (p) => (p.getAttribute('d') || '').length > 10 && getComputedStyle(p).visibility !== 'hidden'
      && p.getClientRects().length > 0;
  const lines = Array.from(f.querySelectorAll('path.line')).filter(shown);
  const areas = Array.from(f.querySelectorAll('path.area')).filter(shown);
  const points = Math.max(0, ...lines.map(p => (p.getAttribute('d') || '').split(/[ML]/).length - 1));
  return {{lines: lines.length, areas: areas.length, points}};
}}"""
