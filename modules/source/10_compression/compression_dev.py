# %% [markdown]
# # Compression: Smaller Models That Still Work
#
# In the `mlp-digits` milestone you trained a 64 → 256 → 256 → 10 network to about 98% test
# accuracy. It has 85,002 parameters. This module asks a systems question about it:
# **how much of that model do we actually need?**
#
# You will take that exact network (trained again below with the milestone's recipe) and
# make it smaller four different ways, and *measure* what each one costs in accuracy:
#
# - **magnitude pruning**: set 90% of the weights to zero,
# - **structured pruning**: remove whole neurons, so the matrices really get smaller,
# - **int8 quantization**: store every weight in 1 byte instead of 4,
# - **knowledge distillation**: train a much smaller network to imitate the big one.
#
# Nothing in this module is taken on faith. Every statement about our models is a number
# a cell computes, and the three headline results are graded tests:
#
# | target | what is asserted |
# | --- | --- |
# | pruning | at least 90% of the weights are zero, at most 1 point of test accuracy lost |
# | quantization | int8 weights at least 3.9× smaller than float32 (4× minus the scales), at most 0.5 points lost |
# | distillation | a student with at least 4× fewer parameters keeps at least 95% of the teacher's accuracy |

# %% nbgrader={"grade": false, "grade_id": "compression-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.compression
#| export
import copy
import sys
from dataclasses import asdict, dataclass
from typing import List, Optional, Tuple

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable, apply_op
from tinytorch.core.layers import Dense, Parameter
from tinytorch.core.networks import Sequential
from tinytorch.core.optimizers import Adam, StepLR
from tinytorch.core.training import CrossEntropyLoss

# %% nbgrader={"grade": false, "grade_id": "compression-banner", "locked": true, "schema_version": 3, "solution": false}
import time

from tinytorch.core.autograd import gradcheck
from tinytorch.core.dataloader import DataLoader, TensorDataset, load_digits
from tinytorch.core.networks import create_mlp
from tinytorch.core.training import Trainer

print("🔥 TinyTorch Compression Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to make models smaller!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/10_compression/compression_dev.py`
# **Building Side:** Code exports to `tinytorch.core.compression`
#
# ```python
# # Final package structure:
# from tinytorch.core.compression import prune_model, apply_masks, prune_neurons
# from tinytorch.core.compression import quantize, dequantize, quantize_model
# from tinytorch.core.compression import DistillationLoss, CompressionMetrics, train_student
# ```
#
# **Why this matters:**
# - **Learning:** compression is where the numbers of a model (bytes, zeros, bits, neurons)
#   meet the numbers of a machine (memory, bandwidth, energy)
# - **Production:** `torch.nn.utils.prune`, `torch.ao.quantization`, TensorFlow Lite's
#   int8 converter and every "distilled" model (DistilBERT, TinyBERT) do what you build here
# - **Systems:** after this module you can say, with numbers, what a model costs to store
#   and to run, and what you can trade away

# %% [markdown]
# ## Why Compress?
#
# ### A model is a pile of bytes that must be moved
# A float32 weight takes 4 bytes. Our digits MLP has 85,002 parameters, so 340,008 bytes
# (the cell below measures it). Scale that up: a model with 7 billion parameters is
# 7·10⁹ × 4 B = 28 GB in float32, more memory than most GPUs have.
#
# Size matters three times over:
#
# 1. **Memory: does it fit?** A phone app, a browser tab or a microcontroller has a fixed
#    budget. A model that does not fit does not run, however accurate it is.
# 2. **Bandwidth: how fast can it run?** To classify *one* input, a dense layer reads
#    every one of its weights once, and does one multiply-add with it. Processors compute
#    far faster than memory delivers, so for small batches the time goes into *moving*
#    weights, not multiplying them. Half the bytes is nearly half the time.
# 3. **Energy: how long does the battery last?** Published measurements for a 45 nm chip
#    (M. Horowitz, ISSCC 2014; these are his numbers, not ours):
#
#    | operation | energy |
#    | --- | --- |
#    | 8-bit integer multiply | 0.2 pJ |
#    | 32-bit float multiply | 3.7 pJ |
#    | 32-bit read from a small on-chip SRAM | 5 pJ |
#    | 32-bit read from off-chip DRAM | 640 pJ |
#
#    Fetching a weight from DRAM costs over 100 times more than multiplying with it. A
#    smaller model stays in on-chip memory and uses cheaper arithmetic.
#
# ### Four ways to make a model smaller
# ```
#   dense float32 weights          what each technique changes
#   ┌──────────────────┐
#   │ 0.31 -0.02  0.77 │  pruning        →  many weights become exactly 0
#   │-0.05  0.64 -0.01 │  structured     →  whole rows/columns disappear: smaller matrices
#   │ 0.48 -0.90  0.03 │  quantization   →  each weight stored in 8 bits instead of 32
#   └──────────────────┘  distillation   →  a different, smaller network learns the same job
# ```
# They combine: you can prune a network and then quantize it (we measure that too).

# %% [markdown]
# ## The Model We Compress
#
# The `mlp-digits` milestone's model and recipe, exactly: the 8×8 digits standardised per
# pixel with training-set statistics, `create_mlp(64, [256, 256], 10, seed=0)`, Adam with
# learning rate 2e-3 halved every 5 epochs, 20 epochs, batches of 32 shuffled with seed 0.
# Every seed is fixed, so every number in this module reproduces (the timings excepted:
# they depend on the machine). Training takes a second or two.
#
# This model is the **teacher**: the reference every compressed version is compared with.

# %% nbgrader={"grade": false, "grade_id": "teacher-training", "locked": true, "schema_version": 3, "solution": false}
x_train, y_train, x_test, y_test = load_digits()
pixel_mean, pixel_std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-2   # border pixels are always 0
x_train, x_test = (((x - pixel_mean) / pixel_std).astype(np.float32) for x in (x_train, x_test))

teacher = create_mlp(64, [256, 256], 10, seed=0)
teacher_optimizer = Adam(teacher.parameters(), learning_rate=2e-3)
teacher_schedule = StepLR(teacher_optimizer, step_size=5, gamma=0.5)
started = time.perf_counter()
Trainer(teacher, teacher_optimizer, CrossEntropyLoss()).fit(
    DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, seed=0), epochs=20,
    on_epoch_end=lambda epoch, logs: teacher_schedule.step())
teacher_logits_test = np.asarray(teacher(Tensor(x_test)).data.data)
teacher_accuracy = float(np.mean(teacher_logits_test.argmax(axis=1) == y_test))
teacher_parameters = sum(p.data.data.size for p in teacher.parameters())
teacher_bytes = sum(p.data.data.nbytes for p in teacher.parameters())
print(f"teacher: trained in {time.perf_counter() - started:.1f}s, test accuracy {teacher_accuracy:.2%}")
print(f"         {teacher_parameters:,} parameters, {teacher_bytes:,} bytes in float32 "
      f"({teacher_bytes / teacher_parameters:g} bytes each)")

# %% [markdown]
# ## Helpers (provided)
#
# - `_values(x)`: the ndarray behind a Variable, a Tensor, an ndarray or a list.
# - `dense_layers(model)`: the `Dense` layers of a model, in order. Compression works on
#   their weight matrices; activations have nothing to compress.
# - `clone_model(model)`: an independent copy (`copy.deepcopy`). We always compress a
#   *copy*, so the teacher stays intact for comparison.
# - `evaluate_accuracy(model, x, y)`: the fraction of rows of `x` whose largest output is
#   the label. It works for any model that maps a `Tensor` to logits.
# - `_dense_from_arrays(weights, bias)`: a `Dense` layer holding exactly these arrays
#   (for structured pruning, which builds smaller layers).

# %% nbgrader={"grade": false, "grade_id": "compression-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _values(x) -> np.ndarray:
    """The numbers behind a Variable, a Tensor, an ndarray, a list or a number."""
    if isinstance(x, Variable):
        return x.data.data
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def _layers(model) -> list:
    """The layers of a Sequential-like model (anything with .layers), or [model] for one layer."""
    layers = getattr(model, "layers", None)
    return list(layers) if layers is not None else [model]


def _is_model(x) -> bool:
    """A network or a layer (as opposed to an array of numbers)."""
    return hasattr(x, "layers") or isinstance(x, Dense) or hasattr(x, "qweight")


def dense_layers(model) -> List[Dense]:
    """The Dense layers of `model`, in order (a single Dense is a model of one layer)."""
    return [layer for layer in _layers(model) if isinstance(layer, Dense)]


def clone_model(model):
    """An independent copy of `model`: compressing the copy leaves the original untouched."""
    return copy.deepcopy(model)


def evaluate_accuracy(model, x, y) -> float:
    """The fraction of samples whose largest output (logit) is the label."""
    logits = np.asarray(_values(model(Tensor(np.asarray(_values(x), dtype=np.float32)))))
    labels = np.asarray(_values(y)).reshape(-1)
    if logits.ndim != 2 or logits.shape[0] != labels.shape[0]:
        raise ValueError(f"evaluate_accuracy: the model returned shape {logits.shape} for {labels.shape[0]} labels")
    return float(np.mean(logits.argmax(axis=1) == labels))


def _dense_from_arrays(weights, bias=None) -> Dense:
    """A Dense layer whose parameters are float32 copies of `weights` (in, out) and `bias` (out,)."""
    weights = np.array(_values(weights), dtype=np.float32)
    layer = Dense(weights.shape[0], weights.shape[1], use_bias=bias is not None, seed=0)
    layer.weights = Parameter(weights)
    if bias is not None:
        layer.bias = Parameter(np.array(_values(bias), dtype=np.float32))
    return layer


def _weight_arrays(model) -> List[np.ndarray]:
    """The weight matrices of a model's Dense layers (dequantized for quantized layers, Step 5)."""
    arrays = []
    for layer in _layers(model):
        if isinstance(layer, Dense):
            arrays.append(_values(layer.weights))
        elif hasattr(layer, "qweight"):
            arrays.append(dequantize(layer.qweight))
    return arrays

# %% [markdown]
# ## Step 1: Magnitude Pruning — Which Weights Can Go?
#
# ### The idea
# A weight w multiplies its input x and adds w·x to a sum; if |w| is tiny, so is its
# contribution. **Magnitude pruning** sets the weights with the smallest |w| to exactly
# zero:
# ```
# sparsity s = 0.5 on 6 weights: remove round(0.5 · 6) = 3, the 3 smallest |w|
#
#   w      = [ 0.8, -0.1,  0.3, -0.9,  0.05, 0.4]
#   |w|    = [ 0.8,  0.1,  0.3,  0.9,  0.05, 0.4]      smallest three: 0.05, 0.1, 0.3
#   keep   = [True, False, False, True, False, True]
#   pruned = [ 0.8,  0.0,  0.0, -0.9,  0.0,  0.4]
# ```
# **Sparsity** is the fraction of zeros. At 90% sparsity only one weight in ten is left.
#
# We return the `keep` **mask** as well as the pruned weights. We will need it to keep the
# pruned weights at zero while the network is fine-tuned (Step 2).
#
# ### Rules that make it exact
# - Remove exactly `round(sparsity · n)` weights (Python's `round`), not "everything below
#   a threshold": with ties at the threshold the count would be wrong.
# - Ties in |w| are broken by position: the earlier weight is removed first. A *stable*
#   sort does this for you.
# - Return a new array; the input is not changed. Keep its dtype (float32 stays float32).
#
# ### Where this shows up
# `torch.nn.utils.prune.l1_unstructured(module, "weight", amount=0.9)` does exactly this and
# stores the mask beside the weight (`weight_mask`).

# %% nbgrader={"grade": false, "grade_id": "prune-weights", "locked": false, "schema_version": 3, "solution": true}
#| export
def prune_weights_by_magnitude(weights, sparsity: float) -> Tuple[np.ndarray, np.ndarray]:
    """
    Zero the `round(sparsity * n)` weights with the smallest magnitude.

    TODO: Return (pruned copy of the weights, boolean keep-mask of the same shape).

    STEP-BY-STEP IMPLEMENTATION:
    1. w = the weights as an ndarray (_values); sparsity must be in [0, 1], else ValueError
    2. k = round(sparsity * w.size): how many weights to remove
    3. Sort the positions of all weights by |w|, smallest first, with a stable sort
       (ties: the earlier position comes first)
    4. keep = all True, then False at the first k positions of that order; give it w's shape
    5. pruned = w where keep is True, 0 elsewhere (same dtype as w)
    6. Return (pruned, keep)

    EXAMPLE USAGE:
    ```python
    pruned, keep = prune_weights_by_magnitude(np.array([0.8, -0.1, 0.3, -0.9, 0.05, 0.4]), 0.5)
    pruned   # array([ 0.8,  0. ,  0. , -0.9,  0. ,  0.4])
    keep     # array([ True, False, False,  True, False,  True])
    prune_weights_by_magnitude(np.ones((2, 2)), 1.5)   # ValueError: sparsity must be in [0, 1]
    ```

    IMPLEMENTATION HINTS:
    - np.argsort(np.abs(w), axis=None, kind="stable") sorts the flattened array and returns
      flat positions
    - A flat boolean array can be indexed with flat positions, then .reshape(w.shape)
    - np.where(keep, w, 0) keeps the dtype if you write the zero as np.zeros_like(w)
    """
    ### BEGIN SOLUTION
    w = np.asarray(_values(weights))
    sparsity = float(sparsity)
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    k = int(round(sparsity * w.size))
    order = np.argsort(np.abs(w), axis=None, kind="stable")
    keep = np.ones(w.size, dtype=bool)
    keep[order[:k]] = False
    keep = keep.reshape(w.shape)
    return np.where(keep, w, np.zeros_like(w)), keep
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-prune-weights", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_prune_weights_by_magnitude():
    """The k smallest magnitudes become 0; the mask says which survived; the input is untouched"""
    print("🔬 Unit Test: Magnitude Pruning...")

    w = np.array([0.8, -0.1, 0.3, -0.9, 0.05, 0.4])
    pruned, keep = prune_weights_by_magnitude(w, 0.5)
    assert np.array_equal(pruned, [0.8, 0.0, 0.0, -0.9, 0.0, 0.4]), f"expected [0.8, 0, 0, -0.9, 0, 0.4], got {pruned}"
    assert keep.dtype == bool, f"the mask should be boolean, got {keep.dtype}"
    assert keep.tolist() == [True, False, False, True, False, True], f"wrong mask: {keep.tolist()}"
    assert np.array_equal(w, [0.8, -0.1, 0.3, -0.9, 0.05, 0.4]), "the input must not be changed: prune a copy"

    # 2-D, float32, negative weights count by magnitude
    m = np.array([[0.5, -3.0, 0.1], [2.0, -0.2, 1.0]], dtype=np.float32)
    pruned, keep = prune_weights_by_magnitude(m, 2 / 3)          # remove round(4.0) = 4
    assert pruned.dtype == np.float32, f"float32 weights should stay float32, got {pruned.dtype}"
    assert keep.shape == (2, 3), f"the mask should have the weights' shape (2, 3), got {keep.shape}"
    assert np.array_equal(pruned, [[0.0, -3.0, 0.0], [2.0, 0.0, 0.0]]), f"keep only -3.0 and 2.0, got {pruned.tolist()}"

    # exact counts, ties broken by position
    pruned, keep = prune_weights_by_magnitude(np.array([1.0, -1.0, 1.0, 1.0]), 0.5)
    assert keep.tolist() == [False, False, True, True], f"ties: the earlier weights go first, got {keep.tolist()}"
    pruned, keep = prune_weights_by_magnitude(np.arange(1.0, 11.0), 0.9)
    assert int(keep.sum()) == 1 and pruned[-1] == 10.0, f"90% of 10 weights: only the largest stays, got {pruned}"
    for sparsity, removed in ((0.3, 2), (0.5, 2), (0.9, 4)):      # 1.5 -> 2, 2.5 -> 2, 4.5 -> 4
        _, keep = prune_weights_by_magnitude(np.arange(1.0, 6.0), sparsity)
        assert int((~keep).sum()) == removed, (
            f"sparsity {sparsity} of 5 weights removes round({sparsity * 5:g}) = {removed} (Python's round, "
            f"halves to even; not int() or ceil), got {int((~keep).sum())}")
    assert prune_weights_by_magnitude(w, 0.0)[1].all(), "sparsity 0 removes nothing"
    assert not prune_weights_by_magnitude(w, 1.0)[1].any(), "sparsity 1 removes everything"

    # Tensors and Variables work too
    pruned, _ = prune_weights_by_magnitude(Variable(np.array([3.0, -0.5])), 0.5)
    assert np.array_equal(pruned, [3.0, 0.0]), f"a Variable's values should be pruned, got {pruned}"

    for bad in (-0.1, 1.5):
        try:
            prune_weights_by_magnitude(w, bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"sparsity {bad} is not a fraction: ValueError expected")

    print("✅ Magnitude pruning tests passed!")

