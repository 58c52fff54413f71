"""The W&B-compatibility probe: the distinct `wandb.*` / `run.*` calls of W&B's public example notebooks.

Reconstructed from W&B's `examples` repository (`colabs/`): intro (Intro_to_Weights_&_Biases), PyTorch
(Simple_PyTorch_Integration), tables (W&B_Tables_Quickstart), alerts (Set_Alerts_with_W_&_B), define_metric
(Customize_metric_logging_with_define_metric), media (Log_(Almost)_Anything_with_W&B_Media), plots
(Log_a_Confusion_Matrix, Plot_PR/ROC_Curves, the Custom Charts guide), artifacts (Artifact_Basics), configs
(Configs_in_W&B), code (Saving_Code_with_W&B), plus the init/run/Api calls of W&B's reference docs.

Each probe runs one call the way the notebook does, offline, with `import nbmonitor as wandb`, and asserts
what W&B documents for it (return value, side effect, error). A probe that fails is a call that does not
behave as W&B: `KNOWN` says whether it is "different" or "missing" and why, and the test marks it xfail
(strict, so a fixed call shows up). `python tests/wandb_compat/probe_table.py` prints the table.

Facts only come from W&B's documentation and public behaviour; no W&B code is used.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import nbmonitor as wandb


@dataclasses.dataclass
class Probe:
    call: str
    source: str
    fn: Callable[[], None]


PROBES: list[Probe] = []

# call -> (status, why) for the calls that do not behave as W&B (the test xfails them, strictly)
KNOWN: dict[str, tuple[str, str]] = {
    "wandb.log(matplotlib figure)": ("different", "a PNG image; W&B converts it to a Plotly chart, or raises "
                                                  "asking for plotly or wandb.Image(plt) when plotly is missing"),
    "wandb.sweep(config) / wandb.agent(id, fn)": ("different", "CloudOnlyError naming the local alternative; "
                                                                "sweeps need W&B's server (a later issue)"),
}


# call -> what to know about a call that behaves as W&B (shown in the table's "why" column)
NOTES: dict[str, str] = {
    "wandb.login()": "returns True with no prompt and no account (W&B offline would warn it cannot verify)",
    "wandb.log(nested dict)": "flattened to 'train.loss' keys (W&B keeps the dict in history, shows 'train.loss')",
    "wandb.log(numpy array) -> histogram": "also for <= 32 values (W&B keeps a short list)",
    "wandb.Object3D(open('x.obj'))": "recorded with its file; the panel draws an .obj's vertices from above "
                                      "(no 3D viewer; gltf/glb/stl not drawn)",
    "wandb.Object3D(numpy points)": "recorded as W&B's pts.json; the panel draws it from above (no 3D viewer)",
    "wandb.Object3D({'type': 'lidar/beta', ...})": "recorded as W&B's pts.json; the panel draws points and boxes "
                                                    "from above (no 3D viewer)",
    "wandb.Molecule(path)": "recorded with its file; the panel names format and atom count (no molecule viewer)",
    "wandb.Plotly(fig)": "the figure's JSON is recorded; the panel draws its x/y traces (not plotly itself)",
    "wandb.plot_table(vega_spec_name, data_table, fields)": "the table is kept and drawn as a line chart; "
                                                             "the Vega spec itself is not used",
    "run.url": "a file:// URL of the run's folder",
    "wandb.Image(masks=, classes=)": "masks drawn into the shown image; no per-class toggles",
    "api_run.config[k] = v; api_run.update()": "also name/notes/tags/summary",
    "wandb.link_model(...) (registry)": "CloudOnlyError (a wandb.Error) naming log_model/use_model",
    "from wandb.keras import WandbCallback": "needs a working Keras, as W&B's does",
}


def probe(call: str, source: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def deco(fn: Callable[[], None]) -> Callable[[], None]:
        PROBES.append(Probe(call, source, fn))
        return fn

    return deco


# -- helpers ---------------------------------------------------------------------------------
def _events(run, kind: str | None = None, key: str | None = None) -> list:
    return [e for e in run.store.read_events(run.id)
            if (kind is None or e.kind == kind) and (key is None or e.key == key)]


def _history(run):
    return wandb.Api().run(f"{run.project}/{run.id}").history()


@contextlib.contextmanager
def in_notebook() -> Iterator[None]:
    """What a Jupyter kernel looks like to nbmonitor (the probe's calls are notebook calls)."""
    from nbmonitor import _env

    old = _env.in_notebook
    _env.in_notebook = lambda: True  # type: ignore[assignment]
    try:
        yield
    finally:
        _env.in_notebook = old  # type: ignore[assignment]


def _file(name: str = "data.csv", text: str = "a,b\n1,2\n") -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text)
    return name


def _model():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))


# -- setup and login (every notebook) --------------------------------------------------------
@probe("wandb.login()", "intro")
def _login():
    assert wandb.login() is True


@probe("wandb.login(key=, relogin=)", "docs")
def _login_key():
    assert wandb.login(key="0" * 40, relogin=True) is True


@probe("wandb.require('core')", "intro")
def _require():
    assert wandb.require("core") is None


@probe("wandb.setup()", "docs")
def _setup():
    wandb.setup()
    run = wandb.init(project="p")
    assert wandb.run is run


@probe("wandb.run is None before init()", "configs")
def _run_none():
    assert wandb.run is None


# -- init ---------------------------------------------------------------------------------
@probe("wandb.init(project=, name=, config=)", "intro")
def _init_basic():
    run = wandb.init(project="basic-intro", name="experiment_0", config={"learning_rate": 0.02, "epochs": 10})
    assert wandb.run is run and run.project == "basic-intro" and run.name == "experiment_0"
    assert wandb.config.learning_rate == 0.02 and run.config["epochs"] == 10


