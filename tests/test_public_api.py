"""lamina's public names against Keras 3.15's (tests/data/keras_3_15_public_names.json).

The Keras names lamina does not have yet are recorded, per namespace, in
tests/data/lamina_missing_keras_names.json, so the test fails both when a name disappears and
when one is added without updating the record. Regenerate the record with
`python tests/test_public_api.py --update` and review its diff.
"""

import importlib
import inspect
import json
import pathlib
import sys

import pytest

DATA = pathlib.Path(__file__).parent / "data"
KERAS = json.loads((DATA / "keras_3_15_public_names.json").read_text())["namespaces"]
MISSING_FILE = DATA / "lamina_missing_keras_names.json"
COMPLETE = ("activations", "backend", "constraints", "initializers", "layers", "losses", "metrics",
            "models", "ops",
            "ops.image", "ops.linalg", "ops.nn", "ops.numpy", "optimizers",
            "optimizers.schedules", "random", "regularizers")


def lamina_names(namespace):
    try:
        module = importlib.import_module("lamina" if namespace == "keras"
                                         else f"lamina.{namespace}")
    except ModuleNotFoundError:
        return set()
    return {n for n in dir(module)
            if not n.startswith("_") and not inspect.ismodule(getattr(module, n))}


def missing_names():
    return {ns: sorted(set(names) - lamina_names(ns)) for ns, names in sorted(KERAS.items())}


@pytest.mark.parametrize("namespace", COMPLETE)
def test_complete_families_have_every_keras_name(namespace):
    assert sorted(set(KERAS[namespace]) - lamina_names(namespace)) == []


@pytest.mark.parametrize("namespace", sorted(KERAS))
def test_missing_keras_names_match_the_record(namespace):
    recorded = json.loads(MISSING_FILE.read_text())
    assert sorted(set(KERAS[namespace]) - lamina_names(namespace)) == recorded[namespace]


if __name__ == "__main__" and "--update" in sys.argv:
    MISSING_FILE.write_text(json.dumps(missing_names(), indent=1, sort_keys=True) + "\n")
    print({ns: len(v) for ns, v in missing_names().items()})