test_prune_weights_by_magnitude()

# %% [markdown]
# ### Measuring sparsity
# `calculate_sparsity(x)` is the fraction of zeros. It accepts numbers (an ndarray, a
# Tensor, a Variable) and also **models**: for a model it counts over the weight matrices
# of its Dense layers only (biases are 0.6% of the digits MLP's parameters and are never
# pruned). All matrices are pooled: zeros in all of them / weights in all of them.
#
# The provided `_is_model(x)` tells the two apart, and `_weight_arrays(model)` lists a
# model's weight matrices as ndarrays.

# %% nbgrader={"grade": false, "grade_id": "calculate-sparsity", "locked": false, "schema_version": 3, "solution": true}
#| export
def calculate_sparsity(x) -> float:
    """
    The fraction of entries that are exactly zero.

    TODO: Count zeros in an array-like, or in all Dense weight matrices of a model.

    STEP-BY-STEP IMPLEMENTATION:
    1. arrays = _weight_arrays(x) if _is_model(x), else [the values of x as an ndarray]
    2. total = number of entries in all arrays; if it is 0, raise ValueError
    3. zeros = number of entries equal to 0 in all arrays
    4. Return zeros / total as a Python float

    EXAMPLE USAGE:
    ```python
    calculate_sparsity(np.array([0.0, 1.0, 0.0, 2.0]))   # 0.5
    calculate_sparsity(Tensor([[0, 0], [0, 3]]))          # 0.75
    calculate_sparsity(teacher)                           # 0.0 (a dense model)
    ```

    IMPLEMENTATION HINTS:
    - np.count_nonzero(a == 0) counts zeros
    - Pool the counts: sum over the arrays, then divide once
    """
    ### BEGIN SOLUTION
    arrays = _weight_arrays(x) if _is_model(x) else [np.asarray(_values(x))]
    total = sum(int(a.size) for a in arrays)
    if total == 0:
        raise ValueError("calculate_sparsity: there are no values to measure")
    zeros = sum(int(np.count_nonzero(a == 0)) for a in arrays)
    return zeros / total
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-calculate-sparsity", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_calculate_sparsity():
    """Fraction of zeros of arrays, Tensors, Variables and models (weights only, pooled)"""
    print("🔬 Unit Test: Sparsity...")

    assert calculate_sparsity(np.array([0.0, 1.0, 0.0, 2.0])) == 0.5, "two zeros out of four: 0.5"
    assert calculate_sparsity(Tensor([[0.0, 0.0], [0.0, 3.0]])) == 0.75, "three zeros out of four: 0.75"
    assert calculate_sparsity(Variable([1.0, 2.0])) == 0.0, "no zeros: 0.0"
    for value in (np.zeros(3), np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]], dtype=np.float32)):
        result = calculate_sparsity(value)
        assert type(result) is float, (
            f"the result should be a Python float (numpy counts are numpy ints: convert them), got {type(result).__name__}")

    model = Sequential([_dense_from_arrays(np.zeros((2, 3)), np.zeros(3)),      # 6 weights, all 0
                        _dense_from_arrays(np.ones((3, 2)), np.zeros(2))])      # 6 weights, none 0
    assert calculate_sparsity(model) == 0.5, (
        f"6 zero weights of 12 (biases do not count): 0.5, got {calculate_sparsity(model)}")
    assert calculate_sparsity(model.layers[0]) == 1.0, "a single Dense layer: its own weight matrix"
    assert calculate_sparsity(teacher) == 0.0, "the trained teacher has no zero weights"

    try:
        calculate_sparsity(np.zeros(0))
    except ValueError:
        pass
    else:
        raise AssertionError("an empty array has no sparsity: ValueError expected")

    print("✅ Sparsity tests passed!")

test_calculate_sparsity()

# %% [markdown]
# ## Step 2: Pruning a Model, and Keeping It Pruned
#
# ### Per layer, or global?
# `prune_model(model, sparsity, scope)` prunes every Dense weight matrix **in place** and
# returns one mask per layer. There are two ways to choose what to remove:
#
# - `scope="layer"` (the default): every matrix loses the same fraction. Each layer keeps
#   10% of its weights at sparsity 0.9.
# - `scope="global"`: one ranking of |w| over *all* matrices together. Layers whose weights
#   are small overall lose more. Our He-initialised layers have weight scales √(2/fan_in),
#   so the 256 → 256 layer (smaller weights than the 64 → 256 one) is pruned hardest.
#
# Both give the same total sparsity; which works better is a measurement (below).
#
# ### Fine-tuning, and why the masks matter
# Removing 90% of the weights at once damages the network (measured below). The cure is
# to **fine-tune**: train the pruned network a little, so the surviving weights
# compensate. But a gradient step changes *every* weight, zeros included: after one
# optimizer step the pruned weights are no longer zero and the sparsity is gone.
#
# So after **every** optimizer step we multiply the weights by their masks again:
# `apply_masks(model, masks)`. (Masking the gradients instead also works, but only with a
# fresh optimizer: momentum carried over from before pruning keeps moving a weight whose
# gradient is zero. Re-applying the masks is right whatever the optimizer does.)
# ```
#  optimizer.step()           w = [0.80, 0.02, -0.01, -0.90]    pruned weights drifted
#  apply_masks(model, masks)  w = [0.80, 0.00,  0.00, -0.90]    mask [T, F, F, T] restores them
# ```

# %% nbgrader={"grade": false, "grade_id": "prune-model", "locked": false, "schema_version": 3, "solution": true}
#| export
def apply_masks(model, masks) -> None:
    """
    Set every pruned weight (mask False) of the model's Dense layers back to 0, in place.

    masks: one keep-mask per Dense layer, of its weights' shape: boolean arrays, or
    anything that converts to them (nested lists of booleans, arrays of 0s and 1s).

    TODO: Multiply each Dense layer's weights by its mask, changing the array in place.

    STEP-BY-STEP IMPLEMENTATION:
    1. The model's Dense layers (dense_layers): one mask per layer, else raise ValueError
       naming both counts
    2. For each layer and its mask: take the layer's weight array itself through _values
       (the array the layer computes with, not a copy); if the mask's shape differs from
       the weights', raise ValueError naming both shapes
    3. Set the weights to 0 wherever the mask is False, IN PLACE

    EXAMPLE USAGE:
    ```python
    masks = prune_model(model, 0.9)
    optimizer.step()              # the pruned weights move away from 0
    apply_masks(model, masks)     # ... and are put back to 0
    ```

    IMPLEMENTATION HINTS:
    - w[~mask] = 0 writes into the array; w = w * mask would only rebind a local name
    - np.asarray(mask, dtype=bool) accepts lists of booleans too
    """
    ### BEGIN SOLUTION
    layers = dense_layers(model)
    if len(masks) != len(layers):
        raise ValueError(f"apply_masks: {len(masks)} masks for {len(layers)} Dense layers")
    for index, (layer, mask) in enumerate(zip(layers, masks)):
        weights = _values(layer.weights)
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != weights.shape:
            raise ValueError(f"apply_masks: mask {index} has shape {mask.shape} but the weights have shape {weights.shape}")
        weights[~mask] = 0
    ### END SOLUTION


def prune_model(model, sparsity: float, scope: str = "layer") -> List[np.ndarray]:
    """
    Magnitude-prune every Dense weight matrix of `model` in place; return the keep-masks.

    TODO: Compute one mask per Dense layer (per layer, or from one global ranking) and apply them.

    STEP-BY-STEP IMPLEMENTATION:
    1. scope must be "layer" or "global" (else ValueError); the model's Dense layers
       (dense_layers) must not be empty (else ValueError)
    2. weights = [_values(layer.weights) for each layer]
    3. scope "layer": mask of each matrix = prune_weights_by_magnitude(w, sparsity)[1]
    4. scope "global": flatten and concatenate all matrices, prune that one long array,
       and cut its mask back into pieces of each matrix's size and shape
    5. Apply the masks to the model with apply_masks, and return them

    EXAMPLE USAGE:
    ```python
    pruned = clone_model(teacher)
    masks = prune_model(pruned, 0.9)      # [mask (64, 256), mask (256, 256), mask (256, 10)]
    calculate_sparsity(pruned)            # 0.9
    prune_model(pruned, 0.9, scope="global")
    ```

    IMPLEMENTATION HINTS:
    - np.concatenate([w.ravel() for w in weights]) makes the long array
    - Walk through it with a running start index: piece = keep[start:start + w.size]
    """
    ### BEGIN SOLUTION
    if scope not in ("layer", "global"):
        raise ValueError(f"scope must be 'layer' or 'global', got {scope!r}")
    layers = dense_layers(model)
    if not layers:
        raise ValueError("prune_model: the model has no Dense layers to prune")
    weights = [_values(layer.weights) for layer in layers]
    if scope == "layer":
        masks = [prune_weights_by_magnitude(w, sparsity)[1] for w in weights]
    else:
        _, keep = prune_weights_by_magnitude(np.concatenate([w.ravel() for w in weights]), sparsity)
        masks, start = [], 0
        for w in weights:
            masks.append(keep[start:start + w.size].reshape(w.shape))
            start += w.size
    apply_masks(model, masks=masks)
    return masks
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-prune-model", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: prune_weights_by_magnitude
def test_prune_model_and_masks():
    """Per-layer and global pruning in place; masks keep pruned weights at 0 through fine-tuning"""
    print("🔬 Unit Test: Pruning a Model...")

    def zero_fraction(model):
        """Zeros among all Dense weight matrices (computed here, so this test does not need calculate_sparsity)."""
        arrays = _weight_arrays(model)
        return sum(int(np.count_nonzero(w == 0)) for w in arrays) / sum(w.size for w in arrays)

    def small_model():
        return Sequential([_dense_from_arrays([[1.0, -8.0], [3.0, 0.5]], [0.0, 0.0]), lambda x: x,
                           _dense_from_arrays([[0.1, 0.2], [0.3, 0.4]], [0.0, 0.0])])

    # per layer: each matrix loses 2 of its 4 weights
    model = small_model()
    masks = prune_model(model, 0.5)
    assert len(masks) == 2, f"one mask per Dense layer: expected 2, got {len(masks)}"
    w1, w2 = (_values(layer.weights) for layer in dense_layers(model))
    assert np.array_equal(w1, [[0.0, -8.0], [3.0, 0.0]]), f"layer 1 keeps -8 and 3, got {w1.tolist()}"
    assert np.array_equal(w2, np.array([[0.0, 0.0], [0.3, 0.4]], dtype=np.float32)), f"layer 2 keeps 0.3 and 0.4, got {w2.tolist()}"
    assert masks[0].tolist() == [[False, True], [True, False]], f"wrong mask for layer 1: {masks[0].tolist()}"
    assert zero_fraction(model) == 0.5

    # global: the 4 smallest of all 8 are layer 2's weights
    model = small_model()
    masks = prune_model(model, 0.5, scope="global")
    assert masks[0].all() and not masks[1].any(), (
        f"globally, the 4 smallest |w| are all in layer 2, got masks {[m.tolist() for m in masks]}")
    assert zero_fraction(model) == 0.5, "global pruning reaches the same total sparsity"

    # the teacher's layers, on a copy: exact per-layer counts, original untouched
    pruned = clone_model(teacher)
    masks = prune_model(pruned, 0.9)
    assert [m.shape for m in masks] == [(64, 256), (256, 256), (256, 10)], f"mask shapes: {[m.shape for m in masks]}"
    assert [int((~m).sum()) for m in masks] == [14746, 58982, 2304], (
        f"round(0.9 n) zeros per layer: [14746, 58982, 2304], got {[int((~m).sum()) for m in masks]}")
    assert zero_fraction(pruned) == 0.9, f"total sparsity should be 0.9, got {zero_fraction(pruned)}"
    assert zero_fraction(teacher) == 0.0, "prune a clone: the teacher itself must stay dense"

    # masks survive fine-tuning: Adam moves pruned weights, apply_masks puts them back
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.standard_normal((16, 64)).astype(np.float32)), rng.integers(0, 10, 16)
    for use_masks in (False, True):
        model = create_mlp(64, [32], 10, seed=3)
        masks = prune_model(model, 0.8)
        pruned_sparsity = zero_fraction(model)
        before = [w.copy() for w in _weight_arrays(model)]
        optimizer = Adam(model.parameters(), learning_rate=1e-2)
        for _ in range(3):
            optimizer.zero_grad()
            CrossEntropyLoss()(model(x), y).backward()
            optimizer.step()
            if use_masks:
                apply_masks(model, masks)
        after = _weight_arrays(model)
        if use_masks:
            assert zero_fraction(model) == pruned_sparsity, (
                f"with apply_masks the sparsity stays {pruned_sparsity:.4f}, got {zero_fraction(model):.4f}")
            assert all(np.all(a[~m] == 0) for a, m in zip(after, masks)), "every pruned weight must stay exactly 0"
            assert all(np.any(a[m] != b[m]) for a, b, m in zip(after, before, masks)), "the kept weights still train"
        else:
            assert zero_fraction(model) < 0.1, "without masks, Adam revives the pruned weights (the test's premise)"

    # masks given as nested lists, or as 0/1 numbers, are converted to booleans
    model = small_model()
    apply_masks(model, [[[True, False], [False, True]], np.array([[1, 1], [0, 1]])])
    w1, w2 = (_values(layer.weights) for layer in dense_layers(model))
    assert np.array_equal(w1, [[1.0, 0.0], [0.0, 0.5]]), f"a list mask [[T, F], [F, T]] keeps 1 and 0.5, got {w1.tolist()}"
    assert np.array_equal(w2, np.array([[0.1, 0.2], [0.0, 0.4]], dtype=np.float32)), (
        f"a 0/1 mask [[1, 1], [0, 1]] zeroes only the weight where it is 0, got {w2.tolist()}")

    for bad_call in (lambda: prune_model(small_model(), 0.5, scope="row"),
                     lambda: apply_masks(small_model(), masks[:1]),
                     lambda: apply_masks(small_model(), [np.ones((3, 3), bool), np.ones((2, 2), bool)])):
        try:
            bad_call()
        except ValueError:
            pass
        else:
            raise AssertionError("a wrong scope, mask count or mask shape should raise ValueError")

    print("✅ Model pruning tests passed!")

