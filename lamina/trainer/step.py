"""The pure training, test and predict steps, and the compiled loops that run many of them.

State is four lists of raw arrays ordered like `model.trainable_variables`,
`model.non_trainable_variables`, `optimizer.variables` and the compiled metrics' variables.
`train_step(state, batch) -> state` is pure; the loops gather each batch from device-resident data
inside compiled code, so Python runs once per call, not once per batch.
"""

import math
import weakref

from lamina import backend, ops
from lamina.backend.common import global_state
from lamina.utils import tree

# Models with at most this many weights (the XOR network has 9) compile with XLA's least
# optimised code: the seed XOR fit compiled in 0.45 s instead of 0.72 s and ran as fast.
FAST_COMPILE_UP_TO = 4096


def gather(data, indices):
    """Rows `indices` of every array in `data` (None entries stay None).

    Indexing or an in-bounds gather, not `take`: take's out-of-bounds handling made an MLP epoch
    1.5x slower on XLA:CPU, and these indices are always in bounds.
    """
    batch = tree.map_structure(
        lambda a: None if a is None else backend.core.take_rows(a, indices), data)
    return _lay_out(batch, indices.shape[0])


def _lay_out(batch, rows):
    """Under a distribution, split a gathered batch over the mesh's batch axis (a ragged last
    batch that does not divide stays where the compiler puts it)."""
    from lamina.distribution import distribution_lib
    dist = distribution_lib.distribution()
    if dist is None or rows % dist.device_mesh.axis_size(dist.batch_dim_name):
        return batch
    return distribution_lib.distribute_data(batch, dist)


def _leading(data):
    return tree.flatten(data[0])[0].shape[0]


