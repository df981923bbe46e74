"""`lamina upgrade script.py [--write]`: rewrite an old Keras script in today's (Keras 3 /
lamina) API with a concrete syntax tree (libcst), so comments and formatting stay.

What it rewrites: `keras.*` imports to today's modules (`import keras` -> `import lamina as
keras`); old layer names and signatures (`Convolution2D(32, 3, 3, border_mode="same")` ->
`Conv2D(32, (3, 3), padding="same")`); old argument names in layers, optimizers (`lr`, `decay`
-> an `InverseTimeDecay` rate, the era's epsilon), `compile`, `fit`, `evaluate`, `predict`;
`Model(input=, output=)`; `predict_classes`/`predict_proba`/`fit_generator` (small helpers are
added to the script); `Merge` of Sequential branches and the Keras 0.x `Graph` model (to a
Functional model); history keys `acc`/`val_acc` -> `accuracy`/`val_accuracy`.
"""

import importlib
import os

import libcst as cst

from lamina.legacy import arguments
from lamina.legacy.optimizers import ERA_DEFAULTS

# -- tables ----------------------------------------------------------------------------------------------
TODAY_LAYER = {"Convolution1D": "Conv1D", "AtrousConvolution1D": "Conv1D",
               "Convolution2D": "Conv2D", "AtrousConvolution2D": "Conv2D",
               "Deconvolution2D": "Conv2DTranspose", "SeparableConvolution2D": "SeparableConv2D",
               "Convolution3D": "Conv3D", "ThresholdedReLU": "ReLU"}
KERNEL_DIMS = {"Convolution2D": 2, "AtrousConvolution2D": 2, "Deconvolution2D": 2,
               "SeparableConvolution2D": 2, "Convolution3D": 3, "Conv2D": 2, "Conv3D": 3}
SEQUENCE_LAYERS = {"LSTM", "GRU", "SimpleRNN", "Convolution1D", "AtrousConvolution1D", "Conv1D",
                   "TimeDistributedDense"}
PER_LAYER = {"Embedding": {"init": "embeddings_initializer",
                           "W_regularizer": "embeddings_regularizer",
                           "W_constraint": "embeddings_constraint"},
             "LeakyReLU": {"alpha": "negative_slope"}, "PReLU": {"init": "alpha_initializer"},
             "ThresholdedReLU": {"theta": "threshold"}, "Reshape": {"dims": "target_shape"},
             "UpSampling1D": {"length": "size"}}
LEGACY_ONLY_LAYERS = {"MaxoutDense", "Highway"}
OPTIMIZERS = set(ERA_DEFAULTS)
MERGE_FUNCTIONS = {"sum": "add", "mul": "multiply", "ave": "average", "max": "maximum",
                   "concat": "concatenate", "dot": "dot", "cos": "dot"}
MERGE_LAYERS = {"sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum",
                "concat": "Concatenate", "dot": "Dot", "cos": "Dot"}
_STRING_VALUES = {"dim_ordering": {"th": "channels_first", "tf": "channels_last"},
                  "init": {"zero": "zeros", "one": "ones"},
                  "inner_init": {"zero": "zeros", "one": "ones"}}
_DROP = set(arguments.IGNORED) - {"mode"}
_ACC_KEYS = {"acc": "accuracy", "val_acc": "val_accuracy"}

