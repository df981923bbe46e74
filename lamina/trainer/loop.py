"""compile / fit / evaluate / predict, written once for every backend.

`fit` pulls the state out of the variables once, runs compiled calls of many steps each, and
writes the state back after each call. How many steps a call runs depends on who needs Python:
- nothing between epochs (verbose=0, no callbacks, no validation): all epochs in one call;
- nothing inside an epoch (no per-batch callback, no live progress bar): one call per epoch;
- a live progress bar: chunks sized so the bar refreshes a few times a second;
- a callback with per-batch hooks: `steps_per_execution` steps per call (Keras semantics).
"""

import time

import numpy as np

from lamina import backend, losses, optimizers
from lamina.callbacks import CallbackList, History
from lamina.distribution import distribution_lib
from lamina.trainer import data_adapters as da
from lamina.trainer.arguments import (
    check_positive_int,
    check_stream_arguments,
    deserialize_nested,
    last_logs,
    loss_name,
    output_shapes,
    require_training,
    resolve_verbose,
    should_validate,
    spec_of,
)
from lamina.trainer.compile_utils import CompileLoss, CompileMetrics
from lamina.trainer.epoch_iterator import EpochIterator, StreamSteps, group_batches, group_size
from lamina.trainer.epochs import (
    ArrayBatches,
    ArrayEpochs,
    NotingCallbacks,
    StreamEpochs,
    first_batches,
)
from lamina.trainer.step import Steps
from lamina.utils import tree
from lamina.utils.progbar import is_dynamic_display

_TARGET_CALL_SECONDS = 0.15
# Input dtypes that `predict` converts (float64 to floatx, int64 to int32) before computing.
_CONVERTED_DTYPES = (np.dtype("float64"), np.dtype("int64"))


def _servable(x, batch_size):
    """Whether `predict` can run `x` as it is: one NumPy array of a dtype it keeps, a valid
    batch size, no distribution (which checks the global batch size first)."""
    return (type(x) is np.ndarray and x.ndim > 0 and x.dtype.kind in "biuf"
            and x.dtype not in _CONVERTED_DTYPES
            and (batch_size is None or (type(batch_size) is int and batch_size > 0))
            and distribution_lib.distribution() is None)


