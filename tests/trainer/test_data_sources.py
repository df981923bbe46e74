"""Every data source fit/evaluate/predict accept trains like plain NumPy SGD on the same batches.

A zero-initialized linear model trained with SGD on mean squared error has a closed-form update,
so each source (generator, iterable, PyDataset, DataLoader, pandas) is checked against a NumPy
re-computation over the same batches in the same order, ragged last batch included.
"""

import itertools
import warnings

import numpy as np
import pytest

import lamina
from lamina import callbacks, layers, optimizers
from lamina.utils.py_dataset import PyDataset

N, BATCH, LR = 10, 4, 0.1


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
    return x, y


def _model(metrics=None, steps_per_execution=1):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=optimizers.SGD(learning_rate=LR), loss="mse", metrics=metrics,
                  steps_per_execution=steps_per_execution)
    return model


def _batches(x, y, sw=None, batch=BATCH):
    return [(x[s:s + batch], y[s:s + batch]) + (() if sw is None else (sw[s:s + batch],))
            for s in range(0, len(x), batch)]


def _numpy_sgd(batches, epochs=1):
    """Weights after minibatch SGD on Keras's weighted MSE: sum(sw * mse_i) / batch size."""
    w, b = np.zeros((3, 1)), np.zeros(1)
    for _ in range(epochs):
        for batch in batches:
            xb, yb = batch[0].astype(np.float64), batch[1]
            sw = batch[2] if len(batch) == 3 else np.ones(len(xb))
            grad_out = 2 * (xb @ w + b - yb) * sw[:, None] / len(xb)
            w, b = w - LR * xb.T @ grad_out, b - LR * grad_out.sum(0)
    return w, b


def _assert_weights(model, expected):
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, expected[1], rtol=1e-5, atol=1e-6)


class Batches(PyDataset):
    """Batches of in-memory arrays, in order (a ragged last batch when N % BATCH)."""

    def __init__(self, x, y, batch=BATCH, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch, self.fail_at = x, y, batch, fail_at

    def __len__(self):
        return (len(self.x) + self.batch - 1) // self.batch

    def __getitem__(self, index):
        if index == self.fail_at:
            raise OSError(f"disk error reading batch {index}")
        rows = slice(index * self.batch, (index + 1) * self.batch)
        return self.x[rows], self.y[rows]


class Endless(PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        start = (index * BATCH) % 8
        return self.x[start:start + BATCH], self.y[start:start + BATCH]


# -- each source trains like NumPy -----------------------------------------------------------------
def test_numpy_arrays_reference(data):
    x, y = data
    model = _model()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=2))


def test_generator_with_ragged_last_batch_until_exhausted(data):
    x, y = data
    model = _model()
    history = model.fit((b for b in _batches(x, y)), epochs=1, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y)))
    assert len(history.history["loss"]) == 1


def test_generator_with_steps_per_epoch_continues_across_epochs(data):
    x, y = data
    stream = (b for _ in range(3) for b in _batches(x, y))
    model = _model()
    model.fit(stream, epochs=3, steps_per_epoch=3, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=3))


def test_generator_of_sample_weights_and_single_element_tuples(data):
    x, y = data
    sw = np.array([1, 0, 2, 1, 1, 0, 1, 3, 1, 1], "float32")
    model = _model()
    model.fit(iter(_batches(x, y, sw)), verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y, sw)))
    preds = model.predict(((xb,) for xb, _ in _batches(x, y)), verbose=0)
    w, b = _numpy_sgd(_batches(x, y, sw))
    np.testing.assert_allclose(preds, x @ w + b, rtol=1e-5, atol=1e-6)


def test_reiterable_iterable_is_read_again_each_epoch(data):
    x, y = data

    class Reiterable:
        def __iter__(self):
            return iter(_batches(x, y))

    model = _model()
    history = model.fit(Reiterable(), epochs=3, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=3))
    assert history.epoch == [0, 1, 2]


@pytest.mark.parametrize("workers", [1, 3])
def test_py_dataset_in_order_with_thread_workers(data, workers):
    x, y = data
    model = _model()
    model.fit(Batches(x, y, workers=workers, max_queue_size=2), epochs=2, shuffle=False,
              verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=2))


def test_py_dataset_shuffle_visits_every_batch_once_per_epoch(data):
    x, y = data
    seen = []

    class Recording(Batches):
        def __getitem__(self, index):
            seen.append(index)
            return super().__getitem__(index)

    _model().fit(Recording(x, y), epochs=3, shuffle=True, verbose=0)
    # The first batch read (to build the model) is also the first epoch's first batch.
    assert len(seen) == 9
    assert [sorted(seen[3 * e:3 * e + 3]) for e in range(3)] == [[0, 1, 2]] * 3
    assert seen[:3] != seen[3:6] or seen[3:6] != seen[6:]  # reshuffled between epochs


def test_torch_dataloader(data):
    torch = pytest.importorskip("torch")
    x, y = data
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=BATCH, shuffle=False)
    model = _model()
    model.fit(loader, epochs=2, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=2))
    w, b = _numpy_sgd(_batches(x, y), epochs=2)
    np.testing.assert_allclose(model.predict(loader, verbose=0), x @ w + b, rtol=1e-5,
                               atol=1e-6)


