"""Pictures of a model's layer graph: `plot_model` (PNG, SVG, ...) and `model_to_dot` (pydot).

`plot_model` draws with Graphviz when `pydot` and Graphviz's `dot` program are installed, else
with matplotlib: boxes placed in rows by their depth in the graph, arrows between them, so that
it works with Python packages alone.
"""

import os

_RANKDIRS = ("TB", "LR", "BT", "RL")


class _Box:
    """One drawn node: a layer (a shared layer is one box) or one call of a lamina op."""

    def __init__(self, key, operation, cluster):
        self.key = key
        self.operation = operation
        self.cluster = cluster
        self.input_shapes, self.output_shapes = [], []
        self.input_dtypes, self.output_dtypes = [], []

    def add_call(self, inputs, outputs):
        for store, values in ((self.input_shapes, [t.shape for t in inputs]),
                              (self.output_shapes, [t.shape for t in outputs]),
                              (self.input_dtypes, [t.dtype for t in inputs]),
                              (self.output_dtypes, [t.dtype for t in outputs])):
            text = _join(values)
            if text and text not in store:
                store.append(text)


class _Graph:
    """Boxes, edges between their keys, and the nested models drawn as dashed clusters."""

    def __init__(self):
        self.boxes = {}
        self.edges = []
        self.clusters = {}

    def box(self, key, operation, cluster):
        if key not in self.boxes:
            self.boxes[key] = _Box(key, operation, cluster)
            if cluster is not None:
                self.clusters.setdefault(cluster, []).append(key)
        return self.boxes[key]

    def edge(self, source, target):
        if (source, target) not in self.edges:
            self.edges.append((source, target))


def _join(values):
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ("[" + ", ".join(values) + "]" if values else "")