class Steps:
    """Pure steps and compiled loops for one compiled model.

    Args:
        model: The model (built).
        optimizer: Its optimizer, built on `model.trainable_variables` (may be None for
            evaluate/predict only).
        compile_loss / compile_metrics: Containers from `trainer.compile_utils`.
        jit: Whether to compile the loops (False with `run_eagerly=True`).
    """

    def __init__(self, model, optimizer, compile_loss, compile_metrics, jit=True):
        self.model = model
        self.optimizer = optimizer
        self.compile_loss = compile_loss
        self.compile_metrics = compile_metrics
        self.trace_counts = {"train": 0, "train_batch": 0, "train_epochs": 0, "test": 0, "predict": 0}
        t = backend.transforms
        self._jit = jit
        # A toy model's programs run in microseconds: there compilation is the whole cost.
        fast_compile = sum(math.prod(v.shape) for v in model.variables) <= FAST_COMPILE_UP_TO
        wrap = (lambda fn, donate=(), static=(): t.jit(
            fn, donate_argnums=donate, static_argnums=static, fast_compile=fast_compile,
            top_level=True)) if jit else (lambda fn, donate=(), static=(): fn)
        self.run_train = wrap(self._run_train, donate=(0,), static=(5, 6))
        self.run_train_batch = wrap(self._run_train_batch, donate=(0,))
        self.run_train_epochs = wrap(self._run_train_epochs, donate=(0,), static=(3,))
        self.run_test = wrap(self._run_test, static=(4,))
        self.run_predict = wrap(self._run_predict, static=(3,))
        self._grad_fn = t.value_and_grad(self._compute_loss, has_aux=True)
        # When the model and its compiled steps die, their arrays (weights, optimizer slots,
        # gradients and batches of about the same size) go back to the allocator.
        state = list(model.variables) + list(optimizer.variables if optimizer else [])
        weakref.finalize(self, global_state.note_freed, 3 * sum(v.value.nbytes for v in state))

    # -- single steps ------------------------------------------------------------------------------
    def _compute_loss(self, trainable, non_trainable, opt_vars, x, y, sample_weight):
        y_pred, non_trainable, layer_losses = self.model.stateless_call(
            trainable, non_trainable, x, training=True, return_losses=True)
        loss, per_output = self.compile_loss(y, y_pred, sample_weight)
        for extra in layer_losses:
            loss = ops.add(loss, ops.cast(extra, loss.dtype))
        # Differentiate the optimizer's scaled loss (loss scaling for float16); report the
        # unscaled one. The optimizer unscales the gradients.
        scaled = self._scale_loss(loss, opt_vars)
        return scaled, (loss, y_pred, non_trainable, per_output)

    def _scale_loss(self, loss, opt_vars):
        scale = getattr(self.optimizer, "scale_loss", None)
        if scale is None:
            return loss
        # The scale is optimizer state (a dynamic loss scale changes between steps): read it
        # from this step's values, not from the variables as they were when tracing.
        with backend.StatelessScope(list(zip(self.optimizer.variables, opt_vars))):
            return scale(loss)

    def train_step(self, state, batch):
        trainable, non_trainable, opt_vars, metric_vars = state
        x, y, sample_weight = batch
        (_, (loss, y_pred, non_trainable, per_output)), grads = self._grad_fn(
            trainable, non_trainable, opt_vars, x, y, sample_weight)
        trainable, opt_vars = self.optimizer.stateless_apply(opt_vars, grads, trainable)
        metric_vars = self.compile_metrics.stateless_update(
            metric_vars, loss, per_output, y, y_pred, sample_weight, _leading(batch))
        return trainable, non_trainable, opt_vars, metric_vars

    def test_step(self, trainable, non_trainable, metric_vars, batch):
        x, y, sample_weight = batch
        y_pred, _, layer_losses = self.model.stateless_call(
            trainable, non_trainable, x, training=False, return_losses=True)
        loss, per_output = self.compile_loss(y, y_pred, sample_weight)
        for extra in layer_losses:
            loss = ops.add(loss, ops.cast(extra, loss.dtype))
        return self.compile_metrics.stateless_update(
            metric_vars, loss, per_output, y, y_pred, sample_weight, _leading(batch))

    def predict_step(self, trainable, non_trainable, x):
        y_pred, _ = self.model.stateless_call(trainable, non_trainable, x, training=False)
        return y_pred

    # -- loops -------------------------------------------------------------------------------------
    def _loop(self, start, stop, body, carry):
        if self._jit:
            return ops.fori_loop(start, stop, body, carry)
        for i in range(int(start), int(stop)):
            carry = body(i, carry)
        return carry

    def _run_train(self, state, data, perm, start, num, batch_size, with_remainder):
        """Full batches `start .. start+num` of the epoch order `perm`, then (if asked) the
        final partial batch; returns the state and the running metric results."""
        self.trace_counts["train"] += 1
        state = self._train_batches(state, data, perm, start, num, batch_size, with_remainder)
        return state, self.compile_metrics.stateless_result(state[3])

    def _run_train_batch(self, state, data, indices):
        """One step on the rows `indices`: the final partial batch of an epoch whose full
        batches ran in chunks, or every batch where loops are slow (convnets on XLA:CPU)."""
        self.trace_counts["train_batch"] += 1
        state = self.train_step(state, gather(data, indices))
        return state, self.compile_metrics.stateless_result(state[3])

    def _train_batches(self, state, data, perm, start, num, batch_size, with_remainder):
        n = perm.shape[0]
        full = n // batch_size
        batches = ops.reshape(perm[:full * batch_size], (full, batch_size))

        def body(i, state):
            return self.train_step(state, gather(data, batches[i]))

        if full == 1 and isinstance(num, int):
            state = body(0, state) if num else state  # one batch: no loop to compile
        elif full:
            state = self._loop(start, start + num, body, state)
        if with_remainder and n % batch_size:
            state = self.train_step(state, gather(data, perm[full * batch_size:]))
        return state

    def _run_train_epochs(self, state, data, perms, batch_size):
        """Several whole epochs in one call: metrics reset at each epoch start; returns the
        final state and each epoch's metric results stacked along a leading axis."""
        self.trace_counts["train_epochs"] += 1
        full = perms.shape[1] // batch_size
        initial_metrics = self.compile_metrics.initial_values()

        def epoch(state, perm):
            state = (*state[:3], list(initial_metrics))
            state = self._train_batches(state, data, perm, 0, full, batch_size, True)
            return state, self.compile_metrics.stateless_result(state[3])

        return ops.scan(epoch, state, perms)

    def _run_test(self, trainable, non_trainable, metric_vars, data, batch_size):
        self.trace_counts["test"] += 1
        n = _leading(data)
        full = n // batch_size

        def body(i, metric_vars):
            idx = ops.arange(batch_size) + i * batch_size
            return self.test_step(trainable, non_trainable, metric_vars, gather(data, idx))

        if full:
            metric_vars = self._loop(0, full, body, metric_vars)
        if n % batch_size:
            idx = ops.arange(full * batch_size, n)
            metric_vars = self.test_step(trainable, non_trainable, metric_vars, gather(data, idx))
        return metric_vars, self.compile_metrics.stateless_result(metric_vars)

    def _run_predict(self, trainable, non_trainable, x, batch_size):
        self.trace_counts["predict"] += 1
        n = tree.flatten(x)[0].shape[0]
        full = n // batch_size
        outputs = []
        if full:
            batched = tree.map_structure(
                lambda a: ops.reshape(a[:full * batch_size], (full, batch_size, *a.shape[1:])), x)

            def body(carry, xb):
                return carry, self.predict_step(trainable, non_trainable, xb)

            _, ys = ops.scan(body, 0, batched)
            outputs.append(tree.map_structure(
                lambda y: ops.reshape(y, (full * batch_size, *y.shape[2:])), ys))
        if n % batch_size:
            rest = tree.map_structure(lambda a: a[full * batch_size:], x)
            outputs.append(self.predict_step(trainable, non_trainable, rest))
        if len(outputs) == 1:
            return outputs[0]
        flat = [tree.flatten(o) for o in outputs]
        joined = [ops.concatenate([a, b], axis=0) for a, b in zip(*flat)]
        return tree.pack_sequence_as(outputs[0], joined)
