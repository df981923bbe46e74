"""Keras 0.x/1.x/2.x optimizers: `lr=`, `decay=` and the era's defaults, building today's.

`SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)` becomes
`SGD(learning_rate=InverseTimeDecay(0.1, decay_steps=1, decay_rate=1e-6), momentum=0.9,
nesterov=True)`: the rate `lr / (1 + decay * iterations)` of Keras 1, with `iterations` counting
the updates before the current one. Defaults are Keras 1's where they differ from today's
(epsilon 1e-8; Adagrad, Adadelta, Adamax and Nadam learning rates; Adagrad's accumulator starting
at 0). The optimizers keep Keras 1's `lr` attribute (the learning-rate variable, for
`K.set_value(model.optimizer.lr, ...)`).
"""

from lamina import optimizers as _optimizers
from lamina.legacy import arguments
from lamina.legacy.arguments import announce
from lamina.optimizers.schedules import InverseTimeDecay

_RENAMES = {"lr": ("learning_rate", None), "schedule_decay": ("schedule_decay", None)}

# The era's defaults (Keras 1.2), as today's argument names, where they differ from Keras 3's.
ERA_DEFAULTS = {
    "SGD": {"learning_rate": 0.01},
    "RMSprop": {"learning_rate": 0.001, "epsilon": 1e-8},
    "Adagrad": {"learning_rate": 0.01, "epsilon": 1e-8, "initial_accumulator_value": 0.0},
    "Adadelta": {"learning_rate": 1.0, "epsilon": 1e-8},
    "Adam": {"learning_rate": 0.001, "epsilon": 1e-8},
    "Adamax": {"learning_rate": 0.002, "epsilon": 1e-8},
    "Nadam": {"learning_rate": 0.002, "epsilon": 1e-8},
}


def optimizer_arguments(name, target, kwargs):
    """Today's keyword arguments for a legacy optimizer call (shared with `lamina upgrade`).

    Args:
        name: The optimizer's name ("SGD").
        target: Today's optimizer class.
        kwargs: The arguments as the script passed them.

    Returns:
        A dict of today's arguments, the era's defaults filled in and `decay` folded into an
        `InverseTimeDecay` learning rate.

    >>> optimizer_arguments("SGD", lamina.optimizers.SGD, {"lr": 0.1})["learning_rate"]
    0.1
    """
    kwargs = dict(kwargs)
    decay = kwargs.pop("decay", 0.0)
    if kwargs.get("epsilon", 1) is None:  # Keras 2's "use K.epsilon()"
        kwargs.pop("epsilon")
    schedule_decay = kwargs.pop("schedule_decay", 0.004)
    if schedule_decay != 0.004:
        raise ValueError(f"{name}: schedule_decay={schedule_decay!r} is not supported; today's "
                         "Nadam uses Keras 1's default 0.004.")
    known = arguments.signature_names(target)
    kwargs = arguments.translate(name, kwargs, _RENAMES, known)
    for key, value in ERA_DEFAULTS.get(name, {}).items():
        kwargs.setdefault(key, value)
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or decay < 0:
        raise ValueError(f"{name}: `decay` must be a non-negative number. Received: "
                         f"decay={decay!r}")
    if decay:
        announce((name, "decay"), f"{name}(decay=...) is the old spelling; today it is "
                 f"{name}(learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)).")
        kwargs["learning_rate"] = InverseTimeDecay(kwargs["learning_rate"], decay_steps=1,
                                                   decay_rate=float(decay))
    return kwargs


def _legacy(target):
    class LegacyOptimizer(target):
        __doc__ = (f"`{target.__name__}` with Keras 1's `lr=`, `decay=`, defaults and `lr` "
                   "attribute.")

        def __init__(self, *args, **kwargs):
            if args:
                if len(args) > 1:
                    raise TypeError(f"{target.__name__}: pass arguments other than `lr` by "
                                    f"keyword. Received {len(args)} positional arguments.")
                kwargs["lr"] = args[0]
            super().__init__(**optimizer_arguments(target.__name__, target, kwargs))

        @property
        def lr(self):
            """The learning rate (Keras 1's name): a variable, or a schedule's current value."""
            return self.learning_rate

        @lr.setter
        def lr(self, value):
            self.learning_rate = value

    LegacyOptimizer.__name__ = LegacyOptimizer.__qualname__ = target.__name__
    return LegacyOptimizer


SGD = _legacy(_optimizers.SGD)
RMSprop = _legacy(_optimizers.RMSprop)
Adagrad = _legacy(_optimizers.Adagrad)
Adadelta = _legacy(_optimizers.Adadelta)
Adam = _legacy(_optimizers.Adam)
Adamax = _legacy(_optimizers.Adamax)
Nadam = _legacy(_optimizers.Nadam)
Optimizer = _optimizers.Optimizer

_BY_NAME = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax,
                                                   Nadam)}


def get(identifier):
    """An optimizer from a name ("sgd", "rmsprop", ...) with the era's defaults, or an instance."""
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    return _optimizers.get(identifier)


__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "Adamax", "Nadam", "Optimizer", "RMSprop", "get"]
