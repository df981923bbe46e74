"""Download files once into a local cache, check their hashes, and unpack archives safely.

`get_file` keeps Keras 3's signature and cache layout, with lamina's own root: `cache_dir`, else
`$LAMINA_HOME`, else `~/.lamina` (`/tmp/.lamina` when that is not writable). Compared with Keras
it adds a network timeout, writes through a temporary file renamed into place only after the
hash matched, reads a hash-verified copy from the Keras cache (`$KERAS_HOME` or `~/.keras`)
instead of downloading again, refuses archive members that would land outside the target folder,
and unpacks an archive only once. `LAMINA_OFFLINE=1` forbids all network access.
"""

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from lamina.utils.progbar import Progbar, print_msg

# Seconds a connection or one read may stall before the download is abandoned (not a total limit).
DOWNLOAD_TIMEOUT = 60.0
_CHUNK = 1 << 16
_MARKER = ".lamina_extracted"
_HASH_ALGORITHMS = ("auto", "sha256", "md5")
_ARCHIVE_FORMATS = ("tar", "zip")


class DownloadError(OSError):
    """A file could not be fetched: offline mode, no network, a refused connection or HTTP error."""


def lamina_home():
    """lamina's cache root: `$LAMINA_HOME`, else `~/.lamina`."""
    return os.path.expanduser(os.environ.get("LAMINA_HOME") or os.path.join("~", ".lamina"))


def keras_home():
    """The Keras cache root, read but never written: `$KERAS_HOME`, else `~/.keras`."""
    return os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))


