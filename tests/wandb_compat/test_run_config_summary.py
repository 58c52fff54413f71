"""Run attributes and methods, config and summary semantics."""

from __future__ import annotations

import pytest

import nbmonitor as wandb


def test_run_url_is_a_file_url():  # offline W&B has no web URL; ours points at the run's folder
    run = wandb.init(project="p")
    assert run.url.startswith("file://") and run.url.endswith(run.id)
    assert run.get_url() == run.url


def test_run_identity_attributes():
    run = wandb.init(project="proj", name="my-run", notes="n", tags=["a"])
    assert (run.project, run.name, run.notes, run.tags) == ("proj", "my-run", "n", ("a",))
    assert run.project_name() == "proj" and run.sweep_id is None and run.offline


def test_run_methods_exist():
    run = wandb.init(project="p")
    for name in ("log", "watch", "unwatch", "alert", "define_metric", "log_artifact", "use_artifact", "save",
                 "finish", "log_model", "use_model", "display", "restore", "mark_preempting"):
        assert callable(getattr(run, name)), name


def test_run_display_outside_a_notebook_is_false():
    run = wandb.init(project="p")
    assert run.display() is False


def test_run_log_method_same_as_module_log():
    run = wandb.init(project="p")
    run.log({"a": 1})
    wandb.log({"a": 2})
    assert run.history()["a"].tolist() == [1.0, 2.0]


def test_step_commit_semantics_kept():  # W&B: commit=False holds the step, step= jumps
    run = wandb.init(project="p")
    wandb.log({"a": 1}, commit=False)
    wandb.log({"b": 2})
    wandb.log({"a": 3}, step=5)
    h = run.history()
    assert h["_step"].tolist() == [0, 5]
    assert run.step == 5  # W&B: an explicit step= does not advance until the next commit


def test_config_attribute_and_item_access():
    wandb.init(project="p", config={"lr": 0.1})
    wandb.config.epochs = 3
    wandb.config["batch"] = 32
    assert wandb.config.lr == 0.1 and wandb.config["epochs"] == 3 and dict(wandb.config)["batch"] == 32


def test_config_update_allow_val_change_is_a_keyword_not_a_key():
    run = wandb.init(project="p", config={"lr": 0.1})
    run.config.update({"lr": 0.2}, allow_val_change=True)
    assert run.config.lr == 0.2 and "allow_val_change" not in run.config


def test_config_change_without_allow_val_change_raises():  # W&B: "Attempted to change value of key"
    run = wandb.init(project="p", config={"lr": 0.1})
    with pytest.raises(wandb.Error, match="allow_val_change"):
        run.config.update({"lr": 0.2})
    with pytest.raises(ValueError, match="lr"):
        run.config.lr = 0.3
    assert run.config.lr == 0.1


def test_config_same_value_again_is_fine():
    run = wandb.init(project="p", config={"lr": 0.1})
    run.config.update({"lr": 0.1})
    run.config.lr = 0.1


def test_init_allow_val_change_allows_changes():
    run = wandb.init(project="p", config={"lr": 0.1}, allow_val_change=True)
    run.config.lr = 0.5
    assert run.config.lr == 0.5


def test_config_setdefaults():
    run = wandb.init(project="p", config={"lr": 0.1})
    run.config.setdefaults({"lr": 9.9, "epochs": 10})
    assert run.config.lr == 0.1 and run.config.epochs == 10


def test_config_keys_items_get():
    run = wandb.init(project="p", config={"a": 1})
    assert list(run.config.keys()) == ["a"] and dict(run.config.items()) == {"a": 1}
    assert run.config.get("missing", 5) == 5


def test_config_is_stored():
    run = wandb.init(project="p", config={"a": 1})
    wandb.finish()
    assert wandb.Api().run(f"p/{run.id}").config == {"a": 1}


def test_summary_is_last_logged_value():
    run = wandb.init(project="p")
    for v in (3, 2, 1):
        wandb.log({"loss": v})
    assert run.summary["loss"] == 1


def test_summary_assignment_and_update():
    run = wandb.init(project="p")
    wandb.summary["best"] = 0.9
    run.summary.update({"extra": 1})
    assert run.summary["best"] == 0.9 and run.summary["extra"] == 1


def test_summary_after_finish_through_api():
    run = wandb.init(project="p")
    wandb.log({"acc": 0.5})
    wandb.summary["test_acc"] = 0.7
    wandb.finish()
    s = wandb.Api().run(f"p/{run.id}").summary
    assert s["acc"] == 0.5 and s["test_acc"] == 0.7


def test_resume_allow():
    wandb.init(project="p", id="fixed-id")
    wandb.log({"a": 1})
    wandb.finish()
    again = wandb.init(project="p", id="fixed-id", resume="allow")
    wandb.log({"a": 2})
    assert again.history()["a"].tolist() == [1.0, 2.0] and again.resumed


def test_run_dir_is_the_runs_own_folder():  # W&B: files written to run.dir belong to the run
    import os

    run = wandb.init(project="p")
    with open(os.path.join(run.dir, "notes.txt"), "w") as f:
        f.write("x")
    wandb.finish()
    assert [f.name for f in wandb.Api().run(f"p/{run.id}").files()] == ["notes.txt"]


def test_image_of_pyplot_and_figure():  # W&B: wandb.Image(plt)
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.figure()
    plt.plot([1, 2, 3])
    assert wandb.Image(plt).png.startswith(b"\x89PNG")
    fig, _ = plt.subplots()
    assert wandb.Image(fig).width > 0
    plt.close("all")
