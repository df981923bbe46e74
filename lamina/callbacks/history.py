"""`History`: the per-epoch logs of `fit`, returned by it and kept as `model.history`."""

from lamina.callbacks.callback import Callback


class History(Callback):
    """Record each epoch's logs: `history[name]` lists one value per epoch.

    `fit` adds one to its callbacks and returns it. `epoch` lists the epoch indices recorded
    in the last run; `history` keeps growing if the same object sees several runs.

    >>> history = History()
    >>> history.on_train_begin()
    >>> history.on_epoch_end(0, {"loss": 0.5})
    >>> history.on_epoch_end(1, {"loss": 0.25})
    >>> history.history, history.epoch
    ({'loss': [0.5, 0.25]}, [0, 1])
    """

    # No batch hooks; its epoch hooks only record, so they may run after fused epochs.
    _batch_hooks_are_coarse = True
    _epoch_hooks_can_be_deferred = True

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self._attach()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self._attach()

    def plot(self, path=None, metrics=None, title=None):
        """Draw the loss and each metric per epoch, training and validation on the same axes.

        Needs matplotlib (`pip install 'lamina[plot]'`). One subplot per metric; `val_<name>`
        values share the axes of `<name>`.

        Args:
            path: File to write (PNG, or SVG/PDF by suffix). `None` returns the figure instead.
            metrics: Names to draw (without `val_`), in order. `None` draws every recorded one.
            title: Optional title above the subplots.

        Returns:
            `path` as a string when given, else the matplotlib `Figure`.

        >>> history = History()
        >>> history.on_train_begin()
        >>> history.on_epoch_end(0, {"loss": 0.9, "val_loss": 1.0})
        >>> history.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.7})
        >>> history.plot("curves.png")
        'curves.png'
        """
        from lamina.utils.plotting import plot_history

        return plot_history(self.history, path=path, metrics=metrics, title=title)

    def _attach(self):
        # `_model`, not `model`: reading `model` would make the trainer sync its state.
        if self._model is not None:
            self._model.history = self
