# Debian's python3 (DebianRootTests: the same lines on Linux, with the same python3.11 from this root).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
python3 -c 'import sys; sys.exit(7)'; echo "exit $?"
python3 -c 'raise ValueError("bad value")' 2>&1 | tail -1
echo 'print(sum(range(10)))' | python3 -
python3 -B /usr/share/exo-tests/debian/script.py one two
echo "script status $?"
