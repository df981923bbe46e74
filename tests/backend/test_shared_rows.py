"""Training arrays that the device reads in place (lamina/backend/jax/host.py: share_rows)."""

import gc
import sys

import numpy as np
import pytest

import lamina
from lamina import backend, layers, optimizers

pytestmark = pytest.mark.skipif(backend.backend() != "jax", reason="the JAX backend's CPU path")

if backend.backend() == "jax":
    import jax

    from lamina.backend.jax import host


def _at_offset(shape, dtype, lead_bytes):
    """A C-contiguous array whose first element sits `lead_bytes` past a 64-byte boundary."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + 128, dtype=np.uint8)
    start = -raw.ctypes.data % 64 + lead_bytes
    a = raw[start:start + nbytes].view(dtype).reshape(shape)
    a[...] = np.arange(a.size).reshape(shape) % 251
    return a


@pytest.fixture()
def share_everything(monkeypatch):
    monkeypatch.setattr(host, "SHARE_FROM_BYTES", 0)


@pytest.mark.parametrize("lead_bytes", [0, 4, 16, 32, 48, 60])
def test_rows_are_read_in_place_and_gathered_exactly(lead_bytes, share_everything):
    a = _at_offset((300, 5, 3), np.float32, lead_bytes)
    shared = host.share_rows(a)
    assert shared.shape == (300, 5, 3) and int(shared.offset) == lead_bytes // 4
    # No copy: the device buffer starts at the 64-byte boundary just below the first element,
    # and its length does not depend on where that is.
    assert shared.window.unsafe_buffer_pointer() == a.ctypes.data - lead_bytes
    assert shared.window.shape == (300 * 15,) and shared.last_rows.shape == (2, 5, 3)
    indices = np.array([0, 299, 7, 298, 7, 297, 150], dtype=np.int32)
    rows = jax.jit(lambda s, i: s.take(i))(shared, indices)
    assert rows.shape == (7, 5, 3)
    np.testing.assert_array_equal(np.asarray(rows), a[indices])


@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool", "float16"])
def test_other_dtypes_and_one_dimensional_rows(dtype, share_everything):
    a = _at_offset((1000,), dtype, 16)
    shared = host.share_rows(a)
    assert shared.dtype == np.dtype(dtype) and int(shared.offset) == 16 // np.dtype(dtype).itemsize
    indices = np.arange(999, -1, -3, dtype=np.int32)
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda s: s.take(indices))(shared)),
                                  a[indices])


def test_what_is_not_shared():
    big = np.ones((host.SHARE_FROM_BYTES // 4 + 64,), np.float32)
    assert host.share_rows(big) is not None
    assert host.share_rows(big[:10]) is None                     # under the size threshold
    assert host.share_rows(big[::2]) is None                     # not contiguous
    assert host.share_rows(big.astype(">f4")) is None            # foreign byte order
    raw = np.zeros(big.nbytes + 8, np.uint8)
    assert host.share_rows(raw[2:2 + big.nbytes].view(np.float32)) is None  # misaligned items
    assert host.share_rows(np.ones((), np.float32)) is None     # no rows
    assert host.share_rows(np.ones((1, big.size), np.float32)) is None  # one row, all copied


def test_the_array_stays_alive_while_the_device_reads_it_and_is_released_after(
        share_everything):
    a = _at_offset((64, 64), np.float32, 16)
    base = sys.getrefcount(a)
    shared = host.share_rows(a)
    assert sys.getrefcount(a) > base
    expected = a[[3]].copy()
    del a
    gc.collect()
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda s: s.take(np.array([3])))(shared)),
                                  expected)
    b = _at_offset((64, 64), np.float32, 16)
    before = sys.getrefcount(b)
    shared = host.share_rows(b)
    del shared
    gc.collect()
    assert sys.getrefcount(b) == before


def _mlp():
    model = lamina.Sequential([lamina.Input((6,)), layers.Dense(5, activation="relu"),
                               layers.Dense(3, activation="softmax")])
    model.compile(optimizers.RMSprop(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit(x, y, share, monkeypatch, **kwargs):
    monkeypatch.setattr(host, "SHARE_FROM_BYTES", 0 if share else 1 << 62)
    lamina.utils.set_random_seed(3)
    model = _mlp()
    history = model.fit(x, y, batch_size=16, verbose=0, **kwargs)
    return model, history


def test_fit_on_shared_rows_matches_fit_on_a_copy(monkeypatch):
    rng = np.random.default_rng(0)
    x = _at_offset((70, 6), np.float32, 16)
    x[...] = rng.normal(size=x.shape)
    y = rng.integers(0, 3, size=70).astype(np.int32)
    shared, h_shared = _fit(x, y, True, monkeypatch, epochs=3, validation_data=(x, y))
    copied, h_copied = _fit(x, y, False, monkeypatch, epochs=3, validation_data=(x, y))
    for a, b in zip(shared.get_weights(), copied.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert h_shared.history == h_copied.history
    assert len(h_shared.history["loss"]) == 3


def test_second_fit_on_the_same_shared_arrays_is_not_retraced(share_everything):
    x = _at_offset((40, 6), np.float32, 16)
    y = (np.arange(40) % 3).astype(np.int32)
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    counts = dict(model._steps.trace_counts)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert model._steps.trace_counts == counts
    # An int64 array is narrowed to int32 first and that private copy is the one shared.
    model.fit(x, y.astype(np.int64), epochs=2, batch_size=16, verbose=0)
    assert model._steps.trace_counts == counts
    # The same program for data at another alignment (the window's shape does not depend on it).
    for lead_bytes in (0, 4, 48):
        moved = _at_offset((40, 6), np.float32, lead_bytes)
        moved[...] = x
        model.fit(moved, y, epochs=2, batch_size=16, verbose=0)
    assert model._steps.trace_counts == counts


def test_fit_reads_the_callers_array_without_copying_it(share_everything):
    from lamina.trainer import data_adapters
    x = _at_offset((40, 6), np.float32, 32)
    (shared,) = data_adapters.to_device([x])
    assert isinstance(shared, host.SharedRows)
    assert shared.window.unsafe_buffer_pointer() == x.ctypes.data - 32
    # float64 data becomes a float32 copy of its own.
    (narrowed,) = data_adapters.to_device([x.astype(np.float64)])
    assert narrowed.dtype == np.float32
    assert not x.ctypes.data - 64 <= narrowed.window.unsafe_buffer_pointer() <= x.ctypes.data
    np.testing.assert_array_equal(
        np.asarray(jax.jit(lambda s: s.take(np.arange(40)))(narrowed)), x)
