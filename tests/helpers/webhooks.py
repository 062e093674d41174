# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gitops.k8s contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admission webhooks for fault tests: an HTTPS server on 127.0.0.1 (a throwaway CA from
pki.py) answering AdmissionReviews with what a test's ``decide(request)`` returns.

A webhook applies to the whole API server: register one only on a test's own control
plane (``private_cluster``)."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import ssl
import threading

from tests.helpers import pki


def review_response(request, allowed=True, message="", patch=None):
    """The AdmissionReview answering ``request``: allowed or denied with ``message``, and a
    JSON patch (a list of operations) when given."""
    response = {"uid": request["uid"], "allowed": allowed}
    if message:
        response["status"] = {"message": message, "code": 403}
    if patch is not None:
        response.update(patchType="JSONPatch", patch=base64.b64encode(json.dumps(patch).encode()).decode())
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}


def configuration(kind, name, client, rule, selector, timeout=10):
    """A Validating- or MutatingWebhookConfiguration (``kind``) NAME calling ``client`` (what
    serving() yields) for the objects of ``rule`` labelled as ``selector`` (matchLabels)."""
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": name + ".faults.example.test",
                "clientConfig": client,
                "rules": [dict(rule, operations=["CREATE", "UPDATE"])],
                "objectSelector": {"matchLabels": dict(selector)},
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "failurePolicy": "Fail",
                "timeoutSeconds": timeout,
            }
        ],
    }


@contextlib.contextmanager
def serving(decide, directory):
    """Serve ``decide(request) -> AdmissionReview`` over HTTPS on 127.0.0.1; yields the
    webhook's ``clientConfig`` (its URL and the CA bundle). ``directory`` holds the keys."""
    authority = pki.CertificateAuthority("gitops-k8s webhook CA")
    cert, key = authority.issue("127.0.0.1", server=True).write(str(directory), "webhook")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps(decide(review["request"])).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": "https://127.0.0.1:%d/review" % server.server_address[1], "caBundle": base64.b64encode(authority.pem.encode()).decode()}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