def _graph_of(model):
    """The Functional graph of a Functional or built Sequential model, else None."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if isinstance(model, Sequential):
        return model._functional
    return model if isinstance(model, Functional) else None


def _collect(model, graph, expand_nested, cluster=None):
    """Add `model`'s boxes and edges to `graph`.

    Returns `(entries, exits)`: for each model input, the keys of the boxes that read it, and
    for each output, the key of the box that makes it. A Sequential model's input layer is not
    drawn (as Keras), so its entries are the first layer's box.
    """
    from lamina.layers.layer import Layer
    from lamina.models.sequential import Sequential

    functional = _graph_of(model)
    skip_inputs = isinstance(model, Sequential)
    source, entries = {}, [[] for _ in functional.inputs]
    readers = {}
    for i, x in enumerate(functional.inputs):
        if skip_inputs:
            source[id(x)] = None
            readers[id(x)] = i
        else:
            layer = x.node.operation
            graph.box(id(layer), layer, cluster).add_call([], [x])
            source[id(x)] = id(layer)
            entries[i].append(id(layer))

    def connect(tensor, target):
        if source.get(id(tensor)) is None:
            if id(tensor) in readers and target not in entries[readers[id(tensor)]]:
                entries[readers[id(tensor)]].append(target)
            return
        graph.edge(source[id(tensor)], target)

    for node in functional._nodes:
        op = node.operation
        if expand_nested and _graph_of(op) is not None:
            sub_entries, sub_exits = _collect(op, graph, expand_nested,
                                              cluster=_cluster_name(op, cluster))
            for tensor, targets in zip(node.inputs, sub_entries):
                for target in targets:
                    connect(tensor, target)
            for tensor, key in zip(node.outputs, sub_exits):
                source[id(tensor)] = key
            continue
        key = id(op) if isinstance(op, Layer) else id(node)
        graph.box(key, op if isinstance(op, Layer) else node, cluster).add_call(node.inputs,
                                                                               node.outputs)
        for tensor in node.inputs:
            connect(tensor, key)
        for tensor in node.outputs:
            source[id(tensor)] = key
    return entries, [source[id(x)] for x in functional.outputs]


def _cluster_name(model, outer):
    return model.name if outer is None else f"{outer}/{model.name}"


def _build_graph(model, expand_nested, caller):
    from lamina.models.model import Model

    if not isinstance(model, Model):
        raise TypeError(f"{caller}: `model` must be a lamina Model (Sequential, Functional or "
                        f"subclassed). Received: {model!r} of type {type(model).__name__}")
    if not model.built:
        raise ValueError(f"{caller}: model '{model.name}' has not been built yet, so its layer "
                         "graph is unknown. Build it first: give it an Input, call `build()` "
                         "with an input shape, or call it on a batch of data.")
    graph = _Graph()
    if _graph_of(model) is None:
        # A subclassed model's forward pass is Python code, not a recorded graph: one box.
        graph.box(id(model), model, None)
    else:
        _collect(model, graph, expand_nested)
    return graph


def _check_options(caller, rankdir, dpi, kwargs):
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError(f"{caller}: the argument `layer_range` is no longer supported (Keras 3 "
                         "dropped it too). Plot a sub-model instead.")
    if kwargs:
        raise ValueError(f"{caller}: unrecognized keyword arguments {sorted(kwargs)}.")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"{caller}: `rankdir` must be one of {list(_RANKDIRS)} ('TB' top to "
                         f"bottom, 'LR' left to right). Received: rankdir={rankdir!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"{caller}: `dpi` must be a positive number. Received: dpi={dpi!r}")


def _label_lines(box, options):
    """The text lines of a box: name and class, activation, dtypes, shapes, trainable."""
    from lamina.layers.layer import Layer

    op = box.operation
    if isinstance(op, Layer):
        class_name, name = type(op).__name__, op.name
    else:                                   # a Node of a lamina op such as ops.add
        class_name, name = "op", getattr(op.operation, "__name__", type(op.operation).__name__)
    lines = [f"{name} ({class_name})" if options["show_layer_names"] or not isinstance(op, Layer)
             else class_name]
    activation = getattr(op, "activation", None)
    if options["show_layer_activations"] and activation is not None:
        lines.append(f"Activation: {getattr(activation, '__name__', type(activation).__name__)}")
    # An input layer has no inputs; a subclassed model's box has no recorded calls.
    if options["show_dtype"]:
        lines += [f"{side} dtype: {' | '.join(values)}" for side, values in
                  (("Input", box.input_dtypes), ("Output", box.output_dtypes)) if values]
    if options["show_shapes"]:
        lines += [f"{side} shape: {' | '.join(values)}" for side, values in
                  (("Input", box.input_shapes), ("Output", box.output_shapes)) if values]
    if options["show_trainable"] and isinstance(op, Layer):
        lines.append(f"Trainable: {'Y' if op.trainable else 'N'}")
    return lines


def _pydot(caller):
    try:
        import pydot
    except ImportError:
        raise ImportError(f"{caller} needs pydot, which is not installed. Install it with "
                          "`pip install pydot` (it is in the `plot` extra, `pip install "
                          "'lamina[plot]'`), plus Graphviz for rendering. `plot_model` can "
                          "draw without them through matplotlib.") from None
    return pydot


def _graphviz_available():
    """Whether pydot is installed and Graphviz's `dot` program runs."""
    try:
        import pydot
    except ImportError:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
    except (OSError, getattr(pydot, "PydotException", OSError)):
        return False
    return True


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """Describe a model's layer graph as a `pydot.Dot` (needs the `pydot` package).

    Args:
        model: A built Sequential, Functional or subclassed model (the last is one box).
        show_shapes: Whether to show each layer's input and output shapes.
        show_dtype: Whether to show input and output dtypes.
        show_layer_names: Whether to show layer names next to the class names.
        rankdir: Graph direction: "TB" (top to bottom), "LR" (left to right), "BT" or "RL".
        expand_nested: Whether to draw nested models' layers, inside dashed clusters.
        dpi: Dots per inch of the rendered image.
        subgraph: Whether to return a `pydot.Cluster` for embedding in another graph.
        show_layer_activations: Whether to show the activation of layers that have one.
        show_trainable: Whether to show if each layer is trainable.
        splines: Graphviz edge style ("ortho", "polyline", "curved", ...).

    Returns:
        A `pydot.Dot` (or `pydot.Cluster` with `subgraph=True`).

    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2, name="out")])
    >>> dot = model_to_dot(model, show_shapes=True)
    >>> len(dot.get_nodes()) > 0
    True
    """
    caller = "model_to_dot"
    _check_options(caller, rankdir, dpi, kwargs)
    pydot = _pydot(caller)
    graph = _build_graph(model, expand_nested, caller)
    options = {"show_shapes": show_shapes, "show_dtype": show_dtype,
               "show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}
    if subgraph:
        dot = pydot.Cluster(graph_name=model.name, style="dashed", label=model.name)
    else:
        dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi), splines=splines,
                        concentrate="true")
        dot.set_node_defaults(shape="box", style="rounded", fontname="Helvetica")
    clusters = {}
    for name in graph.clusters:
        cluster = pydot.Cluster(graph_name=_dot_id(name), label=name, style="dashed",
                                labeljust="l")
        clusters[name] = cluster
        dot.add_subgraph(cluster)
    for key, box in graph.boxes.items():
        text = "\\n".join(line.replace('"', "'") for line in _label_lines(box, options))
        node = pydot.Node(str(key), label=f'"{text}"')
        clusters.get(box.cluster, dot).add_node(node)
    for source, target in graph.edges:
        dot.add_edge(pydot.Edge(str(source), str(target)))
    return dot


