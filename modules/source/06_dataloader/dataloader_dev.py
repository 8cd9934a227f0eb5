# %% [markdown]
# # DataLoader
#
# A network learns only from the data it is shown, in the order and the groups it is shown
# them. Until now every test fed a model a hand-made array. Real training needs a **data
# pipeline**: something that knows where the examples are, hands them out in mini-batches,
# shuffles them differently every epoch, and reads the file formats datasets are actually
# published in, without ever giving the model a corrupt or half-downloaded file.
#
# In this module you build that pipeline, the way PyTorch organises it:
#
# ```
#  files on disk          Dataset                 DataLoader               model
# ┌──────────────┐   ┌──────────────────┐   ┌─────────────────────┐   ┌───────────┐
# │ digits.npz   │──▶│ len(ds) = 1437   │──▶│ shuffle, cut into   │──▶│ x (64,64) │
# │ MNIST (IDX)  │   │ ds[i] = (x, y)   │   │ batches of 64,      │   │ y (64,)   │
# │ CIFAR pickle │   │                  │   │ stack into Tensors  │   │           │
# └──────────────┘   └──────────────────┘   └─────────────────────┘   └───────────┘
#    loaders              *what* the            *how* the data is
#                         examples are          served each epoch
# ```
#
# ### What you will build
# - **`Dataset` and `TensorDataset`**: the two-method protocol every dataset follows
# - **`DataLoader`**: mini-batches, per-epoch shuffling from a seeded generator,
#   `drop_last`, `len()`, and a fast path that gathers a whole batch with one numpy call
# - **`load_digits()`**: the 8x8 handwritten digits shipped with TinyTorch, with a fixed,
#   stratified train/test split
# - **`parse_idx()` and `load_mnist()`**: the binary IDX format MNIST is published in
# - **`load_cifar10()`**: CIFAR-10's pickled batches, read safely
# - **Downloads that fail well** (provided): mirrors, MD5 checksums, atomic writes, and
#   a clear message instead of a traceback when you are offline

# %% nbgrader={"grade": false, "grade_id": "dataloader-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.dataloader
#| export
import gzip
import hashlib
import http.client
import importlib.resources
import io
import math
import os
import pickle
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from tinytorch.core.tensor import Tensor

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# - **Learning Side:** You work in `modules/source/06_dataloader/dataloader_dev.py`
# - **Building Side:** Code exports to `tinytorch.core.dataloader`
#
# ```python
# # Final package structure:
# from tinytorch.core.dataloader import TensorDataset, DataLoader, load_digits
#
# x_train, y_train, x_test, y_test = load_digits()
# train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, seed=0)
# for x, y in train_loader:      # x: Tensor (64, 64) float32, y: Tensor (64,) int64
#     ...                        # forward, loss, backward, step (modules 07-09)
# ```
#
# **Why this matters:**
# - **Learning:** the training loop of module 09 is a `for` loop over your `DataLoader`
# - **Production:** mirrors `torch.utils.data` (`Dataset`, `TensorDataset`, `DataLoader`)
#   and the loaders of `torchvision.datasets`
# - **Consistency:** every later milestone reads its data through these functions, so
#   everybody's numbers are computed on exactly the same examples
#
# The module needs only numpy and the Python standard library (`gzip`, `pickle`,
# `tarfile`, `urllib`, `hashlib`, ...), and from TinyTorch only the `Tensor` of module 01.

# %% [markdown]
# ## Step 1: Datasets — What the Examples Are
#
# ### The dataset protocol
# A training set is, abstractly, a list of examples `(x_i, y_i)`. PyTorch's
# `torch.utils.data.Dataset` asks for exactly what a list offers, and nothing more:
#
# ```
# len(dataset)      -> how many examples there are
# dataset[i]        -> example i, for 0 <= i < len(dataset)
# ```
#
# Those two methods are all a `DataLoader` needs. Behind them a dataset may hold
# everything in memory, or read image `i` from disk only when it is asked for, or
# generate it on the fly (random augmentations): the loader does not care. That
# separation — *what* the examples are versus *how* they are served — is why one
# `DataLoader` class works for every dataset ever written for PyTorch.
#
# `Dataset` below is the base class. Its methods raise `NotImplementedError`: a subclass
# must provide them. (Python calls such a class *abstract*.)
#
# ### TensorDataset: a dataset made of arrays
# The most common dataset is a few arrays of the same length, indexed together:
#
# ```
# images  (1437, 64)     labels (1437,)
# ┌───────────────────┐  ┌───┐
# │ row 0: 64 pixels  │  │ 0 │   dataset[0] = (Tensor(images[0]), Tensor(labels[0]))
# │ row 1: 64 pixels  │  │ 7 │   dataset[1] = (Tensor(images[1]), Tensor(labels[1]))
# │ ...               │  │...│
# └───────────────────┘  └───┘
# ```
#
# `TensorDataset(*arrays)` accepts any number of arrays (numpy arrays, `Tensor`s, or
# anything `np.asarray` understands) and checks that they all have the same length along
# their first axis: a dataset with 1437 images and 1436 labels is a bug, and it is far
# easier to find when it is reported at construction than when epoch 3 crashes, or worse,
# when every image is silently paired with its neighbour's label.
#
# Item `i` is a **tuple of Tensors**, one per array, each with the first axis removed:
# `images[i]` has shape `(64,)` and `labels[i]` shape `()`.
#
# We store the arrays as numpy arrays (no copies) in `self.arrays`; Step 4 uses them
# directly for speed. The provided helper `_to_numpy` turns a `Tensor` (or, once you
# have built autograd, a `Variable`, whose `.data` is a Tensor) into its numpy array.

# %% nbgrader={"grade": false, "grade_id": "dataset-base", "locked": true, "schema_version": 3, "solution": false}
#| export
def _to_numpy(obj):
    """The numpy array behind a Tensor, a Variable (whose .data is a Tensor), an array or a list."""
    if isinstance(obj, np.ndarray):
        return obj
    if isinstance(obj, Tensor):
        return obj.data
    inner = getattr(obj, "data", None)
    if isinstance(inner, Tensor):
        return inner.data
    return np.asarray(obj)


class Dataset:
    """
    Base class of all datasets: subclasses define __len__ and __getitem__.

    len(dataset) is the number of examples; dataset[i] is example i (usually a tuple
    such as (x, y)). This is the whole contract a DataLoader relies on.
    """

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

# %% nbgrader={"grade": false, "grade_id": "tensor-dataset", "locked": false, "schema_version": 3, "solution": true}
#| export
class TensorDataset(Dataset):
    """
    A dataset made of arrays of equal length: item i is (Tensor(a[i]) for each array a).

    Like torch.utils.data.TensorDataset.
    """

    def __init__(self, *arrays):
        """
        Keep the arrays (as numpy arrays, without copying) after checking their lengths.

        TODO: Store the arrays in `self.arrays` (a tuple of numpy arrays).

        STEP-BY-STEP IMPLEMENTATION:
        1. No arrays at all: raise ValueError (a dataset needs at least one array)
        2. Convert each argument with `_to_numpy`
        3. Every array needs a first axis: a 0-d array (a single number) is a ValueError
        4. All arrays must have the same length (len() = size of the first axis);
           otherwise raise ValueError with a message that shows all the lengths
        5. Store the converted arrays as a tuple in `self.arrays`

        EXAMPLE USAGE:
        ```python
        ds = TensorDataset(np.zeros((5, 3)), np.arange(5))
        len(ds.arrays)                         # 2
        TensorDataset(np.zeros((5, 3)), np.arange(4))
        # ValueError: TensorDataset: all arrays must have the same length, got lengths [5, 4]
        ```

        IMPLEMENTATION HINTS:
        - `arrays` is already a tuple of all positional arguments
        - `array.ndim == 0` for a 0-d array; len() of one raises TypeError, so check first
        - A set of the lengths has one element exactly when they all agree
        """
        ### BEGIN SOLUTION
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        converted = tuple(_to_numpy(a) for a in arrays)
        for position, array in enumerate(converted):
            if array.ndim == 0:
                raise ValueError(f"TensorDataset: array {position} is a single number (shape ()); "
                                 "every array needs a first axis that indexes the examples")
        lengths = [len(a) for a in converted]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: all arrays must have the same length, got lengths {lengths}")
        self.arrays = converted
        ### END SOLUTION

    def __len__(self):
        """
        The number of examples.

        TODO: Return the length of the first axis (all arrays agree on it).

        STEP-BY-STEP IMPLEMENTATION:
        1. Return len() of any of the stored arrays

        EXAMPLE USAGE:
        ```python
        len(TensorDataset(np.zeros((5, 3)), np.arange(5)))   # 5
        ```

        IMPLEMENTATION HINTS:
        - The first array is as good as any
        """
        ### BEGIN SOLUTION
        return len(self.arrays[0])
        ### END SOLUTION

    def __getitem__(self, index):
        """
        Example `index`: one Tensor per array.

        TODO: Return a tuple with one Tensor for each stored array, holding its row `index`.

        STEP-BY-STEP IMPLEMENTATION:
        1. For each array, take `array[index]` and wrap it in a Tensor
        2. Return them as a tuple, in the order the arrays were given

        EXAMPLE USAGE:
        ```python
        ds = TensorDataset(np.array([[1, 2], [3, 4]]), np.array([7, 8]))
        ds[1]    # (Tensor([3, 4]), Tensor(8))
        ds[-1]   # the same example: negative indices count from the end, as for lists
        ds[2]    # IndexError (numpy raises it for you)
        ```

        IMPLEMENTATION HINTS:
        - tuple(... for array in self.arrays)
        - Let numpy handle negative and out-of-range indices
        """
        ### BEGIN SOLUTION
        return tuple(Tensor(array[index]) for array in self.arrays)
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your TensorDataset

# %% nbgrader={"grade": true, "grade_id": "test-tensor-dataset", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_tensor_dataset():
    """TensorDataset keeps its arrays, checks their lengths and returns tuples of Tensors."""
    print("🔬 Unit Test: TensorDataset...")

    images = np.arange(12, dtype=np.float32).reshape(4, 3)
    labels = np.array([3, 1, 4, 1])
    ds = TensorDataset(images, labels)
    assert isinstance(ds, Dataset), "TensorDataset should be a subclass of Dataset"
    assert len(ds) == 4, f"len(ds) should be 4 (the number of rows), got {len(ds)}"
    assert isinstance(ds.arrays, tuple) and len(ds.arrays) == 2, f"ds.arrays should be a tuple of 2 arrays, got {ds.arrays!r}"
    assert ds.arrays[0] is images, "numpy arrays should be stored as they are (no copy)"

    item = ds[2]
    assert isinstance(item, tuple) and len(item) == 2, f"ds[2] should be a tuple of 2 items, got {item!r}"
    x, y = item
    assert isinstance(x, Tensor) and isinstance(y, Tensor), (
        f"ds[2] should hold Tensors, got {type(x).__name__} and {type(y).__name__}"
    )
    assert x.shape == (3,) and np.array_equal(x.data, [6.0, 7.0, 8.0]), f"ds[2][0] should be [6, 7, 8], got {x.data!r}"
    assert x.dtype == np.float32, f"ds[2][0] should keep the float32 dtype, got {x.dtype}"
    assert y.shape == () and y.item() == 4, f"ds[2][1] should be the 0-d Tensor 4, got {y!r}"
    assert ds[-1][1].item() == 1 and np.array_equal(ds[-1][0].data, [9.0, 10.0, 11.0]), "ds[-1] should be the last example"
    try:
        ds[4]
        assert False, "ds[4] on a dataset of 4 examples should raise IndexError"
    except IndexError:
        pass

    # Tensors, lists and a single array are fine too
    single = TensorDataset(Tensor([[1, 2], [3, 4], [5, 6]]))
    assert len(single) == 3 and len(single[0]) == 1, "a TensorDataset of one array gives 1-tuples"
    assert np.array_equal(single[1][0].data, [3, 4]), f"TensorDataset(Tensor(...))[1] should be [3, 4], got {single[1][0].data!r}"
    assert isinstance(single.arrays[0], np.ndarray), "a Tensor argument should be stored as its numpy array"
    three = TensorDataset([1, 2], [[1, 1], [2, 2]], np.array([True, False]))
    assert [len(t.shape) for t in three[0]] == [0, 1, 0], "each item loses the first axis of its array"

    # Length mismatches and bad input are reported at construction
    for bad_args, what in (((np.zeros((5, 3)), np.arange(4)), "lengths 5 and 4"),
                           ((np.zeros(3), np.zeros(3), np.zeros(2)), "lengths 3, 3 and 2"),
                           ((), "no arrays"),
                           ((np.float32(1.0),), "a 0-d array")):
        try:
            TensorDataset(*bad_args)
            assert False, f"TensorDataset with {what} should raise ValueError"
        except ValueError as exc:
            if bad_args and len(bad_args) > 1:
                lengths = [len(a) for a in bad_args]
                assert str(lengths) in str(exc), f"the message should show the lengths {lengths}, got {str(exc)!r}"

    print("✅ items are tuples of Tensors")
    print("✅ arrays are stored without copies; lengths are checked")

