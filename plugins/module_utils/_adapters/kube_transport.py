# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How requests reach the API server: a timeout on every one, no blind retries, and
failures told in plain words.

The kubernetes client sends a request with no timeout unless each call passes
``_request_timeout``, and discovery calls pass none: a frozen API server then hangs the
agent for ever. ``TimedApiClient`` gives every request of one client (discovery, reads,
dry-runs, writes) the same (connect, read) timeout. urllib3 would retry a timed-out GET
three times; retries are off (redirects aside) so one request never waits more than
about twice the timeout (to connect, then for the answer). A timeout, a refused or reset
connection becomes a ClusterError saying what happened and to which request.
"""

from __future__ import annotations

import socket
from http.client import RemoteDisconnected

try:
    from kubernetes.client import ApiClient
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError, SSLError
    from urllib3.util.retry import Retry

    # what a request may raise for a failure below HTTP (transport_failure tells which are)
    FAILURES: tuple = (HTTPError, OSError, ValueError)
except ImportError:  # pragma: no cover - kube.py reports the missing library
    ApiClient = object  # type: ignore[misc,assignment]  # a base class only, the library is missing
    FAILURES = (OSError, ValueError)

# Longer than any answer a healthy API server gives (a LIST page of 500 objects or a
# server-side apply takes well under a second; admission webhooks time out after 10 s by
# default), shorter than a person or a CronJob deadline waits for a run that hangs.
DEFAULT_REQUEST_TIMEOUT = 30

# /readyz is answered by every API server without touching the objects a request names;
# it fails (500) when etcd does not answer. It tells "the server hangs" from "this one
# request hangs" (an admission webhook or an aggregated API that does not answer).
PROBE_PATH = "/readyz"
PROBE_TIMEOUT = 5


def no_retries():
    """urllib3 retry policy: follow redirects, retry nothing else (a retry of a request
    that timed out would multiply the wait; the next run tries again)."""
    return Retry(total=3, connect=0, read=0, status=0, other=0, redirect=3)


class TimedApiClient(ApiClient):
    """An ApiClient whose every request has ``request_timeout`` for connecting and for
    each wait on the answer, unless the caller gives its own."""

    def __init__(self, configuration, request_timeout):
        configuration.retries = no_retries()
        super().__init__(configuration)
        self.request_timeout = request_timeout

    # its signature changed across client versions: the timeout goes by keyword in all of them
    def call_api(self, *args, **kwargs):  # pylint: disable=arguments-differ
        if kwargs.get("_request_timeout") is None:
            kwargs["_request_timeout"] = (self.request_timeout, self.request_timeout)
        return super().call_api(*args, **kwargs)

    def answers(self, path, timeout):
        """Whether the server answers GET ``path`` within ``timeout`` seconds with a status
        below 500 (a 401 or 403 is an answer too)."""
        try:
            resp = self.rest_client.request("GET", self.configuration.host + path, headers={"Accept": "*/*"}, _request_timeout=(timeout, timeout))
            status = resp.status
            getattr(resp, "read", lambda: None)()
        except ApiException as exc:  # clients before 35 raise for any status but 2xx
            status = exc.status
        except FAILURES as exc:
            if transport_failure(exc) is not None:
                return False
            raise
        return 0 < status < 500


def _seconds(value):
    return "%g s" % value


def transport_failure(exc):
    """The failure below HTTP (no answer, no connection, a broken one) behind ``exc``, or
    None. The client's discovery turns a broken connection to an http:// host into a
    ValueError ("should start with https://"): the failure is its context."""
    if isinstance(exc, (HTTPError, OSError)):
        return exc
    if isinstance(exc, ValueError) and isinstance(exc.__context__, (HTTPError, OSError)):
        return exc.__context__
    return None


def describe(exc, timeout, host):
    """(plain words, timed_out) for a request that got no HTTP answer; timed_out is True
    when the server did not answer in time (as opposed to refusing or hanging up)."""
    reason = exc.reason if isinstance(exc, MaxRetryError) and exc.reason is not None else exc
    cause = reason.__cause__ or reason.__context__
    if isinstance(reason, ProtocolError) and len(reason.args) > 1:
        cause = reason.args[1]
    if isinstance(reason, NewConnectionError) and isinstance(cause, socket.gaierror):
        return "cannot resolve the host name of the API server %s" % host, False
    if isinstance(reason, NewConnectionError):
        if isinstance(cause, ConnectionRefusedError):
            return "the API server %s refused the connection (is it running?)" % host, False
        if isinstance(cause, ConnectionResetError):
            return "the API server %s reset the connection" % host, False
        return "cannot connect to the API server %s: %s" % (host, getattr(cause, "strerror", None) or cause or reason), False
    if isinstance(reason, ConnectTimeoutError):
        return "cannot connect to the API server %s within %s" % (host, _seconds(timeout)), True
    if isinstance(reason, (ReadTimeoutError, TimeoutError)):
        return "the API server did not answer within %s" % _seconds(timeout), True
    if isinstance(reason, ProtocolError) and isinstance(cause, ConnectionResetError) and not isinstance(cause, RemoteDisconnected):
        return "the API server reset the connection before answering", False
    if isinstance(reason, ProtocolError):
        return "the API server closed the connection before answering", False
    if isinstance(reason, SSLError):
        return "TLS with the API server %s failed: %s" % (host, cause or reason), False
    return "cannot reach the API server %s: %s" % (host, reason), False
