"""The milestones and what each one must reach, in the order of the history they retell."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    name: str
    title: str
    year: int  # when the idea it retells was published (the last piece of it, where there are several)
    history: str  # one line: who showed what
    needs: tuple[str, ...]  # modules whose exports it uses
    metric: str  # what the target is about ("checks": several targets, each reported by the run)
    target: float
    description: str
    target_text: str = ""  # the target in words, for `tito milestone list` (default: metric >= target)

    def target_summary(self) -> str:
        return self.target_text or f"{self.metric} >= {self.target:.0%}"


_TRAINING = ("tensor", "activations", "layers", "networks", "autograd", "optimizers", "training")

MILESTONES = {
    m.name: m
    for m in (
        Milestone("perceptron", "Rosenblatt's perceptron on handwritten 0s and 1s", 1957,
                  "Rosenblatt's perceptron: one layer of weights, corrected only when it is wrong.",
                  ("tensor", "layers", "dataloader", "autograd", "optimizers"),
                  "checks", 1.0, "A single Dense(64, 1) layer and the perceptron rule on the 8x8 digits 0 vs 1 "
                                 "(linearly separable): 100% training accuracy, >= 95% test accuracy.",
                  "train 100%, test >= 95%"),
        Milestone("xor", "XOR with a 2-layer MLP", 1986,
                  "Minsky and Papert (1969): one layer cannot learn XOR; backprop (1986) trains a hidden one.",
                  _TRAINING, "accuracy", 1.0,
                  "The classic problem a single layer cannot solve: 4 points, 100% accuracy."),
        Milestone("mlp-digits", "MLP on handwritten digits", 1989,
                  "Cybenko, Hornik (1989): one hidden layer can approximate any function; digits need two.",
                  _TRAINING + ("dataloader",), "test_accuracy", 0.97,
                  "A 64-256-256-10 MLP on the 8x8 digits: at least 97% test accuracy."),
        Milestone("cnn-digits", "CNN on handwritten digits", 1998,
                  "LeCun's convolutional nets (1989; LeNet-5, 1998): shared local weights read digits.",
                  _TRAINING + ("cnn", "dataloader"), "test_accuracy", 0.98,
                  "Two conv layers and a pooling layer on the 8x8 digits: at least 98% test accuracy."),
        Milestone("tinygpt", "A character-level GPT on Python's documentation", 2018,
                  "The Transformer (Vaswani et al., 2017) as GPT (Radford et al., 2018): predict the next token.",
                  ("tensor", "layers", "autograd", "optimizers", "training", "tokenization", "attention",
                   "transformers"),
                  "checks", 1.0, "A 2-layer GPT trained on Python's docs (pydoc_data) in about 90 s: "
                                 "held-out bits per character at least 1.0 below a bigram model's, causal, "
                                 "and a generated sample.",
                  "val bpc <= bigram - 1.0"),
        Milestone("compress-digits", "Compress the digits MLP", 2018,
                  "Pruning (LeCun 1989, Han 2015), distillation (Hinton 2015), int8 inference (Jacob 2018).",
                  _TRAINING + ("dataloader", "compression"), "checks", 1.0,
                  "Prune 90% (<= 1 point lost after fine-tuning), int8 (4x smaller, <= 0.5 point "
                  "lost), distil a 4x smaller student (>= 95% of the teacher's accuracy).",
                  "all three (below)"),
    )
}
