"""`PyDataset`: a dataset of batches by index, optionally loaded by worker threads or processes."""

import collections
import concurrent.futures
import multiprocessing
import warnings


class PyDataset:
    """Base class for a dataset of batches that `fit`, `evaluate` and `predict` read by index.

    Subclass it and implement `__getitem__(index)` (batch `index` as `x`, `(x,)`, `(x, y)` or
    `(x, y, sample_weight)` of NumPy arrays) and `__len__` (the number of batches), or the
    `num_batches` property returning None for an endless dataset (then pass `steps_per_epoch`).
    `on_epoch_begin` and `on_epoch_end` run around each epoch (reshuffle there).

    Args:
        workers: Number of threads (or processes) loading batches ahead of training. 1 loads
            them one by one in the training thread.
        use_multiprocessing: Load in worker processes rather than threads (for Python-heavy
            loading that holds the GIL). Processes start with "spawn" (safe beside JAX's
            threads), so the dataset must be picklable: define its class at module top level.
        max_queue_size: How many batches the workers may load ahead.

    Batches always arrive in index order, whatever the number of workers.

    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         x = np.arange(3.0) + 3 * index
    ...         return x, x ** 2
    >>> Squares()[1][1].tolist()
    [9.0, 16.0, 25.0]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    # Subclasses that forget super().__init__() still get the defaults.
    @property
    def workers(self):
        return self.__dict__.get("_workers", 1)

    @workers.setter
    def workers(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{type(self).__name__}: `workers` must be a non-negative int. "
                             f"Received: workers={value!r}")
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self.__dict__.get("_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        if not isinstance(value, bool):
            raise TypeError(f"{type(self).__name__}: `use_multiprocessing` must be a bool. "
                            f"Received: use_multiprocessing={value!r}")
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self.__dict__.get("_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{type(self).__name__}: `max_queue_size` must be a positive int. "
                             f"Received: max_queue_size={value!r}")
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), "
                                  "returning batch `index`.")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (the number "
                                  "of batches), or `num_batches` returning None when endless.")

    @property
    def num_batches(self):
        """Batches per epoch: `len(self)`, or None when `__len__` is not implemented (endless)."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_begin(self):
        """Called before each epoch."""

    def on_epoch_end(self):
        """Called after each epoch (e.g. to reshuffle)."""


Sequence = PyDataset  # the Keras 2 name, kept by Keras 3 as an alias


# -- loading --------------------------------------------------------------------------------------
_WORKER = {}


def _init_worker(dataset):
    _WORKER["dataset"] = dataset


def _worker_getitem(index):
    return _WORKER["dataset"][index]


def _note(error, dataset, index):
    error.add_note(f"Raised by {type(dataset).__name__}.__getitem__({index}).")


def iterate_batches(dataset, indices):
    """Batches `dataset[i]` for `i` in `indices`, in order, loaded ahead by its workers.

    An error in `__getitem__` is raised when its batch is reached (with a note naming the
    index); batches already loaded before it are delivered first.
    """
    if dataset.workers <= 1:
        for index in indices:
            try:
                batch = dataset[index]
            except Exception as e:
                _note(e, dataset, index)
                raise
            yield batch
        return
    if dataset.use_multiprocessing:
        executor = concurrent.futures.ProcessPoolExecutor(
            dataset.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=(dataset,))
        submit = lambda index: executor.submit(_worker_getitem, index)
    else:
        executor = concurrent.futures.ThreadPoolExecutor(dataset.workers)
        submit = lambda index: executor.submit(dataset.__getitem__, index)
    pending = collections.deque()
    indices = iter(indices)
    try:
        for index in indices:
            pending.append((index, submit(index)))
            if len(pending) >= dataset.max_queue_size:
                break
        while pending:
            index, future = pending.popleft()
            try:
                batch = future.result()
            except Exception as e:
                _note(e, dataset, index)
                raise
            for next_index in indices:  # keep the queue full: one out, one in
                pending.append((next_index, submit(next_index)))
                break
            yield batch
    finally:
        for _, future in pending:
            future.cancel()
        executor.shutdown(wait=False, cancel_futures=True)


def warn_if_not_initialized(dataset):
    """Keras warns when a subclass skips `super().__init__()`; so does lamina."""
    if "_workers" not in dataset.__dict__:
        warnings.warn(f"{type(dataset).__name__} should call `super().__init__(**kwargs)` in "
                      "its __init__ so that `workers`, `use_multiprocessing` and "
                      "`max_queue_size` can be set. Using their defaults.", stacklevel=3)