test_prune_model_and_masks()

# %% [markdown]
# ### Measured: what pruning without fine-tuning does to the teacher
# One-shot pruning of copies of the teacher at increasing sparsity, no fine-tuning. Read
# the numbers before trusting any intuition about "unimportant" weights.

# %% nbgrader={"grade": false, "grade_id": "pruning-sweep", "locked": true, "schema_version": 3, "solution": false}
print(f"{'sparsity':>9} {'per-layer acc':>14} {'global acc':>11}   share of weights kept per layer (global)")
for level in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
    per_layer, global_ = clone_model(teacher), clone_model(teacher)
    prune_model(per_layer, level)
    global_masks = prune_model(global_, level, scope="global")
    print(f"{level:>9.0%} {evaluate_accuracy(per_layer, x_test, y_test):>14.2%} "
          f"{evaluate_accuracy(global_, x_test, y_test):>11.2%}   "
          + "  ".join(f"{m.mean():.1%}" for m in global_masks))

untrained = create_mlp(64, [256, 256], 10, seed=0)          # the teacher's starting point
for start, trained in zip(dense_layers(untrained), dense_layers(teacher)):
    w0, w = _values(start.weights), _values(trained.weights)
    moved = np.linalg.norm(w - w0) / np.linalg.norm(w0)
    similar = np.corrcoef(np.abs(w0).ravel(), np.abs(w).ravel())[0, 1]
    print(f"layer {start.input_size:>3} → {start.output_size:<3}: weights moved {moved:.0%} of their size in training; "
          f"correlation of |w| with |w at initialisation| = {similar:.2f}")

# %% [markdown]
# The cost grows slowly at first and then falls off a cliff: past 80% the network is badly
# hurt, and at 90% it is far from the teacher until it is fine-tuned (Step 8 does that,
# and the test there measures the result).
#
# Why is it so steep here? The last three lines compare each trained weight matrix with
# the random matrix it started from (`create_mlp(..., seed=0)` again, untrained): the
# weights moved only a fraction of their size in 20 short epochs, and a weight's
# magnitude after training is still mostly its magnitude at initialisation. So
# |w| says little about importance here, and pruning by magnitude removes useful weights
# too. (Weight decay, which pulls unneeded weights towards 0 during training, is the usual
# way to make magnitude a better guide; we do not measure that here.)
#
# ### Zeros still cost bytes
# A 90%-sparse matrix stored as a normal array still holds every zero: the bytes do not
# change. To save memory you need a **sparse format** such as CSR (compressed sparse row):
# the nonzero values, the column index of each, and one offset per row. With 4-byte values
# and 4-byte indices each nonzero costs 8 bytes instead of 4, so sparsity only saves
# memory above 50%:

# %% nbgrader={"grade": false, "grade_id": "csr-bytes", "locked": true, "schema_version": 3, "solution": false}
def csr_nbytes(matrix, value_bytes=4, index_bytes=4):
    """Bytes of a 2-D matrix in CSR: values and column indices of the nonzeros, and rows + 1 offsets."""
    nonzero = int(np.count_nonzero(matrix))
    return nonzero * (value_bytes + index_bytes) + (matrix.shape[0] + 1) * index_bytes

print(f"{'sparsity':>9} {'dense bytes':>12} {'CSR bytes':>10} {'CSR / dense':>12}")
for level in (0.0, 0.5, 0.9, 0.95):
    copy_ = clone_model(teacher)
    if level:
        prune_model(copy_, level)
    dense_bytes = sum(w.nbytes for w in _weight_arrays(copy_))
    sparse_bytes = sum(csr_nbytes(w) for w in _weight_arrays(copy_))
    print(f"{level:>9.0%} {dense_bytes:>12,} {sparse_bytes:>10,} {sparse_bytes / dense_bytes:>12.2f}")

# %% [markdown]
# ## Step 3: Structured Pruning — Remove Whole Neurons
#
# ### Zeros do not make a matrix multiply faster
# `x @ W` multiplies every entry of W, zero or not. A dense matrix-multiply routine (BLAS,
# a GPU) does not look for zeros: it does the same multiply-adds for a 90%-sparse layer
# as for the dense one (measured below). Sparse kernels exist, but they win only at high
# sparsity, and on GPUs only with special patterns (for instance NVIDIA's 2:4 sparsity):
# they must pay for an index per nonzero and for irregular memory access.
#
# **Structured pruning** removes whole pieces instead, so the matrices really shrink.
# Removing hidden neuron j of a Dense layer means:
# ```
#       layer k: W_k (in, out)          layer k+1: W_{k+1} (out, next)
#   ┌─────────┬───┬─────────┐         ┌──────────────────────┐
#   │         │ j │         │         │                      │
#   │         │col│         │         ├──────── row j ───────┤  ← delete row j
#   │         │   │         │         │                      │
#   └─────────┴───┴─────────┘         └──────────────────────┘
#        delete column j (and bias[j])
# ```
# Neuron j's output is column j of `x @ W_k + b_k`; the next layer reads it through row j of
# W_{k+1}. Remove both and the network is just a narrower network: (in, out − 1) and
# (out − 1, next). Any layers in between must act element by element (ReLU does), so they
# do not care how many neurons there are.
#
# ### Which neurons?
# We score each neuron by the **L2 norm of its incoming weights**, ‖W_k[:, j]‖: a neuron
# whose weights are all small produces a small signal. We keep the `keep` neurons with the
# largest scores, **in their original order** (ties: the earlier neuron wins).
#
# The kept neurons compute exactly what they computed before; only the removed ones are
# gone. A neuron that was dead (all incoming weights and bias 0, so ReLU outputs 0) can be
# removed without changing the output at all.

# %% nbgrader={"grade": false, "grade_id": "prune-neurons", "locked": false, "schema_version": 3, "solution": true}
#| export
def neuron_importance(layer: Dense) -> np.ndarray:
    """
    The L2 norm of each output neuron's incoming weights: one score per column of the weights.

    TODO: Return the norm of every column of the layer's (in, out) weight matrix, computed
    in float64 (float32 sums of squares can put two close neurons in the wrong order).

    EXAMPLE USAGE:
    ```python
    neuron_importance(_dense_from_arrays([[3.0, 0.0], [4.0, 1.0]]))   # array([5., 1.])
    ```

    IMPLEMENTATION HINTS:
    - np.linalg.norm(w, axis=0) takes the norm down each column
    """
    ### BEGIN SOLUTION
    return np.linalg.norm(np.asarray(_values(layer.weights), dtype=np.float64), axis=0)
    ### END SOLUTION


def prune_neurons(model, layer_index: int, keep: int) -> Sequential:
    """
    A new, narrower model: Dense layer `layer_index` keeps only its `keep` most important neurons.

    TODO: Copy the model's layers, shrink Dense layer number `layer_index` (counting Dense
    layers only, from 0) and the Dense layer after it, and return a new Sequential.

    STEP-BY-STEP IMPLEMENTATION:
    1. layers = deep copies of the model's layers (copy.deepcopy of _layers(model)): the
       original model must not change
    2. positions = the indices in `layers` of the Dense layers; layer_index must have a
       Dense layer after it (0 <= layer_index < len(positions) - 1), else ValueError
    3. layer = layers[positions[layer_index]], after = layers[positions[layer_index + 1]];
       keep must be in [1, layer.output_size], else ValueError
    4. kept = the indices of the `keep` largest neuron_importance(layer), sorted ascending
       (rank with a stable sort of the negated scores, so ties keep the earlier neuron)
    5. Replace layer by _dense_from_arrays(W[:, kept], bias[kept] or None)
       and after by _dense_from_arrays(W_after[kept, :], its bias unchanged or None)
    6. Return Sequential(layers)

    EXAMPLE USAGE:
    ```python
    small = prune_neurons(teacher, 0, keep=64)   # 64 → 64 → 256 → 10
    small = prune_neurons(small, 1, keep=64)     # 64 → 64 → 64 → 10
    prune_neurons(teacher, 2, keep=5)            # ValueError: the output layer has no next layer
    ```

    IMPLEMENTATION HINTS:
    - np.argsort(-scores, kind="stable")[:keep] ranks the best first; np.sort puts them back
      in their original order
    - W[:, kept] selects columns, W[kept, :] rows
    - layer.bias is None for a layer without bias
    """
    ### BEGIN SOLUTION
    layers = [copy.deepcopy(layer) for layer in _layers(model)]
    positions = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    if not 0 <= layer_index < len(positions) - 1:
        raise ValueError(f"prune_neurons: layer_index must name a Dense layer that has another Dense layer "
                         f"after it (0 to {len(positions) - 2}), got {layer_index}")
    first, second = positions[layer_index], positions[layer_index + 1]
    layer, after = layers[first], layers[second]
    if not 1 <= keep <= layer.output_size:
        raise ValueError(f"prune_neurons: keep must be between 1 and {layer.output_size}, got {keep}")
    kept = np.sort(np.argsort(-neuron_importance(layer), kind="stable")[:keep])
    bias = None if layer.bias is None else _values(layer.bias)[kept]
    layers[first] = _dense_from_arrays(_values(layer.weights)[:, kept], bias)
    after_bias = None if after.bias is None else _values(after.bias)
    layers[second] = _dense_from_arrays(_values(after.weights)[kept, :], after_bias)
    return Sequential(layers)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-prune-neurons", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_prune_neurons():
    """Importance = column norms; kept neurons compute exactly as before; dead neurons go for free"""
    print("🔬 Unit Test: Structured Pruning...")

    scores = neuron_importance(_dense_from_arrays([[3.0, 0.0], [4.0, 1.0]]))
    assert np.allclose(scores, [5.0, 1.0]), f"column norms of [[3, 0], [4, 1]] are [5, 1], got {scores}"
    assert scores.dtype == np.float64, f"scores are computed in float64, got {scores.dtype}"
    scores = neuron_importance(_dense_from_arrays(np.arange(12.0).reshape(4, 3)))
    assert np.allclose(scores, np.linalg.norm(np.arange(12.0).reshape(4, 3), axis=0)), (
        f"a (4, 3) layer has 3 neurons: one norm per column, got {scores}")

    model = create_mlp(5, [6, 4], 3, seed=1)
    w0 = _values(model.layers[0].weights)
    w0[:, [1, 4]] *= 0.01                         # neurons 1 and 4 of the first hidden layer are weak
    small = prune_neurons(model, 0, keep=4)
    assert [(l.input_size, l.output_size) for l in dense_layers(small)] == [(5, 4), (4, 4), (4, 3)], (
        f"expected Dense 5→4, 4→4, 4→3, got {[(l.input_size, l.output_size) for l in dense_layers(small)]}")
    assert _values(model.layers[0].weights).shape == (5, 6), "the original model must not change"

    x = Tensor(np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32))
    hidden_before = np.asarray(_values(model.layers[1](model.layers[0](x))))
    hidden_after = np.asarray(_values(small.layers[1](small.layers[0](x))))
    assert np.allclose(hidden_after, hidden_before[:, [0, 2, 3, 5]], rtol=0, atol=1e-6), (
        "the kept neurons (0, 2, 3, 5, in order) must compute exactly what they computed before")

    # dead neurons (zero weights and bias) change nothing when removed
    model = create_mlp(5, [6, 4], 3, seed=2)
    _values(model.layers[0].weights)[:, [0, 3]] = 0.0
    small = prune_neurons(model, 0, keep=4)
    assert np.allclose(_values(small(x)), _values(model(x)), atol=1e-6), "removing dead neurons must not change the output"
    assert sum(_values(p).size for p in small.parameters()) == 5 * 4 + 4 + 4 * 4 + 4 + 4 * 3 + 3, "parameter count"

    # the second hidden layer, and ties: the earlier neuron wins
    tied = Sequential([_dense_from_arrays(np.ones((2, 3)), np.zeros(3)), _dense_from_arrays(np.eye(3), np.zeros(3))])
    smaller = prune_neurons(tied, 0, keep=2)
    assert np.array_equal(_values(smaller.layers[1].weights), np.eye(3)[[0, 1], :]), "equal scores: keep neurons 0 and 1"
    assert dense_layers(prune_neurons(create_mlp(5, [6, 4], 3, seed=1), 1, keep=2))[2].input_size == 2, (
        "pruning the second hidden layer shrinks the output layer's inputs")

    # the boundaries: keep 1 neuron, or all of them (the same network)
    model = create_mlp(5, [6, 4], 3, seed=1)
    before = [np.array(_values(p)) for p in model.parameters()]
    one = prune_neurons(model, 0, keep=1)
    assert [(l.input_size, l.output_size) for l in dense_layers(one)] == [(5, 1), (1, 4), (4, 3)], "keep=1 is allowed"
    full = prune_neurons(model, 0, keep=6)
    assert np.allclose(_values(full(x)), _values(model(x)), atol=1e-6), "keep = all 6 neurons gives the same network"
    # the new model is independent: changing it leaves the original alone
    for p in full.parameters():
        _values(p)[...] = 0.0
    assert all(np.array_equal(_values(p), b) for p, b in zip(model.parameters(), before)), (
        "the pruned model must not share layers or arrays with the original: deep-copy the layers")

    for bad in (lambda: prune_neurons(model, 2, keep=2), lambda: prune_neurons(model, 0, keep=0),
                lambda: prune_neurons(model, 0, keep=7)):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("the output layer, keep=0 or keep > neurons should raise ValueError")

    print("✅ Structured pruning tests passed!")

test_prune_neurons()

