"""Random sampling and seed streams (`lamina.random`)."""

from lamina.random.random import (
                                  beta,
                                  binomial,
                                  categorical,
                                  dropout,
                                  gamma,
                                  normal,
                                  randint,
                                  shuffle,
                                  truncated_normal,
                                  uniform,
)
from lamina.random.seed_generator import SeedGenerator, draw_seed, set_random_seed

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "draw_seed", "dropout", "gamma",
           "normal", "randint", "set_random_seed", "shuffle", "truncated_normal", "uniform"]
