"""Throwaway Git servers on 127.0.0.1 for tests that need a real network peer.

- GitHTTPServer(root)           smart HTTP through ``git http-backend``; records every request's
                                Authorization header (``auth_headers``); ``stall=True`` sends the
                                start of a response and then nothing, holding the connection open;
                                ``expected_auth`` (a header value) answers 401 to any other;
                                an error inside the server is answered 500 and kept in ``errors``
- BlackHole()                   a TCP server that accepts connections and never answers

Both are context managers and expose ``url`` (``http://127.0.0.1:PORT``) and ``port``.
Nothing here reaches beyond this machine: GitHTTPServer listens on the loopback interface,
or on ``host`` when given (the local node's Pod bridge, for agents running in Pods).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIT = shutil.which("git") or "git"


class _Handler(BaseHTTPRequestHandler):
    server_version = "gitops-test"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):
        self._serve_or_report()

    def do_POST(self):
        self._serve_or_report()

    def _serve_or_report(self):
        # A handler that raises makes git say only "Empty reply from server": record the
        # error and answer 500 with it, so a failing test shows what went wrong here.
        try:
            self._serve()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            message = ("test git server: %s: %s" % (type(exc).__name__, exc)).encode("utf-8", "replace")
            self.server.owner.errors.append(message.decode("utf-8"))
            try:
                self.send_response(500)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                self.wfile.write(message)
            except OSError:
                pass

    def _run_backend(self, body, env):
        # fork can fail for a moment on a loaded machine (EAGAIN): try again once.
        try:
            return subprocess.run([GIT, "http-backend"], input=body, env=env, capture_output=True, check=False).stdout
        except BlockingIOError:
            return subprocess.run([GIT, "http-backend"], input=body, env=env, capture_output=True, check=False).stdout

    def _serve(self):
        owner = self.server.owner
        owner.requests.append((self.command, self.path, self.headers.get("Authorization")))
        if owner.expected_auth is not None and self.headers.get("Authorization") != owner.expected_auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if owner.stall:
            # A server that starts answering and then stalls (a hung backend behind a proxy).
            self.send_response(200)
            self.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
            self.end_headers()
            self.wfile.write(b"001e# service=git-upload-pack\n")
            self.wfile.flush()
            owner.release.wait()
            return
        path, _sep, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(
            os.environ,
            GIT_PROJECT_ROOT=owner.root,
            GIT_HTTP_EXPORT_ALL="1",
            PATH_INFO=path,
            QUERY_STRING=query,
            REQUEST_METHOD=self.command,
            CONTENT_TYPE=self.headers.get("Content-Type", ""),
            CONTENT_LENGTH=str(len(body)),
            REMOTE_ADDR="127.0.0.1",
        )
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = self._run_backend(body, env)
        head, _sep, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _sep, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    request_queue_size = 64


class GitHTTPServer:
    """Serve the bare repositories below ``root`` over smart HTTP; with ``expected_auth``
    set, only requests carrying that Authorization header are served."""

    def __init__(self, root, stall=False, expected_auth=None, host="127.0.0.1"):
        self.root = str(root)
        self.stall = stall
        self.expected_auth = expected_auth
        self.requests = []
        self.errors = []
        self.release = threading.Event()
        self._server = _Server((host, 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.url = "http://%s:%d" % (host, self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def auth_headers(self):
        """The Authorization header of every request received (None when absent)."""
        return [auth for _method, _path, auth in self.requests]

    def add_repo(self, name, source):
        """Publish a bare clone of the repository at ``source`` as ``<url>/<name>``."""
        subprocess.run([GIT, "clone", "--quiet", "--bare", str(source), os.path.join(self.root, name)], check=True, capture_output=True)
        return "%s/%s" % (self.url, name)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


class BlackHole:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte."""

    def __init__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.accepted = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        for conn in self.accepted:
            conn.close()
        self._sock.close()
