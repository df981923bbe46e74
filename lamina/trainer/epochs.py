"""How `fit` walks its data: in-memory arrays as a sample order per epoch (all epochs in one
compiled call when nothing runs between them), streamed sources epoch by epoch, arrays served
batch by batch to callbacks that watch every batch, and callback hooks whose errors say where
they came from."""

import numpy as np

from lamina.callbacks import Callback, CallbackList
from lamina.random.seed_generator import numpy_rng
from lamina.trainer import data_adapters as da
from lamina.utils import tree


class ArrayEpochs:
    """In-memory data for `_fit_epochs`: a sample order per epoch, batches gathered in compiled
    code, and (with nothing to do between epochs) all epochs in one call."""

    out_of_data = False

    def __init__(self, model, data, n, batch_size, steps, shuffle, fusable):
        self.model, self.data, self.n = model, data, n
        self.batch_size, self.steps, self.shuffle, self.fusable = batch_size, steps, shuffle, fusable
        self.rng = numpy_rng()

    def skip_epochs(self, count):
        # A resumed run draws the same orders as an uninterrupted one would for later epochs.
        if self.shuffle and count:
            self.rng.random((count, self.n))

    def orders(self, count):
        if not self.shuffle:
            return np.broadcast_to(np.arange(self.n, dtype=np.int32), (count, self.n))
        return np.argsort(self.rng.random((count, self.n)), axis=1).astype(np.int32)

    def run_fused(self, initial_epoch, epochs, cbs):
        self.model._fit_fused(self.data, self.orders(epochs - initial_epoch), self.batch_size,
                              initial_epoch, epochs, cbs)

    def run_epoch(self, epoch, cbs, verbose, first_batch):
        return self.model._fit_epoch(self.data, self.orders(1)[0], self.batch_size, self.steps,
                                     cbs, verbose, first_batch)


class StreamEpochs:
    """A streamed source for `_fit_epochs`."""

    fusable = False
    n = 0

    def __init__(self, model, source):
        self.model, self.source = model, source

    @property
    def out_of_data(self):
        return self.source.out_of_data

    def skip_epochs(self, count):
        pass  # each epoch reads the source afresh (or, for a generator, where it stands)

    def run_epoch(self, epoch, cbs, verbose, first_batch):
        return self.model._fit_stream_epoch(self.source, epoch, cbs, verbose, first_batch)


class NotingCallbacks:
    """A CallbackList whose hooks, when they raise, add a note naming the callback, the hook,
    the batch and the epoch (the error itself passes through unchanged)."""

    def __init__(self, callbacks):
        self._callbacks = callbacks
        self.epoch = None

    def __getattr__(self, name):
        attr = getattr(self._callbacks, name)
        if not name.startswith("on_"):
            return attr

        def hook(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except Exception as e:
                e.add_note(self._note(e, name, args))
                raise
        return hook

    def _note(self, error, hook, args):
        culprit, tb = None, error.__traceback__
        while tb is not None and culprit is None:
            obj = tb.tb_frame.f_locals.get("self")
            if isinstance(obj, Callback) and not isinstance(obj, CallbackList):
                culprit = obj
            tb = tb.tb_next
        who = f"callback {type(culprit).__name__}" if culprit is not None else "a callback"
        where = f"{hook}(batch={args[0]})" if "batch" in hook and args else hook
        epoch = f" in epoch {self.epoch + 1}" if self.epoch is not None else ""
        return (f"Raised by {who} in {where}{epoch}. The model keeps the weights of the last "
                "completed training step.")


class ArrayBatches:
    """In-memory arrays served batch by batch, for callbacks that must see every batch."""

    def __init__(self, x, n, batch_size):
        self.x, self.n, self.batch_size = x, n, batch_size

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        for start in range(0, self.n, self.batch_size):
            yield da.batch_slice(self.x, start, start + self.batch_size)


def first_batches(arrays, steps, batch_size):
    """The first `steps` batches' worth of samples of each structure in `arrays`."""
    stop = steps * batch_size
    return tuple(None if a is None else tree.map_structure(lambda v: v[:stop], a)
                 for a in arrays)
