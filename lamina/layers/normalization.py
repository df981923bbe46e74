"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization, RMSNormalization."""

import numbers
import warnings

from lamina import backend, constraints, initializers, ops, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def _check_bool(cls_name, name, value):
    if not isinstance(value, bool):
        raise ValueError(f"{cls_name}: `{name}` must be True or False. Received: "
                         f"{name}={value!r}")


def _check_epsilon(cls_name, epsilon):
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) or epsilon < 0:
        raise ValueError(f"{cls_name}: `epsilon` must be a non-negative float. Received: "
                         f"epsilon={epsilon!r}")
    return float(epsilon)


def _standardize_axis(cls_name, axis, allow_list=True):
    """An int axis, or (where allowed) a list of int axes."""
    if allow_list and isinstance(axis, (list, tuple)):
        if not axis or any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                           for a in axis):
            raise TypeError(f"{cls_name}: `axis` must be an int or a non-empty list of ints. "
                            f"Received: axis={axis!r}")
        return [int(a) for a in axis]
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        kind = "an int or a list of ints" if allow_list else "an int"
        raise TypeError(f"{cls_name}: `axis` must be {kind}. Received: axis={axis!r}")
    return int(axis)


def _check_axes_in_range(layer, axes, input_shape, need_known=True):
    """Raise a named error if an axis is outside the input's rank or has an unknown size."""
    input_shape = tuple(input_shape)
    ndim = len(input_shape)
    for axis in axes:
        if not -ndim <= axis < ndim:
            raise ValueError(f"{type(layer).__name__} '{layer.name}': axis {axis} is out of "
                             f"range for inputs of shape {input_shape} (rank {ndim}). Received: "
                             f"axis={layer.axis}. Use an axis in [-{ndim}, {ndim - 1}].")
        if need_known and input_shape[axis] is None:
            raise ValueError(f"{type(layer).__name__} '{layer.name}' needs a known size on axis "
                             f"{axis} to create its weights. Received input shape "
                             f"{input_shape}.")


def _min_ndim(axes):
    """The smallest rank for which every axis (negative ones count from the end) exists."""
    return max(a + 1 if a >= 0 else -a for a in axes)


def _params_config(layer):
    return {"beta_initializer": initializers.serialize(layer.beta_initializer),
            "gamma_initializer": initializers.serialize(layer.gamma_initializer),
            "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
            "beta_constraint": constraints.serialize(layer.beta_constraint),
            "gamma_constraint": constraints.serialize(layer.gamma_constraint)}


class _ScaleOffset(Layer):
    """Shared arguments of the layers with a learned scale `gamma` and offset `beta`."""

    def __init__(self, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.epsilon = _check_epsilon(cls, epsilon)
        _check_bool(cls, "center", center)
        _check_bool(cls, "scale", scale)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def _add_gamma_beta(self, shape, gamma=True, beta=True):
        if gamma:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if beta:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)