# %% [markdown]
# ### Measured: sparse versus structured, in time
# The teacher, a 90%-sparse copy (dense arrays full of zeros), and a structurally pruned
# copy with 64 of 256 neurons in each hidden layer (about as many parameters as the sparse
# copy has nonzeros). Each classifies the 360 test digits 100 times; the cell prints the
# multiply-adds each does per batch and the time it takes on this machine. The timing runs
# the models as plain numpy inference (`numpy_inference`: `x @ W + b` on arrays), so that
# it measures the arithmetic and not the bookkeeping of building an autograd graph.

# %% nbgrader={"grade": false, "grade_id": "structured-timing", "locked": true, "schema_version": 3, "solution": false}
def numpy_inference(model):
    """The model as plain numpy inference: Dense layers as x @ W + b on arrays, no autograd graph."""
    steps = []
    for layer in _layers(model):
        if isinstance(layer, Dense):
            w, b = _values(layer.weights), None if layer.bias is None else _values(layer.bias)
            steps.append(lambda x, w=w, b=b: x @ w if b is None else x @ w + b)
        elif hasattr(layer, "qweight"):                        # a quantized layer (Step 5): its own forward
            steps.append(lambda x, layer=layer: _values(layer(x)))
        else:                                                  # an activation, on a plain Tensor
            steps.append(lambda x, layer=layer: _values(layer(Tensor(x))))

    def run(x):
        for step in steps:
            x = step(x)
        return x
    return run


def time_forward(model, x, repeats=100, rounds=5):
    """Milliseconds per forward pass on the batch x, as numpy inference (the best of several rounds)."""
    run, best = numpy_inference(model), float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            run(x)
        best = min(best, (time.perf_counter() - start) / repeats * 1e3)
    return best

sparse_copy = clone_model(teacher)
prune_model(sparse_copy, 0.9)
narrow_copy = prune_neurons(prune_neurons(teacher, 0, keep=64), 1, keep=64)
for name, model in (("teacher (dense)", teacher), ("90% sparse", sparse_copy), ("64-64 structured", narrow_copy)):
    macs = sum(layer.input_size * layer.output_size for layer in dense_layers(model)) * len(x_test)
    nonzero = sum(int(np.count_nonzero(w)) for w in _weight_arrays(model))
    print(f"{name:>17}: {nonzero:>6,} nonzero weights, {macs:>11,} multiply-adds per batch, "
          f"{time_forward(model, x_test):.3f} ms per batch")

# %% [markdown]
# The sparse copy does the same multiply-adds as the teacher, and takes about the same
# time. The structured copy does about a tenth of them, and that shows in the clock. That is
# the trade: unstructured pruning can remove more weights for the same accuracy, but only
# structured pruning makes a plain dense kernel faster.

# %% [markdown]
# ## Step 4: Quantization — 8 Bits per Weight
#
# ### The idea
# Store each weight as an 8-bit integer q, and keep one float **scale** s (and sometimes a
# **zero point** z) to turn it back into a real number:
# ```
# x ≈ x̂ = (q − z) · s             q ∈ {−128, …, 127}: 256 levels, 1 byte each
# ```
# 4 bytes become 1, plus a few bytes for s and z.
#
# ### Symmetric quantization (z = 0)
# Map the largest magnitude m = max|x| to 127:
# ```
# s = m / 127        q = clip(round(x / s), −127, 127)        x̂ = q · s
#
# x = [−2.54, −1.0, 0.0, 0.5, 1.3]:  m = 2.54, s = 0.02
# x / s = [−127, −50, 0, 25, 65]  →  q = [−127, −50, 0, 25, 65], x̂ = x exactly here
# ```
# We use −127…127 and leave −128 unused, so that q = 0 is exactly 0 and +m and −m are
# both representable (TensorFlow Lite's int8 specification and TensorRT do the same for
# weights). Zero maps to zero:
# **pruned weights stay exactly zero** after symmetric quantization.
#
# ### Affine (asymmetric) quantization
# If the values are lopsided, say all in [0, 6] as after a ReLU, symmetric quantization
# wastes the negative half of the levels. Affine quantization maps [lo, hi] onto all 256
# levels, with lo = min(x, 0) and hi = max(x, 0) (the range always includes 0, so 0 is
# exactly representable, which padding and ReLU outputs need):
# ```
# s = (hi − lo) / 255      z = clip(round(−128 − lo / s), −128, 127)
# q = clip(round(x / s) + z, −128, 127)        x̂ = (q − z) · s
#
# x = [−1.0, 0.0, 1.55]:  lo = −1, hi = 1.55, s = 2.55 / 255 = 0.01, z = round(−128 + 100) = −28
# q = [−100 − 28, 0 − 28, 155 − 28] = [−128, −28, 127]
# ```
#
# ### The rounding error bound
# Rounding moves a number by at most half a step, so for every element
# ```
# |x − x̂| ≤ s / 2
# ```
# (Clipping never adds error here: the largest values land within half a step of the end
# of the range.) The error is set by s, and s is set by the **largest** value in the group
# that shares it. That is the weakness of one scale per tensor.
#
# ### Per-tensor versus per-channel
# One output neuron of a layer may have weights around ±2, another around ±0.005. With one
# scale for the whole matrix, s is about 2/127 ≈ 0.016, and every weight smaller than
# s/2 ≈ 0.008 rounds to 0: the small neuron is erased. **Per-channel** quantization gives every
# output channel (every column of our (in, out) weights, `axis=-1`) its own scale, at the
# cost of one float per channel. For the teacher that is 522 scales, 2,088 bytes next to
# 84,480 bytes of int8 weights.
# ```
#           per-tensor: one s            per-channel: one s per column
#   ┌────────────────────┐         ┌────────────────────┐
#   │ 2.0  0.005 ...     │         │ 2.0  0.005 ...     │
#   │-1.5 -0.004 ...     │         │-1.5 -0.004 ...     │
#   └────────────────────┘         └────────────────────┘
#    s = 2.0/127 for all            s = [2.0/127, 0.005/127, ...]
# ```
#
# ### The provided container
# `QuantizedTensor` holds `values` (int8), `scale` (float32), `zero_point` (int32, the
# same shape as scale), `scheme` and `axis` (None for per-tensor). For per-channel, scale
# and zero_point keep the reduced axes with size 1 (shape (1, out) for (in, out) weights),
# so `(values − zero_point) · scale` broadcasts without any reshaping. Its `nbytes` counts
# the int8 values, the float32 scales and, for affine, the zero points (for symmetric,
# z = 0 is implied and not stored).

# %% nbgrader={"grade": false, "grade_id": "quantized-tensor", "locked": true, "schema_version": 3, "solution": false}
#| export
@dataclass(eq=False)
class QuantizedTensor:
    """int8 values with their scale(s) and zero point(s): x ≈ (values − zero_point) · scale."""

    values: np.ndarray        # int8, the shape of the original array
    scale: np.ndarray         # float32: shape () per tensor, or the reduced shape (1, out) per channel
    zero_point: np.ndarray    # int32, same shape as scale (all 0 for symmetric)
    scheme: str               # "symmetric" or "affine"
    axis: Optional[int] = None  # the channel axis for per-channel quantization, None per tensor

    @property
    def shape(self) -> Tuple[int, ...]:
        return self.values.shape

    @property
    def per_channel(self) -> bool:
        return self.axis is not None

    @property
    def nbytes(self) -> int:
        """Storage: int8 values + float32 scales (+ zero points for affine)."""
        total = self.values.nbytes + self.scale.nbytes
        if self.scheme == "affine":
            total += self.zero_point.nbytes
        return int(total)

    def __repr__(self) -> str:
        where = f"per-channel (axis {self.axis})" if self.per_channel else "per-tensor"
        return f"QuantizedTensor(shape={self.shape}, {self.scheme}, {where}, {self.nbytes:,} bytes)"

# %% nbgrader={"grade": false, "grade_id": "quantize", "locked": false, "schema_version": 3, "solution": true}
#| export
def quantize(x, scheme: str = "symmetric", per_channel: bool = False, axis: int = -1) -> QuantizedTensor:
    """
    Quantize x to int8, symmetric or affine, with one scale or one scale per channel.

    TODO: Compute the scale(s) and zero point(s), then round and clip x to int8.

    STEP-BY-STEP IMPLEMENTATION:
    1. scheme must be "symmetric" or "affine" (else ValueError); x = the values as float64;
       x must not be empty (else a ValueError whose message says "empty") and must be
       finite (else ValueError)
    2. The range:
       - per tensor: lo = x.min(), hi = x.max() as 0-d arrays; axis = None
       - per channel: axis = axis % x.ndim (ValueError if out of range);
         reduce over every other axis with keepdims=True: lo = x.min(axis=others, keepdims=True)
    3. symmetric: m = max(|lo|, |hi|); scale = m / 127 (1.0 where m is 0), as float32;
       zero_point = int32 zeros of scale's shape; q = clip(round(x / scale), -127, 127)
    4. affine: lo = min(lo, 0), hi = max(hi, 0); scale = (hi - lo) / 255 (1.0 where hi == lo),
       as float32; zero_point = clip(round(-128 - lo / scale), -128, 127) as int32;
       q = clip(round(x / scale) + zero_point, -128, 127)
    5. Return QuantizedTensor(q as int8, scale, zero_point, scheme, axis)

    EXAMPLE USAGE:
    ```python
    q = quantize(np.array([-2.54, -1.0, 0.0, 0.5, 1.3]))
    q.values, q.scale                     # [-127, -50, 0, 25, 65], 0.02
    q = quantize(np.array([-1.0, 0.0, 1.55]), scheme="affine")
    q.values, q.scale, q.zero_point       # [-128, -28, 127], 0.01, -28
    quantize(w, per_channel=True).scale.shape   # (1, out) for w of shape (in, out)
    ```

    IMPLEMENTATION HINTS:
    - Cast the scale to float32 BEFORE dividing by it: then the stored scale is exactly the
      one used, and dequantize reproduces your numbers
    - np.where(m > 0, m / 127, 1.0) avoids dividing by zero for an all-zero channel
    - tuple(i for i in range(x.ndim) if i != axis) lists the axes to reduce
    - np.round rounds halves to even, as PyTorch does; np.clip then .astype(np.int8)
    """
    ### BEGIN SOLUTION
    if scheme not in ("symmetric", "affine"):
        raise ValueError(f"scheme must be 'symmetric' or 'affine', got {scheme!r}")
    x = np.asarray(_values(x), dtype=np.float64)
    if x.size == 0:
        raise ValueError("quantize: cannot quantize an empty array")
    if not np.all(np.isfinite(x)):
        raise ValueError("quantize: the values must be finite (no nan or inf)")
    if per_channel:
        if not -x.ndim <= axis < x.ndim:
            raise ValueError(f"quantize: axis {axis} is out of range for an array of shape {x.shape}")
        axis = axis % x.ndim
        others = tuple(i for i in range(x.ndim) if i != axis)
        lo, hi = x.min(axis=others, keepdims=True), x.max(axis=others, keepdims=True)
    else:
        axis = None
        lo, hi = np.asarray(x.min()), np.asarray(x.max())
    if scheme == "symmetric":
        bound = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.asarray(np.where(bound > 0, bound / 127.0, 1.0), dtype=np.float32)
        zero_point = np.zeros(scale.shape, dtype=np.int32)
        q = np.clip(np.round(x / scale), -127, 127)
    else:
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
        scale = np.asarray(np.where(hi > lo, (hi - lo) / 255.0, 1.0), dtype=np.float32)
        zero_point = np.clip(np.round(-128.0 - lo / scale), -128, 127).astype(np.int32)
        q = np.clip(np.round(x / scale) + zero_point, -128, 127)
    return QuantizedTensor(q.astype(np.int8), scale, zero_point, scheme, axis)
    ### END SOLUTION

# %% [markdown]
# ### Dequantize
# Going back is one line: x̂ = (q − z) · s, as float32. Convert q and z to float32 **before**
# subtracting: in int8, q − z can overflow (127 − (−128) = 255 does not fit in int8), and
# mixing int32 with float32 would silently give float64.

