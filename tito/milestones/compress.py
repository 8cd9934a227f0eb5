"""The compress-digits milestone: the mlp-digits model, pruned, quantized and distilled.

Runs in the milestone subprocess (`python -m tito.milestones.train compress-digits`) and
uses only the student's exported `tinytorch` (and numpy). The teacher is trained exactly
as in `mlp-digits` (its epochs are the progress events); then, with the student's
`tinytorch.core.compression`, the same three experiments as module 10's graded tests:

1. prune 90% of the weights (per layer), fine-tune 10 epochs with the teacher's soft
   outputs, masks re-applied after every step: at most 1 point of test accuracy lost;
2. quantize the weights to int8 (symmetric, per output channel): weight bytes at least
   3.9x smaller (4x less the float32 scales), at most 0.5 points lost;
3. distil a 64-32-10 student (35x fewer parameters): at least 95% of the teacher's accuracy.
"""

from __future__ import annotations

from tito.milestones.train import _digits, _fit

TEACHER_EPOCHS = 20
SPARSITY = 0.9
MAX_PRUNED_POINTS_LOST = 1.0
MIN_INT8_WEIGHT_RATIO = 3.9
MAX_INT8_POINTS_LOST = 0.5
MIN_STUDENT_SIZE_RATIO = 4.0
MIN_STUDENT_ACCURACY_KEPT = 0.95


def _row(name: str, measured) -> dict:
    return {"model": name, "parameters": int(measured.parameters), "nonzero": int(measured.nonzero),
            "bytes": int(measured.bytes), "sparsity": float(measured.sparsity),
            "test_accuracy": float(measured.accuracy)}


def compress_digits(epochs: int | None = None):
    """Train the teacher (`epochs`, default 20), compress it three ways; return
    (metrics, history, table, checks) for `tito milestone run compress-digits`."""
    import numpy as np

    from tinytorch.core.compression import (CompressionMetrics, DistillationLoss, clone_model, dense_layers,
                                            prune_model, quantize_model, train_student)
    from tinytorch.core.networks import create_mlp
    from tinytorch.core.tensor import Tensor

    train, test, n_train, n_test = _digits(flatten=True)
    x_train, y_train = train.dataset.arrays
    x_test, y_test = test.dataset.arrays

    teacher = create_mlp(64, [256, 256], 10, seed=0)  # the mlp-digits model and recipe
    _, history = _fit(teacher, train, test, n_train, n_test, epochs or TEACHER_EPOCHS, learning_rate=2e-3)
    teacher_logits = np.asarray(teacher(Tensor(x_train)).data.data)
    teacher_m = CompressionMetrics.measure(teacher, x_test, y_test)

    # 1. magnitude pruning + a masked fine-tune guided by the teacher
    pruned = clone_model(teacher)
    masks = prune_model(pruned, SPARSITY)
    train_student(pruned, x_train, y_train, epochs=10, learning_rate=1e-2, step_size=3,
                  teacher_logits=teacher_logits, loss=DistillationLoss(temperature=4.0, alpha=0.5),
                  masks=masks, seed=0)
    pruned_m = CompressionMetrics.measure(pruned, x_test, y_test)

    # 2. int8 post-training quantization (symmetric, per channel)
    quantized = quantize_model(teacher)
    int8_m = CompressionMetrics.measure(quantized, x_test, y_test)
    float_weight_bytes = sum(np.asarray(layer.weights.data.data).nbytes for layer in dense_layers(teacher))
    int8_ratio = float_weight_bytes / quantized.weight_nbytes

    # 3. a distilled student
    student = create_mlp(64, [32], 10, seed=1)
    train_student(student, x_train, y_train, epochs=20, learning_rate=1e-2, step_size=5,
                  teacher_logits=teacher_logits, loss=DistillationLoss(temperature=4.0, alpha=0.5), seed=0)
    student_m = CompressionMetrics.measure(student, x_test, y_test)
    student_ratio = teacher_m.parameters / student_m.parameters

    pruned_lost = 100.0 * (teacher_m.accuracy - pruned_m.accuracy)
    int8_lost = 100.0 * (teacher_m.accuracy - int8_m.accuracy)
    kept = student_m.accuracy / teacher_m.accuracy if teacher_m.accuracy else 0.0
    metrics = {
        "teacher_accuracy": teacher_m.accuracy,
        "pruned_accuracy": pruned_m.accuracy,
        "int8_accuracy": int8_m.accuracy,
        "student_accuracy": student_m.accuracy,
        "sparsity": pruned_m.sparsity,
        "int8_size_ratio": int8_ratio,
        "student_size_ratio": student_ratio,
    }
    table = [
        _row("teacher", teacher_m),
        _row(f"pruned {SPARSITY:.0%}", pruned_m),
        _row("int8", int8_m),
        _row("student 64-32-10", student_m),
    ]
    checks = [
        {"name": f"pruned ({pruned_m.sparsity:.1%} zeros): points lost",
         "value": pruned_lost, "target": f"<= {MAX_PRUNED_POINTS_LOST:g} (>= {SPARSITY:.0%} zeros)",
         "passed": bool(pruned_m.sparsity >= SPARSITY and pruned_lost <= MAX_PRUNED_POINTS_LOST)},
        {"name": f"int8 ({int8_ratio:.2f}x smaller): points lost",
         "value": int8_lost, "target": f"<= {MAX_INT8_POINTS_LOST:g} (>= {MIN_INT8_WEIGHT_RATIO:g}x)",
         "passed": bool(int8_ratio >= MIN_INT8_WEIGHT_RATIO and int8_lost <= MAX_INT8_POINTS_LOST)},
        {"name": f"student ({student_ratio:.1f}x smaller): share kept",
         "value": kept, "target": f">= {MIN_STUDENT_ACCURACY_KEPT:g} (>= {MIN_STUDENT_SIZE_RATIO:g}x)",
         "passed": bool(student_ratio >= MIN_STUDENT_SIZE_RATIO and kept >= MIN_STUDENT_ACCURACY_KEPT)},
    ]
    return metrics, history, table, checks
