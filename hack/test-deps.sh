#!/usr/bin/env bash
# Debian packages that tests start themselves, on 127.0.0.1, with their own config:
#   docker-registry           the OCI registry of the Helm chart tests (tests/helpers/chart_servers.py)
#   prometheus                Prometheus and promtool of the metrics tests (tests/helpers/prometheus.py)
#   prometheus-node-exporter  node_exporter's textfile collector, scraped by that Prometheus
#   openjdk-17-jre-headless   the Java runtime of ansible-rulebook (the webhook tests)
# Installed when missing (hack/apt-deps.sh); the system services the packages enable are
# disabled and stopped, so only the tests' own instances run. Without apt-get or sudo
# this says so and goes on: the tests that need a package are skipped.
# Usage: hack/test-deps.sh
set -uo pipefail

# A Java 17 runtime for ansible-rulebook's rule engine (the webhook tests, tests/integration/test_webhooks.py).
if ! bash "$(dirname "$0")/apt-deps.sh" openjdk-17-jre-headless; then
    echo "test-deps: openjdk-17-jre-headless not installed; the webhook tests will fail to start ansible-rulebook" >&2
fi

# age (age-keygen) for the SOPS tests' keys; sops itself comes from requirements-dev.txt.
if ! bash "$(dirname "$0")/apt-deps.sh" age gnupg; then
    echo "test-deps: age/gnupg not installed; the SOPS decryption tests will be skipped" >&2
fi

packages=(docker-registry prometheus prometheus-node-exporter)
if ! bash "$(dirname "$0")/apt-deps.sh" "${packages[@]}"; then
    echo "test-deps: ${packages[*]} not all installed; the tests that need them will be skipped" >&2
    exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo -n)
fi
for service in "${packages[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet "$service" 2>/dev/null; then
        "${SUDO[@]}" systemctl disable --now "$service" >/dev/null 2>&1 \
            || echo "test-deps: could not disable the $service service (the tests use their own ports anyway)" >&2
    fi
done
exit 0
