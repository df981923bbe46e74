"""fit / evaluate / predict against NumPy re-computations of the same training."""

import numpy as np
import pytest

import lamina
from lamina import callbacks, layers, optimizers


def _linear_model(lr=0.1, loss="mse", metrics=None, units=1, inputs=3):
    model = lamina.Sequential([lamina.Input((inputs,)),
                               layers.Dense(units, kernel_initializer="zeros")])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss=loss, metrics=metrics)
    return model


def _numpy_sgd_epochs(x, y, w, b, lr, batch_size, epochs, sample_weight=None):
    """Plain-NumPy minibatch SGD on mean squared error, in order, with Keras's reduction:
    sum(weight * squared error) / batch size. Returns weights and per-epoch mean losses."""
    losses = []
    for _ in range(epochs):
        total, count = 0.0, 0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            sw = np.ones(len(xb)) if sample_weight is None else \
                sample_weight[start:start + batch_size]
            err = xb @ w + b - yb
            loss = np.sum(sw * np.mean(err ** 2, axis=-1)) / len(xb)
            grad_out = 2 * err * sw[:, None] / (len(xb) * err.shape[-1])
            w = w - lr * xb.T @ grad_out
            b = b - lr * grad_out.sum(0)
            total += loss * len(xb)
            count += len(xb)
        losses.append(total / count)
    return w, b, losses


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
    return x, y


@pytest.mark.parametrize("batch_size", [10, 4])
def test_fit_matches_numpy_sgd(regression_data, batch_size):
    x, y = regression_data
    model = _linear_model()
    history = model.fit(x, y, batch_size=batch_size, epochs=3, shuffle=False, verbose=0)
    w, b, losses = _numpy_sgd_epochs(x.astype(np.float64), y, np.zeros((3, 1)), np.zeros(1),
                                     0.1, batch_size, 3)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    assert history.epoch == [0, 1, 2]


def test_fit_with_sample_weight_matches_numpy(regression_data):
    x, y = regression_data
    sw = np.array([1, 0, 2, 1, 1, 0, 1, 3, 1, 1], "float32")
    model = _linear_model()
    model.fit(x, y, sample_weight=sw, batch_size=4, epochs=2, shuffle=False, verbose=0)
    w, b, _ = _numpy_sgd_epochs(x.astype(np.float64), y, np.zeros((3, 1)), np.zeros(1), 0.1, 4,
                                2, sample_weight=sw)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)


def test_class_weight_equals_matching_sample_weight():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 4)).astype("float32")
    y = rng.integers(0, 3, size=(12,))
    weights = {0: 1.0, 1: 2.5, 2: 0.5}

    def trained(**kwargs):
        lamina.random.set_random_seed(5)
        model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=5, shuffle=False, verbose=0, **kwargs)
        return model.get_weights()[0]

    np.testing.assert_allclose(
        trained(class_weight=weights),
        trained(sample_weight=np.array([weights[int(c)] for c in y], "float32")), rtol=1e-6)


def test_evaluate_and_predict_match_numpy(regression_data):
    x, y = regression_data
    model = _linear_model(metrics=["mae"])
    kernel = np.array([[0.5], [0.1], [-0.3]], "float32")
    model.set_weights([kernel, np.array([0.2], "float32")])
    pred = x @ kernel + 0.2
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), pred, rtol=1e-5)
    loss, mae = model.evaluate(x, y, batch_size=4, verbose=0)
    np.testing.assert_allclose(loss, np.mean((pred - y) ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(pred - y)), rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["loss", "mae"]


def test_accuracy_string_resolves_by_output_shape():
    x = np.array([[0.0], [1.0], [2.0], [3.0]], "float32")
    binary = _linear_model(loss="binary_crossentropy", metrics=["accuracy"], inputs=1)
    binary.set_weights([np.array([[1.0]], "float32"), np.array([-1.0], "float32")])
    # outputs -1, 0, 1, 2 against the 0.5 threshold: 0, 0, 1, 1
    result = binary.evaluate(x, np.array([[0], [1], [1], [1]], "float32"), verbose=0,
                             return_dict=True)
    assert result["accuracy"] == pytest.approx(0.75)

    sparse = _linear_model(loss="sparse_categorical_crossentropy", metrics=["acc"], units=3,
                           inputs=1)
    sparse.set_weights([np.array([[0.0, 1.0, -1.0]], "float32"), np.zeros(3, "float32")])
    # argmax per row: x=0 ties -> class 0; x>0 -> class 1
    result = sparse.evaluate(x, np.array([0, 1, 2, 1]), verbose=0, return_dict=True)
    assert result["acc"] == pytest.approx(0.75)


def test_validation_split_uses_last_fraction(regression_data):
    x, y = regression_data
    model = _linear_model(lr=0.05)
    history = model.fit(x, y, epochs=2, validation_split=0.2, shuffle=False, verbose=0)
    val_loss = model.evaluate(x[8:], y[8:], verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][-1], val_loss, rtol=1e-6)
    # Trained on the first 8 samples only: same as fitting them alone.
    alone = _linear_model(lr=0.05)
    alone.fit(x[:8], y[:8], epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(alone.get_weights()[0], model.get_weights()[0], rtol=1e-6)


def test_validation_freq_and_initial_epoch(regression_data):
    x, y = regression_data
    model = _linear_model()
    history = model.fit(x, y, epochs=4, initial_epoch=1, validation_data=(x, y),
                        validation_freq=2, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert len(history.history["loss"]) == 3 and len(history.history["val_loss"]) == 2


def test_train_on_batch_is_one_sgd_step_and_metrics_accumulate(regression_data):
    x, y = regression_data
    model = _linear_model(metrics=["mae"])
    loss, mae = model.train_on_batch(x, y)
    w, b, _ = _numpy_sgd_epochs(x.astype(np.float64), y, np.zeros((3, 1)), np.zeros(1), 0.1,
                                10, 1)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loss, np.mean(y ** 2), rtol=1e-5)
    np.testing.assert_allclose(mae, np.mean(np.abs(y)), rtol=1e-5)   # zero weights predict 0
    loss2, _ = model.train_on_batch(x, y)
    second = np.mean((x @ w + b - y) ** 2)
    np.testing.assert_allclose(loss2, (np.mean(y ** 2) + second) / 2, rtol=1e-5)
    model.reset_metrics()
    result = model.test_on_batch(x, y, return_dict=True)
    assert set(result) == {"loss", "mae"}


def test_predict_on_batch_and_uncompiled_predict():
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(1, kernel_initializer="ones")])
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "float32")
    np.testing.assert_allclose(model.predict(x, batch_size=2, verbose=0), [[3.0], [7.0], [11.0]])
    np.testing.assert_allclose(model.predict_on_batch(x), [[3.0], [7.0], [11.0]])