@probe("wandb.init(notes=, tags=)", "define_metric")
def _init_notes_tags():
    run = wandb.init(project="p", notes="custom step", tags=["a", "b"])
    assert run.notes == "custom step" and tuple(run.tags) == ("a", "b")


@probe("wandb.init(entity=, group=, job_type=)", "docs")
def _init_group():
    run = wandb.init(project="p", entity="me", group="g", job_type="train")
    assert (run.entity, run.group, run.job_type) == ("me", "g", "train")


@probe("wandb.init(config=argparse.Namespace)", "configs")
def _init_namespace():
    args = argparse.Namespace(batch_per_gpu=8, weight_decay=0.1)
    wandb.init(project="p", config=args)
    assert dict(wandb.config) == {"batch_per_gpu": 8, "weight_decay": 0.1}


@probe("wandb.init(mode='disabled')", "docs")
def _init_disabled():
    run = wandb.init(mode="disabled")
    run.log({"a": 1.0})
    wandb.log({"a": 2.0})
    run.finish()


@probe("wandb.init(mode='offline')", "docs")
def _init_offline():
    run = wandb.init(project="p", mode="offline")
    run.log({"a": 1.0})
    run.finish()
    # W&B offline keeps the run for `wandb sync` (run.settings.mode == "offline", a sync folder)
    assert getattr(run, "offline", None) is True


@probe("wandb.init(reinit=True) / a second init() finishes the first", "intro")
def _init_reinit():
    first = wandb.init(project="p")
    second = wandb.init(project="p", reinit=True)
    assert second is not first and wandb.run is second and first.state == "finished"


@probe("wandb.init(id=, resume='allow')", "docs")
def _init_resume():
    run = wandb.init(project="p", id="abc123")
    run.log({"a": 1.0})
    run.finish()
    again = wandb.init(project="p", id="abc123", resume="allow")
    assert again.id == "abc123" and again.step >= 1


@probe("wandb.init(dir=)", "docs")
def _init_dir():
    run = wandb.init(project="p", dir="elsewhere")
    run.finish()
    assert Path("elsewhere").is_dir() and any(Path("elsewhere").iterdir())


@probe("wandb.init(settings=wandb.Settings(...))", "docs")
def _init_settings():
    run = wandb.init(project="p", settings=wandb.Settings(silent=True))
    assert wandb.run is run


@probe("wandb.init(save_code=True)", "code")
def _init_save_code():
    run = wandb.init(project="p", save_code=True)
    assert wandb.run is run


@probe("wandb.init(sync_tensorboard=True)", "docs")
def _init_sync_tb():
    from torch.utils.tensorboard import SummaryWriter

    run = wandb.init(project="p", sync_tensorboard=True)
    w = SummaryWriter("tb")
    w.add_scalar("loss", 0.5, 0)
    w.close()
    run.finish()
    assert "loss" in _history(run).columns


@probe("wandb.init(unknown keyword) raises TypeError", "docs")
def _init_unknown():
    with pytest.raises(TypeError):
        wandb.init(project="p", not_a_wandb_keyword=1)


@probe("with wandb.init(...) as run:", "pytorch")
def _init_context():
    with wandb.init(project="pytorch-demo", config={"epochs": 5}) as run:
        wandb.log({"loss": 0.5})
    assert wandb.run is None and run.state == "finished"


# -- config --------------------------------------------------------------------------------
@probe("wandb.config.key (attribute read)", "pytorch")
def _config_attr():
    wandb.init(project="p", config={"batch_size": 128, "kernels": [16, 32]})
    assert wandb.config.batch_size == 128 and wandb.config.kernels == [16, 32]


@probe("wandb.config.key = value", "configs")
def _config_setattr():
    wandb.init(project="p")
    wandb.config.epochs = 4
    assert wandb.config["epochs"] == 4


@probe("wandb.config['key'] = value", "configs")
def _config_setitem():
    wandb.init(project="p")
    wandb.config["batch_size"] = 32
    assert wandb.config.batch_size == 32


@probe("wandb.config.update(dict)", "tables")
def _config_update():
    wandb.init(project="table-quickstart")
    wandb.config.update({"epochs": 1, "batch_size": 32, "lr": 0.001})
    assert wandb.config.lr == 0.001 and len(wandb.config.keys()) == 3


@probe("wandb.config.update(argparse.Namespace)", "configs")
def _config_update_ns():
    wandb.init(project="p")
    wandb.config.update(argparse.Namespace(batch_per_gpu=8))
    assert wandb.config.batch_per_gpu == 8


@probe("wandb.config.update(d, allow_val_change=True)", "docs")
def _config_allow():
    wandb.init(project="p", config={"lr": 0.1})
    wandb.config.update({"lr": 0.2}, allow_val_change=True)
    assert wandb.config.lr == 0.2 and "allow_val_change" not in wandb.config


@probe("changing a config value in a notebook", "configs")
def _config_change_notebook():
    with in_notebook():  # W&B lets a Jupyter kernel change config values freely by default
        wandb.init(project="p", config={"lr": 0.1})
        wandb.config.lr = 0.3
        assert wandb.config.lr == 0.3


@probe("changing a config value in a script raises", "docs")
def _config_change_script():
    wandb.init(project="p", config={"lr": 0.1})
    with pytest.raises(ValueError):  # W&B: config_util.ConfigError, "Attempted to change value of key"
        wandb.config.lr = 0.3


