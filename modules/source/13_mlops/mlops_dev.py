# %% [markdown]
# # MLOps
#
# Twelve modules ago a `Tensor` was a wrapper around a numpy array. Now you can build,
# train and evaluate networks that read handwritten digits. This last systems module is
# about what happens **after** `trainer.fit` returns: the model leaves the notebook, serves
# predictions to people who never see its test accuracy, and the world it was trained on
# starts to change underneath it.
#
# A model in production fails differently from ordinary software. A bug in a web server
# raises an exception; a model whose inputs have drifted keeps answering, confidently and
# wrongly, with no error anywhere. Nothing crashes. Accuracy just erodes until someone
# notices. MLOps is the engineering that makes that erosion **visible** and **recoverable**.
#
# By the end of the module you will have built:
# - `atomic_write`: files that are either completely written or not there at all,
# - a `ModelRegistry` on disk: numbered, immutable model versions with a JSON manifest and
#   a SHA-256 hash, and a `load` that refuses tampered files and mismatched architectures,
# - a `ModelMonitor`: rolling latency percentiles and accuracy over a stream of batches,
#   with alerts,
# - drift statistics written in numpy: the **population stability index** (PSI) and the
#   two-sample **Kolmogorov–Smirnov test** with its asymptotic p-value,
# - a `DriftDetector` over many features, a `RetrainingTrigger` with a cooldown, and an
#   `MLOpsPipeline` that ties them together,
# - and, at the end, the whole loop on the digits: a model is trained and registered, the
#   "scanner" changes, the pipeline notices (drift **and** an accuracy drop), retrains on
#   fresh labelled data, registers version 2 and recovers.

# %% nbgrader={"grade": false, "grade_id": "mlops-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.mlops
#| export
import collections
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.core.autograd import Variable
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.optimizers import Adam, StepLR
from tinytorch.core.training import CrossEntropyLoss, Trainer

# %% nbgrader={"grade": false, "grade_id": "mlops-banner", "locked": true, "schema_version": 3, "solution": false}
from tinytorch.core.networks import create_mlp          # the tests build small models with it
from tinytorch.core.dataloader import load_digits       # and use the digits at the end

print("🔥 TinyTorch MLOps Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to put models into production!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/13_mlops/mlops_dev.py`
# **Building Side:** Code exports to `tinytorch.core.mlops`
#
# ```python
# # Final package structure:
# from tinytorch.core.mlops import ModelRegistry, ModelMonitor, DriftDetector
# from tinytorch.core.mlops import psi, ks_2samp, RetrainingTrigger, MLOpsPipeline
# from tinytorch.core.training import Trainer            # module 09: retraining uses it
# ```
#
# **Why this matters:**
# - **Learning:** The statistics of drift (PSI, Kolmogorov–Smirnov) and the engineering of
#   safe storage (atomic writes, content hashes) are small enough to write yourself
# - **Production:** MLflow's model registry, Weights & Biases artifacts, Evidently and
#   whylogs drift reports, Prometheus latency histograms do exactly these things at scale
# - **Consistency:** A registered model is a directory you can read with `cat` and `np.load`
# - **Foundation:** Everything you trained in modules 01–09 is only useful if it can be
#   shipped, watched and replaced safely

# %% [markdown]
# ## The ML Lifecycle
#
# Training is one box in a loop, not the end of a line:
#
# ```
#   ┌──────────┐   ┌───────┐   ┌──────────┐   ┌──────────┐   ┌────────┐   ┌─────────┐
#   │   data   │──→│ train │──→│ evaluate │──→│ register │──→│ deploy │──→│  serve  │
#   └──────────┘   └───────┘   └──────────┘   └──────────┘   └────────┘   └────┬────┘
#        ↑                                         ↑ v1, v2, … (immutable)      │
#        │                                         │                           ↓
#   ┌────┴─────────────┐    ┌──────────────────┐   │     ┌──────────────────────────────┐
#   │ fresh labelled   │←───│ retraining       │←──┴─────│ monitor: latency, accuracy,  │
#   │ data             │    │ trigger+cooldown │         │ input drift (PSI, KS)        │
#   └──────────────────┘    └──────────────────┘         └──────────────────────────────┘
# ```
#
# Each box answers a question you will be asked the day something goes wrong:
#
# | question | the box that answers it |
# | --- | --- |
# | *Which model made this prediction last Tuesday? Can we get it back?* | the **registry**: versions are numbered, immutable, with a manifest |
# | *Is the file we are serving the file we tested?* | the **hash** in the manifest, checked on every load |
# | *Is it fast enough? Is it still right?* | the **monitor**: latency percentiles, accuracy on labelled batches |
# | *Has the world changed?* | the **drift detector**: today's inputs against the training inputs |
# | *Should we retrain now, or is this noise?* | the **trigger**: a policy with thresholds and a cooldown |
#
# ### Training/serving skew
# The most common production bug is not in the model at all. It is a difference between
# what the model saw in training and what it sees when serving: pixels scaled by 1/16 in the
# notebook and by 1/255 in the app; a feature computed from the last 30 days in training
# and the last 7 days live; a different library version that resizes images differently.
# The model cannot tell you; it just sees inputs from an unfamiliar distribution. Two
# defences appear in this module: the pipeline serves **exactly the registered bytes**
# (loaded and hash-checked from the registry, never "the object we happened to have in
# memory"), and the drift detector compares **the inputs the model actually receives** with
# the inputs it was trained on, so a skew shows up as drift on the first day.

# %% [markdown]
# ## Step 1: Atomic Writes — Never Half a File
#
# ### The problem
# Writing a file is not one operation. `open(path, "wb").write(data)` first truncates the
# file to zero bytes, then writes it piece by piece. If the process is killed in between —
# out of memory, a deploy restarts the container, the laptop lid closes — the file is left
# **half written**. Worse, a reader (a serving process loading the latest model) can open
# it *while* it is being written and load garbage.
#
# ### The fix: write elsewhere, then rename
# ```
#   registry/digits/v3/
#     .weights.npz.k2j9x.tmp   ← 1. write all the bytes here (a new, private name)
#                                2. flush + fsync: the bytes are really on the disk
#     weights.npz              ← 3. os.replace(tmp, "weights.npz"): one atomic step
# ```
# `os.replace` is a **rename**, and a rename within one filesystem is atomic (a POSIX
# requirement; on Windows `os.replace` uses `MoveFileEx`, the closest equivalent): every
# reader sees either the old file or the new one, never a mixture. That is why the temporary file must be created **in the same
# directory** as the target (`/tmp` may be a different filesystem, where a "rename" is
# really a copy). If anything fails before the rename, we delete the temporary file and
# the target is untouched.
#
# This is how databases, package managers, `git` and `torch.save`-based checkpointing
# tools protect their files. Module 06's downloader already used the same trick.
#
# ### What you need
# - `tempfile.mkstemp(dir=..., prefix=..., suffix=...)` creates a new file with a unique
#   name and returns `(fd, path)`; `os.fdopen(fd, "wb")` turns the descriptor into a file.
# - `fh.flush()` empties Python's buffer; `os.fsync(fh.fileno())` asks the OS to put the
#   bytes on the disk before we rename.

# %% nbgrader={"grade": false, "grade_id": "atomic-write", "locked": false, "schema_version": 3, "solution": true}
#| export
def atomic_write(path, data: bytes) -> str:
    """
    Write `data` to `path` atomically: afterwards `path` holds exactly `data`, and at no
    moment does a half-written `path` exist. Returns the path (as a str).

    TODO: Write to a temporary file in the same directory, then os.replace it onto path.

    STEP-BY-STEP IMPLEMENTATION:
    1. path = os.fspath(path) (accepts str and pathlib.Path); directory = its directory
       (os.path.dirname, or "." for a bare file name). The directory must already exist.
    2. If data is not bytes (or bytearray), raise TypeError
    3. Create the temporary file with tempfile.mkstemp IN `directory`, with a prefix and a
       suffix so its name looks like ".<file name>.<random>.tmp"; it returns (fd, tmp_path)
    4. Inside a try block:
       a. open the descriptor with os.fdopen(fd, "wb"), write data, flush Python's buffer,
          then os.fsync the file (in that order: fsync only sees what was flushed)
       b. rename the finished temporary file onto `path` with os.replace
    5. If anything raises (catch BaseException, so Ctrl-C cleans up too): delete tmp_path if it
       still exists, then re-raise the exception
    6. Return path

    EXAMPLE USAGE:
    ```python
    atomic_write("registry/digits/v1/manifest.json", b'{"version": 1}')
    atomic_write(pathlib.Path("model.npz"), npz_bytes)   # replaces an old model.npz in one step
    ```

    IMPLEMENTATION HINTS:
    - os.path.basename(path) is the file name
    - A bare `raise` inside `except` re-raises the exception that is being handled
    - os.path.exists(tmp_path) is False once os.replace has moved it
    - `except Exception` would miss KeyboardInterrupt (Ctrl-C): it derives from BaseException
    """
    ### BEGIN SOLUTION
    path = os.fspath(path)
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"atomic_write writes bytes, got {type(data).__name__}; encode text first, e.g. text.encode()")
    directory = os.path.dirname(path) or "."
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
    return path
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test: atomic writes
# The test simulates a crash at the worst moment: it replaces `os.replace` by a function
# that raises, as if the process died just before the rename. The old file must be intact
# and no temporary file may be left behind.

# %% nbgrader={"grade": true, "grade_id": "test-atomic-write", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_atomic_write():
    """atomic_write writes exactly the bytes, replaces old files, and leaves nothing behind on failure"""
    print("🔬 Unit Test: Atomic Writes...")
    import pathlib

    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "model.bin")
        returned = atomic_write(target, b"version one")
        assert returned == target, f"atomic_write should return the path, got {returned!r}"
        with open(target, "rb") as fh:
            assert fh.read() == b"version one", "the file should contain exactly the bytes written"
        assert os.listdir(tmp) == ["model.bin"], f"no temporary files may remain, found {sorted(os.listdir(tmp))}"

        atomic_write(pathlib.Path(target), b"version two, longer than the first")
        with open(target, "rb") as fh:
            assert fh.read() == b"version two, longer than the first", "a second write should replace the file"
        assert os.listdir(tmp) == ["model.bin"], f"no temporary files may remain, found {sorted(os.listdir(tmp))}"

        # A crash just before the rename: the old content survives and the temp file is removed
        real_replace = os.replace
        seen = []

        def crash(src, dst):
            seen.append((os.fspath(src), os.fspath(dst)))
            raise OSError("simulated crash before the rename")

        os.replace = crash
        try:
            atomic_write(target, b"this must never be seen")
        except OSError as exc:
            assert "simulated crash" in str(exc), f"the original error should propagate, got {exc!r}"
        else:
            raise AssertionError("an error during os.replace must propagate to the caller")
        finally:
            os.replace = real_replace
        assert seen, "atomic_write should move the finished temporary file into place with os.replace"
        src, dst = seen[0]
        assert os.path.dirname(os.path.abspath(src)) == os.path.abspath(tmp), (
            f"the temporary file must be in the target's directory (same filesystem), got {src}")
        assert os.path.abspath(dst) == os.path.abspath(target), f"os.replace should target {target}, got {dst}"
        with open(target, "rb") as fh:
            assert fh.read() == b"version two, longer than the first", "after a failed write the old file must be intact"
        assert os.listdir(tmp) == ["model.bin"], f"the temporary file must be deleted after a failure, found {sorted(os.listdir(tmp))}"

        try:
            atomic_write(target, "text, not bytes")
        except TypeError:
            pass
        else:
            raise AssertionError("atomic_write should refuse str data with a TypeError (encode it first)")

        # Durability: the bytes are flushed and fsync'ed BEFORE the rename
        real_fsync, events = os.fsync, []

        def recording_fsync(fd):
            events.append(("fsync", os.fstat(fd).st_size))   # what the OS has of the file right now
            return real_fsync(fd)

        def recording_replace(src, dst):
            events.append(("replace", os.path.abspath(os.fspath(dst))))
            return real_replace(src, dst)

        os.fsync, os.replace = recording_fsync, recording_replace
        try:
            returned = atomic_write(pathlib.Path(target), bytearray(b"version three!"))
        finally:
            os.fsync, os.replace = real_fsync, real_replace
        kinds = [kind for kind, _ in events]
        assert "fsync" in kinds and "replace" in kinds and kinds.index("fsync") < kinds.index("replace"), (
            f"atomic_write must os.fsync the temporary file before os.replace, saw {kinds}")
        assert events[kinds.index("fsync")][1] == 14, (
            f"when fsync runs the file must hold all 14 bytes (flush Python's buffer first), it held {events[kinds.index('fsync')][1]}")
        assert isinstance(returned, str) and returned == target, f"a Path argument returns the path as a str, got {returned!r}"
        with open(target, "rb") as fh:
            assert fh.read() == b"version three!", "bytearray data should be written like bytes"

        # A partial write: the disk fails after some bytes reached the temporary file
        def failing_fsync(fd):
            raise OSError("simulated disk failure during fsync")

        os.fsync = failing_fsync
        try:
            atomic_write(target, b"half of a new version")
        except OSError:
            pass
        else:
            raise AssertionError("an error during fsync must propagate to the caller")
        finally:
            os.fsync = real_fsync
        with open(target, "rb") as fh:
            assert fh.read() == b"version three!", "after a failed (partial) write the old file must be intact"
        assert os.listdir(tmp) == ["model.bin"], f"a partial temporary file must be deleted, found {sorted(os.listdir(tmp))}"

        # Ctrl-C just before the rename: KeyboardInterrupt is a BaseException, not an Exception
        def interrupted(src, dst):
            raise KeyboardInterrupt

        os.replace = interrupted
        try:
            atomic_write(target, b"interrupted")
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the KeyboardInterrupt must propagate to the caller")
        finally:
            os.replace = real_replace
        assert os.listdir(tmp) == ["model.bin"], (
            f"Ctrl-C must clean up the temporary file too (catch BaseException), found {sorted(os.listdir(tmp))}")

    print("✅ Atomic writes: complete or absent, never half-written")

test_atomic_write()

# %% [markdown]
# ## Step 2: A Model Registry — Versions You Can Trust
#
# ### Why version models at all?
# "The model" is not one thing. Over its life a production system serves dozens of them,
# and you will need to answer:
# - **Reproducibility:** which weights, trained on which data, with which settings,
#   produced this prediction?
# - **Rollback:** version 7 is worse than version 6 on real traffic. Put 6 back — now,
#   without retraining.
# - **Audit:** a regulator (credit scoring, medicine) asks what model made a decision a
#   year ago.
#
# Files called `model_final_v2_REALLY_final.npz` in someone's home directory answer none
# of these. A **registry** does: every `register` creates a new, numbered, **immutable**
# version. Nothing ever overwrites a version; a "new model" is always a new number.
#
# ### The layout
# ```
#   registry/                     ← ModelRegistry(root)
#     digits/                     ← one directory per model name
#       v1/
#         weights.npz             ← param_0, param_1, … (model.parameters() order)
#         manifest.json           ← name, version, created, metadata, shapes, sha256
#       v2/
#         weights.npz
#         manifest.json
# ```
# A manifest looks like this:
# ```json
# {
#   "created": "2025-03-14T09:26:53+00:00",
#   "metadata": {"train_accuracy": 0.99, "reason": "initial"},
#   "name": "digits",
#   "parameters": [{"dtype": "float32", "name": "param_0", "shape": [64, 64]}, ...],
#   "sha256": "9f2c…e41a",
#   "size_bytes": 21418,
#   "version": 1,
#   "weights_file": "weights.npz"
# }
# ```
#
# ### Getting the details right
# - **Claiming a version number.** Two processes registering at the same time must not
#   both write `v3`. `os.mkdir` either creates the directory or raises
#   `FileExistsError` — atomically — so whoever creates `v3/` owns it; the loser tries
#   `v4`.
# - **The manifest is written last.** A version counts only when its `manifest.json`
#   exists. If the process dies after writing the weights but before the manifest, the
#   half-finished `v3/` is ignored by `list_versions`, and the next registration takes
#   `v4` — it never reuses (overwrites) a directory that may hold debris.
# - **Serialise once, hash those bytes.** `np.savez` into an in-memory `io.BytesIO`, take
#   the SHA-256 of exactly those bytes, then `atomic_write` them. The hash describes the
#   file byte for byte.
# - **Metadata must be JSON.** Anything else (a numpy float, an object) is refused
#   *before* a version number is taken.
#
# ### Provided helpers
# - `RegistryError`: every integrity or lookup problem of the registry.
# - `_parameters(model)`: `model.parameters()` as a list; `_values(p)`: the ndarray behind
#   a Variable or Tensor; `sha256_hex(data)`: the hex digest of some bytes.
# - In the class: `_model_dir(name)` (checks the name: letters, digits, `_ . -`, so
#   `"../../etc"` cannot escape the root), `_version_dir(name, version)`,
#   `_claimed_versions(name)` (every `v<N>` directory, finished or not) and
#   `manifest(name, version=None)` (reads a manifest, with clear errors).

