"""The workloads as hand-written JAX training loops, in two variants.

- `jax-step`: a `jax.jit` train step called once per batch from Python; each epoch shuffles on
  the host (a NumPy permutation) and feeds NumPy slices, as the Flax examples do.
- `jax-scan`: a whole epoch is one jitted call: it permutes the device-resident data, batches it
  and runs the step under `jax.lax.scan`; the last, partial batch (Keras's `fit` keeps it) is
  one more step inside the same call. Parameters and optimizer state are donated.
  W1's epoch is a single batch, so its variant scans over all of a fit's epochs at once.

W6 (inference) has one JAX row, under `jax-step`: a bare `jax.jit(forward)(params, x)` call
converted to NumPy.
"""

import numpy as np

from benchmarks import common

BATCH_SIZES = {"W1": 4, "W2": 128, "W3": 128, "W4": 64, "W5": 32}


def _data(workload, size):
    if workload == "W1":
        return common.XOR_X, common.XOR_Y
    if workload == "W2":
        return common.mlp_data(size["mlp_rows"])
    if workload == "W3":
        return common.cnn_data(size["cnn_rows"])
    length = common.LSTM_LENGTH if workload == "W4" else common.TRANSFORMER_LENGTH
    x, y = common.sequence_data(size["seq_rows"], length)
    return x, (y.astype("float32") if workload == "W4" else y)


def _train_step_loop(jax, workload, size, steady_epochs):
    """jax-step: Python calls the jitted step per batch."""
    from benchmarks import jax_models

    init, step = jax_models.make_step(workload)
    step = jax.jit(step, donate_argnums=(0, 1))
    key = jax.random.PRNGKey(common.SEED)
    params, opt_state = init(key)
    state = {"params": params, "opt_state": opt_state, "key": key}
    x, y = _data(workload, size)
    rows, batch_size = len(x), BATCH_SIZES[workload]
    rng = np.random.default_rng(common.SEED)

    def epoch():
        """Runs one epoch; returns its batch losses (on the device) and batch sizes."""
        params, opt_state, key = state["params"], state["opt_state"], state["key"]
        perm = rng.permutation(rows)
        losses, counts = [], []
        for start in range(0, rows, batch_size):
            idx = perm[start:start + batch_size]
            params, opt_state, key, loss = step(params, opt_state, key, x[idx], y[idx])
            losses.append(loss)
            counts.append(len(idx))
        state.update(params=params, opt_state=opt_state, key=key)
        return losses, counts

    # Losses stay on the device until the timed unit ends, so that Python runs ahead of the
    # computation as JAX's asynchronous dispatch intends; fetching them waits for the last step.
    epochs = size["xor_epochs"] if workload == "W1" else 1

    def timed_unit():
        per_epoch = [epoch() for _ in range(epochs)]
        losses = [np.dot(jax.device_get(losses), counts) / rows for losses, counts in per_epoch]
        jax.block_until_ready(state["params"])
        return [float(loss) for loss in losses]
    return common.run_epochs(timed_unit, steady_epochs, rows * epochs)


def _scanned_epoch(jax, step, rows, batch_size):
    """A jittable epoch: permute, batch, scan the step; returns the mean training loss."""
    jnp = jax.numpy
    full = rows // batch_size * batch_size

    def epoch(params, opt_state, key, x, y):
        key, perm_key = jax.random.split(key)
        perm = jax.random.permutation(perm_key, rows)
        x, y = x[perm], y[perm]

        def body(carry, batch):
            params, opt_state, key, loss = step(*carry, *batch)
            return (params, opt_state, key), loss

        batches = (x[:full].reshape(-1, batch_size, *x.shape[1:]),
                   y[:full].reshape(-1, batch_size, *y.shape[1:]))
        (params, opt_state, key), losses = jax.lax.scan(body, (params, opt_state, key),
                                                        batches)
        total = jnp.sum(losses) * batch_size
        if full < rows:  # static: the shapes are known when tracing
            params, opt_state, key, loss = step(params, opt_state, key, x[full:], y[full:])
            total = total + loss * (rows - full)
        return params, opt_state, key, total / rows
    return epoch


def _train_scan(jax, workload, size, steady_epochs):
    """jax-scan: one jitted call per epoch (W1: per fit) over device-resident data."""
    from benchmarks import jax_models

    init, step = jax_models.make_step(workload)
    key = jax.random.PRNGKey(common.SEED)
    params, opt_state = init(key)
    x, y = (jax.device_put(a) for a in _data(workload, size))
    rows, batch_size = x.shape[0], BATCH_SIZES[workload]
    epoch = _scanned_epoch(jax, step, rows, batch_size)
    state = {"params": params, "opt_state": opt_state, "key": key}

    if workload == "W1":
        epochs = size["xor_epochs"]

        def scanned_fit(params, opt_state, key, x, y):
            def body(carry, _):
                params, opt_state, key, loss = epoch(*carry, x, y)
                return (params, opt_state, key), loss
            (params, opt_state, key), losses = jax.lax.scan(
                body, (params, opt_state, key), None, length=epochs)
            return params, opt_state, key, losses
        run_once, samples = jax.jit(scanned_fit, donate_argnums=(0, 1)), rows * epochs
    else:
        run_once, samples = jax.jit(epoch, donate_argnums=(0, 1)), rows

    def timed_unit():
        params, opt_state, key, losses = run_once(
            state["params"], state["opt_state"], state["key"], x, y)
        state.update(params=params, opt_state=opt_state, key=key)
        return np.atleast_1d(np.asarray(losses)).tolist()
    return common.run_epochs(timed_unit, steady_epochs, samples)


def _inference(jax, workload, size, steady_epochs):
    """W6: the bare jitted forward pass of the W2 model, converted to NumPy."""
    from benchmarks import jax_models

    params = jax_models.mlp_init(jax.random.PRNGKey(common.SEED))
    forward = jax.jit(lambda p, x: jax.nn.softmax(jax_models.mlp_apply(p, x, None, False)))
    if workload in ("W6p", "W6c"):
        one = common.mlp_data(8)[0][:1]
        return common.latency(lambda: np.asarray(forward(params, one)),
                              size["latency_calls"], 1)
    x = common.mlp_data(size["predict_rows"])[0]

    def predict():
        return np.concatenate([np.asarray(forward(params, x[i:i + 128]))
                               for i in range(0, len(x), 128)])
    return common.latency(predict, max(3, steady_epochs), len(x))


def run(workload, system, size, steady_epochs):
    import jax
    if workload.startswith("W6"):
        return _inference(jax, workload, size, steady_epochs)
    loop = _train_scan if system == "jax-scan" else _train_step_loop
    return loop(jax, workload, size, steady_epochs)
