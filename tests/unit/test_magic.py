"""`%load_ext nbmonitor` and `%monitor`, through IPython's own shell (no notebook, no browser)."""

from __future__ import annotations

import os
import time

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import nbmonitor as nbm
from nbmonitor import api, magic
from nbmonitor.sources import LiveSource
from nbmonitor.store.sqlite import DB_NAME


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "nbmonitor")
    return shell


@pytest.fixture
def panels(monkeypatch):
    """Record what %monitor would show instead of building widgets."""
    made = []

    def fake_panel(source, **options):
        made.append((source, options))
        return _FakePanel(len(source.list_runs(options["project"])))

    monkeypatch.setattr(magic, "_panel", fake_panel)
    monkeypatch.setattr(api, "_last_project", None)
    return made


class _FakePanel:
    def __init__(self, n):
        self.n = n

    def __repr__(self):
        return f"<panel of {self.n} runs>"


def _runs(root, project="proj", names=("a", "b"), n=5):
    for name in names:
        run = nbm.init(project=project, name=name, dir=root, display=False)
        for i in range(n):
            run.log({"loss": 1.0 / (i + 1), "val/acc": i / n})
        run.finish(quiet=True)


def _tb_logdir(path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    for name in ("ex1", "ex2", "other"):
        w = SummaryWriter(str(path / name))
        for i in range(7):
            w.add_scalar("Loss/train", torch.tensor(1.0 / (i + 1)), i)
        w.add_scalar("Loss/val", 0.5, 6)
        w.close()
    return path


def _magic_error(ip, line) -> str:
    with pytest.raises(UsageError) as err:
        ip.run_line_magic("monitor", line)
    msg = str(err.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def test_load_ext_registers_and_reload_ext_works(ip):
    assert "monitor" in ip.magics_manager.magics["line"]
    ip.run_line_magic("reload_ext", "nbmonitor")
    assert ip.magics_manager.magics["line"]["monitor"].__module__ == "nbmonitor.magic"
    assert "nbmonitor.magic" in __import__("sys").modules


def test_help_prints_usage(ip, capsys, panels):
    assert ip.run_line_magic("monitor", "--help") is None
    out = capsys.readouterr().out
    for option in ("--logdir", "--runs", "--keys", "--smoothing", "--height", "--project", "list"):
        assert option in out
    assert out.startswith("usage: %monitor") and "examples:" in out
    assert panels == []


@pytest.mark.parametrize("line, words", [
    ("--bogus", "unrecognized arguments: --bogus"),
    ("--smoothing abc", "invalid float value"),
    ("--smoothing 1.5", "--smoothing must be in [0, 1)"),
    ("--height -3", "--height must be a positive"),
    ("--height", "expected one argument"),
    ("frobnicate", "unknown action 'frobnicate'"),
    ("--runs 'ex*", "No closing quotation"),
])
def test_bad_arguments_are_one_line_usage_errors(ip, panels, line, words):
    assert words in _magic_error(ip, line)
    assert panels == []


def test_missing_folder_file_and_empty_folder(ip, panels, tmp_path):
    assert _magic_error(ip, f"--logdir {tmp_path / 'nope'}") == f"%monitor: no such folder: {tmp_path / 'nope'}"
    (tmp_path / "file.txt").write_text("x")
    assert "not a folder" in _magic_error(ip, f"--logdir {tmp_path / 'file.txt'}")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "notes.txt").write_text("x")
    msg = _magic_error(ip, f"--logdir {tmp_path / 'empty'}")
    assert msg.startswith("%monitor: nothing readable in") and "tfevents" in msg
    assert not (tmp_path / "empty" / DB_NAME).exists()  # looking never creates a store


def test_no_runs_yet(ip, panels, tmp_path, monkeypatch):
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "fresh"))
    assert "no runs yet" in _magic_error(ip, "")
    assert not (tmp_path / "fresh").exists()