class BatchNormalization(_ScaleOffset):
    """Normalizes each feature with batch statistics in training, moving averages otherwise.

    Training (`training=True` and the layer trainable): `y = gamma * (x - mean) /
    sqrt(var + epsilon) + beta`, with `mean` and `var` over every axis but `axis`, and the
    moving statistics move towards them: `moving = moving * momentum + batch * (1 - momentum)`.
    Inference, or a layer with `trainable=False` (even inside `fit`): the moving statistics
    replace the batch ones and nothing is updated.

    Args:
        axis: Int, the feature axis (usually -1, or 1 for channels_first images).
        momentum: Float in [0, 1], the moving averages' momentum.
        epsilon: Small float added to the variance.
        center, scale: Whether to learn the offset `beta` / the scale `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: Initializers of the four weights.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: Optional.
        renorm: Batch renormalization: corrects the batch statistics towards moving ones
            (factors `r`, `d`, clipped by `renorm_clipping` {"rmax", "rmin", "dmax"}) and keeps
            three more moving statistics updated with `renorm_momentum`.
        synchronized: Cross-device statistics; not supported (under JAX, statistics of a
            sharded batch are already global).

    Weights, in order: gamma, beta (trainable), moving_mean, moving_variance; with renorm,
    then moving_stddev, renorm_mean, renorm_stddev.

    Call arguments:
        training: Use batch statistics and update the moving ones.
        mask: Optional booleans shaped like the inputs without the feature axis (e.g.
            `(batch, steps)` for `(batch, steps, features)`): only True positions count
            towards the batch statistics.

    >>> layer = lamina.layers.BatchNormalization()
    >>> layer(lamina.ops.ones((2, 3)), training=True).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.axis = _standardize_axis("BatchNormalization", axis, allow_list=False)
        self.momentum = _check_momentum("momentum", momentum)
        if synchronized:
            raise ValueError("BatchNormalization: synchronized=True is not supported by lamina "
                             "(Keras supports it only on TensorFlow). Under JAX, statistics of "
                             "a batch sharded across devices are already global; pass "
                             "synchronized=False.")
        self.synchronized = False
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        _check_bool("BatchNormalization", "renorm", renorm)
        self.renorm = renorm
        self.renorm_clipping = _check_renorm_clipping(renorm_clipping) if renorm \
            else renorm_clipping
        self.renorm_momentum = _check_momentum("renorm_momentum", renorm_momentum)
        self.moving_mean = self.moving_variance = None
        self._reduction_axes = None

    def build(self, input_shape):
        _check_axes_in_range(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        self._add_gamma_beta((dim,), gamma=self.scale, beta=self.center)
        self.moving_mean = self.add_weight(shape=(dim,), name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=(dim,), name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, autocast=False)
        if self.renorm:
            def moving_stddev_initializer(shape, dtype=None):
                return ops.sqrt(self.moving_variance_initializer(shape, dtype=dtype))

            self.moving_stddev = self.add_weight(shape=(dim,), name="moving_stddev",
                                                 initializer=moving_stddev_initializer,
                                                 trainable=False, autocast=False)
            self.renorm_mean = self.add_weight(shape=(dim,), name="renorm_mean",
                                               initializer=self.moving_mean_initializer,
                                               trainable=False, autocast=False)
            self.renorm_stddev = self.add_weight(shape=(dim,), name="renorm_stddev",
                                                 initializer=moving_stddev_initializer,
                                                 trainable=False, autocast=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._reduction_axes = tuple(a for a in range(len(input_shape))
                                     if a != self.axis % len(input_shape))

    def call(self, inputs, training=None, mask=None):
        inputs = ops.cast(inputs, backend.result_type(inputs.dtype, "float32"))
        dtype = inputs.dtype
        mean, variance = ops.cast(self.moving_mean, dtype), ops.cast(self.moving_variance, dtype)
        gamma = ops.cast(self.gamma, dtype) if self.scale else None
        beta = ops.cast(self.beta, dtype) if self.center else None
        if training and self.trainable:
            batch_mean, batch_variance = self._moments(inputs, mask)
            if self.renorm:
                gamma, beta = self._renorm_transform(batch_mean, batch_variance, gamma, beta,
                                                     dtype)
                self._update_renorm_statistics(batch_mean, batch_variance)
            else:
                m = self.momentum
                self.moving_mean.assign(mean * m + batch_mean * (1.0 - m))
                self.moving_variance.assign(variance * m + batch_variance * (1.0 - m))
            mean, variance = batch_mean, batch_variance
        outputs = ops.batch_normalization(inputs, mean, variance, axis=self.axis, offset=beta,
                                          scale=gamma, epsilon=self.epsilon)
        return ops.cast(outputs, self.compute_dtype)

    def _moments(self, inputs, mask):
        if mask is None:
            return ops.moments(inputs, axes=self._reduction_axes)
        mask = ops.convert_to_tensor(mask)
        if len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(f"BatchNormalization '{self.name}' expected a mask of rank "
                             f"{len(inputs.shape) - 1} (the inputs' shape without the feature "
                             f"axis), received mask shape {tuple(mask.shape)} for inputs of "
                             f"shape {tuple(inputs.shape)}.")
        feature_axis = self.axis % len(inputs.shape)
        weights = ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), feature_axis),
                                   inputs.shape)
        count = ops.sum(ops.cast(weights, inputs.dtype), self._reduction_axes, keepdims=True)
        count = ops.add(count, backend.epsilon())  # a fully masked batch gives 0, not nan
        zeros = ops.zeros_like(inputs)
        mean = ops.sum(ops.where(weights, inputs, zeros), self._reduction_axes,
                       keepdims=True) / count
        deviation = ops.where(weights, ops.subtract(inputs, mean), zeros)
        variance = ops.sum(ops.square(deviation), self._reduction_axes, keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def _renorm_transform(self, mean, variance, gamma, beta, dtype):
        """Scale and offset with the renorm correction `(x_hat * r + d) * gamma + beta` folded
        in; `r` and `d` are constants for the gradient."""
        stddev = ops.sqrt(variance + self.epsilon)
        renorm_mean = ops.cast(self.renorm_mean, dtype)
        renorm_stddev = ops.maximum(ops.cast(self.renorm_stddev, dtype),
                                    ops.sqrt(ops.cast(self.epsilon, dtype)))
        r = stddev / renorm_stddev
        d = (mean - renorm_mean) / renorm_stddev
        clipping = self.renorm_clipping or {}
        if clipping.get("rmin") is not None:
            r = ops.maximum(r, clipping["rmin"])
        if clipping.get("rmax") is not None:
            r = ops.minimum(r, clipping["rmax"])
        if clipping.get("dmax") is not None:
            d = ops.clip(d, -clipping["dmax"], clipping["dmax"])
        r, d = ops.stop_gradient(r), ops.stop_gradient(d)
        new_gamma = r if gamma is None else r * gamma
        new_beta = d if gamma is None else d * gamma
        if beta is not None:
            new_beta = new_beta + beta
        return new_gamma, new_beta

    def _update_renorm_statistics(self, mean, variance):
        dtype = mean.dtype
        stddev = ops.sqrt(variance + self.epsilon)
        m, rm = self.momentum, self.renorm_momentum
        self.renorm_mean.assign(ops.cast(self.renorm_mean, dtype) * rm + mean * (1.0 - rm))
        self.renorm_stddev.assign(ops.cast(self.renorm_stddev, dtype) * rm + stddev * (1.0 - rm))
        self.moving_mean.assign(ops.cast(self.moving_mean, dtype) * m + mean * (1.0 - m))
        moving_stddev = ops.cast(self.moving_stddev, dtype) * m + stddev * (1.0 - m)
        self.moving_stddev.assign(moving_stddev)
        self.moving_variance.assign(ops.relu(moving_stddev * moving_stddev - self.epsilon))

    def compute_output_shape(self, input_shape):
        _check_axes_in_range(self, [self.axis], input_shape, need_known=False)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **_params_config(self),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer),
                "synchronized": self.synchronized, "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}


def _check_momentum(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"BatchNormalization: `{name}` must be a float in [0, 1] (0.99 keeps "
                         f"99% of the moving average each step). Received: {name}={value!r}")
    return float(value)


def _check_renorm_clipping(clipping):
    clipping = dict(clipping or {})
    unknown = set(clipping) - {"rmax", "rmin", "dmax"}
    if unknown:
        raise ValueError(f"BatchNormalization: unknown `renorm_clipping` keys {sorted(unknown)}. "
                         "Known keys: 'rmax', 'rmin', 'dmax'.")
    rmin, rmax, dmax = clipping.get("rmin"), clipping.get("rmax"), clipping.get("dmax")
    if rmin is not None and rmax is not None and rmax < rmin:
        raise ValueError("BatchNormalization: `renorm_clipping` needs rmax >= rmin. Received: "
                         f"rmax={rmax}, rmin={rmin}.")
    if dmax is not None and dmax < 0:
        raise ValueError(f"BatchNormalization: `renorm_clipping` needs dmax >= 0. Received: "
                         f"dmax={dmax}.")
    return clipping


class LayerNormalization(_ScaleOffset):
    """Normalizes each sample over `axis`: `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`.

    Statistics are per sample (never across the batch), so training and inference agree.

    Args:
        axis: Int or list of ints, the axes to normalize over (and the shape of gamma/beta).
        epsilon: Small float added to the variance.
        center, scale: Whether to learn the offset `beta` / the scale `gamma`.
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
            beta_constraint, gamma_constraint: For the two weights.
        rms_scaling: Deprecated (keyword only): divides by sqrt(variance) with no centering
            and no beta. Use `RMSNormalization` for RMS normalization.

    Weights, in order: gamma, beta.

    >>> layer = lamina.layers.LayerNormalization(epsilon=0.0)
    >>> layer(lamina.ops.convert_to_tensor([[1.0, 3.0]])).tolist()
    [[-1.0, 1.0]]
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn("LayerNormalization: `rms_scaling=True` is deprecated: it scales by "
                          "the variance, not the root mean square. Use "
                          "`lamina.layers.RMSNormalization` instead.", stacklevel=2)
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.axis = _standardize_axis("LayerNormalization", axis)
        self.rms_scaling = bool(rms_scaling)
        self.autocast = False

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes_in_range(self, axes, input_shape)
        ndim = len(input_shape)
        axes = sorted(axes, key=lambda a: a % ndim)
        shape = tuple(input_shape[a] for a in axes)
        self._add_gamma_beta(shape, gamma=self.scale or self.rms_scaling,
                             beta=self.center and not self.rms_scaling)
        self.input_spec = InputSpec(min_ndim=_min_ndim(axes),
                                    axes={a: input_shape[a] for a in axes})

    def call(self, inputs):
        outputs = ops.layer_normalization(inputs, self.gamma, self.beta, axis=self.axis,
                                          epsilon=self.epsilon, rms_scaling=self.rms_scaling)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes_in_range(self, axes, input_shape, need_known=False)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                **_params_config(self)}


