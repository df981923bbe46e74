"""Streamed training data: epochs of checked batches, grouped for compiled calls.

`EpochIterator` reads a streamed source (see `data_adapters.get_adapter`) epoch by epoch with
Keras's rules: without `steps_per_epoch` an epoch lasts until the source is exhausted (or its
known length); with it, each epoch takes that many batches from one running iterator, which a
re-iterable source restarts when it runs dry. Every batch is standardized to NumPy and checked
against the first one (structure, dtypes, shapes past the batch axis).

`group_batches` stacks runs of same-shaped batches so one compiled call (`StreamSteps`) trains on
several: each batch crosses to the device once, in one transfer per group, and the compiled
step is traced once for the group size and once per other batch size (the ragged last batch).
"""

import warnings

import numpy as np

from lamina import backend, ops
from lamina.trainer import data_adapters as da
from lamina.utils import tree

_END = object()


def _spec(batch):
    return tree.map_structure(
        lambda a: None if a is None else (tuple(a.shape[1:]), a.dtype.name), batch)


def _describe(spec):
    parts = []
    for name, part in zip(("x", "y", "sample_weight"), spec):
        if part is None:
            continue
        leaves = [f"(None, {', '.join(map(str, s))}) {d}" if s else f"(None,) {d}"
                  for s, d in _spec_leaves(part)]
        parts.append(f"{name}: {', '.join(leaves)}")
    return "; ".join(parts)


def _spec_leaves(part):
    if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], str):
        return [part]
    items = part.values() if isinstance(part, dict) else part
    return [leaf for item in items for leaf in _spec_leaves(item)]


class EpochIterator:
    """Checked NumPy batches `(x, y, sample_weight)` of a streamed source, one epoch at a time.

    Args:
        adapter: From `data_adapters.get_adapter`.
        steps_per_epoch: Batches per epoch, or None for "until exhausted" (or the source's
            known length).
        class_weight: Optional dict turned into per-batch sample weights.
        what: The caller ("fit", "evaluate", ...) for error messages.

    After an epoch, `out_of_data` tells whether a one-pass source (a generator) ran dry.

    >>> it = EpochIterator(da.get_adapter(iter([(np.ones((2, 1)), np.zeros((2, 1)))])))
    >>> [(i, b[0].shape) for i, b in it.epoch(0)]
    [(0, (2, 1))]
    """

    def __init__(self, adapter, steps_per_epoch=None, class_weight=None, what="fit"):
        if adapter.infinite and steps_per_epoch is None:
            raise ValueError(f"{what}: {adapter.name} never ends, so an epoch needs a length: "
                             "pass `steps_per_epoch` (or `steps`/`validation_steps`), the "
                             "number of batches per epoch.")
        self.adapter = adapter
        self.steps_per_epoch = steps_per_epoch
        self.class_weight = class_weight
        self.what = what
        self.out_of_data = False
        self._iterator = None
        self._peeked = None
        self._peek_pending = False
        self._spec = None

    @property
    def num_batches(self):
        """Batches per epoch when known, else None."""
        return self.steps_per_epoch or self.adapter.num_batches

    def peek(self):
        """The first batch (kept, and yielded again as the first batch of the first epoch)."""
        if self._peeked is None:
            self._iterator = self.adapter.iterate()
            raw = self._fetch(0, 0)
            if raw is _END:
                raise ValueError(f"{self.what}: {self.adapter.name} yielded no batches.")
            self._peeked = self._standardize(raw, 0, 0)
            self._peek_pending = True
        return self._peeked

    def _fetch(self, index, epoch):
        try:
            return next(self._iterator)
        except StopIteration:
            return _END
        except Exception as e:
            notes = " ".join(getattr(e, "__notes__", []))
            raise RuntimeError(
                f"{self.what}: {self.adapter.name} raised {type(e).__name__} while producing "
                f"batch {index} of epoch {epoch + 1}: {e} {notes}".rstrip() +
                ". Training stopped there; the model keeps the weights from the batches "
                "before it.") from e

    def _standardize(self, raw, index, epoch):
        batch = da.standardize_batch(raw, self.adapter.name, index, self.class_weight)
        spec = _spec(batch)
        if self._spec is None:
            self._spec = spec
        elif spec != self._spec:
            raise ValueError(
                f"{self.what}: batch {index} (epoch {epoch + 1}) from {self.adapter.name} does "
                f"not match the first batch. First batch: {_describe(self._spec)}. This batch: "
                f"{_describe(spec)}. Every batch must hold the same structure, dtypes and "
                "shapes (only the batch size may change); pad sequences to one length "
                "(lamina.utils.pad_sequences) or cast the arrays.")
        return batch

    def epoch(self, epoch, skip=0):
        """Yield `(index, batch)` for one epoch, skipping (but reading) the first `skip`."""
        self.adapter.on_epoch_begin()
        pending, self._peek_pending = self._peek_pending, False
        if not pending and (self._iterator is None or self.steps_per_epoch is None):
            self._iterator = self.adapter.iterate()
        limit = self.num_batches
        index, restarted = 0, False
        while limit is None or index < limit:
            if pending:
                batch, pending = self._peeked, False
            else:
                raw = self._fetch(index, epoch)
                if raw is _END:
                    self._iterator = None
                    if self.adapter.reiterable and index == 0 and not restarted:
                        # A running iterator that ended exactly at an epoch boundary.
                        self._iterator, restarted = self.adapter.iterate(), True
                        continue
                    if not self.adapter.reiterable and (self.steps_per_epoch or index == 0):
                        self.out_of_data = True
                        warnings.warn(
                            f"{self.what}: {self.adapter.name} ran out of data after "
                            f"{index} batches of epoch {epoch + 1}; interrupting. A generator "
                            "is read once: make it yield at least `steps_per_epoch * epochs` "
                            "batches (e.g. loop forever and pass steps_per_epoch), or use a "
                            "PyDataset, which is read again each epoch.", stacklevel=4)
                    break
                batch = self._standardize(raw, index, epoch)
            if index >= skip:
                yield index, batch
            index += 1
        self.adapter.on_epoch_end()

    def close(self):
        close = getattr(self._iterator, "close", None)
        if close is not None and self.adapter.reiterable:
            close()  # stops a PyDataset's workers
        self._iterator = None
        self.adapter.close()


