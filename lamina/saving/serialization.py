"""Config dicts for objects, and back, without running code from the config.

`serialize_keras_object(obj)` gives Keras 3's form
`{"module": "keras.layers", "class_name": "Dense", "config": {...}, "registered_name": ...}`.
`deserialize_keras_object` resolves `class_name` only against explicit tables: the caller's
`custom_objects`, classes registered with `register_keras_serializable`, and the family's own
table (`module_objects`). It never imports a module named in the config.
"""

import inspect

import numpy as np

_REGISTERED = {}
_CUSTOM_SCOPE = []
_BUILTINS = {}


def register_builtins(family, objects):
    """Add lamina's own classes to a family's name table ("layers", "losses", ...)."""
    _BUILTINS.setdefault(family, {}).update(objects)


def builtins(family):
    """The name table of a family: lamina's own classes and functions by name."""
    return _BUILTINS.get(family, {})


def register_keras_serializable(package="Custom", name=None):
    """Decorator that makes a custom class or function loadable by name as "package>name"."""
    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: class {obj.__name__} must define "
                             "get_config() to be serializable.")
        _REGISTERED[registered] = obj
        obj._registered_name = registered
        return obj
    return decorator


def get_custom_objects():
    """The global table of registered custom objects (name -> class or function).

    `register_keras_serializable` fills it; adding an entry makes that name loadable too.

    Returns:
        The live dict (changes to it take effect).

    >>> "MyLayer" in lamina.saving.get_custom_objects()
    False
    """
    return _REGISTERED


def get_registered_name(obj):
    return _own_registered_name(obj) or getattr(obj, "__name__", type(obj).__name__)


def _own_registered_name(obj):
    # Only the object's own registration counts: an unregistered subclass of a registered class
    # must not be saved (and then loaded) as its parent.
    return getattr(obj, "__dict__", {}).get("_registered_name")


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look `name` up in custom_objects, the custom-object scope, the registry, module_objects."""
    for table in (custom_objects or {}, *reversed(_CUSTOM_SCOPE), _REGISTERED, module_objects or {}):
        if name in table:
            return table[name]
    return None


class CustomObjectScope:
    """Within `with CustomObjectScope({"MyLayer": MyLayer}):`, configs may name those objects."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _CUSTOM_SCOPE.append(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        _CUSTOM_SCOPE.pop()


custom_object_scope = CustomObjectScope


# Where Keras 3 writes these classes from (Keras resolves "Functional" only by this module).
_KERAS_MODULES = {"lamina.models.functional": "keras.src.models.functional",
                  "lamina.models.sequential": "keras"}


def _keras_module(obj):
    module = type(obj).__module__ if not inspect.isclass(obj) else obj.__module__
    parts = module.split(".")
    if parts[0] != "lamina":
        return module
    if module in _KERAS_MODULES:
        return _KERAS_MODULES[module]
    return "keras." + parts[1] if len(parts) > 1 else "keras"


def serialize_keras_object(obj):
    """Config dict of `obj` (None, plain values and nested structures pass through)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        # The same tagged form Keras 3 writes, so configs read by either stay interchangeable.
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, (list, tuple)):
        # Tuples stay tuples (JSON writes both as arrays), as in Keras 3.
        return type(obj)(serialize_keras_object(v) for v in obj) if type(obj) in (list, tuple) \
            else [serialize_keras_object(v) for v in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return {"module": _keras_module(obj) if obj.__module__.startswith("lamina") else obj.__module__,
                "class_name": "function", "config": obj.__name__,
                "registered_name": get_registered_name(obj)}
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config(). Define get_config() "
                        "and register the class with register_keras_serializable().")
    cls = type(obj)
    registered = _own_registered_name(cls)
    return {"module": _keras_module(obj), "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": registered or cls.__name__}


def deserialize_keras_object(config, custom_objects=None, module_objects=None, family="object"):
    """Rebuild an object from its config dict or name, resolving names only through tables."""
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, module_objects, family) for c in config]
    if isinstance(config, str):
        obj = get_registered_object(config, custom_objects, module_objects)
        if obj is None:
            raise ValueError(_unknown(family, config, module_objects))
        return obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Cannot deserialize {family} from {config!r}: expected a name or a dict "
                         "with 'class_name' and 'config'.")
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "function":
        name = config.get("registered_name") or inner
        obj = (get_registered_object(name, custom_objects, module_objects)
               or get_registered_object(inner, custom_objects, module_objects))
        if obj is None:
            raise ValueError(_unknown(family, inner, module_objects, config.get("module")))
        return obj
    name = config.get("registered_name") or class_name
    cls = (get_registered_object(name, custom_objects, module_objects)
           or get_registered_object(class_name, custom_objects, module_objects))
    if cls is None:
        raise ValueError(_unknown(family, class_name, module_objects, config.get("module")))
    if hasattr(cls, "from_config"):
        return cls.from_config(inner)
    return cls(**inner)


def _unknown(family, name, module_objects, module=None):
    known = sorted(k for k in (module_objects or {}) if not k.startswith("_"))
    hint = f" Known names: {known}." if known else ""
    # lamina resolves names only through its tables: a module named in a file is never imported.
    foreign = (f" The config names module {module!r}; lamina never imports modules named in a "
               "config." if isinstance(module, str) and not module.split(".")[0] in (
                   "keras", "lamina") else "")
    return (f"Unknown {family}: {name!r}.{foreign}{hint} For a custom one, pass custom_objects="
            f"{{'{name}': ...}} or decorate it with @lamina.saving.register_keras_serializable().")
