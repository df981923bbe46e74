"""`LearningRateScheduler`: set the learning rate at the start of every epoch."""

import numbers

import numpy as np

from lamina.callbacks.callback import Callback


class LearningRateScheduler(Callback):
    """Call `schedule(epoch, lr)` (or `schedule(epoch)`) before each epoch and use its result.

    Args:
        schedule: Function of the 0-based epoch index and the current learning rate that
            returns the new learning rate as a float.
        verbose: 1 prints the new rate each epoch.

    >>> callback = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    >>> callable(callback.schedule)
    True
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError("LearningRateScheduler: `schedule` must be a function of (epoch, lr) "
                            f"or (epoch). Received: schedule={schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            learning_rate = self.schedule(epoch, float(np.asarray(optimizer.learning_rate)))
        except TypeError:  # a one-argument schedule
            learning_rate = self.schedule(epoch)
        if isinstance(learning_rate, bool) or not isinstance(
                learning_rate, (numbers.Real, np.floating)):
            raise ValueError("LearningRateScheduler: the schedule must return a float learning "
                             f"rate. It returned {learning_rate!r} for epoch {epoch}.")
        optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(learning_rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(np.asarray(self.model.optimizer.learning_rate))
