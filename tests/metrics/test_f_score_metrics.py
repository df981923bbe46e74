import doctest

import jax
import numpy as np
import pytest
from sklearn.metrics import fbeta_score

from lamina import metrics
from lamina.metrics import f_score_metrics
from lamina.metrics.f_score_metrics import F1Score, FBetaScore

Y_TRUE = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], "float32")
Y_PRED = np.array([[0.3, 0.423, 0.028], [0.124, 0.671, 0.647], [0.615, 0.384, 0.997],
                   [0.981, 0.686, 0.65], [0.688, 0.389, 0.135], [0.721, 0.525, 0.31]],
                  "float32")
WEIGHTS = np.array([1.0, 0.5, 2.0, 1.5, 1.0, 0.25], "float32")


def run(metric, weights=None):
    for part in (slice(0, 3), slice(3, None)):
        metric.update_state(Y_TRUE[part], Y_PRED[part],
                            sample_weight=None if weights is None else weights[part])
    return np.asarray(metric.result())


def binarize(y_pred, threshold):
    if threshold is None:
        return (y_pred >= y_pred.max(axis=-1, keepdims=True)).astype(int)
    return (y_pred > threshold).astype(int)


def test_f_score_metrics_module_doctests():
    assert doctest.testmod(f_score_metrics).failed == 0


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("threshold", [None, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("beta", [1.0, 2.0, 0.5])
def test_fbeta_matches_sklearn(average, threshold, weighted, beta):
    weights = WEIGHTS if weighted else None
    got = run(FBetaScore(average=average, beta=beta, threshold=threshold), weights)
    expected = fbeta_score(Y_TRUE.astype(int), binarize(Y_PRED, threshold), beta=beta,
                           average=average, sample_weight=weights,
                           zero_division=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("average, threshold, weighted, expected", [
    (None, None, False, [0.5263158082962036, 0.2777777910232544, 0.29411765933036804]),
    (None, 0.5, True, [0.8411214351654053, 0.58441561460495, 0.6578947305679321]),
    ("micro", None, True, 0.4149377644062042),
    ("macro", 0.5, True, 0.6944772601127625),
    ("weighted", None, True, 0.41170257329940796),
    ("weighted", 0.5, True, 0.7094103693962097),
])
def test_fbeta_literals_from_keras(average, threshold, weighted, expected):
    got = run(FBetaScore(average=average, beta=2.0, threshold=threshold),
              WEIGHTS if weighted else None)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_f1_is_fbeta_with_beta_one_and_state_shapes():
    f1, fb = F1Score(average="macro", threshold=0.4), FBetaScore(average="macro", threshold=0.4)
    np.testing.assert_allclose(run(f1), run(fb), rtol=1e-6)
    assert [tuple(v.shape) for v in f1.variables] == [(3,)] * 4
    micro = F1Score(average="micro")
    run(micro)
    assert [tuple(v.shape) for v in micro.variables] == [()] * 4
    micro.reset_state()
    assert all(not np.asarray(v.value).any() for v in micro.variables)
    F1Score().reset_state()  # nothing built yet: a no-op


def test_no_positives_gives_zero_not_nan():
    m = F1Score(threshold=0.9)
    m.update_state(np.zeros((2, 2)), np.full((2, 2), 0.1))
    np.testing.assert_array_equal(np.asarray(m.result()), [0.0, 0.0])


def test_stateless_under_jit_matches_stateful():
    stateful, stateless = FBetaScore(average="weighted", beta=2.0), \
        FBetaScore(average="weighted", beta=2.0)
    expected = run(stateful, WEIGHTS)
    stateless.update_state(Y_TRUE[:1], Y_PRED[:1])  # builds the state
    stateless.reset_state()
    update = jax.jit(stateless.stateless_update_state)
    state = stateless.stateless_reset_state()
    for part in (slice(0, 3), slice(3, None)):
        state = update(state, Y_TRUE[part], Y_PRED[part], WEIGHTS[part])
    np.testing.assert_allclose(jax.jit(stateless.stateless_result)(state), expected, rtol=1e-6)


@pytest.mark.parametrize("metric", [F1Score(), F1Score(average="micro", threshold=0.3),
                                    FBetaScore(average="weighted", beta=0.5, name="fb")])
def test_config_round_trip(metric):
    config = metric.get_config()
    assert type(metric).from_config(config).get_config() == config
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == config


def test_config_contents_match_keras():
    assert F1Score().get_config() == {"name": "f1_score", "dtype": "float32", "average": None,
                                      "threshold": None}
    assert FBetaScore().get_config() == {"name": "fbeta_score", "dtype": "float32",
                                         "average": None, "beta": 1.0, "threshold": None}
    assert type(metrics.get("f1_score")) is F1Score
    assert type(metrics.get("FBetaScore")) is FBetaScore


@pytest.mark.parametrize("make, match", [
    (lambda: F1Score(average="samples"), r"\[None, 'micro', 'macro', 'weighted'\]"),
    (lambda: FBetaScore(beta=0.0), "beta"),
    (lambda: FBetaScore(beta="2"), "beta"),
    (lambda: F1Score(threshold=0.0), r"\(0, 1\]"),
    (lambda: F1Score(threshold=1.5), "threshold"),
])
def test_constructor_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_update_and_result_errors():
    with pytest.raises(ValueError, match="rank 2"):
        F1Score().update_state([1.0, 0.0], [0.3, 0.2])
    m = F1Score()
    m.update_state(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        m.update_state(np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="update_state"):
        F1Score().result()
