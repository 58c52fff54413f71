"""A training script that logs with nbmonitor: run it from a terminal or in the
background from a notebook, and follow it live there with `%monitor`.

    python train_script.py --project script-demo --epochs 30
"""

import argparse
import math
import random
import time

import nbmonitor as nbm


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", default="script-demo")
    ap.add_argument("--name", default="background-run")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--steps-per-epoch", type=int, default=50)
    ap.add_argument("--sleep", type=float, default=0.002)
    args = ap.parse_args()
    random.seed(0)
    with nbm.init(project=args.project, name=args.name, config=vars(args),
                  total_steps=args.epochs * args.steps_per_epoch) as run:
        for step in range(args.epochs * args.steps_per_epoch):
            t = step / args.steps_per_epoch
            metrics = {"train/loss": math.exp(-t / 8) + random.random() * 0.05,
                       "train/lr": 0.1 * 0.5 ** (t // 10)}
            if step % args.steps_per_epoch == args.steps_per_epoch - 1:
                metrics["val/acc"] = 1 - math.exp(-t / 6)
            run.log(metrics)
            time.sleep(args.sleep)


if __name__ == "__main__":
    main()
