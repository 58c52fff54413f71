"""W&B's public example notebooks (wandb/examples, colabs/) that need no server, run with only the import
changed: each test body is the notebook's code cell by cell, with the dataset swapped for scikit-learn's
digits (8x8, no download) and sizes made small; comments mark every other change. Then a check of what
W&B would have recorded.

Covered elsewhere: the intro's five simulated runs and alerts, and the plots
(test_seed_tutorials.py); "Simple PyTorch Integration" (notebooks/07-wandb-pytorch.ipynb).
"""

from __future__ import annotations

import argparse
import math
import random
import wave

import numpy as np
import pytest

import nbmonitor as wandb

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional


def _digits_loader(is_train, batch_size, n=256):
    """The notebooks' MNIST DataLoader: scikit-learn's digits as 1x8x8 tensors in [0, 1]."""
    from sklearn.datasets import load_digits

    d = load_digits()
    X = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    Y = torch.tensor(d.target)
    sl = slice(0, n) if is_train else slice(-n // 2, None)
    ds = torch.utils.data.TensorDataset(X[sl], Y[sl])
    return torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=is_train)


def _events(run, kind=None, key=None):
    return [e for e in run.store.read_events(run.id)
            if (kind is None or e.kind == kind) and (key is None or e.key == key)]


