import http.server
import json
import threading
import urllib.parse

import pytest

from lamina.callbacks import RemoteMonitor


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.path, self.headers["Content-Type"],
                             self.rfile.read(length).decode(), self.headers.get("X-Token")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", received
    httpd.shutdown()


def test_posts_form_field_with_json(server):
    root, received = server
    RemoteMonitor(root=root).on_epoch_end(2, {"loss": 0.5})
    path, content_type, body, _ = received[0]
    assert path == "/publish/epoch/end/"
    assert content_type == "application/x-www-form-urlencoded"
    assert json.loads(urllib.parse.parse_qs(body)["data"][0]) == {"epoch": 2, "loss": 0.5}


def test_posts_json_body_with_headers(server):
    root, received = server
    RemoteMonitor(root=root, path="/p", headers={"X-Token": "t"},
                  send_as_json=True).on_epoch_end(0, {"accuracy": 1.0})
    path, content_type, body, token = received[0]
    assert (path, content_type, token) == ("/p", "application/json", "t")
    assert json.loads(body) == {"epoch": 0, "accuracy": 1.0}


def test_unreachable_server_warns():
    monitor = RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="could not reach"):
        monitor.on_epoch_end(0, {"loss": 1.0})


def test_rejects_non_http_urls():
    with pytest.raises(ValueError, match="http"):
        RemoteMonitor(root="file:///etc/passwd")
