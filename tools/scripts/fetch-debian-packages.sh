#!/usr/bin/env bash
# Fetches the Debian packages of the root file system (the list: userland/rootfs/debian-packages) with
# `apt-get download`, unmodified, into CACHE/debs/, and unpacks each with `dpkg-deb -x` into CACHE/unpacked/NAME/.
# A package whose .deb is already in CACHE/debs/ is not fetched again (`make clean` empties the cache).
# Each .deb is checked before use: `dpkg-deb -f` must give the package's own name, this machine's architecture
# (or all), and a version that starts with the list's upstream version.
# A line may name the boot module the package goes into after its version: "debian" for the Debian root
# (out/debian.cpio); without it, the root file system (out/initrd.cpio).
# Writes CACHE/packages (one line per package: name, version, architecture, SHA-256 of the .deb, module), which
# tools/scripts/make-rootfs.sh reads, last, so a failed run leaves no list for make to trust.
#
# apt-get update runs only when a download fails for lack of lists (as root, or with sudo that asks no password;
# otherwise the message says to run it). Offline: a cached .deb is used as it is; without one, apt's own
# download cache (/var/cache/apt/archives) is tried before failing with a message that says where to put the
# .deb by hand.
# Usage: fetch-debian-packages.sh LIST CACHE
set -euo pipefail
list=$1
cache=$2
say() { echo "fetch-debian-packages: $*" >&2; }
command -v dpkg-deb >/dev/null || { say "dpkg-deb not found (Debian's dpkg package)"; exit 1; }
command -v apt-get >/dev/null || { say "apt-get not found: this build fetches Debian's packages with it"; exit 1; }
architecture=$(dpkg --print-architecture)
mkdir -p "$cache/debs" "$cache/unpacked"

update_lists() {
  if [ "$(id -u)" -eq 0 ]; then
    say "apt's lists have no $1 to download: running apt-get update"
    apt-get update -qq
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    say "apt's lists have no $1 to download: running sudo apt-get update"
    sudo -n apt-get update -qq
  else
    say "apt's lists have no $1 to download, and updating them needs root: run 'sudo apt-get update', then the build again"
    return 1
  fi
}

# Downloads $1 into CACHE/debs (through a scratch folder, so a failed download leaves nothing behind); apt's
# messages are in CACHE/apt-get.log.
download() {
  local name=$1 scratch status=0
  scratch=$(mktemp -d "$cache/download.XXXXXX")
  # As root, apt downloads as user _apt when it can: the scratch folder must let it write.
  chmod 755 "$scratch"
  ( cd "$scratch" && apt-get download -q "$name" ) > "$cache/apt-get.log" 2>&1 || status=$?
  grep -v "^W: Download is performed unsandboxed" "$cache/apt-get.log" >&2 || true
  if [ "$status" -eq 0 ]; then
    mv "$scratch"/*.deb "$cache/debs/"
  fi
  rm -rf "$scratch"
  return "$status"
}

fetch() {
  local name=$1 found
  download "$name" && return 0
  # No lists yet (a fresh machine), or lists that only know the installed version: update them, once.
  if grep -qE "Unable to locate package|has no installation candidate|Can't find a source to download" "$cache/apt-get.log" \
     && update_lists "$name" && download "$name"; then
    return 0
  fi
  # Offline, or the mirror does not answer: apt's own cache may hold the same Debian package.
  found=$(ls /var/cache/apt/archives/"${name}"_*_{"$architecture",all}.deb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ]; then
    say "apt-get download $name failed: using $found from apt's cache"
    cp "$found" "$cache/debs/"
    return 0
  fi
  say "cannot fetch $name (offline, or not in apt's lists). Put Debian's ${name}_*.deb into $cache/debs/ and build again."
  return 1
}

manifest=$(mktemp "$cache/packages.XXXXXX")
trap 'rm -f "$manifest"' EXIT
while read -r name upstream module rest; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -z "${rest:-}" ] || { say "$list: '$name $upstream $module $rest': expected NAME VERSION [debian]"; exit 1; }
  case "${module:=base}" in base|debian) ;; *) say "$list: $name: module '$module' is neither base nor debian"; exit 1 ;; esac
  [ -n "${upstream:-}" ] || { say "$list: $name has no version"; exit 1; }
  debs=("$cache/debs/${name}"_*.deb)
  if [ ! -e "${debs[0]}" ]; then
    fetch "$name"
    debs=("$cache/debs/${name}"_*.deb)
  fi
  [ ${#debs[@]} -eq 1 ] || { say "more than one $name package in $cache/debs: ${debs[*]}"; exit 1; }
  deb=${debs[0]}

  package=$(dpkg-deb -f "$deb" Package)
  version=$(dpkg-deb -f "$deb" Version)
  deb_architecture=$(dpkg-deb -f "$deb" Architecture)
  [ "$package" = "$name" ] || { say "$deb is package '$package', not $name"; exit 1; }
  [ "$deb_architecture" = "$architecture" ] || [ "$deb_architecture" = all ] \
    || { say "$deb is for $deb_architecture, not $architecture"; exit 1; }
  case "${version#*:}" in
    "$upstream"*) ;;
    *) say "$deb is $name $version: the list wants upstream version $upstream"; exit 1 ;;
  esac
  echo "$name $version ($deb_architecture) from $(basename "$deb")"

  rm -rf "$cache/unpacked/$name"
  dpkg-deb -x "$deb" "$cache/unpacked/$name"
  echo "$name $version $deb_architecture $(sha256sum "$deb" | cut -d' ' -f1) $module" >> "$manifest"
done < "$list"
chmod 644 "$manifest"
mv "$manifest" "$cache/packages"
trap - EXIT
