#!/usr/bin/env bash
# Assembles a boot module's tree in ROOT, made fresh each time (then `Exo.ImageTool tree` packs it into a cpio
# archive). --module base (the default) is the root file system (out/initrd.cpio); --module debian is the Debian
# root (out/debian.cpio), which the kernel lays over it at boot: the packages marked "debian" in the list, ETC,
# and TESTS in usr/share/exo-tests/debian/ (DebianRootTests), with dpkg's alternatives links (awk -> gawk) and nothing
# else; its files replace the base tree's (busybox's /bin/ls link gives way to coreutils' ls).
# The base tree:
#   the Debian packages of DEBIAN/packages (tools/scripts/fetch-debian-packages.sh), as dpkg would unpack them,
#     less their documentation as Debian's minimal images leave it out (usr/share/doc except each copyright,
#     usr/share/man, usr/share/info, usr/share/lintian)
#   busybox's applets as `busybox --list-full` names them (bin/sh, usr/bin/awk, sbin/init...), relative symbolic
#     links to bin/busybox, except where a file is already there
#   exo/bin/      Exo-OS's programs (--bin: native, C# and Linux test programs)
#   exo/config/   init's configurations (--config)
#   etc/          the files of ETC (userland/rootfs/etc), replacing a package's
#   usr/share/sounds/exo/  the WAV files of SOUNDS (--sounds: made by tools/test-sounds at build time)
#   usr/share/exo/fonts/   the toolkit's glyph atlases of FONTS (--fonts: made by tools/Exo.FontAtlas at build time)
#   usr/bin/play, usr/bin/record  links to exo/bin/play and exo/bin/record (the WAV player and the recorder through
#                 /dev/dsp), when --bin has them
#   usr/share/exo-tests/  the busybox test scripts of TESTS (userland/rootfs/tests: run by the boot tests, see
#                 tests/Exo.Kernel.BootTests/BusyboxTests.cs)
#   tmp (1777), dev, proc, sys, root (700), home, mnt, var, var/tmp (1777), run, usr/lib
# Modes: directories 755 unless said, programs (anything a package or --bin made executable) 755, other files
# 644. Owners and times are left to the archive writer (it stores 0 for both).
# Leaving out, in both: see below (documentation, translations, Python's test suites, glibc's gconv modules).
# Usage: make-rootfs.sh ROOT [--module base|debian] --debian DEBIAN --etc ETC [--tests TESTS] [--sounds SOUNDS] [--fonts FONTS] [--bin FILE...] [--config FILE...]
set -euo pipefail
say() { echo "make-rootfs: $*" >&2; }
root=$1; shift
debian="" etc="" tests="" sounds="" fonts="" bins=() configs=() list="" module=base
while [ $# -gt 0 ]; do
  case "$1" in
    --module) module=$2; shift 2 ;;
    --debian) debian=$2; shift 2 ;;
    --etc) etc=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --sounds) sounds=$2; shift 2 ;;
    --fonts) fonts=$2; shift 2 ;;
    --bin|--config) list=${1#--}; shift ;;
    --*) say "unknown option $1"; exit 2 ;;
    *) if [ "$list" = bin ]; then bins+=("$1"); elif [ "$list" = config ]; then configs+=("$1"); else say "unexpected $1"; exit 2; fi; shift ;;
  esac
done
[ -n "$debian" ] && [ -n "$etc" ] || { say "usage: make-rootfs.sh ROOT [--module base|debian] --debian DEBIAN --etc ETC --bin FILE... --config FILE..."; exit 2; }
case "$module" in base|debian) ;; *) say "--module $module: expected base or debian"; exit 2 ;; esac
[ -f "$debian/packages" ] || { say "$debian/packages is missing: run tools/scripts/fetch-debian-packages.sh"; exit 1; }
umask 022
rm -rf "$root"
mkdir -p "$root"

# Debian's packages of this module: refused if two provide the same file (dpkg would refuse too), in this module
# or the Debian root's against the base's.
base_packages=()
while read -r name version architecture checksum package_module; do
  [ "${package_module:-base}" = base ] && base_packages+=("$name")
