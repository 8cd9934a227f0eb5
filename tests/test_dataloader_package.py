"""Tests of the exported `tinytorch.core.dataloader`: datasets, the DataLoader, and the loaders
of digits, MNIST (IDX files) and CIFAR-10 (pickled batches).

Needs the package built from the module sources: `tito export tensor dataloader`.

No test touches the network: parsers read files generated here in the real formats, the
offline error comes from a closed port on 127.0.0.1, and the download path is exercised by
replacing `_fetch` (the one function that opens URLs) with one that serves bytes from memory.
"""

import gzip
import hashlib
import io
import os
import pickle
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from tinytorch.core import dataloader as dl
from tinytorch.core.dataloader import (
    DataLoader,
    Dataset,
    DownloadError,
    TensorDataset,
    collate,
    download_file,
    load_cifar10,
    load_digits,
    load_mnist,
    parse_idx,
    stratified_split,
)
from tinytorch.core.tensor import Tensor

CLOSED_PORT = "http://127.0.0.1:9/"  # the discard port: nothing listens, the connection is refused at once

IDX_CODES = {">u1": 0x08, ">i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def idx_bytes(array, dtype=">u1"):
    """The bytes of an IDX file holding `array`."""
    array = np.asarray(array)
    dims = b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    return bytes([0, 0, IDX_CODES[dtype], array.ndim]) + dims + array.astype(dtype).tobytes()


def flat(batches):
    return [int(i) for batch in batches for i in np.asarray(batch)]


def assert_clean_message(exc_info):
    """A download error the user can read: no chained urllib exception, no traceback text."""
    exc = exc_info.value
    message = str(exc)
    assert exc.__cause__ is None and exc.__context__ is None, "the error must not chain urllib's exception"
    assert "Traceback" not in message and "urllib" not in message and "URLError" not in message, message


# --------------------------------------------------------------------------- Dataset / TensorDataset


def test_dataset_base_requires_len_and_getitem():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_tensor_dataset_items_are_tuples_of_tensors():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([3, 1, 4, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    assert ds.arrays[0] is x and ds.arrays[1] is y
    xi, yi = ds[1]
    assert isinstance(xi, Tensor) and isinstance(yi, Tensor)
    assert xi.data.tolist() == [3.0, 4.0, 5.0] and xi.dtype == np.float32
    assert yi.shape == () and yi.item() == 1
    assert ds[-1][0].data.tolist() == [9.0, 10.0, 11.0]
    with pytest.raises(IndexError):
        ds[4]


def test_tensor_dataset_accepts_tensors_lists_and_variables():
    ds = TensorDataset(Tensor([[1, 2], [3, 4]]), [5, 6])
    assert isinstance(ds.arrays[0], np.ndarray) and isinstance(ds.arrays[1], np.ndarray)
    assert ds[1][0].data.tolist() == [3, 4] and ds[1][1].item() == 6
    from tinytorch.core.autograd import Variable

    vds = TensorDataset(Variable(np.array([[1.0], [2.0], [3.0]])))
    assert len(vds) == 3 and vds[2][0].data.tolist() == [3.0]


@pytest.mark.parametrize("arrays, lengths", [
    ((np.zeros((5, 3)), np.arange(4)), "[5, 4]"),
    ((np.zeros(3), np.zeros(3), np.zeros(2)), "[3, 3, 2]"),
])
def test_tensor_dataset_length_mismatch_names_the_lengths(arrays, lengths):
    with pytest.raises(ValueError) as exc_info:
        TensorDataset(*arrays)
    assert lengths in str(exc_info.value)


def test_tensor_dataset_rejects_nothing_and_scalars():
    with pytest.raises(ValueError):
        TensorDataset()
    with pytest.raises(ValueError):
        TensorDataset(np.float32(1.0))


# --------------------------------------------------------------------------- DataLoader: settings and len


@pytest.mark.parametrize("bad", [0, -3, 2.5, 4.0, "4", None, True, False, [4]])
def test_bad_batch_size_is_a_clear_value_error(bad):
    with pytest.raises(ValueError) as exc_info:
        DataLoader(TensorDataset(np.arange(10)), batch_size=bad)
    message = str(exc_info.value)
    assert "batch_size must be a positive integer" in message and repr(bad) in message


def test_numpy_integer_batch_size_is_accepted():
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=np.int32(5))
    assert loader.batch_size == 5 and type(loader.batch_size) is int
    assert len(loader) == 2


@pytest.mark.parametrize("n, batch_size, drop_last, expected", [
    (10, 4, False, 3), (10, 4, True, 2), (8, 4, False, 2), (8, 4, True, 2), (3, 5, False, 1),
    (3, 5, True, 0), (1437, 64, False, 23), (1437, 64, True, 22), (0, 4, False, 0), (0, 4, True, 0),
    (60000, 128, False, 469), (60000, 128, True, 468), (1, 1, False, 1),
])
def test_len_is_the_number_of_batches(n, batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(np.zeros(n)), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


# --------------------------------------------------------------------------- DataLoader: batches


def test_batches_in_order_without_shuffle():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10) * 10
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert [b[1].data.tolist() for b in batches] == [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90]]
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(b, tuple) and all(isinstance(t, Tensor) for t in b) for b in batches)
    assert batches[0][0].data.tolist() == [[0, 1], [2, 3], [4, 5], [6, 7]]


