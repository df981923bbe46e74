import struct
import sys
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("matplotlib")

import lamina
from lamina import layers, ops
from lamina.utils import model_visualization as mv

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", head[16:24])
    try:
        from PIL import Image
    except ImportError:
        return width, height
    with Image.open(path) as image:
        image.verify()
    return width, height


def svg_text(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ET.fromstring(text)
    return text


@pytest.fixture
def matplotlib_only(monkeypatch):
    """Draw with the matplotlib fallback even where Graphviz is installed."""
    monkeypatch.setattr(mv, "_graphviz_available", lambda: False)


def sequential():
    return lamina.Sequential([lamina.Input((8,)), layers.Dense(16, activation="relu", name="hidden"),
                              layers.Dropout(0.1, name="drop"), layers.Dense(3, name="logits")],
                             name="mlp")


def functional(nested_inner=None):
    """Two inputs, two outputs, a layer shared twice, an op call, a nested Sequential."""
    a, b = lamina.Input((4,), name="in_a"), lamina.Input((6,), name="in_b")
    shared = layers.Dense(5, name="shared")
    h = layers.Concatenate(name="concat")([shared(a), layers.Dense(4, name="proj")(b)])
    h = ops.add(h, h)
    tower = nested_inner or lamina.Sequential(
        [lamina.Input((9,)), layers.Dense(8, name="tower_1"), layers.Dense(8, name="tower_2")],
        name="tower")
    t = tower(h)
    score = layers.Dense(1, name="score")(t)
    klass = layers.Dense(2, name="klass")(shared(layers.Dense(4, name="back")(t)))
    return lamina.Model([a, b], [score, klass], name="two_heads")


def edges_by_name(model, expand_nested=False):
    graph = mv._build_graph(model, expand_nested, "test")
    names = {key: mv._label_lines(box, {"show_layer_names": True, "show_shapes": False,
                                        "show_dtype": False, "show_layer_activations": False,
                                        "show_trainable": False})[0].split(" (")[0]
             for key, box in graph.boxes.items()}
    return [names[k] for k in graph.boxes], {(names[s], names[t]) for s, t in graph.edges}, graph


def test_sequential_graph_is_a_chain_without_the_input():
    boxes, edges, _ = edges_by_name(sequential())
    assert boxes == ["hidden", "drop", "logits"]
    assert edges == {("hidden", "drop"), ("drop", "logits")}


def test_functional_graph_has_inputs_shared_layer_op_and_nested_box():
    boxes, edges, graph = edges_by_name(functional())
    assert boxes == ["in_a", "in_b", "shared", "proj", "concat", "add", "tower", "score", "back",
                     "klass"]
    assert edges == {("in_a", "shared"), ("in_b", "proj"), ("shared", "concat"),
                     ("proj", "concat"), ("concat", "add"), ("add", "tower"), ("tower", "score"),
                     ("tower", "back"), ("back", "shared"), ("shared", "klass")}
    assert graph.clusters == {}


def test_expand_nested_draws_the_inner_layers_in_a_cluster():
    boxes, edges, graph = edges_by_name(functional(), expand_nested=True)
    assert "tower" not in boxes and {"tower_1", "tower_2"} <= set(boxes)
    assert {("add", "tower_1"), ("tower_1", "tower_2"), ("tower_2", "score"),
            ("tower_2", "back")} <= edges
    assert list(graph.clusters) == ["tower"] and len(graph.clusters["tower"]) == 2


def test_expand_nested_functional_with_two_inputs_maps_each_input():
    x, y = lamina.Input((3,), name="x"), lamina.Input((3,), name="y")
    inner = lamina.Model([x, y], layers.Add(name="inner_add")([layers.Dense(3, name="dx")(x), y]),
                         name="inner")
    p, q = lamina.Input((3,), name="p"), lamina.Input((3,), name="q")
    outer = lamina.Model([p, q], inner([layers.Dense(3, name="dp")(p), q]), name="outer")
    _, edges, graph = edges_by_name(outer, expand_nested=True)
    # the inner model's own inputs are drawn inside its cluster, fed by the outer tensors
    assert {("dp", "x"), ("q", "y"), ("x", "dx"), ("dx", "inner_add"), ("y", "inner_add")} <= edges
    assert len(graph.clusters["inner"]) == 4


def test_subclassed_model_is_one_box():
    class Net(lamina.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    net.build((None, 3))
    boxes, edges, _ = edges_by_name(net)
    assert boxes == ["net"] and edges == set()


def test_labels_show_shapes_dtype_activation_trainable():
    model = sequential()
    model.get_layer("logits").trainable = False
    graph = mv._build_graph(model, False, "test")
    options = {"show_layer_names": True, "show_shapes": True, "show_dtype": True,
               "show_layer_activations": True, "show_trainable": True}
    hidden, _, logits = (mv._label_lines(box, options) for box in graph.boxes.values())
    assert hidden == ["hidden (Dense)", "Activation: relu", "Input dtype: float32",
                      "Output dtype: float32", "Input shape: (None, 8)",
                      "Output shape: (None, 16)", "Trainable: Y"]
    assert logits[-1] == "Trainable: N" and "Output shape: (None, 3)" in logits
    options["show_layer_names"] = False
    assert mv._label_lines(next(iter(graph.boxes.values())), options)[0] == "Dense"


def test_matplotlib_png_of_sequential(tmp_path, matplotlib_only):
    path = tmp_path / "mlp.png"
    mv.plot_model(sequential(), path, show_shapes=True, show_layer_names=True, dpi=100)
    width, height = png_size(path)
    # three boxes about 2 inches wide, stacked top to bottom, at 100 dpi
    assert 120 <= width <= 400 and 250 <= height <= 600 and height > width


def test_matplotlib_rankdir_lr_is_wider_than_tall(tmp_path, matplotlib_only):
    path = tmp_path / "mlp_lr.png"
    mv.plot_model(sequential(), path, rankdir="LR", dpi=50)
    width, height = png_size(path)
    assert width > 2 * height and 100 <= width <= 600


def test_matplotlib_svg_holds_layer_names_and_shapes(tmp_path, matplotlib_only):
    path = tmp_path / "model.svg"
    mv.plot_model(functional(), str(path), show_shapes=True, show_layer_names=True,
                  expand_nested=True)
    text = svg_text(path)
    for name in ("in_a (InputLayer)", "shared (Dense)", "concat (Concatenate)", "add (op)",
                 "tower_1 (Dense)", "klass (Dense)", "Output shape: (None, 9)"):
        assert f">{name}<" in text
    assert ">tower<" in text        # the cluster's title


def test_matplotlib_without_names_shows_class_names_only(tmp_path, matplotlib_only):
    path = tmp_path / "model.svg"
    mv.plot_model(sequential(), path)           # Keras's default: show_layer_names=False
    text = svg_text(path)
    assert ">Dense<" in text and ">Dropout<" in text and "hidden" not in text


def test_plot_model_without_a_suffix_writes_png(tmp_path, matplotlib_only):
    path = tmp_path / "sub" / "model"
    mv.plot_model(sequential(), path, dpi=30)
    png_size(path)


@pytest.mark.skipif(not mv._graphviz_available(), reason="needs pydot and Graphviz's dot")
def test_graphviz_png_and_svg(tmp_path):
    mv.plot_model(functional(), tmp_path / "g.png", show_shapes=True, dpi=72)
    width, height = png_size(tmp_path / "g.png")
    assert 200 <= width <= 3000 and 200 <= height <= 3000
    mv.plot_model(functional(), tmp_path / "g.svg", show_layer_names=True, expand_nested=True)
    text = svg_text(tmp_path / "g.svg")
    for name in ("shared (Dense)", "tower_2 (Dense)", "in_b (InputLayer)"):
        assert name in text


def test_model_to_dot_nodes_and_edges():
    pytest.importorskip("pydot")
    dot = mv.model_to_dot(functional(), show_shapes=True)
    labels = [node.get("label") for node in dot.get_nodes() if node.get("label")]
    assert len(labels) == 10 and any("shared (Dense)" in label for label in labels)
    assert len(dot.get_edges()) == 10
    assert dot.get("rankdir") == "TB" and dot.get("dpi") == "200"
    cluster = mv.model_to_dot(sequential(), subgraph=True)
    assert cluster.get_name() == "cluster_mlp"


def test_model_to_dot_without_pydot_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"model_to_dot needs pydot.*pip install pydot"):
        mv.model_to_dot(sequential())
    assert not mv._graphviz_available()


def test_plot_model_without_matplotlib_or_graphviz(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pydot", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"plot_model draws with matplotlib.*lamina\[plot\]"):
        mv.plot_model(sequential(), tmp_path / "m.png")


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="model 'mlp' has not been built yet"):
        mv.plot_model(lamina.Sequential([layers.Dense(2)], name="mlp"), tmp_path / "m.png")
    with pytest.raises(TypeError, match="`model` must be a lamina Model"):
        mv.plot_model(layers.Dense(2), tmp_path / "m.png")
    with pytest.raises(ValueError, match=r"`rankdir` must be one of \['TB', 'LR', 'BT', 'RL'\]"):
        mv.plot_model(sequential(), tmp_path / "m.png", rankdir="XY")
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        mv.plot_model(sequential(), tmp_path / "m.png", layer_range=["a", "b"])
    with pytest.raises(ValueError, match=r"unrecognized keyword arguments \['colour'\]"):
        mv.plot_model(sequential(), tmp_path / "m.png", colour="red")
    with pytest.raises(ValueError, match="`dpi` must be a positive number"):
        mv.plot_model(sequential(), tmp_path / "m.png", dpi=0)
    with pytest.raises(TypeError, match="`to_file` must be a file path"):
        mv.plot_model(sequential(), to_file=None)