_HELPERS = {
    "predict_classes": '''
def predict_classes(model, x, **kwargs):
    """Keras 1's model.predict_classes: argmax of the outputs, or outputs > 0.5 for one unit."""
    kwargs.setdefault("verbose", 0)
    probabilities = model.predict(x, **kwargs)
    if probabilities.shape[-1] > 1:
        return probabilities.argmax(axis=-1)
    return (probabilities > 0.5).astype("int32")
''',
    "fit_generator": '''
def fit_generator(model, generator, samples_per_epoch, epochs=1, verbose=1, callbacks=None,
                  validation_data=None):
    """Keras 1's fit_generator: each epoch trains on batches drawn until samples_per_epoch
    samples were seen."""
    from lamina.callbacks import CallbackList
    callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                             model=model, verbose=verbose, epochs=epochs, steps=None)
    callbacks.on_train_begin()
    for epoch in range(epochs):
        model.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        seen = 0
        while seen < samples_per_epoch:
            x, y = next(generator)[:2]
            logs = model.train_on_batch(x, y, return_dict=True)
            seen += len(x)
        if validation_data is not None:
            val_logs = model.evaluate(*validation_data, verbose=0, return_dict=True)
            logs.update({"val_" + k: v for k, v in val_logs.items()})
        callbacks.on_epoch_end(epoch, logs)
    callbacks.on_train_end(logs)
    return model.history
''',
    "BranchSequential": '''
class BranchSequential(lamina.Model):
    """Keras 1's Sequential whose first layer merges branch models: one input per branch."""

    def __init__(self, branches=(), merge=None):
        super().__init__()
        self.branches, self.merge, self.stack = list(branches), merge, []

    def add(self, layer):
        if isinstance(layer, tuple):  # (branches, merge layer) from Keras 1's Merge
            self.branches, self.merge = list(layer[0]), layer[1]
        else:
            self.stack = self.stack + [layer]

    def call(self, inputs):
        x = self.merge([branch(x) for branch, x in zip(self.branches, inputs)])
        for layer in self.stack:
            x = layer(x)
        return x
''',
}


def _home(name, *modules):
    """The first of `modules` that has `name` (today's module of a lamina name)."""
    for module in modules:
        if hasattr(importlib.import_module(module), name):
            return module
    return modules[-1]


def _layer_home(name):
    if name in LEGACY_ONLY_LAYERS:
        return "lamina.legacy.layers"
    return _home(name, "lamina.layers", "lamina.layers.rnn",
                 "lamina.layers.rnn.time_distributed", "lamina.layers.rnn.bidirectional")


def _target(module, name):
    """Today's (module, name) for `name` imported from the old `module`."""
    if module.startswith("keras.layers") or module == "keras.engine.topology":
        if name in ("Input", "Model"):
            return ("lamina.models" if name == "Model" else "lamina.layers"), name
        today = TODAY_LAYER.get(name, name)
        return _layer_home(today), today
    if module == "keras.models":
        return "lamina.models", name
    if module in ("keras.utils.np_utils", "keras.utils"):
        return "lamina.utils", name
    if module in ("keras.preprocessing.sequence", "keras.preprocessing"):
        return _home(name, "lamina.utils", "lamina.legacy.preprocessing"), name
    if module in ("keras.objectives", "keras.losses"):
        return "lamina.losses", {"cosine_proximity": "cosine_similarity"}.get(name, name)
    if module == "keras.regularizers":
        return "lamina.regularizers", {"l1l2": "l1_l2", "activity_l1": "l1", "activity_l2": "l2",
                                       "activity_l1l2": "l1_l2",
                                       "WeightRegularizer": "L1L2"}.get(name, name)
    if module == "keras.constraints":
        return "lamina.constraints", {"maxnorm": "MaxNorm", "nonneg": "NonNeg",
                                      "unitnorm": "UnitNorm"}.get(name, name)
    return module.replace("keras", "lamina", 1), name


_LAYER_SUBMODULES = ("core", "convolutional", "recurrent", "embeddings", "normalization",
                     "pooling", "advanced_activations", "wrappers", "noise", "merge")
_MODULE_IMPORTS = {  # `from keras.X import Y` where Y is a module
    ("keras.utils", "np_utils"): "lamina.utils",
    ("keras.preprocessing", "sequence"): None,  # decided by where pad_sequences lives
    ("keras", "backend"): "lamina.legacy.backend",
}


def _dotted(node):
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _parse_module(dotted):
    return cst.parse_expression(dotted)


def _name_of(func):
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _kwarg(name, value):
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


def _string(text, like=None):
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.value.startswith("'"):
        quote = "'"
    return cst.SimpleString(f"{quote}{text}{quote}")


