import numpy as np
import pytest

import lamina
from lamina.callbacks import LambdaCallback


def test_hooks_run_during_fit():
    events = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, round(logs["loss"], 6))),
        on_train_end=lambda logs: events.append("end"))
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"), epochs=2,
                        verbose=0, callbacks=[callback])
    assert events[0] == "begin" and events[-1] == "end"
    assert [e[1] for e in events[1:-1]] == [0, 1]
    assert [e[2] for e in events[1:-1]] == [round(v, 6) for v in history.history["loss"]]


def test_batch_hook_sees_every_batch():
    batches = []
    callback = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    assert callback._needs_batch_hooks("train")
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((10, 2), "float32"), np.zeros((10, 1), "float32"), batch_size=4,
              epochs=1, verbose=0, callbacks=[callback])
    assert batches == [0, 1, 2]


def test_other_hooks_by_keyword_and_errors():
    seen = []
    callback = LambdaCallback(on_test_begin=lambda logs: seen.append("test"))
    callback.on_test_begin({})
    assert seen == ["test"]
    with pytest.raises(TypeError, match="unknown hook 'on_epoch_finish'"):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="must be a function"):
        LambdaCallback(on_epoch_end=3)
