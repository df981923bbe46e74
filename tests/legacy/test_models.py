import numpy as np
import pytest

import lamina
from lamina.legacy import layers as L
from lamina.legacy import models as M


def _binary_model(units=1, activation="sigmoid"):
    model = M.Sequential()
    model.add(L.Dense(units, input_dim=2, activation=activation))
    model.compile(loss="mse", optimizer="sgd")
    return model


def test_predict_classes_and_proba_match_numpy():
    model = _binary_model()
    kernel, bias = np.array([[1.0], [-2.0]]), np.array([0.1])
    model.layers[0].set_weights([kernel, bias])
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype="float32")
    proba = 1 / (1 + np.exp(-(x @ kernel + bias)))
    np.testing.assert_allclose(model.predict_proba(x), proba, rtol=1e-5)
    assert model.predict_classes(x).tolist() == (proba > 0.5).astype(int).tolist()
    softmax = _binary_model(3, "softmax")
    weights = [np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]]), np.zeros(3)]
    softmax.layers[0].set_weights(weights)
    assert softmax.predict_classes(x).tolist() == (x @ weights[0]).argmax(-1).tolist()


def test_fit_era_arguments_and_history_keys():
    model = M.Sequential()
    model.add(L.Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"],
                  class_mode="binary")
    x = np.array([[0, 0], [1, 1], [0, 1], [1, 0]], dtype="float32")
    y = np.array([0, 1, 0, 1])
    history = model.fit(x, y, nb_epoch=3, batch_size=2, verbose=0, validation_data=(x, y))
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    assert len(history.history["acc"]) == 3
    assert history.history["accuracy"] == history.history["acc"]
    assert "val_accuracy" in history.history
    with pytest.raises(TypeError, match="unknown argument `nb_epochs`. Did you mean "
                                        "`nb_epoch`"):
        model.fit(x, y, nb_epochs=2)


def test_show_accuracy_adds_the_metric():
    model = _binary_model()
    x = np.array([[0, 0], [1, 1]], dtype="float32")
    y = np.array([0.0, 1.0])
    history = model.fit(x, y, nb_epoch=1, verbose=0, show_accuracy=True)
    assert "acc" in history.history
    loss, acc = model.evaluate(x, y, verbose=0, show_accuracy=True)
    pred = model.predict(x)
    assert acc == pytest.approx(np.mean((pred.ravel() > 0.5) == y))
    assert loss == pytest.approx(np.mean((pred.ravel() - y) ** 2), rel=1e-5)


def test_fit_generator_draws_samples_per_epoch():
    model = _binary_model()
    drawn = []

    def batches():
        while True:
            drawn.append(3)
            yield np.ones((3, 2), "float32"), np.ones((3, 1), "float32")
    history = model.fit_generator(batches(), samples_per_epoch=7, nb_epoch=2, verbose=0,
                                  nb_worker=1, pickle_safe=False)
    assert len(drawn) == 6  # ceil(7 / 3) batches per epoch
    assert len(history.history["loss"]) == 2
    drawn.clear()
    model.fit_generator(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert len(drawn) == 2
    with pytest.raises(ValueError, match=r"yield \(x, y\)"):
        model.fit_generator(iter([np.ones(3)]), samples_per_epoch=3, nb_epoch=1, verbose=0)


def test_evaluate_and_predict_generator():
    model = _binary_model()
    x = np.random.default_rng(0).normal(size=(10, 2)).astype("float32")
    y = np.random.default_rng(1).uniform(size=(10, 1)).astype("float32")

    def batches():
        while True:
            for i in range(0, 10, 5):
                yield x[i:i + 5], y[i:i + 5]
    pred = model.predict(x)
    loss = model.evaluate_generator(batches(), val_samples=10)
    assert loss == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    np.testing.assert_allclose(model.predict_generator(batches(), val_samples=10), pred,
                               rtol=1e-6)


def test_functional_model_with_old_keywords():
    inputs = lamina.Input((3,))
    outputs = L.Dense(2)(inputs)
    model = M.Model(input=inputs, output=outputs)
    assert isinstance(model, lamina.Model) and hasattr(model, "predict_classes")
    assert model.predict(np.ones((1, 3), "float32")).shape == (1, 2)


def test_merge_of_sequential_branches_matches_numpy():
    left, right = M.Sequential(), M.Sequential()
    left.add(L.Dense(2, input_dim=3, use_bias=False))
    right.add(L.Dense(2, input_dim=1, use_bias=False))
    model = M.Sequential()
    model.add(L.Merge([left, right], mode="sum"))
    model.add(L.Dense(1, use_bias=False))
    wl, wr, wo = np.ones((3, 2)), np.array([[1.0, -1.0]]), np.array([[2.0], [1.0]])
    left.layers[0].set_weights([wl])
    right.layers[0].set_weights([wr])
    model.layers[-1].set_weights([wo])
    a, b = np.ones((2, 3), "float32"), np.array([[1.0], [2.0]], "float32")
    np.testing.assert_allclose(model.predict([a, b]), (a @ wl + b @ wr) @ wo, rtol=1e-6)
    assert len(model.trainable_weights) == 3
    model.compile(loss="mse", optimizer="sgd")
    model.fit([a, b], np.zeros((2, 1)), nb_epoch=1, verbose=0)


def test_graph_model():
    graph = M.Graph()
    graph.add_input(name="x", input_shape=(2,))
    graph.add_node(L.Dense(3, use_bias=False), name="h", input="x")
    graph.add_node(L.Dense(1, use_bias=False), name="o1", inputs=["x", "h"], merge_mode="concat")
    graph.add_output(name="y1", input="o1")
    graph.add_output(name="y2", input="h")
    wh, wo = np.ones((2, 3)), np.arange(5.0).reshape(5, 1)
    graph.nodes["h"].set_weights([wh])
    graph.nodes["o1"].set_weights([wo])
    x = np.array([[1.0, 2.0]], "float32")
    out = graph.predict({"x": x})
    np.testing.assert_allclose(out["y2"], x @ wh)
    np.testing.assert_allclose(out["y1"], np.concatenate([x, x @ wh], -1) @ wo)
    graph.compile(optimizer="sgd", loss={"y1": "mse", "y2": "mse"})
    history = graph.fit({"x": x, "y1": np.zeros((1, 1)), "y2": np.zeros((1, 3))}, nb_epoch=2,
                        verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.raises(ValueError, match="lacks \\['y2'\\]"):
        graph.fit({"x": x, "y1": np.zeros((1, 1))})
    with pytest.raises(ValueError, match="unknown input\\(s\\) \\['nope'\\]"):
        graph.add_node(L.Dense(1), name="z", input="nope")
    with pytest.raises(ValueError, match="already used"):
        graph.add_input(name="x", input_shape=(2,))
