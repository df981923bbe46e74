"""Learning-rate schedules for `lamina.optimizers` (Keras 3's `keras.optimizers.schedules`)."""

from lamina.optimizers.schedules.learning_rate_schedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    OneCycle,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "LearningRateSchedule", "OneCycle", "PiecewiseConstantDecay", "PolynomialDecay", "deserialize",
           "serialize"]
