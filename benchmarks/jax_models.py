"""The workloads' models and optimizers written by hand in JAX (jax and jax.numpy only).

A model is `(init(key) -> params, apply(params, x, key, training) -> outputs, loss(outputs, y))`
over plain dicts of arrays. Initialisers are Keras's defaults (glorot uniform kernels, zero
biases, uniform(-0.05, 0.05) embeddings, orthogonal recurrent kernel, LSTM forget-gate bias 1);
the classifiers return logits and their losses take log-softmax / log-sigmoid of them.

An optimizer is `(init(params) -> state, update(grads, state, params) -> (params, state))`,
with Keras 3's update formulas and defaults.
"""

import jax
import jax.numpy as jnp

from benchmarks import common

_glorot = jax.nn.initializers.glorot_uniform()
_orthogonal = jax.nn.initializers.orthogonal()


def _dense_init(key, n_in, n_out):
    return {"kernel": _glorot(key, (n_in, n_out)), "bias": jnp.zeros((n_out,))}


def _dense(p, x):
    return x @ p["kernel"] + p["bias"]


def _embedding_init(key, vocab, dim):
    return jax.random.uniform(key, (vocab, dim), minval=-0.05, maxval=0.05)


def _dropout(key, x, rate, training):
    # Inverted dropout, as Keras: kept units are scaled by 1 / (1 - rate) while training.
    if not training:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def _sparse_ce(logits, y):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))


def _binary_ce(logits, y):
    return -jnp.mean(y * jax.nn.log_sigmoid(logits) + (1 - y) * jax.nn.log_sigmoid(-logits))


# -- W1 XOR ---------------------------------------------------------------------------------------
def xor_init(key):
    k1, k2 = jax.random.split(key)
    return {"hidden": _dense_init(k1, 2, 2), "out": _dense_init(k2, 2, 1)}


def xor_apply(p, x, key, training):
    return jax.nn.sigmoid(_dense(p["out"], jax.nn.sigmoid(_dense(p["hidden"], x))))


def xor_loss(outputs, y):
    return jnp.mean((outputs - y) ** 2)


# -- W2 / W6 MLP ----------------------------------------------------------------------------------
def mlp_init(key):
    k1, k2, k3 = jax.random.split(key, 3)
    return {"d1": _dense_init(k1, 784, 512), "d2": _dense_init(k2, 512, 512),
            "d3": _dense_init(k3, 512, 10)}


def mlp_apply(p, x, key, training):
    k1, k2 = jax.random.split(key) if training else (None, None)
    h = _dropout(k1, jax.nn.relu(_dense(p["d1"], x)), 0.2, training)
    h = _dropout(k2, jax.nn.relu(_dense(p["d2"], h)), 0.2, training)
    return _dense(p["d3"], h)


# -- W3 convnet -----------------------------------------------------------------------------------
def cnn_init(key):
    k1, k2, k3 = jax.random.split(key, 3)
    return {"c1": {"kernel": _glorot(k1, (3, 3, 1, 32)), "bias": jnp.zeros((32,))},
            "c2": {"kernel": _glorot(k2, (3, 3, 32, 64)), "bias": jnp.zeros((64,))},
            "out": _dense_init(k3, 5 * 5 * 64, 10)}


