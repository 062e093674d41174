"""A real Prometheus and node_exporter (Debian packages prometheus and
prometheus-node-exporter, installed by `make test-deps` with their system services
disabled) started on 127.0.0.1 free ports with their own temporary config and data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from .chart_servers import free_port

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or "/usr/bin/prometheus-node-exporter"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
START_TIMEOUT = 120.0  # a loaded machine starts Prometheus slowly


def installed():
    return all(os.access(p, os.X_OK) for p in (PROMETHEUS, NODE_EXPORTER, PROMTOOL))


class _Daemon:
    """A process serving HTTP on 127.0.0.1:port; stopped (TERM, then KILL) on exit."""

    name = ""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self._proc = None

    def argv(self):
        raise NotImplementedError

    ready_path = "/"

    def __enter__(self):
        os.makedirs(self.workdir, exist_ok=True)
        log_path = os.path.join(self.workdir, self.name + ".log")
        with open(log_path, "wb") as log:
            self._proc = subprocess.Popen(self.argv(), stdout=log, stderr=log)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5):
                    return self
            except OSError as exc:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    with open(log_path, encoding="utf-8", errors="replace") as handle:
                        raise RuntimeError("%s did not start:\n%s" % (self.name, handle.read()[-3000:])) from exc
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


class NodeExporter(_Daemon):
    """node_exporter with only the textfile collector, reading ``textfile_dir``."""

    name = "node-exporter"
    ready_path = "/metrics"

    def __init__(self, workdir, textfile_dir):
        super().__init__(workdir)
        self.textfile_dir = str(textfile_dir)

    def argv(self):
        return [
            NODE_EXPORTER,
            "--web.listen-address=127.0.0.1:%d" % self.port,
            "--collector.disable-defaults",
            "--collector.textfile",
            "--collector.textfile.directory=" + self.textfile_dir,
        ]

    def metrics(self):
        with urllib.request.urlopen(self.url + "/metrics", timeout=30) as response:
            return response.read().decode("utf-8")


class Prometheus(_Daemon):
    """Prometheus scraping ``target`` (host:port) every second."""

    name = "prometheus"
    ready_path = "/-/ready"

    def __init__(self, workdir, target):
        super().__init__(workdir)
        self.target = target

    def argv(self):
        config = os.path.join(self.workdir, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as handle:
            json.dump({"global": {"scrape_interval": "1s"}, "scrape_configs": [{"job_name": "node", "static_configs": [{"targets": [self.target]}]}]}, handle)
        return [
            PROMETHEUS,
            "--config.file=" + config,
            "--storage.tsdb.path=" + os.path.join(self.workdir, "data"),
            "--web.listen-address=127.0.0.1:%d" % self.port,
        ]

    def query(self, promql):
        """The instant vector of ``promql``: [(labels, value as float)]."""
        url = "%s/api/v1/query?%s" % (self.url, urllib.parse.urlencode({"query": promql}))
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return [(r["metric"], float(r["value"][1])) for r in body["data"]["result"]]

    def wait_query(self, promql, timeout=180.0):
        """The first non-empty result of ``promql`` (scrapes take a moment to arrive)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.query(promql)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(1)


def check_metrics(path):
    """(returncode, output) of `promtool check metrics` on the file at ``path``."""
    with open(path, encoding="utf-8") as handle:
        run = subprocess.run([PROMTOOL, "check", "metrics"], stdin=handle, capture_output=True, text=True, timeout=120, check=False)
    return run.returncode, run.stdout + run.stderr