test_tensor_dataset()

# %% [markdown]
# ## Step 2: Mini-Batches and the DataLoader
#
# ### Why not one example at a time? Why not all at once?
# Training minimises the average loss over the training set,
# `L(θ) = (1/n) Σᵢ ℓ(xᵢ, yᵢ; θ)`. Its exact gradient needs a pass over **all** `n`
# examples — for one single step. Stochastic gradient descent (SGD) instead estimates the
# gradient from a random **mini-batch** `B` of `b` examples:
#
# ```
# g_B = (1/b) Σ_{i ∈ B} ∇ℓ(xᵢ, yᵢ; θ)        E[g_B] = ∇L(θ)       Var[g_B] ≈ σ² / b
# ```
#
# The estimate is *unbiased* (right on average) and its noise shrinks like `1/b`. That
# gives the batch size its trade-offs:
#
# | batch size `b`   | steps per epoch | noise per step | what it costs                                  |
# | ---------------- | --------------- | -------------- | ---------------------------------------------- |
# | 1 (pure SGD)     | `n`             | highest        | no vectorisation: one tiny matmul per example  |
# | 32 – 256         | `n / b`         | moderate       | one `(b, features) @ W` per step: fast         |
# | `n` (full batch) | 1               | none           | memory ∝ `n`; one step per pass over the data  |
#
# A little noise is not only tolerable but often useful: it shakes the parameters out of
# sharp, narrow minima. And a batch turns `b` matrix-vector products into **one**
# matrix-matrix product, which numpy (and a GPU, far more so) computes much faster than
# `b` separate ones. Memory for activations grows linearly with `b`, which is what usually
# caps it on a GPU.
#
# ### Epochs
# An **epoch** is one pass in which every training example is used **exactly once**. We
# get that by drawing a random *permutation* of `0 .. n-1` and cutting it into consecutive
# batches — sampling *without* replacement. (Sampling each batch independently *with*
# replacement would also be unbiased, but some examples would be seen twice in an epoch
# and others not at all.)
#
# ### The DataLoader's settings
# `DataLoader(dataset, batch_size, shuffle=False, seed=None, drop_last=False)`:
#
# - `batch_size` must be a positive integer. A batch of `0` examples never gets through
#   the data, a batch of `2.5` examples means nothing: both are a `ValueError` with a
#   message that shows what was given. (`True` is an `int` in Python, but
#   `batch_size=True` is certainly a mistake: we reject booleans too. numpy integers such
#   as `np.int64(32)` are fine.)
# - `shuffle` and `seed`: Step 3.
# - `drop_last`: with `n = 10` and `b = 4` the batches have 4, 4 and **2** examples.
#   `drop_last=True` skips that incomplete last batch.
#
# `len(loader)` is the **number of batches** per epoch, as in PyTorch — progress bars and
# learning-rate schedules count steps with it:
#
# ```
# len(loader) = ceil(n / b)     (drop_last=False)      n=10, b=4  ->  3
# len(loader) = floor(n / b)    (drop_last=True)       n=10, b=4  ->  2
# ```
#
# The generator is created **once**, in `__init__`, from the seed:
# `np.random.default_rng(seed)`. Each epoch then draws the next permutation from it, so
# every epoch is shuffled differently, and a loader built with the same seed replays the
# very same sequence of epochs. `default_rng` gives the loader its *own* random state:
# unlike `np.random.seed(...)`, nothing else in the program (weight initialisation,
# dropout, another loader) can disturb it or be disturbed by it.
#
# As in Tensor's module, we grow the class one cell at a time: this cell defines the
# constructor and `len()`, the next two add `batch_indices()` and `__iter__`.