# %% nbgrader={"grade": false, "grade_id": "dequantize", "locked": false, "schema_version": 3, "solution": true}
#| export
def dequantize(q: QuantizedTensor) -> np.ndarray:
    """
    The float32 values a QuantizedTensor stands for: (values − zero_point) · scale.

    TODO: Convert values and zero_point to float32, subtract, multiply by the scale.

    EXAMPLE USAGE:
    ```python
    dequantize(quantize(np.array([-2.54, -1.0, 0.0, 0.5, 1.3])))   # ≈ [-2.54, -1.0, 0.0, 0.5, 1.3]
    ```

    IMPLEMENTATION HINTS:
    - .astype(np.float32) on both integer arrays; the scale broadcasts by itself
    """
    ### BEGIN SOLUTION
    return (q.values.astype(np.float32) - q.zero_point.astype(np.float32)) * q.scale
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-quantize-exact", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_quantize_exact():
    """Exact int8 values, scales and zero points, symmetric and affine, per tensor and per channel"""
    print("🔬 Unit Test: Quantize / Dequantize, exact cases...")

    q = quantize(np.array([-2.54, -1.0, 0.0, 0.5, 1.3]))
    assert isinstance(q, QuantizedTensor), f"quantize should return a QuantizedTensor, got {type(q).__name__}"
    assert q.values.dtype == np.int8, f"values should be int8, got {q.values.dtype}"
    assert q.values.tolist() == [-127, -50, 0, 25, 65], f"expected [-127, -50, 0, 25, 65], got {q.values.tolist()}"
    assert q.scale.dtype == np.float32 and q.scale.shape == (), f"one float32 scale, got {q.scale.dtype} {q.scale.shape}"
    assert abs(float(q.scale) - 0.02) < 1e-8, f"scale = 2.54 / 127 = 0.02, got {float(q.scale)}"
    assert q.zero_point.tolist() == 0 and q.scheme == "symmetric" and q.axis is None
    assert q.zero_point.dtype == np.int32 and q.zero_point.shape == (), (
        f"symmetric: an int32 zero point 0 of the scale's shape (), got {q.zero_point.dtype} {q.zero_point.shape}")
    x_hat = dequantize(q)
    assert x_hat.dtype == np.float32, f"dequantize should return float32, got {x_hat.dtype}"
    assert np.allclose(x_hat, [-2.54, -1.0, 0.0, 0.5, 1.3], atol=1e-6), f"these values are exact multiples of s, got {x_hat}"

    # rounding: 0.013 / 0.02 = 0.65 → 1, and the largest magnitude may be negative
    q = quantize(np.array([0.013, -2.54, 0.0]))
    assert q.values.tolist() == [1, -127, 0], f"round(0.65) = 1, -2.54 → -127, got {q.values.tolist()}"

    q = quantize(np.array([-1.0, 0.0, 1.55]), scheme="affine")
    assert abs(float(q.scale) - 0.01) < 1e-8, f"affine scale = 2.55 / 255 = 0.01, got {float(q.scale)}"
    assert int(q.zero_point) == -28, f"zero point = round(-128 + 1 / 0.01) = -28, got {q.zero_point}"
    assert q.values.tolist() == [-128, -28, 127], f"expected [-128, -28, 127], got {q.values.tolist()}"
    assert np.allclose(dequantize(q), [-1.0, 0.0, 1.55], atol=1e-6), f"got {dequantize(q)}"

    # all negative: 0 is the top of the range, and the zero point lands on 127
    q = quantize(np.array([-2.55, -1.0, 0.0]), scheme="affine")
    assert int(q.zero_point) == 127 and q.values.tolist() == [-128, 27, 127], (
        f"[-2.55, 0]: s = 0.01, z = 127, q = [-128, 27, 127], got z={q.zero_point}, q={q.values.tolist()}")
    # clip q too: here round(x / s) + z is 155 - 27 = 128 for the largest value, which int8 would wrap to -128
    s = float(np.float32(0.01))
    q = quantize(np.array([-(100.5 + 1e-6) * s, 0.0, (154.5 + 1e-6) * s]), scheme="affine")
    assert int(q.zero_point) == -27 and q.values.tolist() == [-128, -27, 127], (
        f"q must be clipped to [-128, 127]: expected z=-27, q=[-128, -27, 127], got z={q.zero_point}, q={q.values.tolist()}")

    # all positive: the range is stretched to include 0, which lands on -128
    q = quantize(np.array([0.0, 1.0, 2.0, 5.1]), scheme="affine")
    assert int(q.zero_point) == -128 and q.values.tolist() == [-128, -78, -28, 127], (
        f"[0, 5.1]: s = 0.02, z = -128, q = [-128, -78, -28, 127], got z={q.zero_point}, q={q.values.tolist()}")
    q = quantize(np.array([2.0, 4.0]), scheme="affine")
    assert float(dequantize(q)[0]) != 0.0 and abs(float(q.scale) - 4.0 / 255) < 1e-8, "lo = min(x, 0) = 0: s = 4/255"

    # per channel: one scale per column of an (in, out) matrix, kept as shape (1, out)
    w = np.array([[1.0, -0.1], [-0.5, 0.04], [0.25, 0.02]])
    q = quantize(w, per_channel=True)
    assert q.axis == 1 and q.scale.shape == (1, 2), f"axis -1 of a 2-D array is 1, scale shape (1, 2); got {q.axis}, {q.scale.shape}"
    assert np.allclose(q.scale, [[1.0 / 127, 0.1 / 127]]), f"column scales are max|column| / 127, got {q.scale}"
    assert q.values[:, 1].tolist() == [-127, 51, 25], f"column 2 / (0.1/127) = [-127, 50.8→51, 25.4→25], got {q.values[:, 1].tolist()}"
    q0 = quantize(w, per_channel=True, axis=0)
    assert q0.scale.shape == (3, 1) and np.allclose(q0.scale.ravel(), [1.0 / 127, 0.5 / 127, 0.25 / 127]), "rows as channels"
    q2 = quantize(w, per_channel=True, axis=-2)
    assert q2.axis == 0 and np.array_equal(q2.values, q0.values), f"axis=-2 of a 2-D array is axis 0, got axis {q2.axis}"
    qa = quantize(w, scheme="affine", per_channel=True)
    assert qa.zero_point.shape == (1, 2) and qa.zero_point.dtype == np.int32, "one int32 zero point per channel"

    # zeros stay zero (symmetric), an all-zero channel does not divide by zero
    q = quantize(np.array([[0.0, 0.3], [0.0, -0.6]]), per_channel=True)
    assert np.all(np.isfinite(q.scale)) and q.values[:, 0].tolist() == [0, 0], "an all-zero channel quantizes to zeros"
    assert float(q.scale[0, 0]) == 1.0, f"an all-zero channel gets the scale 1.0 (m = 0), got {float(q.scale[0, 0])}"
    assert dequantize(q)[0, 0] == 0.0, "0 must come back as exactly 0"
    q = quantize(np.zeros(4), scheme="affine")
    assert float(q.scale) == 1.0 and int(q.zero_point) == -128 and q.values.tolist() == [-128] * 4, (
        f"affine, all zeros (hi == lo): s = 1.0, z = -128, q = -128 everywhere, got s={float(q.scale)}, "
        f"z={q.zero_point}, q={q.values.tolist()}")
    assert np.all(dequantize(q) == 0.0), "all zeros come back as zeros"

    # the arithmetic is float64 even for float32 input: 0.0354330726 / float32(1/127) = 4.50000012 → 5
    values = [1.0, 0.035433072596788406, 0.04330708459019661]
    x32 = np.array(values, dtype=np.float32)
    q = quantize(x32)
    assert q.values.tolist() == [127, 5, 5], (
        f"x / s is 4.50000012 and 5.49999988 here, which round to 5 and 5; in float32 they become 4.5 and 5.5 "
        f"first (and round to 4 and 6): compute in float64, got {q.values.tolist()}")
    assert np.array_equal(x32, np.array(values, dtype=np.float32)), "quantize must not change its input"
    x64 = np.array([[0.5, -2.0], [1.25, 0.1]])
    quantize(x64, per_channel=True)
    quantize(x64, scheme="affine")
    assert np.array_equal(x64, [[0.5, -2.0], [1.25, 0.1]]), "quantize must not change a float64 input in place"
    assert quantize([[-1.0, 0.5]]).values.tolist() == [[-127, 64]], "a list works too (0.5 / (1/127) = 63.5 → 64)"

    # bytes: int8 values + float32 scales (+ int32 zero points for affine)
    w = np.ones((64, 256), dtype=np.float32)
    assert quantize(w).nbytes == 64 * 256 + 4, f"per tensor: 16384 + 4 bytes, got {quantize(w).nbytes}"
    assert quantize(w, per_channel=True).nbytes == 64 * 256 + 256 * 4, "per channel: 256 scales of 4 bytes"
    assert quantize(w, scheme="affine", per_channel=True).nbytes == 64 * 256 + 256 * 8, "affine adds 256 zero points"

    for empty in (np.zeros(0), np.zeros((0, 3))):
        try:
            quantize(empty)
        except ValueError as error:
            assert "empty" in str(error), f"check for an empty x yourself (the message should say 'empty'), got {error}"
        else:
            raise AssertionError("an empty array cannot be quantized: ValueError expected")
    for bad in (lambda: quantize(w, scheme="int4"), lambda: quantize(w, per_channel=True, axis=2),
                lambda: quantize(np.array([1.0, np.nan])), lambda: quantize(np.zeros((0, 3)))):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("an unknown scheme, a bad axis, nan or an empty array should raise ValueError")

    print("✅ Exact quantization tests passed!")

test_quantize_exact()

# %% nbgrader={"grade": true, "grade_id": "test-quantize-error-bound", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_quantization_error_bound():
    """|x − dequantize(quantize(x))| ≤ scale / 2 everywhere; per-channel beats per-tensor on mixed ranges"""
    print("🔬 Unit Test: Quantization error bound...")

    rng = np.random.default_rng(0)
    cases = [rng.standard_normal(1000), rng.uniform(0, 6, (50, 20)), rng.standard_normal((8, 16)) * 3 - 5,
             rng.laplace(size=(30, 40)).astype(np.float32), np.array([0.7])]
    for x in cases:
        for scheme in ("symmetric", "affine"):
            for per_channel in ((False, True) if x.ndim > 1 else (False,)):
                for axis in ((0, -1) if per_channel else (-1,)):
                    q = quantize(x, scheme=scheme, per_channel=per_channel, axis=axis)
                    error = np.abs(np.asarray(x, dtype=np.float64) - dequantize(q))
                    bound = np.broadcast_to(q.scale.astype(np.float64), error.shape) / 2
                    worst = float(np.max(error / bound))
                    assert worst <= 1.0 + 1e-4, (
                        f"{scheme}, per_channel={per_channel}, axis={axis}, shape {x.shape}: an error is "
                        f"{worst:.4f} × scale/2; rounding can only move a value by half a step")

    # channels with very different ranges: per-tensor erases the small ones
    w = rng.standard_normal((64, 3)) * np.array([2.0, 0.05, 0.001])
    per_tensor = dequantize(quantize(w))
    per_channel = dequantize(quantize(w, per_channel=True))
    assert np.all(per_tensor[:, 2] == 0.0), "with one scale of ~2/127, every weight of the ±0.001 channel rounds to 0"
    for c in range(3):
        relative = np.abs(per_channel[:, c] - w[:, c]).max() / np.abs(w[:, c]).max()
        assert relative <= 0.5 / 127 + 1e-6, f"per channel, channel {c}'s error is at most half a step of its own range"
    mse_tensor, mse_channel = np.mean((per_tensor - w) ** 2), np.mean((per_channel - w) ** 2)
    assert mse_channel < mse_tensor, f"per-channel error {mse_channel:.3g} should be below per-tensor {mse_tensor:.3g}"
    print(f"   mixed ranges: per-tensor MSE {mse_tensor:.3g}, per-channel MSE {mse_channel:.3g}")

    print("✅ Error bound tests passed!")

test_quantization_error_bound()

# %% [markdown]
# ### Measured: quantization error on the teacher's weights
# For each weight matrix of the teacher and each scheme: the worst error relative to the
# largest weight, and the mean squared error.

# %% nbgrader={"grade": false, "grade_id": "teacher-quantization-error", "locked": true, "schema_version": 3, "solution": false}
print(f"{'layer':>12} {'scheme':>10} {'granularity':>12} {'max |error| / max |w|':>22} {'MSE':>10}")
for layer in dense_layers(teacher):
    w = _values(layer.weights)
    for scheme in ("symmetric", "affine"):
        for per_channel in (False, True):
            error = w - dequantize(quantize(w, scheme, per_channel))
            print(f"{layer.input_size:>5} → {layer.output_size:<4} {scheme:>10} "
                  f"{'channel' if per_channel else 'tensor':>12} {np.abs(error).max() / np.abs(w).max():>22.5f} "
                  f"{np.mean(error ** 2):>10.2e}")

# %% [markdown]
# ## Step 5: Running a Quantized Model
#
# `quantize_model(model)` replaces every `Dense` layer by a `QuantizedDense` that stores
# int8 weights and float32 biases (biases are few, and they are added to large
# accumulated sums, so they keep full precision), and keeps the other layers (ReLU) as they
# are. The provided `QuantizedDense.__init__` quantizes the weights per output channel
# (`axis=-1`) by default, and `QuantizedModel` chains the layers and adds up their bytes.
#
# You write `QuantizedDense.forward`: dequantize the weights and apply the layer. This is
# **weight-only quantization**: storage and memory traffic are int8, the arithmetic is
# float32. It is how large language models are commonly served (int8 or int4 weights,
# float activations). The cell after the test shows the other way: integer arithmetic.
#
# The quantized model is for inference only: it returns plain `Tensor`s and has no
# gradients.

# %% nbgrader={"grade": false, "grade_id": "quantized-model", "locked": false, "schema_version": 3, "solution": true}
#| export
class QuantizedDense:
    """A Dense layer with int8 weights (a QuantizedTensor) and a float32 bias, for inference."""

    def __init__(self, layer: Dense, scheme: str = "symmetric", per_channel: bool = True):
        self.input_size, self.output_size = layer.input_size, layer.output_size
        self.qweight = quantize(layer.weights, scheme=scheme, per_channel=per_channel, axis=-1)
        self.bias = None if layer.bias is None else np.array(_values(layer.bias), dtype=np.float32)

    def forward(self, x) -> Tensor:
        """
        x @ dequantize(qweight) + bias, as a Tensor.

        TODO: Apply the layer with its dequantized weights.

        STEP-BY-STEP IMPLEMENTATION:
        1. x = the input's values as float32; if its last axis is not self.input_size,
           raise ValueError naming the expected size and x's shape
        2. Multiply x by the dequantized weight matrix (dequantize gives it as float32)
        3. Add self.bias if there is one
        4. Return Tensor(out)

        EXAMPLE USAGE:
        ```python
        layer = QuantizedDense(Dense(3, 2, seed=0))
        layer(Tensor(np.ones((4, 3)))).shape   # (4, 2)
        ```

        IMPLEMENTATION HINTS:
        - _values(x) accepts Tensors, Variables and arrays
        """
        ### BEGIN SOLUTION
        inputs = np.asarray(_values(x), dtype=np.float32)
        if inputs.ndim == 0 or inputs.shape[-1] != self.input_size:
            raise ValueError(f"QuantizedDense({self.input_size} -> {self.output_size}) expects inputs whose "
                             f"last axis is {self.input_size}, got shape {inputs.shape}")
        out = inputs @ dequantize(self.qweight)
        if self.bias is not None:
            out = out + self.bias
        return Tensor(out)
        ### END SOLUTION

    def __call__(self, x) -> Tensor:
        return self.forward(x)

    @property
    def nbytes(self) -> int:
        """int8 weights + their scales (and zero points) + the float32 bias."""
        return self.qweight.nbytes + (0 if self.bias is None else int(self.bias.nbytes))

    def __repr__(self) -> str:
        return f"QuantizedDense({self.input_size} -> {self.output_size}, {self.qweight.scheme})"