def test_regularization_loss_is_part_of_training_loss():
    x = np.ones((4, 2), "float32")
    y = np.zeros((4, 1), "float32")
    model = lamina.Sequential([lamina.Input((2,)), layers.Dense(
        1, kernel_initializer="ones", kernel_regularizer=lamina.regularizers.L2(0.5))])
    model.compile(optimizers.SGD(0.0), "mse")
    history = model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    # prediction 2 everywhere: mse 4, plus 0.5 * sum(kernel ** 2) = 1
    assert history.history["loss"][0] == pytest.approx(5.0, rel=1e-6)


def test_multi_output_functional_losses_and_weights():
    a = lamina.Input((2,), name="a")
    out1 = layers.Dense(1, kernel_initializer="ones", name="first")(a)
    out2 = layers.Dense(1, kernel_initializer="zeros", name="second")(a)
    model = lamina.Model(a, [out1, out2])
    model.compile(optimizers.SGD(0.0), loss={"first": "mse", "second": "mae"},
                  loss_weights={"first": 2.0, "second": 1.0})
    x = np.array([[1.0, 1.0], [2.0, 0.0]], "float32")
    y1 = np.array([[0.0], [0.0]], "float32")
    y2 = np.array([[1.0], [-3.0]], "float32")
    logs = model.evaluate(x, {"first": y1, "second": y2}, verbose=0, return_dict=True)
    assert logs["first_loss"] == pytest.approx(4.0)      # predictions 2 and 2
    assert logs["second_loss"] == pytest.approx(2.0)     # |0-1| and |0+3|
    assert logs["loss"] == pytest.approx(2 * 4.0 + 2.0)


def test_subclassed_model_trains():
    class Regressor(lamina.Model):
        def __init__(self):
            super().__init__(name="regressor")
            self.hidden = layers.Dense(8, activation="tanh")
            self.out = layers.Dense(1)

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(64, 2)).astype("float32")
    y = (x[:, :1] * x[:, 1:]).astype("float32")
    model = Regressor()
    model.compile(optimizers.Adam(0.02), "mse")
    history = model.fit(x, y, epochs=60, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    assert len(model.trainable_weights) == 4


def test_history_and_callback_hooks_order(regression_data):
    x, y = regression_data
    events = []

    class Recorder(callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_train_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = _linear_model()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[Recorder()],
              validation_data=(x, y))
    assert events == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1",
                      "batch_end 2", "epoch_end 0 ['loss', 'val_loss']", "epoch_begin 1",
                      "batch_end 0", "batch_end 1", "batch_end 2",
                      "epoch_end 1 ['loss', 'val_loss']", "train_end"]


def test_stop_training_from_callback(regression_data):
    x, y = regression_data

    class StopAfterOne(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = _linear_model().fit(x, y, epochs=5, verbose=0, callbacks=[StopAfterOne()])
    assert history.epoch == [0]


def test_verbose_output_on_a_log_file_has_no_carriage_returns(regression_data, capsys):
    x, y = regression_data
    _linear_model().fit(x, y, epochs=2, batch_size=4, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and out.count("3/3") == 2


def test_lazily_built_metric_state_is_compiled_in():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = (rng.random((60, 3)) > 0.5).astype("float32")
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="sigmoid")])
    model.compile(optimizers.SGD(0.0), "binary_crossentropy",
                  metrics=[lamina.metrics.AUC(multi_label=True, num_thresholds=1000,
                                                     name="auc")])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    exact = np.mean([sklearn_metrics.roc_auc_score(y[:, j], pred[:, j]) for j in range(3)])
    assert logs["auc"] == pytest.approx(exact, abs=0.01)


def test_loss_scale_optimizer_trains_like_its_inner_optimizer(regression_data):
    x, y = regression_data
    plain = _linear_model()
    plain.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    scaled = lamina.Sequential([lamina.Input((3,)),
                                layers.Dense(1, kernel_initializer="zeros")])
    scaled.compile(optimizer=optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.1),
                                                           initial_scale=1024.0,
                                                           dynamic_growth_steps=2),
                   loss="mse")
    history = scaled.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    w, b, losses = _numpy_sgd_epochs(x.astype(np.float64), y, np.zeros((3, 1)), np.zeros(1),
                                     0.1, 4, 2)
    np.testing.assert_allclose(scaled.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scaled.get_weights()[1], b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scaled.get_weights()[0], plain.get_weights()[0], rtol=1e-6)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)  # unscaled
    # Six finite steps with growth every 2 doubled the scale three times, read step by step.
    assert float(scaled.optimizer.dynamic_scale.value) == 1024.0 * 8