def group_batches(batches, size):
    """Runs of up to `size` batches with the first batch's leading size, stacked.

    Yields `(first_index, last_index, stacked, count)` where `stacked` holds `size` batches
    (zero padding past `count`), or `(index, index, batch, None)` for a batch of another size.
    If the source fails, the batches read before the failure are yielded first.
    """
    pending, reference = [], None
    iterator = iter(batches)

    def flush():
        first, last = pending[0][0], pending[-1][0]
        items = [b for _, b in pending]
        zeros = tree.map_structure(lambda a: None if a is None else np.zeros_like(a), items[0])
        items += [zeros] * (size - len(items))
        stacked = tree.map_structure(
            lambda *leaves: None if leaves[0] is None else np.stack(leaves), *items)
        return first, last, stacked, len(pending)

    while True:
        try:
            item = next(iterator)
        except StopIteration:
            break
        except Exception:
            if pending:
                yield flush()
            raise
        index, batch = item
        rows = tree.flatten(batch[0])[0].shape[0]
        if reference is None:
            reference = rows
        if size == 1 or rows != reference:
            if pending:
                yield flush()
                pending = []
            yield index, index, batch, None
            continue
        pending.append(item)
        if len(pending) == size:
            yield flush()
            pending = []
    if pending:
        yield flush()


def _take(struct, i):
    return tree.map_structure(lambda a: None if a is None else ops.getitem(a, i), struct)


class StreamSteps:
    """Compiled calls over streamed batches, built on a `trainer.step.Steps`.

    `train_group(state, stacked, count)` runs the first `count` of the stacked batches through
    the train step in one compiled loop; `train_one(state, batch)` runs one batch. Test and
    predict have the same pair. `trace_counts` records how often each was traced.
    """

    def __init__(self, steps):
        self.steps = steps
        self.trace_counts = {"train_group": 0, "train_one": 0, "test_group": 0, "test_one": 0,
                             "predict_group": 0, "predict_one": 0}
        self._jit = steps._jit
        t = backend.transforms
        wrap = (lambda fn, donate=(): t.jit(fn, donate_argnums=donate, top_level=True)) \
            if self._jit else (lambda fn, donate=(): fn)
        self.train_group = wrap(self._train_group, donate=(0,))
        self.train_one = wrap(self._train_one, donate=(0,))
        self.test_group = wrap(self._test_group)
        self.test_one = wrap(self._test_one)
        self.predict_group = wrap(self._predict_group)
        self.predict_one = wrap(self._predict_one)

    def _loop(self, count, body, carry):
        if self._jit:
            return ops.fori_loop(0, count, body, carry)
        for i in range(int(count)):
            carry = body(i, carry)
        return carry

    def _result(self, metric_vars):
        return self.steps.compile_metrics.stateless_result(metric_vars)

    def _train_group(self, state, stacked, count):
        self.trace_counts["train_group"] += 1
        state = self._loop(count, lambda i, s: self.steps.train_step(s, _take(stacked, i)),
                           state)
        return state, self._result(state[3])

    def _train_one(self, state, batch):
        self.trace_counts["train_one"] += 1
        state = self.steps.train_step(state, batch)
        return state, self._result(state[3])

    def _test_group(self, trainable, non_trainable, metric_vars, stacked, count):
        self.trace_counts["test_group"] += 1

        def body(i, metric_vars):
            return self.steps.test_step(trainable, non_trainable, metric_vars, _take(stacked, i))
        metric_vars = self._loop(count, body, metric_vars)
        return metric_vars, self._result(metric_vars)

    def _test_one(self, trainable, non_trainable, metric_vars, batch):
        self.trace_counts["test_one"] += 1
        metric_vars = self.steps.test_step(trainable, non_trainable, metric_vars, batch)
        return metric_vars, self._result(metric_vars)

    def _predict_group(self, trainable, non_trainable, stacked_x):
        self.trace_counts["predict_group"] += 1

        def body(carry, x):
            return carry, self.steps.predict_step(trainable, non_trainable, x)
        return ops.scan(body, 0, stacked_x)[1]

    def _predict_one(self, trainable, non_trainable, x):
        self.trace_counts["predict_one"] += 1
        return self.steps.predict_step(trainable, non_trainable, x)


def group_size(batch, known_batches, per_batch_size=None, max_bytes=2 ** 26, max_size=16):
    """How many batches one compiled call takes: `per_batch_size` (steps_per_execution) when a
    callback sees every call, else up to `max_size` batches within `max_bytes` of host memory."""
    if per_batch_size is not None:
        return per_batch_size
    nbytes = sum(a.nbytes for part in batch if part is not None for a in tree.flatten(part))
    size = max(1, min(max_size, max_bytes // max(nbytes, 1)))
    return min(size, known_batches) if known_batches else size