def test_tables_quickstart():  # colabs/datasets-predictions/W&B_Tables_Quickstart.ipynb
    wandb.login()
    torch.manual_seed(0)
    EPOCHS = 1
    NUM_BATCHES_TO_LOG = 2  # 10 in the notebook
    NUM_IMAGES_PER_BATCH = 8  # 32
    NUM_CLASSES = 10
    BATCH_SIZE = 32
    LEARNING_RATE = 0.001
    L1_SIZE = 8  # 32
    L2_SIZE = 16  # 64
    CONV_KERNEL_SIZE = 5

    class ConvNet(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.layer1 = nn.Sequential(nn.Conv2d(1, L1_SIZE, CONV_KERNEL_SIZE, stride=1, padding=2),
                                        nn.BatchNorm2d(L1_SIZE), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
            self.layer2 = nn.Sequential(nn.Conv2d(L1_SIZE, L2_SIZE, CONV_KERNEL_SIZE, stride=1, padding=2),
                                        nn.BatchNorm2d(L2_SIZE), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
            self.fc = nn.Linear(2 * 2 * L2_SIZE, NUM_CLASSES)  # 7*7 for MNIST's 28x28, 2*2 for 8x8 digits

        def forward(self, x):
            out = self.layer1(x)
            out = self.layer2(out)
            out = out.reshape(out.size(0), -1)
            return self.fc(out)

    train_loader = _digits_loader(is_train=True, batch_size=BATCH_SIZE)
    test_loader = _digits_loader(is_train=False, batch_size=2 * BATCH_SIZE)
    device = torch.device("cpu")

    wandb.init(project="table-quickstart")
    cfg = wandb.config
    cfg.update({"epochs": EPOCHS, "batch_size": BATCH_SIZE, "lr": LEARNING_RATE, "l1_size": L1_SIZE,
                "l2_size": L2_SIZE, "conv_kernel": CONV_KERNEL_SIZE,
                "img_count": min(10000, NUM_IMAGES_PER_BATCH * NUM_BATCHES_TO_LOG)})
    model = ConvNet(NUM_CLASSES).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

    def log_test_predictions(images, labels, outputs, predicted, test_table, log_counter):
        scores = F.softmax(outputs.data, dim=1)
        log_scores = scores.cpu().numpy()
        log_images = images.cpu().numpy()
        log_labels = labels.cpu().numpy()
        log_preds = predicted.cpu().numpy()
        _id = 0
        for i, l, p, s in zip(log_images, log_labels, log_preds, log_scores):  # noqa: E741 - the notebook's own names
            img_id = str(_id) + "_" + str(log_counter)
            test_table.add_data(img_id, wandb.Image(i), p, l, *s)
            _id += 1
            if _id == NUM_IMAGES_PER_BATCH:
                break

    for epoch in range(EPOCHS):
        for i, (images, labels) in enumerate(train_loader):
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            wandb.log({"loss": loss})
        columns = ["id", "image", "guess", "truth"]
        for digit in range(10):
            columns.append("score_" + str(digit))
        test_table = wandb.Table(columns=columns)
        model.eval()
        log_counter = 0
        with torch.no_grad():
            correct = 0
            total = 0
            for images, labels in test_loader:
                outputs = model(images)
                _, predicted = torch.max(outputs.data, 1)
                if log_counter < NUM_BATCHES_TO_LOG:
                    log_test_predictions(images, labels, outputs, predicted, test_table, log_counter)
                    log_counter += 1
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
            acc = 100 * correct / total
            wandb.log({"epoch": epoch, "acc": acc})
        wandb.log({"test_predictions": test_table})
    run = wandb.run
    wandb.finish()

    (ev,) = _events(run, "table", "test_predictions")
    assert ev.payload["columns"][:4] == ["id", "image", "guess", "truth"] and len(ev.payload["rows"]) == 16
    h = wandb.Api().run(f"table-quickstart/{run.id}").history()
    assert h["loss"].notna().sum() == 8 and h["acc"].notna().sum() == 1
    assert run.config["img_count"] == 16


def test_intro_pytorch_section():  # colabs/intro/Intro_to_Weights_&_Biases.ipynb, "Simple Pytorch Neural Network"
    wandb.require("core")
    device = "cpu"

    def get_dataloader(is_train, batch_size, slice=5):
        return _digits_loader(is_train, batch_size, n=128)

    def get_model(dropout):
        return nn.Sequential(nn.Flatten(), nn.Linear(8 * 8, 32), nn.BatchNorm1d(32), nn.ReLU(),  # 28*28, 256
                             nn.Dropout(dropout), nn.Linear(32, 10)).to(device)

    def validate_model(model, valid_dl, loss_func, log_images=False, batch_idx=0):
        model.eval()
        val_loss = 0.0
        with torch.inference_mode():
            correct = 0
            for i, (images, labels) in enumerate(valid_dl):
                outputs = model(images)
                val_loss += loss_func(outputs, labels) * labels.size(0)
                _, predicted = torch.max(outputs.data, 1)
                correct += (predicted == labels).sum().item()
                if i == batch_idx and log_images:
                    log_image_table(images, predicted, labels, outputs.softmax(dim=1))
        return val_loss / len(valid_dl.dataset), correct / len(valid_dl.dataset)

    def log_image_table(images, predicted, labels, probs):
        table = wandb.Table(columns=["image", "pred", "target"] + [f"score_{i}" for i in range(10)])
        for img, pred, targ, prob in zip(images.to("cpu"), predicted.to("cpu"), labels.to("cpu"), probs.to("cpu")):
            table.add_data(wandb.Image(img[0].numpy() * 255), pred, targ, *prob.numpy())
        wandb.log({"predictions_table": table}, commit=False)

    runs = []
    for _ in range(2):  # 3 in the notebook
        wandb.init(project="pytorch-intro",
                   config={"epochs": 2, "batch_size": 32, "lr": 1e-3, "dropout": random.uniform(0.01, 0.80)})
        config = wandb.config
        train_dl = get_dataloader(is_train=True, batch_size=config.batch_size)
        valid_dl = get_dataloader(is_train=False, batch_size=2 * config.batch_size)
        n_steps_per_epoch = math.ceil(len(train_dl.dataset) / config.batch_size)
        model = get_model(config.dropout)
        loss_func = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        example_ct = 0
        step_ct = 0
        for epoch in range(config.epochs):
            model.train()
            for step, (images, labels) in enumerate(train_dl):
                outputs = model(images)
                train_loss = loss_func(outputs, labels)
                optimizer.zero_grad()
                train_loss.backward()
                optimizer.step()
                example_ct += len(images)
                metrics = {"train/train_loss": train_loss,
                           "train/epoch": (step + 1 + (n_steps_per_epoch * epoch)) / n_steps_per_epoch,
                           "train/example_ct": example_ct}
                if step + 1 < n_steps_per_epoch:
                    wandb.log(metrics)
                step_ct += 1
            val_loss, accuracy = validate_model(model, valid_dl, loss_func, log_images=(epoch == (config.epochs - 1)))
            val_metrics = {"val/val_loss": val_loss, "val/val_accuracy": accuracy}
            wandb.log({**metrics, **val_metrics})
            # the notebook saves "my_model.pt" and logs "./mnist_model.pt", which W&B refuses too (ValueError:
            # no such path; see the probe); saved under the logged name here
            torch.save(model, "mnist_model.pt")
            wandb.log_model("./mnist_model.pt", "my_mnist_model",
                            aliases=[f"epoch-{epoch + 1}_dropout-{round(wandb.config.dropout, 4)}"])
        wandb.summary["test_accuracy"] = 0.8
        runs.append(wandb.run)
        wandb.finish()

    api = wandb.Api()
    assert [api.run(f"pytorch-intro/{r.id}").summary["test_accuracy"] for r in runs] == [0.8, 0.8]
    h = api.run(f"pytorch-intro/{runs[0].id}").history()
    assert {"train/train_loss", "train/epoch", "val/val_loss", "val/val_accuracy"} <= set(h.columns)
    assert _events(runs[0], "table", "predictions_table")
    assert api.artifact("my_mnist_model:latest").type == "model"


def test_define_metric_notebook():  # colabs/wandb-log/Customize_metric_logging_with_define_metric.ipynb
    from nbmonitor.sources import LiveSource
    from nbmonitor.ui.publisher import Publisher

    random.seed(1)
    wandb.init(project="define-metric-demo", notes="custom step")
    wandb.define_metric("custom_step")
    wandb.define_metric("validation/loss", step_metric="custom_step")
    for i in range(10):
        log_dict = {"train/loss": 1 / (i + 1), "custom_step": i**2, "validation/loss": 1 / (i + 1)}
        wandb.log(log_dict)
    first = wandb.run
    wandb.finish()

    random.seed(1)
    wandb.init(project="define-metric-demo", notes="min of loss, max of acc")
    wandb.define_metric("loss", summary="min")
    wandb.define_metric("acc", summary="max")
    losses, accs = [], []
    for i in range(10):
        log_dict = {"loss": random.uniform(0, 1 / (i + 1)), "acc": random.uniform(1 / (i + 1), 1)}
        losses.append(log_dict["loss"])
        accs.append(log_dict["acc"])
        wandb.log(log_dict)
    second = wandb.run
    wandb.finish()

    pub = Publisher(LiveSource(first.store), "define-metric-demo")
    pub.poll()
    axes = pub.runs[first.id].axes
    assert axes.step_metric("validation/loss") == "custom_step" and axes.step_metric("train/loss") is None
    assert second.summary["loss"] == {"min": min(losses)} and second.summary["acc"] == {"max": max(accs)}


def test_log_almost_anything_notebook(tmp_path):  # colabs/wandb-log/Log_(Almost)_Anything_with_W&B_Media.ipynb
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from PIL import Image as PILImage

    # the notebook's data files (examples/examples/data/...), made here
    apple = pd.DataFrame({"close": np.linspace(100, 150, 50)})
    PILImage.new("RGB", (32, 24), (200, 120, 40)).save("cafe.jpg")
    frames = [PILImage.new("RGB", (16, 16), (i * 40, 0, 0)) for i in range(4)]
    frames[0].save("openai-gym.gif", save_all=True, append_images=frames[1:], duration=250)
    with wave.open("piano.wav", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes((np.sin(np.arange(800) / 5) * 3000).astype(np.int16).tobytes())
    (tmp_path / "some_html.html").write_text("<h1>hi</h1>")
    (tmp_path / "wolf.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")

    wandb.init(project="visualize-predictions", name="metrics")
    for price in apple["close"]:
        wandb.log({"Stock Price": price})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="plots")
    fibonacci = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    fig, ax = plt.subplots()
    ax.plot(fibonacci)
    ax.set_ylabel("some interesting numbers")
    wandb.log({"plot": fig})
    wandb.finish()
    plt.close(fig)

    wandb.init(project="visualize-predictions", name="histograms")
    fibonacci = np.array([0, 1, 1, 2, 3, 5, 8, 13, 21, 34])
    for i in range(1, 10):
        wandb.log({"histograms": wandb.Histogram(fibonacci / i)})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="images")
    im = plt.imread("cafe.jpg")
    wandb.log({"img": [wandb.Image(im, caption="Cafe")]})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="videos")
    wandb.log({"video": wandb.Video("openai-gym.gif", fps=4, format="gif")})  # an .mp4 in the notebook
    wandb.finish()

    wandb.init(project="visualize-predictions", name="audio")
    wandb.log({"examples": [wandb.Audio("piano.wav", caption="Piano", sample_rate=32)]})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="audio")
    fs = 8000  # 44100
    length = 1  # 3
    xs = np.linspace(0, length, num=fs * length)
    waveform = np.sin(fs * 2 * np.pi / 40 * xs**2)
    wandb.log({"examples": [wandb.Audio(waveform, caption="Boop", sample_rate=fs)]})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="tables")
    data = [["I love my phone", "1", "1"], ["My phone sucks", "0", "-1"]]
    wandb.log({"a_table": wandb.Table(data=data, columns=["Text", "Predicted Label", "True Label"])})
    table = wandb.Table(columns=["Text", "Predicted Label", "True Label"])
    table.add_data("I love my phone", "1", "1")
    table.add_data("My phone sucks", "0", "-1")
    wandb.log({"another_table": table})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="html")
    wandb.log({"custom_file": wandb.Html(open(tmp_path / "some_html.html"))})
    wandb.log({"custom_string": wandb.Html('<a href="https://mysite">Link</a>')})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="3d_objects")
    wandb.log({"3d_object": wandb.Object3D(open(tmp_path / "wolf.obj"))})
    wandb.finish()

    wandb.init(project="visualize-predictions", name="point_clouds")
    points = np.random.uniform(size=(250, 3))
    corners = [[0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
    wandb.log({"point_scene": wandb.Object3D({
        "type": "lidar/beta", "points": points,
        "boxes": np.array([{"corners": corners, "label": "Box", "color": [123, 321, 111]},
                           {"corners": [[2 * c for c in p] for p in corners], "label": "Box-2",
                            "color": [111, 321, 0]}]),
        "vectors": np.array([])})})
    run = wandb.run
    wandb.finish()

    runs = {r.name: r for r in wandb.Api().runs("visualize-predictions")}
    assert len(runs) == 10  # the two "audio" runs share a name, the last is found
    assert len(runs["metrics"].history()) == 50
    (ev,) = _events(run, "object3d", "point_scene")
    assert ev.payload["points"] == 250 and ev.payload["boxes"] == 2


def test_artifact_basics_notebook():  # colabs/artifact_basics/Artifact_Basics.ipynb
    import os
    from pathlib import Path

    os.makedirs("sample_data", exist_ok=True)  # Colab's /content/sample_data
    Path("sample_data/mnist_test.csv").write_text("7,0,0\n2,0,0\n")
    Path("sample_data/california_housing_test.csv").write_text("a,b\n1,2\n")

    wandb.login()
    run = wandb.init(project="artifact-basics")
    run.log_artifact(artifact_or_path="sample_data/mnist_test.csv", name="my_first_artifact", type="dataset")
    run.finish()

    run = wandb.init(project="artifact-basics")
    artifact = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    run.finish()

    # "Change an Artifact": W&B refuses to add files to a logged artifact (ArtifactFinalizedError, an
    # AttributeError) -- the notebook's cell fails there too
    run = wandb.init(project="artifact-basics")
    artifact = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    with pytest.raises(AttributeError):
        artifact.add_file(local_path="sample_data/california_housing_test.csv", name="new_file")
    run.finish()

    run = wandb.init(project="artifact-basics")
    artifact = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    artifact.description = "This is an edited description."
    artifact.save()
    run.finish()

    run = wandb.init(project="artifact-basics")
    artifact = run.use_artifact(artifact_or_name="my_first_artifact:latest")
    datadir = artifact.download()
    run.finish()
    print("\u2500" * 10)
    print("Data directory located at:" + datadir)

    assert artifact.description == "This is an edited description."
    assert (Path(datadir) / "mnist_test.csv").read_text() == "7,0,0\n2,0,0\n"


def test_configs_notebook():  # colabs/wandb-log/Configs_in_W&B.ipynb
    wandb.login()
    wandb.init(project="config_example", config={"dataset": "CelebA", "type": "baseline"})
    wandb.config.epochs = 4
    wandb.config["batch_size"] = 32
    parser = argparse.ArgumentParser()
    parser.add_argument("-b", "--batch_per_gpu", type=int, default=8, help="input batch size for training (default: 8)")
    parser.add_argument("-wd", "--weight_decay", type=float, default=0.1, help="weight decay (default: 0.1)")
    args = parser.parse_args(args=[])
    wandb.config.update(args)

    api = wandb.Api()
    username = wandb.run.entity
    project = wandb.run.project
    run_id = wandb.run.id
    run = api.run(f"{username}/{project}/{run_id}")
    run.config["bar"] = 32
    run.update()

    assert wandb.Api().run(f"{project}/{run_id}").config["bar"] == 32
    assert dict(wandb.config) == {"dataset": "CelebA", "type": "baseline", "epochs": 4, "batch_size": 32,
                                  "batch_per_gpu": 8, "weight_decay": 0.1}
