"""Milestone training, run in a subprocess: `python -m tito.milestones.train NAME [--epochs N] [--plot PNG]`.

It imports only the student's exported `tinytorch` (and matplotlib for the plot, when
installed). Progress goes to stdout as lines `@@tito {json}` so that whatever the student's
code prints cannot be mistaken for it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback

PREFIX = "@@tito "


def emit(event: str, **data) -> None:
    sys.__stdout__.write(PREFIX + json.dumps({"event": event, **data}) + "\n")
    sys.__stdout__.flush()


def _epoch_logger(total: int):
    def on_epoch_end(epoch, logs):
        # the milestones monitor the held-out test split (no model selection is made on it)
        emit("epoch", epoch=int(epoch) + 1, total=total,
             **{k.replace("val_", "test_"): float(v) for k, v in logs.items() if isinstance(v, (int, float))})
    return on_epoch_end


def xor(epochs: int | None):
    import numpy as np

    from tinytorch.core.activations import Tanh
    from tinytorch.core.networks import create_mlp
    from tinytorch.core.optimizers import Adam
    from tinytorch.core.tensor import Tensor
    from tinytorch.core.training import CrossEntropyLoss, Trainer

    epochs = epochs or 300
    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = Tensor(np.array([0, 1, 1, 0], dtype=np.int64))
    model = create_mlp(2, [8], 2, activation=Tanh, seed=0)
    trainer = Trainer(model, Adam(model.parameters(), learning_rate=0.05), CrossEntropyLoss())
    emit("start", epochs=epochs, samples=4)
    history = trainer.fit([(x, y)], epochs=epochs, on_epoch_end=_epoch_logger(epochs))
    return {"accuracy": trainer.evaluate([(x, y)])["accuracy"]}, history


def _digits(flatten: bool):
    """Digits loaders, standardised per pixel with statistics of the training set only."""
    import numpy as np

    from tinytorch.core.dataloader import DataLoader, TensorDataset, load_digits

    x_train, y_train, x_test, y_test = load_digits(flatten=flatten)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-2  # +1e-2: border pixels are always 0
    x_train, x_test = (((x - mean) / std).astype(np.float32) for x in (x_train, x_test))
    train = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, seed=0)
    test = DataLoader(TensorDataset(x_test, y_test), batch_size=len(x_test))
    return train, test, len(x_train), len(x_test)


def _fit(model, train, test, n_train, n_test, epochs, learning_rate):
    """Adam with the learning rate halved every 5 epochs; returns the test metrics and history."""
    from tinytorch.core.optimizers import Adam, StepLR
    from tinytorch.core.training import CrossEntropyLoss, Trainer

    optimizer = Adam(model.parameters(), learning_rate=learning_rate)
    schedule = StepLR(optimizer, step_size=5, gamma=0.5)
    trainer = Trainer(model, optimizer, CrossEntropyLoss())
    log = _epoch_logger(epochs)

    def on_epoch_end(epoch, logs):
        schedule.step()
        log(epoch, logs)

    emit("start", epochs=epochs, samples=n_train, test_samples=n_test)
    history = trainer.fit(train, epochs=epochs, val_loader=test, on_epoch_end=on_epoch_end)
    result = trainer.evaluate(test)
    return {"test_accuracy": result["accuracy"], "test_loss": result["loss"]}, history


def mlp_digits(epochs: int | None):
    from tinytorch.core.networks import create_mlp

    model = create_mlp(64, [256, 256], 10, seed=0)  # ReLU, so He initialisation
    return _fit(model, *_digits(flatten=True), epochs or 20, learning_rate=2e-3)


def cnn_digits(epochs: int | None):
    from tinytorch.core.activations import ReLU
    from tinytorch.core.cnn import Conv2D, Flatten, MaxPool2D
    from tinytorch.core.layers import Dense
    from tinytorch.core.networks import Sequential

    model = Sequential([
        Conv2D(1, 32, 3, padding=1, seed=0), ReLU(), MaxPool2D(2),   # 32 x 4 x 4
        Conv2D(32, 64, 3, padding=1, seed=1), ReLU(),                # 64 x 4 x 4
        Flatten(), Dense(64 * 4 * 4, 10, seed=2),
    ])
    return _fit(model, *_digits(flatten=False), epochs or 15, learning_rate=3e-3)


def compress_digits(epochs: int | None):
    from tito.milestones.compress import compress_digits as run

    return run(epochs)


def perceptron(epochs: int | None):
    from tito.milestones.perceptron import perceptron as run

    return run(epochs)


def tinygpt(epochs: int | None):
    from tito.milestones.tinygpt import tinygpt as run

    return run(epochs)


RUNS = {"perceptron": perceptron, "xor": xor, "mlp-digits": mlp_digits, "cnn-digits": cnn_digits,
        "tinygpt": tinygpt, "compress-digits": compress_digits}


def pyplot():
    """matplotlib.pyplot drawing to files (Agg), or None: matplotlib is optional."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def save_plot(history: dict, path: str, title: str) -> str | None:
    plt = pyplot()
    if plt is None:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, values in history.items():
        label = key.replace("val_", "test_")
        (left if "loss" in key else right).plot(range(1, len(values) + 1), values, label=label)
    left.set(title="loss", xlabel="epoch")
    right.set(title="accuracy", xlabel="epoch")
    left.legend(), right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plotter(name: str):
    """The milestone's own plot when it has one (perceptron, tinygpt), else loss and accuracy."""
    if name == "perceptron":
        from tito.milestones.perceptron import save_plot as own
    elif name == "tinygpt":
        from tito.milestones.tinygpt import save_plot as own
    else:
        return save_plot
    return own


def reset_peak_rss() -> None:
    """Forget the peak inherited from the process that started this one (Linux): a forked
    child starts out counting its parent's pages, which can be far larger than training."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # macOS and other Unixes: the lifetime peak, in bytes on macOS

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)


def main() -> None:
    reset_peak_rss()
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(RUNS))
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--plot", default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    table, checks, extra = [], [], {}
    try:
        outcome = RUNS[args.name](args.epochs)
        metrics, history = outcome[:2]
        if len(outcome) >= 4:  # a milestone with several targets: a results table and one check each
            table, checks = outcome[2], outcome[3]
        if len(outcome) == 5:  # and what else it shows (tinygpt: a generated sample)
            extra = outcome[4]
    except Exception as exc:  # the student's code failed: say where, as `tito module test` does
        import os

        import tinytorch
        from tito.harness import classify

        info = classify(exc, (os.path.dirname(tinytorch.__file__),), {"memory_mb": 0, "processes": 0})
        emit("error", **info, traceback=traceback.format_exc(limit=-3))
        sys.exit(1)
    plot = plotter(args.name)(history, args.plot, args.name) if args.plot else None
    emit("done", metrics={k: float(v) for k, v in metrics.items()}, seconds=time.perf_counter() - start, plot=plot,
         peak_rss_mb=round(peak_rss_mb(), 1), table=table, checks=checks, extra=extra)


if __name__ == "__main__":
    main()