# %% nbgrader={"grade": false, "grade_id": "dataloader-class", "locked": false, "schema_version": 3, "solution": true}
#| export
class DataLoader:
    """
    Serves a dataset in mini-batches: `for x, y in loader` yields tuples of batched Tensors.

    Like torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last), with
    `seed` playing the role of PyTorch's `generator` argument.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=None, drop_last=False):
        """
        Check and store the settings, and create the random generator for shuffling.

        TODO: Validate `batch_size`, then store everything the loader needs.

        STEP-BY-STEP IMPLEMENTATION:
        1. `batch_size` must be an integer (Python int or numpy integer) but not a bool;
           otherwise raise ValueError("batch_size must be a positive integer, got ...")
           showing the value with !r
        2. `batch_size` < 1: raise ValueError with the same kind of message
        3. Store `self.dataset`, `self.batch_size` (as a Python int), `self.shuffle` and
           `self.drop_last` (as bools) and `self.seed`
        4. Create the random generator once, here, from `seed` (numpy's `default_rng`),
           and keep it in `self._rng`: every epoch draws from this one generator

        EXAMPLE USAGE:
        ```python
        loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4)
        loader.batch_size                      # 4
        DataLoader(dataset, batch_size=0)      # ValueError: batch_size must be a positive integer, got 0
        DataLoader(dataset, batch_size=2.5)    # ValueError: batch_size must be a positive integer, got 2.5
        ```

        IMPLEMENTATION HINTS:
        - isinstance(batch_size, (int, np.integer)) accepts both kinds of integers
        - isinstance(True, int) is True: test for bool separately
        """
        ### BEGIN SOLUTION
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        ### END SOLUTION

    def __len__(self):
        """
        The number of batches in one epoch.

        TODO: Return ceil(n / batch_size), or floor(n / batch_size) with drop_last.

        STEP-BY-STEP IMPLEMENTATION:
        1. n = len(self.dataset)
        2. With drop_last: only full batches count -> n // batch_size
        3. Without: a partial last batch counts too -> round n / batch_size up

        EXAMPLE USAGE:
        ```python
        len(DataLoader(TensorDataset(np.arange(10)), batch_size=4))                  # 3
        len(DataLoader(TensorDataset(np.arange(10)), batch_size=4, drop_last=True))  # 2
        len(DataLoader(TensorDataset(np.arange(8)), batch_size=4))                   # 2
        ```

        IMPLEMENTATION HINTS:
        - Integer arithmetic avoids float rounding: ceil(n / b) == (n + b - 1) // b
        """
        ### BEGIN SOLUTION
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
        ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your DataLoader Settings

# %% nbgrader={"grade": true, "grade_id": "test-dataloader-settings", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: TensorDataset
def test_dataloader_settings():
    """batch_size is validated with clear messages; len() counts batches."""
    print("🔬 Unit Test: DataLoader settings and len()...")

    ds = TensorDataset(np.arange(10))
    loader = DataLoader(ds, batch_size=4)
    assert loader.dataset is ds, "loader.dataset should be the dataset it was given"
    assert loader.batch_size == 4 and type(loader.batch_size) is int, f"batch_size should be the int 4, got {loader.batch_size!r}"
    assert loader.shuffle is False and loader.drop_last is False, "shuffle and drop_last default to False"
    from_numpy = DataLoader(ds, batch_size=np.int64(3)).batch_size
    assert from_numpy == 3 and type(from_numpy) is int, (
        f"a numpy integer batch_size should be accepted and stored as a Python int, got {from_numpy!r} ({type(from_numpy).__name__})"
    )
    flags = DataLoader(ds, batch_size=2, shuffle=1, drop_last=np.bool_(True))
    assert flags.shuffle is True and flags.drop_last is True, (
        f"shuffle=1 and drop_last=np.bool_(True) should be stored as the bools True, got {flags.shuffle!r} and {flags.drop_last!r}"
    )
    assert DataLoader(ds, batch_size=1).batch_size == 1, "batch_size=1 is the smallest valid batch"

    for bad in (0, -1, 2.5, 4.0, "4", None, True):
        try:
            DataLoader(ds, batch_size=bad)
            assert False, f"DataLoader(ds, batch_size={bad!r}) should raise ValueError"
        except ValueError as exc:
            assert "batch_size" in str(exc) and repr(bad) in str(exc), (
                f"the error for batch_size={bad!r} should name batch_size and show {bad!r}, got {str(exc)!r}"
            )

    cases = [(10, 4, False, 3), (10, 4, True, 2), (8, 4, False, 2), (8, 4, True, 2), (3, 5, False, 1),
             (3, 5, True, 0), (1437, 64, False, 23), (1437, 64, True, 22), (0, 4, False, 0), (7, 1, False, 7)]
    for n, b, drop_last, expected in cases:
        got = len(DataLoader(TensorDataset(np.zeros(n)), batch_size=b, drop_last=drop_last))
        assert got == expected, f"len() with n={n}, batch_size={b}, drop_last={drop_last} should be {expected}, got {got}"

    print("✅ bad batch sizes are rejected with a clear message")
    print("✅ len() is the number of batches, with and without drop_last")

test_dataloader_settings()

# %% [markdown]
# ## Step 3: One Epoch of Indices — Shuffling and drop_last
#
# Before touching any data, a loader decides **which examples go into which batch**. That
# decision is a list of index arrays, one per batch:
#
# ```
# n = 10, batch_size = 4
#
# shuffle=False        0 1 2 3 | 4 5 6 7 | 8 9          [0 1 2 3] [4 5 6 7] [8 9]
# shuffle=True, ep. 1  7 2 9 0 | 5 3 8 1 | 6 4          a permutation, cut every 4
#               ep. 2  3 0 6 9 | 1 8 4 2 | 7 5          a NEW permutation each epoch
# drop_last=True       7 2 9 0 | 5 3 8 1                (6 and 4 sit out this epoch only)
# ```
#
# ### Why shuffle?
# Data files are rarely in random order: they are sorted by class, by the person who wrote
# the digit, by the date of collection. Serve MNIST sorted by label and the first 90-odd
# batches of 64 hold nothing but zeros: the network learns "always answer 0", then spends
# the next steps unlearning it for "always answer 1". Every mini-batch gradient is then a biased
# estimate of the true gradient, and training oscillates instead of converging. A random
# permutation makes every batch a fair sample of the whole dataset.
#
# ### Why a new permutation every epoch?
# With one fixed order the parameters would follow the same sequence of updates every
# epoch, and consecutive batches would always be the same neighbours. Reshuffling makes
# each epoch's batches different mixtures, so the noise of one epoch is independent of
# the last. PyTorch's `DataLoader(shuffle=True)` reshuffles at the start of every epoch
# too.
#
# ### Why seeded?
# Reproducibility. With the same seed the loader produces the same sequence of epochs, so
# a training run can be repeated exactly: to debug it, to check that a change really
# improved accuracy rather than just drawing a luckier order, or to let a grader compare
# your numbers with the expected ones. `seed=None` asks the operating system for fresh
# entropy: a different order on every run.
#
# ### drop_last
# The last batch of an epoch usually has fewer examples: 1437 digits in batches of 64 are
# 22 full batches and one of 29. Reasons to drop it:
# - with the same learning rate, a batch of 29 (or of 1!) gives a noisier gradient step;
# - layers that compute batch statistics (batch normalisation) misbehave on tiny batches;
# - code that assumes a fixed batch shape breaks.
#
# Dropping costs up to `b - 1` examples per epoch, but with shuffling they are *different*
# examples each epoch, so nothing is left out for good. When **evaluating** never drop:
# every test example must be counted.
#
# ### What you write
# `batch_indices()` returns one epoch's batches: a list of 1-D integer arrays. With
# `shuffle` it draws `self._rng.permutation(n)` (so each call is a new epoch); without,
# the order is `np.arange(n)`.

# %% nbgrader={"grade": false, "grade_id": "dataloader-batch-indices", "locked": false, "schema_version": 3, "solution": true}
#| export
def _dataloader_batch_indices(self):
    """
    The index arrays of one epoch: which examples go into each batch, in order.

    TODO: Return a list of 1-D integer arrays, one per batch.

    STEP-BY-STEP IMPLEMENTATION:
    1. n = len(self.dataset)
    2. The order: when shuffling, a fresh permutation of 0..n-1 drawn from self._rng;
       otherwise 0..n-1 in order
    3. Cut the order into consecutive pieces of self.batch_size (the last may be shorter)
    4. With self.drop_last, remove a last piece that is shorter than batch_size
    5. Return the list of pieces (an empty dataset gives an empty list)

    EXAMPLE USAGE:
    ```python
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4)
    loader.batch_indices()   # [array([0, 1, 2, 3]), array([4, 5, 6, 7]), array([8, 9])]
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4, shuffle=True, seed=0)
    loader.batch_indices()   # 3 arrays that together hold 0..9 exactly once
    loader.batch_indices()   # another permutation: the next epoch
    ```

    IMPLEMENTATION HINTS:
    - range() with a step of batch_size gives the start of every piece; a slice past the
      end of an array simply stops at the end
    - Draw exactly one permutation per call, and only when shuffling, so that the same
      seed always gives the same sequence of epochs
    """
    ### BEGIN SOLUTION
    n = len(self.dataset)
    order = self._rng.permutation(n) if self.shuffle else np.arange(n)
    batches = [order[start:start + self.batch_size] for start in range(0, n, self.batch_size)]
    if self.drop_last and batches and len(batches[-1]) < self.batch_size:
        batches.pop()
    return batches
    ### END SOLUTION


DataLoader.batch_indices = _dataloader_batch_indices

# %% [markdown]
# ### 🧪 Test Your Batch Indices

# %% nbgrader={"grade": true, "grade_id": "test-batch-indices", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: TensorDataset, DataLoader
def test_batch_indices():
    """In-order and shuffled epochs, every index exactly once, seeds, reshuffling, drop_last."""
    print("🔬 Unit Test: batch_indices()...")

    def as_lists(batches):
        return [np.asarray(b).tolist() for b in batches]

    ds = TensorDataset(np.arange(10))
    plain = DataLoader(ds, batch_size=4).batch_indices()
    assert isinstance(plain, list), f"batch_indices() should return a list, got {type(plain).__name__}"
    assert as_lists(plain) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], f"without shuffle: got {as_lists(plain)}"
    assert all(np.issubdtype(np.asarray(b).dtype, np.integer) for b in plain), "index arrays should hold integers"
    dropped = DataLoader(ds, batch_size=4, drop_last=True).batch_indices()
    assert as_lists(dropped) == [[0, 1, 2, 3], [4, 5, 6, 7]], f"drop_last should drop [8, 9], got {as_lists(dropped)}"
    exact = DataLoader(TensorDataset(np.arange(8)), batch_size=4, drop_last=True).batch_indices()
    assert as_lists(exact) == [[0, 1, 2, 3], [4, 5, 6, 7]], f"drop_last must keep a full last batch, got {as_lists(exact)}"
    assert as_lists(DataLoader(TensorDataset(np.arange(8)), batch_size=4).batch_indices()) == [[0, 1, 2, 3], [4, 5, 6, 7]], (
        "8 examples in batches of 4 are exactly 2 batches (no empty third batch)"
    )
    assert as_lists(DataLoader(TensorDataset(np.arange(3)), batch_size=5).batch_indices()) == [[0, 1, 2]], (
        "3 examples in batches of 5: one short batch"
    )
    assert DataLoader(TensorDataset(np.arange(3)), batch_size=5, drop_last=True).batch_indices() == [], (
        "3 examples in batches of 5 with drop_last: the only batch is short, so there are none"
    )
    assert DataLoader(TensorDataset(np.zeros(0)), batch_size=3).batch_indices() == [], "an empty dataset has no batches"
    assert DataLoader(TensorDataset(np.zeros(0)), batch_size=3, drop_last=True).batch_indices() == [], (
        "an empty dataset has no batches with drop_last either (and must not crash)"
    )

    # Shuffled: a permutation of all indices, cut into batches
    n = 103
    loader = DataLoader(TensorDataset(np.arange(n)), batch_size=10, shuffle=True, seed=42)
    epoch1, epoch2 = loader.batch_indices(), loader.batch_indices()
    for name, epoch in (("epoch 1", epoch1), ("epoch 2", epoch2)):
        assert [len(b) for b in epoch] == [10] * 10 + [3], f"{name}: batch sizes should be 10 x 10 and 3, got {[len(b) for b in epoch]}"
        seen = np.sort(np.concatenate(epoch))
        assert np.array_equal(seen, np.arange(n)), f"{name}: every index 0..{n - 1} must appear exactly once"
    flat1, flat2 = np.concatenate(epoch1), np.concatenate(epoch2)
    assert not np.array_equal(flat1, np.arange(n)), "shuffle=True should not give the indices in order"
    assert not np.array_equal(flat1, flat2), "each epoch should draw a new permutation"

    # Same seed, same sequence of epochs; another seed, another order
    again = DataLoader(TensorDataset(np.arange(n)), batch_size=10, shuffle=True, seed=42)
    assert np.array_equal(np.concatenate(again.batch_indices()), flat1), "the same seed should replay epoch 1"
    assert np.array_equal(np.concatenate(again.batch_indices()), flat2), "the same seed should replay epoch 2"
    other = DataLoader(TensorDataset(np.arange(n)), batch_size=10, shuffle=True, seed=7)
    assert not np.array_equal(np.concatenate(other.batch_indices()), flat1), "a different seed should give a different order"

    # drop_last with shuffling: full batches only, different examples left out
    dl = DataLoader(TensorDataset(np.arange(n)), batch_size=10, shuffle=True, seed=0, drop_last=True)
    epochs = [dl.batch_indices() for _ in range(5)]
    assert all([len(b) for b in e] == [10] * 10 for e in epochs), "drop_last: 10 full batches of 10 per epoch"
    left_out = [tuple(sorted(set(range(n)) - set(np.concatenate(e).tolist()))) for e in epochs]
    assert all(len(s) == 3 for s in left_out), "drop_last: exactly 3 examples sit out each epoch"
    assert len(set(left_out)) > 1, "with shuffling, different examples should sit out in different epochs"

    print("✅ in order without shuffle; a new permutation each epoch with it")
    print("✅ seeds reproduce epochs; drop_last drops only an incomplete batch")

test_batch_indices()

# %% [markdown]
# ## Step 4: Iterating — From Indices to Batched Tensors
#
# ### The general path: fetch and collate
# For any dataset, a batch is built by asking for each example and **collating** them:
# stacking the i-th element of every example along a new first axis.
#
# ```
# indices [7, 2, 9]
# dataset[7] = (x7 (64,), y7 ())
# dataset[2] = (x2 (64,), y2 ())      collate   ->   (Tensor (3, 64), Tensor (3,))
# dataset[9] = (x9 (64,), y9 ())                      x7,x2,x9 stacked   y7,y2,y9 stacked
# ```
#
# `collate(samples)` does that with `np.stack`. A dataset may return a single value
# instead of a tuple; we treat it as a 1-tuple, so a loader *always* yields tuples of
# Tensors (PyTorch's `default_collate` plays the same role).
#
# ### The fast path: TensorDataset
# The general path makes `b` Python calls, `b` small Tensors and one stack per batch. For
# a `TensorDataset` all of that is unnecessary: numpy can gather the rows of a whole batch
# in **one** call with an index array, `array[indices]` ("fancy indexing"), implemented in
# C. For an MNIST-sized epoch (60,000 rows of 784 floats, batches of 64) that is several
# times faster — and the gap grows as rows get smaller. PyTorch 2 lets a dataset define
# `__getitems__(indices)` for the same reason: when a dataset can fetch a whole batch at
# once, let it.
#
# The fast path is only correct if `__getitem__` is TensorDataset's own: a subclass that
# overrides `__getitem__` (to add noise, say) expects it to be called. So we test
# `type(dataset).__getitem__ is TensorDataset.__getitem__`, not merely `isinstance`.
#
# `__iter__` is a *generator*: a function with `yield`. Calling `iter(loader)` (which a
# `for` loop does) creates a fresh generator, so each `for` loop over the loader is one
# new epoch.

# %% nbgrader={"grade": false, "grade_id": "dataloader-iter", "locked": false, "schema_version": 3, "solution": true}
#| export
def collate(samples):
    """
    Stack a list of examples into one batch: a tuple of Tensors with a new first axis.

    TODO: Turn [(a0, b0), (a1, b1), ...] into (Tensor([a0, a1, ...]), Tensor([b0, b1, ...])).

    STEP-BY-STEP IMPLEMENTATION:
    1. An example that is not a tuple counts as a 1-tuple: (example,)
    2. For each position j, stack the j-th element of every example with np.stack
       (turn each element into a numpy array with _to_numpy first)
    3. Wrap each stacked array in a Tensor and return them as a tuple

    EXAMPLE USAGE:
    ```python
    collate([(Tensor([1, 2]), Tensor(0)), (Tensor([3, 4]), Tensor(1))])
    # (Tensor([[1, 2], [3, 4]]), Tensor([0, 1]))
    collate([5, 6, 7])     # (Tensor([5, 6, 7]),)
    ```

    IMPLEMENTATION HINTS:
    - zip(*examples) regroups the examples by position
    - np.stack adds the new first axis (np.concatenate would not)
    """
    ### BEGIN SOLUTION
    examples = [s if isinstance(s, tuple) else (s,) for s in samples]
    return tuple(Tensor(np.stack([_to_numpy(v) for v in column])) for column in zip(*examples))
    ### END SOLUTION


def _dataloader_iter(self):
    """
    One epoch: yield each batch as a tuple of Tensors.

    TODO: For every index array of self.batch_indices(), yield the batch it describes.

    STEP-BY-STEP IMPLEMENTATION:
    1. Get this epoch's index arrays from self.batch_indices() (once per epoch)
    2. Fast path, when type(self.dataset).__getitem__ is TensorDataset.__getitem__:
       gather every stored array's rows of the batch in one fancy-indexing step
       (`array[indices]`) and yield one Tensor per array, as a tuple
    3. Otherwise: fetch self.dataset[int(i)] for every index i of the batch, and
       yield collate(those examples)

    EXAMPLE USAGE:
    ```python
    loader = DataLoader(TensorDataset(np.arange(10) * 10, np.arange(10)), batch_size=4)
    for x, y in loader:
        print(x.data, y.data)
    # [ 0 10 20 30] [0 1 2 3]
    # [40 50 60 70] [4 5 6 7]
    # [80 90] [8 9]
    ```

    IMPLEMENTATION HINTS:
    - `yield` inside a for loop makes this function a generator
    - Pass plain Python ints to a dataset (int(i)): user datasets may expect them
    """
    ### BEGIN SOLUTION
    batches = self.batch_indices()
    if type(self.dataset).__getitem__ is TensorDataset.__getitem__:
        arrays = self.dataset.arrays
        for indices in batches:
            yield tuple(Tensor(array[indices]) for array in arrays)
    else:
        for indices in batches:
            yield collate([self.dataset[int(i)] for i in indices])
    ### END SOLUTION


DataLoader.__iter__ = _dataloader_iter

# %% [markdown]
# ### 🧪 Test Your DataLoader Iteration

# %% nbgrader={"grade": true, "grade_id": "test-dataloader-iteration", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: TensorDataset, DataLoader, _dataloader_batch_indices
def test_dataloader_iteration():
    """Batches are tuples of Tensors; both paths agree; every example exactly once per epoch."""
    print("🔬 Unit Test: DataLoader iteration...")

    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10) % 3
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(batches) == 3 == len(loader), f"10 examples in batches of 4 should give 3 batches, got {len(batches)}"
    xb, yb = batches[0]
    assert isinstance(xb, Tensor) and isinstance(yb, Tensor), "each batch should be a tuple of Tensors"
    assert xb.shape == (4, 2) and yb.shape == (4,), f"the first batch should be (4, 2) and (4,), got {xb.shape} and {yb.shape}"
    assert xb.dtype == np.float32, f"batches should keep the dataset's dtype (float32), got {xb.dtype}"
    assert yb.dtype == np.int64, f"integer labels should stay int64 in batches, got {yb.dtype}"
    x64 = next(iter(DataLoader(TensorDataset(np.linspace(0.0, 1.0, 6).reshape(3, 2)), batch_size=2)))[0]
    assert x64.dtype == np.float64 and np.allclose(x64.data, [[0.0, 0.2], [0.4, 0.6]]), (
        f"float64 data should stay float64 in batches, got {x64.dtype} {x64.data!r}"
    )
    assert np.array_equal(xb.data, x[:4]) and np.array_equal(yb.data, y[:4]), "without shuffle the first batch is rows 0..3"
    assert batches[-1][0].shape == (2, 2), f"the last batch should hold the 2 remaining rows, got shape {batches[-1][0].shape}"
    assert [b[0].shape[0] for b in DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)] == [4, 4], (
        "with drop_last the batches should have 4 and 4 rows"
    )

    # The general path: a Dataset subclass, and items that are not tuples
    class Squares(Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, index):
            assert type(index) is int, f"datasets should be indexed with Python ints, got {type(index).__name__}"
            return np.array([index, index * index]), index % 2

    sq = list(DataLoader(Squares(), batch_size=3))
    assert len(sq) == 3, f"7 examples in batches of 3 should give 3 batches, got {len(sq)}"
    assert all(isinstance(b, tuple) and len(b) == 2 for b in sq), "a Dataset returning (x, y) gives 2-tuples"
    assert np.array_equal(sq[1][0].data, [[3, 9], [4, 16], [5, 25]]), f"second batch of squares: got {sq[1][0].data.tolist()}"
    assert np.array_equal(sq[2][1].data, [0]), f"the last batch holds example 6 only, got {sq[2][1].data.tolist()}"
    assert sq[1][0].dtype == np.int64 and sq[1][1].dtype == np.int64, (
        f"collate should keep integer examples integer, got {sq[1][0].dtype} and {sq[1][1].dtype}"
    )

    class Plain(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return float(index) / 2

    plain = list(DataLoader(Plain(), batch_size=5))
    assert len(plain) == 1 and isinstance(plain[0], tuple) and len(plain[0]) == 1, (
        "a dataset whose items are not tuples should still give tuples (1-tuples)"
    )
    assert np.allclose(plain[0][0].data, [0.0, 0.5, 1.0, 1.5, 2.0]), f"got {plain[0][0].data!r}"
    stacked = collate([(Tensor([1, 2]), Tensor(0)), (Tensor([3, 4]), Tensor(1))])
    assert isinstance(stacked, tuple) and all(isinstance(t, Tensor) for t in stacked), (
        f"collate should return a tuple of Tensors, got {[type(t).__name__ for t in stacked]}"
    )
    assert all(isinstance(t, Tensor) for b in sq for t in b), "the general path must yield Tensors too"
    assert collate([(Tensor([1, 2]), Tensor(0)), (Tensor([3, 4]), Tensor(1))])[0].shape == (2, 2), (
        "collate should stack along a new first axis"
    )

    # A subclass that overrides __getitem__ must be called (no fast path for it)
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            return tuple(Tensor(a[index] * 2) for a in self.arrays)

    doubled = next(iter(DataLoader(Doubled(np.arange(6)), batch_size=6)))[0]
    assert np.array_equal(doubled.data, np.arange(6) * 2), "an overridden __getitem__ must be used by the loader"

    # Shuffled epochs: pairs stay together and every example appears exactly once
    n = 50
    features = np.arange(n * 3).reshape(n, 3)
    labels = np.arange(n) * 10
    loader = DataLoader(TensorDataset(features, labels), batch_size=8, shuffle=True, seed=3)
    orders = []
    for epoch in range(3):
        seen = []
        for xb, yb in loader:
            assert np.array_equal(xb.data[:, 0] // 3 * 10, yb.data), "features and labels must stay paired when shuffled"
            seen.extend((yb.data // 10).tolist())
        assert sorted(seen) == list(range(n)), f"epoch {epoch}: every example must appear exactly once"
        orders.append(seen)
    assert orders[0] != orders[1] != orders[2], "each epoch should be shuffled differently"
    replay = [(yb.data // 10).tolist() for _, yb in DataLoader(TensorDataset(features, labels), batch_size=8, shuffle=True, seed=3)]
    assert sum(replay, []) == orders[0], "a loader with the same seed should replay the same first epoch"

    # The general path and the fast path give the same batches
    class Slow(Dataset):
        def __init__(self, *arrays):
            self.inner = TensorDataset(*arrays)

        def __len__(self):
            return len(self.inner)

        def __getitem__(self, index):
            return self.inner[index]

    pixels = (np.arange(n * 3) / 7).astype(np.float32).reshape(n, 3)
    fast = list(DataLoader(TensorDataset(pixels, labels), batch_size=8, shuffle=True, seed=11))
    slow = list(DataLoader(Slow(pixels, labels), batch_size=8, shuffle=True, seed=11))
    assert len(fast) == len(slow) == 7, "both paths should give 7 batches"
    assert [len(fx.data) for fx, _ in fast] == [8] * 6 + [2], "50 examples: six batches of 8 and a last one of 2"
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert np.array_equal(fx.data, sx.data) and np.array_equal(fy.data, sy.data), "both paths must give the same batches"
        assert fx.dtype == sx.dtype == np.float32 and fy.dtype == sy.dtype == np.int64, (
            f"both paths must keep the dtypes (float32 features, int64 labels), got {fx.dtype}/{sx.dtype} and {fy.dtype}/{sy.dtype}"
        )

    print("✅ batches are tuples of stacked Tensors, for any Dataset")
    print("✅ every example appears exactly once per epoch, features stay with labels")
    print("✅ the TensorDataset fast path matches the general path")

test_dataloader_iteration()

# %% [markdown]
# ## Step 5: The Digits Dataset and a Fixed, Stratified Split
#
# ### Where the data comes from
# TinyTorch ships one small real dataset, so that everything works offline:
# `tinytorch/datasets/digits.npz`, **1797 handwritten digits** of 8x8 pixels.
#
# They come from *Optical Recognition of Handwritten Digits* by E. Alpaydin and C. Kaynak
# (1998), published by the UCI Machine Learning Repository under the CC BY 4.0 licence
# (use and share freely, with attribution — this paragraph and
# `tinytorch/datasets/README.md` are that attribution). Digits written on forms by 43
# people were scanned as 32x32 black-and-white bitmaps; each 4x4 block of the bitmap was
# then replaced by the number of its "on" pixels. That is why the images are 8x8 and
# every pixel is an integer from **0 to 16**:
#
# ```
# 32x32 bitmap, one 4x4 block       8x8 image: one number per block
# ┌────┐
# │·##·│
# │####│   ->  11 pixels on   ->   pixel value 11   (of at most 16)
# │##·#│
# │·##·│
# └────┘
# ```
#
# Our copy is the one scikit-learn distributes as `sklearn.datasets.load_digits()`: the
# UCI *test* portion, written by 13 of the 43 people. The archive holds `images`
# (1797, 8, 8) uint8 and `labels` (1797,) uint8, with between 174 and 183 examples of
# each digit.
#
# ### Reading it: importlib.resources, not `__file__`
# The file is *package data*, installed inside the `tinytorch` package. Code usually finds
# such files relative to `__file__`, but a notebook kernel has no `__file__`, and an
# installed package may even live inside a zip file. `importlib.resources.files("tinytorch")`
# asks Python's import system where the package is, wherever that is. The provided helper
# `_read_digits()` does exactly this.
#
# ### Preparing the values
# - **Scale to [0, 1]**: `pixels / 16`. Weight initialisations (Xavier, He) and activation
#   functions assume inputs of roughly unit scale; raw values up to 16 would saturate a
#   sigmoid and make the first gradients sixteen times too large.
# - **float32**: half the memory of float64 and what GPUs compute with; ample precision
#   for pixels.
# - **labels as int64**: class *indices* 0..9, the form cross-entropy losses index with
#   (PyTorch calls the dtype `torch.long`).
# - **Shape**: `flatten=True` gives `(n, 64)` rows for dense layers; `flatten=False` gives
#   `(n, 1, 8, 8)`, the `(N, C, H, W)` layout of convolutional layers: one channel
#   (grey levels) of 8x8 pixels.
#
# ### Why a *fixed* split?
# We must measure accuracy on examples the model never trained on, so we hold out a
# **test set**. If every run drew its own random split, accuracy would wobble with the
# luck of the draw alone: on 360 test examples at 95% accuracy, the standard error is
# `sqrt(0.95 · 0.05 / 360) ≈ 1.1` percentage points. Two students, or two versions of your
# model, could differ by 2% without either being better. With one fixed split (a fixed
# seed) everybody is measured on exactly the same 360 digits, and the course's milestone
# thresholds mean the same thing for everyone.
#
# One honest caveat: we split by *example*, not by *writer*. The same 13 people wrote our
# training and our test digits, so the test accuracy says how well the model reads *their*
# handwriting; on a stranger's digits it would be somewhat lower. MNIST, below, keeps the
# writers of its training and test sets apart.
#
# ### Why *stratified*?
# A plain random 360 could by chance contain 45 sevens and 28 eights. A **stratified**
# split draws the test set *per class*: exactly **36 of each digit** (360 ≈ 20% of 1797),
# and the remaining 1437 for training. Every class is then equally represented in the test
# accuracy, and the training set keeps the original class proportions.
# (scikit-learn: `train_test_split(..., stratify=y)`.)
#
# ```
# class 0: 178 examples  ──shuffle──▶  36 test | 142 train
# class 1: 182 examples  ──shuffle──▶  36 test | 146 train
#   ...                                  ...
# class 9: 180 examples  ──shuffle──▶  36 test | 144 train
#                                     ─────────────────────
#                                       360 test | 1437 train
# ```
#
# The exact procedure matters, because everybody must get the *same* split: one generator
# `np.random.default_rng(seed)`; for each class **in increasing order**, one
# `rng.permutation` of that class's indices; its first `test_per_class` go to the test
# set. The returned index arrays are sorted, so the examples keep the file's order.

# %% nbgrader={"grade": false, "grade_id": "stratified-split", "locked": false, "schema_version": 3, "solution": true}
#| export
def stratified_split(labels, test_per_class, seed=None):
    """
    Split example indices into (train_indices, test_indices) with `test_per_class` per class.

    TODO: Hold out `test_per_class` randomly chosen examples of every class.

    STEP-BY-STEP IMPLEMENTATION:
    1. Convert `labels` to a numpy array (a list must work too), and create ONE random
       generator from `seed` with numpy's `default_rng`
    2. For each class c in np.unique(labels) (increasing order):
       a. members = the indices i with labels[i] == c
       b. If there are not more than test_per_class of them, raise ValueError
          (the class would have no training examples left) naming the class and counts
       c. Shuffle the members: one `permutation` call of that generator
       d. The first test_per_class go to the test set, the rest to the training set
    3. Return (sorted train indices, sorted test indices) as two integer arrays

    EXAMPLE USAGE:
    ```python
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    train, test = stratified_split(labels, 1, seed=0)
    len(train), len(test)     # (5, 2)
    labels[test]              # array([0, 1]): one of each class
    ```

    IMPLEMENTATION HINTS:
    - np.flatnonzero(labels == c) gives the indices of class c
    - Collect the pieces in two lists, then np.concatenate and np.sort them
    - Use exactly one rng.permutation per class, in this order, so that the split is
      the same for everybody with the same seed
    """
    ### BEGIN SOLUTION
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) <= test_per_class:
            raise ValueError(f"class {c} has only {len(members)} examples: holding out {test_per_class} "
                             "for the test set would leave none for training")
        members = rng.permutation(members)
        test.append(members[:test_per_class])
        train.append(members[test_per_class:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Stratified Split

# %% nbgrader={"grade": true, "grade_id": "test-stratified-split", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_stratified_split():
    """Exactly k per class in the test set, disjoint and complete, reproducible by seed."""
    print("🔬 Unit Test: stratified_split...")

    labels = np.array([2, 0, 1, 0, 2, 1, 1, 0, 2, 2, 1, 0, 0, 2, 1, 2])
    train, test = stratified_split(labels, 2, seed=0)
    assert len(test) == 6 and len(train) == 10, f"3 classes x 2 should give 6 test and 10 train, got {len(test)} and {len(train)}"
    assert np.bincount(labels[test]).tolist() == [2, 2, 2], f"the test set should hold 2 of each class, got {np.bincount(labels[test]).tolist()}"
    assert np.bincount(labels[train]).tolist() == [3, 3, 4], f"the rest should train, got counts {np.bincount(labels[train]).tolist()}"
    assert set(train.tolist()).isdisjoint(test.tolist()), "no example may be in both sets"
    assert sorted(train.tolist() + test.tolist()) == list(range(len(labels))), "together the sets hold every example once"
    assert np.array_equal(train, np.sort(train)) and np.array_equal(test, np.sort(test)), "both index arrays should be sorted"
    assert np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer), "indices should be integers"

    # The prescribed procedure gives exactly this split, for everybody
    assert test.tolist() == [5, 7, 8, 9, 12, 14], (
        f"stratified_split(labels, 2, seed=0) should hold out [5, 7, 8, 9, 12, 14], got {test.tolist()}: use one "
        "default_rng(seed) and one rng.permutation per class, classes in increasing order, first k to the test set"
    )
    again_train, again_test = stratified_split(labels.tolist(), 2, seed=0)
    assert np.array_equal(again_test, test) and np.array_equal(again_train, train), "the same seed should give the same split"
    other_tests = {tuple(stratified_split(labels, 2, seed=s)[1].tolist()) for s in range(5)}
    assert len(other_tests) > 1, "different seeds should give different splits"

    # The boundary: a class with exactly test_per_class + 1 examples keeps one for training
    tight = np.array([2, 0, 1, 1, 0, 2, 0, 1, 2])
    tight_train, tight_test = stratified_split(tight, 2, seed=0)
    assert np.bincount(tight[tight_train]).tolist() == [1, 1, 1] and np.bincount(tight[tight_test]).tolist() == [2, 2, 2], (
        "3 examples per class with test_per_class=2: 2 of each to the test set, 1 of each to training"
    )
    try:
        stratified_split(np.array([0, 0, 0, 1, 1]), 2, seed=0)
        assert False, "class 1 has only 2 examples: holding out 2 should raise ValueError"
    except ValueError as exc:
        assert "1" in str(exc) and "2" in str(exc), f"the message should name the class and the counts, got {str(exc)!r}"

    print("✅ k examples of every class are held out, the rest train")
    print("✅ the split is disjoint, complete, sorted and reproducible")

test_stratified_split()

# %% [markdown]
# ### Loading the digits
# Now `load_digits` puts the pieces together: read, scale, reshape, split. The split is
# fixed: `DIGITS_TEST_PER_CLASS = 36` and `DIGITS_SPLIT_SEED = 0`, defined below with the
# provided reader.

# %% nbgrader={"grade": false, "grade_id": "digits-reader", "locked": true, "schema_version": 3, "solution": false}
#| export
DIGITS_TEST_PER_CLASS = 36  # 10 classes x 36 = 360 test examples, 1437 for training
DIGITS_SPLIT_SEED = 0       # fixed: everybody trains and tests on the same examples


def _read_digits():
    """The shipped digits as (images (1797, 8, 8) uint8, labels (1797,) uint8).

    importlib.resources finds the file inside the installed package, in a notebook as
    well as in a script (no __file__ needed), even when the package is zipped.
    """
    resource = importlib.resources.files("tinytorch") / "datasets" / "digits.npz"
    try:
        raw = resource.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError("tinytorch/datasets/digits.npz is missing from the installed tinytorch "
                                "package; reinstall it (the file ships with TinyTorch)") from None
    with np.load(io.BytesIO(raw)) as archive:
        return archive["images"], archive["labels"]

# %% nbgrader={"grade": false, "grade_id": "load-digits", "locked": false, "schema_version": 3, "solution": true}
#| export
def load_digits(flatten=True):
    """
    The 8x8 digits as (x_train, y_train, x_test, y_test): 1437 training and 360 test examples.

    TODO: Read the digits, scale them to [0, 1], shape them, and split them.

    STEP-BY-STEP IMPLEMENTATION:
    1. Read the raw images and labels with the provided `_read_digits()`
    2. x = the images as float32, divided by 16 (the largest pixel value)
    3. flatten=True: reshape x to (n, 64); flatten=False: to (n, 1, 8, 8)
    4. y = the labels as int64
    5. Split the example indices with your stratified_split, using the fixed constants
       DIGITS_TEST_PER_CLASS and DIGITS_SPLIT_SEED
    6. Return x[train], y[train], x[test], y[test]

    EXAMPLE USAGE:
    ```python
    x_train, y_train, x_test, y_test = load_digits()
    x_train.shape, x_test.shape      # (1437, 64) (360, 64)
    load_digits(flatten=False)[0].shape   # (1437, 1, 8, 8)
    ```

    IMPLEMENTATION HINTS:
    - images.astype(np.float32) / 16 stays float32
    - reshape(len(x), -1) lets numpy work out the 64
    """
    ### BEGIN SOLUTION
    images, labels = _read_digits()
    x = images.astype(np.float32) / 16
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, 8, 8)
    y = labels.astype(np.int64)
    train, test = stratified_split(labels, DIGITS_TEST_PER_CLASS, DIGITS_SPLIT_SEED)
    return x[train], y[train], x[test], y[test]
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your Digits Loader
#
# The test also prints one digit as text, so you can see what 8x8 pixels look like.

# %% nbgrader={"grade": true, "grade_id": "test-load-digits", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: TensorDataset, DataLoader, _dataloader_batch_indices, _dataloader_iter, stratified_split
def test_load_digits():
    """Shapes, dtypes, ranges, 36 test digits per class, a fixed split, and a real DataLoader."""
    print("🔬 Unit Test: load_digits...")

    x_train, y_train, x_test, y_test = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64), (
        f"x_train and x_test should be (1437, 64) and (360, 64), got {x_train.shape} and {x_test.shape}"
    )
    assert y_train.shape == (1437,) and y_test.shape == (360,), f"labels should be (1437,) and (360,), got {y_train.shape} and {y_test.shape}"
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32, f"images should be float32, got {x_train.dtype}"
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64, f"labels should be int64, got {y_train.dtype}"
    assert x_train.min() == 0.0 and x_train.max() == 1.0, f"pixels / 16 should span [0, 1], got [{x_train.min()}, {x_train.max()}]"
    assert np.allclose(x_train * 16, np.round(x_train * 16)), "every pixel should be a multiple of 1/16"
    assert np.bincount(y_test).tolist() == [36] * 10, f"the test set should hold 36 of each digit, got {np.bincount(y_test).tolist()}"
    assert np.bincount(y_train).tolist() == [142, 146, 141, 147, 145, 146, 145, 143, 138, 144], (
        f"the training set should hold the other examples of each digit, got {np.bincount(y_train).tolist()}"
    )

    # The fixed split: the same examples for everybody
    raw_images, raw_labels = _read_digits()
    train_idx, test_idx = stratified_split(raw_labels, 36, 0)
    assert np.array_equal(x_test, raw_images[test_idx].reshape(360, 64) / 16), "x_test should be the held-out images / 16"
    assert np.array_equal(y_train, raw_labels[train_idx]), "y_train should be the labels of the training indices"
    assert set(train_idx.tolist()).isdisjoint(test_idx.tolist()), "train and test must not share an example"
    assert test_idx[:5].tolist() == [5, 9, 12, 14, 16] and int(test_idx.sum()) == 327301, (
        f"the digits split is fixed: test indices should start [5, 9, 12, 14, 16] and sum to 327301, got "
        f"{test_idx[:5].tolist()} (sum {int(test_idx.sum())})"
    )
    again = load_digits()
    assert all(np.array_equal(a, b) for a, b in zip(again, (x_train, y_train, x_test, y_test))), "load_digits() must be reproducible"

    x_img, y_img, x_img_test, _ = load_digits(flatten=False)
    assert x_img.shape == (1437, 1, 8, 8) and x_img_test.shape == (360, 1, 8, 8), (
        f"flatten=False should give (n, 1, 8, 8), got {x_img.shape} and {x_img_test.shape}"
    )
    assert np.array_equal(x_img.reshape(1437, 64), x_train) and np.array_equal(y_img, y_train), "both layouts hold the same data"

    # What the model sees: one digit, drawn with characters by brightness
    shades = " .:-=+*#%@"
    print(f"A training digit, labelled {y_train[0]}:")
    for row in x_img[0, 0]:
        print("    " + "".join(shades[int(v * 9)] * 2 for v in row))

    # A real loader over the digits: 22 full batches of 64 and one of 29
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, seed=0)
    sizes = [xb.shape[0] for xb, _ in loader]
    assert len(loader) == 23 and sizes == [64] * 22 + [29], f"1437 digits in batches of 64: expected 22 x 64 + 29, got {sizes}"

    print("✅ 1437 training and 360 test digits, float32 in [0, 1], int64 labels")
    print("✅ a fixed, stratified split: 36 test digits per class")

test_load_digits()

# %% [markdown]
# ## Step 6: Reading a Binary Format — IDX, the Format of MNIST
#
# ### MNIST
# MNIST (Y. LeCun, C. Cortes and C. J. C. Burges; see LeCun et al., *Gradient-Based
# Learning Applied to Document Recognition*, 1998) is the classic benchmark: **70,000
# handwritten digits of 28x28 grey pixels** (60,000 for training, 10,000 for testing),
# re-mixed from two NIST databases so that the training and test writers differ. It is
# too large to ship with TinyTorch (about 11 MB compressed, 55 MB raw) and it is not ours
# to redistribute, so we read it from the four files it has always been published as:
#
# ```
# train-images-idx3-ubyte.gz   60000 x 28 x 28 pixels     train-labels-idx1-ubyte.gz   60000 labels
# t10k-images-idx3-ubyte.gz    10000 x 28 x 28 pixels     t10k-labels-idx1-ubyte.gz    10000 labels
# ```
#
# ### The IDX format
# IDX is about the simplest binary format for an n-dimensional array: a small header that
# says what the numbers are and what shape they have, then the numbers themselves.
#
# ```
# offset   size      meaning
# 0        2 bytes   always 0x00 0x00
# 2        1 byte    type of the values:  0x08 unsigned byte   0x09 signed byte
#                                         0x0B int16   0x0C int32   0x0D float32   0x0E float64
# 3        1 byte    number of dimensions d
# 4        4*d       the size of each dimension: unsigned 32-bit integers, big-endian
# 4+4d     ...       the values, row-major (the last index changes fastest), big-endian
# ```
#
# The first four bytes read as one big-endian integer are the file's **magic number**.
# The start of `train-images-idx3-ubyte`:
#
# ```
# 00 00 08 03 | 00 00 EA 60 | 00 00 00 1C | 00 00 00 1C | 00 00 00 00 00 ...
# magic 2051    60000 images  28 rows       28 columns    pixels: 47,040,000 bytes
# (0x0803: unsigned bytes, 3 dimensions)
# ```
#
# and of `train-labels-idx1-ubyte`: `00 00 08 01 | 00 00 EA 60 | 05 00 04 01 09 ...`
# (magic 2049: unsigned bytes, 1 dimension; 60000 labels; the first digits are 5, 0, 4, 1,
# 9, ...). The `idx3`/`idx1` in the names is the number of dimensions, `ubyte` the type.
#
# ### Big-endian
# "Big-endian" means the most significant byte comes first: `00 00 EA 60` is
# `0xEA60 = 60000`. Intel and ARM processors store integers the other way round
# (little-endian), so reading those four bytes as a native integer would give
# 1,625,948,160. numpy can be told the byte order in the dtype: `">u4"` is a big-endian
# unsigned 32-bit integer, `">i2"` a big-endian int16; `np.frombuffer(data, dtype=">u4",
# count=d, offset=4)` reads the `d` dimensions straight out of the bytes. Once the values
# are read we convert them to the machine's native order (`dtype.newbyteorder("=")`), so
# later arithmetic does not pay for byte-swapping.
#
# ### Trust nothing: check the sizes
# A download that stopped halfway, a disk error or the wrong file must not turn into a
# mysterious reshape error — or into a silently shifted dataset. The header says exactly
# how many bytes must follow: `prod(shape) × itemsize`. Fewer means the file is truncated,
# more means it is not what it claims to be. Each problem is a `ValueError` that names
# the file (`name`) and says what is wrong, for example
#
# ```
# ValueError: data/train-images-idx3-ubyte: truncated: shape (60000, 28, 28) needs 47040000 bytes of data, found 31457264
# ```

# %% nbgrader={"grade": false, "grade_id": "parse-idx", "locked": false, "schema_version": 3, "solution": true}
#| export
IDX_DTYPES = {  # IDX type code -> numpy dtype (big-endian, as stored in the file)
    0x08: ">u1",
    0x09: ">i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


def parse_idx(data, name="IDX data"):
    """
    Decode the bytes of an IDX file into a numpy array (native byte order).

    TODO: Read the header, check every size, and return the values with their shape.

    STEP-BY-STEP IMPLEMENTATION:
    1. Fewer than 4 bytes: ValueError (too short for an IDX header)
    2. The first two bytes must be 0: otherwise ValueError (not an IDX file)
    3. Byte 2 is the type code: unknown codes (not in IDX_DTYPES) are a ValueError;
       byte 3 is the number of dimensions d
    4. The header is 4 + 4*d bytes: if the data is shorter, ValueError (truncated header)
    5. shape = the d big-endian uint32 values at offset 4, as a tuple of Python ints
    6. The data after the header must be exactly prod(shape) * itemsize bytes: fewer is a
       ValueError saying "truncated", more a ValueError about unexpected extra bytes;
       both messages show the expected and the actual number of bytes
    7. Read the values with np.frombuffer (dtype from IDX_DTYPES, offset = header size),
       reshape them to `shape`, and return them converted to native byte order
    Every ValueError message starts with `name`, so the user knows which file is broken.

    EXAMPLE USAGE:
    ```python
    parse_idx(bytes.fromhex("00000801" "00000003" "070201"))   # array([7, 2, 1], dtype=uint8)
    parse_idx(bytes.fromhex("00000801" "00000003" "0702"), "labels.idx")
    # ValueError: labels.idx: truncated: shape (3,) needs 3 bytes of data, found 2
    ```

    IMPLEMENTATION HINTS:
    - data[2] and data[3] are already Python ints (indexing bytes gives ints)
    - np.frombuffer(data, dtype=">u4", count=d, offset=4) reads the dimensions
    - math.prod(shape) is 1 for shape (); np.dtype(code).itemsize is the bytes per value
    - array.astype(array.dtype.newbyteorder("=")) converts to native order
    """
    ### BEGIN SOLUTION
    if len(data) < 4:
        raise ValueError(f"{name}: {len(data)} bytes is too short for an IDX header (at least 4 bytes)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{name}: not an IDX file (the magic number must start with two zero bytes, "
                         f"got {bytes(data[:4]).hex()})")
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        raise ValueError(f"{name}: unknown IDX type code 0x{code:02x} (known: "
                         f"{', '.join(f'0x{c:02x}' for c in IDX_DTYPES)})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated header: {ndim} dimensions need {header} header bytes, found {len(data)}")
    shape = tuple(int(size) for size in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_DTYPES[code])
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - header
    if found < expected:
        raise ValueError(f"{name}: truncated: shape {shape} needs {expected} bytes of data, found {found}")
    if found > expected:
        raise ValueError(f"{name}: {found - expected} unexpected bytes after the data "
                         f"(shape {shape} needs {expected} bytes of data, found {found})")
    values = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test Your IDX Parser
#
# The test writes tiny IDX files in memory with `_idx_bytes` — the format from the writer's
# side — and checks every kind of damage.

# %% nbgrader={"grade": true, "grade_id": "test-parse-idx", "locked": true, "points": 15, "schema_version": 3, "solution": false}
_IDX_WRITE_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _idx_bytes(array, code=0x08):
    """The bytes of an IDX file holding `array`, stored with IDX type `code`."""
    array = np.asarray(array)
    dims = b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    return bytes([0, 0, code, array.ndim]) + dims + array.astype(_IDX_WRITE_DTYPES[code]).tobytes()


def test_parse_idx():
    """Headers, shapes, dtypes, byte order, and a clear error for every kind of damage."""
    print("🔬 Unit Test: parse_idx...")

    # Hand-written bytes, straight from the format description
    labels = parse_idx(bytes.fromhex("00000801" "00000003" "070201"))
    assert isinstance(labels, np.ndarray), f"parse_idx should return a numpy array, got {type(labels).__name__}"
    assert labels.dtype == np.uint8 and labels.tolist() == [7, 2, 1], f"expected uint8 [7, 2, 1], got {labels!r}"

    images = (np.arange(2 * 3 * 4) * 11 % 256).astype(np.uint8).reshape(2, 3, 4)
    data = _idx_bytes(images)
    assert int.from_bytes(data[:4], "big") == 2051, "an image file's magic number is 2051"
    parsed = parse_idx(data, "images")
    assert parsed.shape == (2, 3, 4), f"the shape comes from the header: expected (2, 3, 4), got {parsed.shape}"
    assert parsed.dtype == np.uint8 and np.array_equal(parsed, images), "the pixels should come back unchanged"

    # Multi-byte types are big-endian in the file and native in the result
    for code, values in ((0x0B, [[-2, 300], [1000, -32768]]), (0x0C, [[70000, -1]]), (0x0D, [0.5, -1.25, 3e9]),
                         (0x0E, [[[1e-300]]]), (0x09, [-128, 127, 0])):
        expected = np.asarray(values, dtype=np.dtype(_IDX_WRITE_DTYPES[code]).newbyteorder("="))
        got = parse_idx(_idx_bytes(values, code), "typed")
        assert got.shape == expected.shape, f"type 0x{code:02x}: shape should be {expected.shape}, got {got.shape}"
        assert got.dtype == expected.dtype and got.dtype.isnative, (
            f"type 0x{code:02x}: dtype should be native {expected.dtype}, got {got.dtype} "
            "(convert with .astype(dtype.newbyteorder('=')))"
        )
        assert np.array_equal(got, expected), f"type 0x{code:02x}: values should be {expected.tolist()}, got {got.tolist()}"
    assert parse_idx(_idx_bytes(np.zeros((0, 28, 28), np.uint8))).shape == (0, 28, 28), "an empty array is a valid file"
    assert parse_idx(bytearray(data)).shape == (2, 3, 4), "a bytearray should work like bytes"

    # Every kind of damage is a ValueError that names the file
    damaged = {
        "a 2-byte file": b"\x00\x00",
        "a 3-byte file": b"\x00\x00\x08",
        "a wrong magic number": b"\x12\x34\x08\x01" + data[4:],
        "a magic number whose first byte is 0 but not its second": b"\x00\x34\x08\x03" + data[4:],
        "a magic number whose second byte is 0 but not its first": b"\x12\x00\x08\x03" + data[4:],
        "an unknown type code": b"\x00\x00\x07\x03" + data[4:],
        "a truncated header": data[:10],
        "truncated data": data[:-1],
        "extra bytes after the data": data + b"\x00\x00",
        "one extra byte after the data": data + b"\x00",
    }
    for problem, broken in damaged.items():
        try:
            parse_idx(broken, "broken-file.idx")
            assert False, f"parse_idx should raise ValueError for {problem}"
        except ValueError as exc:
            assert "broken-file.idx" in str(exc), f"the message for {problem} should name the file, got {str(exc)!r}"
            if problem == "truncated data":
                assert "truncated" in str(exc) and "24" in str(exc) and "23" in str(exc), (
                    f"a truncated file's message should say 'truncated' and show 24 expected and 23 found bytes, got {str(exc)!r}"
                )
                assert "(2, 3, 4)" in str(exc), (
                    f"the message should show the shape (2, 3, 4), a tuple of Python ints, got {str(exc)!r}"
                )
            if problem == "extra bytes after the data":
                assert "24" in str(exc) and "26" in str(exc), f"show the expected (24) and actual (26) sizes, got {str(exc)!r}"

    print("✅ headers, shapes and all six value types are decoded")
    print("✅ big-endian values come back in native byte order")
    print("✅ damaged files give a ValueError that names the file")

test_parse_idx()

# %% [markdown]
# ## Step 7: Getting the Files — Downloads That Fail Well (provided)
#
# This step is provided code: read it, you will use it. It turns "download MNIST" into
# something you can rely on, which takes more care than one `urlopen` call.
#
# ### Mirrors
# MNIST's original home, `yann.lecun.com`, has been unreliable for years. The files are
# copied on several **mirrors** (we try the PyTorch project's S3 bucket, then Google's
# `cvdf-datasets` bucket); `download_file` tries each URL in turn and moves on when one
# fails.
#
# ### Checksums
# A server can answer with an HTML error page, a proxy can cut a file short, a mirror can
# host a different version. Every file has a published **MD5 checksum** (a 128-bit
# fingerprint of its bytes): we compute the MD5 of what we received and accept the file only
# if it matches. MD5 reliably detects accidents. It does **not** stop a deliberate forger
# (MD5 collisions can be constructed; SHA-256 would be the choice for security), but the
# datasets were published with MD5s, so MD5 is what we can check.
#
# ### Atomic writes
# If the program dies halfway through writing `train-images-idx3-ubyte.gz` (Ctrl-C, a full
# disk), a half-written file with the final name would be trusted on the next run. So we
# write to a temporary file **in the same folder** and then `os.replace` it onto the final
# name: a rename within one file system is atomic, so the final name either does not exist
# or holds the complete, verified file.
#
# ### Failing well
# Offline, `urllib` raises an exception wrapped in another exception, with a long
# traceback. A student should instead read *what* failed and *what to do*:
#
# ```
# DownloadError: could not download train-images-idx3-ubyte.gz; tried:
#   - https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: no connection ([Errno -3] Temporary failure in name resolution)
#   - https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz: no connection (...)
# No network? Download the four files by hand into data/mnist: train-images-idx3-ubyte.gz, ...
# ```
#
# `download_file` collects one line per mirror and raises `DownloadError` *after* the loop,
# outside any `except` block, so Python attaches no "During handling of the above
# exception, another exception occurred" traceback.
#
# ### gzip: look at the bytes, not the name
# The files are published gzipped, but names lie: some browsers and proxies decompress a
# download on the fly and keep the `.gz` name, and some people gunzip the files by hand.
# So `read_maybe_gzipped` checks the content: every gzip stream starts with the two bytes
# `1f 8b`. A file that starts with them is decompressed, whatever it is called; any other
# file is used as it is.
#
# ### load_mnist
# `load_mnist(path, download=False, flatten=True)` looks in `path` for each of the four
# files (raw or `.gz`), downloads the missing ones when `download=True`, parses them with
# **your** `parse_idx`, checks the magic numbers (2051 for images, 2049 for labels), checks
# that the image and label files of each split agree on the number of examples, and
# returns `(x_train, y_train, x_test, y_test)`: pixels as float32 in [0, 1] (divided by
# 255), shape `(n, 784)` or `(n, 1, 28, 28)`, labels as int64.

# %% nbgrader={"grade": false, "grade_id": "downloads-and-mnist", "locked": true, "schema_version": 3, "solution": false}
#| export
class DownloadError(RuntimeError):
    """A dataset file could not be downloaded from any of its URLs (offline, HTTP error, wrong checksum)."""


def _fetch(url, timeout=60):
    """The bytes at `url`. Raises urllib's exceptions; download_file turns them into one clear message."""
    request = urllib.request.Request(url, headers={"User-Agent": "tinytorch-dataloader"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _failure_reason(exc):
    """One short line for a failed fetch, instead of urllib's traceback."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP error {exc.code} ({exc.reason})"
    if isinstance(exc, urllib.error.URLError):
        return f"no connection ({exc.reason})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def md5sum(data):
    """The MD5 checksum of some bytes, as 32 hex digits (used to detect corrupt downloads)."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _write_atomically(dest, data):
    """Write `data` to `dest` so that `dest` never exists half-written."""
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates the file private (0600); a dataset may be shared
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def download_file(urls, dest, md5, hint=None):
    """
    Download `dest` from the first of `urls` that works and whose MD5 checksum is `md5`.

    Tries each URL in turn; the file is written atomically (never half-written). When
    every URL fails, raises DownloadError listing what went wrong with each one and
    what to do instead (`hint`).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        print(f"Downloading {url} ...")
        try:
            data = _fetch(url)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            failures.append(f"{url}: {_failure_reason(exc)}")
            continue
        digest = md5sum(data)
        if digest != md5:
            failures.append(f"{url}: wrong MD5 checksum {digest} (expected {md5}): a corrupt or different file")
            continue
        _write_atomically(dest, data)
        return dest
    tried = "\n".join(f"  - {failure}" for failure in failures) or "  (no URLs to try)"
    hint = hint or f"No network? Download {dest.name} by hand into {dest.parent}."
    raise DownloadError(f"could not download {dest.name}; tried:\n{tried}\n{hint}")


GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of every gzip stream

MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
MNIST_FILES = {  # file name -> (IDX magic number, MD5 of the published .gz file)
    "train-images-idx3-ubyte": (2051, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte": (2049, "d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte": (2051, "9fb629c4189551a2d022fa330f9573f3"),
    "t10k-labels-idx1-ubyte": (2049, "ec29112dd5afa0611ce80d1b7f02629c"),
}


def read_maybe_gzipped(path):
    """The bytes of `path`, decompressed if they are gzip data (detected by content, not by name)."""
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{path}: corrupt gzip data ({exc}); delete the file and download it again") from None
    return data


def read_idx_file(path, expected_magic=None):
    """Parse the IDX file at `path` (gzipped or not); check its magic number if one is expected."""
    path = Path(path)
    data = read_maybe_gzipped(path)
    array = parse_idx(data, name=str(path))
    magic = int.from_bytes(data[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(f"{path}: expected an IDX file with magic number {expected_magic}, found {magic}; "
                         "is it the right file?")
    return array


def _mnist_file(root, name, download):
    """The path of MNIST file `name` in `root` (raw or .gz), downloading it if asked to."""
    for candidate in (root / name, root / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    if not download:
        raise FileNotFoundError(f"MNIST file {name} (or {name}.gz) not found in {root}; call "
                                f"load_mnist({str(root)!r}, download=True), or download the four files by hand "
                                f"into that folder: {', '.join(f'{n}.gz' for n in MNIST_FILES)}")
    source = f" (for example from {MNIST_MIRRORS[0]})" if MNIST_MIRRORS else ""
    hint = (f"No network? Download the four files by hand into {root}: "
            f"{', '.join(f'{n}.gz' for n in MNIST_FILES)}{source}, then call load_mnist again.")
    urls = [mirror + f"{name}.gz" for mirror in MNIST_MIRRORS]
    return download_file(urls, root / f"{name}.gz", MNIST_FILES[name][1], hint=hint)


def _mnist_split(root, images_name, labels_name, download, flatten):
    """One split of MNIST as (x float32 in [0, 1], y int64), with every file checked."""
    images_path = _mnist_file(root, images_name, download)
    labels_path = _mnist_file(root, labels_name, download)
    images = read_idx_file(images_path, MNIST_FILES[images_name][0])
    labels = read_idx_file(labels_path, MNIST_FILES[labels_name][0])
    if len(images) != len(labels):
        raise ValueError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels; "
                         "the two files do not belong together")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: MNIST labels are digits 0..9, found {labels.max()}")
    n, rows, cols = images.shape
    x = images.astype(np.float32)
    x /= 255
    x = x.reshape(n, rows * cols) if flatten else x.reshape(n, 1, rows, cols)
    return x, labels.astype(np.int64)


def load_mnist(path, download=False, flatten=True):
    """
    MNIST from the IDX files in `path`, as (x_train, y_train, x_test, y_test).

    x: float32 in [0, 1], shape (n, 784) or, with flatten=False, (n, 1, 28, 28); y: int64.
    Files may be gzipped or not. download=True fetches missing files from MNIST_MIRRORS,
    checking their MD5 checksums. Corrupt files raise ValueError naming the file.
    """
    root = Path(path)
    x_train, y_train = _mnist_split(root, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", download, flatten)
    x_test, y_test = _mnist_split(root, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", download, flatten)
    return x_train, y_train, x_test, y_test

# %% [markdown]
# ### 🧪 Test Loading MNIST-Format Files
#
# No real MNIST is needed (and no network): the test writes four tiny files in the real
# format into a temporary folder — some gzipped, one gzipped without the `.gz` name, one
# raw *with* a `.gz` name — and loads them with `load_mnist`. It then checks the damage
# reports, and the offline error, by pointing the mirror list at a closed port on this
# machine (`http://127.0.0.1:9/`), which refuses the connection at once.

# %% nbgrader={"grade": true, "grade_id": "test-load-mnist", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_load_mnist():
    """load_mnist on tiny generated IDX files: gzip by content, shapes, scaling, clear errors."""
    print("🔬 Unit Test: load_mnist on generated IDX files...")
    global MNIST_MIRRORS

    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    train_labels = np.array([5, 0, 4, 1, 9], dtype=np.uint8)
    test_images = rng.integers(0, 256, size=(2, 4, 3), dtype=np.uint8)
    test_labels = np.array([7, 2], dtype=np.uint8)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "train-images-idx3-ubyte").write_bytes(gzip.compress(_idx_bytes(train_images)))  # gzip, no .gz name
        (root / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(train_labels)))
        (root / "t10k-images-idx3-ubyte").write_bytes(_idx_bytes(test_images))
        (root / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx_bytes(test_labels))  # raw, despite the .gz name

        x_train, y_train, x_test, y_test = load_mnist(tmp)
        assert x_train.shape == (5, 12) and x_test.shape == (2, 12), (
            f"flattened 4x3 images should give (5, 12) and (2, 12), got {x_train.shape} and {x_test.shape}"
        )
        assert x_train.dtype == np.float32 and y_train.dtype == np.int64, f"expected float32 / int64, got {x_train.dtype} / {y_train.dtype}"
        assert np.allclose(x_train, train_images.reshape(5, 12) / 255), "pixels should be divided by 255"
        assert np.allclose(x_test, test_images.reshape(2, 12) / 255), "test pixels should be divided by 255"
        assert y_train.tolist() == [5, 0, 4, 1, 9] and y_test.tolist() == [7, 2], f"labels: got {y_train.tolist()} and {y_test.tolist()}"
        x_img = load_mnist(root, flatten=False)[0]
        assert x_img.shape == (5, 1, 4, 3), f"flatten=False should give (5, 1, 4, 3), got {x_img.shape}"

        # Image and label counts must agree
        (root / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx_bytes(np.array([7, 2, 1], dtype=np.uint8)))
        try:
            load_mnist(tmp)
            assert False, "2 test images with 3 test labels should raise ValueError"
        except ValueError as exc:
            assert "t10k-images-idx3-ubyte" in str(exc) and "t10k-labels-idx1-ubyte" in str(exc), (
                f"the message should name both files, got {str(exc)!r}"
            )
        (root / "t10k-labels-idx1-ubyte.gz").write_bytes(_idx_bytes(test_labels))

        # A truncated (gzipped) file, and a label file where images belong
        good = (root / "train-images-idx3-ubyte").read_bytes()
        (root / "train-images-idx3-ubyte").write_bytes(gzip.compress(_idx_bytes(train_images)[:-5]))
        try:
            load_mnist(tmp)
            assert False, "a truncated image file should raise ValueError"
        except ValueError as exc:
            assert "train-images-idx3-ubyte" in str(exc) and "truncated" in str(exc), f"got {str(exc)!r}"
        (root / "train-images-idx3-ubyte").write_bytes(good[: len(good) // 2])
        try:
            load_mnist(tmp)
            assert False, "a cut-off gzip stream should raise ValueError"
        except ValueError as exc:
            assert "train-images-idx3-ubyte" in str(exc), f"the message should name the file, got {str(exc)!r}"
        (root / "train-images-idx3-ubyte").write_bytes(_idx_bytes(train_labels))
        try:
            load_mnist(tmp)
            assert False, "a label file (magic 2049) in place of the images (2051) should raise ValueError"
        except ValueError as exc:
            assert "2051" in str(exc) and "2049" in str(exc), f"the message should show both magic numbers, got {str(exc)!r}"

    # Missing files, and downloads that cannot work (no network is used)
    saved = MNIST_MIRRORS
    with tempfile.TemporaryDirectory() as tmp:
        try:
            load_mnist(tmp)
            assert False, "an empty folder without download=True should raise FileNotFoundError"
        except FileNotFoundError as exc:
            assert "download=True" in str(exc), f"the message should suggest download=True, got {str(exc)!r}"
        try:
            MNIST_MIRRORS = ["http://127.0.0.1:9/"]
            load_mnist(tmp, download=True)
            assert False, "a download from a closed port should raise DownloadError"
        except DownloadError as exc:
            message = str(exc)
            assert "could not download" in message and tmp in message, f"say what failed and where the files go, got {message!r}"
            assert "127.0.0.1:9" in message and "Traceback" not in message, f"one line per URL, no traceback: {message!r}"
        finally:
            MNIST_MIRRORS = saved
        assert os.listdir(tmp) == [], f"a failed download must leave no files behind, found {os.listdir(tmp)}"

    print("✅ gzipped and raw IDX files load, detected by content")
    print("✅ corrupt, truncated and mismatched files give clear errors")
    print("✅ an impossible download fails with a clear message")

test_load_mnist()

# %% [markdown]
# ## Step 8: CIFAR-10 — Colour Images in Python Pickles
#
# ### The dataset
# CIFAR-10 (A. Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, 2009)
# has **60,000 colour images of 32x32 pixels** in ten classes — airplane, automobile,
# bird, cat, deer, dog, frog, horse, ship, truck — 6,000 per class: 50,000 for training
# (five batches of 10,000) and 10,000 for testing. Its authors ask that you cite that
# report when you use it. It is a big step up from digits: colour, clutter, and objects
# at every angle. The "python version" is a 170 MB archive, `cifar-10-python.tar.gz`
# (MD5 `c58f30108f718f92721af3b95e74349a`), holding a folder `cifar-10-batches-py/` with
# `data_batch_1` ... `data_batch_5` and `test_batch`.
#
# ### One batch file
# Each batch is a Python *pickle* of a dict with bytes keys:
#
# ```
# b"data"    uint8 array (10000, 3072): one image per row
# b"labels"  list of 10000 ints in 0..9
# ```
#
# A row holds 1024 red values, then 1024 green, then 1024 blue, each a 32x32 picture
# stored row by row. That is exactly the memory layout of an array of shape `(3, 32, 32)`,
# so `data.reshape(n, 3, 32, 32)` gives the `(N, C, H, W)` batches convolutional layers
# expect, **without moving a byte**:
#
# ```
# row i: [ R(0,0) R(0,1) ... R(31,31) | G(0,0) ... G(31,31) | B(0,0) ... B(31,31) ]
#          <-------- 1024 --------->   <------ 1024 ------>   <------ 1024 ------>
# reshape(n, 3, 32, 32):  image[i, c, r, col] = data[i, c*1024 + r*32 + col]
# ```
#
# (To *display* an image you want `(32, 32, 3)`, height x width x colour: a
# `transpose(1, 2, 0)`.)
#
# ### Pickles can run code
# `pickle.load` can be made to call any function while loading — a malicious "dataset"
# could delete your files. The provided reader therefore uses a restricted unpickler that
# rebuilds only numpy arrays (plus dicts, lists, bytes and numbers, which need no
# permission) and refuses everything else with a clear error. It uses
# `encoding="bytes"` because the batches were pickled by Python 2, whose strings become
# Python 3 `bytes` — hence the keys `b"data"` and `b"labels"`.
#
# ### Archives can write anywhere
# A tar member may be named `../../.bashrc` or `/etc/passwd`, or be a link pointing
# anywhere (the "tar path traversal" vulnerability, CVE-2007-4559). The provided
# extractor never calls `extractall`: it copies out only regular files with the expected
# names inside `cifar-10-batches-py/`, into a temporary folder that is renamed into place
# once everything is there.
#
# ### What you write
# `cifar_batch_arrays(batch, name)` turns one unpickled batch into `(images, labels)`:
# images uint8 `(n, 3, 32, 32)` and labels int64 `(n,)`, after checking that the batch is
# what it claims to be. `load_cifar10` concatenates the five training batches and only
# then converts to float32 in [0, 1] (÷ 255), in place, to avoid temporary copies:
# CIFAR-10's training images take 150 MB as uint8 and 600 MB as float32.

# %% nbgrader={"grade": false, "grade_id": "cifar-batch", "locked": false, "schema_version": 3, "solution": true}
#| export
def cifar_batch_arrays(batch, name="CIFAR-10 batch"):
    """
    One unpickled CIFAR-10 batch as (images uint8 (n, 3, 32, 32), labels int64 (n,)).

    TODO: Check the batch and reshape its rows into images.

    STEP-BY-STEP IMPLEMENTATION:
    1. `batch` must be a dict holding the keys b"data" and b"labels";
       otherwise ValueError naming `name` and what is missing
    2. The b"data" entry, as a numpy array, must be uint8 with shape (n, 3072);
       otherwise ValueError naming `name` and showing the dtype and shape found
    3. The b"labels" entry, as a numpy array, must have shape (n,) (one label per image),
       hold integers (not floats), all in 0..9; otherwise ValueError naming `name`
    4. Return the rows reshaped to (n, 3, 32, 32) and the labels as int64

    EXAMPLE USAGE:
    ```python
    batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 9]}
    images, labels = cifar_batch_arrays(batch)
    images.shape, labels.tolist()          # (2, 3, 32, 32) [3, 9]
    cifar_batch_arrays({b"data": ...}, "data_batch_1")
    # ValueError: data_batch_1: not a CIFAR-10 batch: no b"labels" entry
    ```

    IMPLEMENTATION HINTS:
    - isinstance(batch, dict) and `key in batch`
    - np.issubdtype(labels.dtype, np.integer) tells you whether labels are integers
    - An empty batch (n == 0) is valid: np.asarray([]) is float64 and has no min(), so
      only check the label values when there are some
    - Each row is channel-major (1024 red, 1024 green, 1024 blue): a plain reshape is right
    """
    ### BEGIN SOLUTION
    if not isinstance(batch, dict):
        raise ValueError(f"{name}: not a CIFAR-10 batch: expected a dict, found {type(batch).__name__}")
    for key in (b"data", b"labels"):
        if key not in batch:
            raise ValueError(f"{name}: not a CIFAR-10 batch: no {key!r} entry")
    data = np.asarray(batch[b"data"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{name}: b'data' should be uint8 of shape (n, 3072), found {data.dtype} of shape {data.shape}")
    labels = np.asarray(batch[b"labels"])
    n = len(data)
    if labels.shape != (n,):
        raise ValueError(f"{name}: {n} images but b'labels' has shape {labels.shape}")
    if n and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{name}: labels should be integers in 0..9")
    return data.reshape(n, 3, 32, 32), labels.astype(np.int64)
    ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "cifar-loader", "locked": true, "schema_version": 3, "solution": false}
#| export
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_BATCHES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _pickle_allowlist():
    """The only globals a CIFAR-10 batch needs: what numpy uses to pickle an array."""
    try:
        from numpy._core import multiarray, numeric
    except ImportError:  # numpy < 2
        from numpy.core import multiarray, numeric
    import codecs

    allowed = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
               ("_codecs", "encode"): codecs.encode}  # how Python 3 pickles bytes for Python 2
    for package in ("numpy.core", "numpy._core"):  # arrays pickled by numpy 1 and numpy 2
        allowed[(f"{package}.multiarray", "_reconstruct")] = multiarray._reconstruct
        allowed[(f"{package}.multiarray", "scalar")] = multiarray.scalar
        if hasattr(numeric, "_frombuffer"):
            allowed[(f"{package}.numeric", "_frombuffer")] = numeric._frombuffer
    return allowed


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds dicts, lists, bytes, numbers and numpy arrays, and nothing else."""

    _allowed = None

    def find_class(self, module, name):
        if _ArrayUnpickler._allowed is None:
            _ArrayUnpickler._allowed = _pickle_allowlist()
        found = _ArrayUnpickler._allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: "
                                         "a dataset file should hold only arrays, lists and bytes")
        return found


def _read_cifar_batch(path):
    """One batch file -> (images uint8 (n, 3, 32, 32), labels int64), with clear errors."""
    try:
        with open(path, "rb") as fh:
            batch = _ArrayUnpickler(fh, encoding="bytes").load()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing: {path.parent} should hold "
                                f"{', '.join(CIFAR10_TRAIN_BATCHES)} and {CIFAR10_TEST_BATCH}") from None
    except OSError:
        raise
    except Exception as exc:  # a damaged pickle can fail in many ways
        raise ValueError(f"{path}: not a readable CIFAR-10 batch ({type(exc).__name__}: {exc}); "
                         "delete the folder and extract or download it again") from None
    return cifar_batch_arrays(batch, name=str(path))


def _extract_cifar10(archive, root):
    """Extract the batch files of `archive` into root/cifar-10-batches-py, safely."""
    wanted = set(CIFAR10_TRAIN_BATCHES) | {CIFAR10_TEST_BATCH}
    keep = wanted | {"batches.meta", "readme.html"}
    staging = Path(tempfile.mkdtemp(dir=root, prefix=".cifar-10-extract-"))
    try:
        found = set()
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    parts = PurePosixPath(member.name).parts
                    # only regular files with an expected name directly inside the expected folder:
                    # no absolute paths, no "..", no links, no devices
                    if member.isfile() and len(parts) == 2 and parts[0] == CIFAR10_FOLDER and parts[1] in keep:
                        with tar.extractfile(member) as src, open(staging / parts[1], "wb") as dst:
                            shutil.copyfileobj(src, dst)
                        found.add(parts[1])
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(f"{archive}: corrupt or not a .tar.gz archive ({exc}); "
                             "delete it and download it again") from None
        missing = sorted(wanted - found)
        if missing:
            raise ValueError(f"{archive}: no {CIFAR10_FOLDER}/{missing[0]} inside (missing: {', '.join(missing)}); "
                             "is it the CIFAR-10 python version?")
        os.replace(staging, root / CIFAR10_FOLDER)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _to_unit_float(images):
    """uint8 pixels -> float32 in [0, 1], with a single float32 copy."""
    x = images.astype(np.float32)
    x /= 255
    return x


def load_cifar10(path, download=False):
    """
    CIFAR-10 from `path` as (x_train, y_train, x_test, y_test).

    Reads path/cifar-10-batches-py, or extracts it from path/cifar-10-python.tar.gz, or
    with download=True downloads that archive (MD5-checked) first.
    x: float32 in [0, 1] of shape (n, 3, 32, 32); y: int64 in 0..9 (see CIFAR10_CLASSES).
    """
    root = Path(path)
    folder = root / CIFAR10_FOLDER
    if not folder.is_dir():
        archive = root / CIFAR10_ARCHIVE
        if not archive.is_file():
            if not download:
                raise FileNotFoundError(f"CIFAR-10 not found in {root}: expected the folder {CIFAR10_FOLDER} or "
                                        f"{CIFAR10_ARCHIVE}; call load_cifar10({str(root)!r}, download=True), or "
                                        f"download {CIFAR10_URL} by hand into that folder")
            download_file([CIFAR10_URL], archive, CIFAR10_MD5,
                          hint=f"No network? Download {CIFAR10_URL} by hand into {root}, then call load_cifar10 again.")
        _extract_cifar10(archive, root)
    train = [_read_cifar_batch(folder / name) for name in CIFAR10_TRAIN_BATCHES]
    x_test, y_test = _read_cifar_batch(folder / CIFAR10_TEST_BATCH)
    x_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return _to_unit_float(x_train), y_train, _to_unit_float(x_test), y_test

# %% [markdown]
# ### 🧪 Test Your CIFAR-10 Batches
#
# The test builds a tiny CIFAR-10 on disk — six batch files of two images each, as
# pickles — once as a folder and once as a `.tar.gz` (with two hostile members that must
# not be extracted), and checks the errors for damaged files.

# %% nbgrader={"grade": true, "grade_id": "test-cifar10", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def _tiny_cifar_images(n, offset):
    """n images (n, 3, 32, 32) uint8 whose every pixel encodes (image, channel, row, column)."""
    k, c, r, col = np.meshgrid(np.arange(n), np.arange(3), np.arange(32), np.arange(32), indexing="ij")
    return ((offset + k * 7 + c * 50 + r * 3 + col) % 256).astype(np.uint8)


def _write_tiny_cifar(folder):
    """A tiny cifar-10-batches-py in `folder`: 5 training batches and a test batch of 2 images."""
    folder.mkdir(parents=True)
    for i, name in enumerate(["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]):
        images = _tiny_cifar_images(2, offset=10 * i)
        batch = {b"batch_label": name.encode(), b"data": images.reshape(2, 3072), b"labels": [i, (i + 3) % 10]}
        (folder / name).write_bytes(pickle.dumps(batch))


def test_cifar10():
    """cifar_batch_arrays' layout and checks; load_cifar10 from a folder and a tar.gz; clear errors."""
    print("🔬 Unit Test: CIFAR-10 batches...")
    global CIFAR10_URL

    images = _tiny_cifar_images(2, offset=0)
    rows = images.reshape(2, 3072)
    x, y = cifar_batch_arrays({b"data": rows, b"labels": [3, 9]}, "tiny")
    assert x.shape == (2, 3, 32, 32) and x.dtype == np.uint8, f"expected uint8 (2, 3, 32, 32), got {x.dtype} {x.shape}"
    assert np.array_equal(x, images), "reshaping each row to (3, 32, 32) should give back the images"
    assert x[1, 1, 0, 0] == rows[1, 1024] and x[0, 2, 5, 7] == rows[0, 2048 + 5 * 32 + 7], "rows are 1024 R, 1024 G, 1024 B"
    assert y.dtype == np.int64 and y.tolist() == [3, 9], f"labels should be int64 [3, 9], got {y!r}"

    bad_batches = {
        "a list instead of a dict": [rows],
        "no labels": {b"data": rows},
        "no data": {b"labels": [3, 9]},
        "rows of 3000 values": {b"data": rows[:, :3000], b"labels": [3, 9]},
        "float data": {b"data": rows.astype(np.float32), b"labels": [3, 9]},
        "3 labels for 2 images": {b"data": rows, b"labels": [3, 9, 1]},
        "label 10": {b"data": rows, b"labels": [3, 10]},
        "label -1": {b"data": rows, b"labels": [-1, 9]},
        "float labels": {b"data": rows, b"labels": [3.0, 9.0]},
        "labels of shape (2, 1)": {b"data": rows, b"labels": [[3], [9]]},
    }
    for problem, batch in bad_batches.items():
        try:
            cifar_batch_arrays(batch, "data_batch_9")
            assert False, f"a batch with {problem} should raise ValueError"
        except ValueError as exc:
            assert "data_batch_9" in str(exc), f"the message for {problem} should name the batch, got {str(exc)!r}"

    edges = cifar_batch_arrays({b"data": list(rows), b"labels": np.array([0, 9], dtype=np.uint8)}, "edges")
    assert np.array_equal(edges[0], images) and edges[1].tolist() == [0, 9] and edges[1].dtype == np.int64, (
        "labels 0 and 9 are both valid, uint8 labels become int64, and a list of rows works like an array"
    )
    empty_x, empty_y = cifar_batch_arrays({b"data": np.zeros((0, 3072), np.uint8), b"labels": []}, "empty")
    assert empty_x.shape == (0, 3, 32, 32) and empty_y.shape == (0,) and empty_y.dtype == np.int64, (
        f"an empty batch is valid: (0, 3, 32, 32) images and (0,) int64 labels, got {empty_x.shape} and {empty_y.shape} {empty_y.dtype}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_tiny_cifar(root / "cifar-10-batches-py")
        x_train, y_train, x_test, y_test = load_cifar10(root)
        assert x_train.shape == (10, 3, 32, 32) and x_test.shape == (2, 3, 32, 32), (
            f"5 batches of 2 and a test batch of 2: expected (10, 3, 32, 32) and (2, 3, 32, 32), got {x_train.shape} and {x_test.shape}"
        )
        assert x_train.dtype == np.float32 and y_train.dtype == np.int64, f"expected float32 / int64, got {x_train.dtype} / {y_train.dtype}"
        assert np.allclose(x_train[2:4] * 255, _tiny_cifar_images(2, offset=10)), "data_batch_2 should come second, scaled by 1/255"
        assert y_train.tolist() == [0, 3, 1, 4, 2, 5, 3, 6, 4, 7] and y_test.tolist() == [5, 8], f"labels: got {y_train.tolist()}, {y_test.tolist()}"

        # The same data from a .tar.gz, with two hostile members that must be ignored
        archive_dir = root / "from-archive"
        archive_dir.mkdir()
        with tarfile.open(archive_dir / "cifar-10-python.tar.gz", "w:gz") as tar:
            tar.add(root / "cifar-10-batches-py", arcname="cifar-10-batches-py")
            evil = tarfile.TarInfo("cifar-10-batches-py/../escaped.txt")
            evil.size = 4
            tar.addfile(evil, io.BytesIO(b"evil"))
            link = tarfile.TarInfo("cifar-10-batches-py/readme.html")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(link)
        again = load_cifar10(archive_dir)
        assert all(np.array_equal(a, b) for a, b in zip(again, (x_train, y_train, x_test, y_test))), (
            "loading from the .tar.gz should give the same arrays as the folder"
        )
        assert not (archive_dir / "escaped.txt").exists() and not (root / "escaped.txt").exists(), "'..' members must not be extracted"
        assert not (archive_dir / "cifar-10-batches-py" / "readme.html").is_symlink(), "links must not be extracted"

        # Damaged files name themselves
        batch_file = root / "cifar-10-batches-py" / "data_batch_3"
        batch_file.write_bytes(batch_file.read_bytes()[:200])
        try:
            load_cifar10(root)
            assert False, "a truncated batch file should raise ValueError"
        except ValueError as exc:
            assert "data_batch_3" in str(exc), f"the message should name data_batch_3, got {str(exc)!r}"
        batch_file.write_bytes(pickle.dumps({b"data": rows, b"labels": len}))
        try:
            load_cifar10(root)
            assert False, "a pickle that refers to a function (builtins.len) must be refused with ValueError"
        except ValueError as exc:
            assert "data_batch_3" in str(exc) and "refusing" in str(exc), f"got {str(exc)!r}"
        (archive_dir / "broken").mkdir()
        (archive_dir / "broken" / "cifar-10-python.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
        try:
            load_cifar10(archive_dir / "broken")
            assert False, "a corrupt archive should raise ValueError"
        except ValueError as exc:
            assert "cifar-10-python.tar.gz" in str(exc), f"the message should name the archive, got {str(exc)!r}"

    # Missing data, and a download that cannot work (no network is used)
    saved = CIFAR10_URL
    with tempfile.TemporaryDirectory() as tmp:
        try:
            load_cifar10(tmp)
            assert False, "an empty folder without download=True should raise FileNotFoundError"
        except FileNotFoundError as exc:
            assert "download=True" in str(exc), f"the message should suggest download=True, got {str(exc)!r}"
        try:
            CIFAR10_URL = "http://127.0.0.1:9/cifar-10-python.tar.gz"
            load_cifar10(tmp, download=True)
            assert False, "a download from a closed port should raise DownloadError"
        except DownloadError as exc:
            assert "could not download" in str(exc) and "Traceback" not in str(exc), f"got {str(exc)!r}"
        finally:
            CIFAR10_URL = saved
        assert os.listdir(tmp) == [], f"a failed download must leave no files behind, found {os.listdir(tmp)}"

    print("✅ rows become (3, 32, 32) images; labels become int64")
    print("✅ loads from the folder and, safely, from the .tar.gz")
    print("✅ damaged files and hostile pickles give clear errors")

test_cifar10()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook, runs each one and prints
# a summary.
#
# **This testing section is locked** — it gives the same feedback in every module and
# cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

success = run_module_tests_auto("DataLoader")

# %% [markdown]
# ## 🎯 Module Summary: A Data Pipeline Built!
#
# ### ✅ What you built
# - **`Dataset` / `TensorDataset`**: the `len` + `[i]` protocol, arrays checked for equal
#   length at construction, items as tuples of Tensors
# - **`DataLoader`**: validated settings, `len()` in batches, `batch_indices()` (a fresh
#   seeded permutation per epoch, `drop_last`), iteration with `collate` for any dataset
#   and a one-call fancy-indexing fast path for `TensorDataset`
# - **`stratified_split` and `load_digits`**: 1437/360 digits, 36 test digits per class,
#   the same for everybody
# - **`parse_idx`**: a binary format decoded from its header, big-endian values, every
#   size checked; with the provided `load_mnist`, MNIST from its original files
# - **`cifar_batch_arrays`**: CIFAR-10 rows as `(N, C, H, W)` images, read through a
#   restricted unpickler from a safely extracted archive
#
# ### ✅ Key ideas
# - **Separate *what* from *how***: a dataset only knows its examples; the loader decides
#   order and grouping. One loader serves every dataset.
# - **Mini-batch SGD**: an unbiased gradient estimate whose noise falls like `1/b`, at the
#   price of `n/b` cheap, vectorised steps per epoch.
# - **Shuffle every epoch, reproducibly**: a new permutation each epoch from a generator
#   seeded once; the same seed replays the same training run.
# - **Fixed, stratified test sets** make accuracies comparable across runs and people.
# - **Distrust files and networks**: check sizes, magic numbers and checksums, write
#   atomically, never unpickle or extract blindly, and fail with a message that says what
#   to do.
#
# ### 🔗 Connection to real ML systems
# - `torch.utils.data.Dataset`, `TensorDataset`, `DataLoader(batch_size, shuffle,
#   drop_last, generator)` and `default_collate` are these classes, plus worker processes
#   that prepare the next batches in parallel while the GPU computes.
# - `torchvision.datasets.MNIST` and `CIFAR10` read the same files, from mirrors, with
#   MD5 checks; scikit-learn's `load_digits` and `train_test_split(stratify=...)` are
#   the digits side.
#
# ### 🚀 What's next
# Run `tito export dataloader`. Module 07 (autograd) gives your tensors gradients,
# module 08 the optimizers that use them, and module 09's `Trainer.fit(train_loader, ...)`
# is a `for x, y in train_loader:` loop over exactly the loader you just wrote.