def _dot_id(name):
    return "".join(c if c.isalnum() else "_" for c in name)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw a model's layer graph to an image file (PNG, SVG, PDF, ... by the file's suffix).

    Uses Graphviz (`pydot` and the `dot` program) when both are installed, else matplotlib.

    Args:
        model: A built Sequential, Functional or subclassed model (the last is one box).
        to_file: Output path; the suffix picks the format, PNG when there is none.
        show_shapes: Whether to show each layer's input and output shapes.
        show_dtype: Whether to show input and output dtypes.
        show_layer_names: Whether to show layer names next to the class names.
        rankdir: Graph direction: "TB" (top to bottom), "LR" (left to right), "BT" or "RL".
        expand_nested: Whether to draw nested models' layers, inside dashed frames.
        dpi: Dots per inch of raster images.
        show_layer_activations: Whether to show the activation of layers that have one.
        show_trainable: Whether to show if each layer is trainable.
        splines: Graphviz edge style (ignored by the matplotlib drawing).

    Returns:
        An `IPython.display.Image` (or `SVG`) of the file when IPython is installed, so that a
        notebook shows it; otherwise None.

    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2, name="out")])
    >>> _ = plot_model(model, "model.svg", show_shapes=True, show_layer_names=True)
    """
    caller = "plot_model"
    _check_options(caller, rankdir, dpi, kwargs)
    if not isinstance(to_file, (str, os.PathLike)):
        raise TypeError(f"{caller}: `to_file` must be a file path such as 'model.png'. "
                        f"Received: {to_file!r} of type {type(to_file).__name__}")
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    directory = os.path.dirname(to_file)
    if directory:
        os.makedirs(directory, exist_ok=True)
    options = {"show_shapes": show_shapes, "show_dtype": show_dtype,
               "show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}
    if _graphviz_available():
        dot = model_to_dot(model, rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                           splines=splines, **options)
        dot.write(to_file, format=extension)
    else:
        graph = _build_graph(model, expand_nested, caller)
        labels = {key: _label_lines(box, options) for key, box in graph.boxes.items()}
        _draw_with_matplotlib(graph, labels, to_file, rankdir, dpi, caller)
    return _notebook_image(to_file, extension)


def _notebook_image(path, extension):
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=path)
    return display.Image(filename=path) if extension in ("png", "jpg", "jpeg") else None


# -- the matplotlib drawing: sizes in inches ------------------------------------------------------
_FONT_SIZE = 9
_LINE_HEIGHT = 0.19
_PAD = 0.12
_RANK_GAP = 0.45        # between rows (TB) or columns (LR) of boxes
_SPREAD_GAP = 0.3       # between boxes of one row or column
_MARGIN = 0.25


def _box_sizes(labels):
    """(width, height) in inches of each box, from the rendered width of its text lines."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure, font = TextToPath(), FontProperties(size=_FONT_SIZE)
    sizes = {}
    for key, lines in labels.items():
        widest = max(measure.get_text_width_height_descent(line, font, ismath=False)[0]
                     for line in lines)
        sizes[key] = (widest / 72.0 + 2 * _PAD, len(lines) * _LINE_HEIGHT + 2 * _PAD)
    return sizes


def _ranks(graph):
    """Depth of each box: one more than its deepest parent drawn before it.

    Boxes come in the order the graph was walked (topological for first calls); an edge back to
    an earlier box (a shared layer called again later) does not push the box down.
    """
    order = {key: i for i, key in enumerate(graph.boxes)}
    parents = {key: [] for key in graph.boxes}
    for source, target in graph.edges:
        if order[source] < order[target]:
            parents[target].append(source)
    rank = {}
    for key in graph.boxes:
        rank[key] = max((rank[p] + 1 for p in parents[key]), default=0)
    return rank, parents