def is_offline():
    """Whether `LAMINA_OFFLINE` forbids network access (set to 1, true, yes or on)."""
    return os.environ.get("LAMINA_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve_hash_algorithm(algorithm, file_hash=None):
    """Hash name for `algorithm`: "auto" means sha256 for a 64-hex hash and md5 otherwise, as Keras.

    >>> resolve_hash_algorithm("auto", "0" * 64)
    'sha256'
    """
    if algorithm not in _HASH_ALGORITHMS:
        raise ValueError(f"get_file: `hash_algorithm` must be one of {list(_HASH_ALGORITHMS)}. "
                         f"Received: hash_algorithm={algorithm!r}")
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(str(file_hash)) == 64 else "md5"
    return algorithm


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Hex digest of the file at `fpath`, read in chunks of `chunk_size` bytes.

    Args:
        fpath: Path of the file.
        algorithm: "sha256" or "md5" ("auto" means sha256 here).

    Returns:
        The lower-case hex digest.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "abc.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("abc")
    >>> hash_file(path, "md5")
    '900150983cd24fb0d6963f7d28e17f72'
    """
    hasher = hashlib.new("md5" if algorithm == "md5" else "sha256")
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto"):
    """Whether the file at `fpath` has the hash `file_hash` (algorithm as in `get_file`)."""
    algorithm = resolve_hash_algorithm(algorithm, file_hash)
    return hash_file(fpath, algorithm) == str(file_hash).lower()


def publish(tmp, target):
    """Rename the finished temporary file `tmp` to `target` atomically, with the usual mode.

    `mkstemp` creates files readable only by their owner; cached data should be as readable as
    any file the user creates.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def _writable_root(root):
    try:
        os.makedirs(root, exist_ok=True)
    except OSError:
        pass
    if os.path.isdir(root) and os.access(root, os.W_OK):
        return root
    return os.path.join(tempfile.gettempdir(), ".lamina")


def cache_folder(cache_subdir, cache_dir=None):
    """The folder `<cache_dir or lamina_home()>/<cache_subdir>`, created if missing."""
    folder = os.path.join(_writable_root(os.path.expanduser(cache_dir or lamina_home())),
                          cache_subdir)
    os.makedirs(folder, exist_ok=True)
    return folder


def _targets(fname, origin, extract, cache_subdir, cache_dir):
    """(cache folder, download target, extraction folder or None), with Keras's naming."""
    datadir = cache_folder(cache_subdir, cache_dir)
    provided = bool(fname)
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"get_file: cannot take a file name from origin={origin!r}. "
                             "Pass `fname`.")
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(f"get_file: `fname` must be a file name, not a path. Received: "
                         f"fname={fname!r}. Pass the folder as `cache_dir` instead.")
    if not extract:
        return datadir, os.path.join(datadir, fname), None
    if provided and "." in fname:
        return (datadir, os.path.join(datadir, fname),
                os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted"))
    return datadir, os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def find_cached(fname, file_hash=None, cache_subdir="datasets", hash_algorithm="auto",
                cache_dir=None):
    """Path of a usable cached `fname`: lamina's cache, else a hash-verified Keras cache copy.

    A lamina copy must match `file_hash` when one is given; a Keras copy is used only when
    `file_hash` is given and matches. Returns None when neither exists.
    """
    own = os.path.join(cache_folder(cache_subdir, cache_dir), fname)
    if os.path.isfile(own) and (file_hash is None or validate_file(own, file_hash,
                                                                   hash_algorithm)):
        return own
    if cache_dir is None and file_hash is not None:
        theirs = os.path.join(keras_home(), cache_subdir, fname)
        if os.path.isfile(theirs) and validate_file(theirs, file_hash, hash_algorithm):
            return theirs
    return None


def download(origin, target, file_hash=None, hash_algorithm="auto", verify=None,
             timeout=None):
    """Stream `origin` into `target` through a temporary file renamed into place when complete.

    Args:
        origin: URL of the file.
        target: Final path; its folder must exist.
        file_hash: Expected sha256 or md5 hex digest, or None.
        hash_algorithm: "auto", "sha256" or "md5".
        verify: Optional callable taking the temporary file's path; it raises ValueError when the
            content is wrong.
        timeout: Seconds a connect or read may stall; defaults to `DOWNLOAD_TIMEOUT`.

    Returns:
        `target`.
    """
    advice = f"Place the file at {target}" + (
        f" (its {resolve_hash_algorithm(hash_algorithm, file_hash)} hash must be {file_hash})"
        if file_hash else "") + " to use it without a network."
    if is_offline():
        raise DownloadError(f"Cannot download {origin}: LAMINA_OFFLINE is set. {advice}")
    algorithm = resolve_hash_algorithm(hash_algorithm, file_hash)
    hasher = hashlib.new(algorithm)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target),
                               prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            size, expected = _stream(origin, out, hasher, timeout or DOWNLOAD_TIMEOUT, advice)
        if expected is not None and size != expected:
            raise DownloadError(f"Incomplete download of {origin}: received {size} of {expected} "
                                f"bytes. Try again, or {advice[0].lower()}{advice[1:]}")
        if file_hash is not None and hasher.hexdigest() != str(file_hash).lower():
            raise ValueError(f"Incomplete or corrupted file downloaded from {origin}: expected "
                             f"{algorithm} {file_hash}, found {hasher.hexdigest()}. Nothing was "
                             "cached; try again, or check that the URL serves the right file.")
        if verify is not None:
            verify(tmp)
        publish(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return target


def _stream(origin, out, hasher, timeout, advice):
    print_msg(f"Downloading data from {origin}")
    try:
        with urllib.request.urlopen(origin, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            bar, size = Progbar(expected), 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                hasher.update(chunk)
                size += len(chunk)
                bar.update(size)
            bar.update(size, finalize=True)
            return size, expected
    except urllib.error.HTTPError as e:
        raise DownloadError(f"Cannot download {origin}: HTTP {e.code} {e.reason}. "
                            f"{advice}") from e
    except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", e)
        raise DownloadError(f"Cannot download {origin} ({reason}); the network may be "
                            f"unreachable. {advice}") from e


def _inside(root, path):
    root = os.path.realpath(root)
    return os.path.commonpath([root, os.path.realpath(path)]) == root


def _unsafe_name(name):
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or os.path.isabs(name) or ".." in parts or (
        len(name) > 1 and name[1] == ":")


def _check_tar(archive, dest):
    bad = []
    for m in archive.getmembers():
        target = os.path.join(dest, m.name)
        if _unsafe_name(m.name) or not _inside(dest, target):
            bad.append(f"{m.name!r} (outside the target folder)")
        elif m.isdev() or not (m.isfile() or m.isdir() or m.issym() or m.islnk()):
            bad.append(f"{m.name!r} (device or special file)")
        elif m.issym() and (os.path.isabs(m.linkname) or not _inside(
                dest, os.path.join(os.path.dirname(target), m.linkname))):
            bad.append(f"{m.name!r} (link to {m.linkname!r} outside the target folder)")
        elif m.islnk() and (_unsafe_name(m.linkname)
                            or not _inside(dest, os.path.join(dest, m.linkname))):
            bad.append(f"{m.name!r} (hard link to {m.linkname!r} outside the target folder)")
    return bad


def _check_zip(archive, dest):
    return [f"{n!r} (outside the target folder)" for n in archive.namelist()
            if _unsafe_name(n) or not _inside(dest, os.path.join(dest, n))]


def _unpack(file_path, dest, fmt):
    if fmt == "tar":
        with tarfile.open(file_path) as archive:
            bad = _check_tar(archive, dest)
            if not bad:
                if hasattr(tarfile, "data_filter"):
                    archive.extractall(dest, filter="data")
                else:
                    archive.extractall(dest)
    else:
        with zipfile.ZipFile(file_path) as archive:
            bad = _check_zip(archive, dest)
            if not bad:
                archive.extractall(dest)
    if bad:
        raise ValueError(f"Refusing to extract {file_path}: unsafe members {', '.join(bad)}. "
                         "The archive may be malicious; nothing was extracted.")


def extract_archive(file_path, path=".", archive_format="auto"):
    """Unpack a tar (plain, gz, bz2, xz) or zip archive into the folder `path`, safely.

    Members with absolute paths, `..`, links leading outside `path`, devices or other special
    files make the whole archive refused with ValueError. The archive is unpacked into a temporary
    sibling folder that replaces `path` only when complete, with a marker so callers can skip
    unpacking again.

    Args:
        file_path: Path of the archive.
        path: Destination folder (replaced if it exists).
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of these, or None.

    Returns:
        True if the archive was unpacked, False if it matched none of the formats.
    """
    if archive_format is None:
        return False
    formats = list(_ARCHIVE_FORMATS) if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    unknown = [f for f in formats if f not in _ARCHIVE_FORMATS]
    if unknown:
        raise ValueError(f"extract_archive: unknown `archive_format` {unknown}. Known formats: "
                         f"'auto', {list(_ARCHIVE_FORMATS)} or None.")
    checks = {"tar": tarfile.is_tarfile, "zip": zipfile.is_zipfile}
    fmt = next((f for f in formats if checks[f](file_path)), None)
    if fmt is None:
        return False
    path = os.path.abspath(path)
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".part")
    try:
        _unpack(file_path, tmp, fmt)
        with open(os.path.join(tmp, _MARKER), "w") as f:
            f.write(os.path.basename(file_path))
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
        os.replace(tmp, path)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
    return True


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Download a file from a URL unless a verified copy is already cached; return its path.

    Lookup order: lamina's cache (`<cache_dir or $LAMINA_HOME or ~/.lamina>/<cache_subdir>`),
    then, when `file_hash` is given and `cache_dir` is not, a copy with that hash in the Keras
    cache, then the network. With `extract=True` the archive is unpacked once into a folder next
    to it (`fname` without a dot: archive `<fname>_archive`, folder `<fname>`; with a dot: folder
    `<fname up to the first dot>_extracted`) and that folder's path is returned.

    Args:
        fname: Name of the cached file; defaults to the last part of the URL's path.
        origin: URL of the file.
        untar: Deprecated; same as `extract=True` with `archive_format="tar"`.
        md5_hash: Deprecated; same as `file_hash` with `hash_algorithm="md5"`.
        file_hash: Expected sha256 (64 hex digits) or md5 hash of the file, or None.
        cache_subdir: Sub-folder of the cache root that holds the file.
        hash_algorithm: "auto", "sha256" or "md5".
        extract: Whether to unpack the file as an archive.
        archive_format: "auto", "tar", "zip", a list of these, or None.
        cache_dir: Cache root instead of `$LAMINA_HOME` / `~/.lamina`.
        force_download: Download even if a verified copy exists.

    Returns:
        Path of the file, or of the extraction folder when extracting.

    Raises:
        DownloadError: offline (`LAMINA_OFFLINE=1`), no network, or an HTTP error.
        ValueError: the downloaded file's hash does not match `file_hash`.

    >>> path = get_file("mnist.npz", origin="https://storage.googleapis.com/"
    ...                 "tensorflow/tf-keras-datasets/mnist.npz")  # doctest: +SKIP
    """
    if not origin or not isinstance(origin, str):
        raise ValueError(f"get_file: `origin` must be the URL of the file to download. "
                         f"Received: origin={origin!r}")
    if fname is not None and not isinstance(fname, (str, os.PathLike)):
        raise TypeError(f"get_file: `fname` must be a string. Received: fname={fname!r}")
    if md5_hash is not None and file_hash is None:
        warnings.warn("get_file: `md5_hash` is deprecated; pass `file_hash` instead.",
                      DeprecationWarning, stacklevel=2)
        file_hash, hash_algorithm = md5_hash, "md5"
    resolve_hash_algorithm(hash_algorithm, file_hash)
    extract = bool(extract or untar)
    if untar:
        archive_format = "tar"
    _, target, extraction_dir = _targets(os.fspath(fname) if fname else None, origin, extract,
                                         cache_subdir, cache_dir)
    source = None
    if not force_download:
        source = find_cached(os.path.basename(target), file_hash, cache_subdir, hash_algorithm,
                             cache_dir)
        if source is None and os.path.isfile(target) and file_hash is not None:
            print_msg(f"A cached file was found at {target}, but its hash does not match "
                      f"{file_hash}; downloading it again.")
    fresh = source is None
    if fresh:
        source = download(origin, target, file_hash, hash_algorithm)
    if not extract:
        return source
    unpacked = not fresh and os.path.isfile(os.path.join(extraction_dir, _MARKER))
    if not unpacked and not extract_archive(source, extraction_dir, archive_format):
        raise ValueError(f"get_file: {source} is not a {archive_format!r} archive, so it "
                             "cannot be extracted. Check `archive_format`, or pass "
                             "extract=False.")
    return extraction_dir
