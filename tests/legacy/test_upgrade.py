import pytest

from lamina.legacy.upgrade import upgrade_file, upgrade_source


def test_imports_layers_and_comments_preserved():
    source = (
        "import keras\n"
        "from keras.layers.convolutional import Convolution2D  # the old name\n"
        "# build the model\n"
        "conv = Convolution2D(32, 3, 3, border_mode='same', dim_ordering='th')\n")
    assert upgrade_source(source) == (
        "import lamina as keras\n"
        "from lamina.layers import Conv2D  # the old name\n"
        "# build the model\n"
        "conv = Conv2D(32, (3, 3), padding='same', data_format='channels_first')\n")


def test_fit_compile_and_optimizer_arguments():
    source = (
        "from keras.optimizers import SGD\n"
        "sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9)\n"
        "model.compile(loss='mse', optimizer=sgd, class_mode='binary', metrics=['acc'])\n"
        "h = model.fit(X, y, nb_epoch=5, show_accuracy=True)\n"
        "print(h.history['acc'], h.history['val_acc'])\n")
    out = upgrade_source(source)
    assert "sgd = SGD(learning_rate=InverseTimeDecay(0.1, decay_steps=1, decay_rate=1e-6), " \
           "momentum=0.9)" in out
    assert "from lamina.optimizers.schedules import InverseTimeDecay" in out
    assert "model.compile(loss='mse', optimizer=sgd, metrics=['accuracy'])" in out
    assert "h = model.fit(X, y, epochs=5)" in out
    assert "h.history['accuracy'], h.history['val_accuracy']" in out


def test_era_defaults_written_out():
    out = upgrade_source("from keras.optimizers import Adagrad\nopt = Adagrad()\n")
    assert "Adagrad(learning_rate=0.01, epsilon=1e-08, initial_accumulator_value=0.0)" in out
    out = upgrade_source("from keras.layers.recurrent import GRU\nlayer = GRU(8, input_dim=3)\n")
    assert "GRU(8, input_shape=(None, 3), recurrent_activation=\"hard_sigmoid\", " \
           "reset_after=False)" in out


def test_model_keywords_predict_classes_and_merge():
    source = (
        "from keras.models import Model\n"
        "from keras.layers import merge\n"
        "m = merge([a, b], mode='concat', concat_axis=1)\n"
        "model = Model(input=[a, b], output=m)\n"
        "classes = model.predict_classes(x)\n"
        "p = model.predict_proba(x)\n")
    out = upgrade_source(source)
    assert "m = concatenate([a, b], axis=1)" in out
    assert "model = Model(inputs=[a, b], outputs=m)" in out
    assert "classes = predict_classes(model, x)" in out
    assert "def predict_classes(model, x, **kwargs):" in out
    assert "p = model.predict(x, verbose=0)" in out


def test_errors(tmp_path):
    with pytest.raises(SyntaxError, match="does not parse"):
        upgrade_source("def (:\n")
    with pytest.raises(TypeError, match="expected the script's text"):
        upgrade_source(b"x = 1")
    with pytest.raises(FileNotFoundError):
        upgrade_file(str(tmp_path / "missing.py"))


def test_write_rewrites_in_place(tmp_path):
    script = tmp_path / "old.py"
    script.write_text("from keras.layers.core import Dense\nDense(output_dim=2)\n")
    text = upgrade_file(str(script), write=True)
    assert script.read_text() == text == "from lamina.layers import Dense\nDense(units=2)\n"