class QuantizedModel:
    """A chain of layers in which every Dense has been replaced by a QuantizedDense."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __call__(self, x):
        return self.forward(x)

    @property
    def weight_nbytes(self) -> int:
        """Bytes of the quantized weight matrices (int8 values, scales, zero points)."""
        return sum(layer.qweight.nbytes for layer in self.layers if isinstance(layer, QuantizedDense))

    @property
    def nbytes(self) -> int:
        """Bytes of everything stored: quantized weights and float32 biases."""
        return sum(layer.nbytes for layer in self.layers if isinstance(layer, QuantizedDense))

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"QuantizedModel([\n{inner}\n])"


def quantize_model(model, scheme: str = "symmetric", per_channel: bool = True) -> QuantizedModel:
    """
    A QuantizedModel: every Dense layer of `model` quantized, every other layer kept.

    TODO: Build the list of layers and wrap it in a QuantizedModel.

    STEP-BY-STEP IMPLEMENTATION:
    1. For each layer of _layers(model): QuantizedDense(layer, scheme, per_channel) if it is
       a Dense, otherwise the layer itself
    2. Return QuantizedModel(that list)

    EXAMPLE USAGE:
    ```python
    qmodel = quantize_model(teacher)       # symmetric, per channel
    qmodel(Tensor(x_test))                  # logits, as a Tensor
    qmodel.weight_nbytes                    # 86,568: 84,480 int8 weights + 522 float32 scales
    ```

    IMPLEMENTATION HINTS:
    - isinstance(layer, Dense); the teacher itself is not modified
    """
    ### BEGIN SOLUTION
    return QuantizedModel([QuantizedDense(layer, scheme, per_channel) if isinstance(layer, Dense) else layer
                           for layer in _layers(model)])
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-quantize-model", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: quantize, dequantize
def test_quantize_model():
    """A quantized model computes with dequantized weights, keeps biases exact, and counts its bytes"""
    print("🔬 Unit Test: Quantized model...")

    model = create_mlp(6, [5], 3, seed=4)
    _values(model.layers[0].bias)[:] = np.arange(5, dtype=np.float32) / 10
    qmodel = quantize_model(model)
    assert isinstance(qmodel, QuantizedModel) and len(qmodel.layers) == 3, "Dense, ReLU, Dense → three layers"
    assert isinstance(qmodel.layers[0], QuantizedDense) and qmodel.layers[1] is model.layers[1], (
        "Dense layers become QuantizedDense; other layers are kept as they are")
    assert qmodel.layers[0].qweight.values.dtype == np.int8 and qmodel.layers[0].qweight.per_channel, (
        "weights are int8, per channel by default")
    assert np.array_equal(qmodel.layers[0].bias, np.arange(5, dtype=np.float32) / 10), "the bias is kept in float32"

    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    out = qmodel(Tensor(x))
    assert isinstance(out, Tensor) and out.shape == (4, 3), f"expected a Tensor of shape (4, 3), got {type(out).__name__}"
    w1, w2 = (dequantize(layer.qweight) for layer in qmodel.layers[::2])
    expected = np.maximum(x @ w1 + qmodel.layers[0].bias, 0) @ w2 + qmodel.layers[2].bias
    assert np.allclose(_values(out), expected, atol=1e-5), "forward must be x @ dequantize(weights) + bias, layer by layer"
    assert np.allclose(_values(qmodel(x)), expected, atol=1e-5), "plain arrays work as inputs too"
    layer = qmodel.layers[0]
    hidden = x @ w1 + layer.bias
    from_list = _values(layer(x.tolist()))
    assert from_list.shape == (4, 5) and np.allclose(from_list, hidden, atol=1e-5), "a nested list works as an input too"
    from_f64 = _values(layer(x.astype(np.float64)))
    assert from_f64.dtype == np.float32, f"the layer computes in float32 whatever the input's dtype, got {from_f64.dtype}"
    one = _values(layer(x[0]))
    assert one.shape == (5,) and np.allclose(one, hidden[0], atol=1e-5), (
        f"a single sample of shape (6,) gives shape (5,), got {one.shape}")
    try:
        layer(np.float32(2.0))
    except ValueError:
        pass
    else:
        raise AssertionError("a 0-d input has no feature axis: ValueError expected")
    assert np.abs(_values(out) - _values(model(Tensor(x)))).max() < 0.05, "int8 weights barely change the outputs"

    assert qmodel.weight_nbytes == 6 * 5 + 5 * 4 + 5 * 3 + 3 * 4, f"int8 weights + per-channel scales, got {qmodel.weight_nbytes}"
    assert qmodel.nbytes == qmodel.weight_nbytes + (5 + 3) * 4, f"plus the float32 biases, got {qmodel.nbytes}"
    affine = quantize_model(model, scheme="affine", per_channel=False)
    assert affine.layers[0].qweight.scheme == "affine" and not affine.layers[0].qweight.per_channel

    try:
        qmodel(Tensor(np.ones((2, 7))))
    except ValueError as exc:
        assert "6" in str(exc) and "(2, 7)" in str(exc), f"name the expected size and the shape, got: {exc}"
    else:
        raise AssertionError("an input with 7 features for a 6-input layer should raise ValueError")

    print("✅ Quantized model tests passed!")

test_quantize_model()

# %% [markdown]
# ### Measured: int8 arithmetic, and what numpy makes of it
# Real int8 inference also quantizes the *activations*, and multiplies integers. For a
# symmetric layer, with the input quantized per batch (scale s_x, "dynamic quantization"):
# ```
# x @ W ≈ (s_x · q_x) @ (q_W · s_W) = s_x · s_W · (q_x @ q_W)
# ```
# q_x @ q_W is a sum of int8 × int8 products. Each product fits in 16 bits, but a sum of
# 64 or 256 of them does not, so hardware accumulates in **int32** and rescales once at
# the end. The cell runs the teacher this way and compares it with the float model. It
# also times a float32 and an int32 matrix product in numpy: numpy hands float32 to an
# optimised BLAS library but has no such routine for integers, so here integers are
# *slower*. The speed of int8 comes from hardware and kernels built for it (CPU vector
# instructions, GPU tensor cores), not from the number format alone.

# %% nbgrader={"grade": false, "grade_id": "int8-arithmetic", "locked": true, "schema_version": 3, "solution": false}
def int8_forward(qmodel, x):
    """Run a symmetric QuantizedModel with integer matrix products (activations quantized per batch)."""
    x = np.asarray(_values(x), dtype=np.float32)
    for layer in qmodel.layers:
        if isinstance(layer, QuantizedDense):
            qx = quantize(x)                                                  # symmetric, per tensor
            accumulators = qx.values.astype(np.int32) @ layer.qweight.values.astype(np.int32)
            x = (accumulators * (qx.scale * layer.qweight.scale)).astype(np.float32) + layer.bias
        else:
            x = np.asarray(_values(layer(Tensor(x))))
    return x

teacher_int8 = quantize_model(teacher)
integer_logits = int8_forward(teacher_int8, x_test)
float_logits = np.asarray(_values(teacher(Tensor(x_test))))
print(f"int8 weights, float arithmetic: {evaluate_accuracy(teacher_int8, x_test, y_test):.2%}")
print(f"int8 weights and activations, int32 accumulation: {np.mean(integer_logits.argmax(1) == y_test):.2%} "
      f"(largest logit difference from float: {np.abs(integer_logits - float_logits).max():.3f})")
a32, b32 = np.ones((360, 256), np.float32), np.ones((256, 256), np.float32)
a_int, b_int = a32.astype(np.int32), b32.astype(np.int32)
for name, (a, b) in (("float32", (a32, b32)), ("int32", (a_int, b_int))):
    start = time.perf_counter()
    for _ in range(20):
        a @ b
    print(f"numpy {name} (360×256) @ (256×256): {(time.perf_counter() - start) / 20 * 1e3:.2f} ms")

# %% [markdown]
# ## Step 6: Knowledge Distillation — A Small Model Taught by a Big One
#
# ### Dark knowledge
# A trained classifier's output is more than its top answer. For an image of a 3 it might
# give "3" 95%, "5" 3%, "8" 1.5%: the small numbers say which *wrong* answers are close,
# that this 3 looks a bit like a 5. Geoffrey Hinton called this **dark knowledge**, and
# Hinton, Vinyals and Dean (2015) proposed training a small **student** to match the big
# **teacher**'s whole probability distribution, not just the one-hot label. Labels say
# "this is a 3"; the teacher says how much it is like every other digit, for every
# training example.
#
# ### Temperature
# The teacher's softmax is usually confident, so the small probabilities are tiny and
# carry almost no gradient. Dividing the logits by a **temperature** T > 1 before the
# softmax softens the distribution and brings them up:
# ```
# p_i(T) = exp(z_i / T) / Σ_j exp(z_j / T)
#
# logits [6, 2, 1]:   T = 1 → [0.976, 0.018, 0.007]     T = 4 → [0.604, 0.222, 0.173]
# ```
#
# ### The loss
# ```
# L = α · T² · KL(p_teacher(T) ‖ p_student(T))  +  (1 − α) · CE(student logits, labels)
#
# KL(p ‖ q) = Σ_i p_i (log p_i − log q_i)         averaged over the batch
# ```
# The first term pulls the student's softened distribution towards the teacher's; the
# second is the usual cross-entropy with the true labels, at T = 1.
#
# ### Why T²?
# The gradient of the KL term with respect to a student logit is
# ```
# ∂/∂z_i  KL(p_t(T) ‖ p_s(T)) = (p_s,i(T) − p_t,i(T)) / T
# ```
# and for large T the difference p_s − p_t itself shrinks like 1/T (the softened
# probabilities are all close to 1/C). So the soft gradients shrink like 1/T²: raise the
# temperature and the soft term would quietly stop mattering next to the hard one.
# Multiplying by T² keeps its gradients the same size whatever T is, so α alone sets the
# balance. (A cell below measures this.)
#
# ### The gradient, fused
# As with cross-entropy in module 09, the combined gradient is simple, so we make **one**
# graph node with `apply_op` (only the student's logits receive a gradient; the teacher is
# fixed):
# ```
# ∂L/∂z = [ α · T · (p_s(T) − p_t(T))  +  (1 − α) · (softmax(z) − onehot(y)) ] / N
# ```
# (α T² · (1/T) = α T.) Provided: `_log_softmax(z)` (stable, row by row, the log-sum-exp
# trick of module 09) and `_class_indices(labels, n, c)` (checks the labels).

# %% nbgrader={"grade": false, "grade_id": "distillation-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def _log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax of each row, computed stably: (z − max) − log Σ exp(z − max)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _class_indices(labels, n: int, c: int) -> np.ndarray:
    """Integer labels of shape (n,), each in [0, c), or a clear ValueError."""
    y = np.asarray(_values(labels))
    if y.shape not in ((n,), (n, 1)):
        raise ValueError(f"expected {n} class labels of shape ({n},), got shape {y.shape}")
    y = y.reshape(n)
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number) or np.any(y != np.round(y)):
        raise ValueError("labels must be integer class indices")
    y = y.astype(np.int64)
    if np.any((y < 0) | (y >= c)):
        raise ValueError(f"labels must be in [0, {c - 1}], got {y.min()}..{y.max()}")
    return y

# %% nbgrader={"grade": false, "grade_id": "distillation-loss", "locked": false, "schema_version": 3, "solution": true}
#| export
class DistillationLoss:
    """
    α · T² · KL(softmax(teacher / T) ‖ softmax(student / T)) + (1 − α) · CE(student, labels),
    averaged over the batch; one graph node whose gradient reaches the student's logits only.
    """

    def __init__(self, temperature: float = 4.0, alpha: float = 0.5):
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.temperature = float(temperature)
        self.alpha = float(alpha)

    def __call__(self, student_logits, teacher_logits, labels):
        return self.forward(student_logits, teacher_logits, labels)

    def forward(self, student_logits, teacher_logits, labels):
        """
        The distillation loss, as a scalar Variable (a 0-d Tensor if student_logits is not a Variable).

        TODO: Compute the loss with numpy and return one graph node with the fused gradient.

        STEP-BY-STEP IMPLEMENTATION:
        1. raw = the student's values (_values), z = raw as float64, t = the teacher's values
           as float64. z must be 2-D and t must have z's shape (else ValueError naming both);
           (n, c) is z's shape; y = the labels checked by _class_indices (it needs n and c);
           T and α are self.temperature and self.alpha
        2. log_ps and log_pt: the log-softmax (_log_softmax) of z / T and of t / T;
           pt = exp(log_pt), the teacher's softened probabilities
        3. kl = sum(pt · (log_pt − log_ps)) / n
        4. log_p = _log_softmax(z); ce = −mean of log_p[row i, y[i]]
        5. loss = α · T² · kl + (1 − α) · ce
        6. dtype = raw's dtype if it is floating point, else float64;
           if student_logits is not a Variable: return Tensor(loss as a 0-d array of dtype)
        7. distillation_backward(grad_output) returns a 1-tuple:
           grad_output · [α · T · (exp(log_ps) − pt) + (1 − α) · (exp(log_p) − onehot)] / n,
           cast to dtype
        8. Return apply_op with the loss (a 0-d array of dtype), the parents tuple holding
           student_logits alone, your backward function, and the name "distillation_backward"

        EXAMPLE USAGE:
        ```python
        loss_fn = DistillationLoss(temperature=4.0, alpha=0.5)
        student = Variable([[1.0, 0.0, -1.0]])
        loss = loss_fn(student, np.array([[6.0, 2.0, 1.0]]), [0])
        loss.backward()
        student.grad        # one row, summing to 0
        ```

        IMPLEMENTATION HINTS:
        - log_p[np.arange(n), y] picks each row's label entry
        - onehot: np.zeros_like(probs), then set [np.arange(n), y] to 1
        - Compute the arrays the backward needs in forward: the backward is a closure
        - grad_output arrives as a 0-d ndarray; multiply by it (the loss may be scaled)
        """
        ### BEGIN SOLUTION
        raw = _values(student_logits)
        z = np.asarray(raw, dtype=np.float64)
        t = np.asarray(_values(teacher_logits), dtype=np.float64)
        if z.ndim != 2 or t.shape != z.shape:
            raise ValueError(f"DistillationLoss: student logits {z.shape} and teacher logits {t.shape} "
                             "must have the same (N, C) shape")
        n, c = z.shape
        y = _class_indices(labels, n, c)
        T, alpha = self.temperature, self.alpha
        rows = np.arange(n)

        log_ps = _log_softmax(z / T)
        log_pt = _log_softmax(t / T)
        pt = np.exp(log_pt)
        kl = np.sum(pt * (log_pt - log_ps)) / n
        log_p = _log_softmax(z)
        ce = -log_p[rows, y].mean()
        loss = alpha * T * T * kl + (1.0 - alpha) * ce

        dtype = raw.dtype if np.issubdtype(raw.dtype, np.floating) else np.float64
        if not isinstance(student_logits, Variable):
            return Tensor(np.asarray(loss, dtype=dtype))

        ps, probs = np.exp(log_ps), np.exp(log_p)
        onehot = np.zeros_like(probs)
        onehot[rows, y] = 1.0

        def distillation_backward(grad_output):
            grad = (alpha * T * (ps - pt) + (1.0 - alpha) * (probs - onehot)) / n
            return ((grad * np.asarray(grad_output, dtype=np.float64)).astype(dtype),)

        return apply_op(np.asarray(loss, dtype=dtype), (student_logits,), distillation_backward,
                        name="distillation_backward")
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"DistillationLoss(temperature={self.temperature:g}, alpha={self.alpha:g})"

# %% nbgrader={"grade": true, "grade_id": "test-distillation-loss", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_distillation_loss():
    """Values against an independent numpy reference, limits α = 0 and 1, and gradcheck"""
    print("🔬 Unit Test: Distillation loss...")

    def reference(z, t, y, T, alpha):
        """Written without the max-shift trick: logaddexp is stable by itself."""
        log_ps = z / T - np.logaddexp.reduce(z / T, axis=1, keepdims=True)
        log_pt = t / T - np.logaddexp.reduce(t / T, axis=1, keepdims=True)
        kl = np.mean(np.sum(np.exp(log_pt) * (log_pt - log_ps), axis=1))
        log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
        ce = -np.mean(log_p[np.arange(len(y)), y])
        return alpha * T ** 2 * kl + (1 - alpha) * ce

    rng = np.random.default_rng(0)
    z, t, y = rng.standard_normal((5, 4)) * 3, rng.standard_normal((5, 4)) * 3, np.array([0, 3, 1, 1, 2])
    for T, alpha in ((4.0, 0.5), (1.0, 0.3), (2.5, 1.0), (10.0, 0.0)):
        loss = DistillationLoss(T, alpha)(Variable(z), t, y)
        assert isinstance(loss, Variable) and loss.shape == (), f"expected a scalar Variable, got {type(loss).__name__}"
        expected = reference(z, t, y, T, alpha)
        assert abs(float(_values(loss)) - expected) < 1e-10, f"T={T}, alpha={alpha}: expected {expected:.8f}, got {float(_values(loss)):.8f}"

    # one hand-checkable number: the teacher and the student agree, alpha = 1 → 0
    same = Variable(np.array([[2.0, -1.0, 0.5]]), requires_grad=True)
    loss = DistillationLoss(temperature=3.0, alpha=1.0)(same, np.array([[2.0, -1.0, 0.5]]), [2])
    assert abs(float(_values(loss))) < 1e-12, f"KL of a distribution with itself is 0, got {float(_values(loss))}"
    loss.backward()
    assert np.allclose(same.grad.data.data, 0.0), "matching the teacher exactly: zero gradient"

    # alpha = 0 is plain cross-entropy (module 09), value and gradient
    a, b = Variable(z.copy(), requires_grad=True), Variable(z.copy(), requires_grad=True)
    DistillationLoss(4.0, 0.0)(a, t, y).backward()
    CrossEntropyLoss()(b, y).backward()
    assert np.allclose(a.grad.data.data, b.grad.data.data), "alpha = 0 must give the cross-entropy gradient"

    # gradients: checked by finite differences, for several T and alpha
    for T, alpha in ((4.0, 0.5), (1.0, 0.8), (7.0, 1.0)):
        loss_fn = DistillationLoss(T, alpha)
        assert gradcheck(lambda s: loss_fn(s, t, y), [Variable(rng.standard_normal((5, 4)))])
    scaled = Variable(z.copy(), requires_grad=True)
    (DistillationLoss()(scaled, t, y) * 3.0).backward()
    plain = Variable(z.copy(), requires_grad=True)
    DistillationLoss()(plain, t, y).backward()
    assert np.allclose(scaled.grad.data.data, 3 * plain.grad.data.data), "the backward must multiply by grad_output"

    # dtypes, Tensors, stability, errors
    f32 = Variable(z.astype(np.float32), requires_grad=True)
    DistillationLoss()(f32, Tensor(t), Tensor(y)).backward()
    assert f32.grad.data.data.dtype == np.float32, "float32 logits get a float32 gradient"
    node = DistillationLoss(2.0, 0.3)(Variable(z.astype(np.float32), requires_grad=True), t, y)
    first = node.grad_fn(np.array(1.0, dtype=np.float32))[0]
    second = node.grad_fn(np.array(1.0, dtype=np.float32))[0]
    assert first.dtype == np.float32, f"the backward itself should return float32 for float32 logits, got {first.dtype}"
    assert first.shape == (5, 4) and np.array_equal(first, second), "a second backward must give the same gradient"
    node = DistillationLoss(2.0, 0.3)(Variable(z.copy(), requires_grad=True), t, y)
    assert node.grad_fn(np.array(1.0))[0].dtype == np.float64, "float64 logits get a float64 gradient"
    assert _values(DistillationLoss()(Variable(z.astype(np.float32)), t, y)).dtype == np.float32, (
        "float32 logits give a float32 loss")
    out = DistillationLoss()(Tensor(z), t, y)
    assert isinstance(out, Tensor) and not isinstance(out, Variable), "Tensor logits give a Tensor loss"
    assert _values(out).dtype == np.float64 and _values(DistillationLoss()(Tensor(z.astype(np.float32)), t, y)).dtype == np.float32, (
        "the loss keeps the student logits' float dtype (float64 stays float64, float32 stays float32)")

    # float32 logits, computed in float64: near 1e6, a float32 z / T is off by up to 0.016
    z32 = (1e6 + rng.integers(-3, 4, size=(4, 5))).astype(np.float32)
    t32 = (1e6 + rng.integers(-3, 4, size=(4, 5))).astype(np.float32)
    y4 = np.array([0, 1, 2, 3])
    got = float(_values(DistillationLoss(3.0, 0.5)(Variable(z32), t32, y4)))
    expected = reference(z32.astype(np.float64), t32.astype(np.float64), y4, 3.0, 0.5)
    assert abs(got - expected) < 1e-5 * max(1.0, abs(expected)), (
        f"float32 logits near 1e6: expected {expected:.6f}, got {got:.6f}; convert the logits to float64 first")
    big = DistillationLoss()(Variable(np.array([[1000.0, 0.0]])), np.array([[0.0, 1000.0]]), [0])
    assert np.isfinite(float(_values(big))), "logits of ±1000 must not overflow"
    for bad in (lambda: DistillationLoss(temperature=0.0), lambda: DistillationLoss(alpha=1.5),
                lambda: DistillationLoss()(Variable(z), t[:, :3], y),
                lambda: DistillationLoss()(Variable(z), t[:1], y),
                lambda: DistillationLoss()(Variable(z[0]), t[0], y[:1])):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("T <= 0, alpha outside [0, 1] or mismatched shapes should raise ValueError")

    print("✅ Distillation loss tests passed!")

test_distillation_loss()

# %% [markdown]
# ### Measured: dark knowledge, and the T² factor
# First, what the teacher says about a test digit it finds hard (of the digits it gets
# right, the one with the smallest margin between its two top classes), at T = 1 and
# T = 4. Then, for random logits, the size of the soft term's gradient at several
# temperatures, with the T² factor (our loss, α = 1) and without it.

# %% nbgrader={"grade": false, "grade_id": "dark-knowledge", "locked": true, "schema_version": 3, "solution": false}
top_two = np.sort(teacher_logits_test, axis=1)[:, -2:]
margin = np.where(teacher_logits_test.argmax(axis=1) == y_test, top_two[:, 1] - top_two[:, 0], np.inf)
hard = int(np.argmin(margin))                  # right, but only just
for T in (1.0, 4.0):
    probs = np.exp(_log_softmax(teacher_logits_test[hard] / T))
    ranked = np.argsort(-probs)[:4]
    print(f"test digit {hard} (label {y_test[hard]}), T = {T:g}: "
          + ", ".join(f"'{k}' {probs[k]:.1%}" for k in ranked))

rng = np.random.default_rng(0)
student_z, teacher_z, labels = rng.standard_normal((64, 10)) * 4, rng.standard_normal((64, 10)) * 4, rng.integers(0, 10, 64)
print(f"{'T':>4} {'|grad| with T²':>15} {'|grad| without T²':>18}")
for T in (1.0, 2.0, 4.0, 8.0, 16.0):
    s = Variable(student_z, requires_grad=True)
    DistillationLoss(temperature=T, alpha=1.0)(s, teacher_z, labels).backward()
    norm = float(np.linalg.norm(s.grad.data.data))
    print(f"{T:>4g} {norm:>15.4f} {norm / T ** 2:>18.5f}")

# %% [markdown]
# ## Step 7: Measuring a Compressed Model
#
# A compression result is only as good as its measurement. `CompressionMetrics.measure(
# model, x, y)` returns the numbers we compare models by:
#
# | field | what it counts |
# | --- | --- |
# | `parameters` | every stored number: weights and biases |
# | `nonzero` | those that are not 0 |
# | `bytes` | storage: float32 parameters at 4 bytes each, or, for a `QuantizedModel`, its `nbytes` (int8 weights + scales + float32 biases) |
# | `sparsity` | `calculate_sparsity(model)`: zeros among the weight matrices |
# | `accuracy` | `evaluate_accuracy(model, x, y)`, or None without data |
#
# Pruned weights are counted as parameters (they are still stored in the dense array) but
# not as nonzero. `bytes` is what the arrays take: a dense array of zeros costs as much as
# any other (the CSR cell above showed what a sparse format would change).
#
# The provided `_parameter_arrays(model)` lists every parameter as an ndarray, for float
# and quantized models alike (quantized weights dequantized).

# %% nbgrader={"grade": false, "grade_id": "parameter-arrays", "locked": true, "schema_version": 3, "solution": false}
#| export
def _parameter_arrays(model) -> List[np.ndarray]:
    """Every weight and bias of the model as an ndarray (quantized weights dequantized)."""
    arrays = []
    for layer in _layers(model):
        if isinstance(layer, QuantizedDense):
            arrays.append(dequantize(layer.qweight))
            if layer.bias is not None:
                arrays.append(layer.bias)
        elif callable(getattr(layer, "parameters", None)):
            arrays.extend(np.asarray(_values(p)) for p in layer.parameters())
    return arrays

# %% nbgrader={"grade": false, "grade_id": "compression-metrics", "locked": false, "schema_version": 3, "solution": true}
#| export
@dataclass
class CompressionMetrics:
    """What a model costs and how well it works: the numbers compression trades against each other."""

    parameters: int
    nonzero: int
    bytes: int
    sparsity: float
    accuracy: Optional[float] = None

    @classmethod
    def measure(cls, model, x=None, y=None) -> "CompressionMetrics":
        """
        Measure a float or quantized model, and its accuracy on (x, y) if given.

        TODO: Fill in the five fields.

        STEP-BY-STEP IMPLEMENTATION:
        1. arrays = every parameter of the model as an ndarray (_parameter_arrays)
        2. parameters = total number of entries; nonzero = total number of nonzero entries
        3. bytes = model.nbytes for a QuantizedModel, else the total nbytes of the arrays
        4. sparsity = calculate_sparsity(model)
        5. accuracy = evaluate_accuracy(model, x, y) if x is given, else None
        6. Return cls(parameters, nonzero, bytes, sparsity, accuracy), with Python ints
           and floats

        EXAMPLE USAGE:
        ```python
        CompressionMetrics.measure(teacher, x_test, y_test)
        # CompressionMetrics(parameters=85002, nonzero=85002, bytes=340008, sparsity=0.0, accuracy=0.983...)
        ```

        IMPLEMENTATION HINTS:
        - np.count_nonzero(a) counts nonzero entries
        - int(...) turns numpy integers into Python ints
        """
        ### BEGIN SOLUTION
        arrays = _parameter_arrays(model)
        parameters = int(sum(a.size for a in arrays))
        nonzero = int(sum(np.count_nonzero(a) for a in arrays))
        if isinstance(model, QuantizedModel):
            nbytes = int(model.nbytes)
        else:
            nbytes = int(sum(a.nbytes for a in arrays))
        sparsity = float(calculate_sparsity(model))
        accuracy = None if x is None else float(evaluate_accuracy(model, x, y))
        return cls(parameters, nonzero, nbytes, sparsity, accuracy)
        ### END SOLUTION

    def as_dict(self) -> dict:
        return asdict(self)

# %% nbgrader={"grade": true, "grade_id": "test-compression-metrics", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: calculate_sparsity, quantize, dequantize
def test_compression_metrics():
    """Parameters, nonzeros, bytes (float32 and int8) and sparsity of known models"""
    import json
    print("🔬 Unit Test: Compression metrics...")

    def check_python_numbers(metrics):
        """Counts are Python ints, fractions Python floats (numpy's would not go into JSON)."""
        for field in ("parameters", "nonzero", "bytes", "sparsity", "accuracy"):
            value, kind = getattr(metrics, field), (int if field in ("parameters", "nonzero", "bytes") else float)
            if field == "accuracy" and value is None:
                continue
            assert type(value) is kind, f"{field} should be a Python {kind.__name__}, got {type(value).__name__}"
        try:
            json.dumps(metrics.as_dict())
        except TypeError as error:
            raise AssertionError(f"the metrics should be JSON-serialisable (Python numbers, not numpy ones): {error}")

    m = CompressionMetrics.measure(teacher, x_test, y_test)
    assert isinstance(m, CompressionMetrics), f"measure should return a CompressionMetrics, got {type(m).__name__}"
    assert m.parameters == 85002 and m.nonzero == 85002, f"the teacher: 85,002 parameters, all nonzero; got {m}"
    assert m.bytes == 340008, f"85,002 float32 numbers are 340,008 bytes, got {m.bytes}"
    assert m.sparsity == 0.0 and abs(m.accuracy - teacher_accuracy) < 1e-12, f"got {m}"
    check_python_numbers(m)

    model = Sequential([_dense_from_arrays([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]], [0.0, 0.5, 0.0]), lambda x: x,
                        _dense_from_arrays([[1.0], [0.0], [3.0]], [0.0])])
    m = CompressionMetrics.measure(model)
    assert (m.parameters, m.nonzero, m.bytes) == (13, 5, 52), f"13 numbers, 5 nonzero, 52 bytes; got {m}"
    assert abs(m.sparsity - 5 / 9) < 1e-12 and m.accuracy is None, f"5 zero weights of 9 (biases excluded); got {m}"
    check_python_numbers(m)

    quantized = QuantizedModel([QuantizedDense(layer) if isinstance(layer, Dense) else layer for layer in model.layers])
    q = CompressionMetrics.measure(quantized)
    assert q.parameters == 13 and q.nonzero == 5, f"quantizing keeps the counts (zeros stay zero), got {q}"
    check_python_numbers(q)
    assert q.bytes == (6 + 3 * 4 + 3 * 4) + (3 + 1 * 4 + 1 * 4), f"int8 weights + scales + float32 biases, got {q.bytes}"
    assert CompressionMetrics.measure(model).as_dict()["bytes"] == 52, "as_dict() gives the fields"

    pruned = clone_model(teacher)
    for layer in dense_layers(pruned):                 # 90% zeros per layer, set here without prune_model
        _values(layer.weights).reshape(-1)[:round(0.9 * _values(layer.weights).size)] = 0.0
    m = CompressionMetrics.measure(pruned)
    assert m.bytes == 340008 and m.nonzero == 85002 - 76032, f"pruning: same bytes, 76,032 fewer nonzeros; got {m}"

    print("✅ Compression metrics tests passed!")

