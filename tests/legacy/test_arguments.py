import pytest

from lamina.legacy import arguments


@pytest.fixture(autouse=True)
def _fresh():
    arguments.forget_announcements()
    yield
    arguments.forget_announcements()


def test_translate_renames_and_converts(capsys):
    out = arguments.translate("Convolution2D", {"border_mode": "same", "dim_ordering": "th",
                                                "subsample": [2, 2], "filters": 3},
                              arguments.LAYER, {"padding", "data_format", "strides", "filters"})
    assert out == {"padding": "same", "data_format": "channels_first", "strides": (2, 2),
                   "filters": 3}
    err = capsys.readouterr().err
    assert "Convolution2D(border_mode=...) is the old spelling; today it is Conv2D(padding=...)" \
        in err
    assert err.count("lamina.legacy:") == 3


def test_announce_once_per_name_per_process(capsys):
    for _ in range(3):
        arguments.translate("fit", {"nb_epoch": 1}, {"nb_epoch": ("epochs", None)}, {"epochs"})
    assert capsys.readouterr().err.count("nb_epoch") == 1


def test_ignored_names_dropped_with_a_line(capsys):
    out = arguments.translate("compile", {"class_mode": "binary", "theano_mode": None,
                                          "loss": "mse"}, {}, {"loss"})
    assert out == {"loss": "mse"}
    err = capsys.readouterr().err
    assert "compile(class_mode=...) has no meaning today and is ignored" in err
    assert "theano_mode" in err


def test_unknown_argument_suggests_closest_spelling():
    with pytest.raises(TypeError, match=r"unknown argument `nb_epochs`\. Did you mean "
                                        r"`nb_epoch`\?"):
        arguments.translate("fit", {"nb_epochs": 3}, {"nb_epoch": ("epochs", None)},
                            {"epochs", "batch_size"})


def test_old_and_new_name_together_is_an_error():
    with pytest.raises(TypeError, match="both `nb_epoch`.*and `epochs`"):
        arguments.translate("fit", {"nb_epoch": 3, "epochs": 2},
                            {"nb_epoch": ("epochs", None)}, {"epochs"})


@pytest.mark.parametrize("value, expected", [("th", "channels_first"), ("tf", "channels_last"),
                                             ("default", None)])
def test_data_format(value, expected):
    assert arguments.data_format("X", value) == expected


def test_bad_values_name_the_argument():
    with pytest.raises(ValueError, match="dim_ordering.*'th', 'tf' or 'default'.*'xy'"):
        arguments.data_format("Conv", "xy")
    with pytest.raises(ValueError, match="'full' convolution has no equivalent"):
        arguments.padding("Convolution2D", "full")


def test_initializer_names_and_functions():
    import numpy as np
    assert arguments.initializer("Dense", "zero") == "zeros"
    assert arguments.initializer("Dense", "one") == "ones"
    init = arguments.initializer("Dense", lambda shape, name=None: np.full(shape, 0.5))
    assert np.asarray(init((2, 3))).tolist() == [[0.5] * 3] * 2
