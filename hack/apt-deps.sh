#!/usr/bin/env bash
# Install Debian packages only when they are missing.
# Usage: hack/apt-deps.sh PKG...   (default: the packages `make venv` needs)
# Runs `apt-get update` once, and only when something has to be installed.
# Uses sudo only when not root. Never prompts (DEBIAN_FRONTEND=noninteractive).
set -euo pipefail

pkgs=("$@")
if (( ${#pkgs[@]} == 0 )); then
    pkgs=(git rsync make)
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if (( ${#missing[@]} == 0 )); then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-deps: missing packages (${missing[*]}) and no apt-get on this machine: install them by hand" >&2
    exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo -n)
fi

echo "apt-deps: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