def test_pandas_dataframe_and_series(data):
    pd = pytest.importorskip("pandas")
    x, y = data
    frame = pd.DataFrame(x.astype(np.float64), columns=["a", "b", "c"])
    model = _model()
    model.fit(frame, pd.Series(y[:, 0]), batch_size=BATCH, shuffle=False, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y)))


def test_tf_dataset(data):
    tf = pytest.importorskip("tensorflow")
    x, y = data
    model = _model()
    model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH), epochs=2, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=2))


def test_grain_dataset(data):
    grain = pytest.importorskip("grain")
    x, y = data
    dataset = grain.MapDataset.source(_batches(x, y))
    model = _model()
    model.fit(dataset, epochs=2, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=2))


def test_dict_inputs_and_outputs_by_name_from_a_generator():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(6, 2)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    t1, t2 = rng.normal(size=(6, 1)).astype("float32"), rng.normal(size=(6, 2)).astype("float32")

    def build():
        lamina.random.set_random_seed(3)
        ia, ib = lamina.Input((2,), name="a"), lamina.Input((3,), name="b")
        joined = layers.Concatenate()([ia, ib])
        model = lamina.Model({"a": ia, "b": ib}, {"out1": layers.Dense(1, name="out1")(joined),
                                                  "out2": layers.Dense(2, name="out2")(joined)})
        model.compile(optimizers.SGD(0.05), {"out1": "mse", "out2": "mae"})
        return model

    reference = build()
    reference.fit({"a": a, "b": b}, {"out1": t1, "out2": t2}, batch_size=4, shuffle=False,
                  verbose=0)
    streamed = build()
    streamed.fit(({"a": a[s:s + 4], "b": b[s:s + 4]},
                  {"out1": t1[s:s + 4], "out2": t2[s:s + 4]}) for s in (0, 4))
    for got, want in zip(streamed.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_class_weight_with_a_generator_equals_sample_weight(data):
    x, _ = data
    labels = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0], "float32")[:, None]
    sw = np.where(labels[:, 0] == 1, 3.0, 0.5).astype("float32")
    model = _model()
    model.fit((b for b in _batches(x, labels)), class_weight={0: 0.5, 1: 3.0}, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, labels, sw)))


# -- validation, evaluate, predict -----------------------------------------------------------------
def test_validation_data_in_each_form(data):
    x, y = data
    w, b = _numpy_sgd(_batches(x, y))
    val_loss = float(np.mean((x[:8] @ w + b - y[:8]) ** 2))  # validation_steps=2 of 4 rows
    sources = {
        "arrays": (x, y),
        "generator": (bt for _ in range(2) for bt in _batches(x, y)),
        "py_dataset": Batches(x, y),
    }
    for name, validation in sources.items():
        model = _model()
        history = model.fit(x, y, batch_size=BATCH, shuffle=False, validation_data=validation,
                            validation_steps=2, validation_batch_size=4 if name == "arrays"
                            else None, verbose=0)
        np.testing.assert_allclose(history.history["val_loss"], [val_loss], rtol=1e-5,
                                   err_msg=name)


