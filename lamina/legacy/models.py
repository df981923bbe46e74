"""Keras 0.x/1.x/2.x models: old `compile`/`fit` arguments, `predict_classes`/`predict_proba`,
`fit_generator` and friends, `Model(input=, output=)`, `Merge` of Sequential branches, and the
Keras 0.x `Graph` model.

History keys follow the era: `metrics=["accuracy"]` logs `acc`/`val_acc` (the history also
answers to `accuracy`/`val_accuracy`, Keras 2.3's names).
"""

import numpy as np

from lamina import backend
from lamina import layers as _layers
from lamina.callbacks import CallbackList
from lamina.legacy import arguments
from lamina.legacy import optimizers as legacy_optimizers
from lamina.legacy.arguments import announce
from lamina.legacy.layers import BranchMerge, merge_layer
from lamina.models.functional import Functional as _Functional
from lamina.models.model import Model as _Model
from lamina.models.sequential import Sequential as _Sequential
from lamina.trainer.loop import Trainer

# Loss names of the era that today's tables lack: Keras 1's cosine proximity took the mean over
# the last axis where today's cosine_similarity sums.
LOSS_NAMES = {"cosine_proximity": "cosine_similarity", "cosine": "cosine_similarity"}
_ACCURACY = {"accuracy": "acc", "val_accuracy": "val_acc", "acc": "accuracy",
             "val_acc": "val_accuracy"}
_COMPILE_KNOWN = arguments.signature_names(Trainer.compile)
_FIT_KNOWN = arguments.signature_names(Trainer.fit)
_EVALUATE_KNOWN = arguments.signature_names(Trainer.evaluate) | {"show_accuracy"}
_PREDICT_KNOWN = arguments.signature_names(Trainer.predict)
_EPOCH = {"nb_epoch": ("epochs", None)}
_GENERATOR = {"nb_epoch": ("epochs", None), "samples_per_epoch": ("samples_per_epoch", None),
              "nb_val_samples": ("nb_val_samples", None), "val_samples": ("val_samples", None),
              "validation_steps": ("validation_steps", None)}


class EraHistory(dict):
    """A history dict that also answers to Keras 2.3's `accuracy` for the era's `acc`."""

    def __missing__(self, key):
        if key in _ACCURACY and dict.__contains__(self, _ACCURACY[key]):
            return self[_ACCURACY[key]]
        raise KeyError(key)

    def __contains__(self, key):
        return dict.__contains__(self, key) or (
            key in _ACCURACY and dict.__contains__(self, _ACCURACY[key]))

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


def era_metrics(metrics):
    """`"accuracy"` -> `"acc"` in a (nested) metrics spec, so logs carry the era's key."""
    if isinstance(metrics, dict):
        return {k: era_metrics(v) for k, v in metrics.items()}
    if isinstance(metrics, (list, tuple)):
        return [era_metrics(m) for m in metrics]
    return "acc" if metrics == "accuracy" else metrics