def test_monitor_shows_the_current_project(ip, panels, tmp_path, monkeypatch):
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "root"))
    _runs(tmp_path / "root", project="older")
    _runs(tmp_path / "root", project="newer", names=("c",))
    api._last_project = None
    with capture_output() as cap:
        assert ip.run_line_magic("monitor", "") is None
    (source, options), = panels
    assert isinstance(source, LiveSource)
    assert options == {"project": "newer", "runs": None, "keys": None, "smoothing": 0.0, "height": None,
                       "static_when_idle": True}
    assert cap.outputs[0].data["text/plain"] == "<panel of 1 runs>"

    run = nbm.init(project="live", name="now", dir=tmp_path / "elsewhere", display=False)
    ip.run_line_magic("monitor", "--runs 'n*' --keys 'train/*' --smoothing 0.6 --height 600")
    source, options = panels[-1]
    assert source.store is run._store
    assert options == {"project": "live", "runs": "n*", "keys": "train/*", "smoothing": 0.6, "height": 600,
                       "static_when_idle": True}
    ip.run_line_magic("monitor", "-p older")
    assert panels[-1][1]["project"] == "older"  # the same store as the current run
    ip.run_line_magic("monitor", "-p older --max-runs 50")  # read and draw up to 50 runs
    assert panels[-1][1]["max_runs"] == 50 and panels[-1][1]["shown_runs"] == 50
    assert "--max-runs must be a positive number" in _magic_error(ip, "--max-runs 0")
    assert "no project 'missing'" in _magic_error(ip, "--project missing")
    run.finish(quiet=True)


def test_monitor_returns_nothing_to_out(ip, panels, tmp_path):
    _runs(tmp_path, names=("a",))
    n_out = len(ip.user_ns["Out"])
    with capture_output():
        result = ip.run_cell(f"%monitor --logdir {tmp_path}", store_history=True)
    assert result.success and result.result is None
    assert len(ip.user_ns["Out"]) == n_out


def test_logdir_of_a_store_at_any_depth(ip, panels, tmp_path):
    _runs(tmp_path / "deep" / "down" / "root")
    ip.run_line_magic("monitor", f"--logdir {tmp_path}")
    source, options = panels[-1]
    assert isinstance(source, LiveSource) and options["project"] is None
    assert [r.name for r in source.list_runs()] == ["a", "b"]


def test_logdir_of_tensorboard_files(ip, panels, tmp_path):
    from nbmonitor.tensorboard.source import TensorBoardSource

    logs = _tb_logdir(tmp_path / "logs")
    ip.run_line_magic("monitor", f"--logdir {logs} --runs 'ex*' --keys 'Loss/*' --smoothing 0.6 --height 600")
    source, options = panels[-1]
    assert isinstance(source, TensorBoardSource)
    assert options == {"project": None, "runs": "ex*", "keys": "Loss/*", "smoothing": 0.6, "height": 600,
                       "static_when_idle": True}


def test_logdir_with_both_kinds(ip, panels, tmp_path):
    _tb_logdir(tmp_path / "tb")
    _runs(tmp_path / "nbm")
    with capture_output() as cap:
        ip.run_line_magic("monitor", f"list --logdir {tmp_path}")
    text = cap.outputs[0].data["text/plain"]
    assert [line.split()[1] for line in text.splitlines()[2:]] == ["a", "b", "tb/ex1", "tb/ex2", "tb/other"]
    ip.run_line_magic("monitor", f"--logdir {tmp_path}")
    source = panels[-1][0]
    runs = source.list_runs()
    assert len(runs) == 5
    tb = [r for r in runs if r.name == "tb/ex1"][0]
    assert source.keys(tb.id) == {"Loss/train": 7, "Loss/val": 1}
    nb = [r for r in runs if r.name == "a"][0]
    assert len(source.read_series(nb.id)["loss"]) == 5


