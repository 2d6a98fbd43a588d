#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, only when something is missing.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v nasm >/dev/null || need+=(nasm)
command -v ld >/dev/null || need+=(binutils)
command -v gcc >/dev/null || need+=(gcc)        # Linux test programs in C (userland/linux/*.c), built static without libc
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)   # the differential programs (userland/linux/differential), static glibc
command -v grub-mkrescue >/dev/null || need+=(grub-common)
[ -d /usr/lib/grub/i386-pc ] || need+=(grub-pc-bin)
command -v xorriso >/dev/null || need+=(xorriso)
command -v mformat >/dev/null || need+=(mtools)
command -v cpio >/dev/null || need+=(cpio)      # the host tests list the image tool's archives with GNU cpio
[ -x /usr/sbin/mke2fs ] && [ -x /usr/sbin/e2fsck ] && [ -x /usr/sbin/debugfs ] || need+=(e2fsprogs)   # the ext2/ext4 host tests make, check and read images
[ -x /usr/sbin/sfdisk ] || need+=(fdisk)   # util-linux's sfdisk writes the partition tables (MBR, GPT) of the storage host and boot tests
command -v dpkg-deb >/dev/null || need+=(dpkg)  # Debian's packages for the root file system (fetch-debian-packages.sh)
command -v gawk >/dev/null || command -v awk >/dev/null || need+=(gawk)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not found)."; exit 1; }