def _layout(graph, sizes, rankdir):
    """Centre (x, y) of each box in inches, and the drawing's (width, height)."""
    rank, parents = _ranks(graph)
    across = rankdir in ("TB", "BT")          # boxes of one rank sit side by side
    along_size = {k: (h if across else w) for k, (w, h) in sizes.items()}
    spread_size = {k: (w if across else h) for k, (w, h) in sizes.items()}
    rows = {}
    for key in graph.boxes:
        rows.setdefault(rank[key], []).append(key)
    spread, along, offset = {}, {}, 0.0
    for r in sorted(rows):
        row = rows[r]
        # Under the mean position of its parents: fewer crossing arrows.
        row.sort(key=lambda k: (sum(spread[p] for p in parents[k]) / len(parents[k])
                                if parents[k] else 0.0))
        total = sum(spread_size[k] for k in row) + _SPREAD_GAP * (len(row) - 1)
        position = -total / 2
        thickness = max(along_size[k] for k in row)
        for key in row:
            spread[key] = position + spread_size[key] / 2
            along[key] = offset + thickness / 2
            position += spread_size[key] + _SPREAD_GAP
        offset += thickness + _RANK_GAP
    centres = {}
    for key in graph.boxes:
        a = along[key] if rankdir in ("LR", "TB") else -along[key]
        centres[key] = (spread[key], -a) if across else (a, -spread[key])
    xs = [centres[k][0] + s * sizes[k][0] / 2 for k in centres for s in (-1, 1)]
    ys = [centres[k][1] + s * sizes[k][1] / 2 for k in centres for s in (-1, 1)]
    # Room for the cluster frames and their titles.
    margin = _MARGIN + (0.3 if graph.clusters else 0.0)
    shift_x, shift_y = margin - min(xs), margin - min(ys)
    centres = {k: (x + shift_x, y + shift_y) for k, (x, y) in centres.items()}
    return centres, (max(xs) - min(xs) + 2 * margin, max(ys) - min(ys) + 2 * margin)


def _anchor(centre, size, toward):
    """The point on a box's border facing `toward` (a point), for arrow ends."""
    (x, y), (w, h) = centre, size
    dx, dy = toward[0] - x, toward[1] - y
    if dx == 0 and dy == 0:
        return x, y
    # scale (dx, dy) so it just reaches the border of the box
    scale = min(w / 2 / abs(dx) if dx else float("inf"), h / 2 / abs(dy) if dy else float("inf"))
    return x + dx * scale, y + dy * scale


def _draw_with_matplotlib(graph, labels, path, rankdir, dpi, caller):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    from lamina.utils.plotting import new_figure, save_figure

    sizes = _box_sizes(labels)
    centres, (width, height) = _layout(graph, sizes, rankdir)
    figure = new_figure(caller, figsize=(width, height))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    for name, keys in graph.clusters.items():
        left = min(centres[k][0] - sizes[k][0] / 2 for k in keys) - 0.12
        right = max(centres[k][0] + sizes[k][0] / 2 for k in keys) + 0.12
        bottom = min(centres[k][1] - sizes[k][1] / 2 for k in keys) - 0.12
        top = max(centres[k][1] + sizes[k][1] / 2 for k in keys) + 0.12
        ax.add_patch(Rectangle((left, bottom), right - left, top - bottom, fill=False,
                               linestyle="--", edgecolor="#888888"))
        ax.text(left, top + 0.04, name, fontsize=_FONT_SIZE - 1, style="italic",
                color="#555555", va="bottom")
    for key, lines in labels.items():
        (x, y), (w, h) = centres[key], sizes[key]
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor="#eef3fb", edgecolor="#3b5b8c", linewidth=1.0))
        top = y + (len(lines) - 1) * _LINE_HEIGHT / 2
        for i, line in enumerate(lines):
            ax.text(x, top - i * _LINE_HEIGHT, line, ha="center", va="center",
                    fontsize=_FONT_SIZE, fontweight="bold" if i == 0 else "normal")
    rank = _ranks(graph)[0]
    for source, target in graph.edges:
        if source == target:
            # A shared layer feeding itself: a loop on the box's right side.
            (x, y), (w, h) = centres[source], sizes[source]
            start, end, style = (x + w / 2, y + h / 4), (x + w / 2, y - h / 4), "arc3,rad=-1.5"
        else:
            start = _anchor(centres[source], sizes[source], centres[target])
            end = _anchor(centres[target], sizes[target], centres[source])
            # An edge back up (a shared layer called again later) bends around the boxes
            # between, by at most about half an inch.
            distance = max(abs(end[0] - start[0]) + abs(end[1] - start[1]), 1e-6)
            bend = 0.0 if rank[target] > rank[source] else min(0.35, 0.5 / distance)
            style = f"arc3,rad={bend:.3f}"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12,
                                     connectionstyle=style, color="#3b5b8c", linewidth=1.0,
                                     shrinkA=0, shrinkB=0, clip_on=False))
    save_figure(figure, path, caller, dpi=dpi)
