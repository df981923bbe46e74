"""`TerminateOnNaN`: stop training when the loss becomes NaN or infinite."""

import math

from lamina.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop `fit` (or raise, with `raise_error=True`) when the loss is NaN or infinite.

    lamina runs many batches per compiled call; this callback looks at the running loss after
    each call (its batch hooks accept that coarseness, so it does not slow training down). A
    NaN in any batch makes the running loss NaN, so it is still caught, at the end of the call.

    Args:
        raise_error: Raise a RuntimeError instead of stopping quietly.

    >>> TerminateOnNaN().raise_error
    False
    """

    _batch_hooks_are_coarse = True

    def __init__(self, raise_error=False):
        super().__init__()
        if not isinstance(raise_error, bool):
            raise TypeError("TerminateOnNaN: `raise_error` must be True or False. Received: "
                            f"raise_error={raise_error!r}.")
        self.raise_error = raise_error

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"TerminateOnNaN: the loss became {loss} at batch {batch}. "
                                   "Lower the learning rate, check the data for NaN/inf, or "
                                   "clip gradients (clipnorm=).")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        # An epoch hook also keeps fit from fusing all epochs into one compiled call, so
        # training stops at the end of the epoch that went wrong at the latest.
        if not self.model.stop_training:
            self.on_train_batch_end(epoch, logs)

    def get_config(self):
        return {"raise_error": self.raise_error}