def test_drop_last_drops_only_an_incomplete_batch():
    assert [b.tolist() for b in DataLoader(TensorDataset(np.arange(10)), 4, drop_last=True).batch_indices()] == \
        [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [b[0].shape[0] for b in DataLoader(TensorDataset(np.arange(12)), 4, drop_last=True)] == [4, 4, 4]
    assert list(DataLoader(TensorDataset(np.arange(3)), 5, drop_last=True)) == []


def test_first_shuffled_epoch_is_the_seeded_permutation():
    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=4, shuffle=True, seed=0)
    epoch1 = [x.data.tolist() for (x,) in loader]
    expected = np.random.default_rng(0).permutation(10).tolist()
    assert epoch1 == [expected[0:4], expected[4:8], expected[8:10]]
    assert epoch1 == [[4, 6, 2, 7], [3, 5, 9, 0], [8, 1]]
    assert [x.data.tolist() for (x,) in loader] == [[2, 9, 3, 6], [0, 4, 8, 7], [5, 1]]


def test_every_sample_exactly_once_per_epoch_and_reshuffled():
    n = 1000
    features = np.arange(n * 2).reshape(n, 2)
    labels = np.arange(n)
    loader = DataLoader(TensorDataset(features, labels), batch_size=64, shuffle=True, seed=123)
    orders = []
    for _ in range(4):
        seen = []
        for xb, yb in loader:
            assert np.array_equal(xb.data[:, 0] // 2, yb.data)  # pairs stay together
            seen.extend(yb.data.tolist())
        assert sorted(seen) == list(range(n))
        assert seen != list(range(n))
        orders.append(tuple(seen))
    assert len(set(orders)) == 4


def test_same_seed_replays_every_epoch_and_other_seeds_differ():
    def epochs(seed, count=3):
        loader = DataLoader(TensorDataset(np.arange(50)), batch_size=7, shuffle=True, seed=seed)
        return [flat(loader.batch_indices()) for _ in range(count)]

    assert epochs(5) == epochs(5)
    assert epochs(5)[0] != epochs(6)[0]
    unseeded = [flat(DataLoader(TensorDataset(np.arange(50)), 7, shuffle=True).batch_indices()) for _ in range(3)]
    assert len({tuple(o) for o in unseeded}) > 1


def test_shuffle_with_drop_last_rotates_the_left_out_samples():
    loader = DataLoader(TensorDataset(np.arange(103)), batch_size=10, shuffle=True, seed=0, drop_last=True)
    left_out = set()
    for _ in range(20):
        batches = loader.batch_indices()
        assert [len(b) for b in batches] == [10] * 10
        used = flat(batches)
        assert len(set(used)) == 100
        left_out.add(tuple(sorted(set(range(103)) - set(used))))
    assert len(left_out) > 1


def test_iterating_twice_gives_two_epochs_and_loader_is_reusable():
    loader = DataLoader(TensorDataset(np.arange(6)), batch_size=6, shuffle=True, seed=1)
    first = next(iter(loader))[0].data.tolist()
    second = next(iter(loader))[0].data.tolist()
    assert sorted(first) == sorted(second) == list(range(6))
    assert first != second


def test_fast_path_does_not_call_getitem(monkeypatch):
    def boom(self, index):
        raise AssertionError("the TensorDataset fast path must not index item by item")

    monkeypatch.setattr(TensorDataset, "__getitem__", boom)
    batches = list(DataLoader(TensorDataset(np.arange(10), np.arange(10) * 2), batch_size=4, shuffle=True, seed=0))
    assert sorted(flat(b[0].data for b in batches)) == list(range(10))


def test_overridden_getitem_is_used():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            return tuple(Tensor(a[index] * 2) for a in self.arrays)

    (x,) = next(iter(DataLoader(Doubled(np.arange(5)), batch_size=5)))
    assert x.data.tolist() == [0, 2, 4, 6, 8]


def test_general_dataset_path_matches_fast_path():
    class Wrapped(Dataset):
        def __init__(self, inner):
            self.inner = inner

        def __len__(self):
            return len(self.inner)

        def __getitem__(self, index):
            assert type(index) is int
            return self.inner[index]

    x = np.random.default_rng(0).normal(size=(37, 3)).astype(np.float32)
    y = np.arange(37)
    fast = list(DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True, seed=4))
    slow = list(DataLoader(Wrapped(TensorDataset(x, y)), batch_size=8, shuffle=True, seed=4))
    assert len(fast) == len(slow) == 5
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.dtype == sx.dtype == np.float32
        np.testing.assert_array_equal(fx.data, sx.data)
        np.testing.assert_array_equal(fy.data, sy.data)


