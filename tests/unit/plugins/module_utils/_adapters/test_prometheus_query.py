# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus instant queries against a local HTTP server speaking the query API
(the real Prometheus is in tests/integration/test_analysis_rollback.py)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.gitops.k8s.plugins.module_utils._adapters import prometheus_query
from ansible_collections.gitops.k8s.plugins.module_utils._engine.errors import MetricsError


class _Handler(BaseHTTPRequestHandler):
    replies: dict = {}
    asked: list = []

    def do_GET(self):  # noqa: N802  (http.server's name)
        parts = urllib.parse.urlsplit(self.path)
        promql = urllib.parse.parse_qs(parts.query).get("query", [""])[0]
        self.asked.append((parts.path, promql))
        code, body, delay = self.replies[promql]
        time.sleep(delay)
        self.send_response(code)
        if code in (301, 302):
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body if isinstance(body, bytes) else json.dumps(body).encode())

    def log_message(self, *args):  # quiet
        pass


def ok(result_type, result):
    return (200, {"status": "success", "data": {"resultType": result_type, "result": result}}, 0)


@pytest.fixture()
def server():
    _Handler.replies = {
        "scalar(up)": ok("scalar", [1700000000.0, "0.25"]),
        "up": ok("vector", [{"metric": {"job": "a"}, "value": [1700000000.0, "1"]}, {"metric": {"job": "b"}, "value": [1700000000.0, "0"]}]),
        "nothing": ok("vector", []),
        "nan": ok("vector", [{"metric": {}, "value": [1700000000.0, "NaN"]}]),
        "range[1m]": ok("matrix", [{"metric": {}, "values": [[1, "1"]]}]),
        "bad(": (400, {"status": "error", "errorType": "bad_data", "error": "parse error at char 5"}, 0),
        "html": (200, b"<html>not prometheus</html>", 0),
        "slow": (*ok("scalar", [1.0, "1"])[:2], 3),
        "moved": (302, {}, 0),
    }
    _Handler.asked = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_scalar_and_vector_values(server):
    assert prometheus_query.query(server, "scalar(up)", 10) == 0.25
    assert prometheus_query.query(server, "up", 10) == [1.0, 0.0]
    assert prometheus_query.query(server, "nothing", 10) == []
    nan = prometheus_query.query(server, "nan", 10)
    assert len(nan) == 1 and nan[0] != nan[0]
    assert _Handler.asked[0] == ("/api/v1/query", "scalar(up)")


@pytest.mark.parametrize(
    "promql, why",
    [
        ("range[1m]", "matrix result cannot be judged"),
        ("bad(", "400"),
        ("html", "not JSON"),
        ("moved", "302"),
    ],
)
def test_unusable_replies_are_metrics_errors(server, promql, why):
    with pytest.raises(MetricsError) as err:
        prometheus_query.query(server, promql, 10)
    assert why in str(err.value) and "127.0.0.1" in str(err.value)


def test_prometheus_error_text_is_quoted(server):
    with pytest.raises(MetricsError) as err:
        prometheus_query.query(server, "bad(", 10)
    assert "parse error at char 5" in str(err.value)


def test_timeout_is_a_metrics_error(server):
    started = time.monotonic()
    with pytest.raises(MetricsError) as err:
        prometheus_query.query(server, "slow", 0.5)
    assert "not reachable" in str(err.value)
    assert time.monotonic() - started < 60  # bounded by the timeout, not by the server


def test_nobody_listening_is_a_metrics_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(MetricsError) as err:
        prometheus_query.query("http://127.0.0.1:%d" % port, "up", 5)
    assert "not reachable" in str(err.value)


class _Trickle(BaseHTTPRequestHandler):
    """A reply that never ends: headers, then one byte every 0.2 s (each read succeeds
    within a socket timeout; only a bound on the whole exchange stops it)."""

    def do_GET(self):  # noqa: N802  (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            for _i in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up, as it should

    def log_message(self, *args):  # quiet
        pass


def test_a_reply_trickling_in_is_cut_off_by_the_timeout_of_the_whole_exchange():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    httpd.daemon_threads, httpd.block_on_close = True, False  # the trickle outlives the test: never waited for
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(MetricsError) as err:
            prometheus_query.query("http://127.0.0.1:%d" % httpd.server_address[1], "up", 1)
        assert "no complete reply within the timeout of 1s" in str(err.value)
    finally:
        httpd.shutdown()
        httpd.server_close()
