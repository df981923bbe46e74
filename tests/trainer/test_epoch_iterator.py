"""EpochIterator's epoch rules, group_batches' grouping, and the duck-typed adapters."""

import numpy as np
import pytest

from lamina.trainer import data_adapters as da
from lamina.trainer.epoch_iterator import EpochIterator, group_batches, group_size


def _batch(i, rows=2):
    return np.full((rows, 1), i, "float32"), np.zeros((rows, 1), "float32")


def _firsts(it, epoch, **kwargs):
    return [int(b[0][0, 0]) for _, b in it.epoch(epoch, **kwargs)]


class Reiterable:
    def __init__(self, count):
        self.count = count

    def __iter__(self):
        return iter([_batch(i) for i in range(self.count)])


def test_reiterable_source_restarts_each_epoch_without_steps():
    it = EpochIterator(da.get_adapter(Reiterable(3)))
    assert [_firsts(it, e) for e in range(2)] == [[0, 1, 2], [0, 1, 2]]


def test_steps_per_epoch_continues_one_iterator_and_restarts_when_dry():
    it = EpochIterator(da.get_adapter(Reiterable(3)), steps_per_epoch=2)
    # Keras's rule: 2 batches, then the 1 left, then a fresh pass.
    assert [_firsts(it, e) for e in range(3)] == [[0, 1], [2], [0, 1]]


def test_generator_with_steps_runs_dry_with_a_warning():
    it = EpochIterator(da.get_adapter(iter([_batch(i) for i in range(3)])), steps_per_epoch=2)
    assert _firsts(it, 0) == [0, 1] and not it.out_of_data
    with pytest.warns(UserWarning, match=r"ran out of data after 1 batches of epoch 2"):
        assert _firsts(it, 1) == [2]
    assert it.out_of_data


def test_peeked_batch_is_the_first_one_and_skip_reads_past_batches():
    source = iter([_batch(i) for i in range(4)])
    it = EpochIterator(da.get_adapter(source))
    assert it.peek()[0][0, 0] == 0
    assert [i for i, _ in it.epoch(0, skip=2)] == [2, 3]


def test_group_batches_stacks_same_sized_runs_and_pads():
    batches = [(i, (*_batch(i, rows), None)) for i, rows in enumerate([2, 2, 2, 1])]
    groups = list(group_batches(iter(batches), 2))
    assert [(first, last, count) for first, last, _, count in groups] == [
        (0, 1, 2), (2, 2, 1), (3, 3, None)]
    stacked = groups[1][2]
    assert stacked[0].shape == (2, 2, 1)  # padded to the group size with zeros
    assert stacked[0][:, 0, 0].tolist() == [2.0, 0.0]
    assert stacked[2] is None  # no sample weights stay None


def test_group_batches_delivers_read_batches_before_an_error():
    def failing():
        yield 0, _batch(0)
        yield 1, _batch(1)
        raise OSError("gone")

    seen = []
    with pytest.raises(OSError):
        for first, last, _, count in group_batches(failing(), 4):
            seen.append((first, last, count))
    assert seen == [(0, 1, 2)]


def test_group_size_respects_memory_and_known_length():
    batch = (np.zeros((4, 1000), "float32"), np.zeros((4, 1)), None)
    assert group_size(batch, None) == 16
    assert group_size(batch, 5) == 5
    assert group_size(batch, None, max_bytes=40_000) == 2
    assert group_size(batch, 100, per_batch_size=3) == 3


class FakeTFDataset:
    """Duck-typed like tf.data: a `tensorflow` module, cardinality, as_numpy_iterator."""

    __module__ = "tensorflow.python.data.ops.dataset_ops"

    def __init__(self, cardinality):
        self._cardinality = cardinality

    def cardinality(self):
        return self._cardinality

    def as_numpy_iterator(self):
        return iter([_batch(i) for i in range(3)])

    def __iter__(self):
        raise AssertionError("tf datasets are read through as_numpy_iterator")


def test_tf_dataset_adapter_by_duck_typing():
    adapter = da.get_adapter(FakeTFDataset(3))
    assert isinstance(adapter, da.TFDatasetAdapter) and adapter.num_batches == 3
    assert _firsts(EpochIterator(adapter), 0) == [0, 1, 2]
    with pytest.raises(ValueError, match=r"FakeTFDataset passed as `x` never ends"):
        EpochIterator(da.get_adapter(FakeTFDataset(-1)))
    assert da.get_adapter(FakeTFDataset(-2)).num_batches is None  # unknown length


def test_is_stream():
    assert not any(da.is_stream(v) for v in (np.ones(2), [np.ones(2)], {"a": np.ones(2)},
                                             (np.ones(2),), range(3), "text"))
    assert all(da.is_stream(v) for v in (iter([]), (i for i in range(2)), Reiterable(1)))