def test_non_tuple_items_become_one_tuples():
    class Halves(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return index / 2

    batches = list(DataLoader(Halves(), batch_size=2))
    assert [len(b) for b in batches] == [1, 1, 1]
    assert [b[0].data.tolist() for b in batches] == [[0.0, 0.5], [1.0, 1.5], [2.0]]


def test_collate_stacks_along_a_new_axis():
    batch = collate([(Tensor([1, 2]), Tensor(0)), (Tensor([3, 4]), Tensor(1)), (np.array([5, 6]), 2)])
    assert batch[0].data.tolist() == [[1, 2], [3, 4], [5, 6]] and batch[1].data.tolist() == [0, 1, 2]


# --------------------------------------------------------------------------- digits


def test_load_digits_shapes_dtypes_and_ranges():
    x_train, y_train, x_test, y_test = load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == x_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0 and x_test.min() == 0.0 and x_test.max() == 1.0
    np.testing.assert_array_equal(x_train * 16, np.round(x_train * 16))
    assert set(np.unique(y_train).tolist()) == set(range(10))


def test_load_digits_is_stratified():
    _, y_train, _, y_test = load_digits()
    assert np.bincount(y_test).tolist() == [36] * 10
    assert np.bincount(y_train).tolist() == [142, 146, 141, 147, 145, 146, 145, 143, 138, 144]


def test_load_digits_split_is_fixed_and_disjoint():
    x_train, y_train, x_test, y_test = load_digits()
    again = load_digits()
    for a, b in zip(again, (x_train, y_train, x_test, y_test)):
        np.testing.assert_array_equal(a, b)
    # the fixed split, pinned: the same 360 test digits for everybody
    assert float(x_train.sum()) == 28090.0625 and float(x_test.sum()) == 7017.3125
    assert y_train[:12].tolist() == [0, 1, 2, 3, 4, 6, 7, 8, 0, 1, 3, 5]
    assert y_test[:12].tolist() == [5, 9, 2, 4, 6, 7, 9, 3, 4, 6, 8, 5]
    images, labels = dl._read_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    train_idx, test_idx = stratified_split(labels, dl.DIGITS_TEST_PER_CLASS, dl.DIGITS_SPLIT_SEED)
    assert set(train_idx.tolist()).isdisjoint(test_idx.tolist())
    assert sorted(train_idx.tolist() + test_idx.tolist()) == list(range(1797))
    assert test_idx[:5].tolist() == [5, 9, 12, 14, 16] and int(test_idx.sum()) == 327301
    np.testing.assert_array_equal(x_test, images[test_idx].reshape(360, 64) / 16)
    # no test image is also a training image (the digits contain no exact duplicates across the split)
    train_rows = {row.tobytes() for row in x_train}
    assert sum(row.tobytes() in train_rows for row in x_test) == 0


def test_load_digits_image_layout():
    x_img, y_img, x_img_test, y_img_test = load_digits(flatten=False)
    x_train, y_train, x_test, y_test = load_digits()
    assert x_img.shape == (1437, 1, 8, 8) and x_img_test.shape == (360, 1, 8, 8)
    np.testing.assert_array_equal(x_img.reshape(1437, 64), x_train)
    np.testing.assert_array_equal(y_img_test, y_test)


def test_digits_through_a_dataloader():
    x_train, y_train, _, _ = load_digits()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, seed=0)
    sizes, labels = [], []
    for xb, yb in loader:
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        sizes.append(xb.shape[0])
        labels.extend(yb.data.tolist())
    assert len(loader) == 23 and sizes == [64] * 22 + [29]
    assert np.bincount(labels).tolist() == np.bincount(y_train).tolist()


def test_stratified_split_small_example_and_errors():
    labels = np.array([2, 0, 1, 0, 2, 1, 1, 0, 2, 2, 1, 0, 0, 2, 1, 2])
    train, test = stratified_split(labels, 2, seed=0)
    assert test.tolist() == [5, 7, 8, 9, 12, 14]
    assert np.bincount(labels[test]).tolist() == [2, 2, 2]
    assert np.bincount(labels[train]).tolist() == [3, 3, 4]
    with pytest.raises(ValueError, match="class 1 has only 2 examples"):
        stratified_split([0, 0, 0, 1, 1], 2, seed=0)


# --------------------------------------------------------------------------- IDX


@pytest.mark.parametrize("dtype, values", [
    (">u1", np.arange(24).reshape(2, 3, 4)),
    (">i1", [-128, -1, 0, 127]),
    (">i2", [[-2, 300], [1000, -32768]]),
    (">i4", [[70000, -1, 2 ** 31 - 1]]),
    (">f4", [0.5, -1.25, 3e9]),
    (">f8", [[[1e-300, -2.5]]]),
])
def test_parse_idx_every_type_in_native_order(dtype, values):
    expected = np.asarray(values, dtype=np.dtype(dtype).newbyteorder("="))
    got = parse_idx(idx_bytes(values, dtype), "x")
    assert got.dtype == expected.dtype and got.dtype.isnative
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_parse_idx_hand_written_bytes():
    assert parse_idx(bytes.fromhex("00000801" "00000003" "070201")).tolist() == [7, 2, 1]
    assert parse_idx(bytes.fromhex("00000B01" "00000002" "FFFE" "0100")).tolist() == [-2, 256]
    assert parse_idx(bytes.fromhex("00000800" "2A")).tolist() == 42  # 0 dimensions: one value
    assert parse_idx(idx_bytes(np.zeros((0, 28, 28), np.uint8))).shape == (0, 28, 28)


