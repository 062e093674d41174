# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KubeCluster against servers on 127.0.0.1 that do not answer, refuse, reset or hang up.

The real kubernetes client and urllib3 talk to real sockets: a server that accepts and
never answers is what a frozen (SIGSTOP) API server looks like to a client. Each server
gives up after GUARD seconds, so a client without a timeout fails the test (instead of
hanging it) by taking that long.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters.kube import KubeCluster
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import ClusterError
from ansible_collections.gitops.k8s.plugins.module_utils._engine.ports import ResourceType

GUARD = 12.0  # seconds a silent server keeps a connection before it hangs up
TIMEOUT = 1  # request_timeout of the clients under test
# request_timeout of the clients that must fail without waiting for any timeout (a refused,
# reset or hung-up connection): "at once" is "in less than half of it", a margin no busy
# machine eats (CI runs the unit tests with -n 2 beside other jobs: a 50 ms failure can take
# seconds), while a client that waited for an answer would take all of it.
AT_ONCE_TIMEOUT = 20
CONFIGMAP = ResourceType("", "v1", "ConfigMap", "configmaps", True)
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"}, "data": {"k": "v"}}
DISCOVERY = {
    "/version": {"major": "1", "minor": "20", "gitVersion": "v1.20.2"},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": []},
    "/api": {"kind": "APIVersions", "versions": ["v1"]},
}


def _forget_discovery_cache(url):
    """The kubernetes client caches discovery in a temp file named after the host."""
    name = "osrcp-%s.json" % hashlib.md5(url.encode("utf-8")).hexdigest()  # noqa: S324 - the client's own name
    path = os.path.join(tempfile.gettempdir(), name)
    if os.path.exists(path):
        os.unlink(path)


