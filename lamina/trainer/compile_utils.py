"""What `compile()` turns its arguments into: one loss container and one metrics container.

Both map onto the model's outputs (a single output, a list, or a dict keyed by output name) and
expose a stateless form for the compiled step: metric state is a flat list of arrays.
"""

from lamina import losses as losses_module
from lamina import metrics as metrics_module
from lamina import ops


def _loss_object(identifier, where):
    if identifier is None:
        return None
    obj = losses_module.get(identifier)
    if obj is None:
        return None
    if not isinstance(obj, losses_module.Loss):
        if not callable(obj):
            raise TypeError(f"compile: {where} must be a loss name, a Loss instance or a "
                             f"callable(y_true, y_pred). Received: {identifier!r}")
        name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "loss")
        obj = losses_module.LossFunctionWrapper(obj, name=name)
    return obj


def _per_output(value, output_names, what):
    """Spread a compile argument over the outputs: a list by position or a dict by name."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError(f"compile: {what} has keys {unknown} that are not output names. "
                             f"The model's outputs are {output_names}.")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and n > 1:
        if len(value) != n:
            raise ValueError(f"compile: {what} is a list of {len(value)} entries but the model "
                             f"has {n} outputs {output_names}. Pass one per output, or a dict.")
        return list(value)
    return [value] * n


class CompileLoss:
    """Total loss over the outputs: `sum_i loss_weight_i * loss_i(y_true_i, y_pred_i)`."""

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        self.losses = [_loss_object(l, f"loss for output '{name}'") for l, name in
                       zip(_per_output(loss, self.output_names, "loss"), self.output_names)]
        if all(l is None for l in self.losses):
            raise ValueError("compile: `loss` is required to train; pass e.g. "
                             "loss='mean_squared_error' or loss='sparse_categorical_crossentropy'.")
        weights = _per_output(1.0 if loss_weights is None else loss_weights, self.output_names,
                              "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]

    def __call__(self, y_true, y_pred, sample_weight=None):
        ys_true = _as_list(y_true, self.output_names, "y")
        ys_pred = _as_list(y_pred, self.output_names, "model output")
        sws = _as_list(sample_weight, self.output_names, "sample_weight") \
            if sample_weight is not None else [None] * len(self.output_names)
        per_output, total = [], None
        for loss, weight, yt, yp, sw in zip(self.losses, self.loss_weights, ys_true, ys_pred, sws):
            if loss is None:
                per_output.append(None)
                continue
            value = loss(yt, yp, sample_weight=sw)
            per_output.append(value)
            term = ops.multiply(value, weight) if weight != 1.0 else value
            total = term if total is None else ops.add(total, term)
        return total, per_output


def _as_list(value, output_names, what):
    if len(output_names) == 1:
        if isinstance(value, (list, tuple)) and len(value) == 1:
            return list(value)
        if isinstance(value, dict) and len(value) == 1:
            return list(value.values())
        return [value]
    if isinstance(value, dict):
        missing = [n for n in output_names if n not in value]
        if missing:
            raise ValueError(f"{what} is a dict without entries for outputs {missing}; "
                             f"expected keys {output_names}.")
        return [value[n] for n in output_names]
    if isinstance(value, (list, tuple)) and len(value) == len(output_names):
        return list(value)
    if value is not None and not isinstance(value, (list, tuple)):
        # One sample-weight array shared by every output.
        return [value] * len(output_names)
    raise ValueError(f"{what} must hold one entry per output {output_names}; received "
                     f"{type(value).__name__} of length "
                     f"{len(value) if hasattr(value, '__len__') else '?'}.")


def _resolve_metric(identifier, y_true_shape, y_pred_shape):
    if identifier in ("accuracy", "acc"):
        true_rank, pred_rank = len(y_true_shape), len(y_pred_shape)
        if y_pred_shape[-1] == 1:
            return metrics_module.BinaryAccuracy(name=identifier)
        if true_rank == pred_rank - 1 or (true_rank == pred_rank and y_true_shape[-1] == 1):
            return metrics_module.SparseCategoricalAccuracy(name=identifier)
        return metrics_module.CategoricalAccuracy(name=identifier)
    obj = metrics_module.get(identifier)
    if isinstance(obj, metrics_module.Metric):
        return obj
    if isinstance(obj, type):
        return obj(name=identifier) if isinstance(identifier, str) else obj()
    if callable(obj):
        name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
        return metrics_module.MeanMetricWrapper(obj, name=name)
    raise ValueError(f"compile: cannot use {identifier!r} as a metric.")


class CompileMetrics:
    """Loss trackers and compiled metrics, with a flat list of metric state for the step."""

    def __init__(self, metrics, weighted_metrics, output_names):
        self.output_names = list(output_names)
        self._specs = [self._spread(metrics, "metrics"),
                       self._spread(weighted_metrics, "weighted_metrics")]
        self.loss_tracker = metrics_module.Mean(name="loss")
        multi = len(self.output_names) > 1
        self.output_loss_trackers = ([metrics_module.Mean(name=f"{n}_loss")
                                      for n in self.output_names] if multi else [])
        self.entries = []  # (metric, output index, weighted)
        self.built = False

    def _spread(self, value, what):
        value = _metric_list(value, what)
        if isinstance(value, list) and not any(isinstance(v, list) for v in value):
            return [value] * len(self.output_names)  # a flat list applies to every output
        return _per_output(value, self.output_names, what)

    def build(self, y_true, y_pred):
        ys_true = _as_list(y_true, self.output_names, "y")
        ys_pred = _as_list(y_pred, self.output_names, "model output")
        multi = len(self.output_names) > 1
        for weighted, spec in enumerate(self._specs):
            for i, identifiers in enumerate(spec):
                for identifier in identifiers or []:
                    metric = _resolve_metric(identifier, tuple(ys_true[i].shape),
                                             tuple(ys_pred[i].shape))
                    if isinstance(identifier, str):
                        metric.name = identifier  # logs use the name the user wrote, as Keras
                    if multi:
                        metric.name = f"{self.output_names[i]}_{metric.name}"
                    elif weighted and not isinstance(identifier, metrics_module.Metric):
                        metric.name = f"weighted_{metric.name}"
                    if not metric.variables:
                        _create_lazy_state(metric, ys_true[i], ys_pred[i])
                    self.entries.append((metric, i, bool(weighted)))
        taken = {"loss", *(t.name for t in self.output_loss_trackers)}
        for metric, _, _ in self.entries:
            base, k = metric.name, 0
            while metric.name in taken:
                k += 1
                metric.name = f"{base}_{k}"
            taken.add(metric.name)
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, *self.output_loss_trackers, *(m for m, _, _ in self.entries)]

    @property
    def variables(self):
        return [v for m in self.metrics for v in m.variables]

    def _split(self, values):
        out, start = [], 0
        for m in self.metrics:
            n = len(m.variables)
            out.append(list(values[start:start + n]))
            start += n
        return out

    def stateless_update(self, values, loss, per_output_losses, y_true, y_pred, sample_weight,
                         batch_size):
        groups = self._split(values)
        new = [self.loss_tracker.stateless_update_state(groups[0], loss,
                                                        sample_weight=batch_size)]
        for tracker, group, value in zip(self.output_loss_trackers, groups[1:],
                                         per_output_losses):
            new.append(tracker.stateless_update_state(group, value, sample_weight=batch_size)
                       if value is not None else group)
        ys_true = _as_list(y_true, self.output_names, "y")
        ys_pred = _as_list(y_pred, self.output_names, "model output")
        sws = _as_list(sample_weight, self.output_names, "sample_weight") \
            if sample_weight is not None else [None] * len(self.output_names)
        offset = 1 + len(self.output_loss_trackers)
        for (metric, i, weighted), group in zip(self.entries, groups[offset:]):
            sw = sws[i] if weighted else None
            new.append(metric.stateless_update_state(group, ys_true[i], ys_pred[i],
                                                     sample_weight=sw))
        return [v for group in new for v in group]

    def stateless_result(self, values):
        return {m.name: m.stateless_result(group)
                for m, group in zip(self.metrics, self._split(values))}

    def initial_values(self):
        return [v for m in self.metrics for v in m.stateless_reset_state()]

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()


def _create_lazy_state(metric, y_true, y_pred):
    """Metrics that size their state from the first batch (e.g. multi-label AUC) get it now,
    from a zero batch, so that the compiled step sees every metric variable."""
    import numpy as np

    def zeros(t):
        return np.zeros((1, *(1 if d is None else d for d in tuple(t.shape)[1:])),
                        dtype="float32")
    metric.update_state(zeros(y_true), zeros(y_pred))
    metric.reset_state()


def _metric_list(value, what):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: (v if isinstance(v, (list, tuple)) else [v]) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple)) for v in value):
            return [list(v) if isinstance(v, (list, tuple)) else [v] for v in value]
        return list(value)
    if isinstance(value, str) or callable(value):
        return [value]
    raise ValueError(f"compile: `{what}` must be a list of metric names or Metric objects. "
                     f"Received: {value!r}")

