import pytest

from lamina.callbacks import CallbackList, History


class Model:
    """Stands in for a model: History only sets `model.history` on it."""


def test_history_records_each_epoch():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.9, "accuracy": 0.5})
    history.on_epoch_end(1, {"loss": 0.6, "accuracy": 0.7, "val_loss": 0.65})
    history.on_epoch_end(2, {"loss": 0.4, "accuracy": 0.8, "val_loss": 0.5})
    assert history.epoch == [0, 1, 2]
    # a key that first appears later has one entry per epoch it was logged in
    assert history.history == {"loss": [0.9, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8],
                               "val_loss": [0.65, 0.5]}


def test_history_without_logs_records_the_epoch_only():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0)
    assert history.epoch == [0] and history.history == {}


def test_history_new_run_restarts_epochs_and_keeps_values():
    history = History()
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.5})
    assert history.epoch == [0]
    assert history.history == {"loss": [1.0, 0.5]}


def test_history_attaches_itself_to_the_model_at_train_begin():
    model = Model()
    history = History()
    history.set_model(model)
    history.on_train_begin()
    assert model.history is history


def test_history_does_not_sync_model_state():
    class SyncCounting:
        syncs = 0

        def jax_state_sync(self):
            self.syncs += 1

    model = SyncCounting()
    history = History()
    history.set_model(model)
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 1.0})
    assert model.history is history and model.syncs == 0


def test_history_in_a_callback_list_over_epochs():
    model = Model()
    callbacks = CallbackList(add_history=True, model=model, epochs=3, steps=2, verbose=0)
    assert isinstance(model.history, History)
    callbacks.on_train_begin()
    for epoch, loss in enumerate([0.75, 0.5, 0.25]):
        callbacks.on_epoch_begin(epoch)
        callbacks.on_train_batch_end(1, {"loss": loss + 0.1})
        callbacks.on_epoch_end(epoch, {"loss": loss, "val_loss": loss + 0.125})
    callbacks.on_train_end({"loss": 0.25})
    assert model.history.epoch == [0, 1, 2]
    assert model.history.history == {"loss": [0.75, 0.5, 0.25], "val_loss": [0.875, 0.625, 0.375]}
    assert model.history.params == {"epochs": 3, "steps": 2, "verbose": 0}


def test_history_epoch_hooks_may_be_deferred():
    history = History()
    assert not history._needs_epoch_hooks()
    assert not history._needs_batch_hooks("train")


def test_history_config_round_trip():
    history = History()
    history.on_epoch_end(0, {"loss": 1.0})
    config = history.get_config()
    assert config == {}
    rebuilt = History.from_config(config)
    assert rebuilt.history == {} and rebuilt.epoch == []


def test_history_from_config_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="History.from_config: could not rebuild from "
                                        "\\{'verbose': 1\\}: .*unexpected keyword argument"):
        History.from_config({"verbose": 1})
