import hashlib
import inspect
import io
import os
import socket
import tarfile
import zipfile

import pytest

from lamina.utils import file_utils
from lamina.utils.file_utils import DownloadError, extract_archive, get_file, hash_file
from tests.datasets._fixtures import closed_port_url, local_homes, running_server

PAYLOAD = b"lamina test payload\n" * 50


@pytest.fixture
def server():
    yield from running_server()


@pytest.fixture
def homes(tmp_path, monkeypatch):
    return local_homes(tmp_path, monkeypatch)


def make_tar(members, mode="w:gz"):
    """Bytes of a tar archive; members are (name, bytes) files or TarInfo objects."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def listing(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, files in os.walk(folder) for f in files)


def test_get_file_signature_is_keras():
    params = inspect.signature(get_file).parameters
    assert [(n, p.default) for n, p in params.items()] == [
        ("fname", None), ("origin", None), ("untar", False), ("md5_hash", None),
        ("file_hash", None), ("cache_subdir", "datasets"), ("hash_algorithm", "auto"),
        ("extract", False), ("archive_format", "auto"), ("cache_dir", None),
        ("force_download", False)]


def test_download_is_cached_and_hash_checked(server, homes):
    url, sha = server.add("data.bin", PAYLOAD)
    path = get_file("data.bin", url, file_hash=sha)
    assert path == str(homes[0] / "datasets" / "data.bin")
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD
    assert get_file("data.bin", url, file_hash=sha) == path
    assert server.requests == ["data.bin"]          # the second call is a cache hit
    assert listing(homes[0] / "datasets") == ["data.bin"]   # no temporary file is left


def test_md5_hash_and_name_from_url(server, homes):
    url, _ = server.add("from_url.txt", PAYLOAD)
    md5 = hashlib.md5(PAYLOAD).hexdigest()
    path = get_file(origin=url, file_hash=md5)
    assert os.path.basename(path) == "from_url.txt"
    with pytest.warns(DeprecationWarning, match="md5_hash"):
        assert get_file(origin=url, md5_hash=md5) == path
    assert server.requests == ["from_url.txt"]


def test_hash_mismatch_raises_and_caches_nothing(server, homes):
    url, sha = server.add("data.bin", PAYLOAD)
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"expected sha256 {wrong}, found {sha}"):
        get_file("data.bin", url, file_hash=wrong)
    assert listing(homes[0] / "datasets") == []


def test_truncated_download_raises_and_caches_nothing(server, homes):
    url, _ = server.add("data.bin", PAYLOAD)
    server.lengths["data.bin"] = len(PAYLOAD) + 100     # the connection closes early
    with pytest.raises(DownloadError, match=f"received {len(PAYLOAD)} of {len(PAYLOAD) + 100}"):
        get_file("data.bin", url)
    assert listing(homes[0] / "datasets") == []


def test_stale_cached_file_is_downloaded_again(server, homes, capsys):
    url, sha = server.add("data.bin", PAYLOAD)
    folder = homes[0] / "datasets"
    folder.mkdir(parents=True)
    (folder / "data.bin").write_bytes(b"old and wrong")
    path = get_file("data.bin", url, file_hash=sha)
    with open(path, "rb") as f:
        assert f.read() == PAYLOAD
    assert "does not match" in capsys.readouterr().out
    get_file("data.bin", url, file_hash=sha, force_download=True)
    assert server.requests == ["data.bin", "data.bin"]


def test_offline_error_names_url_and_cache_path(server, homes, monkeypatch):
    url, sha = server.add("data.bin", PAYLOAD)
    monkeypatch.setenv("LAMINA_OFFLINE", "1")
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", url, file_hash=sha)
    message = str(info.value)
    assert url in message and str(homes[0] / "datasets" / "data.bin") in message
    assert sha in message and "LAMINA_OFFLINE" in message
    assert server.requests == []


def test_refused_connection_and_http_error(server, homes):
    url = closed_port_url("data.bin")
    with pytest.raises(DownloadError, match="Cannot download http://127.0.0.1:.*data.bin"):
        get_file("data.bin", url)
    with pytest.raises(DownloadError, match="HTTP 404"):
        get_file("missing.bin", server.base + "missing.bin")
    assert listing(homes[0] / "datasets") == []


def test_stalled_server_times_out(homes, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)      # accepts the connection but never answers
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow.bin"
        with pytest.raises(DownloadError, match="slow.bin"):
            file_utils.download(url, str(tmp_path / "slow.bin"), timeout=0.3)
    assert not any(p.name.startswith(".slow") for p in tmp_path.iterdir())


def test_keras_cache_copy_used_only_when_verified(server, homes):
    url, sha = server.add("data.bin", PAYLOAD)
    keras_folder = homes[1] / "datasets"
    keras_folder.mkdir(parents=True)
    (keras_folder / "data.bin").write_bytes(PAYLOAD)
    assert get_file("data.bin", url, file_hash=sha) == str(keras_folder / "data.bin")
    assert server.requests == []
    (keras_folder / "other.bin").write_bytes(b"tampered")
    url2, sha2 = server.add("other.bin", PAYLOAD)
    path = get_file("other.bin", url2, file_hash=sha2)
    assert path == str(homes[0] / "datasets" / "other.bin")
    assert server.requests == ["other.bin"]
    # Without a hash nothing can be verified, so the Keras copy is not trusted.
    assert get_file("data.bin", url) == str(homes[0] / "datasets" / "data.bin")


def test_extract_tar_once_with_keras_naming(server, homes):
    archive = make_tar([("pkg/a.txt", b"alpha"), ("pkg/sub/b.txt", b"beta")])
    url, sha = server.add("pkg.tar.gz", archive)
    folder = get_file("pkg-target", url, file_hash=sha, extract=True)
    datasets = homes[0] / "datasets"
    assert folder == str(datasets / "pkg-target")
    assert (datasets / "pkg-target_archive").read_bytes() == archive
    assert (datasets / "pkg-target" / "pkg" / "sub" / "b.txt").read_bytes() == b"beta"
    (datasets / "pkg-target" / "pkg" / "a.txt").write_bytes(b"edited")
    assert get_file("pkg-target", url, file_hash=sha, extract=True) == folder
    assert (datasets / "pkg-target" / "pkg" / "a.txt").read_bytes() == b"edited"  # not redone
    assert server.requests == ["pkg.tar.gz"]


def test_extract_zip_with_dotted_name_and_untar(server, homes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/c.txt", "gamma")
    url, _ = server.add("bundle.zip", buf.getvalue())
    folder = get_file("bundle.zip", url, extract=True)
    assert folder == str(homes[0] / "datasets" / "bundle_extracted")
    with open(os.path.join(folder, "inner", "c.txt")) as f:
        assert f.read() == "gamma"
    url, _ = server.add("t.tar", make_tar([("x.txt", b"x")], mode="w"))
    assert os.path.isfile(os.path.join(get_file("t", url, untar=True), "x.txt"))
    with pytest.raises(ValueError, match="is not a 'tar' archive"):
        get_file("bundle2", url.replace("t.tar", "bundle.zip"), extract=True,
                 archive_format="tar")


def symlink(name, target):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def device(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    return info


@pytest.mark.parametrize("bad", ["../evil", "ABSOLUTE", "link", "dev", "hardlink"])
def test_unsafe_tar_members_are_refused(tmp_path, bad):
    outside = tmp_path / "evil"
    member = {"../evil": ("../evil", b"pwned"), "ABSOLUTE": (str(outside), b"pwned"),
              "link": symlink("ok/link", "../../.."), "dev": device("ok/dev"),
              "hardlink": tarfile.TarInfo("ok/hard")}[bad]
    if bad == "hardlink":
        member.type, member.linkname = tarfile.LNKTYPE, "../evil"
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(make_tar([("ok/fine.txt", b"fine"), member]))
    dest = tmp_path / "work" / "dest"
    with pytest.raises(ValueError, match="unsafe members") as info:
        extract_archive(str(archive), str(dest))
    assert "nothing was extracted" in str(info.value)
    assert not outside.exists() and not dest.exists()
    assert not (tmp_path / "work").exists() or list((tmp_path / "work").iterdir()) == []


def test_unsafe_zip_member_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("fine.txt", "fine")
        z.writestr("../evil", "pwned")
    (tmp_path / "a.zip").write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="'../evil'"):
        extract_archive(str(tmp_path / "a.zip"), str(tmp_path / "dest"))
    assert not (tmp_path / "evil").exists() and not (tmp_path / "dest").exists()


def test_safe_internal_symlink_is_allowed(tmp_path):
    archive = tmp_path / "a.tar"
    archive.write_bytes(make_tar([("d/real.txt", b"real"), symlink("d/alias.txt", "real.txt")],
                                 mode="w"))
    assert extract_archive(str(archive), str(tmp_path / "dest"))
    assert (tmp_path / "dest" / "d" / "alias.txt").read_bytes() == b"real"
    assert not extract_archive(str(archive), str(tmp_path / "dest2"), archive_format="zip")
    assert not extract_archive(str(archive), str(tmp_path / "dest3"), archive_format=None)


def test_argument_errors(homes, tmp_path):
    with pytest.raises(ValueError, match="`origin` must be the URL"):
        get_file("x")
    with pytest.raises(ValueError, match="not a path.*cache_dir"):
        get_file(os.path.join("sub", "x"), "http://127.0.0.1/x")
    with pytest.raises(ValueError, match=r"hash_algorithm.*\['auto', 'sha256', 'md5'\]"):
        get_file("x", "http://127.0.0.1/x", hash_algorithm="sha1")
    with pytest.raises(TypeError, match="`fname` must be a string"):
        get_file(3, "http://127.0.0.1/x")
    with pytest.raises(ValueError, match=r"unknown `archive_format` \['rar'\]"):
        extract_archive(str(tmp_path / "x"), str(tmp_path / "y"), archive_format="rar")


def test_cache_dir_and_subdir(server, homes, tmp_path):
    url, sha = server.add("data.bin", PAYLOAD)
    path = get_file("data.bin", url, file_hash=sha, cache_dir=str(tmp_path / "mine"),
                    cache_subdir="models")
    assert path == str(tmp_path / "mine" / "models" / "data.bin")


def test_hash_file_and_validate(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(PAYLOAD)
    assert hash_file(str(path)) == hashlib.sha256(PAYLOAD).hexdigest()
    assert hash_file(str(path), "md5") == hashlib.md5(PAYLOAD).hexdigest()
    assert file_utils.validate_file(str(path), hashlib.md5(PAYLOAD).hexdigest())
    assert not file_utils.validate_file(str(path), "0" * 64)
