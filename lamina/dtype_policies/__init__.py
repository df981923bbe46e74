"""Dtype policies: the dtype a layer computes in and the dtype its variables are stored in.

"float32" (or any float dtype) computes and stores in that dtype. "mixed_float16" and
"mixed_bfloat16" compute in 16 bits and keep variables in float32: inside a layer's call, its
float variables are read as the compute dtype, so matmuls run at 16-bit speed while updates
accumulate in float32. Quantized policies (int8, float8, ...) are not supported yet.

>>> policy = DTypePolicy("mixed_bfloat16")
>>> policy.compute_dtype, policy.variable_dtype
('bfloat16', 'float32')
"""

from lamina.backend import config as backend_config
from lamina.backend.common import dtypes
from lamina.saving import serialization

_GLOBAL = {"policy": None}
_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """A dtype policy: `name` is a dtype name or "mixed_float16" / "mixed_bfloat16".

    Args:
        name: The policy name; None means the global policy (`dtype_policy()`), which defaults
            to `floatx()`.
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy: `name` must be a string such as 'float32' or "
                            f"'mixed_float16'. Received: {name!r} of type {type(name).__name__}.")
        if name in _MIXED:
            compute, variable = _MIXED[name], "float32"
        else:
            try:
                compute = variable = dtypes.standardize_dtype(name)
            except ValueError:
                compute = None
            if compute is None:
                raise ValueError(f"DTypePolicy: cannot use {name!r} as a dtype policy. Valid "
                                 "policies are 'mixed_float16', 'mixed_bfloat16' and the name of "
                                 "a dtype such as 'float32'. (Quantized policies are not "
                                 "supported yet.)")
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    @property
    def quantization_mode(self):
        return None

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        if not isinstance(config, dict):
            raise TypeError(f"DTypePolicy.from_config: expected a dict like {{'name': "
                            f"'float32'}}. Received: {config!r}")
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


class FloatDTypePolicy(DTypePolicy):
    """Keras's older name for a non-quantized `DTypePolicy`."""


def set_dtype_policy(policy):
    """Set the policy that layers created without `dtype=` use (a name or a DTypePolicy).

    >>> set_dtype_policy("mixed_float16"); dtype_policy().compute_dtype
    'float16'
    >>> set_dtype_policy(None); dtype_policy().name
    'float32'
    """
    _GLOBAL["policy"] = None if policy is None else get(policy)


def dtype_policy():
    """The global dtype policy (by default, `floatx()` for computation and variables)."""
    policy = _GLOBAL["policy"]
    return policy if policy is not None else DTypePolicy(backend_config.floatx())


def get(identifier):
    """A DTypePolicy from a policy, a name, a `serialize()` dict, or None (the global policy)."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"dtype_policies.get: expected a DTypePolicy, a policy name such as "
                    f"'mixed_bfloat16', or a config dict. Received: {identifier!r} of type "
                    f"{type(identifier).__name__}.")


def serialize(policy):
    """`{"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...}, ...}`."""
    if not isinstance(policy, DTypePolicy):
        raise TypeError(f"dtype_policies.serialize: expected a DTypePolicy. Received: {policy!r}")
    return {"module": "keras", "class_name": type(policy).__name__,
            "config": policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A DTypePolicy from `serialize()`'s dict (or a policy name)."""
    if isinstance(config, str):
        return DTypePolicy(config)
    return serialization.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=_POLICIES, family="dtype policy")


_POLICIES = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy}

__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "dtype_policy", "get", "serialize",
           "set_dtype_policy"]