def test_evaluate_and_predict_streams_match_numpy(data):
    x, y = data
    model = _model(metrics=["mae"])
    model.fit(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    w, b = _numpy_sgd(_batches(x, y))
    pred = x @ w + b
    logs = model.evaluate(Batches(x, y), verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], np.mean((pred - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(logs["mae"], np.mean(np.abs(pred - y)), rtol=1e-5)
    np.testing.assert_allclose(model.predict(Batches(x, y), verbose=0), pred, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict(x, steps=2, batch_size=3, verbose=0), pred[:6],
                               rtol=1e-5, atol=1e-6)
    gen_logs = model.evaluate((bt for bt in _batches(x, y)), steps=1, verbose=0)
    np.testing.assert_allclose(gen_logs[0], np.mean((pred[:4] - y[:4]) ** 2), rtol=1e-5)


def test_endless_sources_need_steps(data):
    x, y = data
    model = _model()
    with pytest.raises(ValueError, match=r"Endless passed as `x` never ends.*steps_per_epoch"):
        model.fit(Endless(x, y), verbose=0)
    with pytest.raises(ValueError, match=r"cycle passed as `x` never ends"):
        model.fit(itertools.cycle(_batches(x, y)[:2]), verbose=0)
    model.fit(Endless(x, y), steps_per_epoch=2, epochs=2, verbose=0)
    _assert_weights(model, _numpy_sgd(_batches(x, y)[:2], epochs=2))


def test_exhausted_generator_warns_and_stops_in_the_second_epoch(data):
    x, y = data
    model = _model()
    with pytest.warns(UserWarning, match=r"ran out of data after 0 batches of epoch 2"):
        history = model.fit(iter(_batches(x, y)), epochs=3, verbose=0)
    assert history.epoch == [0]
    _assert_weights(model, _numpy_sgd(_batches(x, y)))


# -- compiled calls --------------------------------------------------------------------------------
def test_streamed_steps_trace_once_per_shape_for_any_number_of_epochs(data):
    x, y = data
    model = _model()
    model.fit(Batches(x, y), epochs=1, shuffle=False, verbose=0)
    counts = dict(model._stream.trace_counts)
    model.fit(Batches(x, y), epochs=4, shuffle=False, verbose=0)
    assert model._stream.trace_counts == counts
    # Two full batches in one grouped call, the ragged one alone: two traces in all.
    assert counts["train_group"] == 1 and counts["train_one"] == 1


def test_per_batch_callbacks_see_every_batch_with_two_traces(data):
    x, y = data
    seen = []
    hook = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model = _model()
    model.fit(Batches(x, y), epochs=3, shuffle=False, callbacks=[hook], verbose=0)
    assert seen == [0, 1, 2] * 3
    assert model._stream.trace_counts["train_one"] == 2  # full-size and ragged batches
    assert model._stream.trace_counts["train_group"] == 0
    _assert_weights(model, _numpy_sgd(_batches(x, y), epochs=3))


def test_steps_per_execution_groups_streamed_batches(data):
    x, y = data
    seen = []
    hook = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model = _model(steps_per_execution=2)
    model.fit(Batches(x, y, batch=2), epochs=1, shuffle=False, callbacks=[hook], verbose=0)
    assert seen == [1, 3, 4]  # five batches of 2: calls of 2, 2 and 1 (padded) batches
    _assert_weights(model, _numpy_sgd(_batches(x, y, batch=2)))


# -- bad input -------------------------------------------------------------------------------------
def test_errors_for_arguments_that_belong_in_the_batches(data):
    x, y = data
    model = _model()
    with pytest.raises(ValueError, match=r"`batch_size` must be None when `x` is the Batches"):
        model.fit(Batches(x, y), batch_size=4, verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight` must be None when `x` is"):
        model.fit(Batches(x, y), sample_weight=np.ones(N), verbose=0)
    with pytest.raises(ValueError, match=r"`validation_split` only splits in-memory arrays"):
        model.fit(Batches(x, y), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match=r"batch 0 .*tuple of 4 elements"):
        model.fit(iter([(x, y, y, y)]), verbose=0)
    with pytest.raises(ValueError, match=r"hold only `x`; training needs targets"):
        model.fit(iter([x]), verbose=0)


def test_inconsistent_batches_name_the_batch_and_keep_earlier_steps(data):
    x, y = data
    good = _batches(x, y)[:2]
    model = _model()
    with pytest.raises(ValueError) as err:
        model.fit(iter([*good, (np.ones((2, 4), "float32"), y[:2])]), verbose=0)
    message = str(err.value)
    assert "batch 2 (epoch 1) from the list_iterator passed as `x`" in message
    assert "x: (None, 3) float32" in message and "x: (None, 4) float32" in message
    _assert_weights(model, _numpy_sgd(good))
    model = _model()
    with pytest.raises(ValueError, match=r"batch 1 .*x: \(None, 3\) int32"):
        model.fit(iter([good[0], (np.ones((4, 3), "int32"), y[:4])]), verbose=0)
    with pytest.raises(ValueError, match=r"batch 1 from the list_iterator.*`x` has 4 samples"):
        model.fit(iter([good[0], (x[:4], y[:3])]), verbose=0)


def test_failing_py_dataset_names_the_batch_and_keeps_the_weights(data):
    x, y = data
    model = _model()
    with pytest.raises(RuntimeError) as err:
        model.fit(Batches(x, y, fail_at=2), epochs=1, shuffle=False, verbose=0)
    message = str(err.value)
    assert "Batches passed as `x` raised OSError while producing batch 2 of epoch 1" in message
    assert "disk error reading batch 2" in message and "__getitem__(2)" in message
    assert isinstance(err.value.__cause__, OSError)
    _assert_weights(model, _numpy_sgd(_batches(x, y)[:2]))


def test_raising_callback_is_named_and_weights_stay_usable(data):
    x, y = data

    class Exploding(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                raise KeyError("boom")

    for source in (Batches(x, y), None):
        model = _model()
        with pytest.raises(KeyError) as err:
            if source is None:
                model.fit(x, y, batch_size=BATCH, shuffle=False, callbacks=[Exploding()],
                          verbose=0)
            else:
                model.fit(source, shuffle=False, callbacks=[Exploding()], verbose=0)
        note = " ".join(err.value.__notes__)
        assert "callback Exploding in on_train_batch_end(batch=1) in epoch 1" in note
        _assert_weights(model, _numpy_sgd(_batches(x, y)[:2]))


def test_warning_free_fit_on_a_py_dataset(data):
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _model().fit(Batches(x, y), epochs=2, verbose=0)


def test_one_shot_validation_generator_validates_once_then_warns(data):
    x, y = data
    model = _model()
    with pytest.warns(UserWarning, match=r"generator passed as `validation_data` ran out"):
        history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                            validation_data=(b for b in _batches(x, y)))
    assert len(history.history["val_loss"]) == 1 and len(history.history["loss"]) == 2
