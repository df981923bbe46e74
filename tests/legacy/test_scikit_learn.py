import numpy as np
import pytest

from lamina.legacy import layers as L
from lamina.legacy import models as M
from lamina.legacy.scikit_learn import KerasClassifier, KerasRegressor


def _build(units=8):
    model = M.Sequential()
    model.add(L.Dense(units, input_dim=2, activation="tanh"))
    model.add(L.Dense(2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def test_classifier_maps_labels_and_scores():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype("float32")
    labels = np.where(x[:, 0] > 0, "pos", "neg")
    clf = KerasClassifier(build_fn=_build, units=8, nb_epoch=30, batch_size=20, verbose=0)
    clf.fit(x, labels)
    assert set(clf.predict(x[:5])) <= {"pos", "neg"}
    assert clf.predict_proba(x[:3]).shape == (3, 2)
    assert clf.score(x, labels) >= 0.9
    assert clf.get_params()["units"] == 8


def test_unknown_sk_param_suggests():
    with pytest.raises(TypeError, match="Did you mean `nb_epoch`"):
        KerasClassifier(build_fn=_build, nb_epochs=3)
    with pytest.raises(TypeError, match="build_fn"):
        KerasRegressor(build_fn=None)
