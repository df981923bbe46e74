"""model.summary(): a table of layers, output shapes and parameter counts."""


def _output_shape(layer):
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "?"
    outputs = nodes[-1].outputs
    shapes = [t.shape for t in outputs]
    return str(shapes[0]) if len(shapes) == 1 else ", ".join(str(s) for s in shapes)


def _params(layer):
    return sum(int(_prod(w.shape)) for w in layer.weights) if layer.built else 0


def _prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _format_count(n):
    size = n * 4
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{n:,} ({size:.2f} {unit})" if unit != "B" else f"{n:,} ({size} B)"
        size /= 1024
    return f"{n:,}"


def print_summary(model, line_length=None, print_fn=None, show_trainable=False):
    """Print (or pass to `print_fn` line by line) the model's layer table and totals."""
    print_fn = print_fn or print
    width = line_length or 78
    columns = ["Layer (type)", "Output Shape", "Param #"] + (["Trainable"] if show_trainable else [])
    fractions = [0.45, 0.35, 0.2] if not show_trainable else [0.4, 0.3, 0.15, 0.15]
    widths = [max(8, int(width * f)) for f in fractions]

    def row(cells):
        return "".join(str(c)[:w - 1].ljust(w) for c, w in zip(cells, widths)).rstrip()

    from lamina.layers.input_layer import InputLayer
    layers = [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    lines = [f'Model: "{model.name}"', "=" * width, row(columns), "=" * width]
    for i, layer in enumerate(layers):
        cells = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer),
                 f"{_params(layer):,}"]
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        lines.append(row(cells))
        lines.append("-" * width if i < len(layers) - 1 else "=" * width)
    if not layers:
        lines.append("=" * width)
    trainable = sum(_prod(w.shape) for w in model.trainable_weights)
    total = sum(_prod(w.shape) for w in model.weights)
    lines += [f" Total params: {_format_count(total)}",
              f" Trainable params: {_format_count(trainable)}",
              f" Non-trainable params: {_format_count(total - trainable)}"]
    if not model.built:
        lines.append(" (The model is not built yet: parameter counts appear once it is called on "
                     "data or built with an input shape.)")
    for line in lines:
        print_fn(line)
