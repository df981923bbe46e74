"""Where dataset files come from, and how they are read without running code from them.

Each loader asks `fetch` for a file. It looks, in order, at an explicit absolute `path=`,
lamina's cache (`$LAMINA_HOME/datasets`, default `~/.lamina/datasets`), a hash-verified copy in
the Keras cache (`$KERAS_HOME/datasets`, default `~/.keras/datasets`), the offline sources the
loader names (data shipped by installed packages), and only then the network. Offline
(`LAMINA_OFFLINE=1`) or without a network, a missing file raises `DatasetUnavailableError`
naming the URL, the cache path to put the file at, and any offline alternative.

`LAMINA_DATASETS_BASE_URL` points every download at a mirror that serves the same files under
their original names (the hashes are still checked).
"""

import gzip
import hashlib
import os
import pickle
import zipfile
from dataclasses import dataclass

import numpy as np

from lamina.utils import file_utils

KERAS_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR_BASE_URL = "https://www.cs.toronto.edu/~kriz/"


class DatasetUnavailableError(file_utils.DownloadError):
    """No local copy of a dataset file exists and it cannot be downloaded."""


@dataclass(frozen=True)
class Remote:
    """A dataset file: its URL, its file hash, or the sha256 of its gunzipped content."""

    origin: str
    file_hash: str | None = None
    content_sha256: str | None = None
    cache_subdir: str = "datasets"


def _fashion(name, sha256):
    # Keras pins no hash for these; the content hash also matches Debian's recompressed copies.
    return Remote(KERAS_BASE_URL + name, content_sha256=sha256,
                  cache_subdir=os.path.join("datasets", "fashion-mnist"))


