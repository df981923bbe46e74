"""A file server on 127.0.0.1, the environment that keeps tests local, and fixture makers."""

import hashlib
import http.server
import io
import threading

import numpy as np


class FileServer:
    """Serves `files[name]` at `/name`; `lengths[name]` overrides the Content-Length it claims."""

    def __init__(self):
        self.files, self.lengths, self.requests = {}, {}, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                if name not in server.files:
                    self.send_error(404, "Not Found")
                    return
                body = server.files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(server.lengths.get(name, len(body))))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def add(self, name, data):
        """Serve `data` at `/name`; returns (url, sha256)."""
        self.files[name] = data
        return self.base + name, hashlib.sha256(data).hexdigest()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url(name):
    """A URL on a local port nobody listens on: the connection is refused at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def running_server():
    """Generator for a `server` fixture: a FileServer, shut down afterwards."""
    srv = FileServer()
    yield srv
    srv.close()


def local_homes(tmp_path, monkeypatch):
    """LAMINA_HOME and KERAS_HOME in tmp_path, online mode, no mirror, no proxy."""
    lamina, keras = tmp_path / "lamina", tmp_path / "keras"
    monkeypatch.setenv("LAMINA_HOME", str(lamina))
    monkeypatch.setenv("KERAS_HOME", str(keras))
    for var in ("LAMINA_OFFLINE", "LAMINA_DATASETS_BASE_URL", "http_proxy", "HTTP_PROXY",
                "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    return lamina, keras


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def object_array(seqs):
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = list(s)
    return out
