"""`RemoteMonitor`: post each epoch's logs to an HTTP server."""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from lamina.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """POST `{"epoch": ..., <log name>: <value>, ...}` to `root + path` after every epoch.

    By default the dict is JSON-encoded into one form field named `field`
    (`application/x-www-form-urlencoded`); with `send_as_json=True` it is the JSON body
    (`application/json`). A server that cannot be reached produces a warning, not an error,
    so monitoring never stops training.

    Args:
        root: Base URL of the server.
        path: Path on the server, appended to `root`.
        field: Form field holding the JSON data (form mode only).
        headers: Optional dict of extra HTTP headers.
        send_as_json: Send the JSON as the request body instead of a form field.

    >>> RemoteMonitor(root="http://127.0.0.1:9000").path
    '/publish/epoch/end/'
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        super().__init__()
        scheme = urllib.parse.urlparse(str(root)).scheme
        if scheme not in ("http", "https"):
            raise ValueError("RemoteMonitor: `root` must be an http:// or https:// URL. "
                             f"Received: root={root!r}.")
        if headers is not None and not isinstance(headers, dict):
            raise TypeError(f"RemoteMonitor: `headers` must be a dict or None. Received: "
                            f"headers={headers!r}.")
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        data = {"epoch": epoch}
        for key, value in (logs or {}).items():
            data[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(data).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(data)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError) as error:
            warnings.warn(f"RemoteMonitor: could not reach {self.root + self.path} ({error}); "
                          "training goes on.", stacklevel=2)

    def get_config(self):
        return {"root": self.root, "path": self.path, "field": self.field,
                "headers": self.headers, "send_as_json": self.send_as_json}