def test_list_table_plain_and_html(ip, panels, tmp_path):
    _runs(tmp_path, project="proj", names=("a", "<b>&b"))
    with capture_output() as cap:
        assert ip.run_line_magic("monitor", f"list --logdir {tmp_path}") is None
    (out,) = cap.outputs
    assert out.data["text/plain"] == "\n".join([
        f"2 runs in {tmp_path}",
        "name   state     steps  keys",
        "a      finished      5  loss, val/acc",
        "<b>&b  finished      5  loss, val/acc",
    ])
    html = out.data["text/html"]
    assert "&lt;b&gt;&amp;b" in html and "<b>&b" not in html
    assert html.startswith('<table class="nbm-run-list">')
    with capture_output() as cap:
        ip.run_line_magic("monitor", f"list --logdir {tmp_path} --runs 'a*'")
    assert cap.outputs[0].data["text/plain"].splitlines()[0] == f"1 run in {tmp_path} matching 'a*'"
    assert panels == []


def test_list_of_tensorboard_runs_shows_state_steps_keys(ip, panels, tmp_path):
    logs = _tb_logdir(tmp_path / "logs")
    with capture_output() as cap:
        ip.run_line_magic("monitor", f"list --logdir {logs}")
    assert cap.outputs[0].data["text/plain"] == "\n".join([
        f"3 runs in {logs}",
        "name   state   steps  keys",
        "ex1    active      7  Loss/train, Loss/val",  # a logdir's run: its files just grew
        "ex2    active      7  Loss/train, Loss/val",
        "other  active      7  Loss/train, Loss/val",
    ])


def test_list_shows_a_dead_writer_as_crashed(ip, panels, tmp_path):
    run = nbm.init(project="p", name="ghost", dir=tmp_path, display=False)
    run.log({"x": 1.0})
    run._flush()
    from nbmonitor.tracking import flusher as _writer

    _writer.unregister(run)  # as if another process had written it ...
    run._store.update_run(run.id, pid=2**22 + 12345, heartbeat=time.time())  # ... and died
    with capture_output() as cap:
        ip.run_line_magic("monitor", f"list --logdir {tmp_path}")
    assert "ghost  crashed" in cap.outputs[0].data["text/plain"]
    run._finished = True
    from nbmonitor.tracking import current

    current.set(None)


def test_keys_column_is_shortened_deterministically():
    keys = {f"group/metric_{i:02d}": 1 for i in range(20)}
    text = magic._keys_text(keys)
    assert text.startswith("group/metric_00, group/metric_01") and text.endswith("(+18)")
    assert magic._keys_text({}) == ""
    assert len(text) <= 60