test_compression_metrics()

# %% [markdown]
# ## Step 8: Compressing the Teacher — the Three Results
#
# ### Training loops (provided)
# `train_student(model, x, y, epochs, learning_rate, ...)` trains any model with Adam in
# shuffled mini-batches, the learning rate multiplied by `gamma` every `step_size` epochs.
# With `teacher_logits` (the teacher's outputs for the same x) it minimises the
# `DistillationLoss`; without, plain cross-entropy. With `masks` it calls
# `apply_masks` after **every** optimizer step. It is the plumbing for all three
# experiments: fine-tuning a pruned copy and training a student are the same loop.
#
# ### A pruned network is a student too
# The obvious way to fine-tune a pruned copy is with the labels. But we have something
# better: the unpruned teacher itself. Fine-tuning the pruned copy to match the teacher's
# soft outputs (distillation, α = 0.5, T = 4) gives it the full picture of what it lost.
# A provided cell after the tests measures both ways.

# %% nbgrader={"grade": false, "grade_id": "train-student", "locked": true, "schema_version": 3, "solution": false}
#| export
def train_student(model, x, y, epochs: int, learning_rate: float, teacher_logits=None, loss=None,
                  masks=None, batch_size: int = 32, step_size: int = 5, gamma: float = 0.5,
                  seed: int = 0) -> List[float]:
    """
    Train `model` on (x, y) with Adam and a StepLR schedule; return the mean loss of each epoch.

    teacher_logits (the teacher's outputs for x) switch the loss to `loss` or DistillationLoss();
    without them the loss is cross-entropy. masks (from prune_model) are re-applied after every step.
    """
    x = np.asarray(_values(x), dtype=np.float32)
    y = np.asarray(_values(y)).reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"train_student: {len(x)} inputs but {len(y)} labels")
    if teacher_logits is not None:
        teacher_logits = np.asarray(_values(teacher_logits), dtype=np.float32)
        if len(teacher_logits) != len(x):
            raise ValueError(f"train_student: {len(teacher_logits)} teacher outputs for {len(x)} inputs")
    if loss is None:
        loss = DistillationLoss() if teacher_logits is not None else CrossEntropyLoss()
    optimizer = Adam(model.parameters(), learning_rate=learning_rate)
    schedule = StepLR(optimizer, step_size=step_size, gamma=gamma)
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(int(epochs)):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            logits = model(Tensor(x[batch]))
            if teacher_logits is None:
                value = loss(logits, y[batch])
            else:
                value = loss(logits, teacher_logits[batch], y[batch])
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            if masks is not None:
                apply_masks(model, masks)
            total += float(_values(value)) * len(batch)
        schedule.step()
        history.append(total / len(x))
    return history

