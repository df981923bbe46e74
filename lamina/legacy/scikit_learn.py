"""`keras.wrappers.scikit_learn`: KerasClassifier and KerasRegressor of the era, wrapping a
`build_fn` that returns a compiled model so scikit-learn can fit, predict and score it."""

import inspect

import numpy as np

from lamina.legacy import arguments

_FIT = ("batch_size", "nb_epoch", "epochs", "verbose", "callbacks", "validation_split",
        "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch")


class BaseWrapper:
    """Holds `build_fn` and `sk_params`: the build function's own arguments plus fit/predict
    arguments (`nb_epoch`, `batch_size`, `verbose`, ...).

    Args:
        build_fn: A function (or class with `__call__`) returning a compiled model.
        **sk_params: Arguments for `build_fn` and for `fit`/`predict`.
    """

    def __init__(self, build_fn=None, **sk_params):
        if build_fn is None or not callable(build_fn):
            raise TypeError(f"{type(self).__name__}: `build_fn` must be a function returning a "
                            f"compiled model. Received: {build_fn!r}")
        self.build_fn = build_fn
        self.sk_params = sk_params
        accepted = set(inspect.signature(build_fn).parameters) | set(_FIT)
        for name in sk_params:
            if name not in accepted:
                raise arguments.unknown_argument(type(self).__name__, name, accepted)

    def get_params(self, deep=True):
        return {"build_fn": self.build_fn, **self.sk_params}

    def set_params(self, **params):
        self.sk_params.update(params)
        return self

    def _split_params(self, extra):
        params = {**self.sk_params, **extra}
        build_args = set(inspect.signature(self.build_fn).parameters)
        build = {k: v for k, v in params.items() if k in build_args}
        fit = {k: v for k, v in params.items() if k in _FIT and k not in build_args}
        return build, fit

    def fit(self, x, y, **kwargs):
        build, fit = self._split_params(kwargs)
        self.model = self.build_fn(**build)
        return self.model.fit(x, self._targets(y), **fit)

    def _targets(self, y):
        return y


class KerasClassifier(BaseWrapper):
    """scikit-learn classifier around a Keras model; labels may be any values (they are mapped
    to indices, one-hot for a softmax with several units)."""

    def _targets(self, y):
        y = np.asarray(y)
        self.classes_, indices = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        self._one_hot = None
        return indices

    def fit(self, x, y, **kwargs):
        build, fit = self._split_params(kwargs)
        self.model = self.build_fn(**build)
        indices = self._targets(y)
        units = self.model.output_shape[-1]
        if units > 1 and "sparse" not in str(self.model._compile_args.get("loss")):
            indices = np.eye(units, dtype="float32")[indices]
        return self.model.fit(x, indices, **fit)

    def predict_proba(self, x, **kwargs):
        probabilities = self.model.predict(x, verbose=0, **kwargs)
        if probabilities.shape[-1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
        return probabilities

    def predict(self, x, **kwargs):
        return self.classes_[np.argmax(self.predict_proba(x, **kwargs), axis=-1)]

    def score(self, x, y, **kwargs):
        return float(np.mean(self.predict(x, **kwargs) == np.asarray(y)))


class KerasRegressor(BaseWrapper):
    """scikit-learn regressor around a Keras model; `score` is minus the loss, as in Keras."""

    def predict(self, x, **kwargs):
        return np.squeeze(self.model.predict(x, verbose=0, **kwargs), axis=-1)

    def score(self, x, y, **kwargs):
        loss = self.model.evaluate(x, y, verbose=0, **kwargs)
        return -float(loss[0] if isinstance(loss, list) else loss)


__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]