def _literal(node):
    """The Python value of a simple literal node, or raise ValueError."""
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value if hasattr(node, "evaluated_value") else eval(node.value)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    raise ValueError("not a literal")


def _set_args(call, args):
    """`call` with `args`, commas tidied (a trailing comma kept only if the call had one)."""
    trailing = bool(call.args) and isinstance(call.args[-1].comma, cst.Comma)
    args = list(args)
    if args and not trailing:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


class _Scan(cst.CSTVisitor):
    """First pass: which names hold Graph models and Merge-of-branches, and their structure."""

    def __init__(self):
        self.graphs = {}         # graph variable -> {"inputs": [...], "outputs": [...]}
        self.merges = set()      # variables bound to Merge([...branches...])
        self.branch_models = set()  # Sequential variables that receive such a Merge

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) and \
                isinstance(node.value, cst.Call):
            callee = _name_of(node.value.func)
            target = node.targets[0].target.value
            if callee == "Graph":
                self.graphs[target] = {"inputs": [], "outputs": []}
            if callee == "Merge" and node.value.args and node.value.args[0].keyword is None \
                    and isinstance(node.value.args[0].value, cst.List):
                self.merges.add(target)

    def visit_Call(self, node):
        func = node.func
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return
        owner, method = func.value.value, func.attr.value
        if owner in self.graphs and method in ("add_input", "add_output"):
            name = _keyword(node, "name", 0)
            if isinstance(name, cst.SimpleString):
                key = "inputs" if method == "add_input" else "outputs"
                self.graphs[owner][key].append(name.evaluated_value)
        if method == "add" and node.args:
            value = node.args[0].value
            if (isinstance(value, cst.Name) and value.value in self.merges) or (
                    isinstance(value, cst.Call) and _name_of(value.func) == "Merge"):
                self.branch_models.add(owner)


def _keyword(call, name, position=None):
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.keyword is None and position is not None and i == position:
            return arg.value
    return None