@probe("wandb.config.setdefaults(d)", "docs")
def _config_setdefaults():
    wandb.init(project="p", config={"lr": 0.1})
    wandb.config.setdefaults({"lr": 0.5, "epochs": 3})
    assert dict(wandb.config) == {"lr": 0.1, "epochs": 3}


@probe("wandb.config.get/keys/items/as_dict", "docs")
def _config_dict():
    wandb.init(project="p", config={"lr": 0.1})
    c = wandb.config
    assert c.get("lr") == 0.1 and c.get("x", 7) == 7 and list(c.keys()) == ["lr"]
    assert dict(c.items()) == {"lr": 0.1} and c.as_dict() == {"lr": 0.1} and "lr" in c


@probe("wandb.config rejects media values", "docs")
def _config_media():
    wandb.init(project="p")
    with pytest.raises(ValueError):  # W&B: "WBValue objects cannot be added to the run config"
        wandb.config.update({"img": wandb.Image(np.zeros((4, 4)))})


# -- log -----------------------------------------------------------------------------------
@probe("wandb.log(dict) advances the step", "intro")
def _log_step():
    run = wandb.init(project="p")
    for epoch in range(2, 5):
        wandb.log({"acc": 1 - 2 ** -epoch, "loss": 2 ** -epoch})
    assert run.step == 3
    run.finish()
    assert list(_history(run)["_step"]) == [0, 1, 2]


@probe("wandb.log(d, commit=False)", "intro")
def _log_commit_false():
    run = wandb.init(project="p")
    wandb.log({"table_key": 1.0}, commit=False)
    wandb.log({"loss": 0.5})
    assert run.step == 1
    run.finish()
    h = _history(run)
    assert len(h) == 1 and h["table_key"][0] == 1.0 and h["loss"][0] == 0.5


@probe("wandb.log(d, step=n)", "pytorch")
def _log_step_arg():
    run = wandb.init(project="p")
    wandb.log({"epoch": 0, "loss": 0.5}, step=128)
    wandb.log({"epoch": 0, "loss": 0.4}, step=256)
    run.finish()
    assert list(_history(run)["_step"]) == [128, 256]


