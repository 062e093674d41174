"""An HTTP receiver on 127.0.0.1 that collects the JSON bodies POSTed to it, optionally
answering slowly (a slow webhook)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``with Receiver(delay=0) as r:`` r.url; r.posts: [(path, body dict)]."""

    def __init__(self, delay=0.0, status=200):
        self.delay, self.status = delay, status
        self.posts = []
        self._released = threading.Event()
        self._server = None

    def __enter__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # pylint: disable=redefined-builtin
                pass

            def do_POST(self):  # pylint: disable=invalid-name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append((self.path, json.loads(body.decode("utf-8"))))
                if receiver.delay:
                    receiver._released.wait(receiver.delay)  # pylint: disable=protected-access
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d/hooks/T0KEN-SECRET-PATH" % self._server.server_address[1]

    def __exit__(self, *exc):
        self._released.set()  # a slow answer still pending ends now
        self._server.shutdown()
        self._server.server_close()
