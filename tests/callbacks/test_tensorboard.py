import json
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")

import lamina
from lamina import layers
from lamina.callbacks.tensorboard import TensorBoard


def read(folder):
    accumulator = event_accumulator.EventAccumulator(
        str(folder), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0, "images": 0})
    accumulator.Reload()
    return accumulator


def scalars(accumulator, tag):
    return [(event.step, event.value) for event in accumulator.Scalars(tag)]


def make_model(learning_rate=0.05):
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, name="d1"),
                               layers.Dense(1, name="d2")], name="regressor")
    model.compile(optimizer=lamina.optimizers.SGD(learning_rate), loss="mse", metrics=["mae"])
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]])).astype("float32")


@pytest.fixture(scope="module")
def epoch_run(tmp_path_factory):
    """Three epochs with validation, histograms, images and the graph."""
    log_dir = tmp_path_factory.mktemp("logs")
    model = make_model()
    x, y = data()
    history = model.fit(x, y, epochs=3, batch_size=8, validation_data=(x[:16], y[:16]),
                        verbose=0, callbacks=[TensorBoard(log_dir, histogram_freq=2,
                                                          write_images=True)])
    return log_dir, model, history.history


def test_epoch_scalars_are_read_back_per_epoch(epoch_run):
    log_dir, _, history = epoch_run
    train = read(log_dir / "train")
    for name in ("loss", "mae"):
        steps, values = zip(*scalars(train, f"epoch_{name}"))
        assert steps == (0, 1, 2)
        np.testing.assert_allclose(values, history[name], rtol=1e-6)
    assert scalars(train, "epoch_learning_rate") == [(0, pytest.approx(0.05)),
                                                    (1, pytest.approx(0.05)),
                                                    (2, pytest.approx(0.05))]
    assert not any(tag.startswith("batch_") for tag in train.Tags()["scalars"])


def test_validation_scalars_go_to_their_own_folder(epoch_run):
    log_dir, _, history = epoch_run
    validation = read(log_dir / "validation")
    steps, values = zip(*scalars(validation, "epoch_loss"))
    assert steps == (0, 1, 2)
    np.testing.assert_allclose(values, history["val_loss"], rtol=1e-6)
    # Keras's per-evaluation scalar, against the optimizer's step count (4 batches per epoch)
    steps, values = zip(*scalars(validation, "evaluation_mae_vs_iterations"))
    assert steps == (4, 8, 12)
    np.testing.assert_allclose(values, history["val_mae"], rtol=1e-6)


def test_histograms_every_histogram_freq_epochs(epoch_run):
    log_dir, model, _ = epoch_run
    train = read(log_dir / "train")
    assert sorted(train.Tags()["histograms"]) == ["d1/bias/histogram", "d1/kernel/histogram",
                                                  "d2/bias/histogram", "d2/kernel/histogram"]
    events = train.Histograms("d1/kernel/histogram")
    assert [e.step for e in events] == [0, 2]
    kernel = np.asarray(model.get_layer("d1").kernel.value, dtype=np.float64)
    last = events[-1].histogram_value      # written after the last epoch: the final weights
    assert last.num == kernel.size
    np.testing.assert_allclose([last.min, last.max, last.sum],
                               [kernel.min(), kernel.max(), kernel.sum()], rtol=1e-5)
    assert "d1/kernel/image" in train.Tags()["images"]
    image = train.Images("d1/kernel/image")[-1]
    assert (image.width, image.height) == (4, 3)     # the (3, 4) kernel, one pixel a weight


def test_graph_is_the_keras_config_tensorboard_can_draw(epoch_run):
    log_dir, _, _ = epoch_run
    train = read(log_dir / "train")
    assert train.SummaryMetadata("keras").plugin_data.plugin_name == "graph_keras_model"
    from tensorboard.util import tensor_util
    config = json.loads(tensor_util.make_ndarray(train.Tensors("keras")[0].tensor_proto).item())
    assert config["class_name"] == "Sequential"
    assert [layer["config"]["name"] for layer in config["config"]["layers"]][-2:] == ["d1", "d2"]
    keras_util = pytest.importorskip("tensorboard.plugins.graph.keras_util")
    graph = keras_util.keras_model_to_graph_def(config)
    assert {"regressor/d1", "regressor/d2"} <= {node.name for node in graph.node}


def test_batch_scalars_every_update_freq_batches(tmp_path):
    model = make_model()
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        TensorBoard(tmp_path, update_freq=3, write_graph=False, write_steps_per_second=True)])
    train = read(tmp_path / "train")
    steps = [step for step, _ in scalars(train, "batch_loss")]
    assert steps == [3, 6]            # 4 batches an epoch, counted across epochs
    # the running loss after batch 8 (the second epoch's last) is that epoch's loss
    model2 = make_model()
    history = model2.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[
        TensorBoard(tmp_path / "every", update_freq="batch", write_graph=False)])
    every = read(tmp_path / "every" / "train")
    batch = dict(scalars(every, "batch_loss"))
    assert sorted(batch) == list(range(1, 9))
    np.testing.assert_allclose([batch[4], batch[8]], history.history["loss"], rtol=1e-6)
    speed = scalars(train, "epoch_steps_per_second")
    assert [s for s, _ in speed] == [0, 1] and all(v > 0 for _, v in speed)


def test_epoch_only_logging_does_not_force_per_batch_calls():
    assert not TensorBoard("logs")._needs_batch_hooks("train")
    assert TensorBoard("logs", update_freq=5)._needs_batch_hooks("train")
    assert not TensorBoard("logs", update_freq=5)._needs_batch_hooks("test")


