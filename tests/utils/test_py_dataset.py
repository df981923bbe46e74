"""PyDataset: arguments, lengths, and ordered loading by threads and (spawned) processes."""

import os
import random
import time

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.utils.py_dataset import PyDataset, Sequence, iterate_batches


class Numbered(PyDataset):
    """Batch i is `[i, i, i]`; with `jitter`, loading sleeps a random moment (threads finish out
    of order); `fail_at` raises there. Each batch also reports the loading process's id."""

    def __init__(self, count=6, jitter=False, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.count, self.jitter, self.fail_at = count, jitter, fail_at

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if index == self.fail_at:
            raise ZeroDivisionError("bad sample")
        if self.jitter:
            time.sleep(random.random() * 0.01)
        return np.full((3,), index, "float32"), np.array([os.getpid()])


def test_defaults_and_keras_alias():
    dataset = Numbered()
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (1, False,
                                                                                     10)
    assert Sequence is PyDataset
    assert dataset.num_batches == 6


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match=r"Numbered: `workers` must be a non-negative int. "
                                         r"Received: workers=-1"):
        Numbered(workers=-1)
    with pytest.raises(ValueError, match=r"`max_queue_size` must be a positive int"):
        Numbered(max_queue_size=0)
    with pytest.raises(TypeError, match=r"`use_multiprocessing` must be a bool"):
        Numbered(use_multiprocessing="yes")


def test_missing_methods_and_endless_datasets():
    class Bare(PyDataset):
        pass

    assert Bare().num_batches is None  # no __len__: endless, fit then needs steps_per_epoch
    with pytest.raises(NotImplementedError, match=r"Bare must implement __getitem__"):
        Bare()[0]


def test_subclass_without_super_init_gets_defaults():
    class NoInit(PyDataset):
        def __init__(self):
            self.size = 2

        def __len__(self):
            return self.size

        def __getitem__(self, index):
            return np.zeros((1, 1)), np.zeros((1, 1))

    dataset = NoInit()
    assert dataset.workers == 1 and dataset.max_queue_size == 10


@pytest.mark.parametrize("workers", [1, 4])
def test_threads_deliver_batches_in_index_order(workers):
    dataset = Numbered(count=12, jitter=True, workers=workers, max_queue_size=3)
    order = [7, 2, 9, 0, 11, 5, 1, 3, 4, 6, 8, 10]
    got = [int(x[0]) for x, _ in iterate_batches(dataset, iter(order))]
    assert got == order


def test_worker_error_carries_the_index():
    dataset = Numbered(fail_at=3, workers=2)
    got = []
    with pytest.raises(ZeroDivisionError) as err:
        for x, _ in iterate_batches(dataset, iter(range(6))):
            got.append(int(x[0]))
    assert got == [0, 1, 2]  # batches before the failure arrive first
    assert "Raised by Numbered.__getitem__(3)." in err.value.__notes__


@pytest.mark.slow
def test_processes_load_in_order_in_other_processes():
    dataset = Numbered(count=5, workers=2, use_multiprocessing=True)
    batches = list(iterate_batches(dataset, iter(range(5))))
    assert [int(x[0]) for x, _ in batches] == [0, 1, 2, 3, 4]
    assert all(int(pid[0]) != os.getpid() for _, pid in batches)


def test_epoch_hooks_run_around_each_epoch_in_fit():
    calls = []

    class Hooked(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return np.full((2, 1), index, "float32"), np.zeros((2, 1), "float32")

        def on_epoch_begin(self):
            calls.append("begin")

        def on_epoch_end(self):
            calls.append("end")

    model = lamina.Sequential([lamina.Input((1,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(Hooked(), epochs=3, verbose=0)
    assert calls == ["begin", "end"] * 3
