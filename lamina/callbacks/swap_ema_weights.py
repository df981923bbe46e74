"""`SwapEMAWeights`: evaluate (and optionally keep) the optimizer's moving-average weights."""

from lamina.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Put the optimizer's exponential moving averages into the model for evaluation.

    With an optimizer built with `use_ema=True`, validation, `evaluate` and `predict` run with
    the averaged weights and training goes on with the raw ones. With `swap_on_epoch=True` the
    averages are also swapped in at the end of every epoch (so that, e.g., a checkpoint callback
    listed after this one saves them) and swapped back at the start of the next.

    Args:
        swap_on_epoch: Whether to swap the averages in at each epoch end too.

    >>> SwapEMAWeights().swap_on_epoch
    False
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        if not isinstance(swap_on_epoch, bool):
            raise TypeError("SwapEMAWeights: `swap_on_epoch` must be True or False. Received: "
                            f"swap_on_epoch={swap_on_epoch!r}.")
        self.swap_on_epoch = swap_on_epoch
        self._averages_in_model = False

    def _check_ema(self, optimizer):
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights: the model's optimizer keeps no moving averages. "
                             "Build it with use_ema=True, e.g. "
                             "lamina.optimizers.Adam(use_ema=True).")

    def _swap(self):
        optimizer = self.model.optimizer
        self._check_ema(optimizer)
        averages = optimizer._model_variables_moving_average
        for variable, average in zip(optimizer._trainable_variables, averages):
            current = variable.value
            variable.assign(average.value)
            average.assign(current)

    def on_train_begin(self, logs=None):
        self._check_ema(self.model.optimizer)
        self._averages_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._averages_in_model:
            self._swap()
            self._averages_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._averages_in_model:
            self._swap()
            self._averages_in_model = True
        last = self.params is not None and epoch == self.params.get("epochs", 0) - 1
        if self._averages_in_model and (last or self.model.stop_training):
            # fit ends by copying the optimizer's averages into the model
            # (finalize_variable_values), so the averages must be back in the optimizer.
            self._swap()
            self._averages_in_model = False

    def on_test_begin(self, logs=None):
        if not self._averages_in_model:
            self._swap()

    def on_test_end(self, logs=None):
        if not self._averages_in_model:
            self._swap()

    def on_predict_begin(self, logs=None):
        if not self._averages_in_model:
            self._swap()

    def on_predict_end(self, logs=None):
        if not self._averages_in_model:
            self._swap()

    def get_config(self):
        return {"swap_on_epoch": self.swap_on_epoch}
