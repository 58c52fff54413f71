"""login, Settings, term*, and init()'s W&B keywords (each test names the W&B behaviour it mirrors)."""

from __future__ import annotations

import argparse
import types

import pytest

import nbmonitor as wandb


def test_login_returns_true_without_prompt():  # wandb.login() -> True once logged in
    assert wandb.login() is True
    assert wandb.login(key="x" * 40, relogin=True, host="https://example.invalid") is True
    assert wandb.login(anonymous="must") is True


def test_run_is_none_before_init_and_after_finish():  # wandb.run
    assert wandb.run is None
    run = wandb.init(project="p")
    assert wandb.run is run
    wandb.finish()
    assert wandb.run is None


def test_termlog_termwarn_termerror_print_to_stderr(capsys):
    wandb.termlog("hello")
    wandb.termwarn("careful")
    wandb.termerror("broken")
    err = capsys.readouterr().err
    assert "hello" in err and "WARNING careful" in err and "ERROR broken" in err


def test_settings_keep_any_option():
    s = wandb.Settings(mode="offline", silent=True, _disable_stats=True, start_method="thread")
    assert s.mode == "offline" and s.silent is True and s.start_method == "thread"
    assert s.console is None  # an option nobody set


def test_init_accepts_entity_group_job_type():
    run = wandb.init(project="p", entity="me", group="exp-1", job_type="train")
    assert (run.entity, run.group, run.job_type) == ("me", "exp-1", "train")
    assert run.path == f"me/p/{run.id}"


def test_entity_defaults_to_local():
    run = wandb.init(project="p")
    assert run.entity == "local" and run.path == f"local/p/{run.id}"


def test_unknown_init_keyword_is_a_type_error():  # W&B raises too; never a silent pass
    with pytest.raises(TypeError, match="no_such_option"):
        wandb.init(project="p", no_such_option=1)


@pytest.mark.parametrize("mode", ["online", "offline", "dryrun"])
def test_online_and_offline_are_local(mode):
    run = wandb.init(project="p", mode=mode)
    wandb.log({"a": 1})
    wandb.finish()
    assert run.history()["a"].tolist() == [1.0]


def test_bad_mode_is_rejected():
    with pytest.raises(ValueError, match="mode"):
        wandb.init(project="p", mode="sometimes")


def test_disabled_mode_records_nothing(tmp_path):
    run = wandb.init(project="p", mode="disabled", config={"lr": 0.1})
    assert wandb.run is run and run.disabled
    wandb.log({"a": 1})
    run.log({"b": 2})
    assert run.config.lr == 0.1 and wandb.config.lr == 0.1
    assert wandb.alert(title="t", text="x") is False
    run.define_metric("a", summary="max")
    run.anything_else(1, 2)  # W&B's disabled run answers every call
    wandb.finish()
    assert not (tmp_path / "root").exists()


def test_wandb_mode_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    run = wandb.init(project="p")
    assert run.disabled


def test_disabled_through_settings():
    run = wandb.init(project="p", settings=wandb.Settings(mode="disabled"))
    assert run.disabled


def test_settings_root_dir_is_the_store(tmp_path):
    run = wandb.init(project="p", settings=wandb.Settings(root_dir=str(tmp_path / "elsewhere")))
    assert str(run.dir).startswith(str(tmp_path / "elsewhere"))


def test_settings_silent_skips_the_report(capsys):
    wandb.init(project="p", settings=wandb.Settings(silent=True))
    wandb.log({"a": 1})
    wandb.finish()
    assert "Run history" not in capsys.readouterr().out


def test_config_from_argparse_namespace():
    args = argparse.Namespace(lr=0.01, epochs=3)
    run = wandb.init(project="p", config=args)
    assert run.config.lr == 0.01 and run.config["epochs"] == 3


def test_config_from_object_with_dict():
    cfg = types.SimpleNamespace(batch_size=64, _private=1)
    run = wandb.init(project="p", config=cfg)
    assert run.config.batch_size == 64 and "_private" not in run.config


def test_config_include_and_exclude_keys():
    run = wandb.init(project="p", config={"a": 1, "b": 2, "c": 3}, config_exclude_keys=["b"])
    assert set(run.config) == {"a", "c"}
    wandb.finish()
    run = wandb.init(project="p", config={"a": 1, "b": 2}, config_include_keys=["a"])
    assert set(run.config) == {"a"}


def test_reinit_finishes_the_previous_run():  # W&B in notebooks: a second init finishes the first
    first = wandb.init(project="p", reinit=True)
    second = wandb.init(project="p", reinit=True)
    assert first.state == "finished" and wandb.run is second


def test_reinit_return_previous():
    first = wandb.init(project="p")
    assert wandb.init(project="p", reinit="return_previous") is first


def test_with_init_finishes():
    with wandb.init(project="p") as run:
        run.log({"a": 1})
    assert run.state == "finished" and wandb.run is None


def test_accepted_keywords_without_local_effect():
    run = wandb.init(project="p", anonymous="allow", magic=True, monitor_gym=False, force=False, save_code=False)
    assert run.state == "running"


def test_save_code_copies_the_script(tmp_path, monkeypatch):
    import sys

    script = tmp_path / "train.py"
    script.write_text("print('hi')\n")
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(script), raising=False)
    run = wandb.init(project="p", save_code=True)
    assert (run.files_dir / "train.py").read_text() == "print('hi')\n"


def test_fork_from_needs_the_cloud():
    with pytest.raises(wandb.Error, match="cloud"):
        wandb.init(project="p", fork_from="abc?_step=10")


def test_sync_tensorboard_records_summary_writer_calls(tmp_path):
    tb = pytest.importorskip("torch.utils.tensorboard")
    original = tb.SummaryWriter.add_scalar
    run = wandb.init(project="p", sync_tensorboard=True)
    writer = tb.SummaryWriter(str(tmp_path / "tb"))
    for i in range(3):
        writer.add_scalar("loss", 1.0 / (i + 1), i)
    writer.add_scalars("acc", {"train": 0.5, "val": 0.4}, 2)
    writer.close()
    wandb.finish()
    h = run.history()
    assert h["loss"].tolist()[:3] == [1.0, 0.5, pytest.approx(1 / 3)]
    assert h["acc/train"].dropna().tolist() == [0.5]
    assert tb.SummaryWriter.add_scalar is original  # put back when the run finished
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))  # TensorBoard's own files still written
