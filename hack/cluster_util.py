"""Small helpers for hack/cluster.sh (stdlib only).

Sub-commands:
  free-ports N                      print N distinct free TCP ports on 127.0.0.1
  wait-http URL TIMEOUT [TOKEN]     poll URL until it answers 200 (TLS not verified)
  wait-sa SERVER TOKEN TIMEOUT      poll until default/default ServiceAccount has a token
  kubeconfig OUT SERVER CA TOKEN    write a kubeconfig (CA file is embedded as data)
  wait-path PATH TIMEOUT            poll until PATH exists (a daemon's socket)
  wait-node-ready SERVER TOKEN NODE TIMEOUT
                                    poll until Node NODE reports condition Ready=True
"""

import base64
import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request


def free_ports(count):
    """Return COUNT distinct free ports (all sockets held open until every port is chosen)."""
    socks = []
    try:
        for dummy in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def _get(url, token=None, timeout=5.0):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:  # nosec - loopback only
        return resp.status, resp.read().decode("utf-8", "replace")


def _poll(check, timeout, what):
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            done, last = check()
            if done:
                return 0
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.5)
    sys.stderr.write("timed out after %ss waiting for %s (last: %s)\n" % (timeout, what, last))
    return 1


def wait_http(url, timeout, token=None):
    def check():
        status, body = _get(url, token)
        healthy = status == 200 and '"health":"false"' not in body.replace(" ", "")
        return healthy, "%s %s" % (status, body[:200])

    return _poll(check, timeout, url)


def wait_sa(server, token, timeout):
    url = server.rstrip("/") + "/api/v1/namespaces/default/serviceaccounts/default"

    def check():
        status, body = _get(url, token)
        secrets = json.loads(body).get("secrets") or []
        return status == 200 and bool(secrets), "status %s, token secrets %d" % (status, len(secrets))

    return _poll(check, timeout, "the default ServiceAccount and its token")


def wait_path(path, timeout):
    def check():
        return os.path.exists(path), "%s does not exist" % path

    return _poll(check, timeout, path)


def wait_node_ready(server, token, node, timeout):
    url = server.rstrip("/") + "/api/v1/nodes/" + node

    def check():
        status, body = _get(url, token)
        conditions = json.loads(body).get("status", {}).get("conditions") or []
        ready = [c for c in conditions if c.get("type") == "Ready"]
        state = ready[0].get("status") + " (" + ready[0].get("message", "") + ")" if ready else "not registered"
        return status == 200 and bool(ready) and ready[0].get("status") == "True", "Ready=" + state

    return _poll(check, timeout, "node %s to be Ready" % node)


def write_kubeconfig(out, server, ca_file, token):
    with open(ca_file, "rb") as fh:
        ca_data = base64.b64encode(fh.read()).decode("ascii")
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "gitops-k8s-test", "cluster": {"server": server, "certificate-authority-data": ca_data}}],
        "users": [{"name": "admin", "user": {"token": token}}],
        "contexts": [{"name": "gitops-k8s-test", "context": {"cluster": "gitops-k8s-test", "user": "admin"}}],
        "current-context": "gitops-k8s-test",
        "preferences": {},
    }
    tmp = out + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        # JSON is valid YAML: no third-party dependency needed.
        json.dump(config, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, out)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "free-ports":
        print(" ".join(str(p) for p in free_ports(int(argv[1]))))
        return 0
    if len(argv) in (3, 4) and argv[0] == "wait-http":
        return wait_http(argv[1], float(argv[2]), argv[3] if len(argv) == 4 else None)
    if len(argv) == 4 and argv[0] == "wait-sa":
        return wait_sa(argv[1], argv[2], float(argv[3]))
    if len(argv) == 5 and argv[0] == "kubeconfig":
        return write_kubeconfig(*argv[1:])
    if len(argv) == 3 and argv[0] == "wait-path":
        return wait_path(argv[1], float(argv[2]))
    if len(argv) == 5 and argv[0] == "wait-node-ready":
        return wait_node_ready(argv[1], argv[2], argv[3], float(argv[4]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