@probe("wandb.log(step= lower than the current step) is ignored", "docs")
def _log_step_back():
    run = wandb.init(project="p")
    wandb.log({"x": 1.0}, step=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wandb.log({"x": 2.0}, step=5)  # W&B warns and drops it: steps only go forward
    run.finish()
    h = _history(run)
    assert list(h["_step"]) == [10] and list(h["x"]) == [1.0]


@probe("wandb.log(torch scalar tensor)", "tables")
def _log_tensor():
    import torch

    run = wandb.init(project="p")
    wandb.log({"loss": torch.tensor(0.25)})
    assert run.summary["loss"] == 0.25


@probe("wandb.log(numpy scalar)", "docs")
def _log_np_scalar():
    run = wandb.init(project="p")
    wandb.log({"acc": np.float32(0.5), "n": np.int64(3)})
    assert run.summary["acc"] == 0.5 and run.summary["n"] == 3


@probe("wandb.log(nested dict)", "docs")
def _log_nested():
    run = wandb.init(project="p")
    wandb.log({"train": {"loss": 0.5, "acc": 0.9}})
    run.finish()
    assert {"train.loss", "train.acc"} <= set(_history(run).columns)  # the names W&B shows


@probe("wandb.log(str)", "docs")
def _log_str():
    run = wandb.init(project="p")
    wandb.log({"note": "hello"})
    assert run.summary["note"] == "hello"


@probe("wandb.log(None value) is skipped", "docs")
def _log_none():
    run = wandb.init(project="p")
    wandb.log({"a": None, "b": 1.0})
    assert "a" not in run.summary and run.summary["b"] == 1.0


@probe("wandb.log(numpy array) -> histogram", "docs")
def _log_array():
    run = wandb.init(project="p")
    wandb.log({"weights": np.random.default_rng(0).normal(size=1000)})
    run.finish()
    assert _events(run, "histogram", "weights")


@probe("wandb.log(matplotlib figure)", "media")
def _log_fig():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = wandb.init(project="visualize-predictions", name="plots")
    fig, ax = plt.subplots()
    ax.plot([0, 1, 1, 2, 3, 5, 8])
    wandb.log({"plot": fig})
    plt.close(fig)
    run.finish()
    assert _events(run, "plotly", "plot")  # W&B: a Plotly chart


@probe("wandb.log(pandas DataFrame) -> Table", "docs")
def _log_df():
    import pandas as pd

    run = wandb.init(project="p")
    wandb.log({"df": pd.DataFrame({"a": [1, 2], "b": [3, 4]})})
    run.finish()
    assert _events(run, "table", "df")


@probe("wandb.log() before init() raises wandb.Error", "docs")
def _log_no_run():
    with pytest.raises(wandb.Error):
        wandb.log({"a": 1.0})


# -- summary / finish / run attributes ---------------------------------------------------------
@probe("wandb.summary['key'] = value", "intro")
def _summary_set():
    run = wandb.init(project="p")
    wandb.summary["test_accuracy"] = 0.8
    run.finish()
    assert wandb.Api().run(f"p/{run.id}").summary["test_accuracy"] == 0.8


@probe("run.summary.update(d)", "docs")
def _summary_update():
    run = wandb.init(project="p")
    run.summary.update({"best": 0.9})
    assert run.summary["best"] == 0.9


@probe("run.summary holds the last logged value", "docs")
def _summary_last():
    run = wandb.init(project="p")
    for v in (3.0, 1.0, 2.0):
        wandb.log({"loss": v})
    assert run.summary["loss"] == 2.0


@probe("wandb.finish()", "intro")
def _finish():
    run = wandb.init(project="p")
    wandb.finish()
    assert wandb.run is None and run.state == "finished"


@probe("wandb.finish(exit_code=1) marks the run failed", "docs")
def _finish_failed():
    run = wandb.init(project="p")
    wandb.finish(exit_code=1)
    assert run.state == "failed"


@probe("wandb.run.finish()", "plots")
def _run_finish():
    wandb.init(project="p")
    wandb.run.finish()
    assert wandb.run is None


@probe("run.log()", "artifacts")
def _run_log():
    run = wandb.init(project="p")
    run.log({"a": 1.0})
    assert run.summary["a"] == 1.0


@probe("run.id / run.name / run.project", "configs")
def _run_ids():
    wandb.init(project="config_example", name="n", id="xyz789")
    assert (wandb.run.id, wandb.run.name, wandb.run.project) == ("xyz789", "n", "config_example")


@probe("run.entity", "configs")
def _run_entity():
    run = wandb.init(project="p")
    assert isinstance(run.entity, str) and run.entity


@probe("run.path", "docs")
def _run_path():
    run = wandb.init(project="p", entity="me", id="id1")
    assert run.path == "me/p/id1"


@probe("run.url", "docs")
def _run_url():
    run = wandb.init(project="p")
    assert run.url is None or isinstance(run.url, str)  # offline W&B: None


@probe("run.dir", "docs")
def _run_dir():
    run = wandb.init(project="p")
    assert Path(run.dir).is_dir()


@probe("run.name = ... (rename)", "docs")
def _run_rename():
    run = wandb.init(project="p")
    run.name = "renamed"
    assert run.name == "renamed"


@probe("run.tags = ... / run.notes = ...", "docs")
def _run_tags_set():
    run = wandb.init(project="p", tags=["a"])
    run.tags = (*run.tags, "b")
    run.notes = "n"
    assert tuple(run.tags) == ("a", "b") and run.notes == "n"


@probe("run.step", "docs")
def _run_step():
    run = wandb.init(project="p")
    assert run.step == 0
    run.log({"a": 1.0})
    assert run.step == 1


@probe("run.display()", "docs")
def _run_display():
    run = wandb.init(project="p")
    assert run.display() in (True, False, None)


@probe("run.log_code('.')", "code")
def _run_log_code():
    _file("train.py", "print('hi')\n")
    run = wandb.init(project="p")
    art = run.log_code(".")
    assert art is not None and art.type == "code" and list(art.manifest.entries) == ["train.py"]


# -- watch / save / restore --------------------------------------------------------------------
@probe("wandb.watch(model, criterion, log='all', log_freq=)", "pytorch")
def _watch():
    import torch

    model = _model()
    run = wandb.init(project="p")
    wandb.watch(model, torch.nn.CrossEntropyLoss(), log="all", log_freq=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        loss = model(torch.randn(8, 4)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        wandb.log({"loss": loss})
    run.finish()
    keys = {e.key for e in _events(run, "histogram")}
    assert any(k.startswith("gradients/") for k in keys) and any(k.startswith("parameters/") for k in keys)


@probe("wandb.unwatch(model)", "docs")
def _unwatch():
    model = _model()
    wandb.init(project="p")
    wandb.watch(model)
    wandb.unwatch(model)


@probe("wandb.save('model.onnx')", "pytorch")
def _save():
    _file("model.onnx", "onnx")
    run = wandb.init(project="pytorch-demo")
    out = wandb.save("model.onnx")
    assert (Path(run.dir) / "model.onnx").exists()
    assert out is True or (isinstance(out, list) and any(str(p).endswith("model.onnx") for p in out))


@probe("wandb.save(glob, base_path=)", "docs")
def _save_base():
    _file("results/eval/a.txt", "a")
    run = wandb.init(project="p")
    wandb.save("results/eval/*", base_path="results", policy="now")
    assert (Path(run.dir) / "eval" / "a.txt").exists()


@probe("wandb.restore(name)", "docs")
def _restore():
    _file("weights.txt", "w")
    wandb.init(project="p")
    wandb.save("weights.txt")
    f = wandb.restore("weights.txt")
    assert f is not None and Path(f.name).read_text() == "w"


# -- media -------------------------------------------------------------------------------------
@probe("wandb.Image(numpy HxW)", "intro")
def _image_np():
    img = wandb.Image(np.random.default_rng(0).random((28, 28)) * 255)
    assert img.image.size == (28, 28)


@probe("wandb.Image(numpy 1xHxW, channel first)", "tables")
def _image_chw():
    img = wandb.Image(np.random.default_rng(0).random((1, 28, 28)))
    assert img.image.size == (28, 28)


@probe("wandb.Image(torch tensor)", "docs")
def _image_torch():
    import torch

    img = wandb.Image(torch.rand(3, 16, 20))
    assert img.image.size == (20, 16)


@probe("wandb.Image(PIL image)", "docs")
def _image_pil():
    from PIL import Image as PILImage

    img = wandb.Image(PILImage.new("RGB", (12, 10)))
    assert img.image.size == (12, 10)


@probe("wandb.Image(path, caption=)", "media")
def _image_path():
    from PIL import Image as PILImage

    PILImage.new("RGB", (8, 6)).save("cafe.png")
    img = wandb.Image("cafe.png", caption="Cafe")
    assert img.image.size == (8, 6) and img.caption == "Cafe"


@probe("wandb.log({k: [wandb.Image, ...]}) (a gallery)", "media")
def _image_list():
    run = wandb.init(project="p")
    wandb.log({"img": [wandb.Image(np.zeros((4, 4)), caption="Cafe"), wandb.Image(np.ones((4, 4)))]})
    run.finish()
    assert _events(run, key="img")


@probe("wandb.Image(masks=, classes=)", "docs")
def _image_masks():
    mask = np.zeros((8, 8), dtype=np.uint8)
    mask[2:5, 2:5] = 1
    img = wandb.Image(np.zeros((8, 8, 3)), masks={"pred": {"mask_data": mask, "class_labels": {1: "cat"}}},
                      classes=wandb.Classes([{"id": 1, "name": "cat"}]))
    wandb.init(project="p")
    wandb.log({"seg": img})


@probe("wandb.Image(boxes=)", "docs")
def _image_boxes():
    boxes = {"pred": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.5},
                                    "class_id": 1, "box_caption": "cat", "scores": {"p": 0.9}}],
                      "class_labels": {1: "cat"}}}
    wandb.init(project="p")
    wandb.log({"det": wandb.Image(np.zeros((16, 16, 3)), boxes=boxes)})


