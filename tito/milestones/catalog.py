"""The milestones and what each one must reach."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    name: str
    title: str
    needs: tuple[str, ...]  # modules whose exports it uses
    metric: str  # what the target is about
    target: float
    description: str


MILESTONES = {
    m.name: m
    for m in (
        Milestone("xor", "XOR with a 2-layer MLP", ("tensor", "activations", "layers", "networks", "autograd",
                                                      "optimizers", "training"),
                  "accuracy", 1.0, "The classic problem a single layer cannot solve: 4 points, 100% accuracy."),
        Milestone("mlp-digits", "MLP on handwritten digits",
                  ("tensor", "activations", "layers", "networks", "dataloader", "autograd", "optimizers", "training"),
                  "test_accuracy", 0.97, "A 64-256-256-10 MLP on the 8x8 digits: at least 97% test accuracy."),
        Milestone("cnn-digits", "CNN on handwritten digits",
                  ("tensor", "activations", "layers", "networks", "cnn", "dataloader", "autograd", "optimizers",
                   "training"),
                  "test_accuracy", 0.98, "Two conv layers and a pooling layer on the 8x8 digits: at least 98% test accuracy."),
        Milestone("compress-digits", "Compress the digits MLP",
                  ("tensor", "activations", "layers", "networks", "dataloader", "autograd", "optimizers", "training",
                   "compression"),
                  "checks", 1.0, "Prune 90% (<= 1 point lost after fine-tuning), int8 (4x smaller, <= 0.5 point "
                                 "lost), distil a 4x smaller student (>= 95% of the teacher's accuracy)."),
    )
}
