"""`timeseries_dataset_from_array`: sliding windows over a time series, as a PyDataset."""

import numpy as np

from lamina.utils.py_dataset import PyDataset


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        kind = "a positive" if low == 1 else "a non-negative"
        raise ValueError(f"timeseries_dataset_from_array: `{name}` must be {kind} int. "
                         f"Received: {name}={value!r}")
    return int(value)


class TimeseriesDataset(PyDataset):
    """Batches of windows `data[start + p + k * sampling_rate]`, k < sequence_length, one per
    start position p, with `targets[start + p]` when there are targets.

    Built by `timeseries_dataset_from_array`; `len()` is the number of batches (or of windows
    when `batch_size` is None, then each item is one window).
    """

    def __init__(self, data, targets, positions, sequence_length, sampling_rate, start_index,
                 batch_size):
        super().__init__()
        self.data, self.targets, self.positions = data, targets, positions
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.start_index, self.batch_size = start_index, batch_size

    def __len__(self):
        if self.batch_size is None:
            return len(self.positions)
        return (len(self.positions) + self.batch_size - 1) // self.batch_size

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"TimeseriesDataset: batch index {index} out of range for "
                             f"{len(self)} batches.")
        if self.batch_size is None:
            starts = self.positions[index] + self.start_index
            windows = self.data[starts + self.offsets]
        else:
            starts = self.positions[index * self.batch_size:(index + 1) * self.batch_size] + \
                self.start_index
            windows = self.data[starts[:, None] + self.offsets[None, :]]
        if self.targets is None:
            return windows
        return windows, self.targets[starts]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """Sliding windows over an array of timesteps, batched, as a dataset `fit` accepts.

    lamina has no tf.data: the result is a `TimeseriesDataset` (a `lamina.utils.PyDataset`)
    whose items are batches `(windows, targets)` of NumPy arrays (or `windows` alone when
    `targets` is None). `format` is accepted for Keras compatibility ("tf" or "grain"); both
    give this dataset.

    Args:
        data: Array (or list) of timesteps along axis 0.
        targets: `targets[i]` is the target of the window starting at `data[i]`, or None.
        sequence_length: Timesteps per window.
        sequence_stride: Distance between the starts of consecutive windows.
        sampling_rate: Distance between the timesteps taken inside a window.
        batch_size: Windows per batch; None gives single windows.
        shuffle: Shuffle the windows' order (once, with `seed`).
        seed: Int seed for the shuffle.
        start_index: First timestep used (inclusive). Defaults to 0.
        end_index: Last timestep used (exclusive). Defaults to `len(data)`.
        format: "tf" or "grain" (both give a lamina dataset).

    Returns:
        A `TimeseriesDataset`.

    >>> ds = timeseries_dataset_from_array(np.arange(6), None, sequence_length=3,
    ...                                    batch_size=2)
    >>> ds[0].tolist()
    [[0, 1, 2], [1, 2, 3]]
    """
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("timeseries_dataset_from_array: `data` must have a time axis (axis "
                         f"0). Received a scalar {data!r}.")
    n = len(data)
    sequence_length = _check_int(sequence_length, "sequence_length", 1)
    sequence_stride = _check_int(sequence_stride, "sequence_stride", 1)
    sampling_rate = _check_int(sampling_rate, "sampling_rate", 1)
    if batch_size is not None:
        batch_size = _check_int(batch_size, "batch_size", 1)
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value >= n:
            raise ValueError(f"timeseries_dataset_from_array: `{name}` must be lower than the "
                             f"length of the data ({n}). Received: {name}={value}")
    start = 0 if start_index is None else _check_int(start_index, "start_index", 0)
    if start >= n:
        raise ValueError("timeseries_dataset_from_array: `start_index` must be lower than the "
                         f"length of the data ({n}). Received: start_index={start}")
    end = n if end_index is None else _check_int(end_index, "end_index", 1)
    if end_index is not None and (end <= start or end >= n):
        # Keras requires an explicit end_index below len(data); None means len(data).
        raise ValueError("timeseries_dataset_from_array: `end_index` must be in "
                         f"(start_index, len(data)) = ({start}, {n}). Received: "
                         f"end_index={end_index}. Leave it None to use all the data.")
    if format not in ("tf", "grain"):
        raise ValueError("timeseries_dataset_from_array: `format` must be 'tf' or 'grain'. "
                         f"Received: format={format!r}")
    num_windows = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_windows = min(num_windows, len(targets) - start)
    if num_windows <= 0:
        raise ValueError(f"timeseries_dataset_from_array: timesteps {start}..{end} hold no "
                         f"window of sequence_length={sequence_length} with "
                         f"sampling_rate={sampling_rate}. Use shorter windows or more data.")
    positions = np.arange(0, num_windows, sequence_stride)
    if shuffle:
        seed = np.random.randint(1_000_000) if seed is None else seed
        np.random.RandomState(seed).shuffle(positions)
    return TimeseriesDataset(data, targets, positions, sequence_length, sampling_rate, start,
                             batch_size)