def test_parse_idx_mnist_header():
    data = idx_bytes(np.zeros((3, 28, 28), np.uint8))
    assert data[:16].hex() == "00000803" "00000003" "0000001c" "0000001c"
    assert int.from_bytes(data[:4], "big") == 2051
    assert parse_idx(data).shape == (3, 28, 28)


@pytest.mark.parametrize("name, corrupt, words", [
    ("empty", lambda d: b"", ["too short"]),
    ("two bytes", lambda d: d[:2], ["too short"]),
    ("bad magic", lambda d: b"\x01\x00" + d[2:], ["not an IDX file"]),
    ("unknown type", lambda d: d[:2] + b"\x07" + d[3:], ["0x07"]),
    ("truncated header", lambda d: d[:10], ["truncated header"]),
    ("truncated data", lambda d: d[:-1], ["truncated", "24", "23"]),
    ("extra bytes", lambda d: d + b"\x00\x00", ["unexpected", "24", "26"]),
])
def test_parse_idx_damage_is_a_value_error_naming_the_file(name, corrupt, words):
    data = idx_bytes(np.arange(24).reshape(2, 3, 4))
    with pytest.raises(ValueError) as exc_info:
        parse_idx(corrupt(data), "data/broken-idx3-ubyte")
    message = str(exc_info.value)
    assert message.startswith("data/broken-idx3-ubyte:")
    for word in words:
        assert word in message, (word, message)


def test_parse_idx_huge_header_does_not_allocate():
    # a corrupt header claiming 4 billion x 4 billion values must fail fast, not run out of memory
    data = bytes.fromhex("00000802" "FFFFFFFF" "FFFFFFFF") + b"\x00" * 10
    with pytest.raises(ValueError, match="truncated"):
        parse_idx(data, "huge")


# --------------------------------------------------------------------------- MNIST files


