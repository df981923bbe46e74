"""InputSpec: what a layer accepts, and the check that explains a mismatch."""

from lamina.backend import standardize_dtype


class InputSpec:
    """Constraints on a layer input: rank, known axis sizes, dtype.

    Args:
        dtype: Expected dtype, or None.
        shape: Full expected shape (None for free axes), or None.
        ndim / min_ndim / max_ndim: Rank constraints.
        axes: Dict mapping an axis (may be negative) to its required size.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = standardize_dtype(dtype) if dtype is not None else None
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.name = name
        self.optional = optional

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _describe(layer):
    return f"{type(layer).__name__} '{layer.name}'"


def _expected_shape(spec, ndim):
    shape = [None] * ndim
    for axis, size in spec.axes.items():
        shape[axis] = size
    if ndim > 1 and shape[-1] is not None:
        return f"(None, ..., {shape[-1]})" if ndim > 2 else f"(None, {shape[-1]})"
    return str(tuple(shape))


def assert_input_compatibility(specs, inputs, layer):
    """Raise a ValueError that names the layer, the expectation, the received shape and a fix."""
    if not specs:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    flat = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    if len(flat) != len(specs):
        raise ValueError(f"{_describe(layer)} expects {len(specs)} input(s), received "
                         f"{len(flat)}. Pass a list of {len(specs)} tensors.")
    for i, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None or x is None:
            continue
        shape = tuple(x.shape)
        ndim = len(shape)
        where = f" (input {i})" if len(specs) > 1 else ""
        if spec.ndim is not None and ndim != spec.ndim:
            raise ValueError(f"{_describe(layer)}{where} expected inputs of rank {spec.ndim}, "
                             f"received shape {shape} (rank {ndim}). Reshape the input or check "
                             "the previous layer.")
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ValueError(f"{_describe(layer)}{where} expected inputs of rank >= "
                             f"{spec.min_ndim}, received shape {shape} (rank {ndim}). Inputs "
                             "include the batch axis: a batch of 3-feature vectors has shape "
                             "(batch, 3).")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ValueError(f"{_describe(layer)}{where} expected inputs of rank <= "
                             f"{spec.max_ndim}, received shape {shape} (rank {ndim}).")
        for axis, size in spec.axes.items():
            if size is None or -ndim > axis or axis >= ndim:
                continue
            if shape[axis] is not None and shape[axis] != size:
                axis_name = "last axis" if axis in (-1, ndim - 1) else f"axis {axis}"
                raise ValueError(
                    f"{_describe(layer)}{where} expected inputs with {axis_name} {size}, i.e. "
                    f"shape {_expected_shape(spec, ndim)}, received shape {shape}. The layer was "
                    f"built for {size} features there; check the previous layer's output size or "
                    "the data's feature count.")
        if spec.shape is not None:
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and expected != got:
                    raise ValueError(f"{_describe(layer)}{where} expected inputs of shape "
                                     f"{spec.shape}, received shape {shape}.")