def era_loss(loss):
    """Era loss names (`cosine_proximity`) as today's, in a (nested) loss spec."""
    if isinstance(loss, dict):
        return {k: era_loss(v) for k, v in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [era_loss(v) for v in loss]
    if isinstance(loss, str) and loss in LOSS_NAMES:
        announce(("loss", loss), f"loss={loss!r} is the old spelling; today it is "
                                 f"loss={LOSS_NAMES[loss]!r} (which sums where Keras 1 took "
                                 "the mean).")
        from lamina.legacy.compat import cosine_proximity
        return cosine_proximity
    return loss


def _unpack_batch(owner, batch):
    if not isinstance(batch, (list, tuple)) or len(batch) not in (2, 3):
        raise ValueError(f"{owner}: the generator must yield (x, y) or (x, y, sample_weight) "
                         f"tuples. Received: {type(batch).__name__}"
                         f"{f' of length {len(batch)}' if hasattr(batch, '__len__') else ''}.")
    return (*batch, None) if len(batch) == 2 else tuple(batch)


def _num(x):
    first = x[0] if isinstance(x, (list, tuple)) else (next(iter(x.values())) if isinstance(
        x, dict) else x)
    return int(np.shape(first)[0])


def _draw_count(owner, generator, samples, steps):
    """How many more batches to draw: by samples (Keras 1) or steps (Keras 2)."""
    if (samples is None) == (steps is None):
        raise ValueError(f"{owner}: pass the epoch size as samples_per_epoch (Keras 1) or "
                         "steps_per_epoch (Keras 2).")
    for name, value in (("samples", samples), ("steps", steps)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value <= 0):
            raise ValueError(f"{owner}: the number of {name} must be a positive int. "
                             f"Received: {value!r}")


class LegacyTrainer:
    """compile/fit/evaluate/predict with the era's arguments, and the era's extra methods."""

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                **kwargs):
        """`compile` accepting `class_mode`/`theano_mode` (ignored) and the era's optimizer
        names and defaults (`"sgd"` is Keras 1's SGD)."""
        kwargs = arguments.translate("compile", kwargs, {}, _COMPILE_KNOWN)
        if isinstance(optimizer, str):
            optimizer = legacy_optimizers.get(optimizer)
        super().compile(optimizer=optimizer, loss=era_loss(loss), metrics=era_metrics(metrics),
                        loss_weights=loss_weights, **kwargs)

    def _show_accuracy(self, owner, kwargs):
        """Keras 0.x's show_accuracy=True: add the accuracy metric the era logged as `acc`."""
        if not kwargs.pop("show_accuracy", False):
            return
        announce(("show_accuracy",), f"{owner}(show_accuracy=True) is the old spelling; today "
                 "it is compile(metrics=['accuracy']).")
        args = getattr(self, "_compile_args", None)
        metrics = list(args["metrics"] or []) if args else []
        if args is not None and "acc" not in metrics:
            super().compile(optimizer=self.optimizer, loss=args["loss"],
                            loss_weights=args["loss_weights"], metrics=[*metrics, "acc"],
                            weighted_metrics=args["weighted_metrics"])

    def fit(self, *args, **kwargs):
        """`fit` accepting `nb_epoch` and `show_accuracy`; history keys are the era's."""
        self._show_accuracy("fit", kwargs)
        kwargs = arguments.translate("fit", kwargs, _EPOCH, _FIT_KNOWN)
        history = super().fit(*args, **kwargs)
        history.history = EraHistory(history.history)
        return history

    def evaluate(self, *args, **kwargs):
        """`evaluate` accepting `show_accuracy`; predictions print no progress bar by default."""
        self._show_accuracy("evaluate", kwargs)
        kwargs = arguments.translate("evaluate", kwargs, {}, _EVALUATE_KNOWN)
        return super().evaluate(*args, **kwargs)

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        """`predict`, quiet by default as in Keras 1/2."""
        kwargs = arguments.translate("predict", kwargs, {}, _PREDICT_KNOWN)
        return super().predict(x, batch_size=batch_size, verbose=verbose, **kwargs)

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 1's `predict_proba`: `predict`, for models ending in a probability.

        Args:
            x: Input data.
            batch_size: Batch size.
            verbose: Ignored beyond `predict`'s meaning.

        Returns:
            A NumPy array of probabilities.
        """
        announce(("predict_proba",), "model.predict_proba(x) is the old spelling; today it is "
                                     "model.predict(x).")
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if np.min(probabilities) < 0.0 or np.max(probabilities) > 1.0:
            announce(("predict_proba", "range"), "predict_proba: the model's outputs are not in "
                     "[0, 1]; end the model with a sigmoid or softmax to read them as "
                     "probabilities.")
        return probabilities

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 1's `predict_classes`: argmax of a softmax output, or `output > 0.5` for one
        sigmoid unit.

        Args:
            x: Input data.
            batch_size: Batch size.
            verbose: As in `predict`.

        Returns:
            An int32 NumPy array of class indices (shape `(n,)`, or `(n, 1)` for one unit).
        """
        announce(("predict_classes",), "model.predict_classes(x) is the old spelling; today it "
                 "is np.argmax(model.predict(x), axis=-1) (or (model.predict(x) > 0.5) for one "
                 "sigmoid unit).")
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1).astype("int32")
        return (probabilities > 0.5).astype("int32")

    # -- generators ---------------------------------------------------------------------------------
    def fit_generator(self, generator, samples_per_epoch=None, nb_epoch=None, verbose=1,
                      callbacks=None, validation_data=None, nb_val_samples=None,
                      class_weight=None, max_q_size=10, nb_worker=1, pickle_safe=False,
                      initial_epoch=0, **kwargs):
        """Train on batches drawn from a Python generator (Keras 1 and 2 signatures).

        Args:
            generator: Yields `(x, y)` or `(x, y, sample_weight)` batches, forever.
            samples_per_epoch: Keras 1: samples per epoch (batches are drawn until at least
                this many were seen). Keras 2 scripts pass `steps_per_epoch=` instead.
            nb_epoch: Keras 1's `epochs`.
            verbose, callbacks, class_weight, initial_epoch: As in `fit`.
            validation_data: `(x, y)` arrays, or a generator (then `nb_val_samples` or
                `validation_steps` says how much of it to draw).
            max_q_size, nb_worker, pickle_safe: Accepted and ignored (batches are drawn in
                the main process).

        Returns:
            The `History`.
        """
        steps = kwargs.pop("steps_per_epoch", None)
        if "epochs" in kwargs and samples_per_epoch is not None and steps is None and \
                "samples_per_epoch" not in kwargs:
            steps, samples_per_epoch = samples_per_epoch, None  # Keras 2: positional steps
        for name, value in (("nb_worker", nb_worker != 1), ("pickle_safe", pickle_safe),
                            ("max_q_size", max_q_size != 10)):
            if value:
                arguments.translate("fit_generator", {name: value}, {}, set())
        if samples_per_epoch is not None:
            announce(("fit_generator", "samples_per_epoch"), "fit_generator(samples_per_epoch="
                     "...) is the old spelling; today it is fit(generator, steps_per_epoch="
                     "samples_per_epoch // batch_size).")
        kwargs = arguments.translate("fit_generator", kwargs, _GENERATOR, {
            "epochs", "validation_steps", "max_queue_size", "workers", "use_multiprocessing",
            "shuffle"})
        kwargs = {k: v for k, v in kwargs.items() if k not in ("max_queue_size", "workers",
                                                                "use_multiprocessing", "shuffle")}
        epochs = kwargs.pop("epochs", nb_epoch if nb_epoch is not None else 1)
        validation_steps = kwargs.pop("validation_steps", None)
        _draw_count("fit_generator", generator, samples_per_epoch, steps)
        self._require_compiled("fit_generator")
        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            seen = step = 0
            while (seen < samples_per_epoch) if steps is None else (step < steps):
                x, y, sample_weight = _unpack_batch("fit_generator", next(generator))
                cbs.on_train_batch_begin(step)
                logs = self.train_on_batch(x, y, sample_weight=sample_weight,
                                           class_weight=class_weight, return_dict=True)
                cbs.on_train_batch_end(step, logs)
                seen, step = seen + _num(x), step + 1
            logs = dict(logs)
            if validation_data is not None:
                if isinstance(validation_data, (list, tuple)):
                    val_logs = self.evaluate(*validation_data, verbose=0, return_dict=True)
                else:
                    val_logs = self._evaluate_generator_logs(
                        validation_data, nb_val_samples, validation_steps, "fit_generator")
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        self.history.history = EraHistory(self.history.history)
        return self.history

    def _evaluate_generator_logs(self, generator, samples, steps, owner):
        _draw_count(owner, generator, samples, steps)
        totals, seen, step = {}, 0, 0
        while (seen < samples) if steps is None else (step < steps):
            x, y, sample_weight = _unpack_batch(owner, next(generator))
            logs = self.test_on_batch(x, y, sample_weight=sample_weight, return_dict=True)
            size = _num(x)
            for k, v in logs.items():
                totals[k] = totals.get(k, 0.0) + v * size
            seen, step = seen + size, step + 1
        return {k: v / seen for k, v in totals.items()}

    def evaluate_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                           pickle_safe=False, steps=None, **kwargs):
        """Loss and metrics over batches drawn from a generator, weighted by batch size.

        Args:
            generator: Yields `(x, y)` or `(x, y, sample_weight)`.
            val_samples: Keras 1: how many samples to draw. Keras 2 passes `steps`.
            max_q_size, nb_worker, pickle_safe: Accepted and ignored.

        Returns:
            The loss, or a list `[loss, metric, ...]` as `evaluate`.
        """
        if "steps" not in kwargs and steps is None and "workers" in kwargs:
            steps, val_samples = val_samples, None
        arguments.translate("evaluate_generator", kwargs, {}, {
            "max_queue_size", "workers", "use_multiprocessing", "verbose"})
        logs = self._evaluate_generator_logs(generator, val_samples, steps, "evaluate_generator")
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict_generator(self, generator, val_samples=None, max_q_size=10, nb_worker=1,
                          pickle_safe=False, steps=None, **kwargs):
        """Predictions for batches drawn from a generator (yielding `x`, or `(x, ...)`).

        Args:
            generator: Yields input batches.
            val_samples: Keras 1: how many samples to predict. Keras 2 passes `steps`.

        Returns:
            The concatenated predictions as a NumPy array.
        """
        arguments.translate("predict_generator", kwargs, {}, {
            "max_queue_size", "workers", "use_multiprocessing", "verbose"})
        _draw_count("predict_generator", generator, val_samples, steps)
        outputs, seen, step = [], 0, 0
        while (seen < val_samples) if steps is None else (step < steps):
            batch = next(generator)
            x = batch[0] if isinstance(batch, tuple) and len(batch) in (2, 3) else batch
            outputs.append(self.predict_on_batch(x))
            seen, step = seen + _num(x), step + 1
        if isinstance(outputs[0], (list, tuple)):
            return [np.concatenate(parts) for parts in zip(*outputs)]
        return np.concatenate(outputs)