def write_mnist(root, n_train=5, n_test=3, shape=(4, 3), gz=(True, True, False, False)):
    """Four tiny MNIST files in `root`; returns the arrays written."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(n_train, *shape), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(n_test, *shape), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": ((np.arange(n_test) * 3) % 10).astype(np.uint8),
    }
    for (name, array), zipped in zip(arrays.items(), gz):
        data = idx_bytes(array)
        if zipped:
            (root / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (root / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [(True, True, True, True), (False, False, False, False), (True, False, True, False)])
def test_load_mnist_gzipped_and_raw(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    x_train, y_train, x_test, y_test = load_mnist(tmp_path)
    assert x_train.shape == (5, 12) and x_test.shape == (3, 12)
    assert x_train.dtype == x_test.dtype == np.float32 and y_train.dtype == y_test.dtype == np.int64
    np.testing.assert_allclose(x_train, arrays["train-images-idx3-ubyte"].reshape(5, 12) / 255, rtol=1e-6)
    np.testing.assert_allclose(x_test, arrays["t10k-images-idx3-ubyte"].reshape(3, 12) / 255, rtol=1e-6)
    assert y_train.tolist() == [0, 1, 2, 3, 4] and y_test.tolist() == [0, 3, 6]
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0


def test_load_mnist_unflattened_and_str_path(tmp_path):
    write_mnist(tmp_path, shape=(28, 28))
    x_train, _, x_test, _ = load_mnist(str(tmp_path), flatten=False)
    assert x_train.shape == (5, 1, 28, 28) and x_test.shape == (3, 1, 28, 28)
    assert load_mnist(tmp_path)[0].shape == (5, 784)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    arrays = write_mnist(tmp_path, gz=(False, False, False, False))
    # gzip data without the .gz name, and raw data with it
    images = tmp_path / "train-images-idx3-ubyte"
    images.write_bytes(gzip.compress(images.read_bytes()))
    labels = tmp_path / "t10k-labels-idx1-ubyte"
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(labels.read_bytes())
    labels.unlink()
    x_train, _, _, y_test = load_mnist(tmp_path)
    np.testing.assert_allclose(x_train, arrays["train-images-idx3-ubyte"].reshape(5, 12) / 255, rtol=1e-6)
    assert y_test.tolist() == [0, 3, 6]


def test_mismatched_counts_name_both_files(tmp_path):
    write_mnist(tmp_path, gz=(False, False, False, False))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(4, dtype=np.uint8)))
    with pytest.raises(ValueError) as exc_info:
        load_mnist(tmp_path)
    message = str(exc_info.value)
    assert "train-images-idx3-ubyte has 5 images" in message and "train-labels-idx1-ubyte has 4 labels" in message


@pytest.mark.parametrize("damage, words", [
    (lambda d: d[:-7], ["truncated"]),
    (lambda d: gzip.compress(d)[:20], ["corrupt gzip"]),
    (lambda d: b"\x1f\x8b" + b"garbage" * 5, ["corrupt gzip"]),
    (lambda d: d + b"\x00", ["unexpected"]),
    (lambda d: idx_bytes(np.arange(5, dtype=np.uint8)), ["2051", "2049"]),  # labels where images belong
    (lambda d: b"<html>404 Not Found</html>", ["not an IDX file"]),
])
def test_corrupt_mnist_file_is_a_value_error_naming_it(tmp_path, damage, words):
    write_mnist(tmp_path, gz=(False, False, False, False))
    target = tmp_path / "train-images-idx3-ubyte"
    target.write_bytes(damage(target.read_bytes()))
    with pytest.raises(ValueError) as exc_info:
        load_mnist(tmp_path)
    message = str(exc_info.value)
    assert str(target) in message
    for word in words:
        assert word in message, (word, message)


def test_labels_outside_0_to_9_are_rejected(tmp_path):
    write_mnist(tmp_path, gz=(False, False, False, False))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([1, 200, 3], np.uint8)))
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte: MNIST labels are digits 0..9, found 200"):
        load_mnist(tmp_path)


def test_missing_mnist_without_download_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError) as exc_info:
        load_mnist(tmp_path)
    message = str(exc_info.value)
    assert "train-images-idx3-ubyte" in message and "download=True" in message and str(tmp_path) in message


# --------------------------------------------------------------------------- downloads


def test_offline_mnist_download_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "MNIST_MIRRORS", [CLOSED_PORT, "http://127.0.0.1:9/mirror2/"])
    target = tmp_path / "mnist"
    with pytest.raises(DownloadError) as exc_info:
        load_mnist(target, download=True)
    assert_clean_message(exc_info)
    message = str(exc_info.value)
    assert message.startswith("could not download train-images-idx3-ubyte.gz")
    assert "http://127.0.0.1:9/train-images-idx3-ubyte.gz: no connection" in message
    assert "http://127.0.0.1:9/mirror2/train-images-idx3-ubyte.gz: no connection" in message
    assert f"No network? Download the four files by hand into {target}" in message
    assert "t10k-labels-idx1-ubyte.gz" in message
    assert list(target.iterdir()) == []  # nothing half-written


def test_download_error_is_a_runtime_error():
    assert issubclass(DownloadError, RuntimeError)


def serve(files, fail=()):
    """A stand-in for _fetch: serves `files` by URL suffix; URLs containing any of `fail` are unreachable."""
    calls = []

    def fetch(url, timeout=60):
        calls.append(url)
        if any(part in url for part in fail):
            raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
        for name, data in files.items():
            if url.endswith("/" + name):
                return data
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    fetch.calls = calls
    return fetch


def test_mnist_download_uses_the_next_mirror_and_verifies_checksums(tmp_path, monkeypatch):
    source = tmp_path / "source"
    source.mkdir()
    arrays = write_mnist(source, gz=(True, True, True, True))
    files = {p.name: p.read_bytes() for p in source.iterdir()}
    monkeypatch.setattr(dl, "MNIST_MIRRORS", ["https://dead.example/mnist/", "https://alive.example/mnist/"])
    monkeypatch.setattr(dl, "MNIST_FILES", {name: (magic, hashlib.md5(files[f"{name}.gz"]).hexdigest())
                                            for name, (magic, _) in dl.MNIST_FILES.items()})
    fetch = serve(files, fail=("dead.example",))
    monkeypatch.setattr(dl, "_fetch", fetch)

    target = tmp_path / "data" / "mnist"
    x_train, y_train, x_test, y_test = load_mnist(target, download=True)
    assert x_train.shape == (5, 12) and y_test.tolist() == [0, 3, 6]
    np.testing.assert_allclose(x_test, arrays["t10k-images-idx3-ubyte"].reshape(3, 12) / 255, rtol=1e-6)
    assert sorted(p.name for p in target.iterdir()) == sorted(files)  # no .part files left
    assert len(fetch.calls) == 8 and all(("dead" in u) == (i % 2 == 0) for i, u in enumerate(fetch.calls))

    # a second call finds the files and downloads nothing
    fetch.calls.clear()
    load_mnist(target, download=True)
    assert fetch.calls == []


def test_checksum_mismatch_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "MNIST_MIRRORS", ["https://a.example/", "https://b.example/"])
    monkeypatch.setattr(dl, "_fetch", lambda url, timeout=60: b"<html>not the file you wanted</html>")
    with pytest.raises(DownloadError) as exc_info:
        load_mnist(tmp_path, download=True)
    assert_clean_message(exc_info)
    message = str(exc_info.value)
    wrong = hashlib.md5(b"<html>not the file you wanted</html>").hexdigest()
    assert f"https://a.example/train-images-idx3-ubyte.gz: wrong MD5 checksum {wrong} " \
           f"(expected f68b3c2dcbeaaa9fbdd348bbdeb94873)" in message
    assert "https://b.example/train-images-idx3-ubyte.gz: wrong MD5 checksum" in message
    assert list(tmp_path.iterdir()) == []


def test_published_checksums():
    assert {name: md5 for name, (_, md5) in dl.MNIST_FILES.items()} == {
        "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    assert {name: magic for name, (magic, _) in dl.MNIST_FILES.items()} == {
        "train-images-idx3-ubyte": 2051, "train-labels-idx1-ubyte": 2049,
        "t10k-images-idx3-ubyte": 2051, "t10k-labels-idx1-ubyte": 2049,
    }
    assert dl.CIFAR10_MD5 == "c58f30108f718f92721af3b95e74349a"
    assert dl.CIFAR10_URL == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert dl.md5sum(b"") == "d41d8cd98f00b204e9800998ecf8427e"


def test_download_file_reports_http_errors_and_empty_url_lists(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "_fetch", serve({}))
    with pytest.raises(DownloadError) as exc_info:
        download_file(["https://x.example/missing.bin"], tmp_path / "missing.bin", "0" * 32)
    assert_clean_message(exc_info)
    assert "https://x.example/missing.bin: HTTP error 404 (Not Found)" in str(exc_info.value)
    with pytest.raises(DownloadError, match="no URLs to try"):
        download_file([], tmp_path / "nothing.bin", "0" * 32)


def test_download_file_real_socket_to_closed_port(tmp_path):
    with pytest.raises(DownloadError) as exc_info:
        download_file([CLOSED_PORT + "file.bin"], tmp_path / "sub" / "file.bin", "0" * 32, hint="Try again later.")
    assert_clean_message(exc_info)
    message = str(exc_info.value)
    assert "http://127.0.0.1:9/file.bin: no connection" in message and message.endswith("Try again later.")
    assert list((tmp_path / "sub").iterdir()) == []


def test_download_file_writes_atomically(tmp_path, monkeypatch):
    payload = b"payload" * 1000
    monkeypatch.setattr(dl, "_fetch", lambda url, timeout=60: payload)
    dest = tmp_path / "file.bin"
    assert download_file(["https://x.example/file.bin"], dest, hashlib.md5(payload).hexdigest()) == dest
    assert dest.read_bytes() == payload and [p.name for p in tmp_path.iterdir()] == ["file.bin"]
    assert dest.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600

    # if the final rename fails (a crash, a full disk), neither the file nor a temporary is left
    def broken_replace(src, dst):
        raise OSError("simulated crash")

    monkeypatch.setattr(dl.os, "replace", broken_replace)
    other = tmp_path / "other.bin"
    with pytest.raises(OSError, match="simulated crash"):
        download_file(["https://x.example/other.bin"], other, hashlib.md5(payload).hexdigest())
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


# --------------------------------------------------------------------------- CIFAR-10


def cifar_images(n, offset):
    k, c, r, col = np.meshgrid(np.arange(n), np.arange(3), np.arange(32), np.arange(32), indexing="ij")
    return ((offset + k * 7 + c * 50 + r * 3 + col) % 256).astype(np.uint8)


BATCHES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]


def write_cifar(folder, per_batch=3, protocol=pickle.DEFAULT_PROTOCOL):
    folder.mkdir(parents=True)
    for i, name in enumerate(BATCHES):
        batch = {b"batch_label": name.encode(), b"data": cifar_images(per_batch, 20 * i).reshape(per_batch, 3072),
                 b"labels": [(i + j) % 10 for j in range(per_batch)], b"filenames": [b"x.png"] * per_batch}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=protocol))
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [b"airplane"]}))


def make_archive(path, source_folder, extra=()):
    with tarfile.open(path, "w:gz") as tar:
        tar.add(source_folder, arcname="cifar-10-batches-py")
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_load_cifar10_from_folder(tmp_path, protocol):
    write_cifar(tmp_path / "cifar-10-batches-py", protocol=protocol)
    x_train, y_train, x_test, y_test = load_cifar10(tmp_path)
    assert x_train.shape == (15, 3, 32, 32) and x_test.shape == (3, 3, 32, 32)
    assert x_train.dtype == x_test.dtype == np.float32 and y_train.dtype == y_test.dtype == np.int64
    np.testing.assert_allclose(x_train[3:6] * 255, cifar_images(3, 20), atol=1e-4)
    np.testing.assert_allclose(x_test * 255, cifar_images(3, 100), atol=1e-4)
    assert y_train.tolist() == [0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6] and y_test.tolist() == [5, 6, 7]
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0


def test_cifar_rows_are_channel_major():
    rows = cifar_images(2, 0).reshape(2, 3072)
    x, y = dl.cifar_batch_arrays({b"data": rows, b"labels": [1, 2]})
    assert x[1, 0, 0, 0] == rows[1, 0] and x[1, 1, 0, 0] == rows[1, 1024] and x[1, 2, 0, 0] == rows[1, 2048]
    assert x[0, 2, 31, 31] == rows[0, 3071] and x[0, 0, 1, 0] == rows[0, 32]
    assert y.dtype == np.int64 and y.tolist() == [1, 2]
    empty_x, empty_y = dl.cifar_batch_arrays({b"data": np.zeros((0, 3072), np.uint8), b"labels": []})
    assert empty_x.shape == (0, 3, 32, 32) and empty_y.shape == (0,)


def test_load_cifar10_from_archive_safely(tmp_path):
    source = tmp_path / "source"
    write_cifar(source / "cifar-10-batches-py")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    evil = tarfile.TarInfo("cifar-10-batches-py/../../escaped.txt")
    evil.size = 4
    absolute = tarfile.TarInfo(str(tmp_path / "absolute.txt"))
    absolute.size = 4
    link = tarfile.TarInfo("cifar-10-batches-py/readme.html")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    other = tarfile.TarInfo("cifar-10-batches-py/unexpected.sh")
    other.size = 4
    make_archive(data_dir / "cifar-10-python.tar.gz", source / "cifar-10-batches-py",
                 extra=[(evil, b"evil"), (absolute, b"evil"), (link, None), (other, b"evil")])

    x_train, y_train, x_test, y_test = load_cifar10(data_dir)
    expected = load_cifar10(source)
    for a, b in zip((x_train, y_train, x_test, y_test), expected):
        np.testing.assert_array_equal(a, b)
    extracted = data_dir / "cifar-10-batches-py"
    assert sorted(p.name for p in extracted.iterdir()) == sorted(BATCHES + ["batches.meta"])
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "absolute.txt").exists()
    assert sorted(p.name for p in data_dir.iterdir()) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]


def test_archive_without_the_batches_is_a_value_error(tmp_path):
    source = tmp_path / "source"
    write_cifar(source / "cifar-10-batches-py")
    (source / "cifar-10-batches-py" / "data_batch_4").unlink()
    make_archive(tmp_path / "cifar-10-python.tar.gz", source / "cifar-10-batches-py")
    with pytest.raises(ValueError) as exc_info:
        load_cifar10(tmp_path)
    assert "cifar-10-python.tar.gz" in str(exc_info.value) and "data_batch_4" in str(exc_info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar-10-python.tar.gz", "source"]  # no debris


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],
    lambda d: d[:15],
    lambda d: b"\x1f\x8b\x08\x00 not really gzip",
    lambda d: b"plain text, not an archive",
])
def test_corrupt_archive_is_a_value_error_naming_it(tmp_path, damage):
    source = tmp_path / "source"
    write_cifar(source / "cifar-10-batches-py", per_batch=40)
    archive = tmp_path / "cifar-10-python.tar.gz"
    make_archive(archive, source / "cifar-10-batches-py")
    archive.write_bytes(damage(archive.read_bytes()))
    with pytest.raises(ValueError) as exc_info:
        load_cifar10(tmp_path)
    assert str(archive) in str(exc_info.value) and "corrupt" in str(exc_info.value)
    assert not (tmp_path / "cifar-10-batches-py").exists()


@pytest.mark.parametrize("content, words", [
    (lambda rows: pickle.dumps({b"data": rows, b"labels": [1, 2]})[:100], ["not a readable CIFAR-10 batch"]),
    (lambda rows: b"", ["not a readable CIFAR-10 batch"]),
    (lambda rows: pickle.dumps({b"data": rows, b"labels": print}), ["refusing to load builtins.print"]),
    (lambda rows: pickle.dumps({b"data": rows, b"labels": [os.getcwd]}), ["refusing"]),
    (lambda rows: pickle.dumps({b"data": rows}), ["labels"]),
    (lambda rows: pickle.dumps([rows]), ["not a CIFAR-10 batch"]),
    (lambda rows: pickle.dumps({b"data": rows[:, :1000], b"labels": [1, 2]}), ["(n, 3072)", "(2, 1000)"]),
    (lambda rows: pickle.dumps({b"data": rows.astype(np.int16), b"labels": [1, 2]}), ["uint8", "int16"]),
    (lambda rows: pickle.dumps({b"data": rows, b"labels": [1, 2, 3]}), ["labels"]),
    (lambda rows: pickle.dumps({b"data": rows, b"labels": [1, 11]}), ["0..9"]),
    (lambda rows: pickle.dumps({b"data": rows, b"labels": [1.5, 2.0]}), ["0..9"]),
])
def test_corrupt_batch_is_a_value_error_naming_it(tmp_path, content, words):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar(folder)
    target = folder / "data_batch_2"
    target.write_bytes(content(cifar_images(2, 0).reshape(2, 3072)))
    with pytest.raises(ValueError) as exc_info:
        load_cifar10(tmp_path)
    message = str(exc_info.value)
    assert str(target) in message
    for word in words:
        assert word in message, (word, message)


def test_hostile_pickle_does_not_run(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    folder = tmp_path / "cifar-10-batches-py"
    write_cifar(folder)
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": Payload(), b"labels": []}))
    with pytest.raises(ValueError, match="refusing to load posix.mkdir|refusing to load nt.mkdir"):
        load_cifar10(tmp_path)
    assert not marker.exists()


def test_missing_batch_file_is_named(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar(folder)
    (folder / "data_batch_5").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_5 is missing"):
        load_cifar10(tmp_path)


def test_missing_cifar_without_download_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError) as exc_info:
        load_cifar10(tmp_path)
    assert "download=True" in str(exc_info.value) and "cifar-10-python.tar.gz" in str(exc_info.value)


def test_offline_cifar_download_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "CIFAR10_URL", CLOSED_PORT + "cifar-10-python.tar.gz")
    with pytest.raises(DownloadError) as exc_info:
        load_cifar10(tmp_path, download=True)
    assert_clean_message(exc_info)
    message = str(exc_info.value)
    assert message.startswith("could not download cifar-10-python.tar.gz")
    assert f"No network? Download {CLOSED_PORT}cifar-10-python.tar.gz by hand into {tmp_path}" in message
    assert list(tmp_path.iterdir()) == []


def test_cifar_download_with_checksum(tmp_path, monkeypatch):
    source = tmp_path / "source"
    write_cifar(source / "cifar-10-batches-py")
    make_archive(tmp_path / "archive.tar.gz", source / "cifar-10-batches-py")
    archive = (tmp_path / "archive.tar.gz").read_bytes()
    monkeypatch.setattr(dl, "_fetch", serve({"cifar-10-python.tar.gz": archive}))

    # the real checksum does not match our tiny archive: refused
    with pytest.raises(DownloadError, match="wrong MD5 checksum") as exc_info:
        load_cifar10(tmp_path / "a", download=True)
    assert_clean_message(exc_info)
    assert "expected c58f30108f718f92721af3b95e74349a" in str(exc_info.value)
    assert list((tmp_path / "a").iterdir()) == []

    monkeypatch.setattr(dl, "CIFAR10_MD5", hashlib.md5(archive).hexdigest())
    x_train, y_train, x_test, y_test = load_cifar10(tmp_path / "b", download=True)
    assert x_train.shape == (15, 3, 32, 32) and y_test.tolist() == [5, 6, 7]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]


def test_cifar_classes():
    assert dl.CIFAR10_CLASSES == ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                  "truck")


# --------------------------------------------------------------------------- the package


def test_public_names():
    expected = {"Dataset", "TensorDataset", "DataLoader", "collate", "stratified_split", "load_digits",
                "parse_idx", "load_mnist", "load_cifar10", "download_file", "DownloadError", "MNIST_MIRRORS",
                "CIFAR10_URL", "CIFAR10_MD5"}
    assert expected <= set(dl.__all__)
    assert not any(name.startswith("_") for name in dl.__all__)


def test_module_imports_only_numpy_and_the_standard_library():
    import ast
    import sys

    tree = ast.parse(Path(dl.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"numpy", "tinytorch"}
    assert "tinytorch.core.autograd" not in Path(dl.__file__).read_text(encoding="utf-8")


# --- Boundaries and dtypes (issue 11) ---------------------------------------------------------


@pytest.mark.parametrize("n, batch_size, drop_last, sizes", [
    (8, 4, False, [4, 4]), (8, 4, True, [4, 4]), (9, 4, False, [4, 4, 1]), (9, 4, True, [4, 4]),
    (3, 5, False, [3]), (3, 5, True, []), (0, 3, False, []), (0, 3, True, []), (1, 1, True, [1]),
])
def test_batch_sizes_at_exact_multiples_and_empty(n, batch_size, drop_last, sizes):
    loader = DataLoader(TensorDataset(np.arange(n)), batch_size=batch_size, drop_last=drop_last)
    assert [len(b) for b in loader.batch_indices()] == sizes
    assert [len(x.data) for (x,) in loader] == sizes
    assert len(loader) == len(sizes)


def test_settings_are_stored_as_python_types():
    loader = DataLoader(TensorDataset(np.arange(4)), batch_size=np.int32(2), shuffle=1, drop_last=np.bool_(True))
    assert type(loader.batch_size) is int and loader.batch_size == 2
    assert loader.shuffle is True and loader.drop_last is True


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8])
def test_batches_keep_the_dtype_on_both_paths(dtype):
    x = np.arange(12).reshape(6, 2).astype(dtype)

    class Slow(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return Tensor(x[i]), Tensor(np.int64(i))

    for dataset in (TensorDataset(x, np.arange(6)), Slow()):
        for xb, yb in DataLoader(dataset, batch_size=4, shuffle=True, seed=0):
            assert xb.dtype == dtype and yb.dtype == np.int64


def test_stratified_split_three_classes_at_the_boundary():
    labels = np.array([2, 0, 1, 1, 0, 2, 0, 1, 2])
    train, test = stratified_split(labels, 2, seed=0)
    assert np.bincount(labels[train]).tolist() == [1, 1, 1]
    assert np.bincount(labels[test]).tolist() == [2, 2, 2]
    with pytest.raises(ValueError):
        stratified_split(labels[:-1], 2, seed=0)  # class 2 has only 2 examples left


@pytest.mark.parametrize("magic", [b"\x00\x34", b"\x12\x00"])
def test_parse_idx_rejects_a_magic_number_with_one_nonzero_byte(magic):
    data = idx_bytes(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="not an IDX file"):
        parse_idx(magic + data[2:], "f.idx")


def test_parse_idx_one_extra_byte_and_shape_in_message():
    data = idx_bytes(np.zeros((2, 3, 4), np.uint8))
    with pytest.raises(ValueError, match="unexpected"):
        parse_idx(data + b"\x00")
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        parse_idx(data[:-1])


@pytest.mark.parametrize("labels", [[-1, 9], [3.0, 9.0], [[3], [9]], [3, 10], [3]])
def test_cifar_batch_rejects_bad_labels(labels):
    rows = np.zeros((2, 3072), np.uint8)
    with pytest.raises(ValueError, match="batch_x"):
        dl.cifar_batch_arrays({b"data": rows, b"labels": labels}, "batch_x")


def test_cifar_batch_accepts_the_label_edges_0_and_9():
    x, y = dl.cifar_batch_arrays({b"data": np.zeros((2, 3072), np.uint8), b"labels": np.array([0, 9], np.uint8)})
    assert x.shape == (2, 3, 32, 32) and y.tolist() == [0, 9] and y.dtype == np.int64