done < "$debian/packages"
while read -r name version architecture checksum package_module; do
  [ "${package_module:-base}" = "$module" ] || continue
  unpacked="$debian/unpacked/$name"
  [ -d "$unpacked" ] || { say "$name $version is not unpacked in $unpacked"; exit 1; }
  while IFS= read -r -d '' path; do
    path=${path#./}
    if [ -e "$root/$path" ] || [ -L "$root/$path" ]; then
      say "$name and an earlier package both provide /$path"; exit 1
    fi
    if [ "$module" = debian ]; then
      for base in "${base_packages[@]}"; do
        if [ -e "$debian/unpacked/$base/$path" ] || [ -L "$debian/unpacked/$base/$path" ]; then
          say "$name and $base (root file system) both provide /$path"; exit 1
        fi
      done
    fi
  done < <(cd "$unpacked" && find . ! -type d -print0)
  cp -a --no-preserve=ownership "$unpacked/." "$root/"
done < "$debian/packages"
if [ -d "$root/usr/share/doc" ]; then
  find "$root/usr/share/doc" -mindepth 2 -maxdepth 2 ! -name copyright -exec rm -rf {} +
fi
rm -rf "$root/usr/share/man" "$root/usr/share/info" "$root/usr/share/lintian"
# Message translations (20 MB, most of coreutils and bash): the boot image has no locales (LANG unset: C).
rm -rf "$root/usr/share/locale"
# Python's own test suites and test extension modules (not the unittest framework), and the two extension modules
# whose libraries debian-packages leaves out (libdb5.3: _dbm; libnsl2: nis): `import` of them fails as for any
# missing module, not at ld.so.
python_library="$root/usr/lib/python3.11"
if [ -d "$python_library" ]; then
  rm -rf "$python_library/test"
  rm -f "$python_library"/lib-dynload/_test*.so "$python_library"/lib-dynload/_ctypes_test.*.so \
        "$python_library"/lib-dynload/_xxtestfuzz.*.so "$python_library"/lib-dynload/_dbm.*.so \
        "$python_library"/lib-dynload/nis.*.so
fi
# glibc's iconv modules (libc6's gconv: 8 MB, most of the package) stay out of the boot image, as out of slim container
# images: iconv between UTF-8, ASCII and Latin-1 works without them, other character sets fail (EINVAL).
rm -rf "$root/usr/lib/x86_64-linux-gnu/gconv"
# Whatever the umask was when they were unpacked: executables 755, other files 644, directories 755.
find "$root" -type d -exec chmod 755 {} +
find "$root" -type f -perm /111 -exec chmod 755 {} +
find "$root" -type f ! -perm /111 -exec chmod 644 {} +

if [ "$module" = debian ]; then
  # dpkg's alternatives, as the packages' postinst scripts would make them with update-alternatives.
  if [ -e "$root/usr/bin/gawk" ]; then
    mkdir -p "$root/etc/alternatives"
    ln -s /usr/bin/gawk "$root/etc/alternatives/awk"
    ln -s /etc/alternatives/awk "$root/usr/bin/awk"
  fi
  for file in "$etc"/*; do
    [ -f "$file" ] || { say "$file is not a regular file"; exit 1; }
    install -D -m 644 "$file" "$root/etc/$(basename "$file")"
  done
  if [ -n "$tests" ]; then
    for file in "$tests"/*; do
      [ -f "$file" ] || { say "$file is not a regular file"; exit 1; }
      install -D -m 644 "$file" "$root/usr/share/exo-tests/debian/$(basename "$file")"
    done
  fi
  strange=$(find "$root" ! -type f ! -type d ! -type l)
  [ -z "$strange" ] || { say "neither file, directory nor link: $strange"; exit 1; }
  exit 0
fi

# Exo-OS's own programs and init's configurations, under their base names.
install_all() { # mode directory file...
  local mode=$1 directory=$2 file; shift 2
  mkdir -p "$root/$directory"
  for file in "$@"; do
    [ ! -e "$root/$directory/$(basename "$file")" ] || { say "two files are named $directory/$(basename "$file")"; exit 1; }
    install -m "$mode" "$file" "$root/$directory/$(basename "$file")"
  done
}
install_all 755 exo/bin "${bins[@]}"
install_all 644 exo/config "${configs[@]}"
for program in play record; do
  if [ -e "$root/exo/bin/$program" ]; then
    mkdir -p "$root/usr/bin"
    ln -s "../../exo/bin/$program" "$root/usr/bin/$program"
  fi
done
# Build-made data files: install_data SOURCE-DIRECTORY GLOB TARGET-DIRECTORY (nothing without a source).
install_data() {
  [ -n "$1" ] || return 0
  mkdir -p "$root/$3"
  for file in "$1"/$2; do
    [ -f "$file" ] || { say "$file is not a regular file"; exit 1; }
    install -m 644 "$file" "$root/$3/$(basename "$file")"
  done
}
install_data "$sounds" '*.wav' usr/share/sounds/exo
install_data "$fonts" '*.atlas' usr/share/exo/fonts
mkdir -p "$root/etc"
for file in "$etc"/*; do
  [ -f "$file" ] || { say "$file is not a regular file"; exit 1; }
  rm -f "$root/etc/$(basename "$file")"
  install -m 644 "$file" "$root/etc/$(basename "$file")"
done
# The resolver's configuration is the DHCP lease's, as the kernel shows it (a DHCP client would write it here).
rm -f "$root/etc/resolv.conf"
ln -s /proc/posix_x/resolv.conf "$root/etc/resolv.conf"

if [ -n "$tests" ]; then
  mkdir -p "$root/usr/share/exo-tests"
  for file in "$tests"/*; do
    [ -f "$file" ] || { say "$file is not a regular file"; exit 1; }
    install -m 644 "$file" "$root/usr/share/exo-tests/$(basename "$file")"
  done
fi

# The empty directories of a Linux root.
for directory in dev proc sys home mnt var run usr/lib; do
  mkdir -p "$root/$directory"
done
install -d -m 1777 "$root/tmp" "$root/var/tmp"
install -d -m 700 "$root/root"

# busybox's applets, as its own `--install -s` and Debian's initramfs hook make them: one link per applet at the
# path busybox names, never replacing a file something else provides.
relative_to_busybox() { # applet path -> link target ("busybox" from bin/, "../../bin/busybox" from usr/bin/)
  local directory=$1 target="bin/busybox"
  while [ -n "$directory" ] && [ "${target%%/*}" = "${directory%%/*}" ] && [ "${target#*/}" != "$target" ]; do
    target=${target#*/}
    case "$directory" in */*) directory=${directory#*/} ;; *) directory="" ;; esac
  done
  while [ -n "$directory" ]; do
    target="../$target"
    case "$directory" in */*) directory=${directory#*/} ;; *) directory="" ;; esac
  done
  echo "$target"
}
if [ -e "$root/bin/busybox" ]; then
  applets=$("$root/bin/busybox" --list-full) || { say "cannot run $root/bin/busybox on this machine"; exit 1; }
  linked=0
  while IFS= read -r applet; do
    applet=${applet#/}
    [ -n "$applet" ] || continue
    if [ -e "$root/$applet" ] || [ -L "$root/$applet" ]; then continue; fi
    directory=$(dirname "$applet"); [ "$directory" != . ] || directory=""
    [ -z "$directory" ] || mkdir -p "$root/$directory"
    ln -s "$(relative_to_busybox "$directory")" "$root/$applet"
    linked=$((linked + 1))
  done <<< "$applets"
  [ "$linked" -gt 0 ] || { say "busybox --list-full named no applet"; exit 1; }
fi

# The writer refuses devices, FIFOs and sockets; say here which one it would be.
strange=$(find "$root" ! -type f ! -type d ! -type l)
[ -z "$strange" ] || { say "neither file, directory nor link: $strange"; exit 1; }