class Trainer:
    """compile/fit/evaluate/predict for Model; mixed into `lamina.Model`."""

    def _init_trainer(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._steps = None
        self._compile_config = None

    # -- compile ----------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configure training: optimizer, loss (per output), metrics, execution options."""
        if kwargs:
            raise TypeError(f"compile: unrecognized keyword argument(s) {sorted(kwargs)}. "
                            "Keras 3 arguments are optimizer, loss, loss_weights, metrics, "
                            "weighted_metrics, run_eagerly, steps_per_execution, jit_compile.")
        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError("compile: `steps_per_execution` must be a positive int. Received: "
                             f"{steps_per_execution!r}")
        self.optimizer = optimizers.get(optimizer)
        if getattr(self, "dtype_policy", None) is not None and \
                self.dtype_policy.name == "mixed_float16" and \
                not isinstance(self.optimizer, optimizers.LossScaleOptimizer):
            # float16 gradients underflow without loss scaling; Keras wraps the optimizer too.
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)
        for identifier in tree.flatten(loss):
            if identifier is not None and not callable(identifier):
                losses.get(identifier)  # unknown names fail here, naming the known ones
        self._compile_args = {"loss": loss, "loss_weights": loss_weights, "metrics": metrics,
                              "weighted_metrics": weighted_metrics}
        self._compile_loss = None
        self._compile_metrics = None
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile if jit_compile != "auto" else True
        self.steps_per_execution = steps_per_execution
        self._steps = None
        self.compiled = True

    def get_compile_config(self):
        """The `compile()` arguments as a JSON-compatible dict (Keras's "compile_config"), or
        None when the model is not compiled."""
        if not getattr(self, "compiled", False):
            return None
        from lamina.saving.serialization import serialize_keras_object
        args = self._compile_args
        return {"optimizer": serialize_keras_object(self.optimizer),
                **{k: serialize_keras_object(args[k]) for k in
                   ("loss", "loss_weights", "metrics", "weighted_metrics")},
                "run_eagerly": self.run_eagerly, "steps_per_execution": self.steps_per_execution,
                "jit_compile": self.jit_compile}

    def compile_from_config(self, config):
        """Compile from `get_compile_config()`'s dict (names resolve through lamina's tables,
        registered classes and the active custom-object scope)."""
        from lamina import metrics as metrics_module
        if not isinstance(config, dict):
            raise TypeError(f"Model '{self.name}'.compile_from_config: expected a dict from "
                            f"get_compile_config(). Received: {type(config).__name__}")
        known = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics",
                 "run_eagerly", "steps_per_execution", "jit_compile")
        kwargs = {k: config[k] for k in known if k in config}
        if isinstance(kwargs.get("optimizer"), dict):
            kwargs["optimizer"] = optimizers.deserialize(kwargs["optimizer"])
        kwargs["loss"] = deserialize_nested(kwargs.get("loss"), losses.deserialize)
        for key in ("metrics", "weighted_metrics"):
            kwargs[key] = deserialize_nested(kwargs.get(key), metrics_module.deserialize)
        self.compile(**kwargs)

    def _output_names(self):
        outputs = getattr(self, "outputs", None)
        if not outputs:
            return ["output"]
        names = []
        for t in outputs:
            layer = t.node.operation if t.node is not None else None
            names.append(getattr(layer, "name", None) or f"output_{len(names)}")
        return names

    def _require_compiled(self, what):
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"Model '{self.name}': call compile(optimizer=..., loss=...) "
                               f"before {what}().")

    def _prepare(self, x, y):
        """Build the model, the loss/metric containers and the compiled steps on first use."""
        if not self.built:
            sample = tree.map_structure(lambda a: a[:1], x)
            self(sample)
        if hasattr(self, "_check_inputs"):  # graph models: the data's own shapes in the error
            self._check_inputs(x)
        if self._compile_loss is None:
            args = self._compile_args
            names = self._output_names()
            self._compile_loss = CompileLoss(args["loss"], args["loss_weights"], names) \
                if args["loss"] is not None else None
            self._compile_metrics = CompileMetrics(args["metrics"], args["weighted_metrics"],
                                                   names)
        if not self._compile_metrics.built and y is not None:
            # A model with a fixed batch size (stateful RNNs) is probed with that size.
            fixed = {t.shape[0] for t in tree.flatten(getattr(self, "inputs", None) or [])
                     if getattr(t, "shape", None)}
            batch = fixed.pop() if len(fixed) == 1 else None
            y_pred = self.compute_output_spec(
                tree.map_structure(lambda a: spec_of(a, batch), x))
            self._compile_metrics.build(y, y_pred)
        if self._steps is None:
            if self.optimizer is not None and not getattr(self.optimizer, "built", False):
                self.optimizer.build(self.trainable_variables)
            self._steps = Steps(self, self.optimizer, self._compile_loss, self._compile_metrics,
                                jit=bool(self.jit_compile) and not self.run_eagerly)
        if distribution_lib.distribution() is not None and not getattr(self, "_distributed", False):
            # Under a distribution, variables (and optimizer slots) sit where their layouts say;
            # the compiled steps then run as one program over the device mesh.
            distribution_lib.distribute_model_variables(self)
            self._distributed = True

    @property
    def metrics(self):
        if getattr(self, "_compile_metrics", None) is None:
            return []
        return self._compile_metrics.metrics

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- state --------------------------------------------------------------------------------------
    def _pull_state(self):
        return ([v.value for v in self.trainable_variables],
                [v.value for v in self.non_trainable_variables],
                [v.value for v in self.optimizer.variables],
                [v.value for v in self._compile_metrics.variables])

    def _push_state(self, state):
        groups = (self.trainable_variables, self.non_trainable_variables,
                  self.optimizer.variables, self._compile_metrics.variables)
        for variables, values in zip(groups, state):
            for v, value in zip(variables, values):
                v._value = value  # the compiled call already produced arrays of the right shape

    # -- data ---------------------------------------------------------------------------------------
    def _standardize(self, x, y, sample_weight, what, check_labels=True):
        x = da.standardize_dtypes(da.to_numpy_structure(x, "x"))
        y = da.standardize_dtypes(da.to_numpy_structure(y, "y")) if y is not None else None
        sample_weight = da.to_numpy_structure(sample_weight, "sample_weight")
        if sample_weight is not None:
            sample_weight = tree.map_structure(
                lambda a: a.astype(backend.floatx()), sample_weight)
        da.num_samples(x, y, sample_weight)
        da.check_finite(x, "x")
        if y is not None:
            da.check_finite(y, "y")
        if sample_weight is not None:
            da.check_finite(sample_weight, "sample_weight")
        return x, y, sample_weight

    def _check_sparse_labels(self, y):
        """Integer labels for a sparse categorical loss must index the model's output units."""
        if self._compile_loss is None:
            return
        names = self._output_names()
        ys = [y] if len(names) == 1 and not isinstance(y, (list, tuple, dict)) else (
            [y[n] for n in names] if isinstance(y, dict) else list(y))
        shapes = output_shapes(self)
        for loss, labels, shape, name in zip(self._compile_loss.losses, ys, shapes, names):
            if loss is None or shape is None or shape[-1] is None:
                continue
            if "sparse_categorical" not in loss_name(loss):
                continue
            units = shape[-1]
            if labels.size == 0:
                continue
            lo, hi = labels.min(), labels.max()
            if lo < 0 or hi >= units:
                bad = hi if hi >= units else lo
                raise ValueError(
                    f"Model '{self.name}': sparse labels for output '{name}' must be integers in "
                    f"[0, {units}) to index its {units} output units; found label {bad}. Use as "
                    "many output units as classes, or remap the labels to start at 0.")

    # -- fit ----------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Train for `epochs` epochs; returns a History.

        `x` is in-memory data (arrays, a list or dict of arrays, a pandas DataFrame) with `y`
        and `sample_weight` beside it, or a streamed source (a generator, a
        `lamina.utils.PyDataset`, a torch DataLoader, a tf.data or grain dataset) whose batches
        are `x`, `(x, y)` or `(x, y, sample_weight)`. `validation_data` takes either form.
        """
        require_training("fit")
        if kwargs:
            raise TypeError(f"fit: unrecognized keyword argument(s) {sorted(kwargs)}. (Old Keras "
                            "names like nb_epoch= run through `python -m lamina.legacy`.)")
        self._require_compiled("fit")
        if x is None:
            raise ValueError("fit: `x` is required.")
        epochs = check_positive_int(epochs, "epochs", allow_zero=True)
        verbose = resolve_verbose(verbose)
        if steps_per_epoch is not None:
            steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
        if da.is_stream(x):
            check_stream_arguments("fit", x, y=y, sample_weight=sample_weight,
                                   batch_size=batch_size, validation_split=validation_split)
            source = EpochIterator(da.get_adapter(x, "x", shuffle=shuffle), steps_per_epoch,
                                   class_weight, "fit")
            try:
                x0, y0, _ = source.peek()
                if y0 is None:
                    raise ValueError(f"fit: the batches of {source.adapter.name} hold only `x`; "
                                     "training needs targets: yield `(x, y)` or "
                                     "`(x, y, sample_weight)`.")
                self._prepare_training(x0, y0)
                return self._fit_epochs(
                    StreamEpochs(self, source), epochs, verbose, callbacks, initial_epoch,
                    source.num_batches, self._validation(validation_data, validation_batch_size,
                                                         validation_steps), validation_freq)
            finally:
                source.close()
        if y is None:
            raise ValueError("fit: `y` is required for in-memory data (the targets to learn).")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if distribution_lib.distribution() is not None:
            distribution_lib.check_global_batch_size(batch_size)
        if validation_split and validation_data is None:
            (x, y, sample_weight), val = da.split_validation((
                da.to_numpy_structure(x, "x"), da.to_numpy_structure(y, "y"),
                da.to_numpy_structure(sample_weight, "sample_weight")), validation_split)
            validation_data = val if val[2] is not None else val[:2]
        x, y, sample_weight = self._standardize(x, y, sample_weight, "fit")
        if class_weight is not None:
            sample_weight = da.class_weight_to_sample_weight(y, class_weight, sample_weight)
        n = da.num_samples(x, y, sample_weight)
        self._prepare_training(x, y)
        validate = self._validation(validation_data, validation_batch_size or batch_size,
                                    validation_steps)
        steps = -(-n // batch_size)
        if steps_per_epoch is not None:
            steps = min(steps_per_epoch, steps)
        data = (da.to_device(x), da.to_device(y), da.to_device(sample_weight))
        arrays = ArrayEpochs(self, data, n, batch_size, steps, shuffle,
                             fusable=steps_per_epoch is None and validate is None)
        return self._fit_epochs(arrays, epochs, verbose, callbacks, initial_epoch, steps,
                                validate, validation_freq)

    def _prepare_training(self, x, y):
        self._prepare(x, y)
        self._check_sparse_labels(y)
        if self._compile_loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; pass loss= to "
                             "compile() to train it.")

    def _fit_epochs(self, epochs_source, epochs, verbose, callbacks, initial_epoch, steps,
                    validate, validation_freq):
        """The epoch loop shared by every data source."""
        cbs = NotingCallbacks(CallbackList(callbacks, add_history=True,
                                           add_progbar=verbose != 0, model=self,
                                           verbose=verbose, epochs=epochs, steps=steps))
        self.stop_training = False
        self._initial_epoch = self._initial_batch = None
        cbs.on_train_begin()
        # A callback that resumes an interrupted run (BackupAndRestore) sets the first epoch,
        # and, when it backs up every few batches, the batch to continue from.
        initial_epoch = self._initial_epoch if self._initial_epoch is not None else initial_epoch
        first_batch = self._initial_batch or 0
        epochs_source.skip_epochs(initial_epoch)
        fuse = (epochs_source.fusable and not cbs.needs_epoch_hooks() and verbose == 0
                and not self._steps_compile_one_by_one() and not cbs.needs_batch_hooks()
                and epochs > initial_epoch and not first_batch
                # every epoch's sample order is sent at once: keep that buffer modest
                and (epochs - initial_epoch) * epochs_source.n <= 2 ** 25)
        if fuse:
            epochs_source.run_fused(initial_epoch, epochs, cbs)
        else:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.epoch = epoch
                cbs.on_epoch_begin(epoch)
                logs = epochs_source.run_epoch(epoch, cbs, verbose,
                                               first_batch if epoch == initial_epoch else 0)
                if logs is None:
                    break  # a generator ran out of data before this epoch (warned)
                if validate is not None and should_validate(epoch, validation_freq):
                    cbs.on_test_begin()
                    val_logs = validate()
                    cbs.on_test_end(val_logs)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training or epochs_source.out_of_data:
                    break
        if epochs > initial_epoch:
            # With use_ema, the model ends training holding the moving averages (Keras does too).
            self.optimizer.finalize_variable_values(self.trainable_variables)
        cbs.on_train_end(logs=last_logs(self.history))
        return self.history

    def _validation(self, validation_data, batch_size, validation_steps):
        """A function computing the validation logs, or None without validation data."""
        if validation_data is None:
            return None
        if validation_steps is not None:
            validation_steps = check_positive_int(validation_steps, "validation_steps")
        if da.is_stream(validation_data):
            check_stream_arguments("fit", validation_data, batch_size=batch_size,
                                   role="validation_data")
            source = EpochIterator(da.get_adapter(validation_data, "validation_data"),
                                   validation_steps, None, "fit (validation)")
            state = {"epoch": 0}

            def validate_stream():
                state["epoch"] += 1
                return self._evaluate_stream(source, state["epoch"] - 1)
            return validate_stream
        vx, vy, vsw = da.unpack_validation_data(validation_data)
        arrays = self._standardize(vx, vy, vsw, "validation")
        batch_size = check_positive_int(32 if batch_size is None else batch_size,
                                        "validation_batch_size")
        if validation_steps is not None:
            arrays = first_batches(arrays, validation_steps, batch_size)
        return lambda: self._evaluate_arrays(*arrays, batch_size=batch_size)

    def _fit_fused(self, data, perms, batch_size, initial_epoch, epochs, cbs):
        state = self._pull_state()
        state = (*state[:3], self._compile_metrics.initial_values())
        state, logs = self._steps.run_train_epochs(state, data, backend.convert_to_tensor(perms),
                                                   batch_size)
        self._push_state(state)
        logs = {k: backend.convert_to_numpy(v).tolist() for k, v in logs.items()}
        epoch_range = range(initial_epoch, epochs)
        for callback in cbs.callbacks:
            if isinstance(callback, History):
                # Thousands of tiny epochs: record them in bulk rather than hook by hook.
                callback.epoch.extend(epoch_range)
                for k, values in logs.items():
                    callback.history.setdefault(k, []).extend(values)
            else:
                for i, epoch in enumerate(epoch_range):
                    callback.on_epoch_end(epoch, {k: v[i] for k, v in logs.items()})

    def _fit_epoch(self, data, order, batch_size, steps, cbs, verbose, first_batch=0):
        n = order.shape[0]
        full = min(n // batch_size, steps)
        with_remainder = steps > n // batch_size
        perm = backend.convert_to_tensor(order)
        per_batch = cbs.needs_batch_hooks()
        # A bar is redrawn only on a terminal or notebook; in a log it prints once per epoch.
        live_bar = verbose == 1 and is_dynamic_display()
        run = self._steps.run_train
        if self._steps_compile_one_by_one():
            return self._fit_epoch_stepwise(data, order, batch_size, full, with_remainder, cbs,
                                            per_batch or live_bar, first_batch)
        first_batch = min(first_batch, full)
        if not (per_batch or live_bar):
            # Nobody needs Python inside the epoch: one compiled call runs it all.
            cbs.on_train_batch_begin(first_batch)
            state, logs = run(self._pull_state(), data, perm, first_batch, full - first_batch,
                              batch_size, with_remainder)
            self._push_state(state)
            logs = {k: float(v) for k, v in logs.items()}
            cbs.on_train_batch_end(full - (0 if with_remainder else 1), logs)
            return logs
        logs, start = {}, first_batch
        chunk = self.steps_per_execution if per_batch else 1
        while start < full and not self.stop_training:
            num = min(chunk, full - start)
            cbs.on_train_batch_begin(start)
            began = time.perf_counter()
            state, logs = run(self._pull_state(), data, perm, start, num, batch_size, False)
            self._push_state(state)
            logs = {k: float(v) for k, v in logs.items()}
            cbs.on_train_batch_end(start + num - 1, logs)
            if not per_batch:
                # Size the next call so the bar refreshes a few times a second.
                per_step = (time.perf_counter() - began) / num
                chunk = max(1, int(_TARGET_CALL_SECONDS / max(per_step, 1e-6)))
            start += num
        if with_remainder and not self.stop_training:
            logs = self._train_one_batch(data, order[full * batch_size:], full, cbs)
        return dict(logs)

    def _train_one_batch(self, data, indices, batch, cbs):
        cbs.on_train_batch_begin(batch)
        state, logs = self._steps.run_train_batch(self._pull_state(), data,
                                                  backend.convert_to_tensor(indices))
        self._push_state(state)
        logs = {k: float(v) for k, v in logs.items()}
        cbs.on_train_batch_end(batch, logs)
        return logs

    def _fit_epoch_stepwise(self, data, order, batch_size, full, with_remainder, cbs, hooks,
                            first_batch=0):
        """One compiled call per batch, for models whose steps are slow inside compiled loops
        on this backend; batch hooks still run only where someone needs them."""
        quiet = CallbackList([])
        logs = {}
        for i in range(first_batch, full + (1 if with_remainder else 0)):
            is_last = i == full - 1 + (1 if with_remainder else 0)
            logs = self._train_one_batch(data, order[i * batch_size:(i + 1) * batch_size], i,
                                         cbs if hooks or is_last else quiet)
            if self.stop_training:
                break
        return logs

    def _steps_compile_one_by_one(self):
        if backend.supports("fast_convolution_in_loops"):
            return False
        return any(getattr(layer, "_slow_in_compiled_loops", False)
                   for layer in self._flat_layers())

    # -- streamed data ---------------------------------------------------------------------------------
    def _stream_steps(self, steps):
        cached = getattr(self, "_stream", None)
        if cached is None or cached.steps is not steps:
            self._stream = StreamSteps(steps)
        return self._stream

    def _group_size(self, source, per_batch):
        if self._steps_compile_one_by_one():
            return 1
        return group_size(source.peek(), source.num_batches,
                          self.steps_per_execution if per_batch else None)

    def _fit_stream_epoch(self, source, epoch, cbs, verbose, first_batch=0):
        """One epoch over a streamed source: groups of same-shaped batches per compiled call.
        Returns the logs, or None when the source had no data left for this epoch."""
        stream = self._stream_steps(self._steps)
        per_batch = cbs.needs_batch_hooks()
        hooks = per_batch or (verbose == 1 and is_dynamic_display())
        size = self._group_size(source, per_batch)
        logs, last = None, first_batch - 1
        if not hooks:
            cbs.on_train_batch_begin(first_batch)
        for first, last, batch, count in group_batches(source.epoch(epoch, first_batch), size):
            if hooks:
                cbs.on_train_batch_begin(first)
            if count is None:
                state, logs = stream.train_one(self._pull_state(), batch)
            else:
                state, logs = stream.train_group(self._pull_state(), batch, np.int32(count))
            self._push_state(state)
            if hooks:
                logs = {k: float(v) for k, v in logs.items()}
                cbs.on_train_batch_end(last, logs)
                if self.stop_training:
                    break
        if logs is None:
            if source.out_of_data:
                self.stop_training = True
                return None
            return {}
        logs = {k: float(v) for k, v in logs.items()}
        if not hooks:
            cbs.on_train_batch_end(last, logs)
        return logs

    def _evaluate_stream(self, source, epoch=0, cbs=None, hooks=False):
        stream = self._stream_steps(self._steps)
        trainable = [v.value for v in self.trainable_variables]
        non_trainable = [v.value for v in self.non_trainable_variables]
        metric_vars, logs = self._compile_metrics.initial_values(), None
        size = self._group_size(source, False)
        self._last_stream_batch = -1
        for first, last, batch, count in group_batches(source.epoch(epoch), size):
            self._last_stream_batch = last
            if hooks:
                cbs.on_test_batch_begin(first)
            if count is None:
                metric_vars, logs = stream.test_one(trainable, non_trainable, metric_vars, batch)
            else:
                metric_vars, logs = stream.test_group(trainable, non_trainable, metric_vars,
                                                      batch, np.int32(count))
            if hooks:
                cbs.on_test_batch_end(last, {k: float(v) for k, v in logs.items()})
        for v, value in zip(self._compile_metrics.variables, metric_vars):
            v._value = value
        if logs is None:
            return {}  # a generator used up by an earlier validation (it warned)
        return {k: float(v) for k, v in logs.items()}

    def _predict_stream(self, source, cbs, hooks):
        x0 = source.peek()[0]
        if not self.built:
            self(tree.map_structure(lambda a: a[:1], x0))
        stream = self._stream_steps(self._predict_steps())
        trainable = [v.value for v in self.trainable_variables]
        non_trainable = [v.value for v in self.non_trainable_variables]
        # A callback watching batches sees each one's outputs, so batches then run one by one.
        size = 1 if hooks else self._group_size(source, False)
        pieces = []  # device arrays, fetched once at the end so loading overlaps compute
        self._last_stream_batch = -1

        def host(out, count):
            out = backend.convert_to_numpy(out)
            return out if count is None else out[:count].reshape(-1, *out.shape[2:])
        for first, last, batch, count in group_batches(source.epoch(0), size):
            self._last_stream_batch = last
            if hooks:
                cbs.on_predict_batch_begin(first)
            if count is None:
                pieces.append((stream.predict_one(trainable, non_trainable, batch[0]), None))
            else:
                pieces.append((stream.predict_group(trainable, non_trainable, batch[0]), count))
            if hooks:
                out, count = pieces[-1]
                cbs.on_predict_batch_end(last, {"outputs": tree.map_structure(
                    lambda a, count=count: host(a, count), out)})
        flat = [[host(a, count) for a in tree.flatten(out)] for out, count in pieces]
        joined = [np.concatenate(parts, axis=0) for parts in zip(*flat)]
        return tree.pack_sequence_as(pieces[0][0], joined)

    # -- evaluate / predict ---------------------------------------------------------------------------
    def _evaluate_arrays(self, x, y, sample_weight, batch_size):
        self._prepare(x, y)
        data = (da.to_device(x), da.to_device(y), da.to_device(sample_weight))
        metric_vars, logs = self._steps.run_test(
            [v.value for v in self.trainable_variables],
            [v.value for v in self.non_trainable_variables],
            self._compile_metrics.initial_values(), data, batch_size)
        for v, value in zip(self._compile_metrics.variables, metric_vars):
            v._value = value
        return {k: float(v) for k, v in logs.items()}

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics on the given data (in-memory arrays, or a streamed source as in
        `fit`): a scalar, a list in `metrics_names` order, or a dict with `return_dict=True`."""
        if kwargs:
            raise TypeError(f"evaluate: unrecognized keyword argument(s) {sorted(kwargs)}.")
        self._require_compiled("evaluate")
        verbose = resolve_verbose(verbose)
        if steps is not None:
            steps = check_positive_int(steps, "steps")
        if da.is_stream(x):
            check_stream_arguments("evaluate", x, y=y, sample_weight=sample_weight,
                                   batch_size=batch_size)
            source = EpochIterator(da.get_adapter(x, "x"), steps, None, "evaluate")
            try:
                x0, y0, _ = source.peek()
                if y0 is None:
                    raise ValueError(f"evaluate: the batches of {source.adapter.name} hold only "
                                     "`x`; evaluating needs targets: yield `(x, y)`.")
                self._prepare(x0, y0)
                self._check_sparse_labels(y0)
                if self._compile_loss is None:
                    raise ValueError(f"Model '{self.name}' was compiled without a loss; "
                                     "evaluate needs one.")
                cbs = NotingCallbacks(CallbackList(
                    callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
                    steps=source.num_batches))
                cbs.on_test_begin()
                hooks = cbs.needs_batch_hooks("test") or (verbose == 1 and is_dynamic_display())
                logs = self._evaluate_stream(source, 0, cbs, hooks)
                if not hooks:
                    cbs.on_test_batch_end(self._last_stream_batch, logs)
                cbs.on_test_end(logs)
            finally:
                source.close()
            return self._format_logs(logs, return_dict)
        if y is None:
            raise ValueError("evaluate: `y` is required for in-memory data.")
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if distribution_lib.distribution() is not None:
            distribution_lib.check_global_batch_size(batch_size)
        x, y, sample_weight = self._standardize(x, y, sample_weight, "evaluate")
        if steps is not None:
            x, y, sample_weight = first_batches((x, y, sample_weight), steps, batch_size)
        self._prepare(x, y)
        self._check_sparse_labels(y)
        if self._compile_loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; evaluate needs "
                             "one.")
        n = da.num_samples(x, y, sample_weight)
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=-(-n // batch_size))
        cbs.on_test_begin()
        logs = self._evaluate_arrays(x, y, sample_weight, batch_size)
        cbs.on_test_batch_end(-(-n // batch_size) - 1, logs)
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for `x` (in-memory arrays, or a streamed source whose batches are `x`
        or `(x, ...)`), computed in compiled batches, as NumPy arrays."""
        if verbose == 0 and not callbacks and steps is None and _servable(x, batch_size):
            # The serving path: one array to run as it is, nothing else to set up (a one-row
            # predict is mostly the Python around the compiled call).
            return self._predict_arrays(x, 32 if batch_size is None else batch_size)
        verbose = resolve_verbose(verbose)
        if steps is not None:
            steps = check_positive_int(steps, "steps")
        if da.is_stream(x):
            check_stream_arguments("predict", x, batch_size=batch_size)
            return self._predict_from(EpochIterator(da.get_adapter(x, "x"), steps, None,
                                                    "predict"), callbacks, verbose)
        batch_size = check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if type(x) is np.ndarray and x.ndim and x.dtype.kind in "biuf":
            x, n = da.standardize_dtypes(x), len(x)  # one numeric array: no structure to walk
        else:
            x = da.standardize_dtypes(da.to_numpy_structure(x, "x"))
            n = da.num_samples(x)
        if steps is not None:
            x = first_batches((x,), steps, batch_size)[0]
            n = da.num_samples(x)
        if distribution_lib.distribution() is not None:
            distribution_lib.check_global_batch_size(batch_size)
        if not callbacks and not verbose:
            return self._predict_arrays(x, batch_size)  # the serving path: nothing else to run
        last = -(-n // batch_size) - 1
        cbs = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                           epochs=1, steps=last + 1)
        if cbs.needs_batch_hooks("predict") or (verbose == 1 and is_dynamic_display()):
            # Someone watches every batch: the arrays are served as a stream of batches.
            source = EpochIterator(da.get_adapter(ArrayBatches(x, n, batch_size), "x"), None,
                                   None, "predict")
            return self._predict_from(source, cbs, verbose)
        cbs.on_predict_begin()
        out = self._predict_arrays(x, batch_size)
        cbs.on_predict_batch_end(last, {"outputs": out})
        cbs.on_predict_end()
        return out

    def _predict_from(self, source, callbacks, verbose):
        """Outputs for a streamed source, running the predict callbacks."""
        try:
            if not isinstance(callbacks, CallbackList):
                callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                         verbose=verbose, epochs=1, steps=source.num_batches)
            cbs = NotingCallbacks(callbacks)
            cbs.on_predict_begin()
            hooks = cbs.needs_batch_hooks("predict")
            out = self._predict_stream(source, cbs, hooks)
            if not hooks:
                cbs.on_predict_batch_end(self._last_stream_batch, {"outputs": None})
            cbs.on_predict_end()
        finally:
            source.close()
        return out

    def _predict_arrays(self, x, batch_size):
        """Outputs for in-memory arrays in one compiled call (reused per input signature)."""
        if not self.built:
            self(tree.map_structure(lambda a: a[:1], x))
        if distribution_lib.distribution() is not None:
            x = da.to_device(x)  # otherwise the compiled call takes the NumPy arrays directly
        trainable, non_trainable = self._variable_lists()
        if backend.get_stateless_scope() is None:  # the stored values, without per-read checks
            trainable, non_trainable = [v._value for v in trainable], \
                [v._value for v in non_trainable]
        else:
            trainable, non_trainable = [v.value for v in trainable], \
                [v.value for v in non_trainable]
        out = self._predict_steps().run_predict(trainable, non_trainable, x, batch_size)
        if hasattr(out, "shape"):
            return backend.convert_to_numpy(out)
        return tree.map_structure(backend.convert_to_numpy, out)

    def _predict_steps(self):
        if self._steps is not None:
            return self._steps
        if getattr(self, "_predict_only_steps", None) is None:
            self._predict_only_steps = Steps(self, None, None, None,
                                             jit=not getattr(self, "run_eagerly", False))
        return self._predict_only_steps

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; metrics accumulate until `reset_metrics()`."""
        require_training("train_on_batch")
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "train_on_batch")
        if class_weight is not None:
            sample_weight = da.class_weight_to_sample_weight(y, class_weight, sample_weight)
        n = da.num_samples(x, y, sample_weight)
        self._prepare(x, y)
        self._check_sparse_labels(y)
        data = (da.to_device(x), da.to_device(y), da.to_device(sample_weight))
        perm = backend.convert_to_tensor(np.arange(n, dtype=np.int32))
        state, logs = self._steps.run_train(self._pull_state(), data, perm, 0, 1, n, False)
        self._push_state(state)
        return self._format_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics on one batch (metrics restart from zero)."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "test_on_batch")
        n = da.num_samples(x, y, sample_weight)
        logs = self._evaluate_arrays(x, y, sample_weight, n)
        return self._format_logs(logs, return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch as NumPy arrays."""
        x = da.standardize_dtypes(da.to_numpy_structure(x, "x"))
        return self.predict(x, batch_size=da.num_samples(x), verbose=0)

    def _format_logs(self, logs, return_dict):
        logs = {k: float(v) for k, v in logs.items()}
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values