# %% nbgrader={"grade": false, "grade_id": "registry-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
class RegistryError(Exception):
    """A model registry problem: an unknown model or version, a corrupted or mismatched file."""


def _values(x) -> np.ndarray:
    """The numbers behind a Variable, a Tensor, an ndarray, a list or a number."""
    if isinstance(x, Variable):
        return x.data.data
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def _parameters(model) -> list:
    """model.parameters() as a list, or a TypeError."""
    if not callable(getattr(model, "parameters", None)):
        raise TypeError(f"the registry stores model.parameters(), but {type(model).__name__} has no parameters() method")
    return list(model.parameters())


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of some bytes, as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VERSION_RE = re.compile(r"^v([0-9]+)$")

# %% nbgrader={"grade": false, "grade_id": "model-registry", "locked": false, "schema_version": 3, "solution": true}
#| export
class ModelRegistry:
    """
    Numbered, immutable model versions on disk: root/<name>/v<N>/{weights.npz, manifest.json}.
    """

    WEIGHTS = "weights.npz"
    MANIFEST = "manifest.json"

    def __init__(self, root):
        self.root = os.fspath(root)
        os.makedirs(self.root, exist_ok=True)

    def _model_dir(self, name: str) -> str:
        if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
            raise ValueError(f"model names use letters, digits, '_', '.' and '-' (and no '..'), got {name!r}")
        return os.path.join(self.root, name)

    def _version_dir(self, name: str, version: int) -> str:
        return os.path.join(self._model_dir(name), f"v{int(version)}")

    def _claimed_versions(self, name: str) -> List[int]:
        """Every v<N> directory of `name`, finished (with a manifest) or not, sorted."""
        directory = self._model_dir(name)
        if not os.path.isdir(directory):
            return []
        numbers = []
        for entry in os.listdir(directory):
            match = _VERSION_RE.match(entry)
            if match and os.path.isdir(os.path.join(directory, entry)):
                numbers.append(int(match.group(1)))
        return sorted(numbers)

    def list_versions(self, name: str) -> List[int]:
        """
        The finished versions of model `name` (those with a manifest), sorted; [] if none.

        TODO: Keep the claimed versions whose directory contains manifest.json.

        STEP-BY-STEP IMPLEMENTATION:
        1. Start from self._claimed_versions(name) (already sorted)
        2. Keep version v only if its version directory holds a file named self.MANIFEST
           (os.path.isfile)
        3. Return the list

        EXAMPLE USAGE:
        ```python
        registry.list_versions("digits")    # [1, 2]
        registry.list_versions("unknown")   # []
        ```

        IMPLEMENTATION HINTS:
        - A version whose manifest is missing was interrupted while being written: it
          does not exist as far as anyone reading the registry is concerned
        """
        ### BEGIN SOLUTION
        return [v for v in self._claimed_versions(name)
                if os.path.isfile(os.path.join(self._version_dir(name, v), self.MANIFEST))]
        ### END SOLUTION

    def latest(self, name: str) -> int:
        """
        The highest finished version number of `name`.

        TODO: Return the last element of list_versions(name), or raise RegistryError.

        STEP-BY-STEP IMPLEMENTATION:
        1. Ask list_versions for the finished versions of `name`
        2. If there are none: raise RegistryError saying that the registry at self.root
           has no versions of a model called name (put the name in the message)
        3. Otherwise return the largest one (as a number: v10 comes after v9)

        EXAMPLE USAGE:
        ```python
        registry.latest("digits")      # 2
        registry.latest("unknown")     # RegistryError: no versions of model 'unknown' ...
        ```

        IMPLEMENTATION HINTS:
        - list_versions is sorted, so the largest is versions[-1]
        """
        ### BEGIN SOLUTION
        versions = self.list_versions(name)
        if not versions:
            raise RegistryError(f"the registry at '{self.root}' has no versions of model '{name}'")
        return versions[-1]
        ### END SOLUTION

    def register(self, model, name: str, metadata: Optional[dict] = None) -> int:
        """
        Save the model's parameters as a new version of `name`; return its version number.

        TODO: Serialise, hash, claim a version directory, write weights, then the manifest.

        STEP-BY-STEP IMPLEMENTATION:
        1. Get the parameter list with the provided _parameters helper; metadata = {} if
           None. Check that metadata is a dict and that json.dumps accepts it: otherwise
           raise TypeError (before anything is written)
        2. arrays = {"param_0": values of the first parameter, "param_1": ...}
           (the ndarray behind each parameter, via _values)
        3. Serialise once, in memory: np.savez the arrays (as keyword arguments) into an
           io.BytesIO buffer, take its bytes, and hash exactly those bytes with sha256_hex
        4. Claim a number: make sure the model's directory exists (self._model_dir, with
           os.makedirs); the candidate is 1 + the largest of self._claimed_versions(name)
           (1 if there are none); create its directory (self._version_dir) with os.mkdir,
           which fails with FileExistsError if it exists. Then someone else took that
           number: try the next one. Never reuse an existing version directory
        5. atomic_write the weights to <version dir>/self.WEIGHTS
        6. Build the manifest dict: name, version, created (UTC time as an ISO string),
           metadata, weights_file (self.WEIGHTS), sha256 (digest), size_bytes (len(data)),
           parameters (a list of {"name": "param_i", "shape": list of ints, "dtype": str})
        7. atomic_write json.dumps(manifest, indent=2, sort_keys=True) encoded as UTF-8 to
           <version dir>/self.MANIFEST — last, so the version only counts once complete
        8. Return version

        EXAMPLE USAGE:
        ```python
        registry = ModelRegistry("registry")
        registry.register(model, "digits", {"train_accuracy": 0.99})   # 1
        registry.register(model, "digits")                             # 2
        ```

        IMPLEMENTATION HINTS:
        - datetime.now with the timezone.utc argument gives an aware UTC time, and its
          isoformat method (timespec="seconds") the string
        - [int(n) for n in array.shape] turns a shape into a JSON-friendly list
        - str(array.dtype) gives "float32"
        - json.dumps raises TypeError for values it cannot serialise
        """
        ### BEGIN SOLUTION
        params = _parameters(model)
        metadata = {} if metadata is None else metadata
        if not isinstance(metadata, dict):
            raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
        try:
            json.dumps(metadata)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"metadata must be JSON-serialisable (numbers, strings, lists, dicts): {exc}. "
                            "Convert numpy values with float(...) or int(...).") from None
        arrays = {f"param_{i}": np.asarray(_values(p)) for i, p in enumerate(params)}
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
        digest = sha256_hex(data)

        os.makedirs(self._model_dir(name), exist_ok=True)
        claimed = self._claimed_versions(name)
        version = (claimed[-1] if claimed else 0) + 1
        while True:
            try:
                os.mkdir(self._version_dir(name, version))
                break
            except FileExistsError:
                version += 1
        directory = self._version_dir(name, version)
        atomic_write(os.path.join(directory, self.WEIGHTS), data)
        manifest = {
            "name": name,
            "version": version,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "metadata": metadata,
            "weights_file": self.WEIGHTS,
            "sha256": digest,
            "size_bytes": len(data),
            "parameters": [{"name": key, "shape": [int(n) for n in array.shape], "dtype": str(array.dtype)}
                           for key, array in arrays.items()],
        }
        atomic_write(os.path.join(directory, self.MANIFEST),
                     json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
        return version
        ### END SOLUTION

    def manifest(self, name: str, version: Optional[int] = None) -> dict:
        """The manifest of a version (the latest by default), with clear errors."""
        available = self.list_versions(name)
        if not available:
            raise RegistryError(f"there is no model '{name}' in the registry at '{self.root}' (no versions)")
        version = available[-1] if version is None else version
        if version not in available:
            raise RegistryError(f"model '{name}' has no version {version} (available versions: {available})")
        path = os.path.join(self._version_dir(name, version), self.MANIFEST)
        try:
            with open(path, encoding="utf-8") as fh:
                manifest = json.load(fh)
        except (OSError, ValueError) as exc:
            raise RegistryError(f"cannot read the manifest '{path}': {exc}") from None
        if not isinstance(manifest, dict) or "sha256" not in manifest or "parameters" not in manifest:
            raise RegistryError(f"'{path}' is not a registry manifest (no sha256 or parameters)")
        return manifest

    def __repr__(self) -> str:
        return f"ModelRegistry({self.root!r})"

# %% [markdown]
# ### 🧪 Test: registering versions
# Registration must number versions 1, 2, …, write a manifest that describes the weights
# file exactly (shapes, SHA-256), never touch an earlier version, and survive a crash
# half-way through (simulated again by a failing `os.replace`).

# %% nbgrader={"grade": true, "grade_id": "test-registry-register", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: atomic_write
def test_registry_register():
    """register numbers versions, writes a truthful manifest, never overwrites, survives a crash"""
    print("🔬 Unit Test: Model Registry (register)...")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "registry")
        registry = ModelRegistry(root)
        assert os.path.isdir(root), "ModelRegistry(root) should create the root directory"
        model_a, model_b = create_mlp(4, [8], 3, seed=0), create_mlp(4, [8], 3, seed=1)

        assert registry.list_versions("iris") == [], "a model never registered has no versions"
        try:
            registry.latest("iris")
        except RegistryError as exc:
            assert "iris" in str(exc), f"the error should name the model, got: {exc}"
        else:
            raise AssertionError("latest() of an unknown model should raise RegistryError")

        v1 = registry.register(model_a, "iris", {"accuracy": 0.9, "notes": "first"})
        assert v1 == 1, f"the first version should be 1, got {v1}"
        v1_dir = os.path.join(root, "iris", "v1")
        with open(os.path.join(v1_dir, "weights.npz"), "rb") as fh:
            v1_bytes = fh.read()
        v2 = registry.register(model_b, "iris")
        assert v2 == 2, f"the second version should be 2, got {v2}"
        assert registry.list_versions("iris") == [1, 2], f"list_versions should be [1, 2], got {registry.list_versions('iris')}"
        assert registry.latest("iris") == 2, f"latest should be 2, got {registry.latest('iris')}"
        assert sorted(os.listdir(v1_dir)) == ["manifest.json", "weights.npz"], (
            f"a version directory holds exactly weights.npz and manifest.json, found {sorted(os.listdir(v1_dir))}")
        with open(os.path.join(v1_dir, "weights.npz"), "rb") as fh:
            assert fh.read() == v1_bytes, "registering version 2 must not change version 1's files"

        with open(os.path.join(v1_dir, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        assert manifest["name"] == "iris" and manifest["version"] == 1, f"name and version wrong: {manifest}"
        assert manifest["metadata"] == {"accuracy": 0.9, "notes": "first"}, f"metadata should round-trip, got {manifest['metadata']}"
        shapes = [p["shape"] for p in manifest["parameters"]]
        assert shapes == [[4, 8], [8], [8, 3], [3]], f"parameter shapes should be [[4, 8], [8], [8, 3], [3]], got {shapes}"
        assert [p["name"] for p in manifest["parameters"]] == ["param_0", "param_1", "param_2", "param_3"]
        assert manifest["parameters"][0]["dtype"] == "float32", f"dtype should be recorded, got {manifest['parameters'][0]}"
        assert manifest["sha256"] == hashlib.sha256(v1_bytes).hexdigest(), "sha256 must be the hash of the weights file's bytes"
        assert manifest["size_bytes"] == len(v1_bytes), "size_bytes should be the weights file's size"
        assert manifest["weights_file"] == "weights.npz"
        created = datetime.fromisoformat(manifest["created"])
        assert created.tzinfo is not None, f"created should be a timezone-aware ISO time (UTC), got {manifest['created']}"
        with np.load(os.path.join(v1_dir, "weights.npz")) as data:
            for i, p in enumerate(model_a.parameters()):
                assert np.array_equal(data[f"param_{i}"], _values(p)), f"param_{i} should hold parameter {i}'s values"
        assert registry.manifest("iris")["version"] == 2, "manifest() defaults to the latest version"

        # Bad names and non-JSON metadata are refused before anything is written
        for bad in ("../escape", "a/b", ""):
            try:
                registry.register(model_a, bad)
            except ValueError:
                pass
            else:
                raise AssertionError(f"the model name {bad!r} should be refused with ValueError")
        try:
            registry.register(model_a, "iris", {"accuracy": object()})
        except TypeError:
            pass
        else:
            raise AssertionError("metadata that is not JSON-serialisable should raise TypeError")
        assert registry.list_versions("iris") == [1, 2] and sorted(os.listdir(os.path.join(root, "iris"))) == ["v1", "v2"], (
            "a refused registration must not create a version")

        # A crash while writing the manifest (the second os.replace): the version does not count
        real_replace, calls = os.replace, []

        def crash_on_manifest(src, dst):
            calls.append(dst)
            if os.fspath(dst).endswith("manifest.json"):
                raise OSError("simulated crash while writing the manifest")
            return real_replace(src, dst)

        os.replace = crash_on_manifest
        try:
            registry.register(model_a, "iris")
        except OSError:
            pass
        else:
            raise AssertionError("the simulated crash should propagate out of register")
        finally:
            os.replace = real_replace
        assert len(calls) == 2, f"register should write two files with atomic_write (weights, then manifest), saw {calls}"
        assert registry.list_versions("iris") == [1, 2], (
            f"an interrupted version (no manifest) must not be listed, got {registry.list_versions('iris')}")
        v4 = registry.register(model_b, "iris")
        assert v4 == 4, f"the next version must skip the interrupted v3 (never reuse a directory), got {v4}"
        assert registry.list_versions("iris") == [1, 2, 4], f"got {registry.list_versions('iris')}"

        # A race: another process has just created v5 (still writing it) after we listed the versions
        os.mkdir(os.path.join(root, "iris", "v5"))
        with open(os.path.join(root, "iris", "v5", "other-process.part"), "wb") as fh:
            fh.write(b"someone else's weights")
        registry._claimed_versions = lambda name: [1, 2, 3, 4]   # the stale listing we saw a moment ago
        try:
            raced = registry.register(model_a, "iris")
        finally:
            del registry._claimed_versions
        assert raced == 6, f"v5 was taken (os.mkdir raises FileExistsError): the next free number is 6, got {raced}"
        assert os.listdir(os.path.join(root, "iris", "v5")) == ["other-process.part"], (
            "the other process's version directory must not be touched (claim with os.mkdir, never reuse)")

        # Version numbers are numbers: v10 comes after v9
        for expected_version in (7, 8, 9, 10):
            assert registry.register(model_b, "iris") == expected_version, f"expected version {expected_version}"
        assert registry.list_versions("iris") == [1, 2, 4, 6, 7, 8, 9, 10], f"got {registry.list_versions('iris')}"
        assert registry.latest("iris") == 10, f"latest should be 10 (numerically largest, not '9'), got {registry.latest('iris')}"

    print(f"✅ Registry: versions 1, 2 and (after a crash) 4; manifest sha256 {manifest['sha256'][:12]}…")

test_registry_register()

# %% [markdown]
# ## Step 3: Loading — Trust, but Verify
#
# ### What a hash buys you
# SHA-256 maps any file to 32 bytes. Change **one bit** of the file and about half of the
# 256 output bits flip; finding a different file with the same hash is, as far as anyone
# knows, impossible in practice. So "the file's SHA-256 equals the manifest's" means "this
# is, byte for byte, the file that was registered". It catches:
# - disk or network corruption (a flipped bit in a 100 MB file copied between machines),
# - truncated uploads and half-finished copies,
# - someone "quickly fixing" weights by hand,
# - loading version 3's manifest with version 2's weights after a botched copy.
#
# A corrupted model usually does **not** crash: flipped bits in a float32 can turn a weight
# of 0.01 into 1e+30, or leave it almost unchanged. The model still produces *an* answer —
# the worst kind of failure. Refusing to load is the only safe reaction.
#
# ### Hash the bytes you load
# Read the file **once** into memory, hash those bytes, and parse **those same bytes**
# (`np.load(io.BytesIO(data))`). Hashing the file and then opening it again would leave a
# window in which the file could change between the check and the use (a
# *time-of-check to time-of-use* bug).
#
# ### What a hash does not buy you
# Whoever can rewrite the weights can usually rewrite the manifest too, hash included.
# Integrity against *accidents* needs a hash; integrity against *attackers* needs a
# **signature** (the manifest signed with a key the attacker does not have, as in
# Sigstore or signed container images). Also note that `.npz` is safe to load because
# `np.load` refuses pickled objects by default (`allow_pickle=False`); a `pickle`-based
# model format executes code on load, so never load one you have not verified.
#
# ### Architecture mismatch
# The registry stores **weights**, not architecture: you pass a freshly built model and
# `load` fills it in place. Loading 64→16→10 weights into a 64→32→10 network must fail
# loudly, naming the file, the parameter and both shapes — and must check **every** shape
# before writing **any** value, so a failed load leaves the model as it was.
#
# The checks, in order:
# ```
#   manifest.json ──→ sha256 ──┐
#   weights.npz (bytes) ──→ sha256(bytes) ── equal? ──no──→ RegistryError (corrupted / modified)
#                                              │ yes
#                     np.load(BytesIO(bytes)) ─┴→ arrays match manifest? ──no──→ RegistryError
#                                                   │ yes
#                               model shapes match manifest? ──no──→ RegistryError (mismatch)
#                                                   │ yes
#                                          copy every array in place
# ```

# %% nbgrader={"grade": false, "grade_id": "registry-load", "locked": false, "schema_version": 3, "solution": true}
#| export
def _registry_load(self, name: str, version: Optional[int] = None, model=None):
    """
    Load version `version` (the latest if None) of `name` into `model`, in place, after
    checking its integrity; return the model.

    TODO: Verify the hash, the file's contents and the model's shapes, then copy values in.

    STEP-BY-STEP IMPLEMENTATION:
    1. If model is None: raise TypeError (the registry stores weights, not architecture:
       the caller must build the model and pass it as model=...)
    2. Read the manifest with the provided self.manifest (it handles unknown names and
       versions, and picks the latest for version=None); take the version number from it.
       weights_path = the manifest's "weights_file" inside that version's directory
       (self._version_dir); manifest_path = self.MANIFEST in the same directory
    3. If weights_path is not a file: raise RegistryError naming the path ("missing")
    4. Read its bytes once; if sha256_hex(data) != manifest["sha256"]: raise RegistryError
       naming weights_path, saying that its sha256 differs from the one in the manifest
       (give both hashes): the file was corrupted or modified after registration
    5. Parse those bytes: np.load(io.BytesIO(data)) in a `with` block; read the arrays
       named in manifest["parameters"], in order. If a name is missing or an array's shape
       differs from the manifest's, raise RegistryError (the manifest and the weights
       disagree), naming both files
    6. The model's parameters (the _parameters helper): if there are more or fewer of
       them than arrays:
       RegistryError naming manifest_path and both counts. For EVERY i, if the array's
       shape differs from _values(params[i]).shape: RegistryError naming manifest_path,
       "parameter i" and both shapes. Check all of them before writing any value
    7. Copy: _values(p)[...] = array for each pair (in place: layers and optimizers keep
       their references)
    8. Return model

    EXAMPLE USAGE:
    ```python
    model = registry.load("digits", model=create_mlp(64, [64], 10))              # latest
    old = registry.load("digits", version=1, model=create_mlp(64, [64], 10))     # rollback
    registry.load("digits", model=create_mlp(64, [32], 10))
    # RegistryError: .../digits/v2/manifest.json: parameter 0 has shape (64, 64) in the
    # registry but (64, 32) in the model ...
    ```

    IMPLEMENTATION HINTS:
    - tuple(entry["shape"]) turns the manifest's list back into a shape tuple
    - zipfile.BadZipFile and ValueError are what np.load raises for garbage; with a
      matching hash this only happens if the file was bad when it was registered
    - Build the list of arrays first, then check, then copy
    """
    ### BEGIN SOLUTION
    if model is None:
        raise TypeError("load needs the model to fill: registry.load(name, version, model=build_model()). "
                        "The registry stores weights, not architecture.")
    manifest = self.manifest(name, version)
    version = manifest["version"]
    directory = self._version_dir(name, version)
    weights_path = os.path.join(directory, manifest.get("weights_file", self.WEIGHTS))
    manifest_path = os.path.join(directory, self.MANIFEST)
    if not os.path.isfile(weights_path):
        raise RegistryError(f"the weights file '{weights_path}' of {name} v{version} is missing")
    with open(weights_path, "rb") as fh:
        data = fh.read()
    digest = sha256_hex(data)
    if digest != manifest["sha256"]:
        raise RegistryError(f"integrity check failed for '{weights_path}': its sha256 is {digest} but "
                            f"'{manifest_path}' records {manifest['sha256']}. The file was corrupted or modified "
                            "after registration; refusing to load it.")
    entries = manifest["parameters"]
    try:
        with np.load(io.BytesIO(data)) as stored:
            missing = [e["name"] for e in entries if e["name"] not in stored.files]
            if missing:
                raise RegistryError(f"'{weights_path}' and '{manifest_path}' disagree: the weights have no {missing[0]}")
            arrays = [np.array(stored[e["name"]]) for e in entries]
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise RegistryError(f"'{weights_path}' is not a readable .npz file: {exc}") from None
    for i, (entry, array) in enumerate(zip(entries, arrays)):
        if tuple(entry["shape"]) != array.shape:
            raise RegistryError(f"'{weights_path}' and '{manifest_path}' disagree: parameter {i} has shape "
                                f"{array.shape} in the weights but {tuple(entry['shape'])} in the manifest")
    params = _parameters(model)
    if len(params) != len(arrays):
        raise RegistryError(f"'{manifest_path}': {name} v{version} has {len(arrays)} parameters but the model has "
                            f"{len(params)}. Build the model with the architecture that was registered.")
    for i, (p, array) in enumerate(zip(params, arrays)):
        shape = _values(p).shape
        if shape != array.shape:
            raise RegistryError(f"'{manifest_path}': parameter {i} has shape {array.shape} in the registry but "
                                f"{shape} in the model. Build the model with the architecture that was registered.")
    for p, array in zip(params, arrays):
        _values(p)[...] = array
    return model
    ### END SOLUTION


ModelRegistry.load = _registry_load

# %% nbgrader={"grade": true, "grade_id": "test-registry-load", "locked": true, "points": 15, "schema_version": 3, "solution": false}
#| uses: atomic_write, ModelRegistry
def test_registry_load():
    """load round-trips in place, picks versions, and refuses tampered files and mismatched models"""
    print("🔬 Unit Test: Model Registry (load)...")
    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(tmp)
        model_a, model_b = create_mlp(4, [8], 3, seed=0), create_mlp(4, [8], 3, seed=1)
        registry.register(model_a, "iris", {"note": "a"})
        registry.register(model_b, "iris", {"note": "b"})
        x = Tensor(np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32))

        fresh = create_mlp(4, [8], 3, seed=7)
        arrays_before = [_values(p) for p in fresh.parameters()]
        loaded = registry.load("iris", model=fresh)
        assert loaded is fresh, "load should return the model it filled"
        for i, (p, q) in enumerate(zip(model_b.parameters(), fresh.parameters())):
            assert np.array_equal(_values(p), _values(q)), f"the latest version (2) should be loaded: parameter {i} differs"
            assert _values(q) is arrays_before[i], f"parameter {i} should be filled in place (same ndarray)"
        assert np.array_equal(_values(fresh(x)), _values(model_b(x))), "the loaded model computes the same outputs"

        old = registry.load("iris", version=1, model=create_mlp(4, [8], 3, seed=7))
        assert np.array_equal(_values(old(x)), _values(model_a(x))), "version=1 should load the first model (rollback)"

        for call, expected in ((lambda: registry.load("iris", version=7, model=create_mlp(4, [8], 3)), "7"),
                               (lambda: registry.load("nothing", model=create_mlp(4, [8], 3)), "nothing")):
            try:
                call()
            except RegistryError as exc:
                assert expected in str(exc), f"the error should mention {expected!r}, got: {exc}"
            else:
                raise AssertionError(f"loading an unknown model/version ({expected}) should raise RegistryError")
        try:
            registry.load("iris")
        except TypeError:
            pass
        else:
            raise AssertionError("load without model=... should raise TypeError: the registry stores no architecture")

        # Architecture mismatch: a clear error, and nothing written
        wide = create_mlp(4, [16], 3, seed=3)
        untouched = [_values(p).copy() for p in wide.parameters()]
        try:
            registry.load("iris", model=wide)
        except RegistryError as exc:
            message = str(exc)
            assert "parameter 0" in message and "(4, 8)" in message and "(4, 16)" in message, (
                f"the error should name parameter 0 and both shapes (4, 8) and (4, 16), got: {message}")
            assert os.path.join("iris", "v2", "manifest.json") in message, f"the error should name the manifest file, got: {message}"
        else:
            raise AssertionError("loading 4-8-3 weights into a 4-16-3 model should raise RegistryError")
        assert all(np.array_equal(u, _values(p)) for u, p in zip(untouched, wide.parameters())), (
            "a failed load must not change the model")
        five_outputs = create_mlp(4, [8], 5, seed=3)          # parameters 0 and 1 fit, parameter 2 does not
        untouched = [_values(p).copy() for p in five_outputs.parameters()]
        try:
            registry.load("iris", model=five_outputs)
        except RegistryError as exc:
            assert "parameter 2" in str(exc) and "(8, 3)" in str(exc) and "(8, 5)" in str(exc), (
                f"the error should name parameter 2 and both shapes (8, 3) and (8, 5), got: {exc}")
        else:
            raise AssertionError("loading 3-output weights into a 5-output model should raise RegistryError")
        assert all(np.array_equal(u, _values(p)) for u, p in zip(untouched, five_outputs.parameters())), (
            "a failed load must not change any parameter: check every shape before writing any value")
        longer = create_mlp(4, [8, 3], 2, seed=3)     # 6 parameters; the first 4 have exactly the stored shapes
        untouched = [_values(p).copy() for p in longer.parameters()]
        try:
            registry.load("iris", model=longer)
        except RegistryError:
            pass
        else:
            raise AssertionError("4 stored parameters into a 6-parameter model must fail even when the first 4 shapes fit")
        assert all(np.array_equal(u, _values(p)) for u, p in zip(untouched, longer.parameters())), (
            "a failed load must not change the model")
        shorter = create_mlp(4, [], 8, seed=3)        # 2 parameters (4, 8) and (8,): the first 2 stored shapes
        try:
            registry.load("iris", model=shorter)
        except RegistryError:
            pass
        else:
            raise AssertionError("4 stored parameters into a 2-parameter model must fail even when both shapes fit")
        deep = create_mlp(4, [8, 8], 3, seed=3)
        try:
            registry.load("iris", model=deep)
        except RegistryError as exc:
            assert "4" in str(exc) and "6" in str(exc), f"the error should give both parameter counts (4 and 6), got: {exc}"
        else:
            raise AssertionError("4 stored parameters into a model with 6 should raise RegistryError")

        # The manifest and the weights disagree (the manifest is not covered by the hash)
        manifest_v2 = os.path.join(tmp, "iris", "v2", "manifest.json")
        with open(manifest_v2, encoding="utf-8") as fh:
            original_manifest = fh.read()
        edited = json.loads(original_manifest)
        edited["parameters"][0]["shape"] = [8, 4]
        with open(manifest_v2, "w", encoding="utf-8") as fh:
            json.dump(edited, fh)
        victim = create_mlp(4, [8], 3, seed=9)
        untouched = [_values(p).copy() for p in victim.parameters()]
        try:
            registry.load("iris", version=2, model=victim)
        except RegistryError as exc:
            assert "manifest.json" in str(exc) and "weights.npz" in str(exc), (
                f"the error should name both files that disagree, got: {exc}")
        else:
            raise AssertionError("weights of shape (4, 8) with a manifest saying (8, 4) must be refused")
        assert all(np.array_equal(u, _values(p)) for u, p in zip(untouched, victim.parameters())), (
            "a refused load must not change the model")
        with open(manifest_v2, "w", encoding="utf-8") as fh:
            fh.write(original_manifest)

        # Tampering: flip one byte in the middle of version 1's weights
        weights_v1 = os.path.join(tmp, "iris", "v1", "weights.npz")
        with open(weights_v1, "rb") as fh:
            data = bytearray(fh.read())
        data[len(data) // 2] ^= 0xFF
        with open(weights_v1, "wb") as fh:
            fh.write(bytes(data))
        victim = create_mlp(4, [8], 3, seed=9)
        untouched = [_values(p).copy() for p in victim.parameters()]
        try:
            registry.load("iris", version=1, model=victim)
        except RegistryError as exc:
            assert weights_v1 in str(exc) and "sha256" in str(exc), (
                f"the error should name the file {weights_v1} and say the sha256 differs, got: {exc}")
        else:
            raise AssertionError("a weights file with a flipped byte must be refused (sha256 mismatch)")
        assert all(np.array_equal(u, _values(p)) for u, p in zip(untouched, victim.parameters())), (
            "a refused file must not change the model")
        registry.load("iris", version=2, model=victim)  # version 2 is untouched and still loads

        # A missing weights file
        os.remove(os.path.join(tmp, "iris", "v2", "weights.npz"))
        try:
            registry.load("iris", version=2, model=create_mlp(4, [8], 3))
        except RegistryError as exc:
            assert "weights.npz" in str(exc) and "missing" in str(exc), f"the error should say the weights file is missing, got: {exc}"
        else:
            raise AssertionError("a version whose weights file is gone should raise RegistryError")

    print("✅ Registry load: round trip, rollback, tamper detection, mismatch errors")

test_registry_load()

# %% [markdown]
# ## Step 4: Monitoring — Latency and Accuracy Over a Stream
#
# Once deployed, a model receives a **stream** of batches. Two things matter every day:
#
# ### Is it fast enough? Percentiles, not means
# Users experience individual requests, not averages. If 95 requests take 5 ms and 5 take
# 400 ms, the mean is 25 ms ("fine") while one user in twenty waits almost half a second.
# Services are therefore held to **percentiles**: the p95 latency is the time 95% of
# batches beat. A **latency budget** ("p95 under 50 ms") is the usual service-level
# objective. With sorted latencies ℓ₍₁₎ ≤ … ≤ ℓ₍ₙ₎, numpy's default percentile
# interpolates linearly at position (n − 1)·p/100:
# ```
#   latencies 1, 2, …, 20 ms  →  p50 = 10.5 ms,  p95 = 19.05 ms
# ```
#
# ### Is it still right? Accuracy needs labels
# Accuracy can only be measured on batches whose **true labels** are known — and in
# production they usually arrive late or not at all (a human reviews a sample; a loan
# defaults months later). So `record` accepts `accuracy=None` for an unlabelled batch: it
# still counts for latency but not for accuracy. Accuracy over the window is weighted by
# batch size (a batch of 60 says more than a batch of 2):
# ```
#   accuracy = Σ accuracyᵢ · sizeᵢ / Σ sizeᵢ       over labelled batches in the window
# ```
#
# ### A rolling window
# Only the last `window` batches count (`collections.deque(maxlen=window)` forgets the
# oldest automatically). A lifetime average would hide a recent collapse: a model right on
# 10,000 batches and wrong on the last 50 still averages 99.5%.
#
# ### Alerts, and not too many
# An alert wakes someone up. Alerting on a single unlucky batch (one batch of 60 digits at
# 88% when the threshold is 90%) trains people to ignore alerts — **alert fatigue**, the
# reason real incidents get missed. Two simple defences: alert on the **window**, not on a
# batch, and stay silent until the window holds at least `min_batches` batches.

# %% nbgrader={"grade": false, "grade_id": "model-monitor", "locked": false, "schema_version": 3, "solution": true}
#| export
def predict(model, x) -> np.ndarray:
    """Class predictions (argmax of the model's outputs) for a batch x (ndarray or Tensor)."""
    inputs = x if isinstance(x, (Tensor, Variable)) else Tensor(np.asarray(x, dtype=np.float32))
    return np.asarray(_values(model(inputs))).argmax(axis=-1)


class ModelMonitor:
    """Rolling latency and accuracy statistics over the last `window` batches, with alerts."""

    def __init__(self, window: int = 20, accuracy_threshold: float = 0.9, latency_budget_ms: float = 50.0,
                 min_batches: int = 5):
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
            raise ValueError(f"window must be a positive number of batches, got {window!r}")
        if not 1 <= min_batches <= window:
            raise ValueError(f"min_batches must be between 1 and window ({window}), got {min_batches!r}")
        self.window = int(window)
        self.accuracy_threshold = float(accuracy_threshold)
        self.latency_budget_ms = float(latency_budget_ms)
        self.min_batches = int(min_batches)
        self.reset()

    def reset(self) -> None:
        """Forget everything (e.g. when a new model is deployed)."""
        self._latencies = collections.deque(maxlen=self.window)
        self._accuracies = collections.deque(maxlen=self.window)
        self._sizes = collections.deque(maxlen=self.window)
        self.total_batches = 0

    def record(self, latency_ms: float, accuracy: Optional[float] = None, batch_size: int = 1) -> None:
        """
        Record one batch: its latency, its accuracy (None if its labels are unknown) and size.

        TODO: Validate the numbers and append them to the three rolling windows.

        STEP-BY-STEP IMPLEMENTATION:
        1. latency_ms must be a finite number >= 0, batch_size an int >= 1, and accuracy
           None or a number in [0, 1]; otherwise raise ValueError saying which value is bad
        2. Append float(latency_ms) to self._latencies, the accuracy (float, or None) to
           self._accuracies, int(batch_size) to self._sizes
        3. Add 1 to self.total_batches

        EXAMPLE USAGE:
        ```python
        monitor = ModelMonitor(window=20)
        monitor.record(3.2, 0.95, batch_size=60)     # a labelled batch
        monitor.record(2.9, None, batch_size=60)     # labels not known (yet)
        ```

        IMPLEMENTATION HINTS:
        - The deques were created with maxlen=window: appending to a full deque drops
          its oldest element, which is exactly a rolling window
        - np.isfinite(x) is False for nan and inf
        """
        ### BEGIN SOLUTION
        if not isinstance(latency_ms, (int, float, np.integer, np.floating)) or not np.isfinite(latency_ms) \
                or latency_ms < 0:
            raise ValueError(f"latency_ms must be a finite number >= 0, got {latency_ms!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        if accuracy is not None and not (isinstance(accuracy, (int, float, np.integer, np.floating))
                                         and 0.0 <= accuracy <= 1.0):
            raise ValueError(f"accuracy must be None or a number in [0, 1], got {accuracy!r}")
        self._latencies.append(float(latency_ms))
        self._accuracies.append(None if accuracy is None else float(accuracy))
        self._sizes.append(int(batch_size))
        self.total_batches += 1
        ### END SOLUTION

    def summary(self) -> dict:
        """
        Statistics of the batches in the window.

        TODO: Return a dict with the window's accuracy and latency statistics.

        STEP-BY-STEP IMPLEMENTATION:
        1. Keys and values:
           - "batches": batches in the window; "total_batches": self.total_batches
           - "samples": the sum of the window's batch sizes
           - "accuracy": the size-weighted mean accuracy of the labelled batches in the
             window (None if there are none)
           - "latency_mean_ms", "latency_p50_ms", "latency_p95_ms", "latency_max_ms":
             mean, 50th and 95th percentile (np.percentile, linear), maximum of the
             window's latencies (all None for an empty window)
        2. Return plain Python floats and ints (not numpy scalars)

        EXAMPLE USAGE:
        ```python
        monitor.record(1.0, 0.5, batch_size=10)
        monitor.record(3.0, 1.0, batch_size=30)
        monitor.summary()
        # {"batches": 2, "total_batches": 2, "samples": 40, "accuracy": 0.875,
        #  "latency_mean_ms": 2.0, "latency_p50_ms": 2.0, "latency_p95_ms": 2.9, "latency_max_ms": 3.0}
        ```

        IMPLEMENTATION HINTS:
        - zip(self._accuracies, self._sizes) pairs each accuracy with its batch size
        - np.percentile(values, 95) uses linear interpolation by default
        """
        ### BEGIN SOLUTION
        latencies = np.array(self._latencies, dtype=np.float64)
        labelled = [(a, n) for a, n in zip(self._accuracies, self._sizes) if a is not None]
        accuracy = None
        if labelled:
            accuracy = float(sum(a * n for a, n in labelled) / sum(n for _, n in labelled))
        empty = latencies.size == 0
        return {
            "batches": int(latencies.size),
            "total_batches": int(self.total_batches),
            "samples": int(sum(self._sizes)),
            "accuracy": accuracy,
            "latency_mean_ms": None if empty else float(latencies.mean()),
            "latency_p50_ms": None if empty else float(np.percentile(latencies, 50)),
            "latency_p95_ms": None if empty else float(np.percentile(latencies, 95)),
            "latency_max_ms": None if empty else float(latencies.max()),
        }
        ### END SOLUTION

    def alerts(self) -> List[dict]:
        """
        The alerts the window raises right now (an empty list when all is well).

        TODO: Compare the window's accuracy and p95 latency with the thresholds.

        STEP-BY-STEP IMPLEMENTATION:
        1. s = self.summary(). If s["batches"] < self.min_batches: return [] (too little
           evidence to wake anyone)
        2. If s["accuracy"] is not None and below self.accuracy_threshold: add
           {"kind": "accuracy", "value": s["accuracy"], "threshold": self.accuracy_threshold,
            "message": a sentence with both numbers}
        3. If s["latency_p95_ms"] is above self.latency_budget_ms: add
           {"kind": "latency", "value": the p95, "threshold": the budget, "message": ...}
        4. Return the list (accuracy first, then latency)

        EXAMPLE USAGE:
        ```python
        monitor = ModelMonitor(window=10, accuracy_threshold=0.9, min_batches=3)
        for _ in range(3):
            monitor.record(80.0, 0.7, batch_size=32)
        [a["kind"] for a in monitor.alerts()]     # ["accuracy", "latency"]
        ```

        IMPLEMENTATION HINTS:
        - Strictly below / strictly above: a window exactly at the threshold is fine
        """
        ### BEGIN SOLUTION
        s = self.summary()
        if s["batches"] < self.min_batches:
            return []
        alerts = []
        if s["accuracy"] is not None and s["accuracy"] < self.accuracy_threshold:
            alerts.append({"kind": "accuracy", "value": s["accuracy"], "threshold": self.accuracy_threshold,
                           "message": f"accuracy {s['accuracy']:.3f} over the last {s['batches']} batches is below "
                                      f"the threshold {self.accuracy_threshold:.3f}"})
        if s["latency_p95_ms"] > self.latency_budget_ms:
            alerts.append({"kind": "latency", "value": s["latency_p95_ms"], "threshold": self.latency_budget_ms,
                           "message": f"p95 latency {s['latency_p95_ms']:.2f} ms is over the budget of "
                                      f"{self.latency_budget_ms:.2f} ms"})
        return alerts
        ### END SOLUTION

    def observe(self, model, x, y=None) -> dict:
        """Run the model on a batch, time it, record it; return predictions, latency and accuracy."""
        start = time.perf_counter()
        predictions = predict(model, x)
        latency_ms = (time.perf_counter() - start) * 1000.0
        accuracy = None
        if y is not None:
            labels = np.asarray(_values(y)).reshape(-1)
            accuracy = float(np.mean(predictions == labels))
        self.record(latency_ms, accuracy, batch_size=int(predictions.shape[0]))
        return {"predictions": predictions, "latency_ms": latency_ms, "accuracy": accuracy}

    def __repr__(self) -> str:
        return (f"ModelMonitor(window={self.window}, accuracy_threshold={self.accuracy_threshold}, "
                f"latency_budget_ms={self.latency_budget_ms}, min_batches={self.min_batches})")

# %% nbgrader={"grade": true, "grade_id": "test-model-monitor", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_model_monitor():
    """rolling window, weighted accuracy, percentiles, min_batches and alerts"""
    print("🔬 Unit Test: Model Monitor...")
    monitor = ModelMonitor(window=20, accuracy_threshold=0.9, latency_budget_ms=15.0, min_batches=5)
    empty = monitor.summary()
    assert empty["batches"] == 0 and empty["accuracy"] is None and empty["latency_p95_ms"] is None, (
        f"an empty monitor has no statistics, got {empty}")
    assert monitor.alerts() == [], "an empty monitor raises no alerts"

    for latency in range(1, 26):                       # 25 batches: 1, 2, ..., 25 ms
        monitor.record(float(latency), 1.0, batch_size=10)
    s = monitor.summary()
    assert s["batches"] == 20 and s["total_batches"] == 25, f"the window keeps the last 20 of 25 batches, got {s}"
    assert s["samples"] == 200, f"20 batches of 10 samples: 200, got {s['samples']}"
    assert abs(s["latency_mean_ms"] - 15.5) < 1e-9, f"mean of 6..25 ms is 15.5, got {s['latency_mean_ms']}"
    assert abs(s["latency_p50_ms"] - 15.5) < 1e-9, f"p50 of 6..25 ms is 15.5, got {s['latency_p50_ms']}"
    assert abs(s["latency_p95_ms"] - 24.05) < 1e-9, f"p95 of 6..25 ms is 24.05 (linear interpolation), got {s['latency_p95_ms']}"
    assert s["latency_max_ms"] == 25.0 and s["accuracy"] == 1.0, f"max 25 ms and accuracy 1.0 expected, got {s}"
    kinds = {key: type(value).__name__ for key, value in s.items()}
    assert all(type(s[k]) is int for k in ("batches", "total_batches", "samples")), f"counts should be Python ints, got {kinds}"
    assert all(type(s[k]) is float for k in ("accuracy", "latency_mean_ms", "latency_p50_ms", "latency_p95_ms",
                                             "latency_max_ms")), f"statistics should be Python floats (not numpy scalars), got {kinds}"
    alerts = monitor.alerts()
    assert [a["kind"] for a in alerts] == ["latency"], f"p95 24.05 ms > 15 ms budget: one latency alert, got {alerts}"
    assert alerts[0]["value"] == s["latency_p95_ms"] and alerts[0]["threshold"] == 15.0, f"alert values wrong: {alerts[0]}"
    assert "message" in alerts[0] and isinstance(alerts[0]["message"], str)

    # Accuracy is weighted by batch size; unlabelled batches do not count for it
    m = ModelMonitor(window=3, accuracy_threshold=0.9, latency_budget_ms=100.0, min_batches=2)
    m.record(1.0, 0.5, batch_size=10)
    m.record(3.0, 1.0, batch_size=30)
    s = m.summary()
    assert abs(s["accuracy"] - 0.875) < 1e-12, f"(0.5·10 + 1.0·30) / 40 = 0.875, got {s['accuracy']}"
    assert abs(s["latency_p95_ms"] - 2.9) < 1e-12, f"p95 of [1, 3] is 2.9, got {s['latency_p95_ms']}"
    m.record(2.0, None, batch_size=5)
    assert abs(m.summary()["accuracy"] - 0.875) < 1e-12, "an unlabelled batch (accuracy None) must not change the accuracy"
    assert m.summary()["samples"] == 45
    assert [a["kind"] for a in m.alerts()] == ["accuracy"], f"0.875 < 0.9 over 3 batches: accuracy alert, got {m.alerts()}"
    m.record(2.0, None, batch_size=5)                  # the 0.5 batch leaves the window (size 3)
    assert m.summary()["accuracy"] == 1.0, f"after the window rolls, only the 1.0 batch is labelled, got {m.summary()['accuracy']}"
    assert m.alerts() == [], f"no alert once accuracy is back to 1.0, got {m.alerts()}"

    # min_batches: no alert on too little evidence
    m = ModelMonitor(window=10, accuracy_threshold=0.9, latency_budget_ms=100.0, min_batches=5)
    for _ in range(4):
        m.record(1.0, 0.5, batch_size=8)
    assert m.alerts() == [], "4 batches < min_batches=5: no alert yet (alert fatigue)"
    m.record(1.0, 0.5, batch_size=8)
    alerts = m.alerts()
    assert len(alerts) == 1 and alerts[0]["kind"] == "accuracy" and alerts[0]["value"] == 0.5, (
        f"with 5 batches at 0.5 one accuracy alert is due, got {alerts}")

    # The boundaries: exactly at a threshold is fine, and the edge values are valid input
    edge = ModelMonitor(window=4, accuracy_threshold=0.9, latency_budget_ms=15.0, min_batches=1)
    for _ in range(3):
        edge.record(15.0, 0.9, batch_size=10)
    s = edge.summary()
    assert s["accuracy"] == 0.9 and s["latency_p95_ms"] == 15.0, f"setup: accuracy 0.9 and p95 15 ms, got {s}"
    assert edge.alerts() == [], f"accuracy exactly at the threshold and p95 exactly at the budget: no alert, got {edge.alerts()}"
    tail = ModelMonitor(window=20, accuracy_threshold=0.5, latency_budget_ms=30.0, min_batches=1)
    for latency in list(range(1, 20)) + [100]:
        tail.record(float(latency), None, batch_size=1)
    assert abs(tail.summary()["latency_p95_ms"] - 23.05) < 1e-9 and tail.summary()["latency_max_ms"] == 100.0
    assert tail.alerts() == [], "the budget is on the p95 (23.05 ms <= 30 ms), not on the single slowest batch (100 ms)"
    assert tail.summary()["accuracy"] is None, "a window of unlabelled batches has no accuracy (None)"
    valid = ModelMonitor(window=5, min_batches=1)
    valid.record(0.0, 0.0, batch_size=1)             # an instant batch, all wrong, of one sample: all valid
    valid.record(0, 1, batch_size=np.int64(3))       # ints and numpy ints are numbers too
    valid.record(2.0)                                # defaults: unlabelled, batch_size=1
    s = valid.summary()
    assert s["batches"] == 3 and s["samples"] == 5 and s["accuracy"] == 0.75, (
        f"latency 0, accuracy 0 and 1 and batch_size 1 are valid; (0·1 + 1·3) / 4 = 0.75, got {s}")
    valid.record(np.float32(4.5), np.float64(0.5), batch_size=np.int64(2))   # numpy scalars, as a model produces them
    s = valid.summary()
    assert s["samples"] == 7 and abs(s["accuracy"] - 4 / 6) < 1e-12 and s["latency_max_ms"] == 4.5, (
        f"(0·1 + 1·3 + 0.5·2) / 6 = 0.667 and max latency 4.5 ms expected, got {s}")
    kinds = {key: type(value).__name__ for key, value in s.items()}
    assert all(type(s[k]) is int for k in ("batches", "total_batches", "samples")), (
        f"counts should be Python ints even when batch sizes arrive as np.int64, got {kinds}")
    assert all(type(s[k]) is float for k in ("accuracy", "latency_mean_ms", "latency_p50_ms", "latency_p95_ms",
                                             "latency_max_ms")), f"statistics should be Python floats, got {kinds}"
    assert json.loads(json.dumps(s)) == s, "the summary is logged as JSON: it must hold only plain Python values"

    for bad in ((-1.0, 0.5, 1), (1.0, 1.5, 1), (1.0, 0.5, 0), (float("nan"), 0.5, 1), (float("inf"), 0.5, 1),
                (1.0, -0.1, 1), (1.0, 0.5, True), (1.0, 0.5, 2.5)):
        try:
            m.record(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"record{bad} should raise ValueError")

    # observe() times a real model and records its accuracy
    model = create_mlp(4, [8], 3, seed=0)
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    y = predict(model, x)
    m = ModelMonitor(window=5, min_batches=1)
    result = m.observe(model, x, y)
    assert result["accuracy"] == 1.0 and result["latency_ms"] >= 0, f"observe() result wrong: {result}"
    assert m.summary()["samples"] == 16 and m.summary()["accuracy"] == 1.0

    print(f"✅ Monitor: p95 {s['latency_p95_ms']:.2f} ms, weighted accuracy 0.875, alerts only on enough evidence")

test_model_monitor()

# %% [markdown]
# ## Step 5: Drift — When the World Moves
#
# A model learns a relationship between inputs x and labels y **from one sample of the
# world**. Three things can change afterwards:
#
# | kind | what changes | digits example | visible without labels? |
# | --- | --- | --- | --- |
# | **data (covariate) drift** | the inputs P(x) | a new scanner: noisier, a sticker covers a corner | **yes**: compare inputs |
# | **label (prior) drift** | the class mix P(y) | a form where most answers are "0" and "1" | partly, via predictions |
# | **concept drift** | the meaning P(y \| x) | a country where "1" is written like a "7" | **no**: only labels reveal it |
#
# Drift detection compares the inputs seen now with the inputs seen in training (the
# **reference**), feature by feature. It is cheap and needs no labels — which is the whole
# point, since labels arrive late. But it has a blind spot: **concept drift leaves P(x)
# unchanged**, so only monitoring accuracy on (delayed) labels catches it. And not every
# data drift hurts: a shift in a feature the model ignores is harmless. That is why the
# pipeline at the end looks at **both** drift and accuracy.
#
# ### The population stability index
# PSI comes from credit scoring, where it has been used for decades to ask "do this
# month's applicants look like the ones the scorecard was built on?". Cut the reference
# into B bins and compare the share of each sample in each bin:
# ```
#   PSI = Σ_b (c_b − r_b) · ln(c_b / r_b)        r_b, c_b: fractions of reference / current in bin b
# ```
# Each term is ≥ 0 (c − r and ln(c/r) have the same sign), so PSI ≥ 0, and PSI = 0 exactly
# when every bin has the same share. It is the **symmetrised KL divergence**
# KL(c‖r) + KL(r‖c) of the two histograms. For two normal distributions whose means differ
# by δ standard deviations it is close to δ² — a handy sanity check:
# ```
#   shift δ:   0.1σ    0.25σ    0.5σ    1σ
#   PSI ≈      0.01    0.06     0.25    0.9   (10 bins)
# ```
# The industry rules of thumb: **PSI < 0.1** no significant change, **0.1–0.25** moderate
# change (investigate), **> 0.25** significant change (act).
#
# ### Bins from the reference's quantiles
# Equal-width bins waste resolution where there is no data. **Quantile** bins put the same
# share of the reference (1/B) in every bin: the edges are the reference's quantiles at
# 1/B, 2/B, …, (B−1)/B, and the outer bins are open (−∞, e₁] and (e_{B−1}, +∞), so values
# never seen in training still land somewhere. Two details make this robust:
# - **Ties.** Digit pixels are mostly exactly 0, so many quantiles coincide. Keep the
#   **distinct** edges (`np.unique`) and make bins **closed on the right**: a bin is
#   (eᵢ₋₁, eᵢ]. Then all the zeros of a "mostly zero" pixel fall in one bin (−∞, 0] and
#   any positive value — e.g. sensor noise on a pixel that was always blank — lands in
#   another, where the reference has nothing. `np.searchsorted(edges, x, side="left")`
#   gives exactly this bin index.
# - **Empty bins.** If a bin is empty in one sample, ln(c/r) is infinite. Floor both shares
#   at a small ε (1e-4) before the formula.
#
# ### Limits of PSI
# - It **depends on the sample size**: even two samples of the *same* distribution have
#   PSI ≈ (B − 1)·(1/n + 1/m) by chance alone — about 0.08 for 10 bins and 120 current
#   samples. Small windows produce false alarms at 0.1.
# - It depends on the binning (B, edges), and the thresholds are conventions, not
#   statistics: there is no p-value.
# - It looks at **one feature at a time**: a change in how two features relate (the
#   correlation) is invisible.

# %% nbgrader={"grade": false, "grade_id": "psi", "locked": false, "schema_version": 3, "solution": true}
#| export
def _sample(values, what: str) -> np.ndarray:
    """A non-empty, finite 1-D float64 sample, or a clear ValueError."""
    array = np.asarray(_values(values), dtype=np.float64).reshape(-1)
    if array.size == 0:
        raise ValueError(f"{what} is empty: drift statistics need at least one value")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contains nan or inf")
    return array


def psi(reference, current, bins: int = 10, eps: float = 1e-4) -> float:
    """
    Population stability index of `current` against `reference`, with quantile bins of
    the reference.

    TODO: Bin both samples with the reference's quantile edges and apply the PSI formula.

    STEP-BY-STEP IMPLEMENTATION:
    1. If bins is not an integer >= 2: raise ValueError. Validate both samples with the
       provided _sample (its second argument names the sample in error messages)
    2. edges = the reference's quantiles at 1/bins, 2/bins, ..., (bins-1)/bins, with
       duplicates removed (np.unique, which also sorts them)
    3. The bin of each value: np.searchsorted(edges, values, side="left") — bins closed
       on the right, (e_{i-1}, e_i], with open outer bins; len(edges) + 1 bins in all
    4. r = counts of ref per bin / len(ref); c = counts of cur per bin / len(cur)
       (np.bincount with minlength=len(edges) + 1)
    5. Floor both at eps: np.maximum(r, eps), np.maximum(c, eps)
    6. Return the PSI formula above, summed over the bins, as a Python float

    EXAMPLE USAGE:
    ```python
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    psi(ref, rng.normal(0, 1, 5000))     # ≈ 0.005: same distribution
    psi(ref, rng.normal(0.5, 1, 5000))   # ≈ 0.25: half a standard deviation
    psi(ref, rng.normal(1.0, 1, 5000))   # ≈ 0.93: one standard deviation
    ```

    IMPLEMENTATION HINTS:
    - np.linspace(0, 1, bins + 1)[1:-1] are the interior quantile levels
    - np.quantile(ref, levels) computes all edges at once
    - Values below the first edge or above the last one belong to the open outer bins:
      never drop values outside the reference's range
    - PSI is not symmetric: the bins come from the reference
    """
    ### BEGIN SOLUTION
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise ValueError(f"bins must be an integer >= 2, got {bins!r}")
    ref = _sample(reference, "reference")
    cur = _sample(current, "current")
    edges = np.unique(np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    n_bins = len(edges) + 1
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=n_bins) / ref.size
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=n_bins) / cur.size
    r = np.maximum(r, eps)
    c = np.maximum(c, eps)
    return float(np.sum((c - r) * np.log(c / r)))
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-psi", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_psi():
    """PSI against hand-computed values and known distributions"""
    print("🔬 Unit Test: Population Stability Index...")
    # By hand: 0..999 in 4 quantile bins (edges 249.75, 499.5, 749.25) holds 25% per bin;
    # 0..499 fills the first two bins with 50% each and leaves two empty (floored at 1e-4)
    eps = 1e-4
    expected = 2 * (0.5 - 0.25) * np.log(0.5 / 0.25) + 2 * (eps - 0.25) * np.log(eps / 0.25)
    got = psi(np.arange(1000), np.arange(500), bins=4)
    assert abs(got - expected) < 1e-9, f"PSI(0..999 vs 0..499, 4 bins) should be {expected:.6f}, got {got}"
    assert psi(np.arange(1000), np.arange(1000), bins=4) == 0.0, "identical samples have PSI exactly 0"
    assert type(psi(np.arange(10), np.arange(5))) is float, "psi should return a Python float (float(...))"
    assert psi(np.arange(10), np.arange(10), bins=2) == 0.0, "bins=2 is the smallest valid number of bins"

    # Values exactly on the edges, and outside the reference's range. 0..8 in 4 bins has the
    # edges 2, 4, 6: bins (-inf, 2], (2, 4], (4, 6], (6, inf) with 3, 2, 2, 2 of the 9 values
    r_by_hand = np.array([3, 2, 2, 2]) / 9
    c_by_hand = np.array([2, 1, 2, 1]) / 6   # 2 -> bin 0, 4 -> 1, 6, 6 -> 2; -100 -> bin 0, 100 -> bin 3
    expected = float(np.sum((c_by_hand - r_by_hand) * np.log(c_by_hand / r_by_hand)))
    got = psi(np.arange(9), [2, 4, 6, 6, -100, 100], bins=4)
    assert abs(got - expected) < 1e-12, (
        f"values on an edge belong to the bin the edge closes ((e_(i-1), e_i]), values below/above the reference "
        f"go to the outer bins: PSI should be {expected:.6f}, got {got}")

    # Ties and right-closed bins: a pixel that was always 0 gets noise on 30% of images
    ref = np.zeros(1000)
    cur = np.concatenate([np.zeros(700), np.full(300, 0.2)])
    expected = (0.7 - 1.0) * np.log(0.7 / 1.0) + (0.3 - eps) * np.log(0.3 / eps)
    got = psi(ref, cur)
    assert abs(got - expected) < 1e-9, (
        f"zeros vs 30% positive values should give {expected:.4f} (bins (-inf, 0] and (0, inf)), got {got}. "
        "Are the bins closed on the right (searchsorted side='left') and the edges unique?")

    # Known distributions: PSI ≈ δ² for a mean shift of δ standard deviations
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    same = psi(ref, rng.normal(0, 1, 5000))
    half = psi(ref, rng.normal(0.5, 1, 5000))
    one = psi(ref, rng.normal(1.0, 1, 5000))
    print(f"   PSI: same distribution {same:.4f}, shift 0.5σ {half:.4f}, shift 1σ {one:.4f}")
    assert same < 0.02, f"two samples of N(0, 1) should have PSI < 0.02 (no change), got {same:.4f}"
    assert 0.2 < half < 0.3, f"a 0.5σ shift should give PSI ≈ 0.25 (between 0.2 and 0.3), got {half:.4f}"
    assert 0.8 < one < 1.05, f"a 1σ shift should give PSI ≈ 0.9, got {one:.4f}"
    assert abs(psi(ref, ref * 2.0) - psi(ref * 2.0, ref)) > 1e-3, "PSI is not symmetric: the bins come from the reference"

    for bad in (lambda: psi([], [1.0]), lambda: psi([1.0, 2.0], [np.nan]), lambda: psi(ref, ref, bins=1)):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("empty samples, nan values and bins < 2 should raise ValueError")

    print("✅ PSI: hand-computed values, ties, and δ² on shifted normals")

test_psi()

# %% [markdown]
# ## Step 6: The Kolmogorov–Smirnov Test
#
# PSI gives a magnitude but no probability. The **two-sample Kolmogorov–Smirnov test**
# answers a sharper question: *if both samples came from the same distribution, how
# surprising would the difference I see be?*
#
# ### The statistic D
# The **empirical CDF** of a sample is the fraction of its values ≤ x:
# F̂ₐ(x) = #{aᵢ ≤ x} / n. The KS statistic is the largest vertical gap between the two ECDFs:
# ```
#   D = max_x | F̂ₐ(x) − F̂_b(x) |
#
#   1.0 ┤                 ┌───────── F̂ₐ
#       │            ┌────┘  ┌────── F̂_b
#       │       ┌────┘  ↕ D  │
#       │  ┌────┘     ┌──────┘
#   0.0 ┼──┘──────────┘───────────────── x
# ```
# Both ECDFs are step functions that only jump at data points, so the maximum is attained
# at one of the n + m pooled values: evaluate both ECDFs there and take the largest gap.
# `np.searchsorted(sorted_a, points, side="right")` counts the values ≤ each point in one
# call — O((n + m) log n) instead of the brute-force O((n + m)·(n + m)).
#
# ### The p-value: the Kolmogorov distribution
# Under the null hypothesis (same continuous distribution), √(nm/(n+m))·D converges to the
# **Kolmogorov distribution**, whatever the distribution was. Its survival function is a
# rapidly converging alternating series:
# ```
#   Q(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²),     p ≈ Q(√(nm/(n+m)) · D)
# ```
# | λ | 1.00 | 1.22 | 1.36 | 1.63 | 2.00 |
# | --- | --- | --- | --- | --- | --- |
# | Q(λ) | 0.270 | 0.10 | 0.05 | 0.01 | 0.00067 |
#
# So "reject at 5%" means √(nm/(n+m))·D > 1.36: the classic table in every statistics
# book. For λ < 0.2 the terms barely shrink and Q(λ) is 1 to twelve digits (the CDF there
# is below 10⁻¹²): return 1.0 directly. For λ ≥ 0.2, 100 terms are far more than enough
# (the 22nd is already below 10⁻¹⁶).
#
# ### Limits of KS
# - **Everything is significant with enough data.** D shrinks like 1/√n under the null, so
#   with a million samples a shift of 0.01σ — utterly harmless to the model — gives a
#   p-value of 10⁻¹⁰. A p-value measures *surprise*, not *importance*.
# - It assumes continuous data. With ties (our pixels) the asymptotic p-value is
#   **conservative**: too large, so the test rejects less often than it should — a safe
#   direction for alerting.
# - It is most sensitive near the middle of the distributions and weak in the tails; and,
#   like PSI, it is univariate.
# - The asymptotic p-value is an approximation for small samples (scipy's `ks_2samp`
#   computes the exact distribution by default when both samples have at most 10,000
#   points).

# %% nbgrader={"grade": false, "grade_id": "ks-test", "locked": false, "schema_version": 3, "solution": true}
#| export
def kolmogorov_sf(lam: float) -> float:
    """
    The Kolmogorov distribution's survival function Q(λ) = P(K > λ).

    TODO: Sum the alternating series 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²).

    STEP-BY-STEP IMPLEMENTATION:
    1. lam = float(lam). If lam < 0.2: return 1.0 (Q differs from 1 by less than 1e-12,
       and the series converges slowly there)
    2. k = 1, 2, ..., 100 as a numpy array
    3. terms = (−1)^(k−1) · exp(−2 k² λ²); q = 2 · sum(terms)
    4. Clip q to [0, 1] and return it as a Python float

    EXAMPLE USAGE:
    ```python
    kolmogorov_sf(1.36)      # 0.0495: the 5% critical value
    kolmogorov_sf(1.63)      # 0.0098: the 1% critical value
    kolmogorov_sf(0.0)       # 1.0
    ```

    IMPLEMENTATION HINTS:
    - (−1)^(k−1) is +1 for odd k and −1 for even k: np.where on k % 2 builds that array
    - np.clip keeps a value inside [0, 1]; float(...) makes it a Python float
    """
    ### BEGIN SOLUTION
    lam = float(lam)
    if lam < 0.2:
        return 1.0
    k = np.arange(1, 101, dtype=np.float64)
    signs = np.where(k % 2 == 1, 1.0, -1.0)
    q = 2.0 * np.sum(signs * np.exp(-2.0 * k * k * lam * lam))
    return float(np.clip(q, 0.0, 1.0))
    ### END SOLUTION


def ks_2samp(a, b) -> Tuple[float, float]:
    """
    Two-sample Kolmogorov–Smirnov test: (D, asymptotic p-value).

    TODO: Compute D from both ECDFs at the pooled points, then p = Q(√(nm/(n+m))·D).

    STEP-BY-STEP IMPLEMENTATION:
    1. a = _sample(a, "first sample"), b = _sample(b, "second sample"); sort both;
       n, m = their sizes
    2. points = all values of both samples (np.concatenate)
    3. cdf_a = the fraction of a's values <= each point (np.searchsorted on the sorted a,
       side="right", counts them; divide by n), and cdf_b the same for b (divide by m)
    4. D = the maximum of |cdf_a − cdf_b|
    5. p = kolmogorov_sf(sqrt(n·m / (n + m)) · D)
    6. Return (float(D), float(p))

    EXAMPLE USAGE:
    ```python
    ks_2samp([1, 2, 3], [4, 5, 6])            # (1.0, 0.0996): completely separated, but n = 3
    rng = np.random.default_rng(1)
    ks_2samp(rng.normal(0, 1, 500), rng.normal(0.5, 1, 500))    # (≈0.24, ≈1e-12)
    ```

    IMPLEMENTATION HINTS:
    - side="right" counts values equal to the point as "<= point", which is what the
      ECDF needs (and what makes ties come out right)
    - The ECDFs only change at data points, so checking the pooled points is exact
    """
    ### BEGIN SOLUTION
    a = np.sort(_sample(a, "first sample"))
    b = np.sort(_sample(b, "second sample"))
    n, m = a.size, b.size
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / n
    cdf_b = np.searchsorted(b, points, side="right") / m
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    return d, kolmogorov_sf(np.sqrt(n * m / (n + m)) * d)
    ### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test-ks-test", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_ks_test():
    """Kolmogorov survival function against tabulated values; D against brute force; known distributions"""
    print("🔬 Unit Test: Kolmogorov-Smirnov...")
    # Reference values of the Kolmogorov distribution (critical values of every KS table)
    table = [(0.5, 0.9639452436648751, 1e-9), (1.0, 0.26999967167735456, 1e-9),
             (1.2239, 0.10, 1e-4), (1.3581, 0.05, 1e-5), (1.36, 0.0494858767553779, 1e-9),
             (1.6276, 0.01, 1e-5), (1.63, 0.009846364888486527, 1e-9), (2.0, 0.0006709252557796953, 1e-12),
             (3.0, 3.045995948942e-08, 1e-15)]
    for lam, q, tol in table:
        got = kolmogorov_sf(lam)
        assert abs(got - q) < tol, f"Q({lam}) should be {q} (within {tol}), got {got}"
    assert kolmogorov_sf(0.0) == 1.0 and kolmogorov_sf(0.1) == 1.0, "Q(λ) = 1 for λ < 0.2"
    grid = [kolmogorov_sf(t) for t in np.linspace(0, 3, 61)]
    assert all(x >= y for x, y in zip(grid, grid[1:])), "Q(λ) must decrease as λ grows"
    assert all(type(v) is float for v in grid), "kolmogorov_sf should return Python floats (float(...))"
    assert abs(kolmogorov_sf(0.3) - 0.9999906941986655) < 1e-12, "Q(0.3) needs many terms of the series (use 100)"

    # Hand-checkable cases
    d, p = ks_2samp([1, 2, 3], [4, 5, 6])
    assert d == 1.0 and abs(p - kolmogorov_sf(np.sqrt(1.5))) < 1e-12, f"separated samples: D = 1, p = Q(√1.5) = 0.0996, got {d}, {p}"
    assert type(d) is float and type(p) is float, f"ks_2samp should return Python floats, got {type(d).__name__}, {type(p).__name__}"
    d, _ = ks_2samp([1, 1, 2], [1, 2, 2])
    assert abs(d - 1 / 3) < 1e-12, f"with ties, F_a(1) = 2/3 and F_b(1) = 1/3 give D = 1/3, got {d}"

    # D against a brute-force computation, on integer data full of ties
    def brute_force_d(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        return max(abs(np.mean(a <= x) - np.mean(b <= x)) for x in np.concatenate([a, b]))

    for seed in range(5):
        rng = np.random.default_rng(seed)
        a, b = rng.integers(0, 10, 37), rng.integers(2, 12, 53)
        d, p = ks_2samp(a, b)
        assert abs(d - brute_force_d(a, b)) < 1e-12, f"seed {seed}: D should be {brute_force_d(a, b)}, got {d}"
        assert (d, p) == ks_2samp(b, a), "the two-sample test is symmetric"

    # Known distributions
    rng = np.random.default_rng(1)
    a, b, shifted = rng.normal(0, 1, 500), rng.normal(0, 1, 500), rng.normal(0.5, 1, 500)
    d_same, p_same = ks_2samp(a, b)
    d_shift, p_shift = ks_2samp(a, shifted)
    print(f"   same distribution: D = {d_same:.3f}, p = {p_same:.3f};  shifted by 0.5σ: D = {d_shift:.3f}, p = {p_shift:.1e}")
    assert d_same < 0.1 and p_same > 0.05, f"two N(0, 1) samples: small D, p not small; got D = {d_same:.3f}, p = {p_same:.3g}"
    assert d_shift > 0.15 and p_shift < 1e-6, f"a 0.5σ shift with n = 500: large D, tiny p; got D = {d_shift:.3f}, p = {p_shift:.3g}"

    print("✅ KS: Q(1.36) = 0.0495, Q(1.63) = 0.0098; D matches brute force")

test_ks_test()

# %% [markdown]
# ## Step 7: A Drift Detector Over Many Features
#
# A digit image has 64 pixels; a tabular model may have hundreds of columns. The detector
# runs both statistics on every feature and turns them into one decision.
#
# ### The multiple-testing trap
# Test 64 features at α = 0.01 and, even with no drift at all, the chance that *at least
# one* p-value falls below 0.01 is 1 − 0.99⁶⁴ ≈ 47%. Half of all checks would raise a false
# alarm. The **Bonferroni correction** tests each feature at α/F instead, which keeps the
# probability of any false alarm below α. It is conservative (it assumes the worst about
# correlated features) but simple and safe.
#
# ### Significant *and* large
# The two statistics fail in opposite directions: KS calls tiny, harmless shifts
# significant when samples are large; PSI calls random noise "moderate" when samples are
# small. So a feature counts as drifted only when **both** agree:
# ```
#   drifted(feature) = KS p-value < α / F      (the change is real, not chance)
#                  and PSI ≥ psi_threshold     (and it is big enough to matter)
# ```
# and the dataset as a whole has drifted when at least a share `drift_share` of the
# features has. One odd feature is a curiosity; a tenth of the image changing is a new
# scanner.
#
# ### The report
# ```python
# {"drift": True, "share": 0.47, "n_drifted": 30, "n_features": 64,
#  "drifted_features": ["pixel_0_1", "pixel_0_2", ...], "alpha_per_feature": 0.000156,
#  "features": [{"name": "pixel_0_0", "psi": 0.0, "ks_statistic": 0.0, "ks_pvalue": 1.0,
#                "drifted": False}, ...]}
# ```
# Production tools (Evidently, whylogs, SageMaker Model Monitor, Vertex AI) produce
# reports of exactly this shape, with a per-feature table and a dataset-level verdict.

# %% nbgrader={"grade": false, "grade_id": "drift-detector", "locked": false, "schema_version": 3, "solution": true}
#| export
def _as_matrix(values, what: str) -> np.ndarray:
    """A 2-D float64 array (samples, features); a 1-D array is one feature."""
    array = np.asarray(_values(values), dtype=np.float64)
    if array.ndim == 0:
        raise ValueError(f"{what} must be an array of samples, got a single number")
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    elif array.ndim > 2:
        array = array.reshape(array.shape[0], -1)   # e.g. images (n, 8, 8) -> (n, 64)
    if array.shape[0] == 0:
        raise ValueError(f"{what} has no samples")
    return array


class DriftDetector:
    """Per-feature PSI and KS of current data against a reference sample, and a verdict."""

    def __init__(self, reference, psi_threshold: float = 0.25, alpha: float = 0.01, drift_share: float = 0.1,
                 bins: int = 10, feature_names: Optional[Sequence[str]] = None):
        self.reference = _as_matrix(reference, "reference")
        self.n_features = self.reference.shape[1]
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
        if not 0.0 < drift_share <= 1.0:
            raise ValueError(f"drift_share must be in (0, 1], got {drift_share!r}")
        self.psi_threshold = float(psi_threshold)
        self.alpha = float(alpha)
        self.drift_share = float(drift_share)
        self.bins = int(bins)
        if feature_names is None:
            feature_names = [f"f{j}" for j in range(self.n_features)]
        if len(feature_names) != self.n_features:
            raise ValueError(f"{len(feature_names)} feature names for {self.n_features} features")
        self.feature_names = [str(n) for n in feature_names]

    def check(self, current) -> dict:
        """
        Compare `current` (samples, features) with the reference; return the drift report.

        TODO: Run psi and ks_2samp on every feature and build the report.

        STEP-BY-STEP IMPLEMENTATION:
        1. Turn `current` into a (samples, features) matrix with the provided _as_matrix;
           if its number of features differs from self.n_features, raise ValueError
           naming both shapes
        2. alpha_per_feature: Bonferroni, alpha shared equally among the features
        3. For every feature j:
           - p = psi(reference column j, current column j, bins=self.bins)
           - d, pvalue = ks_2samp(reference column j, current column j)
           - drifted when BOTH the KS p-value is strictly below alpha_per_feature AND the
             PSI is at least psi_threshold (a PSI exactly at the threshold counts)
           - append {"name": self.feature_names[j], "psi": p, "ks_statistic": d,
                     "ks_pvalue": pvalue, "drifted": drifted}
        4. n_drifted = the number of drifted features; share = n_drifted / n_features
        5. Return {"drift": share >= self.drift_share, "share": share, "n_drifted": n_drifted,
                   "n_features": self.n_features, "drifted_features": [their names],
                   "alpha_per_feature": alpha_per_feature, "features": [the per-feature dicts]}

        EXAMPLE USAGE:
        ```python
        detector = DriftDetector(x_train)               # 64 pixel features
        detector.check(x_test)["drift"]                 # False
        detector.check(noisy_and_occluded)["drift"]     # True, with ~30 pixels flagged
        ```

        IMPLEMENTATION HINTS:
        - self.reference[:, j] is column j
        - Use bool(...) and float(...) so the report holds plain Python values (it is
          meant to be logged as JSON)
        """
        ### BEGIN SOLUTION
        cur = _as_matrix(current, "current")
        if cur.shape[1] != self.n_features:
            raise ValueError(f"the reference has shape {self.reference.shape} ({self.n_features} features) but the "
                             f"current data has shape {cur.shape}")
        alpha_per_feature = self.alpha / self.n_features
        features = []
        for j in range(self.n_features):
            p = psi(self.reference[:, j], cur[:, j], bins=self.bins)
            d, pvalue = ks_2samp(self.reference[:, j], cur[:, j])
            drifted = bool(pvalue < alpha_per_feature and p >= self.psi_threshold)
            features.append({"name": self.feature_names[j], "psi": float(p), "ks_statistic": float(d),
                             "ks_pvalue": float(pvalue), "drifted": drifted})
        drifted_names = [f["name"] for f in features if f["drifted"]]
        share = len(drifted_names) / self.n_features
        return {"drift": bool(share >= self.drift_share), "share": float(share), "n_drifted": len(drifted_names),
                "n_features": self.n_features, "drifted_features": drifted_names,
                "alpha_per_feature": float(alpha_per_feature), "features": features}
        ### END SOLUTION

    def __repr__(self) -> str:
        return (f"DriftDetector({self.reference.shape[0]} reference samples x {self.n_features} features, "
                f"psi_threshold={self.psi_threshold}, alpha={self.alpha}, drift_share={self.drift_share})")

# %% nbgrader={"grade": true, "grade_id": "test-drift-detector", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: psi, kolmogorov_sf, ks_2samp
def test_drift_detector():
    """per-feature PSI/KS, Bonferroni, significance AND magnitude, the dataset verdict"""
    print("🔬 Unit Test: Drift Detector...")
    rng = np.random.default_rng(0)

    def sample(n, shift_uniform=0.0):
        return np.stack([rng.normal(0, 1, n), rng.uniform(0, 1, n) + shift_uniform, rng.normal(5, 2, n)], axis=1)

    detector = DriftDetector(sample(4000), feature_names=["age", "income", "score"])
    report = detector.check(sample(1000))
    assert report["drift"] is False and report["n_drifted"] == 0, f"same distribution: no drift expected, got {report['drifted_features']}"
    assert report["n_features"] == 3 and len(report["features"]) == 3
    assert abs(report["alpha_per_feature"] - 0.01 / 3) < 1e-15, f"Bonferroni: 0.01 / 3, got {report['alpha_per_feature']}"
    assert [f["name"] for f in report["features"]] == ["age", "income", "score"]
    for key in ("name", "psi", "ks_statistic", "ks_pvalue", "drifted"):
        assert key in report["features"][0], f"each feature entry needs {key!r}, got {sorted(report['features'][0])}"

    current = sample(1000, shift_uniform=0.3)
    report = detector.check(current)
    income = report["features"][1]
    assert report["drifted_features"] == ["income"], f"only 'income' was shifted, got {report['drifted_features']}"
    assert report["drift"] is True and abs(report["share"] - 1 / 3) < 1e-12, f"1 of 3 features >= drift_share 0.1: drift, got {report}"
    assert income["psi"] > 0.25 and income["ks_pvalue"] < 0.01 / 3, f"income: large PSI and tiny p expected, got {income}"
    expected_psi = psi(detector.reference[:, 1], current[:, 1])
    expected_ks = ks_2samp(detector.reference[:, 1], current[:, 1])
    assert abs(income["psi"] - expected_psi) < 1e-12 and abs(income["ks_statistic"] - expected_ks[0]) < 1e-12, (
        "the report's numbers should be psi() and ks_2samp() of the feature's columns")
    assert isinstance(report["drift"], bool) and isinstance(income["drifted"], bool), "plain Python bools in the report"
    kinds = {key: type(report[key]).__name__ for key in ("drift", "share", "n_drifted", "n_features", "alpha_per_feature")}
    assert type(report["drift"]) is bool and type(report["share"]) is float and type(report["alpha_per_feature"]) is float \
        and type(report["n_drifted"]) is int and type(report["n_features"]) is int, f"plain Python values expected, got {kinds}"
    for entry in report["features"]:
        assert type(entry["drifted"]) is bool and all(type(entry[k]) is float for k in ("psi", "ks_statistic", "ks_pvalue")), (
            f"each feature entry should hold Python floats and a Python bool, got {[(k, type(v).__name__) for k, v in entry.items()]}")
    assert json.loads(json.dumps(report)) == report, "the drift report is logged as JSON: np.bool_ / numpy scalars break that"

    # Significant but immaterial: a 0.08σ shift with 20,000 samples each
    big_ref = rng.normal(0, 1, (20000, 1))
    tiny_shift = rng.normal(0.08, 1, (20000, 1))
    report = DriftDetector(big_ref).check(tiny_shift)
    f = report["features"][0]
    print(f"   0.08σ shift, n = 20,000: KS p = {f['ks_pvalue']:.1e} (significant), PSI = {f['psi']:.4f} (immaterial)")
    assert f["ks_pvalue"] < 0.01 and f["psi"] < 0.1, f"setup: KS should be significant and PSI tiny, got {f}"
    assert f["drifted"] is False and report["drift"] is False, (
        "a feature is drifted only when KS is significant AND PSI >= the threshold")

    # The share rule: 1 drifted feature of 3 is not enough with drift_share = 0.5
    # Every threshold exactly at the boundary. One feature with a moderate shift:
    ref1, cur1 = rng.normal(0, 1, (400, 1)), rng.normal(0.3, 1, (200, 1))
    psi1 = psi(ref1[:, 0], cur1[:, 0])
    _, p1 = ks_2samp(ref1[:, 0], cur1[:, 0])
    assert 1e-8 < p1 < 0.3 and psi1 > 0.01, f"setup: a moderate shift, got p = {p1}, PSI = {psi1}"
    at_psi = DriftDetector(ref1, psi_threshold=psi1, alpha=0.5).check(cur1)["features"][0]
    assert at_psi["drifted"] is True, f"a PSI exactly equal to psi_threshold counts (PSI >= threshold), got {at_psi}"
    above = DriftDetector(ref1, psi_threshold=float(np.nextafter(psi1, np.inf)), alpha=0.5).check(cur1)
    assert above["features"][0]["drifted"] is False, "a PSI just below psi_threshold does not count"
    at_alpha = DriftDetector(ref1, psi_threshold=0.0, alpha=p1).check(cur1)["features"][0]
    assert at_alpha["drifted"] is False, f"a p-value exactly equal to alpha / F is not significant (p < alpha / F), got {at_alpha}"
    twice = np.concatenate([ref1, ref1], axis=1)   # two identical features: both have p = p1
    bonferroni = DriftDetector(twice, psi_threshold=0.0, alpha=1.5 * p1).check(np.concatenate([cur1, cur1], axis=1))
    assert bonferroni["n_drifted"] == 0 and abs(bonferroni["alpha_per_feature"] - 0.75 * p1) < 1e-18, (
        f"with 2 features each is tested at alpha / 2 = 0.75·p: neither drifts, got {bonferroni['drifted_features']}")
    coarse = DriftDetector(ref1, bins=4).check(cur1)["features"][0]
    assert coarse["psi"] == psi(ref1[:, 0], cur1[:, 0], bins=4), "the detector must pass its bins on to psi"
    at_share = DriftDetector(detector.reference, drift_share=1 / 3).check(sample(1000, shift_uniform=0.3))
    assert at_share["n_drifted"] == 1 and at_share["drift"] is True, (
        f"1 of 3 features with drift_share = 1/3: the share reaches it (share >= drift_share), got {at_share['share']}")

    strict = DriftDetector(detector.reference, drift_share=0.5)
    report = strict.check(sample(1000, shift_uniform=0.3))
    assert report["n_drifted"] == 1 and report["drift"] is False, f"1/3 < 0.5: no dataset drift, got {report['share']}"

    try:
        detector.check(np.zeros((10, 4)))
    except ValueError as exc:
        assert "(10, 4)" in str(exc), f"the error should show the current shape (10, 4), got: {exc}"
    else:
        raise AssertionError("current data with 4 features against a 3-feature reference should raise ValueError")

    print("✅ Drift detector: flags the shifted feature, ignores significant-but-tiny shifts")

test_drift_detector()

# %% [markdown]
# ## Step 8: When to Retrain — a Trigger With a Cooldown
#
# Retraining is not free: it costs compute, it needs fresh **labelled** data (often paid
# for by the label), and every new version is a new risk that must be evaluated before it
# serves traffic. Retraining too eagerly is as bad as never retraining.
#
# The policy here is the simplest one that works:
# ```
#   reasons = []
#   if drift:                                   reasons += ["data drift"]
#   if accuracy is known and < threshold:       reasons += ["accuracy 0.641 < 0.850"]
#   retrain = reasons non-empty  and  (never retrained, or step − last_retrain ≥ cooldown)
# ```
# The **cooldown** matters because alarms do not stop the moment you act. Right after a
# retraining, the monitor's window still contains the bad batches that caused it, and the
# new model needs a few batches to prove itself. Without a cooldown the same incident
# would fire the trigger again at the next check, and the next — one incident, five new
# model versions, five pages to the on-call engineer. That is alert fatigue again, now
# with a training bill attached. Suppressed decisions are still **recorded** (with
# `"suppressed": True`), so nobody can say the system did not notice.
#
# Real systems add more: minimum amounts of new labelled data, scheduled retraining
# (nightly, weekly), and a validation gate that refuses to deploy a new version that is
# worse than the current one on a held-out set.

# %% nbgrader={"grade": false, "grade_id": "retraining-trigger", "locked": false, "schema_version": 3, "solution": true}
#| export
class RetrainingTrigger:
    """Decide when to retrain: on drift or low accuracy, at most once per `cooldown` steps."""

    def __init__(self, accuracy_threshold: float = 0.9, cooldown: int = 10):
        if isinstance(cooldown, bool) or not isinstance(cooldown, (int, np.integer)) or cooldown < 0:
            raise ValueError(f"cooldown must be a whole number of steps >= 0, got {cooldown!r}")
        self.accuracy_threshold = float(accuracy_threshold)
        self.cooldown = int(cooldown)
        self.last_retrain_step: Optional[int] = None
        self.history: List[dict] = []

    def should_retrain(self, step: int, drift: bool = False, accuracy: Optional[float] = None) -> dict:
        """
        Decide at `step` whether to retrain; record and return the decision.

        TODO: Collect the reasons, apply the cooldown, remember when it fired.

        STEP-BY-STEP IMPLEMENTATION:
        1. reasons = []; add "data drift" if drift; add
           f"accuracy {accuracy:.3f} < {self.accuracy_threshold:.3f}" if accuracy is not
           None and accuracy < self.accuracy_threshold
        2. cooling = self.last_retrain_step is not None and
           step - self.last_retrain_step < self.cooldown
        3. retrain = there are reasons and not cooling; only when it fires, remember this
           step in self.last_retrain_step (a suppressed decision does not restart the clock)
        4. decision = {"step": step, "retrain": retrain, "reasons": reasons,
                       "suppressed": there are reasons but cooling}
        5. Append it to self.history and return it

        EXAMPLE USAGE:
        ```python
        trigger = RetrainingTrigger(accuracy_threshold=0.9, cooldown=5)
        trigger.should_retrain(1, drift=True)["retrain"]       # True  (reasons: ["data drift"])
        trigger.should_retrain(3, drift=True)["retrain"]       # False (suppressed: cooldown)
        trigger.should_retrain(6, accuracy=0.8)["retrain"]     # True  (6 - 1 >= 5)
        ```

        IMPLEMENTATION HINTS:
        - bool(reasons) is True for a non-empty list
        """
        ### BEGIN SOLUTION
        reasons = []
        if drift:
            reasons.append("data drift")
        if accuracy is not None and accuracy < self.accuracy_threshold:
            reasons.append(f"accuracy {accuracy:.3f} < {self.accuracy_threshold:.3f}")
        cooling = self.last_retrain_step is not None and step - self.last_retrain_step < self.cooldown
        retrain = bool(reasons) and not cooling
        if retrain:
            self.last_retrain_step = step
        decision = {"step": step, "retrain": retrain, "reasons": reasons, "suppressed": bool(reasons) and cooling}
        self.history.append(decision)
        return decision
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"RetrainingTrigger(accuracy_threshold={self.accuracy_threshold}, cooldown={self.cooldown})"

# %% nbgrader={"grade": true, "grade_id": "test-retraining-trigger", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_retraining_trigger():
    """drift or low accuracy fire the trigger; the cooldown suppresses repeats but records them"""
    print("🔬 Unit Test: Retraining Trigger...")
    trigger = RetrainingTrigger(accuracy_threshold=0.9, cooldown=5)
    d = trigger.should_retrain(0, drift=False, accuracy=0.95)
    assert d == {"step": 0, "retrain": False, "reasons": [], "suppressed": False}, f"all well: no retraining, got {d}"
    assert trigger.should_retrain(0, accuracy=None)["retrain"] is False, "unknown accuracy and no drift: no retraining"
    d = trigger.should_retrain(1, drift=True, accuracy=0.95)
    assert d["retrain"] is True and d["reasons"] == ["data drift"], f"drift alone should fire, got {d}"
    assert trigger.last_retrain_step == 1
    d = trigger.should_retrain(3, drift=True, accuracy=0.5)
    assert d["retrain"] is False and d["suppressed"] is True and len(d["reasons"]) == 2, (
        f"step 3 is within the cooldown (3 - 1 < 5): suppressed but with both reasons recorded, got {d}")
    d = trigger.should_retrain(5, drift=False, accuracy=0.8)
    assert d["retrain"] is False and d["suppressed"] is True, f"5 - 1 = 4 < 5: still cooling down, got {d}"
    d = trigger.should_retrain(6, drift=False, accuracy=0.8)
    assert d["retrain"] is True and d["reasons"] == ["accuracy 0.800 < 0.900"], f"6 - 1 >= 5 and accuracy low: fire, got {d}"
    assert trigger.last_retrain_step == 6
    d = trigger.should_retrain(7, drift=False, accuracy=0.9)
    assert d["retrain"] is False and d["suppressed"] is False, f"accuracy exactly at the threshold is fine, got {d}"
    assert len(trigger.history) == 7 and [h["step"] for h in trigger.history] == [0, 0, 1, 3, 5, 6, 7], (
        "every decision is recorded in history, in order")
    no_cooldown = RetrainingTrigger(cooldown=0)
    assert all(no_cooldown.should_retrain(s, drift=True)["retrain"] for s in range(3)), "cooldown=0 never suppresses"
    print("✅ Trigger: fires on drift or low accuracy, at most once per cooldown")

test_retraining_trigger()

# %% [markdown]
# ## Step 9: The Pipeline — Closing the Loop
#
# Now the pieces become one system. The `MLOpsPipeline` owns a registry, a monitor, a
# drift detector and a trigger, and knows how to build and train a model:
#
# ```
#   train_and_register(x, y) ──→ Trainer.fit ──→ registry.register ──→ deploy(version, reference=x)
#                                                                           │
#   deploy(version) ──→ registry.load(hash check!) ──→ serving model;  monitor.reset();
#                       new DriftDetector(reference) ; forget the buffered inputs
#
#   process_batch(x, y):                               (every batch)
#       monitor.observe(model, x, y)  → latency, accuracy
#       buffer the inputs (the last drift_window samples)
#       every check_every batches:
#           report = detector.check(buffer);  summary = monitor.summary()
#           decision = trigger.should_retrain(step, report["drift"], summary["accuracy"])
#           if decision["retrain"]: train_and_register(*fetch_training_data(),
#                                                     metadata={reason, …})
# ```
#
# Design choices worth noticing:
# - **Serve what you registered.** `deploy` loads the weights back from the registry into
#   a freshly built model, through the hash check, rather than keeping the trained object
#   in memory. The exact bytes that serve traffic are the bytes with a version number.
# - **Move the reference.** After retraining on the new world, the drift detector must
#   compare against the **new** training data; otherwise it would report the same drift
#   forever.
# - **Reset the monitor.** The window's bad batches belong to the old model.
# - **Record why.** The new version's metadata says what triggered it, at which step, and
#   which version it replaced: the audit trail a registry exists for.
#
# ### Provided helpers
# - `train_model(build_model, x, y, epochs, learning_rate, batch_size, seed)`: a fresh
#   `build_model()` trained with your `Trainer` and `Adam` (learning rate halved every 5
#   epochs, as in the milestones); returns `(model, history)`.
# - `accuracy_of(model, x, y)`, and `predict(model, x)` from Step 4.
# - `run(batches, fetch_training_data)`: `process_batch` for every `(x, y)` of a stream.

# %% nbgrader={"grade": false, "grade_id": "pipeline-helpers", "locked": true, "schema_version": 3, "solution": false}
#| export
def train_model(build_model: Callable, x, y, epochs: int = 10, learning_rate: float = 5e-3, batch_size: int = 32,
                seed: int = 0):
    """A fresh build_model() trained on (x, y) with Adam (halved every 5 epochs); returns (model, history)."""
    x = _values(x).astype(np.float32)
    y = np.asarray(_values(y)).astype(np.int64).reshape(-1)
    model = build_model()
    optimizer = Adam(model.parameters(), learning_rate=learning_rate)
    schedule = StepLR(optimizer, step_size=5, gamma=0.5)
    trainer = Trainer(model, optimizer, CrossEntropyLoss())
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, seed=seed)
    history = trainer.fit(loader, epochs=epochs, on_epoch_end=lambda epoch, logs: schedule.step())
    return model, history


def accuracy_of(model, x, y) -> float:
    """The fraction of samples of (x, y) the model classifies correctly."""
    return float(np.mean(predict(model, x) == np.asarray(_values(y)).reshape(-1)))

# %% nbgrader={"grade": false, "grade_id": "mlops-pipeline", "locked": false, "schema_version": 3, "solution": true}
#| export
class MLOpsPipeline:
    """Registry + monitor + drift detector + retraining trigger + training, as one loop."""

    def __init__(self, registry: ModelRegistry, name: str, build_model: Callable,
                 monitor: Optional[ModelMonitor] = None, trigger: Optional[RetrainingTrigger] = None,
                 detector_options: Optional[dict] = None, drift_window: int = 120, check_every: int = 2,
                 epochs: int = 10, learning_rate: float = 5e-3, batch_size: int = 32, seed: int = 0):
        if not callable(build_model):
            raise TypeError("build_model must be a function that returns a new, untrained model")
        if check_every < 1 or drift_window < 1:
            raise ValueError("check_every and drift_window must be >= 1")
        self.registry = registry
        self.name = name
        self.build_model = build_model
        self.monitor = monitor if monitor is not None else ModelMonitor()
        self.trigger = trigger if trigger is not None else RetrainingTrigger()
        self.detector_options = dict(detector_options or {})
        self.drift_window = int(drift_window)
        self.check_every = int(check_every)
        self.epochs, self.learning_rate, self.batch_size, self.seed = epochs, learning_rate, batch_size, seed
        self.model = None
        self.version: Optional[int] = None
        self.detector: Optional[DriftDetector] = None
        self.step = 0
        self.events: List[dict] = []
        self._recent = collections.deque(maxlen=self.drift_window)   # the last drift_window input rows

    def train_and_register(self, x, y, metadata: Optional[dict] = None) -> int:
        """
        Train a fresh model on (x, y), register it, deploy it with x as the drift reference.

        TODO: Train, register with useful metadata, deploy; return the new version.

        STEP-BY-STEP IMPLEMENTATION:
        1. model, history = train_model(self.build_model, x, y, self.epochs,
           self.learning_rate, self.batch_size, self.seed)
        2. meta = {"train_samples": number of samples, "train_accuracy": accuracy_of(model, x, y),
                   "epochs": self.epochs, "learning_rate": self.learning_rate, "seed": self.seed},
           then update it with the caller's metadata (if any)
        3. Register the trained model in self.registry under self.name, with meta
        4. Deploy the new version with x as the drift reference (your deploy)
        5. Return the version number

        EXAMPLE USAGE:
        ```python
        pipeline.train_and_register(x_train, y_train, {"reason": "initial"})    # 1
        ```

        IMPLEMENTATION HINTS:
        - len(np.asarray(_values(x))) is the number of samples
        - Registry metadata must be JSON: float(...) and int(...) for numpy numbers
        """
        ### BEGIN SOLUTION
        model, _ = train_model(self.build_model, x, y, self.epochs, self.learning_rate, self.batch_size, self.seed)
        meta = {"train_samples": int(len(np.asarray(_values(x)))), "train_accuracy": accuracy_of(model, x, y),
                "epochs": int(self.epochs), "learning_rate": float(self.learning_rate), "seed": self.seed}
        meta.update(metadata or {})
        version = self.registry.register(model, self.name, meta)
        self.deploy(version, reference=x)
        return version
        ### END SOLUTION

    def deploy(self, version: Optional[int] = None, reference=None) -> None:
        """
        Serve `version` (the latest if None), loaded from the registry; optionally a new reference.

        TODO: Load through the registry, then reset what belongs to the previous model.

        STEP-BY-STEP IMPLEMENTATION:
        1. No version given: ask the registry for the latest one of self.name
        2. Load that version from the registry into a fresh self.build_model()
           (if the file was tampered with this raises, and nothing below changes)
        3. Only then: store the model and the version number (self.model, self.version)
        4. Forget the old model's evidence: reset the monitor and empty the input buffer
           self._recent
        5. If a reference is given: a new DriftDetector on it, built with
           self.detector_options as keyword arguments

        EXAMPLE USAGE:
        ```python
        pipeline.deploy()             # the latest version
        pipeline.deploy(1)            # roll back to version 1
        ```

        IMPLEMENTATION HINTS:
        - Load first, change state after: a failed deployment keeps the old model serving
        """
        ### BEGIN SOLUTION
        if version is None:
            version = self.registry.latest(self.name)
        model = self.registry.load(self.name, version, model=self.build_model())
        self.model, self.version = model, int(version)
        self.monitor.reset()
        self._recent.clear()
        if reference is not None:
            self.detector = DriftDetector(reference, **self.detector_options)
        ### END SOLUTION

    def process_batch(self, x, y=None, fetch_training_data: Optional[Callable] = None) -> dict:
        """
        Serve one batch: monitor it, and every check_every batches check drift and maybe retrain.

        TODO: Observe, buffer, check, decide, retrain; return the event.

        STEP-BY-STEP IMPLEMENTATION:
        1. If no model is deployed (self.model is None): raise RuntimeError
        2. Count the step (self.step += 1); the batch x as a float32 ndarray (via _values)
        3. Let the monitor observe the serving model on (x, y): it times, predicts, records
        4. Add the batch's rows, flattened to (len(x), features), to the buffer self._recent
           (a deque with maxlen=drift_window: it keeps only the newest rows)
        5. The event dict, with the keys step, version (the serving one), accuracy and
           latency_ms (from the observation), and checked=False, drift=None,
           drift_share=None, window_accuracy=None, alerts=[], decision=None, retrained=None
        6. Every check_every-th step (step divisible by check_every):
           a. the drift report: the detector's check of the buffered rows stacked into a
              matrix, if there is a detector and the buffer is not empty; else None
           b. the monitor's window summary
           c. the trigger's decision at this step, with drift = the report's verdict
              (False without a report) and accuracy = the window accuracy
           d. fill the event: checked=True, drift and drift_share from the report (None
              without one), window_accuracy, alerts (the monitor's alerts()), decision
           e. If the decision says retrain and fetch_training_data is given: call it for
              fresh (x, y), train_and_register them, and store the new version in
              event["retrained"]. The metadata: "reason" (the decision's reasons joined
              with "; "), "triggered_at_step" (this step) and "previous_version" (the
              version that was serving)
        7. Append event to self.events and return it

        EXAMPLE USAGE:
        ```python
        for x, y in stream:
            event = pipeline.process_batch(x, y, fetch_training_data=ask_labelling_team)
            if event["retrained"]:
                print(f"step {event['step']}: retrained -> v{event['retrained']}")
        ```

        IMPLEMENTATION HINTS:
        - Remember the serving version before retraining: train_and_register deploys the
          new one and changes self.version
        - np.stack(list_of_rows) builds the (samples, features) matrix
        """
        ### BEGIN SOLUTION
        if self.model is None:
            raise RuntimeError("no model is deployed: call train_and_register(x, y) or deploy(version) first")
        self.step += 1
        x = np.asarray(_values(x), dtype=np.float32)
        observed = self.monitor.observe(self.model, x, y)
        self._recent.extend(x.reshape(len(x), -1))
        event = {"step": self.step, "version": self.version, "accuracy": observed["accuracy"],
                 "latency_ms": observed["latency_ms"], "checked": False, "drift": None, "drift_share": None,
                 "window_accuracy": None, "alerts": [], "decision": None, "retrained": None}
        if self.step % self.check_every == 0:
            report = None
            if self.detector is not None and len(self._recent) > 0:
                report = self.detector.check(np.stack(self._recent))
            summary = self.monitor.summary()
            decision = self.trigger.should_retrain(self.step, drift=report is not None and report["drift"],
                                                   accuracy=summary["accuracy"])
            event.update(checked=True, drift=None if report is None else report["drift"],
                         drift_share=None if report is None else report["share"],
                         window_accuracy=summary["accuracy"], alerts=self.monitor.alerts(), decision=decision)
            if decision["retrain"] and fetch_training_data is not None:
                previous = self.version
                x_new, y_new = fetch_training_data()
                event["retrained"] = self.train_and_register(x_new, y_new, metadata={
                    "reason": "; ".join(decision["reasons"]), "triggered_at_step": self.step,
                    "previous_version": previous})
        self.events.append(event)
        return event
        ### END SOLUTION

    def run(self, batches, fetch_training_data: Optional[Callable] = None) -> List[dict]:
        """process_batch for every (x, y) of `batches`; returns their events."""
        return [self.process_batch(x, y, fetch_training_data) for x, y in batches]

    def __repr__(self) -> str:
        return f"MLOpsPipeline(name={self.name!r}, version={self.version}, step={self.step})"

# %% [markdown]
# ### 🧪 Test: the pipeline's mechanics
# A toy problem first, so every event can be checked: two Gaussian blobs in 4 dimensions.
# After 4 batches the blobs move by +2 in every feature (the old decision boundary now
# cuts through the middle of class 0), and labelled data from the new world is available
# on request.

# %% nbgrader={"grade": true, "grade_id": "test-pipeline-mechanics", "locked": true, "points": 5, "schema_version": 3, "solution": false}
#| uses: atomic_write, ModelRegistry, _registry_load, ModelMonitor, psi, kolmogorov_sf, ks_2samp, DriftDetector, RetrainingTrigger
def test_pipeline_mechanics():
    """train_and_register, deploy from the registry, the check cadence, retraining, the audit trail"""
    print("🔬 Unit Test: MLOps Pipeline (mechanics)...")
    rng = np.random.default_rng(0)

    def blobs(n, shift=0.0):
        y = rng.integers(0, 2, n)
        x = rng.normal(0, 0.7, (n, 4)) + np.where(y[:, None] == 1, 1.0, -1.0) + shift
        return x.astype(np.float32), y.astype(np.int64)

    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(tmp)
        pipeline = MLOpsPipeline(registry, "blobs", lambda: create_mlp(4, [8], 2, seed=0),
                                 monitor=ModelMonitor(window=4, accuracy_threshold=0.8, min_batches=1),
                                 trigger=RetrainingTrigger(accuracy_threshold=0.8, cooldown=4),
                                 drift_window=100, check_every=2, epochs=np.int64(5), learning_rate=np.float32(0.01))
        try:
            pipeline.process_batch(*blobs(10))
        except RuntimeError:
            pass
        else:
            raise AssertionError("process_batch before any deployment should raise RuntimeError")

        x_train, y_train = blobs(400)
        version = pipeline.train_and_register(x_train, y_train, {"reason": "initial"})
        assert version == 1 and pipeline.version == 1 and registry.list_versions("blobs") == [1], "v1 registered and deployed"
        meta = registry.manifest("blobs", 1)["metadata"]
        assert meta["reason"] == "initial" and meta["train_samples"] == 400 and meta["train_accuracy"] > 0.95, (
            f"metadata should hold the caller's reason, the sample count and the training accuracy, got {meta}")
        assert pipeline.detector is not None and pipeline.detector.reference.shape == (400, 4), "x_train is the drift reference"

        fetched = []

        def fetch():
            fetched.append(True)
            return blobs(400, shift=2.0)

        stream = [blobs(50) for _ in range(4)] + [blobs(50, shift=2.0) for _ in range(6)]
        events = pipeline.run(stream, fetch_training_data=fetch)
        assert [e["step"] for e in events] == list(range(1, 11)), "steps count batches from 1"
        assert [e["checked"] for e in events] == [False, True] * 5, "a check every check_every = 2 batches"
        assert events[0]["drift"] is None and events[0]["decision"] is None, "batches between checks carry no decision"
        assert events[1]["drift"] is False and events[3]["drift"] is False, f"no drift on clean batches: {events[3]}"
        assert all(e["accuracy"] > 0.9 for e in events[:4]), f"v1 is accurate on clean batches: {[e['accuracy'] for e in events[:4]]}"
        assert events[5]["drift"] is True and events[5]["retrained"] == 2, (
            f"at step 6 (two shifted batches) drift is detected and v2 trained: {events[5]}")
        assert "data drift" in events[5]["decision"]["reasons"], f"the reasons should include drift: {events[5]['decision']}"
        assert len(fetched) == 1, f"fresh labelled data should be fetched exactly once, got {len(fetched)}"
        assert [e["version"] for e in events] == [1] * 6 + [2] * 4, f"batches 7-10 are served by v2: {[e['version'] for e in events]}"
        assert all(e["retrained"] is None for e in events[6:]), "no second retraining (no drift against the new reference)"
        assert all(e["accuracy"] > 0.9 for e in events[6:]), f"v2 is accurate on shifted data: {[e['accuracy'] for e in events[6:]]}"
        assert pipeline.monitor.total_batches == 4, "deploying v2 resets the monitor: it has seen 4 batches since"
        meta = registry.manifest("blobs", 2)["metadata"]
        assert meta["previous_version"] == 1 and meta["triggered_at_step"] == 6 and "drift" in meta["reason"], (
            f"v2's metadata is the audit trail: previous version, step, reason; got {meta}")

        pipeline.deploy()                                  # the latest version, again: a clean slate
        assert pipeline.version == 2 and pipeline.monitor.total_batches == 0, "deploy() resets the monitor"
        assert len(pipeline._recent) == 0, "deploy() empties the input buffer: old inputs belong to the old model"
        assert pipeline.detector.reference.shape == (400, 4), "deploy() without a reference keeps the detector"

        # deploy() goes through the registry's integrity check; a failure keeps the old model serving
        weights = os.path.join(tmp, "blobs", "v1", "weights.npz")
        with open(weights, "r+b") as fh:
            fh.seek(100)
            byte = fh.read(1)
            fh.seek(100)
            fh.write(bytes([byte[0] ^ 0xFF]))
        serving = pipeline.model
        try:
            pipeline.deploy(1)
        except RegistryError:
            pass
        else:
            raise AssertionError("deploying a tampered version must fail in the registry's hash check")
        assert pipeline.model is serving and pipeline.version == 2, "a failed deployment keeps the current model serving"

        # A restarted server: it serves the latest version from the registry, with no drift reference yet
        restarted = MLOpsPipeline(registry, "blobs", lambda: create_mlp(4, [8], 2, seed=0),
                                  monitor=ModelMonitor(window=4, min_batches=1), check_every=1)
        restarted.deploy(np.int64(2))
        assert type(restarted.version) is int and restarted.version == 2, (
            f"the serving version should be stored as a Python int, got {restarted.version!r}")
        event = restarted.process_batch(*blobs(20, shift=2.0))
        assert event["checked"] is True and event["drift"] is None and event["drift_share"] is None, (
            f"without a detector a check still happens, with no drift report (drift None), got {event}")
        restarted.deploy(2, reference=blobs(200, shift=2.0)[0])
        one_row = restarted.process_batch(*blobs(1, shift=2.0))
        assert one_row["checked"] is True and one_row["drift"] is not None, (
            f"a buffer holding a single row is not empty: the detector checks it, got drift {one_row['drift']}")
        x64, y64 = blobs(3, shift=2.0)
        restarted.process_batch(x64.astype(np.float64).tolist(), y64)   # a float64 batch, as a list
        rows = np.stack(restarted._recent)
        assert rows.shape == (4, 4) and rows.dtype == np.float32 and np.allclose(rows[-3:], x64), (
            f"the batch is buffered as float32 rows (shape (4, 4) after 1 + 3 rows), got {rows.dtype} {rows.shape}")

    print("✅ Pipeline: v1 → drift at step 6 → v2, served from the registry, with an audit trail")

test_pipeline_mechanics()

# %% [markdown]
# ## Step 10: The Whole Loop on Handwritten Digits
#
# The real thing, with the 8×8 digits of module 06:
#
# 1. **Train and register v1** on the 1,437 clean training images (a 64→64→10 MLP, 10
#    epochs: about 96% test accuracy).
# 2. **Serve** the 360 test images in 6 batches of 60: no drift, accuracy ~96%.
# 3. **The world changes.** The scanner is replaced by a cheaper one: its sensor adds
#    Gaussian noise (σ = 0.1 on pixels in [0, 1]) and a sticker on the glass covers the
#    **top-left 4×4 corner** (a quarter of the image reads 0). The same 360 test digits, as
#    the new scanner sees them, arrive in 6 more batches.
# 4. **Detect.** At the next check the drift detector flags half of the 64 pixels (the
#    inked pixels under the sticker went dark, the always-blank border pixels turned
#    noisy; the noise on the well-inked centre is too small to count), and the monitor's
#    window accuracy has collapsed: v1 gets only ~63% of the drifted digits right.
# 5. **Recover.** The trigger fires with both reasons. The labelling team sends fresh
#    labelled data from the new scanner (the training digits scanned twice on it, 2,874
#    images); the pipeline trains v2, registers it with the reason in its metadata, and
#    deploys it, loaded back from the registry.
# 6. **Verify.** v2 classifies ~94% of the drifted *test* digits correctly — images it
#    never trained on — and the remaining stream runs without drift alarms, because the
#    reference moved to the new training data.
#
# Noise and occlusion destroy some information for good (a "5" with its top-left quarter
# covered is harder to read for anyone), so v2 does not quite reach v1's clean 96%. The
# point is the loop: the problem was noticed within two batches and fixed without a human
# touching the model.
#
# `simulate_scanner_drift` (provided) is the new scanner.

# %% nbgrader={"grade": false, "grade_id": "scanner-drift", "locked": true, "schema_version": 3, "solution": false}
#| export
def simulate_scanner_drift(x, seed: int = 0, noise_std: float = 0.1, patch: int = 4) -> np.ndarray:
    """Digits (n, 64) in [0, 1] as a new scanner sees them: Gaussian noise, the top-left patch x patch corner covered."""
    x = np.asarray(_values(x), dtype=np.float64)
    images = x.reshape(-1, 8, 8) + np.random.default_rng(seed).normal(0.0, noise_std, (x.shape[0], 8, 8))
    images[:, :patch, :patch] = 0.0
    return np.clip(images, 0.0, 1.0).reshape(x.shape[0], -1).astype(np.float32)

# %% nbgrader={"grade": true, "grade_id": "test-digits-drift-end-to-end", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: atomic_write, ModelRegistry, _registry_load, ModelMonitor, psi, kolmogorov_sf, ks_2samp, DriftDetector, RetrainingTrigger
def test_digits_drift_end_to_end():
    """train + register, clean stream, scanner drift detected (drift + accuracy), retrained v2 recovers"""
    print("🔬 Unit Test: MLOps end to end on digits...")
    x_train, y_train, x_test, y_test = load_digits()
    x_test_drifted = simulate_scanner_drift(x_test, seed=1)
    x_fresh = np.concatenate([simulate_scanner_drift(x_train, seed=2), simulate_scanner_drift(x_train, seed=3)])
    y_fresh = np.concatenate([y_train, y_train])

    def build_model():
        return create_mlp(64, [64], 10, seed=0)

    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(tmp)
        pipeline = MLOpsPipeline(registry, "digits", build_model,
                                 monitor=ModelMonitor(window=4, accuracy_threshold=0.85, latency_budget_ms=1000.0,
                                                      min_batches=2),
                                 trigger=RetrainingTrigger(accuracy_threshold=0.85, cooldown=4),
                                 drift_window=120, check_every=2, epochs=10, learning_rate=5e-3)
        v1 = pipeline.train_and_register(x_train, y_train, {"reason": "initial", "data": "digits, clean scanner"})
        v1_model = pipeline.model
        clean_v1 = accuracy_of(v1_model, x_test, y_test)
        drifted_v1 = accuracy_of(v1_model, x_test_drifted, y_test)

        clean_stream = [(x_test[i:i + 60], y_test[i:i + 60]) for i in range(0, 360, 60)]
        drifted_stream = [(x_test_drifted[i:i + 60], y_test[i:i + 60]) for i in range(0, 360, 60)]
        events = pipeline.run(clean_stream + drifted_stream, fetch_training_data=lambda: (x_fresh, y_fresh))

        checks = [e for e in events if e["checked"]]
        retrained = [e for e in events if e["retrained"]]
        for e in checks:
            print(f"   step {e['step']:2d}  v{e['version']}  window accuracy {e['window_accuracy']:.3f}  "
                  f"drifted features {e['drift_share']:.0%}  " + ("→ retrain: " + "; ".join(e["decision"]["reasons"])
                                                                 if e["retrained"] else ""))
        v2_model = registry.load("digits", model=build_model())
        drifted_v2 = accuracy_of(v2_model, x_test_drifted, y_test)
        clean_v2 = accuracy_of(v2_model, x_test, y_test)
        served_after = float(np.mean([e["accuracy"] for e in events if e["version"] == 2]))
        print(f"   v1: clean test {clean_v1:.1%}, drifted test {drifted_v1:.1%};  "
              f"v2: drifted test {drifted_v2:.1%} (clean {clean_v2:.1%}); served by v2: {served_after:.1%}")

        assert v1 == 1 and clean_v1 >= 0.94, f"v1 should reach >= 94% on the clean test set, got {clean_v1:.3f}"
        assert drifted_v1 <= 0.75, f"the scanner drift should hurt v1 badly (<= 75%), got {drifted_v1:.3f}"
        assert all(e["drift"] is False for e in checks[:3]), f"no drift on the clean stream: {[e['drift'] for e in checks[:3]]}"
        assert all(e["retrained"] is None for e in events[:6]), "no retraining while the data is clean"
        assert len(retrained) == 1 and retrained[0]["step"] == 8, (
            f"exactly one retraining, at step 8 (the first check after two drifted batches), got {[e['step'] for e in retrained]}")
        reasons = retrained[0]["decision"]["reasons"]
        assert reasons[0] == "data drift" and reasons[1].startswith("accuracy"), f"both drift and accuracy should be reasons: {reasons}"
        assert retrained[0]["drift_share"] > 0.3, f"a large share of pixels should drift, got {retrained[0]['drift_share']:.2f}"
        assert retrained[0]["window_accuracy"] < 0.85, f"the window accuracy should have dropped, got {retrained[0]['window_accuracy']}"
        assert registry.list_versions("digits") == [1, 2], f"versions 1 and 2, got {registry.list_versions('digits')}"
        meta = registry.manifest("digits", 2)["metadata"]
        assert meta["previous_version"] == 1 and "data drift" in meta["reason"] and meta["train_samples"] == 2874, (
            f"v2's metadata should record the reason, the previous version and 2874 samples, got {meta}")
        assert drifted_v2 >= 0.9, f"v2 should recover >= 90% on the drifted test digits, got {drifted_v2:.3f}"
        assert drifted_v2 - drifted_v1 >= 0.2, f"retraining should gain >= 20 points on drifted data: {drifted_v1:.3f} -> {drifted_v2:.3f}"
        assert served_after >= 0.9, f"the batches served by v2 should be >= 90% correct, got {served_after:.3f}"
        assert all(e["drift"] is False for e in checks if e["version"] == 2), "no drift against the new reference"
        rollback = registry.load("digits", version=1, model=build_model())
        assert accuracy_of(rollback, x_test, y_test) == clean_v1, "version 1 is still there, bit for bit (rollback)"

    print(f"✅ Clean {clean_v1:.1%} → drifted {drifted_v1:.1%} → detected at step 8 → retrained v2 {drifted_v2:.1%}")

test_digits_drift_end_to_end()

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
success = run_module_tests_auto("MLOps")

# %% [markdown]
# ## 🎯 Module Summary: MLOps
#
# ### ✅ What You've Built
# - **`atomic_write`**: temporary file in the same directory, fsync, `os.replace` — a file
#   is complete or absent, never half-written
# - **`ModelRegistry`**: numbered, immutable versions claimed with `os.mkdir`, weights as
#   `.npz`, a JSON manifest written last (name, version, time, metadata, shapes, SHA-256);
#   `load` hashes the bytes it parses and checks every shape before writing any value
# - **`ModelMonitor`**: rolling windows of latency and accuracy, p50/p95 latency,
#   size-weighted accuracy over labelled batches, alerts only on enough evidence
# - **`psi`** with quantile bins (ties and empty bins handled) and **`ks_2samp`** with the
#   Kolmogorov series p-value
# - **`DriftDetector`**: per-feature PSI and KS, Bonferroni, "significant and large"
# - **`RetrainingTrigger`** with a cooldown, and **`MLOpsPipeline`**: monitor → detect →
#   decide → retrain → register → deploy, with an audit trail in the registry
#
# ### ✅ Key Learning Outcomes
# - Models fail **silently**; monitoring and drift detection make failure visible
# - **Integrity is not authenticity**: a hash catches accidents, a signature catches attackers
# - **Data drift** is visible in the inputs; **concept drift** only in the labels
# - A p-value measures surprise, not importance; PSI measures size but is noisy for small
#   samples: use both
# - Thresholds, windows, minimum evidence and cooldowns are what keep alerts meaningful
#
# ### 🔗 Connection to Real ML Systems
# - **MLflow Model Registry** / **W&B artifacts**: versions, metadata, stages, content hashes
# - **Evidently**, **whylogs**, **NannyML**, **SageMaker Model Monitor**: drift reports with
#   PSI, KS, Wasserstein distance and more, per feature
# - **Prometheus + Grafana**: latency histograms, p95/p99 alerts with `for:` durations (a
#   minimum evidence rule) and silences (cooldowns)
# - **Kubeflow / TFX / Airflow**: pipelines that retrain on triggers and gate deployments
#   on evaluation
#
# ### 🚀 What's Next
# You have built the whole path from a numpy array to a model that is trained, versioned,
# watched and repaired. Ideas to take further: store the drift reference (or its quantile
# edges) in the registry next to each version, so a rollback restores its detector too;
# add a validation gate that refuses to deploy a retrained model that is worse than the
# current one; sign manifests with a key (`hmac` in the standard library) so that the
# registry also detects deliberate tampering.
