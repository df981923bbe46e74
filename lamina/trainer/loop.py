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
from lamina.random.seed_generator import numpy_rng
from lamina.trainer import data_adapters as da
from lamina.trainer.compile_utils import CompileLoss, CompileMetrics
from lamina.trainer.step import Steps
from lamina.utils import tree
from lamina.utils.naming import to_snake_case
from lamina.utils.progbar import is_dynamic_display

_TARGET_CALL_SECONDS = 0.15


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
        if self._compile_loss is None:
            args = self._compile_args
            names = self._output_names()
            self._compile_loss = CompileLoss(args["loss"], args["loss_weights"], names) \
                if args["loss"] is not None else None
            self._compile_metrics = CompileMetrics(args["metrics"], args["weighted_metrics"],
                                                   names)
        if not self._compile_metrics.built and y is not None:
            y_pred = self.compute_output_spec(tree.map_structure(_spec_of, x))
            self._compile_metrics.build(y, y_pred)
        if self._steps is None:
            if self.optimizer is not None and not getattr(self.optimizer, "built", False):
                self.optimizer.build(self.trainable_variables)
            self._steps = Steps(self, self.optimizer, self._compile_loss, self._compile_metrics,
                                jit=bool(self.jit_compile) and not self.run_eagerly)

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
        shapes = _output_shapes(self)
        for loss, labels, shape, name in zip(self._compile_loss.losses, ys, shapes, names):
            if loss is None or shape is None or shape[-1] is None:
                continue
            if "sparse_categorical" not in _loss_name(loss):
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
        """Train for `epochs` epochs over in-memory data; returns a History."""
        if kwargs:
            raise TypeError(f"fit: unrecognized keyword argument(s) {sorted(kwargs)}. (Old Keras "
                            "names like nb_epoch= run through `python -m lamina.legacy`.)")
        self._require_compiled("fit")
        if x is None:
            raise ValueError("fit: `x` is required.")
        if y is None:
            raise ValueError("fit: `y` is required for in-memory data (the targets to learn).")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        epochs = _check_positive_int(epochs, "epochs", allow_zero=True)
        verbose = _resolve_verbose(verbose)
        if validation_split and validation_data is None:
            (x, y, sample_weight), val = da.split_validation((
                da.to_numpy_structure(x, "x"), da.to_numpy_structure(y, "y"),
                da.to_numpy_structure(sample_weight, "sample_weight")), validation_split)
            validation_data = val if val[2] is not None else val[:2]
        x, y, sample_weight = self._standardize(x, y, sample_weight, "fit")
        if class_weight is not None:
            sample_weight = da.class_weight_to_sample_weight(y, class_weight, sample_weight)
        n = da.num_samples(x, y, sample_weight)
        self._prepare(x, y)
        self._check_sparse_labels(y)
        if self._compile_loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; pass loss= to "
                             "compile() to train it.")
        val_arrays = None
        if validation_data is not None:
            vx, vy, vsw = da.unpack_validation_data(validation_data)
            val_arrays = self._standardize(vx, vy, vsw, "validation")
            val_batch = validation_batch_size or batch_size
        data = (da.to_device(x), da.to_device(y), da.to_device(sample_weight))
        steps = -(-n // batch_size)
        if steps_per_epoch is not None:
            steps = min(_check_positive_int(steps_per_epoch, "steps_per_epoch"), steps)

        cbs = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                           verbose=verbose, epochs=epochs, steps=steps)
        self.stop_training = False
        rng = numpy_rng()

        def epoch_orders(count):
            if not shuffle:
                return np.broadcast_to(np.arange(n, dtype=np.int32), (count, n))
            return np.argsort(rng.random((count, n)), axis=1).astype(np.int32)

        cbs.on_train_begin()
        fuse = (val_arrays is None and not cbs.needs_epoch_hooks() and verbose == 0
                and not self._steps_compile_one_by_one()
                and not cbs.needs_batch_hooks() and steps_per_epoch is None
                and epochs > initial_epoch
                # every epoch's sample order is sent at once: keep that buffer modest
                and (epochs - initial_epoch) * n <= 2 ** 25)
        if fuse:
            self._fit_fused(data, epoch_orders(epochs - initial_epoch), batch_size, initial_epoch,
                            epochs, cbs)
        else:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                logs = self._fit_epoch(data, epoch_orders(1)[0], batch_size, steps, cbs, verbose)
                if val_arrays is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._evaluate_arrays(*val_arrays, batch_size=val_batch)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        cbs.on_train_end(logs=_last_logs(self.history))
        return self.history

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

    def _fit_epoch(self, data, order, batch_size, steps, cbs, verbose):
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
                                            per_batch or live_bar)
        if not (per_batch or live_bar):
            # Nobody needs Python inside the epoch: one compiled call runs it all.
            cbs.on_train_batch_begin(0)
            state, logs = run(self._pull_state(), data, perm, 0, full, batch_size,
                              with_remainder)
            self._push_state(state)
            logs = {k: float(v) for k, v in logs.items()}
            cbs.on_train_batch_end(full - (0 if with_remainder else 1), logs)
            return logs
        logs, start = {}, 0
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

    def _fit_epoch_stepwise(self, data, order, batch_size, full, with_remainder, cbs, hooks):
        """One compiled call per batch, for models whose steps are slow inside compiled loops
        on this backend; batch hooks still run only where someone needs them."""
        quiet = CallbackList([])
        logs = {}
        for i in range(full + (1 if with_remainder else 0)):
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
        """Loss and metrics on the given data: a scalar, a list in `metrics_names` order, or a
        dict with `return_dict=True`."""
        if kwargs:
            raise TypeError(f"evaluate: unrecognized keyword argument(s) {sorted(kwargs)}.")
        self._require_compiled("evaluate")
        if y is None:
            raise ValueError("evaluate: `y` is required for in-memory data.")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        x, y, sample_weight = self._standardize(x, y, sample_weight, "evaluate")
        self._prepare(x, y)
        self._check_sparse_labels(y)
        if self._compile_loss is None:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; evaluate needs "
                             "one.")
        verbose = _resolve_verbose(verbose)
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
        """Model outputs for `x`, computed in compiled batches, as NumPy arrays."""
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        x = da.standardize_dtypes(da.to_numpy_structure(x, "x"))
        da.num_samples(x)
        if not self.built:
            self(tree.map_structure(lambda a: a[:1], x))
        steps_fns = self._predict_steps()
        out = steps_fns.run_predict([v.value for v in self.trainable_variables],
                                    [v.value for v in self.non_trainable_variables],
                                    da.to_device(x), batch_size)
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


def _spec_of(a):
    from lamina.ops.symbolic import KerasTensor
    return KerasTensor((None, *a.shape[1:]), backend.standardize_dtype(a.dtype))


def _output_shapes(model):
    outputs = getattr(model, "outputs", None)
    if outputs:
        return [t.shape for t in outputs]
    return [None]


def _loss_name(loss):
    fn = getattr(loss, "fn", None)
    names = [type(loss).__name__, getattr(loss, "name", "") or "",
             getattr(fn, "__name__", "") if fn is not None else ""]
    return " ".join(to_snake_case(n) for n in names)




def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _check_positive_int(value, name, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
            value < (0 if allow_zero else 1):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"`{name}` must be a {kind} int. Received: {name}={value!r}")
    return int(value)


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return verbose


def _last_logs(history):
    if history is None or not history.history:
        return {}
    return {k: v[-1] for k, v in history.history.items() if v}

