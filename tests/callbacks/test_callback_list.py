import numpy as np
import pytest

from lamina import callbacks, ops
from lamina.callbacks import Callback, CallbackList, History, ProgbarLogger


class Recorder(Callback):
    """Records every hook call with a copy of its logs."""

    def __init__(self, name="recorder", calls=None):
        super().__init__()
        self.name = name
        self.calls = [] if calls is None else calls

    def _record(self, hook, *args, logs=None):
        self.calls.append((self.name, hook, *args, None if logs is None else dict(logs)))

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("train_batch_begin", batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("train_batch_end", batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._record("test_batch_begin", batch, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._record("test_batch_end", batch, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._record("predict_batch_begin", batch, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._record("predict_batch_end", batch, logs=logs)

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._record("train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._record("test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._record("test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._record("predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._record("predict_end", logs=logs)


class Model:
    pass


def test_callback_list_calls_every_hook_on_every_callback_in_order():
    calls = []
    cbs = CallbackList([Recorder("a", calls), [Recorder("b", calls)]])    # nested lists flatten
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_test_begin()
    cbs.on_test_batch_begin(0)
    cbs.on_test_batch_end(0, {"loss": 2.0})
    cbs.on_test_end({"loss": 2.0})
    cbs.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    cbs.on_train_end({"loss": 1.0})
    cbs.on_predict_begin()
    cbs.on_predict_batch_begin(0)
    cbs.on_predict_batch_end(0, {"outputs": np.zeros((2, 3))})
    cbs.on_predict_end()
    hooks = ["train_begin", "epoch_begin", "train_batch_begin", "train_batch_end", "test_begin",
             "test_batch_begin", "test_batch_end", "test_end", "epoch_end", "train_end",
             "predict_begin", "predict_batch_begin", "predict_batch_end", "predict_end"]
    assert [(name, hook) for name, hook, *_ in calls] == [
        (name, hook) for hook in hooks for name in "ab"]
    assert calls[6] == ("a", "train_batch_end", 0, {"loss": 1.0})
    assert calls[16] == ("a", "epoch_end", 0, {"loss": 1.0, "val_loss": 2.0})
    assert calls[0] == ("a", "train_begin", {})       # missing logs arrive as an empty dict
    np.testing.assert_array_equal(calls[24][3]["outputs"], np.zeros((2, 3)))


def test_callback_list_converts_logs_to_sorted_python_floats():
    recorder = Recorder()
    cbs = CallbackList([recorder])
    cbs.on_epoch_end(0, {"loss": np.float32(0.5), "accuracy": ops.convert_to_tensor(0.25),
                         "count": np.array([3]), "nested": {"val_loss": np.float64(0.75)},
                         "name": "run-1"})
    logs = recorder.calls[0][3]
    assert list(logs) == ["accuracy", "count", "loss", "name", "val_loss"]   # "nested" last
    assert logs == {"accuracy": 0.25, "count": 3.0, "loss": 0.5, "val_loss": 0.75, "name": "run-1"}
    assert all(type(logs[key]) is float for key in ("accuracy", "count", "loss", "val_loss"))


def test_callback_list_shares_one_logs_dict_along_the_list():
    class AddLearningRate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["learning_rate"] = 0.01

    recorder = Recorder()
    original = {"loss": 1.0}
    CallbackList([AddLearningRate(), recorder]).on_epoch_end(0, original)
    assert recorder.calls[0][3] == {"loss": 1.0, "learning_rate": 0.01}
    assert original == {"loss": 1.0}             # the caller's dict is not changed


def test_callback_list_passes_logs_positionally_to_begin_end_and_epoch_hooks():
    seen = []

    class OddNames(Callback):
        def on_epoch_end(self, epoch, log_dict=None):
            seen.append(log_dict)

        def on_train_begin(self, log_dict=None):
            seen.append(log_dict)

    cbs = CallbackList([OddNames()])
    cbs.on_train_begin({"a": 1.0})
    cbs.on_epoch_end(0, {"loss": 1.0})
    assert seen == [{"a": 1.0}, {"loss": 1.0}]


def test_callback_list_adds_history_and_progbar_once():
    cbs = CallbackList(add_history=True, add_progbar=True)
    assert [type(cb) for cb in cbs.callbacks] == [History, ProgbarLogger]
    history, progbar = History(), ProgbarLogger()
    cbs = CallbackList([progbar, history], add_history=True, add_progbar=True)
    assert cbs.callbacks == [progbar, history]
    assert CallbackList().callbacks == []


def test_callback_list_sets_model_and_params_on_every_callback():
    model = Model()
    recorder = Recorder()
    cbs = CallbackList([recorder], add_history=True, model=model, epochs=2, steps=5, verbose=1)
    assert recorder.model is model and cbs.model is model
    assert model.history is cbs.callbacks[1]
    assert recorder.params == {"epochs": 2, "steps": 5, "verbose": 1}
    cbs.set_params({"epochs": 4, "steps": None, "verbose": 0})
    assert recorder.params == {"epochs": 4, "steps": None, "verbose": 0}
    other = Model()
    cbs.set_model(other)
    assert recorder.model is other and other.history is cbs.callbacks[1]


def test_callback_list_rejects_non_callbacks():
    with pytest.raises(TypeError, match="Received at index 1: <class '.*History'> of type type. "
                                        "Subclass Callback, or pass an instance"):
        CallbackList([History(), History])


def test_callback_list_needs_batch_hooks():
    class Checkpointer(Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    params = {"epochs": 2, "steps": 10, "verbose": 1}
    assert not CallbackList(add_history=True, add_progbar=True, **params).needs_batch_hooks()
    cbs = CallbackList([Checkpointer()], add_history=True, add_progbar=True, **params)
    assert cbs.needs_batch_hooks("train")
    assert not cbs.needs_batch_hooks("test") and not cbs.needs_batch_hooks("predict")
    with pytest.raises(ValueError, match="needs_batch_hooks: unknown mode 'fit'"):
        cbs.needs_batch_hooks("fit")


def test_callback_list_needs_epoch_hooks():
    class EarlyStop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class Timer(Callback):
        def on_train_begin(self, logs=None):
            pass

    assert not CallbackList().needs_epoch_hooks()
    assert not CallbackList(add_history=True, epochs=5, verbose=0).needs_epoch_hooks()
    # a verbose progress bar prints between epochs; a silent one does not
    assert CallbackList(add_progbar=True, epochs=5, steps=3, verbose=1).needs_epoch_hooks()
    assert not CallbackList(add_progbar=True, epochs=5, steps=3, verbose=0).needs_epoch_hooks()
    assert CallbackList([EarlyStop()], add_history=True, verbose=0).needs_epoch_hooks()
    assert CallbackList([Timer()], add_history=True, verbose=0).needs_epoch_hooks()


def test_callback_list_config_round_trip():
    cbs = CallbackList([History(), ProgbarLogger()])
    config = cbs.get_config()
    assert [item["class_name"] for item in config["callbacks"]] == ["History", "ProgbarLogger"]
    rebuilt = CallbackList.from_config(config)
    assert [type(cb) for cb in rebuilt.callbacks] == [History, ProgbarLogger]
    rebuilt = callbacks.deserialize(callbacks.serialize(cbs))
    assert [type(cb) for cb in rebuilt.callbacks] == [History, ProgbarLogger]
