"""Structural facts about compiled training: what is traced once, how many calls an epoch is."""

import numpy as np
import pytest

import lamina
from lamina import callbacks, layers, optimizers


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    return x, (x.sum(axis=1, keepdims=True) > 0).astype("float32")


@pytest.fixture(scope="module")
def model(data):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="relu"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def _count_calls(steps, name):
    calls = []
    original = getattr(steps, name)

    def counted(*args):
        calls.append(args)
        return original(*args)

    setattr(steps, name, counted)
    return calls, lambda: setattr(steps, name, original)


def test_fused_epochs_are_one_call_traced_once(model, data):
    x, y = data
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    steps = model._steps
    traced = dict(steps.trace_counts)
    calls, restore = _count_calls(steps, "run_train_epochs")
    try:
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    finally:
        restore()
    assert len(calls) == 1
    assert steps.trace_counts == traced          # the second fit reuses the compiled loop
    assert len(history.history["loss"]) == 3


def test_epoch_is_one_compiled_call_when_no_callback_needs_batches(model, data):
    x, y = data

    class EpochOnly(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[EpochOnly()])
    traced = dict(model._steps.trace_counts)
    calls, restore = _count_calls(model._steps, "run_train")
    try:
        model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[EpochOnly()])
    finally:
        restore()
    assert len(calls) == 4
    assert model._steps.trace_counts == traced


def test_steps_per_execution_groups_batch_hooks(data):
    x, y = data
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
    model.compile(optimizers.SGD(0.01), "mse", steps_per_execution=2)
    seen = []

    class Batches(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    # 20 samples in batches of 3: six full batches and one of 2.
    model.fit(x, y, epochs=1, batch_size=3, verbose=0, callbacks=[Batches()])
    assert seen == [1, 3, 5, 6]
    traced = model._steps.trace_counts["train"]
    model.fit(x, y, epochs=1, batch_size=3, verbose=0, callbacks=[Batches()])
    # Dynamic loop bounds: a new chunk position does not retrace; remainder or not does.
    assert model._steps.trace_counts["train"] == traced


def test_predict_is_traced_once_per_input_shape(model, data):
    x, _ = data
    model.predict(x, verbose=0)
    traced = model._steps.trace_counts["predict"]
    model.predict(x, verbose=0)
    model.predict(x + 1.0, verbose=0)
    assert model._steps.trace_counts["predict"] == traced


def test_run_eagerly_gives_same_result_as_compiled(data):
    x, y = data

    def trained(run_eagerly):
        lamina.random.set_random_seed(3)
        model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2, activation="tanh"),
                                   layers.Dense(1)])
        model.compile(optimizers.SGD(0.1, momentum=0.5), "mse", run_eagerly=run_eagerly)
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        return model.get_weights()

    for a, b in zip(trained(True), trained(False)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_live_progress_bar_runs_the_epoch_in_chunks(data, monkeypatch):
    """On a terminal the bar needs several updates per epoch; in a log it needs none."""
    x, y = data
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
    model.compile(optimizers.SGD(0.01), "mse")
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    calls, restore = _count_calls(model._steps, "run_train")
    try:
        model.fit(x, y, epochs=1, batch_size=2, verbose=1)      # pytest's stdout is no terminal
        in_log = len(calls)
        monkeypatch.setattr("lamina.trainer.loop.is_dynamic_display", lambda: True)
        model.fit(x, y, epochs=1, batch_size=2, verbose=1)
    finally:
        restore()
    assert in_log == 1
    assert len(calls) - in_log >= 2           # the first chunk is one step, to time it


def _tiny_convnet():
    lamina.random.set_random_seed(11)
    model = lamina.Sequential([lamina.Input((6, 6, 1)), layers.Conv2D(2, 3, activation="relu"),
                               layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(1)])
    model.compile(optimizers.SGD(0.05), "mse")
    return model


def test_convnet_steps_compile_one_by_one_on_cpu_and_match_the_loop(monkeypatch):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(10, 6, 6, 1)).astype("float32")
    y = rng.normal(size=(10, 1)).astype("float32")
    stepwise = _tiny_convnet()
    # A 3x3 convolution and tiled pooling lower to forms compiled loops run well.
    assert not stepwise._steps_compile_one_by_one()
    monkeypatch.setattr(type(stepwise), "_steps_compile_one_by_one", lambda self: True)
    stepwise.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    calls, restore = _count_calls(stepwise._steps, "run_train_batch")
    try:
        stepwise.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    finally:
        restore()
    assert len(calls) == 3                                  # batches of 4, 4 and 2
    assert stepwise._steps.trace_counts["train_batch"] == 2  # one per batch shape
    assert stepwise._steps.trace_counts["train"] == 0

    monkeypatch.setattr(type(stepwise), "_steps_compile_one_by_one", lambda self: False)
    looped = _tiny_convnet()
    looped.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(stepwise.get_weights(), looped.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_predict_on_arrays_runs_callbacks_per_batch(model, data):
    x, _ = data
    seen = []

    class Watch(callbacks.Callback):
        def on_predict_begin(self, logs=None):
            seen.append("begin")

        def on_predict_batch_end(self, batch, logs=None):
            seen.append((batch, logs["outputs"].shape))

        def on_predict_end(self, logs=None):
            seen.append("end")

    out = model.predict(x, batch_size=8, verbose=0, callbacks=[Watch()])
    # 20 rows in batches of 8: two full batches and one of 4, each seen with its outputs.
    assert seen == ["begin", (0, (8, 1)), (1, (8, 1)), (2, (4, 1)), "end"]
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-6)


