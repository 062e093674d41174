#!/usr/bin/env bash
# ansible-test builds a venv per sanity test and fetches a pip bootstrap script from
# a host this machine cannot reach. Put a stand-in in its cache: it installs pip with
# ensurepip, then runs `pip install` with the arguments ansible-test passes.
# Usage: hack/ansible-test-bootstrap.sh    (idempotent; writes ~/.ansible/test/cache/get_pip_*.py)
set -euo pipefail

CACHE="${HOME}/.ansible/test/cache"
mkdir -p "$CACHE"
# 24_2: ansible-core 2.19; 25_2: ansible-core 2.21.
for ver in 24_2 25_2; do
    target="$CACHE/get_pip_${ver}.py"
    tmp="$target.tmp.$$"
    cat >"$tmp" <<'PYEOF'
"""Stand-in for get-pip.py: bootstrap pip with ensurepip, then pip install ARGS."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))
PYEOF
    if cmp -s "$tmp" "$target"; then
        rm -f "$tmp"
    else
        mv -f "$tmp" "$target"
        echo "ansible-test-bootstrap: wrote $target"
    fi
done