# %% nbgrader={"grade": false, "grade_id": "experiment-setup", "locked": true, "schema_version": 3, "solution": false}
teacher_logits_train = np.asarray(_values(teacher(Tensor(x_train))))
teacher_metrics = CompressionMetrics.measure(teacher, x_test, y_test)
variants = {"teacher (float32)": teacher}      # every compressed model the tests build is recorded here
print(f"teacher: {teacher_metrics}")

# %% [markdown]
# ### Result 1: 90% of the weights gone, at most 1 point lost
# Prune a copy of the teacher to 90% sparsity (per layer), then fine-tune it for 10 short
# epochs (learning rate 1e-2, halved every 3 epochs) with the teacher's soft outputs, the
# masks re-applied after every step.

# %% nbgrader={"grade": true, "grade_id": "test-result-pruning", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: prune_weights_by_magnitude, calculate_sparsity, apply_masks, prune_model, DistillationLoss, CompressionMetrics
def test_pruned_90_percent():
    """90% unstructured sparsity, at most 1 point of test accuracy lost after a masked fine-tune"""
    print("🔬 Unit Test: 90% pruning...")

    pruned = clone_model(teacher)
    masks = prune_model(pruned, 0.9)
    right_after = evaluate_accuracy(pruned, x_test, y_test)
    train_student(pruned, x_train, y_train, epochs=10, learning_rate=1e-2, step_size=3,
                  teacher_logits=teacher_logits_train, loss=DistillationLoss(temperature=4.0, alpha=0.5),
                  masks=masks, seed=0)
    m = CompressionMetrics.measure(pruned, x_test, y_test)
    print(f"   teacher {teacher_accuracy:.2%} → pruned {right_after:.2%} → fine-tuned {m.accuracy:.2%}, "
          f"sparsity {m.sparsity:.2%}, {m.nonzero:,} nonzero parameters of {m.parameters:,}")
    assert m.sparsity >= 0.9, f"at least 90% of the weights must be zero, got {m.sparsity:.2%}"
    assert all(np.all(w[~mask] == 0) for w, mask in zip(_weight_arrays(pruned), masks)), "pruned weights must stay 0"
    assert m.accuracy >= teacher_accuracy - 0.01, (
        f"at most 1 point lost: teacher {teacher_accuracy:.2%}, pruned and fine-tuned {m.accuracy:.2%}")
    variants["pruned 90% + fine-tune"] = pruned

    print("✅ 90% sparse, within 1 point of the teacher!")

test_pruned_90_percent()

# %% [markdown]
# ### Result 2: int8 weights, 4× smaller, at most 0.5 points lost
# Quantize the teacher's weights, symmetric and per channel. No retraining at all
# (post-training quantization). The weight bytes go from 4 per weight to 1 per weight plus
# one float32 scale per output neuron: the ratio is just under 4.

# %% nbgrader={"grade": true, "grade_id": "test-result-int8", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: calculate_sparsity, quantize, dequantize, QuantizedDense, quantize_model, CompressionMetrics
def test_int8_teacher():
    """int8 weights: at least 3.9x fewer weight bytes, at most 0.5 points of test accuracy lost"""
    print("🔬 Unit Test: int8 quantization of the teacher...")

    qmodel = quantize_model(teacher)
    m = CompressionMetrics.measure(qmodel, x_test, y_test)
    float_weight_bytes = sum(w.nbytes for w in _weight_arrays(teacher))
    ratio = float_weight_bytes / qmodel.weight_nbytes
    print(f"   weights: {float_weight_bytes:,} bytes float32 → {qmodel.weight_nbytes:,} bytes int8 + scales "
          f"({ratio:.3f}× smaller); whole model {teacher_metrics.bytes:,} → {m.bytes:,} bytes "
          f"({teacher_metrics.bytes / m.bytes:.3f}×)")
    print(f"   accuracy: teacher {teacher_accuracy:.2%}, int8 {m.accuracy:.2%}")
    assert all(layer.qweight.values.dtype == np.int8 for layer in qmodel.layers if isinstance(layer, QuantizedDense)), (
        "every weight matrix must be stored as int8")
    assert float_weight_bytes == 337920 and qmodel.weight_nbytes == 84480 + 522 * 4, (
        f"84,480 weights: 337,920 bytes in float32; 84,480 + 522 scales × 4 bytes in int8; got {qmodel.weight_nbytes}")
    assert 3.9 <= ratio <= 4.0, f"int8 weights should be 4x smaller, less the scales (>= 3.9x), got {ratio:.3f}x"
    assert m.accuracy >= teacher_accuracy - 0.005, (
        f"at most 0.5 points lost: teacher {teacher_accuracy:.2%}, int8 {m.accuracy:.2%}")
    variants["int8 (symmetric, per channel)"] = qmodel

    print("✅ 4x smaller weights, within half a point!")

test_int8_teacher()

# %% [markdown]
# ### Result 3: a student with 35× fewer parameters
# The student is `create_mlp(64, [32], 10, seed=1)`: one hidden layer of 32 neurons, 2,410
# parameters against the teacher's 85,002. It is trained from scratch for 20 epochs
# (learning rate 1e-2, halved every 5) on the teacher's soft outputs and the labels
# (α = 0.5, T = 4).

# %% nbgrader={"grade": true, "grade_id": "test-result-distillation", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: calculate_sparsity, DistillationLoss, CompressionMetrics
def test_distilled_student():
    """A student at least 4x smaller than the teacher keeps at least 95% of its test accuracy"""
    print("🔬 Unit Test: Distilled student...")

    student = create_mlp(64, [32], 10, seed=1)
    train_student(student, x_train, y_train, epochs=20, learning_rate=1e-2, step_size=5,
                  teacher_logits=teacher_logits_train, loss=DistillationLoss(temperature=4.0, alpha=0.5), seed=0)
    m = CompressionMetrics.measure(student, x_test, y_test)
    smaller = teacher_metrics.parameters / m.parameters
    kept = m.accuracy / teacher_accuracy
    print(f"   student: {m.parameters:,} parameters ({smaller:.1f}× fewer), {m.bytes:,} bytes, "
          f"accuracy {m.accuracy:.2%} = {kept:.1%} of the teacher's {teacher_accuracy:.2%}")
    assert smaller >= 4, f"the student must have at least 4x fewer parameters, got {smaller:.2f}x"
    assert kept >= 0.95, f"the student must keep >= 95% of the teacher's accuracy, kept {kept:.1%}"
    variants["student 64-32-10 (distilled)"] = student

    print("✅ 35x smaller student, >= 95% of the teacher's accuracy!")

test_distilled_student()

# %% [markdown]
# ### Measured: did the teacher's help matter?
# The same two trainings without the teacher: the pruned copy fine-tuned with labels only,
# and the same student architecture trained with labels only (same seeds, same schedule;
# the students over three seeds, since a small network's accuracy varies by a point or
# two from seed to seed, as the cell shows). Then two more variants for the table: the structurally pruned 64-64 network
# (fine-tuned with the teacher, 10 epochs), and the pruned network quantized to int8
# (symmetric quantization keeps its zeros).

# %% nbgrader={"grade": false, "grade_id": "ablations", "locked": true, "schema_version": 3, "solution": false}
labels_only = clone_model(teacher)
label_masks = prune_model(labels_only, 0.9)
train_student(labels_only, x_train, y_train, epochs=10, learning_rate=1e-2, step_size=3, masks=label_masks, seed=0)
print(f"pruned 90%, fine-tuned with labels only:   {evaluate_accuracy(labels_only, x_test, y_test):.2%}")
print(f"pruned 90%, fine-tuned with the teacher:   {evaluate_accuracy(variants['pruned 90% + fine-tune'], x_test, y_test):.2%}")

for mode in ("labels only", "distilled"):
    scores = []
    for seed in (1, 2, 3):
        student = create_mlp(64, [32], 10, seed=seed)
        train_student(student, x_train, y_train, epochs=20, learning_rate=1e-2, step_size=5, seed=seed - 1,
                      teacher_logits=None if mode == "labels only" else teacher_logits_train,
                      loss=None if mode == "labels only" else DistillationLoss(temperature=4.0, alpha=0.5))
        scores.append(evaluate_accuracy(student, x_test, y_test))
    print(f"student 64-32-10, {mode:>11}: " + ", ".join(f"{s:.2%}" for s in scores) + f"  (mean {np.mean(scores):.2%})")

structured = prune_neurons(prune_neurons(teacher, 0, keep=64), 1, keep=64)
structured_before = evaluate_accuracy(structured, x_test, y_test)
train_student(structured, x_train, y_train, epochs=10, learning_rate=1e-2, step_size=3,
              teacher_logits=teacher_logits_train, loss=DistillationLoss(temperature=4.0, alpha=0.5), seed=0)
print(f"structured 64-64: {structured_before:.2%} right after pruning, "
      f"{evaluate_accuracy(structured, x_test, y_test):.2%} after fine-tuning")
variants["structured 64-64 + fine-tune"] = structured
variants["pruned 90% + int8"] = quantize_model(variants["pruned 90% + fine-tune"])

# %% [markdown]
# ### The results table
# Every number below is measured by `CompressionMetrics.measure` and `time_forward`
# (numpy inference, as in Step 3) on the 360 test digits.

# %% nbgrader={"grade": false, "grade_id": "results-table", "locked": true, "schema_version": 3, "solution": false}
print(f"{'model':<32} {'parameters':>10} {'nonzero':>8} {'bytes':>8} {'sparsity':>9} {'accuracy':>9} {'ms/batch':>9}")
for name, model in variants.items():
    m = CompressionMetrics.measure(model, x_test, y_test)
    print(f"{name:<32} {m.parameters:>10,} {m.nonzero:>8,} {m.bytes:>8,} {m.sparsity:>9.1%} "
          f"{m.accuracy:>9.2%} {time_forward(model, x_test, repeats=20):>9.3f}")

# %% [markdown]
# How to read it:
# - **Pruning** removes nonzeros but not bytes or time in this dense format: its savings
#   need a sparse format (memory) or sparse kernels (speed).
# - **Quantization** cuts bytes about 4× with no retraining. Its time here is *not*
#   lower: our `QuantizedDense` dequantizes to float32 on every call, so it does more work.
#   The savings are in storage and memory traffic, and in speed only with int8 kernels.
# - **Structured pruning and distillation** give genuinely smaller dense networks: fewer
#   bytes *and* less time, with any ordinary kernel.
# - The 90%-pruned network and the structured 64-64 one have the same number of nonzero
#   parameters, 8,970. Compare their accuracies and times: unstructured pruning chose its
#   8,970 freely, structured pruning kept whole neurons but runs as a small dense network.
# - Pruning and quantization combine: the pruned network quantizes without losing its
#   zeros. Quantization even adds a few: a weight smaller than half a step, s/2, rounds
#   to 0 (the int8 row's sparsity column).
# - Times are wall-clock on whatever machine runs this, so they vary from run to run;
#   the multiply-add counts in Step 3 do not.

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook and runs it once more.
#
# **This testing section is locked** - it provides consistent feedback across all modules
# and cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

# Automatically discover and run all tests in this module
success = run_module_tests_auto("Compression")

# %% [markdown]
# ## 🎯 Module Summary: Compression
#
# ### ✅ What You've Built
# - **Magnitude pruning**: `prune_weights_by_magnitude`, `calculate_sparsity`,
#   `prune_model` (per layer or global) and `apply_masks`, which keeps pruned weights at 0
#   through fine-tuning
# - **Structured pruning**: `neuron_importance` and `prune_neurons`, which return a
#   genuinely narrower network whose kept neurons compute exactly what they did
# - **int8 quantization**: `quantize` / `dequantize`, symmetric and affine, per tensor and
#   per channel, within scale/2 of every value; `quantize_model` with `QuantizedDense`
# - **Knowledge distillation**: `DistillationLoss`, a fused graph node with the T² factor
# - **Measurement**: `CompressionMetrics.measure`
#
# ### ✅ What You Measured
# - 90% of the teacher's weights removed, within 1 point of its accuracy after a 10-epoch
#   fine-tune with the teacher as the guide (and what labels alone give)
# - int8 weights 3.9× smaller, within half a point, with no retraining
# - a student with 35× fewer parameters keeping at least 95% of the teacher's accuracy
# - that zeros do not make a dense matrix multiply faster, and fewer neurons do
#
# ### 🔗 Connection to Real ML Systems
# - **PyTorch**: `torch.nn.utils.prune` (masks stored beside the weights, re-applied on
#   every forward), `torch.ao.quantization` (per-channel symmetric int8 weights by default
#   for linear layers), `quantize_dynamic` (int8 weights, activations quantized per batch:
#   the `int8_forward` cell)
# - **TensorFlow Lite / ONNX Runtime**: int8 models with scales and zero points exactly as
#   here, running on int8 kernels
# - **Distilled models**: DistilBERT (40% smaller than BERT), and most models that run on
#   phones
#
# ### 🚀 What's Next
# Run the milestone: `tito milestone run compress-digits` repeats the three experiments
# with your exported code and prints the results table.