# Cache name -> source. Tests replace entries to serve fixtures from a local server.
REMOTES = {
    "mnist.npz": Remote(KERAS_BASE_URL + "mnist.npz",
                        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
    "imdb.npz": Remote(KERAS_BASE_URL + "imdb.npz",
                       "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": Remote(KERAS_BASE_URL + "imdb_word_index.json",
                                   "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": Remote(KERAS_BASE_URL + "reuters.npz",
                          "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "reuters_word_index.json": Remote(KERAS_BASE_URL + "reuters_word_index.json",
                                      "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": Remote(
        KERAS_BASE_URL + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    "california_housing.npz": Remote(
        KERAS_BASE_URL + "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"),
    "cifar-10-batches-py-target": Remote(
        CIFAR_BASE_URL + "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    "cifar-100-python-target": Remote(
        CIFAR_BASE_URL + "cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
    "train-labels-idx1-ubyte.gz": _fashion(
        "train-labels-idx1-ubyte.gz",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    "train-images-idx3-ubyte.gz": _fashion(
        "train-images-idx3-ubyte.gz",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    "t10k-labels-idx1-ubyte.gz": _fashion(
        "t10k-labels-idx1-ubyte.gz",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    "t10k-images-idx3-ubyte.gz": _fashion(
        "t10k-images-idx3-ubyte.gz",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
}


def origin_of(name):
    """URL of the file cached as `name`, on the mirror `LAMINA_DATASETS_BASE_URL` when set."""
    origin = REMOTES[name].origin
    base = os.environ.get("LAMINA_DATASETS_BASE_URL")
    return base.rstrip("/") + "/" + origin.rsplit("/", 1)[1] if base else origin


def cache_path(name):
    """Where lamina caches the file `name` (whether or not it exists yet)."""
    return os.path.join(file_utils.lamina_home(), REMOTES[name].cache_subdir, name)


def gunzip_sha256(path):
    """sha256 of the decompressed content of the gzip file at `path`."""
    hasher = hashlib.sha256()
    with gzip.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _content_ok(path, remote):
    try:
        return gunzip_sha256(path) == remote.content_sha256
    except (OSError, EOFError):
        return False


def _split_path(owner, path, name):
    """(cache_dir or None, file name) for a loader's `path` argument."""
    if path is None:
        return None, name
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: `path` must be a file name or an absolute path. Received: "
                        f"path={path!r} of type {type(path).__name__}")
    path = os.path.expanduser(os.fspath(path))
    if os.path.isabs(path):
        return os.path.dirname(path), os.path.basename(path)
    if os.sep in path or (os.altsep and os.altsep in path):
        raise ValueError(f"{owner}: `path` must be a file name (cached under "
                         f"{os.path.join(file_utils.lamina_home(), 'datasets')}) or an absolute "
                         f"path. Received: path={path!r}")
    return None, path


def fetch(owner, name, path=None, extract=False, offline_sources=(), alternative=None):
    """Local path of the dataset file `name`, found or downloaded as the module doc describes.

    Args:
        owner: The loader's name, for messages ("mnist.load_data").
        name: Key of `REMOTES`, the file's cache name.
        path: The loader's `path` argument: a cache file name, or an absolute path.
        extract: Whether the file is an archive to unpack (the extraction folder is returned).
        offline_sources: Callables returning a verified local path, or None, tried before the
            network.
        alternative: Text telling how to get the data offline, added to the error.

    Returns:
        A path to a verified file (or extraction folder).
    """
    remote = REMOTES[name]
    cache_dir, fname = _split_path(owner, path, name)
    if cache_dir is not None and os.path.exists(os.path.join(cache_dir, fname)):
        return os.path.join(cache_dir, fname)
    subdir = "" if cache_dir is not None else remote.cache_subdir
    origin = origin_of(name)
    try:
        if remote.content_sha256 is None:
            if not extract:
                found = file_utils.find_cached(fname, remote.file_hash, subdir,
                                               cache_dir=cache_dir)
                if found is not None:
                    return found
                found = _first(offline_sources)
                if found is not None:
                    return found
            return file_utils.get_file(fname, origin, file_hash=remote.file_hash,
                                       cache_subdir=subdir, extract=extract,
                                       cache_dir=cache_dir)
        return _fetch_by_content(remote, fname, subdir, cache_dir, origin, offline_sources)
    except file_utils.DownloadError as e:
        alternative = f" Offline alternative: {alternative}" if alternative else ""
        raise DatasetUnavailableError(f"{owner}: no local copy of {fname} was found and it "
                                      f"cannot be downloaded. {e}{alternative}") from e


def _first(sources):
    for source in sources:
        found = source()
        if found is not None:
            return found
    return None


def _fetch_by_content(remote, fname, subdir, cache_dir, origin, offline_sources):
    own = os.path.join(file_utils.cache_folder(subdir, cache_dir), fname)
    keras = os.path.join(file_utils.keras_home(), remote.cache_subdir, fname)
    for candidate in (own, keras) if cache_dir is None else (own,):
        if os.path.isfile(candidate) and _content_ok(candidate, remote):
            return candidate
    found = _first(offline_sources)
    if found is not None:
        return found

    def verify(tmp):
        found = gunzip_sha256(tmp) if _is_gzip(tmp) else "(not a gzip file)"
        if found != remote.content_sha256:
            raise ValueError(f"Corrupted file downloaded from {origin}: the sha256 of its "
                             f"decompressed content should be {remote.content_sha256}, found "
                             f"{found}. Nothing was cached.")

    return file_utils.download(origin, own, verify=verify)


def _is_gzip(path):
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def content_verified(path, name):
    """`path` if it is a file whose gunzipped content matches the `REMOTES[name]` hash."""
    return path if os.path.isfile(path) and _content_ok(path, REMOTES[name]) else None


# Rebuilding a NumPy array from a pickle needs exactly these globals; everything else (os.system,
# builtins.eval, ...) is refused, so a tampered file cannot run code while it loads.
_ALLOWED_GLOBALS = {("numpy", "ndarray"), ("numpy", "dtype"),
                    ("numpy.core.multiarray", "_reconstruct"),
                    ("numpy._core.multiarray", "_reconstruct")}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds only NumPy arrays, dtypes and plain Python containers."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"Refusing to load `{module}.{name}` from a dataset "
                                         "file: only NumPy arrays are allowed. The file may be "
                                         "corrupted or malicious; delete it and download it again.")
        if name == "_reconstruct":
            # Files written under NumPy 1 name numpy.core; NumPy 2 moved it to numpy._core.
            return np.ndarray.__reduce__(np.zeros(0))[0]
        return super().find_class(module, name)


def restricted_load(file, encoding="ASCII"):
    """Unpickle from the binary file object `file`, allowing only NumPy array reconstruction."""
    return RestrictedUnpickler(file, encoding=encoding).load()


def load_npz(path):
    """Read every array of the `.npz` file at `path` into a dict, without unrestricted pickle.

    Numeric arrays load with pickling disabled; object arrays (ragged sequences) load through
    `RestrictedUnpickler`.
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            key = member.removesuffix(".npy")
            with archive.open(member) as f:
                major, _ = np.lib.format.read_magic(f)
                read_header = (np.lib.format.read_array_header_1_0 if major == 1
                               else np.lib.format.read_array_header_2_0)
                _, _, dtype = read_header(f)
                if dtype.hasobject:
                    arrays[key] = restricted_load(f)
                    continue
            with archive.open(member) as f:
                arrays[key] = np.lib.format.read_array(f, allow_pickle=False)
    return arrays