def test_embeddings_are_written_for_the_projector(tmp_path):
    labels = tmp_path / "labels.tsv"
    labels.write_text("".join(f"word{i}\n" for i in range(6)))
    model = lamina.Sequential([lamina.Input((2,), dtype="int32"),
                               layers.Embedding(6, 3, name="emb"), layers.Flatten(),
                               layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[0, 1], [2, 3], [4, 5], [1, 2]], dtype="int32")
    model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0, callbacks=[
        TensorBoard(tmp_path / "logs", embeddings_freq=1, embeddings_metadata={"emb": labels})])
    written = list((tmp_path / "logs" / "train").rglob("tensors.tsv"))
    assert len(written) == 1
    rows = np.loadtxt(written[0], delimiter="\t")
    np.testing.assert_allclose(rows, np.asarray(model.get_layer("emb").embeddings.value),
                               atol=1e-5)
    metadata = written[0].with_name("metadata.tsv").read_text().split()
    assert metadata == [f"word{i}" for i in range(6)]


def test_config_round_trip():
    callback = TensorBoard("runs/a", histogram_freq=2, update_freq="batch", write_images=True)
    config = callback.get_config()
    assert config["update_freq"] == 1 and config["log_dir"] == "runs/a"
    assert TensorBoard.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs, error, message", [
    ({"log_dir": 3}, TypeError, "`log_dir` must be a folder path"),
    ({"histogram_freq": -1}, ValueError, "`histogram_freq` must be a non-negative int"),
    ({"update_freq": "step"}, ValueError, "`update_freq` must be 'epoch', 'batch' or a positive"),
    ({"update_freq": 0}, ValueError, "`update_freq` must be 'epoch', 'batch' or a positive"),
    ({"profile_batch": (1, 2, 3)}, ValueError, "`profile_batch` must be a non-negative int"),
    ({"embeddings_metadata": 5}, TypeError, "`embeddings_metadata` must be a file path"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        TensorBoard(**kwargs)


@pytest.mark.parametrize("profile_batch, expected", [
    (0, None), (3, (3, 3)), ("2,4", (2, 4)), ((5, 9), (5, 9)), ([0, 2], (1, 2)), ("7", (7, 7))])
def test_profile_batch_forms(profile_batch, expected):
    assert TensorBoard("logs", profile_batch=profile_batch)._profile_range == expected


def test_profile_batch_stop_before_start_is_refused():
    with pytest.raises(ValueError, match=r"start <= stop.*profile_batch=\(4, 2\)"):
        TensorBoard("logs", profile_batch=(4, 2))


def _record_profiler(monkeypatch):
    """Replace the backend's profiler with a recorder of (event, batch) pairs."""
    from lamina import backend
    events = []

    class Annotation:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            events.append(("batch", int(self.name.rsplit(" ", 1)[1])))

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(backend.core, "start_profiler_trace",
                        lambda log_dir: events.append(("start", log_dir)))
    monkeypatch.setattr(backend.core, "stop_profiler_trace", lambda: events.append(("stop",)))
    monkeypatch.setattr(backend.core, "profiler_annotation", Annotation)
    return events


def test_profile_covers_exactly_the_asked_batches_across_epochs(monkeypatch, tmp_path):
    events = _record_profiler(monkeypatch)
    model = make_model()
    x, y = data()                       # 32 rows, batch 8: batches 1-4 in epoch 1, 5-8 in 2
    model.fit(x, y, epochs=3, batch_size=8, verbose=0,
              callbacks=[TensorBoard(tmp_path, profile_batch=(3, 6), write_graph=False)])
    assert events == [("start", str(tmp_path / "train")), ("batch", 3), ("batch", 4),
                      ("batch", 5), ("batch", 6), ("stop",)]


def test_profile_still_running_at_the_end_of_training_is_stopped(monkeypatch, tmp_path):
    events = _record_profiler(monkeypatch)
    model = make_model()
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0,
              callbacks=[TensorBoard(tmp_path, profile_batch="3,100", write_graph=False)])
    assert events == [("start", str(tmp_path / "train")), ("batch", 3), ("batch", 4), ("stop",)]


def test_profile_past_the_last_batch_records_nothing(monkeypatch, tmp_path):
    events = _record_profiler(monkeypatch)
    make_model().fit(*data(), epochs=1, batch_size=8, verbose=0,
                     callbacks=[TensorBoard(tmp_path, profile_batch=9, write_graph=False)])
    assert events == []


def test_profile_batch_writes_a_trace_for_the_profile_tab(tmp_path):
    model = make_model()
    x, y = data()
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0,
                        callbacks=[TensorBoard(tmp_path, profile_batch=2)])
    traces = list((tmp_path / "train" / "plugins" / "profile").glob("*/*.xplane.pb"))
    assert len(traces) == 1 and traces[0].stat().st_size > 0
    assert len(history.history["loss"]) == 2


def test_a_running_profiler_is_left_alone_with_a_warning(monkeypatch, tmp_path):
    from lamina import backend
    events = _record_profiler(monkeypatch)

    def busy(log_dir):
        raise RuntimeError("Profile has already been started")
    monkeypatch.setattr(backend.core, "start_profiler_trace", busy)
    with pytest.warns(UserWarning, match="another profiler trace is running"):
        make_model().fit(*data(), epochs=1, batch_size=8, verbose=0,
                         callbacks=[TensorBoard(tmp_path, profile_batch=2, write_graph=False)])
    assert events == []                 # nothing annotated, nothing stopped


def test_missing_tensorboardx_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r"pip install 'lamina\[tensorboard\]'"):
        TensorBoard(tmp_path).on_train_begin()
