# The system's state: ps, top -bn1, free, df, du, mount, umount, uptime. Most need /proc; numbers that differ from
# one machine to another (pids, times, memory, sizes) are replaced here, in the script, by N.
rm -rf /tmp/system; mkdir /tmp/system && cd /tmp/system || exit 1
numbers() { sed -E 's/[0-9]+(\.[0-9]+)?[KMGT%]?/N/g; s/  +/ /g'; }
echo "-- ps"
sleep 30 & p=$!
ps | head -n 1 | numbers
ps | awk -v p=$p '$1 == p { print "ps shows the sleep:", $NF == "30" ? "sleep 30" : $0 }'
ps -o pid,comm | awk -v p=$p '$1 == p { print "ps -o comm:", $2 }'
ps -o pid,ppid,args | awk -v p=$p -v me=$$ '$1 == p { print "ps -o ppid is the shell:", $2 == me, $3, $4 }'
kill $p; wait $p 2>/dev/null
ps | awk -v p=$p '$1 == p { print "still there" }'; echo "ps: the sleep is gone"
echo "-- top -bn1"
top -bn1 > top.out; echo "top status: $?"
head -n 1 top.out | sed -E 's/^(Mem):.*/\1: .../'
sed -n '2p' top.out | sed -E 's/^(CPU):.*/\1: .../'
sed -n '3p' top.out | sed -E 's/^(Load average):.*/\1: .../'
sed -n '4p' top.out | numbers
grep -c ' top -bn1' top.out
echo "-- free"
free | head -n 1 | numbers; free | awk 'NR == 2 { print $1, ($2 > 0 && $3 >= 0 && $4 >= 0) ? "numbers" : $0 }'
free -m | awk 'NR == 2 { print $1, ($2 > 0) ? "megabytes" : $0 }'; free | awk 'NR == 3 { print $1 }'
echo "-- uptime"
uptime | grep -Eq '^ *[0-9:]+ up .*load average: [0-9.]+, [0-9.]+, [0-9.]+$' && echo "uptime: format ok"
echo "-- mount, umount, df"
mount | grep -Eq ' on / type ' && echo "mount lists /"
mount | grep -Eq '^proc on /proc type proc' && echo "mount lists /proc"
mkdir m; mount -t tmpfs -o size=1m tmpfs m; echo "mount tmpfs: $?"
mount | grep " on /tmp/system/m " | sed 's/(.*)/(OPTIONS)/'
echo data > m/file; cat m/file; df m | tail -n 1 | awk '{ print $1, $NF, ($2 > 0) ? "has a size" : $2 }'
df -k m | head -n 1 | numbers; df -h / | head -n 1
umount m; echo "umount: $?"; [ -e m/file ] || echo "the file went with the mount"
umount m 2>/dev/null; echo "umount again: $?"
df | head -n 1; df / | tail -n 1 | awk '{ print ($2 >= 0 && $4 >= 0) ? "df /: numbers" : $0, $NF }'
echo "-- du"
mkdir -p t/a t/b; seq 1 1000 > t/a/f; seq 1 10 > t/b/g
du t | awk '{ print $2 }' | sort; du -s t | awk '{ print ($1 > 0) ? "du -s: some blocks" : $0, $2 }'
du -a t | awk '{ print $2 }' | sort; du -k -s t/a | awk '{ print ($1 >= 4) ? "du -k: at least 4" : $1 }'
du -h -s t | awk '{ print $2 }'; du -c t/a t/b | tail -n 1 | awk '{ print $2 }'
