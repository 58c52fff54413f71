"""Hugging Face Trainer -> nbmonitor: a tiny BERT built from a config (no download) trained a few steps."""

from __future__ import annotations

import math

import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

import nbmonitor as nbm  # noqa: E402
from nbmonitor.integrations.transformers import NbmonitorCallback  # noqa: E402


def _tiny_bert():
    cfg = transformers.BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                  intermediate_size=32, max_position_embeddings=32, num_labels=2)
    torch.manual_seed(0)
    return transformers.BertForSequenceClassification(cfg)


def _data(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, 64, (n, 12), generator=g)
    labels = (ids[:, 0] > 32).long()  # learnable: the first token decides
    return [{"input_ids": ids[i], "attention_mask": torch.ones(12, dtype=torch.long), "labels": labels[i]}
            for i in range(n)]


def _args(tmp_path, **kw):
    kw = {"eval_strategy": "steps", "eval_steps": 3, **kw}
    return transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), max_steps=6, per_device_train_batch_size=8, learning_rate=1e-3,
        logging_steps=2, save_strategy="no", use_cpu=True, disable_tqdm=True, seed=0, **kw)


def _check_against_log_history(run, trainer):
    hist = run.history().set_index("_step")
    for entry in trainer.state.log_history:
        step = entry["step"]
        for k, v in entry.items():
            if k in ("step",) or k.startswith("train_") or k == "total_flos":
                continue
            key = ("eval/" + k[5:]) if k.startswith("eval_") else "train/" + k
            assert math.isclose(hist.loc[step, key], v, rel_tol=1e-6), (step, key)
    final = trainer.state.log_history[-1]
    assert math.isclose(run.summary["train_loss"], final["train_loss"], rel_tol=1e-9)
    assert run.summary["train_runtime"] == final["train_runtime"]


def test_trainer_callback_records_history_config_summary(tmp_path):
    cb = NbmonitorCallback(dir=tmp_path / "runs", display=False, project="hf")
    trainer = transformers.Trainer(model=_tiny_bert(), args=_args(tmp_path, report_to="none", run_name="tiny-bert"),
                                   train_dataset=_data(48, 0), eval_dataset=_data(16, 1), callbacks=[cb])
    trainer.train()
    run = cb.run
    assert run.state == "finished" and run.name == "tiny-bert" and run.project == "hf"
    hist = run.history()
    assert {"train/loss", "train/learning_rate", "train/grad_norm", "train/epoch", "eval/loss"} <= set(hist.columns)
    assert hist["_step"].tolist() == [2, 3, 4, 6]
    _check_against_log_history(run, trainer)
    assert run.config["learning_rate"] == 1e-3 and run.config["max_steps"] == 6
    assert run.config["num_hidden_layers"] == 2 and run.config["vocab_size"] == 64  # the model's config
    assert run.config["model/num_parameters"] == trainer.model.num_parameters()
    assert "system/cpu_percent" not in run.summary

    # evaluate() after train(): into the same run (reopened), not a crash and not a second run
    metrics = trainer.evaluate()
    view = nbm.get_run(run.id, dir=tmp_path / "runs")
    assert view.state == "finished"
    assert math.isclose(view.history()["eval/loss"].dropna().iloc[-1], metrics["eval_loss"], rel_tol=1e-6)
    assert len(nbm.runs(project="hf", dir=tmp_path / "runs")) == 1


def test_report_to_nbmonitor(tmp_path, monkeypatch):
    monkeypatch.setenv("NBMONITOR_PROJECT", "hf-report-to")
    monkeypatch.setenv("NBMONITOR_DIR", str(tmp_path / "runs"))
    trainer = transformers.Trainer(model=_tiny_bert(), args=_args(tmp_path, report_to="nbmonitor"),
                                   train_dataset=_data(48, 0), eval_dataset=_data(16, 1))
    assert any(isinstance(c, NbmonitorCallback) for c in trainer.callback_handler.callbacks)
    trainer.train()
    runs = nbm.runs(project="hf-report-to")
    assert len(runs) == 1 and runs.loc[0, "state"] == "finished"
    run = nbm.get_run(runs.loc[0, "id"], project="hf-report-to")
    assert run.history()["_step"].tolist() == [2, 3, 4, 6]


def test_the_users_own_run_is_used_and_left_open(tmp_path):
    run = nbm.init(project="mine", dir=tmp_path / "runs", config={"note": "mine"})
    trainer = transformers.Trainer(model=_tiny_bert(), args=_args(tmp_path, report_to="none", eval_strategy="no"),
                                   train_dataset=_data(48, 0), callbacks=[NbmonitorCallback()])
    trainer.train()
    assert nbm.run is run and run.state == "running"
    assert run.config["note"] == "mine" and run.config["max_steps"] == 6
    assert run.history()["train/loss"].notna().sum() == 3
    nbm.finish(quiet=True)
