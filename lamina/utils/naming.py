"""Names: the snake_case form Keras derives from class names ("MeanSquaredError" ->
"mean_squared_error", "Conv2D" -> "conv2d", "AUC" -> "auc")."""

import re


def to_snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
