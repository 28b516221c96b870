#!/bin/bash
# Builds the pod sandbox ("pause") image offline, with no registry, and writes it as an OCI archive:
#
#   deploy/pause/build-image.sh OUT_ARCHIVE [IMAGE_REF]
#
#   OUT_ARCHIVE  the oci-archive (tar) to write; replaced if it exists
#   IMAGE_REF    the image's name, default localhost/jshim/pause:3.10
#
# The image holds one file, /pause: native-init's static jshim-pause (native-init/pause/pause.c,
# installed as dist/libexec/jshim/jshim-pause by the build). Its config is Kubernetes' pause image's:
# ENTRYPOINT ["/pause"], USER 65535:65535, linux/<the build machine's architecture>.
# The binary is taken from $JSHIM_PAUSE_BINARY if set, else <checkout>/dist/libexec/jshim/jshim-pause,
# else <checkout>/native-init/build/jshim-pause.
#
# Import it into the namespace CRI uses, under containerd 1.6/1.7 and 2.x alike, with no flags:
#
#   ctr -n k8s.io images import OUT_ARCHIVE     # lists the image as exactly IMAGE_REF
#
# (Checked with ctr 1.6.20 and 2.1.9. The index names the manifest by the OCI annotation
# `org.opencontainers.image.ref.name` = IMAGE_REF, as skopeo writes it, and also by containerd's own
# `io.containerd.image.name` = IMAGE_REF, which containerd's importer takes verbatim before any
# --base-name/--index-name logic.) Then point CRI's sandbox image at IMAGE_REF: see deploy/README.md.
#
# Needs umoci, skopeo and python3 (deploy/install-deps.sh installs them); runs as root or not
# (umoci --rootless). Nothing is fetched from the network.
set -euo pipefail

usage() {
    sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

case "${1:-}" in
    -h|--help) usage 0 ;;
    '') echo "build-image.sh: OUT_ARCHIVE is missing" >&2; usage 2 ;;
esac
[ $# -le 2 ] || { echo "build-image.sh: too many arguments" >&2; usage 2; }

OUT=$1
REF=${2:-localhost/jshim/pause:3.10}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

for tool in umoci skopeo python3; do
    command -v "$tool" >/dev/null || { echo "build-image.sh: $tool not found (apt-get install $tool, or deploy/install-deps.sh)" >&2; exit 1; }
done

if [ -n "${JSHIM_PAUSE_BINARY:-}" ]; then
    PAUSE=$JSHIM_PAUSE_BINARY
elif [ -x "$REPO/dist/libexec/jshim/jshim-pause" ]; then
    PAUSE=$REPO/dist/libexec/jshim/jshim-pause
else
    PAUSE=$REPO/native-init/build/jshim-pause
fi
[ -x "$PAUSE" ] || { echo "build-image.sh: no pause binary at $PAUSE: build first (mvn -B package -DskipTests) or set JSHIM_PAUSE_BINARY" >&2; exit 1; }
"$PAUSE" -v >/dev/null || { echo "build-image.sh: $PAUSE -v failed: not a jshim-pause binary?" >&2; exit 1; }

# A name containerd's reference parser accepts: lower-case path, optional :tag. A digest is refused:
# the image is made here, its digest cannot be chosen.
if ! [[ "$REF" =~ ^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$ ]]; then
    echo "build-image.sh: '$REF' is not an image reference like localhost/jshim/pause:3.10" >&2
    exit 2
fi

case "$(uname -m)" in
    x86_64) ARCH=amd64 ;;
    aarch64) ARCH=arm64 ;;
    *) ARCH=$(uname -m) ;;
esac

ROOTLESS=()
[ "$(id -u)" -eq 0 ] || ROOTLESS=(--rootless)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jshim-pause-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

LAYOUT=$WORK/layout
umoci init --layout "$LAYOUT"
umoci new --image "$LAYOUT:pause"
# unpack + repack rather than `umoci insert`: umoci 0.4.7's insert writes a layer tar without its
# end-of-archive blocks (containerd reads it, GNU tar does not).
umoci unpack "${ROOTLESS[@]}" --image "$LAYOUT:pause" "$WORK/bundle" >/dev/null
install -m 0755 "$PAUSE" "$WORK/bundle/rootfs/pause"
umoci repack --image "$LAYOUT:pause" "$WORK/bundle" >/dev/null
umoci config "${ROOTLESS[@]}" --image "$LAYOUT:pause" \
    --config.entrypoint /pause --config.user 65535:65535 \
    --os linux --architecture "$ARCH" \
    --author jshim --history.created_by "deploy/pause/build-image.sh: /pause = jshim-pause $("$PAUSE" -v | awk '{print $NF}')"
umoci gc --layout "$LAYOUT"

# skopeo writes the oci-archive; its index names the manifest with org.opencontainers.image.ref.name.
ARCHIVE=$WORK/pause.tar
skopeo --insecure-policy copy --quiet "oci:$LAYOUT:pause" "oci-archive:$ARCHIVE:$REF"

# containerd's importer takes `io.containerd.image.name` verbatim, whatever ctr's --base-name or
# --index-name say (ref.name alone is run through those); add it to the index's manifest descriptor
# and repack with the same members.
UNPACK=$WORK/archive
mkdir "$UNPACK"
tar -C "$UNPACK" -xf "$ARCHIVE"
python3 - "$UNPACK/index.json" "$REF" <<'PY'
import json, sys
path, ref = sys.argv[1], sys.argv[2]
with open(path) as f:
    index = json.load(f)
manifests = index.get("manifests", [])
if len(manifests) != 1:
    sys.exit("build-image.sh: expected one manifest in the archive's index, found %d" % len(manifests))
ann = manifests[0].setdefault("annotations", {})
ann["io.containerd.image.name"] = ref
ann["org.opencontainers.image.ref.name"] = ref
with open(path, "w") as f:
    json.dump(index, f, separators=(",", ":"))
PY
(cd "$UNPACK" && tar --owner=0 --group=0 --numeric-owner -cf "$WORK/out.tar" oci-layout index.json blobs)

mkdir -p "$(dirname "$OUT")"
mv -f "$WORK/out.tar" "$OUT"
echo "build-image.sh: wrote $OUT ($REF)" >&2