def _conv_relu_pool(p, x):
    y = jax.lax.conv_general_dilated(x, p["kernel"], (1, 1), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
    y = jax.nn.relu(y + p["bias"])
    return jax.lax.reduce_window(y, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def cnn_apply(p, x, key, training):
    h = _conv_relu_pool(p["c2"], _conv_relu_pool(p["c1"], x))
    h = _dropout(key, h.reshape(h.shape[0], -1), 0.5, training)
    return _dense(p["out"], h)


# -- W4 LSTM --------------------------------------------------------------------------------------
def lstm_init(key, units=64, dim=128):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    bias = jnp.zeros((4 * units,)).at[units:2 * units].set(1.0)  # gates i, f, c, o
    return {"embedding": _embedding_init(k1, common.VOCAB, dim),
            "kernel": _glorot(k2, (dim, 4 * units)),
            "recurrent_kernel": _orthogonal(k3, (units, 4 * units)), "bias": bias,
            "out": _dense_init(k4, units, 1)}


def lstm_apply(p, x, key, training):
    units = p["recurrent_kernel"].shape[0]
    # One matmul projects every time step's input; the scan carries only the recurrence.
    projected = p["embedding"][x] @ p["kernel"] + p["bias"]

    def cell(carry, z):
        h, c = carry
        i, f, g, o = jnp.split(z + h @ p["recurrent_kernel"], 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), None

    zeros = jnp.zeros((x.shape[0], units))
    (h, _), _ = jax.lax.scan(cell, (zeros, zeros), jnp.swapaxes(projected, 0, 1))
    return _dense(p["out"], h)[:, 0]


# -- W5 transformer -------------------------------------------------------------------------------
def transformer_init(key, dim=64, heads=2, key_dim=32, ffn=128):
    ks = jax.random.split(key, 9)
    return {"tokens": _embedding_init(ks[0], common.VOCAB, dim),
            "positions": _embedding_init(ks[1], common.TRANSFORMER_LENGTH, dim),
            "query": _dense_init(ks[2], dim, heads * key_dim),
            "key": _dense_init(ks[3], dim, heads * key_dim),
            "value": _dense_init(ks[4], dim, heads * key_dim),
            "attention_output": _dense_init(ks[5], heads * key_dim, dim),
            "ln1": {"gamma": jnp.ones((dim,)), "beta": jnp.zeros((dim,))},
            "ln2": {"gamma": jnp.ones((dim,)), "beta": jnp.zeros((dim,))},
            "ffn1": _dense_init(ks[6], dim, ffn), "ffn2": _dense_init(ks[7], ffn, dim),
            "out": _dense_init(ks[8], dim, 2)}


def _layer_norm(p, x, epsilon=1e-6):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    variance = jnp.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(variance + epsilon) * p["gamma"] + p["beta"]


def _attention(p, h, heads=2):
    def split(z):
        return z.reshape(*z.shape[:2], heads, -1)
    q, k, v = (split(_dense(p[name], h)) for name in ("query", "key", "value"))
    scores = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(q.shape[-1])
    attended = jnp.einsum("bhqk,bkhd->bqhd", jax.nn.softmax(scores, axis=-1), v)
    return _dense(p["attention_output"], attended.reshape(*h.shape[:2], -1))


def transformer_apply(p, x, key, training):
    k1, k2, k3 = jax.random.split(key, 3) if training else (None, None, None)
    h = p["tokens"][x] + p["positions"][jnp.arange(x.shape[1])]
    h = _layer_norm(p["ln1"], h + _dropout(k1, _attention(p, h), 0.1, training))
    fed = _dense(p["ffn2"], jax.nn.relu(_dense(p["ffn1"], h)))
    h = _layer_norm(p["ln2"], h + _dropout(k2, fed, 0.1, training))
    return _dense(p["out"], _dropout(k3, jnp.mean(h, axis=1), 0.1, training))


MODELS = {"W1": (xor_init, xor_apply, xor_loss), "W2": (mlp_init, mlp_apply, _sparse_ce),
          "W3": (cnn_init, cnn_apply, _sparse_ce), "W4": (lstm_init, lstm_apply, _binary_ce),
          "W5": (transformer_init, transformer_apply, _sparse_ce)}


# -- optimizers, Keras 3's formulas ---------------------------------------------------------------
def _zeros_like(params):
    return jax.tree.map(jnp.zeros_like, params)


def sgd_nesterov(learning_rate=0.1, momentum=0.9):
    """Keras SGD(momentum, nesterov=True): m = mu m - lr g; p += mu m - lr g."""
    def update(grads, m, params):
        m = jax.tree.map(lambda m, g: momentum * m - learning_rate * g, m, grads)
        params = jax.tree.map(lambda p, m, g: p + momentum * m - learning_rate * g,
                              params, m, grads)
        return params, m
    return _zeros_like, update


def rmsprop(learning_rate=1e-3, rho=0.9, epsilon=1e-7):
    """Keras RMSprop (no momentum, not centered): epsilon inside the square root."""
    def update(grads, v, params):
        v = jax.tree.map(lambda v, g: rho * v + (1 - rho) * g * g, v, grads)
        params = jax.tree.map(lambda p, v, g: p - learning_rate * g / jnp.sqrt(v + epsilon),
                              params, v, grads)
        return params, v
    return _zeros_like, update


def adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Keras Adam: bias correction folded into the step size, epsilon outside the sqrt."""
    def init(params):
        return {"step": jnp.zeros((), jnp.int32), "m": _zeros_like(params),
                "v": _zeros_like(params)}

    def update(grads, state, params):
        step = state["step"] + 1
        t = step.astype(jnp.float32)
        alpha = learning_rate * jnp.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m = jax.tree.map(lambda m, g: m + (g - m) * (1 - beta_1), state["m"], grads)
        v = jax.tree.map(lambda v, g: v + (g * g - v) * (1 - beta_2), state["v"], grads)
        params = jax.tree.map(lambda p, m, v: p - alpha * m / (jnp.sqrt(v) + epsilon),
                              params, m, v)
        return params, {"step": step, "m": m, "v": v}
    return init, update


OPTIMIZERS = {"W1": sgd_nesterov, "W2": rmsprop, "W3": adam, "W4": adam, "W5": adam}


def make_step(workload):
    """(init(key) -> (params, opt_state), step(params, opt_state, key, x, y) ->
    (params, opt_state, key, loss)): one pure training step, not yet jitted."""
    model_init, apply, loss_fn = MODELS[workload]
    opt_init, opt_update = OPTIMIZERS[workload]()

    def init(key):
        params = model_init(key)
        return params, opt_init(params)

    def step(params, opt_state, key, x, y):
        key, dropout_key = jax.random.split(key)
        loss, grads = jax.value_and_grad(
            lambda p: loss_fn(apply(p, x, dropout_key, True), y))(params)
        params, opt_state = opt_update(grads, opt_state, params)
        return params, opt_state, key, loss
    return init, step