@probe("wandb.Image(plt) / Image(fig)", "docs")
def _image_plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    img = wandb.Image(fig)
    plt.close(fig)
    assert img.image.size[0] > 0


@probe("wandb.Histogram(sequence)", "media")
def _histogram():
    run = wandb.init(project="visualize-predictions", name="histograms")
    fib = np.array([0, 1, 1, 2, 3, 5, 8, 13, 21, 34])
    for i in range(1, 4):
        wandb.log({"histograms": wandb.Histogram(fib / i)})
    run.finish()
    assert len(_events(run, "histogram", "histograms")) == 3


@probe("wandb.Histogram(np_histogram=)", "docs")
def _histogram_np():
    h = wandb.Histogram(np_histogram=np.histogram(np.arange(10), bins=5))
    assert len(h.histogram) == 5 and len(h.bins) == 6


@probe("wandb.Table(columns=) + add_data", "intro")
def _table_add():
    table = wandb.Table(columns=["image", "pred", "target"])
    table.add_data(wandb.Image(np.zeros((4, 4))), 1, 1)
    assert table.columns == ["image", "pred", "target"] and len(table.data) == 1


@probe("wandb.Table(data=, columns=)", "media")
def _table_data():
    data = [["I love my phone", "1", "1"], ["My phone sucks", "0", "-1"]]
    t = wandb.Table(data=data, columns=["Text", "Predicted Label", "True Label"])
    assert t.data == data


@probe("wandb.log({k: wandb.Table})", "tables")
def _table_log():
    run = wandb.init(project="p")
    t = wandb.Table(columns=["id", "image", "guess"])
    t.add_data("0_0", wandb.Image(np.zeros((1, 8, 8))), 3)
    wandb.log({"test_predictions": t})
    run.finish()
    assert _events(run, "table", "test_predictions")


@probe("wandb.Table(dataframe=) / get_dataframe()", "docs")
def _table_df():
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    t = wandb.Table(dataframe=df)
    assert t.columns == ["a", "b"] and t.get_dataframe().equals(df)


@probe("table.add_column(name, data)", "docs")
def _table_add_column():
    t = wandb.Table(columns=["a"], data=[[1], [2]])
    t.add_column("b", [3, 4])
    assert t.columns == ["a", "b"] and t.data == [[1, 3], [2, 4]]


@probe("wandb.Html(str) / Html(open(file))", "media")
def _html():
    _file("page.html", "<b>hi</b>")
    run = wandb.init(project="p")
    wandb.log({"custom_file": wandb.Html(open("page.html"))})
    wandb.log({"custom_string": wandb.Html('<a href="https://mysite">Link</a>')})
    run.finish()
    assert _events(run, key="custom_file") and _events(run, key="custom_string")


@probe("wandb.Audio(array, sample_rate=, caption=)", "media")
def _audio_array():
    fs = 8000
    xs = np.linspace(0, 0.2, num=int(fs * 0.2))
    run = wandb.init(project="p")
    wandb.log({"examples": [wandb.Audio(np.sin(2 * np.pi * 440 * xs), caption="Boop", sample_rate=fs)]})
    run.finish()
    assert _events(run, key="examples")


@probe("wandb.Audio(path.wav)", "media")
def _audio_path():
    import wave

    with wave.open("piano.wav", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.zeros(800, np.int16).tobytes())
    wandb.init(project="p")
    wandb.log({"examples": [wandb.Audio("piano.wav", caption="Piano", sample_rate=32)]})


@probe("wandb.Video(array, fps=, format='gif')", "docs")
def _video_array():
    frames = (np.random.default_rng(0).random((4, 3, 16, 16)) * 255).astype(np.uint8)
    run = wandb.init(project="p")
    wandb.log({"video": wandb.Video(frames, fps=4, format="gif")})
    run.finish()
    assert _events(run, key="video")


@probe("wandb.Video(path, fps=, format=)", "media")
def _video_path():
    Path("clip.gif").write_bytes(b"GIF89a" + b"\0" * 16)
    wandb.init(project="p")
    wandb.log({"video": wandb.Video("clip.gif", fps=4, format="gif")})