def test_kernel_restart_rebuilds_from_disk(ip, panels, tmp_path):
    """A fresh process (a restarted kernel) sees the same runs and all their points."""
    import subprocess
    import sys
    import textwrap

    _runs(tmp_path, names=("a",), n=50)
    code = textwrap.dedent(f"""
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.utils.capture import capture_output
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "nbmonitor")
        with capture_output() as cap:
            ip.run_line_magic("monitor", "list --logdir {tmp_path}")
        print(cap.outputs[0].data["text/plain"])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1].split() == ["a", "finished", "50", "loss,", "val/acc"]


def test_the_real_panel_over_tensorboard_files(ip, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    from nbmonitor.ui.panel import Panel

    monkeypatch.setattr(magic, "_panels", {})
    logs = _tb_logdir(tmp_path / "logs")
    with capture_output() as cap:
        assert ip.run_line_magic("monitor", f"--logdir {logs} --keys 'Loss/*' --height 500") is None
    out = cap.outputs[0]  # the panel; a second output is its live static copy while TensorBoard runs go on
    assert {"application/vnd.jupyter.widget-view+json", "text/plain"} <= set(out.data)
    (panel,) = magic._panels.values()
    assert isinstance(panel, Panel) and panel.publisher.running
    with capture_output():
        ip.run_line_magic("monitor", f"--logdir {logs} --keys 'Loss/*' --height 500")  # the cell again
    assert not panel.publisher.running  # the first one stopped
    (again,) = magic._panels.values()
    assert again is not panel
    assert sorted(tr.record.name for tr in again.publisher.runs.values()) == ["ex1", "ex2", "other"]
    assert again.publisher.runs[again.publisher.focus].series["Loss/train"].cursor == 7
    again.close()
    with capture_output():
        ip.run_line_magic("monitor", f"--logdir {logs} --runs 'ex*'")
    (globbed,) = [p for line, p in magic._panels.items() if "ex*" in line]
    assert sorted(tr.record.name for tr in globbed.publisher.runs.values()) == ["ex1", "ex2"]
    globbed.close()


def test_a_mixed_folder_reads_the_same_through_runs_get_run_and_monitor(ip, panels, tmp_path):
    """One resolver: a folder holding an nbmonitor root and TensorBoard runs gives the same runs
    to nbm.runs(dir=), nbm.get_run(..., dir=) and %monitor --logdir (the issue's "three paths")."""
    mixed = tmp_path / "mixed"
    _tb_logdir(mixed / "tb")
    run = nbm.init(project="ours", name="mine", dir=mixed / "nbmonitor-runs", display=False)
    for i in range(5):
        run.log({"loss": 1.0 / (i + 1)})
    nbm.finish(quiet=True)

    frame_names = sorted(nbm.runs(dir=mixed)["name"])
    assert frame_names == ["mine", "tb/ex1", "tb/ex2", "tb/other"]  # TensorBoard names runs by folder
    with capture_output() as cap:
        ip.run_line_magic("monitor", f"list --logdir {mixed}")
    table = cap.outputs[0].data["text/plain"].splitlines()
    assert table[0] == f"4 runs in {mixed}"
    listed = sorted(line.split()[1] for line in table[2:])  # project, name, state, steps, keys
    assert listed == frame_names
    for name in frame_names:
        view = nbm.get_run(name, dir=mixed)
        assert view.name == name
    assert nbm.get_run("mine", dir=mixed).history()["loss"].tolist()[-1] == pytest.approx(0.2)
    assert nbm.get_run("tb/ex1", dir=mixed).history()["Loss/train"].tolist()[0] == pytest.approx(1.0)


def test_monitor_of_finished_runs_becomes_static_when_its_cell_ends(ip, tmp_path, monkeypatch):
    """A view with no run of its own: when its cell ends and nothing runs, its output is the static view
    (no widget mime: a saved notebook reopened without a kernel shows no "model not found")."""
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(magic, "_panels", {})
    _runs(tmp_path, names=("a", "b"), n=5)
    with capture_output() as cap:
        ip.run_cell(f"%monitor --logdir {tmp_path}")  # a real cell: post_run_cell fires
    (panel,) = magic._panels.values()
    try:
        assert panel.ended and panel.publisher.running  # static, still watching for a run going on
        first, last = cap.outputs[0], cap.outputs[-2]  # the panel's, made static; then its live copy emptied
        assert cap.outputs[-1].data == {"text/plain": ""}
        assert "application/vnd.jupyter.widget-view+json" in first.data
        assert set(last.data) == {"text/plain", "text/html"} and "nbm-panel-static" in last.data["text/html"]
        assert "nbmonitor panel: proj/b · finished" in last.data["text/plain"]
    finally:
        panel.close()


def test_monitor_live_stays_interactive_after_its_cell_ends(ip, tmp_path, monkeypatch):
    """`--live`: the same finished runs, but the panel stays a widget when its cell ends (zoom and hover on
    finished runs); the static copy is shown below it, live, for a notebook reopened without the kernel."""
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(magic, "_panels", {})
    _runs(tmp_path, names=("a", "b"), n=5)
    with capture_output() as cap:
        ip.run_cell(f"%monitor --logdir {tmp_path} --live")
    (panel,) = magic._panels.values()
    try:
        assert not panel.ended and panel.publisher.running
        first, *rest = cap.outputs
        assert "application/vnd.jupyter.widget-view+json" in first.data  # the widget, not replaced
        assert rest and all(set(o.data) == {"text/html"} for o in rest), [o.data for o in rest]
        copy = rest[-1].data["text/html"]
        assert "nbm-live-fallback" in copy and "proj/b · finished" in copy, copy  # the static copy, kept
    finally:
        panel.close()