class GroupNormalization(_ScaleOffset):
    """Splits the channels into `groups` and normalizes each group of each sample.

    `groups=1` is layer normalization over all non-batch axes; `groups=-1` (one channel per
    group) is instance normalization.

    Args:
        groups: Positive int dividing the number of channels, or -1. Defaults to 32.
        axis: Int, the channel axis.
        epsilon: Small float added to the variance.
        center, scale: Whether to learn the offset `beta` / the scale `gamma` (per channel).
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
            beta_constraint, gamma_constraint: For the two weights.

    Weights, in order: gamma, beta.

    >>> layer = lamina.layers.GroupNormalization(groups=2, epsilon=0.0)
    >>> layer(lamina.ops.convert_to_tensor([[1.0, 3.0, 5.0, 9.0]])).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or \
                (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: `groups` must be a positive int (or -1 for "
                             f"instance normalization). Received: groups={groups!r}")
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.groups = int(groups)
        self.axis = _standardize_axis("GroupNormalization", axis, allow_list=False)
        self.autocast = False
        self._groups = None

    def build(self, input_shape):
        _check_axes_in_range(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        groups = dim if self.groups == -1 else self.groups
        if dim < groups or dim % groups:
            raise ValueError(f"GroupNormalization '{self.name}': {dim} channels (axis "
                             f"{self.axis} of input shape {tuple(input_shape)}) cannot be split "
                             f"into {groups} equal groups. Use a `groups` that divides {dim}.")
        self._groups = groups
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._add_gamma_beta((dim,), gamma=self.scale, beta=self.center)

    def call(self, inputs):
        ndim = len(inputs.shape)
        axis, groups = self.axis % ndim, self._groups
        dim = inputs.shape[axis]
        # (..., channels, ...) -> (..., groups, channels // groups, ...)
        shape = tuple(inputs.shape)
        x = ops.reshape(inputs, (*shape[:axis], groups, dim // groups, *shape[axis + 1:]))
        x = ops.cast(x, backend.result_type(x.dtype, "float32"))
        reduction_axes = tuple(a for a in range(1, ndim + 1) if a != axis)
        mean, variance = ops.moments(x, axes=reduction_axes, keepdims=True)
        param_shape = [1] * (ndim + 1)
        param_shape[axis], param_shape[axis + 1] = groups, dim // groups
        inv = ops.rsqrt(variance + self.epsilon)
        if self.scale:
            inv = inv * ops.cast(ops.reshape(self.gamma, param_shape), x.dtype)
        offset = -mean * inv
        if self.center:
            offset = offset + ops.cast(ops.reshape(self.beta, param_shape), x.dtype)
        outputs = ops.reshape(x * inv + offset, shape)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        _check_axes_in_range(self, [self.axis], input_shape, need_known=False)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **_params_config(self)}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: `x / max(||x||, 1e-12)`.

    Args:
        axis: Int or list of ints, the axes of the norm.

    >>> layer = lamina.layers.UnitNormalization()
    >>> layer(lamina.ops.convert_to_tensor([[0.0, 2.0]])).tolist()
    [[0.0, 1.0]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _standardize_axis("UnitNormalization", axis)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return ops.normalize(inputs, axis=axis, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes_in_range(self, axes, input_shape, need_known=False)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class RMSNormalization(Layer):
    """Root-mean-square normalization: `y = x / sqrt(mean(x**2, axis) + epsilon) * scale`.

    Unlike LayerNormalization it neither centers nor adds an offset.

    Args:
        axis: Int or list of ints, the axes of the mean (and the shape of `scale`).
        epsilon: Small float added to the mean square. Defaults to 1e-6.

    Weights: scale (initialized to ones).

    >>> layer = lamina.layers.RMSNormalization(epsilon=0.0)
    >>> layer(lamina.ops.convert_to_tensor([[2.0, -2.0]])).tolist()
    [[1.0, -1.0]]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = _standardize_axis("RMSNormalization", axis)
        self.epsilon = _check_epsilon("RMSNormalization", epsilon)
        self.scale = None

    def build(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes_in_range(self, axes, input_shape)
        ndim = len(input_shape)
        axes = sorted(axes, key=lambda a: a % ndim)
        self.scale = self.add_weight(shape=tuple(input_shape[a] for a in axes), name="scale",
                                     initializer="ones")
        self.input_spec = InputSpec(min_ndim=_min_ndim(axes),
                                    axes={a: input_shape[a] for a in axes})

    def call(self, x):
        return ops.rms_normalization(x, scale=self.scale, axis=self.axis, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes_in_range(self, axes, input_shape, need_known=False)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