class Upgrader(cst.CSTTransformer):
    """Second pass: rewrite imports, calls and the Graph/Merge statements."""

    def __init__(self, scan):
        self.scan = scan
        self.renamed = {}        # old imported name -> today's name
        self.keras_names = set()  # names imported from keras modules (before renaming)
        self.extra_imports = {}  # module -> set of names
        self.helpers = []
        self.need_lamina = False

    def _import(self, module, name):
        self.extra_imports.setdefault(module, set()).add(name)
        return cst.Name(name)

    def _helper(self, name):
        if name not in self.helpers:
            self.helpers.append(name)
        if name == "BranchSequential":
            self.need_lamina = True

    # -- imports ----------------------------------------------------------------------------------
    def leave_Import(self, original, updated):
        names = []
        for alias in updated.names:
            dotted = _dotted(alias.name)
            if dotted == "keras" or dotted.startswith("keras."):
                as_name = alias.asname or cst.AsName(name=cst.Name(dotted.split(".")[0]))
                names.append(alias.with_changes(
                    name=_parse_module(dotted.replace("keras", "lamina", 1)), asname=as_name))
            else:
                names.append(alias)
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original, updated):
        module = _dotted(updated.module) if updated.module is not None else ""
        if not (module == "keras" or module.startswith("keras.")):
            return updated
        if isinstance(updated.names, cst.ImportStar):
            return updated.with_changes(module=_parse_module(_target(module, "*")[0]))
        groups = {}
        for alias in updated.names:
            old = alias.name.value
            self.keras_names.add(old)
            if module == "keras.layers" and old in _LAYER_SUBMODULES:
                # `from keras.layers import recurrent`: today's layers live in one module.
                home = "lamina.layers" if old != "recurrent" else _home(
                    "LSTM", "lamina.layers", "lamina.layers.rnn")
                parent, _, leaf = home.rpartition(".")
                groups.setdefault(parent, []).append(cst.ImportAlias(
                    name=cst.Name(leaf), asname=alias.asname or cst.AsName(name=cst.Name(old))))
                continue
            if (module, old) in _MODULE_IMPORTS or module == "keras":
                home = _MODULE_IMPORTS.get((module, old))
                if old == "sequence":
                    home = _home("pad_sequences", "lamina.utils", "lamina.legacy.preprocessing")
                home = home or f"lamina.{old}"
                parent, _, leaf = home.rpartition(".")
                groups.setdefault(parent, []).append(cst.ImportAlias(
                    name=cst.Name(leaf), asname=alias.asname or (
                        cst.AsName(name=cst.Name(old)) if leaf != old else None)))
                continue
            if old in ("Graph", "Merge", "merge", "TimeDistributedDense"):
                continue  # rewritten where used
            home, new = _target(module, old)
            if new != old and alias.asname is None:
                self.renamed[old] = new
            groups.setdefault(home, []).append(alias.with_changes(name=cst.Name(new)))
        statements = []
        for home, aliases in groups.items():
            aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
            statements.append(updated.with_changes(module=_parse_module(home), names=aliases,
                                                   lpar=None, rpar=None))
        if not statements:
            return cst.RemovalSentinel.REMOVE
        if len(statements) == 1:
            return statements[0]
        return cst.FlattenSentinel([statements[0], *[
            cst.SimpleStatementLine(body=[s]) for s in statements[1:]]])

    def leave_Name(self, original, updated):
        if updated.value in self.renamed:
            return updated.with_changes(value=self.renamed[updated.value])
        return updated

    def leave_ImportAlias(self, original, updated):
        return updated  # keep imported names as written; leave_ImportFrom renames them

    # -- subscripts: history["acc"] -> history["accuracy"] -------------------------------------
    def leave_SimpleString(self, original, updated):
        return updated

    def leave_SubscriptElement(self, original, updated):
        index = updated.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString) and \
                index.value.evaluated_value in _ACC_KEYS:
            new = _string(_ACC_KEYS[index.value.evaluated_value], index.value)
            return updated.with_changes(slice=index.with_changes(value=new))
        return updated

    # -- calls ------------------------------------------------------------------------------------------
    def leave_Call(self, original, updated):
        name = _name_of(original.func)
        if isinstance(original.func, cst.Attribute) and isinstance(original.func.value,
                                                                   cst.Name):
            owner = original.func.value.value
            if owner in self.scan.graphs:
                return self._graph_call(owner, name, updated)
            return self._method(name, updated)
        if name is None or (name not in self.keras_names and name not in TODAY_LAYER):
            return updated
        if name == "Model":
            return self._renamed_kwargs(updated, {"input": "inputs", "output": "outputs"})
        if name == "TimeDistributedDense":
            return self._time_distributed_dense(updated)
        if name in ("merge", "Merge"):
            return self._merge(name, updated)
        if name in OPTIMIZERS:
            return self._optimizer(name, updated)
        if name == "to_categorical":
            return self._renamed_kwargs(updated, {"nb_classes": "num_classes"})
        if name[:1].isupper():
            return self._layer(name, updated)
        return updated

    def _renamed_kwargs(self, call, renames, values=None, drop=()):
        args = []
        for arg in call.args:
            key = arg.keyword.value if arg.keyword is not None else None
            if key in drop:
                continue
            if key in renames:
                value = arg.value
                table = (values or {}).get(key)
                if table and isinstance(value, cst.SimpleString) and \
                        value.evaluated_value in table:
                    value = _string(table[value.evaluated_value], value)
                arg = arg.with_changes(keyword=cst.Name(renames[key]), value=value)
            args.append(arg)
        return _set_args(call, args)

    def _layer(self, name, call):
        renames = {k: v[0] for k, v in arguments.LAYER.items()}
        renames.update(PER_LAYER.get(name, {}))
        args = list(call.args)
        keywords = {a.keyword.value for a in args if a.keyword is not None}
        positional = [a for a in args if a.keyword is None]
        dims = KERNEL_DIMS.get(name)
        if dims and len(positional) >= 1 + dims and not isinstance(positional[1].value,
                                                                   (cst.Tuple, cst.List)):
            sizes = [a.value for a in positional[1:1 + dims]]
            kernel = cst.Arg(value=cst.Tuple([cst.Element(v) for v in sizes]))
            args = [positional[0], kernel, *positional[1 + dims:],
                    *[a for a in args if a.keyword is not None]]
        elif dims and {"nb_row", "nb_col"} <= keywords:
            row, col = _keyword(call, "nb_row"), _keyword(call, "nb_col")
            args = [a for a in args if a.keyword is None or a.keyword.value not in (
                "nb_row", "nb_col")]
            args.append(_kwarg("kernel_size", cst.Tuple([cst.Element(row), cst.Element(col)])))
        if name in SEQUENCE_LAYERS and ({"input_dim", "input_length"} & keywords):
            dim, length = _keyword(call, "input_dim"), _keyword(call, "input_length")
            args = [a for a in args if a.keyword is None or a.keyword.value not in (
                "input_dim", "input_length")]
            args.append(_kwarg("input_shape", cst.Tuple([
                cst.Element(length or cst.Name("None")), cst.Element(dim or cst.Name("None"))])))
        elif "input_length" in keywords:
            length = _keyword(call, "input_length")
            args = [a for a in args if a.keyword is None or a.keyword.value != "input_length"]
            args.append(_kwarg("input_shape", cst.Tuple([cst.Element(length)])))
        if "forget_bias_init" in keywords:
            value = _keyword(call, "forget_bias_init")
            forget = isinstance(value, cst.SimpleString) and value.evaluated_value in (
                "one", "ones")
            args = [a for a in args if a.keyword is None or a.keyword.value != "forget_bias_init"]
            args.append(_kwarg("unit_forget_bias", cst.Name(str(forget))))
        if name in ("LSTM", "GRU") and not ({"inner_activation", "recurrent_activation"}
                                            & keywords):
            # Keras 1/2's default; today's hard_sigmoid has slope 1/6 where theirs had 0.2.
            args.append(_kwarg("recurrent_activation", _string("hard_sigmoid")))
        if name == "GRU" and "reset_after" not in keywords:
            args.append(_kwarg("reset_after", cst.Name("False")))
        call = _set_args(call, args)
        return self._renamed_kwargs(call, renames, _STRING_VALUES, drop=_DROP)

    def _time_distributed_dense(self, call):
        outer_keys = ("input_dim", "input_length", "input_shape", "name")
        inner = [a for a in call.args if a.keyword is None or a.keyword.value not in outer_keys]
        outer = [a for a in call.args if a.keyword is not None and a.keyword.value in outer_keys]
        dense = self._layer("Dense", cst.Call(func=self._import(_layer_home("Dense"), "Dense"),
                                              args=inner))
        wrapped = cst.Call(func=self._import(_layer_home("TimeDistributed"), "TimeDistributed"),
                           args=[cst.Arg(dense), *outer])
        return self._layer("TimeDistributedDense", _set_args(wrapped, wrapped.args))

    def _merge(self, name, call):
        mode = _keyword(call, "mode", 1)
        mode = mode.evaluated_value if isinstance(mode, cst.SimpleString) else "sum"
        axis = _keyword(call, "concat_axis")
        axes = _keyword(call, "dot_axes")
        options = []
        if mode == "concat" and axis is not None:
            options.append(_kwarg("axis", axis))
        if mode in ("dot", "cos"):
            options.append(_kwarg("axes", axes if axes is not None else cst.Integer("-1")))
        if mode == "cos":
            options.append(_kwarg("normalize", cst.Name("True")))
        if _keyword(call, "name") is not None:
            options.append(_kwarg("name", _keyword(call, "name")))
        inputs = call.args[0].value
        if name == "merge":
            return cst.Call(func=self._import("lamina.layers", MERGE_FUNCTIONS[mode]),
                            args=[cst.Arg(inputs), *options])
        layer = cst.Call(func=self._import("lamina.layers", MERGE_LAYERS[mode]), args=options)
        if isinstance(inputs, cst.List):  # Merge of branch models -> (branches, layer)
            self._helper("BranchSequential")
            return cst.Tuple([cst.Element(inputs), cst.Element(layer)])
        return layer

    def _optimizer(self, name, call):
        call = self._renamed_kwargs(call, {"lr": "learning_rate"})
        if call.args and call.args[0].keyword is None:
            call = _set_args(call, [call.args[0].with_changes(
                keyword=cst.Name("learning_rate"), equal=_kwarg("x", call.args[0].value).equal),
                *call.args[1:]])
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        decay = _keyword(call, "decay")
        args = [a for a in call.args if a.keyword is None or a.keyword.value not in (
            "decay", "schedule_decay")]
        for key, value in ERA_DEFAULTS[name].items():
            if key not in keywords:
                args.append(_kwarg(key, cst.Float(repr(value)) if isinstance(value, float)
                                   else cst.Integer(str(value))))
        if decay is not None:
            try:
                no_decay = _literal(decay) == 0
            except ValueError:
                no_decay = False
            if not no_decay:
                rate = next(a for a in args if a.keyword is not None and
                            a.keyword.value == "learning_rate")
                schedule = cst.Call(
                    func=self._import("lamina.optimizers.schedules", "InverseTimeDecay"),
                    args=[cst.Arg(rate.value), _kwarg("decay_steps", cst.Integer("1")),
                          _kwarg("decay_rate", decay)])
                args = [a.with_changes(value=schedule) if a is rate else a for a in args]
        return _set_args(call, args)

    def _method(self, name, call):
        if name == "fit":
            return self._renamed_kwargs(call, {"nb_epoch": "epochs"}, drop=_DROP)
        if name in ("evaluate", "compile"):
            call = self._renamed_kwargs(call, {}, drop=_DROP | {"sample_weight_mode"})
            if name == "compile":
                call = self._compile(call)
            return call
        if name in ("predict", "predict_proba"):
            call = call.with_changes(func=call.func.with_changes(attr=cst.Name("predict")))
            if _keyword(call, "verbose") is None:
                call = _set_args(call, [*call.args, _kwarg("verbose", cst.Integer("0"))])
            return call
        if name == "predict_classes":
            self._helper("predict_classes")
            return cst.Call(func=cst.Name("predict_classes"),
                            args=[cst.Arg(call.func.value), *call.args])
        if name == "fit_generator":
            self._helper("fit_generator")
            call = self._renamed_kwargs(call, {"nb_epoch": "epochs"},
                                        drop=_DROP | {"nb_val_samples"})
            return cst.Call(func=cst.Name("fit_generator"),
                            args=[cst.Arg(call.func.value), *call.args])
        return call

    def _compile(self, call):
        args = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "metrics" and \
                    isinstance(arg.value, cst.List):
                arg = arg.with_changes(value=arg.value.with_changes(elements=[
                    e.with_changes(value=_string("accuracy", e.value))
                    if isinstance(e.value, cst.SimpleString) and e.value.evaluated_value == "acc"
                    else e for e in arg.value.elements]))
            if arg.keyword is not None and arg.keyword.value == "optimizer" and \
                    isinstance(arg.value, cst.SimpleString) and \
                    arg.value.evaluated_value.lower() in {o.lower() for o in OPTIMIZERS}:
                cls = next(o for o in OPTIMIZERS if o.lower() == arg.value.evaluated_value.lower())
                self.need_lamina = True
                arg = arg.with_changes(value=self._optimizer(cls, cst.Call(
                    func=cst.parse_expression(f"lamina.optimizers.{cls}"), args=[])))
            args.append(arg)
        return _set_args(call, args)

    # -- Graph ------------------------------------------------------------------------------------------
    def _graph_call(self, owner, method, call):
        """Graph methods become dict-of-tensor assignments or calls on `<owner>_model`."""
        graph = self.scan.graphs[owner]
        model = cst.Name(f"{owner}_model")
        if method in ("fit", "evaluate", "predict", "train_on_batch", "test_on_batch"):
            data = call.args[0].value
            literal = {e.key.evaluated_value: e.value for e in data.elements
                       if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                       } if isinstance(data, cst.Dict) else {}

            def pick(names):
                # A dict literal gives its entries directly; any other expression is indexed.
                return cst.List([cst.Element(literal[n] if n in literal else cst.Subscript(
                    value=data, slice=[cst.SubscriptElement(cst.Index(_string(n)))]))
                    for n in names])
            rest = [a for a in call.args[1:]]
            if method == "predict":
                prediction = cst.Call(func=cst.Attribute(model, cst.Name("predict")), args=[
                    cst.Arg(pick(graph["inputs"])), *rest,
                    *([] if _keyword(call, "verbose") else [_kwarg("verbose",
                                                                   cst.Integer("0"))])])
                if len(graph["outputs"]) == 1:
                    return cst.Dict([cst.DictElement(_string(graph["outputs"][0]), prediction)])
                return cst.Call(func=cst.Name("dict"), args=[cst.Arg(cst.Call(
                    func=cst.Name("zip"), args=[cst.Arg(cst.List([cst.Element(_string(n))
                                                                  for n in graph["outputs"]])),
                                                cst.Arg(prediction)]))])
            new = cst.Call(func=cst.Attribute(model, cst.Name(method)),
                           args=[cst.Arg(pick(graph["inputs"])),
                                 cst.Arg(pick(graph["outputs"])), *rest])
            new = self._renamed_kwargs(new, {"nb_epoch": "epochs"}, drop=_DROP)
            if method == "fit":  # Keras 0.x's Graph.fit defaults
                keys = {a.keyword.value for a in new.args if a.keyword is not None}
                extra = [_kwarg(k, cst.Integer(v)) for k, v in (("batch_size", "128"),
                                                                ("epochs", "100"))
                         if k not in keys]
                new = _set_args(new, [*new.args, *extra])
            return new
        return call.with_changes(func=cst.Attribute(model, call.func.attr))

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) != 1 or not isinstance(updated.body[0], cst.Expr) and \
                not isinstance(updated.body[0], cst.Assign):
            return updated
        statement = updated.body[0]
        value = statement.value
        if isinstance(statement, cst.Assign):
            target = statement.targets[0].target
            if isinstance(target, cst.Name) and target.value in self.scan.graphs and \
                    isinstance(value, cst.Call) and _name_of(value.func) == "Graph":
                return updated.with_changes(body=[statement.with_changes(value=cst.Dict([]))])
            if isinstance(target, cst.Name) and target.value in self.scan.branch_models and \
                    isinstance(value, cst.Call) and _name_of(value.func) == "Sequential":
                self._helper("BranchSequential")
                return updated.with_changes(body=[statement.with_changes(
                    value=value.with_changes(func=cst.Name("BranchSequential")))])
            return updated
        if not isinstance(value, cst.Call) or not isinstance(original.body[0].value.func,
                                                             cst.Attribute):
            return updated
        func = original.body[0].value.func
        if not isinstance(func.value, cst.Name) or func.value.value not in self.scan.graphs:
            return updated
        owner, method = func.value.value, func.attr.value
        graph = cst.Name(owner)
        call = original.body[0].value

        def ref(name_node):
            return cst.Subscript(value=graph, slice=[cst.SubscriptElement(cst.Index(name_node))])

        def source(call, position):
            single = _keyword(call, "input", position)
            if single is not None:
                return ref(single)
            names = _keyword(call, "inputs")
            tensors = cst.List([cst.Element(ref(e.value)) for e in names.elements])
            mode = _keyword(call, "merge_mode")
            mode = mode.evaluated_value if isinstance(mode, cst.SimpleString) else "concat"
            options = [_kwarg("axis", _keyword(call, "concat_axis"))] if (
                mode == "concat" and _keyword(call, "concat_axis") is not None) else []
            return cst.Call(func=cst.Call(func=self._import("lamina.layers", MERGE_LAYERS[mode]),
                                          args=options), args=[cst.Arg(tensors)])

        name = _keyword(call, "name", 1 if method == "add_node" else 0)
        if method == "add_input":
            shape = _keyword(call, "input_shape", 1)
            tensor = cst.Call(func=self._import("lamina.layers", "Input"),
                              args=[_kwarg("shape", shape), _kwarg("name", name)])
        elif method == "add_node":
            layer = call.args[0].value
            tensor = cst.Call(func=updated.body[0].value.args[0].value, args=[
                cst.Arg(source(call, 2))]) if layer is not None else None
        elif method == "add_output":
            identity = cst.Call(func=self._import("lamina.layers", "Identity"),
                                args=[_kwarg("name", name)])
            tensor = cst.Call(func=identity, args=[cst.Arg(source(call, 1))])
        elif method == "compile":
            info = self.scan.graphs[owner]
            build = cst.parse_statement(
                f"{owner}_model = Model(inputs=[{', '.join(f'{owner}[{n!r}]' for n in info['inputs'])}], "
                f"outputs=[{', '.join(f'{owner}[{n!r}]' for n in info['outputs'])}])")
            self._import("lamina.models", "Model")
            return cst.FlattenSentinel([build.with_changes(
                leading_lines=updated.leading_lines), updated.with_changes(leading_lines=[])])
        else:
            return updated
        assign = cst.Assign(targets=[cst.AssignTarget(ref(name))], value=tensor)
        return updated.with_changes(body=[assign])

    # -- module -----------------------------------------------------------------------------------------
    def leave_Module(self, original, updated):
        body = list(updated.body)
        last_import = -1
        for i, statement in enumerate(body):
            if isinstance(statement, cst.SimpleStatementLine) and any(
                    isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
                last_import = i
        added = []
        if self.need_lamina and not any(
                isinstance(s, cst.SimpleStatementLine) and any(
                    isinstance(b, cst.Import) and any(_dotted(a.name) == "lamina" and
                                                      a.asname is None for a in b.names)
                    for b in s.body) for s in body):
            added.append(cst.parse_statement("import lamina"))
        for module, names in sorted(self.extra_imports.items()):
            added.append(cst.parse_statement(f"from {module} import {', '.join(sorted(names))}"))
        for helper in self.helpers:
            helper_body = list(cst.parse_module(_HELPERS[helper].lstrip("\n")).body)
            helper_body[0] = helper_body[0].with_changes(leading_lines=[cst.EmptyLine(),
                                                                        cst.EmptyLine()])
            added.extend(helper_body)
        rest = body[last_import + 1:]
        if self.helpers and rest:
            rest[0] = rest[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(),
                                                          *rest[0].leading_lines])
        body = body[:last_import + 1] + added + rest
        return updated.with_changes(body=body)


def upgrade_source(source):
    """Today's version of an old Keras script's source text.

    Args:
        source: Python source written for Keras 0.x/1.x/2.x.

    Returns:
        The rewritten source; comments and formatting outside the rewritten calls are kept.

    >>> upgrade_source("from keras.layers.core import Dense\\nDense(output_dim=2)\\n")
    'from lamina.layers import Dense\\nDense(units=2)\\n'
    """
    if not isinstance(source, str):
        raise TypeError(f"upgrade_source: expected the script's text as a str. Received: "
                        f"{type(source).__name__}")
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise SyntaxError(f"the script does not parse as Python: {error}") from None
    scan = _Scan()
    tree.visit(scan)
    return tree.visit(Upgrader(scan)).code


def upgrade_file(path, write=False):
    """Upgrade the script at `path`; with `write=True` rewrite the file in place.

    Args:
        path: Path of the script.
        write: Whether to overwrite the file with the result.

    Returns:
        The upgraded source text.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no script at {path!r}")
    with open(path, encoding="utf-8") as f:
        text = upgrade_source(f.read())
    if write:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return text
