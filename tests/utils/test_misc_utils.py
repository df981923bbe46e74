import logging

import pytest

import lamina
from lamina.utils import Config, get_source_inputs


def test_config_attributes_items_and_freezing():
    config = Config(learning_rate=0.1)
    config.epochs = 3
    config["batch_size"] = 32
    assert config.as_dict() == {"learning_rate": 0.1, "epochs": 3, "batch_size": 32}
    assert config["epochs"] == 3 and config.learning_rate == 0.1 and len(config) == 3
    assert config.to_json() == '{"learning_rate": 0.1, "epochs": 3, "batch_size": 32}'
    config.freeze()
    with pytest.raises(ValueError, match="frozen"):
        config.epochs = 4
    with pytest.raises(ValueError, match="frozen"):
        config["x"] = 1
    config.unfreeze()
    config.epochs = 4
    assert config.epochs == 4
    with pytest.raises(AttributeError, match="no entry 'missing'"):
        config.missing  # noqa: B018


def test_get_source_inputs():
    a, b, c = lamina.Input((2,)), lamina.Input((2,)), lamina.Input((2,))
    out = lamina.layers.Add()([lamina.layers.Dense(2)(a), b])
    sources = get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert get_source_inputs(c) == [c]
    with pytest.raises(TypeError, match="symbolic tensor"):
        get_source_inputs(3)


def test_interactive_logging_routes_progress_to_the_logger(capsys, caplog):
    import numpy as np
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    lamina.utils.disable_interactive_logging()
    try:
        assert not lamina.utils.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="lamina"):
            model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), epochs=2,
                      verbose=2)
    finally:
        lamina.utils.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert any("loss" in record.getMessage() for record in caplog.records)
    assert lamina.utils.is_interactive_logging_enabled()