def test_cached_variable_lists_follow_trainability_and_new_layers(data):
    x, _ = data
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    before = model.predict(x, verbose=0)
    assert [len(v) for v in model._variable_lists()] == [2, 0]
    model.layers[0].trainable = False
    assert [len(v) for v in model._variable_lists()] == [0, 2]
    np.testing.assert_allclose(model.predict(x, verbose=0), before, rtol=1e-6)
    model.layers[0].trainable = True
    model.layers[0].bias.trainable = False
    assert [[v.name for v in group] for group in model._variable_lists()] == [["kernel"],
                                                                               ["bias"]]
    model.layers[0].bias.trainable = True
    model.add(layers.Dense(1))
    trainable, _ = model._variable_lists()
    assert [tuple(v.shape) for v in trainable] == [(3, 2), (2,), (2, 1), (1,)]
    kernel = model.layers[1].kernel.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), before @ kernel, rtol=1e-5,
                               atol=1e-6)


def test_a_dead_model_hands_its_state_size_to_the_allocator_release(data, monkeypatch):
    import gc

    from lamina.backend.common import global_state
    x, y = data
    released = []
    gc.collect()  # models of earlier tests die now, not below
    monkeypatch.setattr(global_state, "_TRIM", lambda pad: released.append(pad))
    monkeypatch.setattr(global_state, "_freed", [0])
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4), layers.Dense(1)])
    model.compile(optimizers.Adam(0.01), "mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    del model
    gc.collect()
    # 21 float32 weights, Adam's two slots each and its iteration and learning rate (int32 and
    # float32): (21 * 3) * 4 + 4 + 4 bytes, counted three times for gradients and batches.
    assert global_state._freed == [3 * (21 * 3 * 4 + 4 + 4)]
    assert released == []
    monkeypatch.setattr(global_state, "_TRIM_AFTER_BYTES", 1)
    global_state.note_freed(1)
    assert released == [0] and global_state._freed == [0]


def test_a_first_fit_compiles_only_its_training_program(caplog):
    """NumPy data, zeros and initial values of new shapes reach the device without compiling
    anything (the process's one-time programs, such as seeding, are compiled by a warm-up)."""
    import logging

    import jax
    warm_up = lamina.Sequential([lamina.Input((2,)), layers.Dense(1)])
    warm_up.compile(optimizers.SGD(0.01), "mse")
    warm_up.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(13, 7)).astype("float64")   # shapes no other test uses
    y = rng.normal(size=(13, 3)).astype("float32")
    jax.config.update("jax_log_compiles", True)
    try:
        with caplog.at_level(logging.WARNING):
            model = lamina.Sequential([lamina.Input((7,)), layers.Dense(11), layers.Dense(3)])
            model.compile(optimizers.SGD(0.01), "mse")
            model.fit(x, y, epochs=2, batch_size=13, verbose=0)
    finally:
        jax.config.update("jax_log_compiles", False)
    compiled = [r.getMessage().split(" with ")[0] for r in caplog.records
                if r.getMessage().startswith("Compiling ")]
    assert compiled == ["Compiling jit(_run_train_epochs)"]


def test_converted_numpy_arrays_do_not_share_the_callers_buffer():
    # A 64-byte aligned buffer: one that the CPU client would adopt if it were handed over.
    raw = np.empty(64 * 64 * 4 + 64, dtype=np.uint8)
    offset = -raw.ctypes.data % 64
    a = raw[offset:offset + 64 * 64 * 4].view(np.float32).reshape(64, 64)
    a[:] = 1.0
    t = lamina.ops.convert_to_tensor(a)
    a[:] = 7.0
    assert float(lamina.ops.sum(t)) == 64 * 64


def test_predict_serving_path_matches_the_general_path(model, data):
    x, _ = data
    kernel, bias, kernel2, bias2 = model.get_weights()
    hidden = np.maximum(x.astype("float64") @ kernel + bias, 0.0)
    expected = 1.0 / (1.0 + np.exp(-(hidden @ kernel2 + bias2)))
    served = model.predict(x, verbose=0)                      # float32 array: serving path
    general = model.predict(x.astype("float64"), verbose=0)   # narrowed first
    listed = model.predict(x.tolist(), verbose=0)
    for out in (served, general, listed):
        assert out.shape == (20, 1) and out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_predict_serves_a_plain_array_without_the_general_preparation(model, data, monkeypatch):
    from lamina.trainer import data_adapters
    x, _ = data
    expected = model.predict(x, verbose=1)  # the general path (a progress bar)
    prepared = []
    original = data_adapters.standardize_dtypes

    def spy(struct):
        prepared.append(struct)
        return original(struct)
    monkeypatch.setattr(data_adapters, "standardize_dtypes", spy)
    served = model.predict(x, verbose=0)
    assert prepared == []                                   # nothing to convert or walk
    np.testing.assert_array_equal(served, expected)
    # Other batch shapes may round the last bit differently.
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0), expected, rtol=1e-6)
    # float64 is narrowed, so it takes the general path, which converts it.
    np.testing.assert_allclose(model.predict(x.astype("float64"), verbose=0), expected,
                               rtol=1e-6)
    assert len(prepared) == 1 and prepared[0].dtype == np.float64


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_predict_serving_path_still_rejects_a_bad_batch_size(model, data, batch_size):
    with pytest.raises((ValueError, TypeError), match="batch_size"):
        model.predict(data[0], batch_size=batch_size, verbose=0)