class Sequential(LegacyTrainer, _Sequential):
    """Keras 1's Sequential: today's, plus `Merge([branch_a, branch_b], mode=...)` as the first
    layer (the model then takes one input per branch) and the era's training methods.

    >>> model = Sequential()
    >>> model.add(Dense(2, input_dim=3))
    """

    def __init__(self, layers=None, name=None, trainable=True):
        object.__setattr__(self, "_branch_inputs", None)
        super().__init__(layers=layers, trainable=trainable, name=name)

    def add(self, layer, rebuild=True):
        if isinstance(layer, BranchMerge):
            return self._add_branches(layer)
        if self._branch_inputs is None:
            return super().add(layer, rebuild=rebuild)
        if not isinstance(layer, _layers.Layer):
            raise ValueError(f"Sequential '{self.name}'.add: expected a Layer instance. "
                             f"Received: {layer!r}")
        self._stack.append(layer)
        self._layers.append(layer)
        self._rebuild_graph(layer(self._functional.outputs[0]))

    def _add_branches(self, branch_merge):
        if self._stack or self._input_layer is not None:
            raise ValueError(f"Sequential '{self.name}': Merge([model_a, model_b, ...]) must be "
                             "the first layer of the model.")
        inputs, outputs = [], []
        for branch in branch_merge.branches:
            if not getattr(branch, "built", False) or branch.inputs is None:
                raise ValueError(f"Sequential '{self.name}': each Merge branch must know its "
                                 f"input shape; give branch '{branch.name}''s first layer "
                                 "input_dim= or input_shape=.")
            branch_inputs = [_layers.Input(batch_shape=t.shape, dtype=t.dtype)
                             for t in branch.inputs]
            inputs.extend(branch_inputs)
            outputs.append(branch(branch_inputs[0] if len(branch_inputs) == 1
                                  else branch_inputs))
            self._layers.append(branch)
        object.__setattr__(self, "_branch_inputs", inputs)
        self._stack.append(branch_merge.layer)
        self._layers.append(branch_merge.layer)
        self._rebuild_graph(branch_merge.layer(outputs))

    def _rebuild_graph(self, output):
        object.__setattr__(self, "_functional", _Functional(self._branch_inputs, output,
                                                            name=f"{self.name}_graph"))
        self.built = True

    def _maybe_rebuild(self):
        if self._branch_inputs is None:
            super()._maybe_rebuild()

    def build(self, input_shape=None):
        if self._branch_inputs is None:
            super().build(input_shape)


