#!/usr/bin/env bash
# The disk of make bench's storage boots: a 128 MiB ext4 image made by Debian's mke2fs (the defaults of
# /etc/mke2fs.conf, as out/disk.img) holding /data, the 32 MiB pattern file the storage program reads and checks
# (written by that program itself: `storage make-data FILE`). Each storage boot gets a fresh copy (tools/Exo.Bench).
# Usage: make-storage-image.sh STORAGE_PROGRAM OUTPUT.img
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 STORAGE_PROGRAM OUTPUT.img" >&2; exit 2; }
program=$1 image=$2
if [ -s "$image" ] && [ "$image" -nt "$program" ] && [ "$image" -nt "$0" ]; then
  exit 0
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
"$program" make-data "$tree/data"
rm -f "$image.tmp"
MKE2FS_CONFIG=/etc/mke2fs.conf /usr/sbin/mke2fs -q -F -t ext4 -L bench -d "$tree" "$image.tmp" 128M
/usr/sbin/e2fsck -fn "$image.tmp" >/dev/null
mv "$image.tmp" "$image"
echo "make-storage-image: wrote $image" >&2
