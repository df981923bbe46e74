"""`TensorBoard`: write training curves, weight histograms and the model graph for TensorBoard.

Event files are written with `tensorboardX` (the `tensorboard` extra), imported when the first
event is written. The layout is Keras 3's: `log_dir/train` and `log_dir/validation`, scalars
named `epoch_<metric>` (per epoch) and `batch_<metric>` (every `update_freq` batches), and
`profile_batch`'s profile under `log_dir/train/plugins/profile` (the backend's profiler).
"""

import numbers
import os
import time
import warnings

import numpy as np

from lamina import backend
from lamina.callbacks.callback import Callback


class TensorBoard(Callback):
    """Log metrics, learning rate, weight histograms and the model graph for TensorBoard.

    Run `tensorboard --logdir=<log_dir>` to look at them. Training values go to
    `log_dir/train`, validation values (from `val_` logs) to `log_dir/validation`.

    Args:
        log_dir: Folder to write the event files under.
        histogram_freq: Write histograms of every weight every this many epochs (0: never).
        write_graph: Whether to write the model's graph (its Keras JSON config, which
            TensorBoard's Graphs tab draws as a conceptual graph).
        write_images: Whether to write weights as images alongside their histograms.
        write_steps_per_second: Whether to log training steps per second.
        update_freq: `"epoch"` writes scalars once per epoch; an int N (or `"batch"`, N = 1)
            also writes the running training metrics as `batch_<metric>` every N batches.
            Per-batch writing makes `fit` call back after every `steps_per_execution` batches.
        profile_batch: Record a profile of these training batches (counted from 1 across a
            fit's epochs) for TensorBoard's Profile tab, under `log_dir/train/plugins/profile`:
            an int N for batch N, a pair `(start, stop)` or a string `"start,stop"` for a
            range; 0 turns it off. Profiling makes `fit` call back after every batch (every
            `steps_per_execution` batches) so that the trace covers just those batches.
        embeddings_freq: Write the matrices of `Embedding` layers for TensorBoard's projector
            every this many epochs (0: never).
        embeddings_metadata: A label file (one label per line) for every embedding layer, or
            a dict mapping layer names to such files.

    >>> callback = TensorBoard(log_dir="logs", histogram_freq=1, update_freq=10)
    >>> callback.update_freq
    10
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"TensorBoard: `log_dir` must be a folder path. Received: "
                            f"log_dir={log_dir!r} of type {type(log_dir).__name__}")
        for name, value in (("histogram_freq", histogram_freq),
                            ("embeddings_freq", embeddings_freq)):
            if not _is_int(value) or value < 0:
                raise ValueError(f"TensorBoard: `{name}` must be a non-negative int (0 turns it "
                                 f"off). Received: {name}={value!r}")
        if update_freq != "epoch" and update_freq != "batch" and (
                not _is_int(update_freq) or update_freq < 1):
            raise ValueError("TensorBoard: `update_freq` must be 'epoch', 'batch' or a positive "
                             f"int (write every N batches). Received: update_freq={update_freq!r}")
        if embeddings_metadata is not None and not isinstance(
                embeddings_metadata, (str, os.PathLike, dict)):
            raise TypeError("TensorBoard: `embeddings_metadata` must be a file path or a dict "
                            "mapping Embedding layer names to file paths. Received: "
                            f"{embeddings_metadata!r}")
        self._profile_range = _profile_range(profile_batch)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_train_batch = 0     # batches trained in this fit, across epochs
        self._epoch_first_batch = 0
        self._last_batch_write = 0
        self._epoch_start_time = None
        self._batch_start_time = None
        self._in_fit = False
        self._tracing = False          # a profile is being recorded
        self._profiled = False         # this fit's profile is written (or cannot be)
        self._annotation = None

    def _needs_batch_hooks(self, mode="train"):
        # Per-batch scalars and profiles need a call every few batches; epoch scalars none.
        needs = super()._needs_batch_hooks(mode)
        return needs and mode == "train" and (
            self.update_freq != "epoch" or self._profile_range is not None)

    # -- writers --------------------------------------------------------------------------------
    def _writer(self, name):
        if name not in self._writers:
            summary_writer = _summary_writer_class()
            self._writers[name] = summary_writer(logdir=os.path.join(self.log_dir, name))
        return self._writers[name]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks ----------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        _summary_writer_class()    # fail here, before training, when tensorboardX is missing
        self._in_fit = True
        self._global_train_batch = self._epoch_first_batch = self._last_batch_write = 0
        self._profiled = False
        if self.write_graph:
            self._write_model_graph()

    def on_train_end(self, logs=None):
        self._in_fit = False
        if self._tracing:      # training ended inside the profiled range
            self._stop_profile()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_first_batch = self._global_train_batch
        self._epoch_start_time = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_start_time = time.perf_counter()
        if self._profile_range is not None and not self._profiled:
            upcoming = self._epoch_first_batch + batch + 1
            start, stop = self._profile_range
            if not self._tracing and start <= upcoming <= stop:
                self._start_profile()
            if self._tracing:
                self._annotation = backend.core.profiler_annotation(f"Profiled batch {upcoming}")
                self._annotation.__enter__()

    def on_train_batch_end(self, batch, logs=None):
        done = self._epoch_first_batch + batch + 1
        steps, self._global_train_batch = done - self._global_train_batch, done
        if self._tracing:
            self._end_annotation()
            if done >= self._profile_range[1]:
                self._stop_profile()
        if self.update_freq == "epoch" or done // self.update_freq <= (
                self._last_batch_write // self.update_freq):
            return
        self._last_batch_write = done
        writer = self._writer("train")
        for name, value in (logs or {}).items():
            if _is_scalar(value):
                writer.add_scalar(f"batch_{name}", float(value), done)
        if self.write_steps_per_second and self._batch_start_time is not None:
            seconds = time.perf_counter() - self._batch_start_time
            writer.add_scalar("batch_steps_per_second", max(steps, 1) / max(seconds, 1e-9), done)
        writer.flush()

    def on_test_end(self, logs=None):
        optimizer = getattr(self._model, "optimizer", None)
        if not logs or optimizer is None or not getattr(optimizer, "built", True):
            return
        # Reading `model` writes the trainer's state back, so `iterations` is current.
        iterations = int(np.asarray(self.model.optimizer.iterations))
        writer = self._writer("validation")
        for name, value in logs.items():
            if _is_scalar(value):
                writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), iterations)
        writer.flush()
        if not self._in_fit:        # a plain `evaluate`: no train end will close the files
            self._close_writers()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_") and _is_scalar(v)}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_") and _is_scalar(v)}
        learning_rate = self._learning_rate()
        if learning_rate is not None and "learning_rate" not in train:
            train["learning_rate"] = learning_rate
        if self.write_steps_per_second and self._epoch_start_time is not None:
            seconds = time.perf_counter() - self._epoch_start_time
            steps = self._global_train_batch - self._epoch_first_batch
            train["steps_per_second"] = steps / max(seconds, 1e-9)
        for folder, values in (("train", train), ("validation", val)):
            if values:
                writer = self._writer(folder)
                for name, value in values.items():
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)
                writer.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._write_embeddings(epoch)

    # -- profiles -------------------------------------------------------------------------------
    def _start_profile(self):
        try:
            backend.core.start_profiler_trace(os.path.join(self.log_dir, "train"))
        except RuntimeError as error:      # a profile someone else started is still running
            warnings.warn(f"TensorBoard: no profile of batches {self._profile_range} is "
                          f"written because another profiler trace is running ({error}). Stop "
                          "it first, or set profile_batch=0.", stacklevel=2)
            self._profiled = True
            return
        self._tracing = True

    def _end_annotation(self):
        if self._annotation is not None:
            self._annotation.__exit__(None, None, None)
            self._annotation = None

    def _stop_profile(self):
        self._end_annotation()
        self._tracing, self._profiled = False, True
        backend.core.stop_profiler_trace()

    # -- what is written ------------------------------------------------------------------------
    def _learning_rate(self):
        optimizer = getattr(self._model, "optimizer", None)
        if optimizer is None:
            return None
        try:
            return float(np.asarray(self.model.optimizer.learning_rate))
        except (AttributeError, TypeError, ValueError):
            return None      # e.g. MultiOptimizer has no single rate

    def _write_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = backend.convert_to_numpy(weight.value)
                writer.add_histogram(f"{name}/histogram", values.astype(np.float64), epoch)
                if self.write_images:
                    image = _weight_image(values)
                    if image is not None:
                        writer.add_image(f"{name}/image", image, epoch, dataformats="NHWC"
                                         if image.ndim == 4 else "HWC")
        writer.flush()

    def _write_embeddings(self, epoch):
        from lamina.layers.core import Embedding

        writer = self._writer("train")
        for layer in self.model.layers:
            if not isinstance(layer, Embedding) or not layer.built:
                continue
            matrix = backend.convert_to_numpy(layer.embeddings.value)
            writer.add_embedding(matrix, metadata=self._embedding_labels(layer, len(matrix)),
                                 tag=layer.name, global_step=epoch)

    def _embedding_labels(self, layer, rows):
        path = self.embeddings_metadata
        if isinstance(path, dict):
            path = path.get(layer.name)
        if path is None:
            return None
        with open(path, encoding="utf-8") as f:
            labels = [line.rstrip("\n") for line in f]
        if len(labels) != rows:
            raise ValueError(f"TensorBoard: the embeddings metadata file {os.fspath(path)!r} has "
                             f"{len(labels)} labels but Embedding '{layer.name}' has {rows} rows. "
                             "Give one label per line, one line per row (no header).")
        return labels

    def _write_model_graph(self):
        """Write the model's Keras JSON config where TensorBoard's Graphs tab looks for it."""
        model = self._model
        if model is None or not getattr(model, "built", False) or not hasattr(model, "to_json"):
            return
        try:
            config = model.to_json()
        except (TypeError, ValueError, NotImplementedError) as error:
            warnings.warn(f"TensorBoard: the model's graph is not written because its config "
                          f"cannot be serialized ({error}).", stacklevel=2)
            return
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from tensorboardX.proto.types_pb2 import DT_STRING

        # TensorBoard's graph plugin turns a "graph_keras_model" summary into a graph.
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"))
        tensor = TensorProto(dtype=DT_STRING, string_val=[config.encode("utf-8")])
        summary = Summary(value=[Summary.Value(tag="keras", metadata=metadata, tensor=tensor)])
        writer = self._writer("train")
        writer._get_file_writer().add_summary(summary, 0)
        writer.flush()

    def get_config(self):
        return {"log_dir": self.log_dir, "histogram_freq": self.histogram_freq,
                "write_graph": self.write_graph, "write_images": self.write_images,
                "write_steps_per_second": self.write_steps_per_second,
                "update_freq": self.update_freq, "profile_batch": self.profile_batch,
                "embeddings_freq": self.embeddings_freq,
                "embeddings_metadata": self.embeddings_metadata}


def _summary_writer_class():
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError("TensorBoard writes event files with tensorboardX, which is not "
                          "installed. Install it with `pip install 'lamina[tensorboard]'` (or "
                          "`pip install tensorboardX`).") from None
    return SummaryWriter


def _weight_image(values):
    """A weight as an image scaled to [0, 1]: biases a row, kernels a matrix, convolution
    kernels one image per output channel; None for other shapes."""
    w = np.squeeze(values).astype(np.float64)
    if w.ndim == 1:
        w = w[None, :, None]
    elif w.ndim == 2:
        w = (w.T if w.shape[0] > w.shape[1] else w)[:, :, None]
    elif w.ndim == 3:
        w = np.transpose(w, (2, 0, 1))[..., None]       # channels last: one image per channel
    else:
        return None
    span = w.max() - w.min()
    return (w - w.min()) / span if span > 0 else np.zeros_like(w)


def _profile_range(profile_batch):
    """`(first, last)` training batch to profile, counted from 1, or None for no profile."""
    message = ("TensorBoard: `profile_batch` must be a non-negative int, a pair of them "
               "(start, stop) with start <= stop, or a string 'start,stop'. Received: "
               f"profile_batch={profile_batch!r}")
    if isinstance(profile_batch, str):
        parts = profile_batch.split(",")
        if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
            raise ValueError(message)
        bounds = [int(p) for p in parts]
    elif isinstance(profile_batch, (list, tuple)):
        if len(profile_batch) != 2 or not all(_is_int(p) and p >= 0 for p in profile_batch):
            raise ValueError(message)
        bounds = list(profile_batch)
    elif not _is_int(profile_batch) or profile_batch < 0:
        raise ValueError(message)
    else:
        bounds = [profile_batch]
    start, stop = bounds[0], bounds[-1]
    if stop < start:
        raise ValueError(message)
    if stop == 0:
        return None
    return max(start, 1), stop


def _is_scalar(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return np.ndim(value) == 0


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


__all__ = ["TensorBoard"]