class Model(LegacyTrainer, _Model):
    """Keras 1's Model: `Model(input=inputs, output=outputs)` (today's `inputs`/`outputs`
    work too) with the era's training methods."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or {"input", "output", "inputs", "outputs"} & set(
                kwargs)):
            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        kwargs = arguments.translate("Model", kwargs, {"input": ("inputs", None),
                                                       "output": ("outputs", None)},
                                     {"inputs", "outputs", "name", "trainable"})
        if isinstance(self, _Functional):
            inputs, outputs = (list(args) + [None, None])[:2]
            inputs = kwargs.pop("inputs", inputs)
            outputs = kwargs.pop("outputs", outputs)
            _Functional.__init__(self, inputs, outputs, **kwargs)
        else:
            _Model.__init__(self, *args, **kwargs)


class Functional(Model, _Functional):
    """A Functional model with the era's training methods (what `Model(input=, output=)`
    returns)."""


def _output_layer(name):
    return _layers.Identity(name=name)


class Graph:
    """The Keras 0.x Graph model: named inputs, nodes and outputs, trained on dicts.

    >>> graph = Graph()
    >>> graph.add_input(name="x", input_shape=(3,))
    >>> graph.add_node(Dense(2), name="hidden", input="x")
    >>> graph.add_output(name="y", input="hidden")
    """

    def __init__(self, name=None):
        announce(("Graph",), "Graph() is the Keras 0.x model; today it is a Functional model: "
                             "Model(inputs=[Input(...)], outputs=[...]) with dicts of named "
                             "inputs and outputs.")
        self.name = name or "graph"
        self._tensors = {}
        self.input_order, self.output_order = [], []
        self.nodes = {}
        self._model = None

    def _check_new(self, name):
        if not isinstance(name, str) or not name:
            raise ValueError(f"Graph: names must be non-empty strings. Received: {name!r}")
        if name in self._tensors:
            raise ValueError(f"Graph: the name {name!r} is already used by an input, node or "
                             "output.")

    def _gather(self, owner, input, inputs, merge_mode, concat_axis, dot_axes):
        names = [input] if input is not None else list(inputs or [])
        if not names:
            raise ValueError(f"Graph.{owner}: pass input='name' or inputs=['a', 'b'].")
        missing = [n for n in names if n not in self._tensors]
        if missing:
            raise ValueError(f"Graph.{owner}: unknown input(s) {missing}. Known: "
                             f"{sorted(self._tensors)}.")
        tensors = [self._tensors[n] for n in names]
        if len(tensors) == 1:
            return tensors[0]
        return merge_layer(merge_mode, concat_axis, dot_axes)(tensors)

    def add_input(self, name, input_shape=None, batch_input_shape=None, dtype="float"):
        """Add a named input of shape `input_shape` (without the batch axis)."""
        self._check_new(name)
        if batch_input_shape is not None:
            shape = tuple(batch_input_shape)
        elif input_shape is not None:
            shape = (None, *tuple(input_shape))
        else:
            raise ValueError(f"Graph.add_input({name!r}): pass input_shape=(...).")
        dtype = "int32" if dtype == "int" else backend.floatx() if dtype == "float" else dtype
        self._tensors[name] = _layers.Input(batch_shape=shape, dtype=dtype, name=name)
        self.input_order.append(name)
        self._model = None

    def add_node(self, layer, name, input=None, inputs=(), merge_mode="concat",
                 concat_axis=-1, dot_axes=-1, create_output=False):
        """Apply `layer` to the named input(s) (merged first when several) as node `name`."""
        self._check_new(name)
        self._tensors[name] = layer(self._gather("add_node", input, inputs, merge_mode,
                                                 concat_axis, dot_axes))
        self.nodes[name] = layer
        if create_output:
            self.add_output(name + "_output", input=name)

    def add_shared_node(self, layer, name, inputs=(), merge_mode=None, concat_axis=-1,
                        dot_axes=-1, outputs=(), create_output=False):
        """Apply one `layer` to each named input; merge the results into node `name`, or name
        them `outputs`."""
        self._check_new(name)
        results = [layer(self._gather("add_shared_node", n, (), None, -1, -1)) for n in inputs]
        self.nodes[name] = layer
        if outputs:
            for out_name, tensor in zip(outputs, results):
                self._check_new(out_name)
                self._tensors[out_name] = tensor
        if merge_mode is not None:
            self._tensors[name] = merge_layer(merge_mode, concat_axis, dot_axes)(results)
            if create_output:
                self.add_output(name + "_output", input=name)

    def add_output(self, name, input=None, inputs=(), merge_mode="concat",
                   concat_axis=-1, dot_axes=-1):
        """Name a node (or the merge of several) as output `name`."""
        self._check_new(name)
        tensor = self._gather("add_output", input, inputs, merge_mode, concat_axis, dot_axes)
        self._tensors[name] = _output_layer(name)(tensor)
        self.output_order.append(name)
        self._model = None

    @property
    def model(self):
        """The Functional model behind the graph (inputs and outputs in the order added)."""
        if self._model is None:
            if not self.input_order or not self.output_order:
                raise ValueError("Graph: add at least one input and one output before using "
                                 "the model.")
            self._model = Functional(inputs=[self._tensors[n] for n in self.input_order],
                                     outputs=[self._tensors[n] for n in self.output_order],
                                     name=self.name)
        return self._model

    def compile(self, optimizer, loss, **kwargs):
        """`loss` is a dict output name -> loss (or one loss for all outputs)."""
        if isinstance(loss, dict):
            unknown = [k for k in loss if k not in self.output_order]
            if unknown:
                raise ValueError(f"Graph.compile: loss given for unknown output(s) {unknown}. "
                                 f"Outputs: {self.output_order}.")
            loss = [loss.get(n) for n in self.output_order]
        self.model.compile(optimizer=optimizer, loss=loss, **kwargs)

    def _split(self, owner, data, need_outputs=True):
        if not isinstance(data, dict):
            raise TypeError(f"Graph.{owner}: expected a dict of arrays keyed by input and output "
                            f"names. Received: {type(data).__name__}.")
        missing = [n for n in self.input_order + (self.output_order if need_outputs else [])
                   if n not in data]
        if missing:
            raise ValueError(f"Graph.{owner}: the data dict lacks {missing}.")
        x = [data[n] for n in self.input_order]
        y = [data[n] for n in self.output_order] if need_outputs else None
        return (x[0] if len(x) == 1 else x), (y[0] if y is not None and len(y) == 1 else y)

    def fit(self, data, batch_size=128, nb_epoch=100, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, **kwargs):
        """Train on a dict of named inputs and outputs (Keras 0.x defaults: 128 per batch,
        100 epochs)."""
        x, y = self._split("fit", data)
        if validation_data is not None:
            validation_data = self._split("fit", validation_data)
        kwargs = arguments.translate("Graph.fit", kwargs, _EPOCH, _FIT_KNOWN)
        kwargs.setdefault("epochs", nb_epoch)
        return self.model.fit(x, y, batch_size=batch_size, verbose=verbose, callbacks=callbacks,
                              validation_split=validation_split, validation_data=validation_data,
                              shuffle=shuffle, **kwargs)

    def evaluate(self, data, batch_size=128, verbose=0, **kwargs):
        """The total loss (and metrics) on a dict of named inputs and outputs."""
        x, y = self._split("evaluate", data)
        return self.model.evaluate(x, y, batch_size=batch_size, verbose=verbose, **kwargs)

    def predict(self, data, batch_size=128, verbose=0):
        """A dict output name -> predictions."""
        x, _ = self._split("predict", data, need_outputs=False)
        out = self.model.predict(x, batch_size=batch_size, verbose=verbose)
        out = out if isinstance(out, (list, tuple)) else [out]
        return dict(zip(self.output_order, out))

    def train_on_batch(self, data, **kwargs):
        x, y = self._split("train_on_batch", data)
        return self.model.train_on_batch(x, y, **kwargs)

    def test_on_batch(self, data, **kwargs):
        x, y = self._split("test_on_batch", data)
        return self.model.test_on_batch(x, y, **kwargs)

    def predict_on_batch(self, data):
        return self.predict(data, batch_size=max(1, _num(self._split(
            "predict_on_batch", data, need_outputs=False)[0])))

    def summary(self):
        self.model.summary()

    def get_weights(self):
        return self.model.get_weights()

    def set_weights(self, weights):
        self.model.set_weights(weights)


def model_from_json(json_string, custom_objects=None):
    """A model from `model.to_json()` (today's layout)."""
    from lamina.saving import saving_api
    return saving_api.model_from_json(json_string, custom_objects=custom_objects)


def load_model(filepath, custom_objects=None, compile=True):
    """A model from a `.keras` file."""
    from lamina.saving import saving_api
    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile)


__all__ = ["Functional", "Graph", "Model", "Sequential", "load_model", "model_from_json"]
