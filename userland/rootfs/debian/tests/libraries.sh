# A dynamic program whose library is missing or broken: glibc's loader (ld.so) reports it with its own message and
# the program ends with status 127, never a fault (DebianRootTests: the same lines on Linux). grep needs libpcre2-8.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
library=$(readlink -f /usr/lib/x86_64-linux-gnu/libpcre2-8.so.0)
work=/tmp/libraries-test
rm -rf "$work"; mkdir -p "$work/lib"
echo "== missing"
busybox mv "$library" "$work/"
grep root /etc/passwd; echo "status $?"
busybox mv "$work/$(basename "$library")" "$library"
grep -c root /etc/passwd; echo "status $?"
echo "== truncated"
# 0 and 100 bytes: ld.so finds no whole ELF header or program header table ("file too short", "cannot read file
# data"). (A library cut after its program headers, 600 bytes, is SIGBUS on Linux, where ld.so touches its mapping
# past the end of the file; POSIX-X maps such pages as zeros and the program ends with SIGSEGV: not tested yet.)
for size in 0 100; do
    head -c "$size" "$library" > "$work/lib/libpcre2-8.so.0"
    LD_LIBRARY_PATH="$work/lib" grep root /etc/passwd; echo "$size bytes: status $?"
done
echo "== not a library"
printf 'this is a text file, long enough to hold an ELF header, but not ELF at all\n' > "$work/lib/libpcre2-8.so.0"
LD_LIBRARY_PATH="$work/lib" grep root /etc/passwd; echo "status $?"
echo "== large programs"
# Over the kernel heap's largest block (4 MiB), exec reads a program page by page: python3.11 (6.6 MiB) copied
# elsewhere runs, and 5 MiB that are not ELF are refused (bash: status 126).
cp /usr/bin/python3.11 "$work/python"
"$work/python" -c 'print("copied python runs")'; echo "status $?"
head -c 5242880 /dev/zero > "$work/zeros"; chmod +x "$work/zeros"
"$work/zeros"; echo "status $?"
echo "== missing program"
/usr/bin/no-such-program; echo "status $?"
rm -rf "$work"
