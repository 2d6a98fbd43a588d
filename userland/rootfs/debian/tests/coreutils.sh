# Debian's coreutils, findutils, grep, sed, gawk, less and procps in bash (DebianRootTests: the same lines on Linux).
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
work=/tmp/coreutils-test
rm -rf "$work"; mkdir "$work"; cd "$work" || exit 1
echo "== programs"
for program in ls sort cp du date find grep sed gawk awk less ps python3; do
    echo "$program: $(readlink -f "$(type -P "$program")")"
done
echo "== ls -l"
mkdir tree tree/sub
printf 'alpha\nbeta\n' > tree/a.txt
printf '%s\n' 30 4 200 > tree/numbers
ln -s a.txt tree/link
chmod 640 tree/a.txt
touch -d '2024-01-02 03:04:05' tree/a.txt tree/numbers tree/sub
touch -h -d '2024-01-02 03:04:05' tree/link
ls -l --time-style=long-iso tree
ls -ld --time-style=long-iso tree/sub
ls -1F tree
echo "== sort -n"
printf '%s\n' 10 9 100 -3 2.5 0 | sort -n
printf 'b 2\na 10\nc 1\n' | sort -k2,2n
sort -rn tree/numbers
echo "== cp -a"
cp -a tree copy
ls -l --time-style=long-iso copy
cmp tree/numbers copy/numbers && echo "numbers copied"
echo "== du -sh"
head -c 1048576 /dev/zero > big
du -sh big tree copy
du -sh --apparent-size big tree/a.txt
du -s tree copy .
echo "== date"
date -d @0 -u
date -u -d '2024-02-29 12:00:00' '+%A %j %s'
TZ=UTC date -d @1700000000 '+%F %T'
echo "== pipelines"
find /usr/lib/python3.11/json -name '*.py' | sort | sed 's|.*/||' | gawk '{ n += length($0); print NR ": " $0 } END { print "characters", n }'
grep -c '^root:' /etc/passwd
gawk -F: '{ print $1, $NF }' /etc/passwd
printf 'one two\nthree four five\n' | gawk '{ words += NF } END { printf "%d words, %d lines\n", words, NR }'
seq 1 100 | grep 7 | tr '\n' ' '; echo
seq 1 20 | grep -E '^1' | sed -n '2,4p' | gawk '{ sum += $1 } END { print "sum", sum }'
find tree copy -type f | sort | xargs wc -c | sort -n
sed -e 's/alpha/ALPHA/' -e '1i header' tree/a.txt
printf 'x=1\ny=2\n' | sed -E 's/([a-z])=([0-9])/\2:\1/'
grep -rn beta tree | sort
find tree -newer tree/numbers -type f | sort
find . -maxdepth 2 -name '*.txt' -printf '%p %s\n' | sort
echo "== checksums and stat"
printf 'exo' | sha256sum
md5sum tree/numbers
stat -c '%n %s %a %F' tree/a.txt tree/link tree/numbers
echo "== less and procps"
printf 'first\nsecond\n' | less
ps -o comm= -p $$
free | head -1 | tr -s ' '
top -b -n 1 | sed -n '7s/ \+/ /gp' | cut -d' ' -f2-13
read -r size resident shared text lib data dt < /proc/self/statm
[ "$size" -ge "$resident" ] && [ "$resident" -gt 0 ] && [ "$text" -gt 0 ] && echo "statm: size >= resident > 0, text > 0"
cd /; rm -rf "$work"
