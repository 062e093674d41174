#!/usr/bin/env bash
# Debian packages that tests start themselves, on 127.0.0.1, with their own config:
#   docker-registry  the OCI registry of the Helm chart tests (tests/helpers/chart_servers.py)
# Installed when missing (hack/apt-deps.sh); the system service the package enables is
# disabled and stopped, so only the tests' own instances run. Without apt-get or sudo
# this says so and goes on: the tests that need the package are skipped.
# Usage: hack/test-deps.sh
set -uo pipefail

# age (age-keygen) for the SOPS tests' keys; sops itself comes from requirements-dev.txt.
if ! bash "$(dirname "$0")/apt-deps.sh" age gnupg; then
    echo "test-deps: age/gnupg not installed; the SOPS decryption tests will be skipped" >&2
fi

if ! bash "$(dirname "$0")/apt-deps.sh" docker-registry; then
    echo "test-deps: docker-registry not installed; the OCI registry tests will be skipped" >&2
    exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo -n)
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet docker-registry 2>/dev/null; then
    "${SUDO[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 \
        || echo "test-deps: could not disable the docker-registry service (the tests use their own port anyway)" >&2
fi
exit 0