class _TcpServer:
    """Accepts connections on 127.0.0.1 and then, per ``mode``: 'silent' reads and never
    answers (closing after GUARD), 'reset' aborts with RST, 'hangup' reads then closes."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn:
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            conn.settimeout(GUARD)
            try:
                received = b""
                while b"\r\n\r\n" not in received:  # the whole request head (TLS: the first record)
                    chunk = conn.recv(65536)
                    received += chunk
                    if not chunk or received.startswith(b"\x16"):
                        break
                if self.mode == "silent":
                    self.stop.wait(GUARD)
            except OSError:
                pass

    def close(self):
        """Stop accepting for good. Closing the socket alone does not wake the thread blocked
        in accept(): it went on listening, and once the descriptor number was reused by a
        later test's server (a Git server on 127.0.0.1), a 'reset' loop accepted that server's
        connections and reset them. shutdown() wakes accept() with an error; the thread is
        joined before the descriptor is released."""
        self.stop.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(GUARD)
        assert not self.thread.is_alive(), "the accept loop of %s did not stop" % self.mode
        self.sock.close()


class _Handler(BaseHTTPRequestHandler):
    """Answers discovery (and /readyz when the server says so); every other request
    is read and left unanswered until GUARD passes."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0]
        state = self.server.state
        state["requests"].append("%s %s" % (self.command, path))
        if path == "/readyz" and state["readyz"]:
            return self._answer(b"ok", "text/plain")
        if path in DISCOVERY:
            return self._answer(json.dumps(DISCOVERY[path]).encode("utf-8"), "application/json")
        state["stop"].wait(GUARD)
        self.close_connection = True
        return None

    def _answer(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


@pytest.fixture
def tcp_server():
    servers = []

    def start(mode):
        server = _TcpServer(mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
        _forget_discovery_cache("http://127.0.0.1:%d" % server.port)
        _forget_discovery_cache("https://127.0.0.1:%d" % server.port)


@pytest.fixture
def api_server():
    """An HTTP server that answers discovery and never answers object requests; yields
    a function ``start(readyz)``: readyz=False makes /readyz hang too (a frozen server)."""
    servers = []

    def start(readyz):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.state = {"requests": [], "readyz": readyz, "stop": threading.Event()}
        server.url = "http://127.0.0.1:%d" % server.server_address[1]
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.state["stop"].set()
        server.shutdown()
        server.server_close()
        _forget_discovery_cache(server.url)


def connect(monkeypatch, url, timeout=TIMEOUT):
    """A KubeCluster for ``url``, its request timeout given the way AWX would give it
    (K8S_AUTH_REQUEST_TIMEOUT)."""
    monkeypatch.setenv("K8S_AUTH_REQUEST_TIMEOUT", str(timeout))
    return KubeCluster(host=url, api_key="test-token")


def timed(call):
    """(ClusterError raised by call(), seconds it took)."""
    started = time.monotonic()
    with pytest.raises(ClusterError) as info:
        call()
    return info.value, time.monotonic() - started


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_discovery_from_a_server_that_never_answers_times_out(monkeypatch, tcp_server, scheme):
    server = tcp_server("silent")
    url = "%s://127.0.0.1:%d" % (scheme, server.port)
    monkeypatch.setenv("K8S_AUTH_VERIFY_SSL", "false")
    error, took = timed(lambda: connect(monkeypatch, url))
    # one timeout for the request, at most one more for the /readyz probe
    assert took < 2 * TIMEOUT + 1.5, took
    assert str(error) == "the API server did not answer within 1 s (discovery)"
    assert error.step == "cluster"


VERBS = {
    "get": (lambda c: c.get(CONFIGMAP, "ns", "cm"), "get ConfigMap/ns/cm"),
    "list": (lambda c: c.list(CONFIGMAP, "ns"), "list ConfigMap in namespace ns"),
    "dry-run": (lambda c: c.apply(CONFIGMAP, CM, dry_run=True), "dry-run ConfigMap/ns/cm"),
    "apply": (lambda c: c.apply(CONFIGMAP, CM, force=True), "apply ConfigMap/ns/cm"),
    "create": (lambda c: c.create(CONFIGMAP, CM), "create ConfigMap/ns/cm"),
    "replace": (lambda c: c.replace(CONFIGMAP, CM), "replace ConfigMap/ns/cm"),
    "status": (lambda c: c.patch_merge(CONFIGMAP, "ns", "cm", {"status": {}}, sub="status"), "patch ConfigMap/ns/cm"),
    "delete": (lambda c: c.delete(CONFIGMAP, "ns", "cm"), "delete ConfigMap/ns/cm"),
}


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_request_that_gets_no_answer_fails_clearly_in_one_timeout(monkeypatch, api_server, verb):
    server = api_server(readyz=True)
    cluster = connect(monkeypatch, server.url)
    call, request = VERBS[verb]
    before = len(server.state["requests"])
    error, took = timed(lambda: call(cluster))
    assert str(error) == "the API server did not answer within 1 s (%s)" % request
    assert TIMEOUT - 0.1 < took < TIMEOUT + 1.5, took
    sent = server.state["requests"][before:]
    assert len([r for r in sent if not r.endswith("/readyz")]) == 1, sent  # sent once: no retry


def test_a_request_that_hangs_alone_does_not_stop_the_next_ones(monkeypatch, api_server):
    """/readyz answers: the server is alive, only that request hung (a webhook, an
    aggregated API); later requests are still sent."""
    server = api_server(readyz=True)
    cluster = connect(monkeypatch, server.url)
    timed(lambda: cluster.get(CONFIGMAP, "ns", "a"))
    error, took = timed(lambda: cluster.get(CONFIGMAP, "ns", "b"))
    assert "did not answer" in str(error) and took >= TIMEOUT - 0.1
    assert "GET /api/v1/namespaces/ns/configmaps/b" in server.state["requests"]


def test_a_hung_server_gets_no_more_requests_in_this_run(monkeypatch, api_server):
    """/readyz does not answer either: the server hangs; later requests fail at once,
    naming the request that found it hung."""
    server = api_server(readyz=False)
    cluster = connect(monkeypatch, server.url)
    first, took_first = timed(lambda: cluster.apply(CONFIGMAP, CM))
    assert str(first) == "the API server did not answer within 1 s (apply ConfigMap/ns/cm)"
    assert took_first < 2 * TIMEOUT + 1.5
    sent = len(server.state["requests"])
    later, took_later = timed(lambda: cluster.get(CONFIGMAP, "ns", "other"))
    assert took_later < 0.2
    assert str(later) == (
        "not sent (get ConfigMap/ns/other): the API server stopped answering earlier in this run: "
        "the API server did not answer within 1 s (apply ConfigMap/ns/cm)"
    )
    assert len(server.state["requests"]) == sent


def test_a_request_made_while_a_timeout_is_probed_waits_for_the_verdict(monkeypatch, api_server):
    """Another thread (the Lease renewer) asking while the first timeout is being probed
    is not sent once the probe finds the server hung."""
    server = api_server(readyz=False)
    cluster = connect(monkeypatch, server.url)
    first = threading.Thread(target=lambda: timed(lambda: cluster.get(CONFIGMAP, "ns", "first")))
    first.start()
    time.sleep(TIMEOUT + 0.3)  # the first request timed out; its probe of /readyz is under way
    later, _took = timed(lambda: cluster.get(CONFIGMAP, "ns", "during-probe"))
    first.join()
    assert str(later).startswith("not sent (get ConfigMap/ns/during-probe): ")
    assert "GET /api/v1/namespaces/ns/configmaps/during-probe" not in server.state["requests"]


def test_a_server_that_accepts_no_connection_times_out_connecting(monkeypatch):
    """A listening socket whose queue is full (it never accepts) drops new connections:
    connecting times out, as with an unreachable address."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(0)
        port = sock.getsockname()[1]
        fillers = []
        for _filler in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.2)
        url = "http://127.0.0.1:%d" % port
        try:
            error, took = timed(lambda: connect(monkeypatch, url))
        finally:
            for filler in fillers:
                filler.close()
    assert str(error) == "cannot connect to the API server %s within 1 s (discovery)" % url
    assert took < 2 * TIMEOUT + 1.5, took
    _forget_discovery_cache(url)


def test_a_refused_connection_fails_at_once(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        url = "http://127.0.0.1:%d" % port
        error, took = timed(lambda: connect(monkeypatch, url, timeout=AT_ONCE_TIMEOUT))
    assert took < AT_ONCE_TIMEOUT / 2, took
    assert str(error) == "the API server %s refused the connection (is it running?) (discovery)" % url


def test_a_reset_connection_fails_at_once(monkeypatch, tcp_server):
    server = tcp_server("reset")
    url = "http://127.0.0.1:%d" % server.port
    error, took = timed(lambda: connect(monkeypatch, url, timeout=AT_ONCE_TIMEOUT))
    assert took < AT_ONCE_TIMEOUT / 2, took
    assert "reset the connection" in str(error) and str(error).endswith("(discovery)")
    assert server.accepted == 1  # not retried


def test_a_server_that_hangs_up_without_answering_fails_at_once(monkeypatch, tcp_server):
    server = tcp_server("hangup")
    error, took = timed(lambda: connect(monkeypatch, "http://127.0.0.1:%d" % server.port, timeout=AT_ONCE_TIMEOUT))
    assert took < AT_ONCE_TIMEOUT / 2, took
    assert str(error) == "the API server closed the connection before answering (discovery)"
    assert server.accepted == 1  # not retried


def test_request_timeout_comes_from_the_argument_then_the_environment(monkeypatch, api_server):
    server = api_server(readyz=True)
    monkeypatch.setenv("K8S_AUTH_REQUEST_TIMEOUT", "7.5")
    assert KubeCluster(host=server.url, api_key="t").request_timeout == 7.5
    assert KubeCluster(host=server.url, api_key="t", request_timeout=2).request_timeout == 2
    monkeypatch.delenv("K8S_AUTH_REQUEST_TIMEOUT")
    assert KubeCluster(host=server.url, api_key="t").request_timeout == 30


@pytest.mark.parametrize("value", [0, -1, "soon"])
def test_a_request_timeout_that_is_not_a_positive_number_is_refused(value):
    with pytest.raises(ClusterError, match="request_timeout must be a positive number of seconds"):
        KubeCluster(host="http://127.0.0.1:1", api_key="t", request_timeout=value)
