import pytest

from lamina import callbacks
from lamina.callbacks import Callback, CallbackList, History, ProgbarLogger

ALL_HOOKS = [("on_batch_begin", 0), ("on_batch_end", 0), ("on_epoch_begin", 0),
             ("on_epoch_end", 0), ("on_train_batch_begin", 0), ("on_train_batch_end", 0),
             ("on_test_batch_begin", 0), ("on_test_batch_end", 0), ("on_predict_batch_begin", 0),
             ("on_predict_batch_end", 0), ("on_train_begin", None), ("on_train_end", None),
             ("on_test_begin", None), ("on_test_end", None), ("on_predict_begin", None),
             ("on_predict_end", None)]


@pytest.mark.parametrize("hook, index", ALL_HOOKS)
def test_callback_hooks_are_no_ops(hook, index):
    callback = Callback()
    args = () if index is None else (index,)
    assert getattr(callback, hook)(*args, logs={"loss": 1.0}) is None
    assert callback.params is None and callback.model is None


def test_callback_set_params_and_model():
    callback = Callback()
    model = object()
    callback.set_params({"epochs": 3, "steps": 10, "verbose": 1})
    callback.set_model(model)
    assert callback.params == {"epochs": 3, "steps": 10, "verbose": 1}
    assert callback.model is model


def test_callback_set_params_rejects_non_dict():
    with pytest.raises(TypeError, match="Callback.set_params: `params` must be a dict. "
                                        "Received: \\[3\\] of type list"):
        Callback().set_params([3])


def test_callback_model_asks_the_trainer_to_sync_state():
    class Model:
        syncs = 0

        def jax_state_sync(self):
            self.syncs += 1

    model = Model()
    callback = Callback()
    callback.set_model(model)
    assert callback.model is model and callback.model is model
    assert model.syncs == 2


def test_callback_train_batch_hooks_call_the_old_batch_names():
    class OldStyle(Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_batch_begin(self, batch, logs=None):
            self.calls.append(("begin", batch, logs))

        def on_batch_end(self, batch, logs=None):
            self.calls.append(("end", batch, logs))

    callback = OldStyle()
    callback.on_train_batch_begin(3, logs={"a": 1.0})
    callback.on_train_batch_end(3, logs={"loss": 0.5})
    callback.on_test_batch_end(3, logs={"loss": 0.5})       # not a training batch
    assert callback.calls == [("begin", 3, {"a": 1.0}), ("end", 3, {"loss": 0.5})]


class TrainBatchEnd(Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


class OldBatchBegin(Callback):
    def on_batch_begin(self, batch, logs=None):
        pass


class EvalBatchEnd(Callback):
    def on_test_batch_end(self, batch, logs=None):
        pass


class PredictBatchBegin(Callback):
    def on_predict_batch_begin(self, batch, logs=None):
        pass


class EpochEnd(Callback):
    def on_epoch_end(self, epoch, logs=None):
        pass


class TrainBegin(Callback):
    def on_train_begin(self, logs=None):
        pass


class CoarseBatchEnd(Callback):
    _batch_hooks_are_coarse = True

    def on_train_batch_end(self, batch, logs=None):
        pass


class DeferredEpochEnd(Callback):
    _epoch_hooks_can_be_deferred = True

    def on_epoch_end(self, epoch, logs=None):
        pass


class ProgbarSubclass(ProgbarLogger):
    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)


class HistorySubclass(History):
    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)


class InheritsCoarse(CoarseBatchEnd):
    def on_epoch_begin(self, epoch, logs=None):
        pass


@pytest.mark.parametrize("cls, train, test, predict, epoch", [
    (Callback, False, False, False, False),
    (TrainBatchEnd, True, False, False, False),
    (OldBatchBegin, True, False, False, False),
    (EvalBatchEnd, False, True, False, False),
    (PredictBatchBegin, False, False, True, False),
    (EpochEnd, False, False, False, True),
    (TrainBegin, False, False, False, True),
    (CoarseBatchEnd, False, False, False, False),
    (DeferredEpochEnd, False, False, False, False),
    (History, False, False, False, False),
    (ProgbarSubclass, True, False, False, True),     # its own batch hook is not declared coarse
    (HistorySubclass, False, False, False, True),
    (InheritsCoarse, False, False, False, True),      # the inherited hook stays coarse
])
def test_callback_needs_hooks(cls, train, test, predict, epoch):
    callback = cls()
    assert callback._needs_batch_hooks("train") is train
    assert callback._needs_batch_hooks("test") is test
    assert callback._needs_batch_hooks("predict") is predict
    assert callback._needs_epoch_hooks() is epoch


def test_callback_hook_set_on_the_instance_needs_batch_hooks():
    callback = Callback()
    callback.on_train_batch_end = lambda batch, logs=None: None
    assert callback._needs_batch_hooks("train")


def test_callback_needs_batch_hooks_rejects_unknown_mode():
    with pytest.raises(ValueError, match="unknown mode 'eval'. Expected one of "
                                         "\\['predict', 'test', 'train'\\]"):
        Callback()._needs_batch_hooks("eval")


@pytest.mark.parametrize("cls", [Callback, History, ProgbarLogger])
def test_callback_config_round_trip(cls):
    callback = cls()
    assert callback.get_config() == {}
    assert type(cls.from_config(callback.get_config())) is cls
    config = callbacks.serialize(callback)
    assert config == {"module": "keras.callbacks", "class_name": cls.__name__, "config": {},
                      "registered_name": cls.__name__}
    assert type(callbacks.deserialize(config)) is cls


def test_callback_from_config_rejects_non_dict():
    with pytest.raises(TypeError, match="History.from_config: `config` must be a dict"):
        History.from_config(["x"])


class Remember(Callback):
    def __init__(self, patience=1):
        super().__init__()
        self.patience = patience

    def get_config(self):
        return {"patience": self.patience}


def test_callbacks_deserialize_custom_callback_inside_a_list():
    config = callbacks.serialize(CallbackList([Remember(patience=4), History()]))
    rebuilt = callbacks.deserialize(config, custom_objects={"Remember": Remember})
    assert isinstance(rebuilt, CallbackList)
    assert [type(cb) for cb in rebuilt.callbacks] == [Remember, History]
    assert rebuilt.callbacks[0].patience == 4


def test_callbacks_get():
    history = History()
    assert callbacks.get(history) is history
    assert callbacks.get(None) is None
    assert type(callbacks.get("ProgbarLogger")) is ProgbarLogger
    assert type(callbacks.get({"class_name": "History", "config": {}})) is History


def test_callbacks_get_rejects_unknown_names_and_types():
    with pytest.raises(ValueError, match="Unknown callback: 'Histroy'. Known names: "
                                         "\\[.*'History'.*'ProgbarLogger'.*\\]"):
        callbacks.get("Histroy")
    with pytest.raises(TypeError, match="could not interpret identifier 3 of type int"):
        callbacks.get(3)
    with pytest.raises(TypeError, match="callbacks.serialize: expected a lamina.callbacks."
                                        "Callback instance. Received: 3"):
        callbacks.serialize(3)
