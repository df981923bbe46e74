"""timeseries_dataset_from_array: windows checked against hand-indexed NumPy."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array


def test_windows_and_targets_by_hand():
    data = np.arange(10)
    ds = timeseries_dataset_from_array(data, data * 100, sequence_length=3, sequence_stride=2,
                                       batch_size=2)
    # Starts 0, 2, 4, 6 (a window of 3 must fit in 10 steps).
    assert len(ds) == 2
    windows, targets = ds[0]
    assert windows.tolist() == [[0, 1, 2], [2, 3, 4]] and targets.tolist() == [0, 200]
    windows, targets = ds[1]
    assert windows.tolist() == [[4, 5, 6], [6, 7, 8]] and targets.tolist() == [400, 600]


def test_sampling_rate_start_and_end_index():
    data = np.arange(20)[:, None] * np.array([[1, -1]])
    ds = timeseries_dataset_from_array(data, None, sequence_length=3, sampling_rate=2,
                                       start_index=5, end_index=14, batch_size=None)
    # Steps 5..13 hold windows starting at 5, 6, 7, 8, 9 (last step start + 4 <= 13).
    assert len(ds) == 5
    assert ds[0].tolist() == [[5, -5], [7, -7], [9, -9]]
    assert ds[4].tolist() == [[9, -9], [11, -11], [13, -13]]


def test_targets_limit_the_windows_and_shuffle_is_seeded():
    data = np.arange(12)
    ds = timeseries_dataset_from_array(data, np.arange(4), sequence_length=2, batch_size=3)
    assert [w.tolist() for w, _ in (ds[0], ds[1])] == [[[0, 1], [1, 2], [2, 3]], [[3, 4]]]
    shuffled = timeseries_dataset_from_array(data, data, sequence_length=2, batch_size=20,
                                             shuffle=True, seed=3)
    windows, targets = shuffled[0]
    starts = np.arange(11)
    np.random.RandomState(3).shuffle(starts)
    assert windows[:, 0].tolist() == starts.tolist() and targets.tolist() == starts.tolist()


def test_fit_accepts_the_dataset():
    data = np.sin(np.arange(40, dtype="float32") / 3)[:, None]
    ds = timeseries_dataset_from_array(data[:-4], data[4:], sequence_length=4, batch_size=8)
    model = lamina.Sequential([lamina.Input((4, 1)), layers.Flatten(), layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ds, verbose=0).shape == (33, 1)


def test_bad_arguments():
    data = np.arange(10)
    with pytest.raises(ValueError, match=r"`sequence_length` must be a positive int"):
        timeseries_dataset_from_array(data, None, 0)
    with pytest.raises(ValueError, match=r"`sampling_rate` must be lower than the length"):
        timeseries_dataset_from_array(data, None, 2, sampling_rate=10)
    with pytest.raises(ValueError, match=r"`start_index` must be lower than the length"):
        timeseries_dataset_from_array(data, None, 2, start_index=10)
    with pytest.raises(ValueError, match=r"`end_index` must be in \(start_index, len\(data\)\)"):
        timeseries_dataset_from_array(data, None, 2, start_index=4, end_index=3)
    with pytest.raises(ValueError, match=r"hold no window of sequence_length=12"):
        timeseries_dataset_from_array(data, None, 12)
    with pytest.raises(ValueError, match=r"`format` must be 'tf' or 'grain'"):
        timeseries_dataset_from_array(data, None, 2, format="torch")
