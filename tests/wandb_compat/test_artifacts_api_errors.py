"""Artifacts, save(), Api(), alerts and the cloud-only errors."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

import nbmonitor as wandb


@pytest.fixture
def model_file(tmp_path):
    p = tmp_path / "model.pt"
    p.write_bytes(b"weights" * 100)
    return p


def test_artifact_log_and_use_latest(model_file):
    run = wandb.init(project="p")
    art = wandb.Artifact("mnist-model", type="model", description="d", metadata={"acc": 0.9})
    art.add_file(str(model_file))
    run.log_artifact(art)
    assert art.name == "mnist-model:v0" and art.version == "v0" and "latest" in art.aliases
    used = run.use_artifact("mnist-model:latest")
    assert used.type == "model" and used.metadata == {"acc": 0.9}
    folder = used.download()
    assert (Path(folder) / "model.pt").read_bytes() == model_file.read_bytes()


def test_name_has_no_version_before_logging():
    assert wandb.Artifact("data", "dataset").name == "data"


def test_new_version_and_explicit_version(model_file):
    run = wandb.init(project="p")
    a0 = wandb.Artifact("m", "model")
    a0.add_file(str(model_file))
    run.log_artifact(a0)
    model_file.write_bytes(b"better")
    a1 = wandb.Artifact("m", "model")
    a1.add_file(str(model_file))
    run.log_artifact(a1, aliases=["best"])
    assert a1.version == "v1"
    assert run.use_artifact("m:v0").download() and run.use_artifact("m:v0").files()[0].size == 700
    assert run.use_artifact("m:best").version == "v1" and run.use_artifact("m").version == "v1"


def test_same_bytes_are_stored_once(model_file, tmp_path):
    run = wandb.init(project="p")
    for name in ("a", "b"):
        art = wandb.Artifact(name, "model")
        art.add_file(str(model_file))
        run.log_artifact(art)
    objects = [p for p in (tmp_path / "root" / "artifacts" / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 1


def test_unchanged_artifact_keeps_its_version(model_file):  # W&B: same digest -> no new version
    run = wandb.init(project="p")
    for _ in range(2):
        art = wandb.Artifact("m", "model")
        art.add_file(str(model_file))
        run.log_artifact(art)
    assert art.version == "v0"


def test_add_dir_and_new_file(tmp_path):
    d = tmp_path / "data"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("a")
    (d / "sub" / "b.txt").write_text("b")
    run = wandb.init(project="p")
    art = wandb.Artifact("ds", "dataset")
    art.add_dir(str(d))
    with art.new_file("meta.json") as f:
        f.write("{}")
    run.log_artifact(art)
    assert sorted(e.path for e in run.use_artifact("ds:v0").files()) == ["a.txt", "meta.json", "sub/b.txt"]


def test_files_are_copied_when_added(model_file):  # W&B stages a copy on add_file
    run = wandb.init(project="p")
    art = wandb.Artifact("m", "model")
    art.add_file(str(model_file))
    model_file.write_bytes(b"changed later")
    run.log_artifact(art)
    assert Path(run.use_artifact("m:v0").file()).read_bytes() == b"weights" * 100


def test_add_media_object_and_get_table_back():
    run = wandb.init(project="p")
    art = wandb.Artifact("tables", "dataset")
    art.add(wandb.Table(columns=["a"], data=[[1], [2]]), "my_table")
    run.log_artifact(art)
    t = run.use_artifact("tables:latest").get("my_table")
    assert t.columns == ["a"] and t.data == [[1], [2]]


def test_add_reference_keeps_no_bytes(model_file):
    run = wandb.init(project="p")
    art = wandb.Artifact("refs", "dataset")
    art.add_reference("s3://bucket/key.csv")
    art.add_reference(model_file.as_uri(), name="local.pt")
    run.log_artifact(art)
    got = run.use_artifact("refs:v0")
    assert got.get_entry("key.csv").ref == "s3://bucket/key.csv"
    assert got.get_entry("local.pt").digest is not None


def test_log_artifact_from_a_path(model_file):
    run = wandb.init(project="p")
    art = run.log_artifact(str(model_file), name="weights", type="model")
    assert art.name == "weights:v0"


def test_use_missing_artifact_is_a_clear_error():
    run = wandb.init(project="p")
    with pytest.raises(LookupError, match="nope:latest"):
        run.use_artifact("nope:latest")


def test_use_artifact_type_check(model_file):
    run = wandb.init(project="p")
    run.log_artifact(str(model_file), name="w", type="model")
    with pytest.raises(ValueError, match="type"):
        run.use_artifact("w:v0", type="dataset")


def test_entity_project_prefix_is_accepted(model_file):
    run = wandb.init(project="p")
    run.log_artifact(str(model_file), name="w", type="model")
    assert run.use_artifact("someone/p/w:v0").version == "v0"


def test_artifact_names_cannot_escape_the_root():
    with pytest.raises(ValueError, match="not allowed"):
        wandb.Artifact("../evil", "model")
    art = wandb.Artifact("ok", "model")
    with pytest.raises(ValueError, match="not allowed"):
        art.add_reference("s3://b/x", name="../x")


def test_logged_artifact_is_read_only(model_file):
    run = wandb.init(project="p")
    art = run.log_artifact(str(model_file), name="w", type="model")
    with pytest.raises(AttributeError, match="cannot change"):  # W&B: ArtifactFinalizedError (an AttributeError)
        art.add_file(str(model_file), "again.pt")


def test_logged_by_and_used_by(model_file):
    run = wandb.init(project="p")
    run.log_artifact(str(model_file), name="w", type="model")
    wandb.finish()
    reader = wandb.init(project="p")
    got = reader.use_artifact("w:latest")
    assert got.logged_by() == run.id and reader.id in got.used_by()
    wandb.finish()
    api_run = wandb.Api().run(f"p/{reader.id}")
    assert [a.name for a in api_run.used_artifacts()] == ["w:v0"]


def test_log_model_and_use_model(model_file):
    run = wandb.init(project="p")
    art = run.log_model(str(model_file), name="clf")
    assert art.type == "model"
    path = run.use_model("clf:latest")
    assert Path(path).name == "model.pt" and Path(path).read_bytes() == model_file.read_bytes()


def test_log_model_default_name(model_file):
    run = wandb.init(project="p")
    assert wandb.log_model(str(model_file)).name == f"run-{run.id}-model.pt:v0"


def test_save_copies_into_the_run(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"onnx")
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "a.pt").write_bytes(b"a")
    run = wandb.init(project="p")
    out = wandb.save("model.onnx")
    wandb.save(str(tmp_path / "ckpt" / "*.pt"), base_path=str(tmp_path))
    assert Path(out[0]).read_bytes() == b"onnx"
    wandb.finish()
    files = wandb.Api().run(f"p/{run.id}").files()
    assert sorted(f.name for f in files) == ["ckpt/a.pt", "model.onnx"]


def test_save_with_no_match_is_empty():
    wandb.init(project="p")
    assert wandb.save("nothing-*.bin") == []


def test_api_runs_and_run():
    ids = []
    for i in range(3):
        run = wandb.init(project="proj", config={"i": i})
        wandb.log({"acc": i / 10})
        ids.append(run.id)
        wandb.finish()
    api = wandb.Api()
    runs = api.runs("proj")
    assert {r.id for r in runs} == set(ids) and all(r.state == "finished" for r in runs)
    assert api.runs("someone/proj", filters={"config.i": 1})[0].id == ids[1]
    r = api.run(f"proj/{ids[2]}")
    assert r.summary["acc"] == 0.2 and r.config == {"i": 2}
    assert api.run(f"entity/proj/{ids[0]}").id == ids[0]


def test_api_history_and_scan_history():
    run = wandb.init(project="p")
    for i in range(5):
        wandb.log({"loss": 1.0 / (i + 1)})
    wandb.finish()
    r = wandb.Api().run(f"p/{run.id}")
    h = r.history()
    assert h["_step"].tolist() == [0, 1, 2, 3, 4] and h["loss"].iloc[0] == 1.0
    rows = list(r.scan_history(keys=["loss"]))
    assert len(rows) == 5 and rows[1]["loss"] == 0.5
    assert len(r.history(samples=3)) == 3
    assert isinstance(r.history(pandas=False), list)


def test_api_history_has_media_columns():  # W&B: media cells are dicts with a _type
    run = wandb.init(project="p")
    wandb.log({"h": wandb.Histogram([1, 2, 3]), "x": 1})
    wandb.finish()
    h = wandb.Api().run(f"p/{run.id}").history()
    assert h["h"].iloc[0]["_type"] == "histogram"


def test_api_history_leaves_system_metrics_to_their_stream():  # W&B: system metrics are the "events" stream
    run = wandb.init(project="p", system_metrics=False)
    wandb.log({"loss": 1.0})
    run.log_system({"cpu": 50.0}, t=run.start_time + 3)
    wandb.finish()
    r = wandb.Api().run(f"p/{run.id}")
    assert not [c for c in r.history().columns if c.startswith("system/")]
    assert r.history(stream="events")["system/cpu"].tolist() == [50.0]


def test_api_missing_run():
    with pytest.raises(wandb.RunNotFoundError):
        wandb.Api().run("p/doesnotexist")


def test_api_artifact(model_file):
    run = wandb.init(project="p")
    run.log_artifact(str(model_file), name="w", type="model")
    api = wandb.Api()
    assert api.artifact("w:v0").type == "model" and api.artifact_exists("w:latest")
    assert not api.artifact_exists("w:v9")


def test_api_run_url_and_path():
    run = wandb.init(project="p")
    wandb.finish()
    r = wandb.Api().run(f"p/{run.id}")
    assert r.url == run.url and r.path == ["local", "p", run.id]


def test_alert_with_alert_level():
    run = wandb.init(project="p")
    assert wandb.alert(title="low acc", text="acc < 0.5", level=wandb.AlertLevel.WARN)
    assert run.alert(title="t2", text="x", level=wandb.AlertLevel.ERROR,
                     wait_duration=datetime.timedelta(minutes=5))
    assert not run.alert(title="t2", text="again", wait_duration=300)  # W&B: repeats inside wait_duration dropped
    wandb.finish()
    levels = [e.payload["level"] for e in run.store.read_events(run.id) if e.kind == "alert"]
    assert levels == ["WARN", "ERROR"]


def test_alert_level_values():
    assert [lv.value for lv in wandb.AlertLevel] == ["INFO", "WARN", "ERROR"]


@pytest.mark.parametrize("name", ["sweep", "agent", "controller"])
def test_cloud_only_calls_raise_one_clear_error(name):
    with pytest.raises(wandb.Error) as e:
        getattr(wandb, name)({"method": "grid"})
    assert "cloud" in str(e.value) and "instead" in str(e.value)
    assert isinstance(e.value, NotImplementedError)


def test_link_model_is_cloud_only(model_file):
    run = wandb.init(project="p")
    with pytest.raises(NotImplementedError, match="log_model"):
        run.link_model(str(model_file), "registry/model")


def test_require_is_a_no_op():
    assert wandb.require("service") is None


def test_nbmonitor_never_imports_wandb():
    import subprocess
    import sys

    code = "import sys, nbmonitor; nbmonitor.login(); print('wandb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "NBMONITOR_DISPLAY": "0"})
    assert out.stdout.strip() == "False"