@probe("wandb.Object3D(open('x.obj'))", "media")
def _object3d_file():
    _file("wolf.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    run = wandb.init(project="p")
    wandb.log({"3d_object": wandb.Object3D(open("wolf.obj"))})
    run.finish()
    assert _events(run, key="3d_object")


@probe("wandb.Object3D(numpy points)", "docs")
def _object3d_points():
    run = wandb.init(project="p")
    wandb.log({"cloud": wandb.Object3D(np.random.default_rng(0).uniform(size=(250, 3)))})
    run.finish()
    assert _events(run, key="cloud")


@probe("wandb.Object3D({'type': 'lidar/beta', ...})", "media")
def _object3d_scene():
    pts = np.random.default_rng(0).uniform(size=(50, 3))
    box = {"corners": [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
           "label": "Box", "color": [123, 321, 111]}
    run = wandb.init(project="p")
    wandb.log({"point_scene": wandb.Object3D({"type": "lidar/beta", "points": pts, "boxes": np.array([box]),
                                               "vectors": np.array([])})})
    run.finish()
    assert _events(run, key="point_scene")


@probe("wandb.Molecule(path)", "docs")
def _molecule():
    _file("m.pdb", "ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\n")
    run = wandb.init(project="p")
    wandb.log({"protein": wandb.Molecule("m.pdb")})
    run.finish()
    assert _events(run, key="protein")


@probe("wandb.Plotly(fig)", "docs")
def _plotly():
    run = wandb.init(project="p")
    wandb.log({"chart": wandb.Plotly({"data": [{"x": [1, 2], "y": [3, 4]}]})})
    run.finish()
    assert _events(run, "plotly", "chart")


# -- wandb.plot ------------------------------------------------------------------------------
def _xy_table():
    return wandb.Table(data=[[i, i * i] for i in range(10)], columns=["step", "height"])


def _log_chart(key, chart):
    run = wandb.init(project="custom-charts")
    wandb.log({key: chart})
    run.finish()
    assert _events(run, key=key)


@probe("wandb.plot.line(table, x, y, title=)", "plots")
def _plot_line():
    _log_chart("line", wandb.plot.line(_xy_table(), "step", "height", title="line"))


@probe("wandb.plot.scatter(table, x, y, title=)", "plots")
def _plot_scatter():
    _log_chart("scatter", wandb.plot.scatter(_xy_table(), "step", "height", title="scatter"))


@probe("wandb.plot.bar(table, label, value, title=)", "plots")
def _plot_bar():
    t = wandb.Table(data=[["car", 0.5], ["bus", 0.7]], columns=["class", "acc"])
    _log_chart("bar", wandb.plot.bar(t, "class", "acc", title="bar"))


@probe("wandb.plot.histogram(table, value, title=)", "plots")
def _plot_hist():
    t = wandb.Table(data=[[s] for s in np.random.default_rng(0).normal(size=50)], columns=["scores"])
    _log_chart("hist", wandb.plot.histogram(t, "scores", title="hist"))


@probe("wandb.plot.line_series(xs, ys, keys, title, xname)", "plots")
def _plot_line_series():
    xs = list(range(10))
    _log_chart("series", wandb.plot.line_series(xs, [[x * 2 for x in xs], [x * 3 for x in xs]], keys=["a", "b"],
                                                 title="series", xname="step"))


@probe("wandb.plot.confusion_matrix(probs=None, preds=, y_true=, class_names=)", "plots")
def _plot_cm():
    _log_chart("conf_mat", wandb.plot.confusion_matrix(probs=None, preds=[0, 1, 1, 2], y_true=[0, 1, 2, 2],
                                                       class_names=["a", "b", "c"]))


@probe("wandb.plot.pr_curve(y_true, y_probas, labels)", "plots")
def _plot_pr():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet([1, 1, 1], size=30)
    _log_chart("pr", wandb.plot.pr_curve(rng.integers(0, 3, 30), probs, labels=["a", "b", "c"]))


@probe("wandb.plot.roc_curve(y_true, y_probas, labels)", "plots")
def _plot_roc():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet([1, 1], size=30)
    _log_chart("roc", wandb.plot.roc_curve(rng.integers(0, 2, 30), probs, labels=["neg", "pos"]))


@probe("wandb.plot_table(vega_spec_name, data_table, fields)", "plots")
def _plot_table():
    chart = wandb.plot_table(vega_spec_name="carey/new_chart", data_table=_xy_table(),
                             fields={"x": "step", "value": "height"})
    _log_chart("custom_chart", chart)


# -- define_metric -----------------------------------------------------------------------------
@probe("wandb.define_metric(name)", "define_metric")
def _dm_plain():
    wandb.init(project="define-metric-demo", notes="custom step")
    m = wandb.define_metric("custom_step")
    assert m.name == "custom_step"


@probe("wandb.define_metric(name, step_metric=) is the chart's x-axis", "define_metric")
def _dm_step_metric():
    from nbmonitor.sources import LiveSource
    from nbmonitor.ui.publisher import Publisher

    run = wandb.init(project="define-metric-demo")
    wandb.define_metric("custom_step")
    wandb.define_metric("validation/loss", step_metric="custom_step")
    for i in range(5):
        wandb.log({"train/loss": 1 / (i + 1), "custom_step": i ** 2, "validation/loss": 1 / (i + 1)})
    run.flush()
    pub = Publisher(LiveSource(run.store), "define-metric-demo")
    pub.poll()
    assert pub.runs[run.id].axes.step_metric("validation/loss") == "custom_step"


@probe("wandb.define_metric(name, summary='min'|'max')", "define_metric")
def _dm_summary():
    run = wandb.init(project="define-metric-demo", notes="min of loss, max of acc")
    wandb.define_metric("loss", summary="min")
    wandb.define_metric("acc", summary="max")
    for i in range(5):
        wandb.log({"loss": [0.5, 0.2, 0.4, 0.3, 0.6][i], "acc": [0.1, 0.9, 0.3, 0.2, 0.5][i]})
    wandb.finish()
    assert run.summary["loss"] == {"min": 0.2} and run.summary["acc"] == {"max": 0.9}


@probe("wandb.define_metric('val/*', ...) (glob)", "docs")
def _dm_glob():
    run = wandb.init(project="p")
    wandb.define_metric("val/*", summary="max")
    wandb.log({"val/acc": 0.5})
    wandb.log({"val/acc": 0.3})
    assert run.summary["val/acc"] == {"max": 0.5}


@probe("wandb.define_metric(name, hidden=True)", "docs")
def _dm_hidden():
    from nbmonitor.sources import LiveSource
    from nbmonitor.ui.publisher import Publisher

    run = wandb.init(project="p")
    wandb.define_metric("noise", hidden=True)
    wandb.log({"noise": 1.0, "loss": 0.5})
    run.flush()
    pub = Publisher(LiveSource(run.store), "p")
    upd = pub.poll()
    assert (run.id, "loss") in upd.series and (run.id, "noise") not in upd.series


@probe("wandb.define_metric(name, summary='best', goal=)", "docs")
def _dm_best():
    run = wandb.init(project="p")
    wandb.define_metric("acc", summary="best", goal="maximize")
    for v in (0.1, 0.9, 0.5):
        wandb.log({"acc": v})
    assert run.summary["acc"] == {"best": 0.9}


# -- alerts --------------------------------------------------------------------------------
@probe("wandb.alert(title=, text=)", "intro")
def _alert():
    run = wandb.init(project="pytorch-intro")
    wandb.alert(title="Low Accuracy", text="Accuracy 0.2 at step 3 is below the acceptable theshold, 0.3")
    run.finish()
    assert len(_events(run, "alert")) == 1


@probe("wandb.alert(level=AlertLevel.WARN, wait_duration=)", "alerts")
def _alert_level():
    from nbmonitor import AlertLevel  # `from wandb import AlertLevel`

    run = wandb.init(project="test_alerts", config={"threshold": 0.3, "max_steps": 10})
    for step in range(3):
        wandb.alert(title="Low Accuracy", text=f"Accuracy at step {step}", level=AlertLevel.WARN, wait_duration=5)
    run.finish()
    (a,) = _events(run, "alert")  # repeats within wait_duration are not sent again
    assert a.payload["level"] == "WARN"


# -- artifacts -------------------------------------------------------------------------------
@probe("run.log_artifact(artifact_or_path=, name=, type=)", "artifacts")
def _art_log_path():
    _file("mnist_test.csv")
    run = wandb.init(project="artifact-basics")
    art = run.log_artifact(artifact_or_path="mnist_test.csv", name="my_first_artifact", type="dataset")
    run.finish()
    assert art.name == "my_first_artifact:v0" and art.type == "dataset"


@probe("run.use_artifact(artifact_or_name='name:latest')", "artifacts")
def _art_use():
    _file("mnist_test.csv")
    run = wandb.init(project="artifact-basics")
    run.log_artifact(artifact_or_path="mnist_test.csv", name="my_first_artifact", type="dataset")
    run.finish()
    run = wandb.init(project="artifact-basics")
    art = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    assert art.version == "v0"


@probe("artifact.add_file on a logged artifact raises", "artifacts")
def _art_finalized():
    _file("mnist_test.csv")
    run = wandb.init(project="artifact-basics")
    run.log_artifact(artifact_or_path="mnist_test.csv", name="my_first_artifact", type="dataset")
    art = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    with pytest.raises(AttributeError):  # W&B: ArtifactFinalizedError, an ArtifactStatusError(AttributeError)
        art.add_file(local_path="mnist_test.csv", name="new_file")


@probe("wandb.Artifact(name, type) + add_file/add_dir + log_artifact", "artifacts")
def _art_new():
    _file("sample_data/a.csv")
    _file("sample_data/b.csv")
    run = wandb.init(project="p")
    art = wandb.Artifact("data", type="dataset", description="d", metadata={"n": 2})
    art.add_file(local_path="sample_data/a.csv", name="new_file")
    art.add_dir(local_path="sample_data", name="new_directory")
    run.log_artifact(art, aliases=["best"])
    assert sorted(art.manifest.entries) == ["new_directory/a.csv", "new_directory/b.csv", "new_file"]


@probe("artifact.description = ...; artifact.save()", "artifacts")
def _art_save():
    _file("mnist_test.csv")
    run = wandb.init(project="artifact-basics")
    run.log_artifact(artifact_or_path="mnist_test.csv", name="my_first_artifact", type="dataset")
    art = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    art.description = "This is an edited description."
    art.save()
    again = run.use_artifact("my_first_artifact:latest")
    assert again.description == "This is an edited description."


@probe("artifact.download()", "artifacts")
def _art_download():
    _file("mnist_test.csv", "x,y\n")
    run = wandb.init(project="artifact-basics")
    run.log_artifact(artifact_or_path="mnist_test.csv", name="my_first_artifact", type="dataset")
    datadir = run.use_artifact("my_first_artifact:latest").download()
    assert isinstance(datadir, str) and (Path(datadir) / "mnist_test.csv").read_text() == "x,y\n"


@probe("artifact.new_file(name) / add(obj, name) / get(name)", "docs")
def _art_new_file():
    run = wandb.init(project="p")
    art = wandb.Artifact("tables", type="dataset")
    with art.new_file("notes.txt") as f:
        f.write("hello")
    art.add(wandb.Table(columns=["a"], data=[[1]]), "my_table")
    run.log_artifact(art)
    got = run.use_artifact("tables:latest").get("my_table")
    assert got.columns == ["a"] and got.data == [[1]]


@probe("artifact.add_reference(uri)", "docs")
def _art_ref():
    run = wandb.init(project="p")
    art = wandb.Artifact("refs", type="dataset")
    art.add_reference("s3://bucket/path/data.csv", checksum=False)
    run.log_artifact(art)


@probe("wandb.log_model(path, name, aliases=) / use_model(name)", "intro")
def _log_model():
    _file("my_model.pt", "weights")
    wandb.init(project="pytorch-intro", config={"dropout": 0.2})
    wandb.log_model("./my_model.pt", "my_mnist_model", aliases=[f"epoch-1_dropout-{wandb.config.dropout}"])
    path = wandb.use_model("my_mnist_model:latest")
    assert Path(path).read_text() == "weights" if Path(path).is_file() else \
        (Path(path) / "my_model.pt").read_text() == "weights"


@probe("wandb.log_model(path that is not there) raises ValueError", "intro")
def _log_model_missing():
    wandb.init(project="pytorch-intro")
    with pytest.raises(ValueError):  # W&B: "path must be a file, directory or external reference"
        wandb.log_model("./mnist_model.pt", "my_mnist_model")


@probe("wandb.link_model(...) (registry)", "docs")
def _link_model():
    wandb.init(project="p")
    with pytest.raises(wandb.Error):  # the registry is W&B's server: one clear error
        wandb.run.link_model("m.pt", "registry/model")


# -- public API -------------------------------------------------------------------------------
def _finished_run(project: str = "p"):
    run = wandb.init(project=project, config={"lr": 0.1})
    for i in range(3):
        wandb.log({"loss": 1.0 / (i + 1)})
    run.summary["best"] = 1.0
    run.finish()
    return run


@probe("wandb.Api().runs('project')", "docs")
def _api_runs():
    _finished_run()
    _finished_run()
    assert len(wandb.Api().runs("p")) == 2


@probe("wandb.Api().run('entity/project/id')", "configs")
def _api_run():
    run = _finished_run()
    got = wandb.Api().run(f"{run.entity}/{run.project}/{run.id}")
    assert got.id == run.id and got.config["lr"] == 0.1


@probe("api_run.history()", "docs")
def _api_history():
    run = _finished_run()
    h = wandb.Api().run(f"p/{run.id}").history()
    assert list(h["_step"]) == [0, 1, 2] and h["loss"].iloc[-1] == 1 / 3


@probe("api_run.scan_history()", "docs")
def _api_scan():
    run = _finished_run()
    rows = list(wandb.Api().run(f"p/{run.id}").scan_history())
    assert [r["_step"] for r in rows] == [0, 1, 2]


@probe("api_run.summary / api_run.config", "docs")
def _api_summary():
    run = _finished_run()
    got = wandb.Api().run(f"p/{run.id}")
    assert got.summary["best"] == 1.0 and got.summary["loss"] == 1 / 3 and got.config == {"lr": 0.1}


@probe("api_run.config[k] = v; api_run.update()", "configs")
def _api_update():
    run = _finished_run()
    got = wandb.Api().run(f"{run.entity}/{run.project}/{run.id}")
    got.config["bar"] = 32
    got.update()
    assert wandb.Api().run(f"p/{run.id}").config["bar"] == 32


@probe("api_run.files()", "docs")
def _api_files():
    _file("model.onnx", "m")
    run = wandb.init(project="p")
    wandb.save("model.onnx")
    run.finish()
    assert "model.onnx" in [f.name for f in wandb.Api().run(f"p/{run.id}").files()]


@probe("wandb.Api().artifact('name:v0')", "docs")
def _api_artifact():
    _file("d.csv")
    run = wandb.init(project="p")
    run.log_artifact(artifact_or_path="d.csv", name="ds", type="dataset")
    run.finish()
    assert wandb.Api().artifact("ds:v0").type == "dataset"


# -- the rest of the module's names -------------------------------------------------------------
@probe("wandb.AlertLevel / wandb.Settings / wandb.Error", "alerts")
def _names():
    assert wandb.AlertLevel.WARN.value == "WARN" and issubclass(wandb.Error, Exception)
    assert wandb.Settings(mode="offline").mode == "offline"


@probe("wandb.termlog / termwarn / termerror", "docs")
def _termlog():
    wandb.termlog("hello")
    wandb.termwarn("careful")
    wandb.termerror("oops")


@probe("wandb.Classes([...])", "docs")
def _classes():
    c = wandb.Classes([{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}])
    assert c is not None


@probe("from wandb.keras import WandbCallback", "plots")
def _keras():
    try:
        import keras  # noqa: F401
    except ImportError:  # W&B's wandb.keras needs a working Keras too: the same ImportError
        with pytest.raises(ImportError):
            import nbmonitor.keras  # noqa: F401
        return
    from nbmonitor.keras import WandbCallback

    assert WandbCallback is not None


@probe("wandb.sweep(config) / wandb.agent(id, fn)", "pytorch")
def _sweep():
    sweep_id = wandb.sweep({"method": "random", "parameters": {"lr": {"values": [0.1, 0.01]}}}, project="p")
    wandb.agent(sweep_id, function=lambda: None, count=1)


@probe("wandb.teardown()", "docs")
def _teardown():
    wandb.init(project="p")
    wandb.teardown()
    assert wandb.run is None


def isolated(tmp: Path) -> contextlib.AbstractContextManager:
    """A fresh folder and root for one probe, the display off, and no run left behind."""

    @contextlib.contextmanager
    def cm():
        old_cwd, old_env = os.getcwd(), dict(os.environ)
        os.chdir(tmp)
        os.environ.update(NBMONITOR_DIR=str(tmp / "root"), NBMONITOR_DISPLAY="0")
        for k in ("WANDB_MODE", "WANDB_PROJECT"):
            os.environ.pop(k, None)
        try:
            yield
        finally:
            if wandb.run is not None:
                wandb.finish(quiet=True)
            os.chdir(old_cwd)
            os.environ.clear()
            os.environ.update(old_env)

    return cm()
