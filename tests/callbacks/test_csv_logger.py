import csv

import numpy as np
import pytest

import lamina
from lamina.callbacks import CSVLogger


def _rows(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_writes_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    callback = CSVLogger(str(path))
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75})
    callback.on_epoch_end(1, {"loss": 0.25, "val_loss": 0.5})
    callback.on_train_end()
    assert _rows(path) == [["epoch", "loss", "val_loss"], ["0", "0.5", "0.75"],
                           ["1", "0.25", "0.5"]]


def test_reserves_validation_columns_and_writes_na(tmp_path):
    path = tmp_path / "log.csv"
    callback = CSVLogger(path, separator=";")
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 1.0})
    callback.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.4})
    callback.on_train_end()
    assert _rows(path, ";") == [["epoch", "loss", "val_loss"], ["0", "1.0", "NA"],
                                ["1", "0.5", "0.4"]]


def test_append_keeps_existing_rows_and_header(tmp_path):
    path = tmp_path / "log.csv"
    for start in (0, 2):
        callback = CSVLogger(path, append=True)
        callback.on_train_begin()
        callback.on_epoch_end(start, {"loss": 1.0})
        callback.on_train_end()
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [r[0] for r in rows[1:]] == ["0", "2"]


def test_with_fit(tmp_path):
    path = tmp_path / "fit.csv"
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(np.ones((8, 2), "float32"), np.zeros((8, 1), "float32"), epochs=3,
                        verbose=0, callbacks=[CSVLogger(path)])
    rows = _rows(path)
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], history.history["loss"],
                               rtol=1e-6)


def test_bad_separator():
    with pytest.raises(ValueError, match="single character"):
        CSVLogger("x.csv", separator="::")
