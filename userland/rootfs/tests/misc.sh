# date, sleep, kill, timeout, env, id, hostname, uname, test, expr, seq, yes, clear, reset, true, false, basename.
rm -rf /tmp/misc; mkdir /tmp/misc && cd /tmp/misc || exit 1
echo "-- date"
date -u -d @0; date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S %a %b %j %s'; date -u -d '2024-02-29 12:34:56' +%s
TZ=UTC date -d @86400 -R; date -u -d @1000000000 -I 2>/dev/null || date -u -d @1000000000 +%F
now=$(date +%s); [ "$now" -gt 1600000000 ] && echo "date +%s: a plausible time"
date | grep -Eq '^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]{8} [A-Z]+ [0-9]{4}$' && echo "date: format ok"
date -u -d '@1700000000' -D '%s' 2>/dev/null | head -n 0
echo "-- sleep"
start=$(date +%s); sleep 1; sleep 0.5; end=$(date +%s); [ $((end - start)) -ge 1 ] && [ $((end - start)) -le 4 ] && echo "sleep 1.5: slept"
sleep 1s; sleep 0; echo "sleep status: $?"; sleep bad 2>/dev/null; echo "sleep bad: $?"
echo "-- kill"
kill -l | head -n 1 | tr -s ' \t' ' '; kill -l 9; kill -l 15; kill -l KILL 2>/dev/null
# When ash reaps a job a signal killed, it may print the signal's name ("Terminated", "Hangup") or not, by whether the
# child was gone before 'wait' ran (Linux under load differs from run to run): those lines go to /dev/null, the
# statuses stay.
{ sleep 10 & p=$!; kill -0 $p && echo "kill -0: alive"; kill -s TERM $p; wait $p; echo "kill -s TERM: $?"; } 2>/dev/null
# A background job of a shell without job control ignores SIGINT (POSIX), but only once its child has run that far
# after fork: a kill sent at once races with it (Linux answers 130 or 0 by which runs first). The job says when ready.
sh -c 'echo ready > int-ready; sleep 1' & p=$!
while [ ! -s int-ready ]; do sleep 0.1; done; kill -INT $p; wait $p; echo "kill -INT of a background job: $?"
sh -c 'kill -INT $$'; echo "kill -INT of a foreground one: $?"
{ sleep 10 & p=$!; kill -HUP $p; wait $p; echo "kill -HUP: $?"; } 2>/dev/null
kill -0 99999 2>/dev/null; echo "kill -0 of no process: $?"; kill 99999 2>&1 | sed 's/.*99999.*/kill: no such process/'
echo "-- timeout"
timeout 1 sleep 5; echo "timeout expired: $?"; timeout 5 true; echo "timeout not needed: $?"
timeout -s KILL 1 sleep 5; echo "timeout -s KILL: $?"; timeout 3 sh -c 'exit 4'; echo "timeout passes status: $?"
echo "-- env"
env -i A=1 B=two env | sort; env -i PATH=/bin sh -c 'echo "$PATH"'; env -u HOME sh -c 'echo "HOME=${HOME-unset}"'
X=exported env | grep '^X='; env -i FOO=bar sh -c 'env | grep FOO'; env false; echo "env false: $?"
echo "-- id, hostname, uname"
id | sed "s/ groups=0(root)$//"   # Linux here gives the script no supplementary group, init may
id -u; id -g; id -un; id -gn; id -G; id root; id -u nobody 2>/dev/null || echo "no user nobody"
hostname; cat /etc/hostname; uname; uname -s; uname -m; uname -n; uname -o; uname -r | grep -Eq '^[0-9]+\.[0-9]+' && echo "uname -r: a version"
uname -a | awk '{ print $1, $2 }'
echo "-- test"
t() { if test "$@"; then echo "test $*: true"; else echo "test $*: false"; fi; }
touch file; mkdir dir; ln -s file link; chmod 644 file
t -f file; t -d dir; t -e missing; t -L link; t -h link; t -s file; t -r file; t -w file; t -x file; t -x dir
t abc = abc; t abc != abc; t -z ""; t -n ""; t 3 -lt 10; t 3 -gt 10; t 5 -eq 5; t 5 -ne 5; t 4 -le 4; t 4 -ge 5
t file -nt missing; t ! -e missing; t -f file -a -d dir; t -f missing -o -d dir; [ "a" \< "b" ] && echo "[ a < b ]"
[ -c /dev/null ] && echo "/dev/null is a character device"; [ -p /dev/null ] || echo "/dev/null is not a FIFO"
test; echo "test with nothing: $?"; [ 1 -eq x ] 2>/dev/null; echo "bad integer: $?"
echo "-- expr"
expr 3 + 4; expr 10 / 3; expr 10 % 3; expr 6 \* 7; expr 5 \> 3; expr abc : 'a\(.\)'; expr length hello
expr substr hello 2 3; expr index hello l; expr 0; echo "expr 0: $?"; expr 1 = 1 \& 2; expr "" \| default
expr 4 - 9; expr x + 1 2>/dev/null; echo "expr bad: $?"
echo "-- seq"
seq 3; seq 2 4; seq 1 3 10; seq 5 -2 0; seq -s, 1 5; seq -w 8 11; seq 1.5 0.5 3 ; seq 3 1
echo "-- yes"
yes | head -n 3; yes hello | head -n 2; yes a b | head -n 1; yes | head -c 1000 | wc -c
echo "-- true, false, basename, dirname, others"
true; echo "true: $?"; false; echo "false: $?"; basename /a/b/c.txt .txt; dirname /a/b/c.txt; readlink -f /tmp/misc/link
printf 'x\n' | rev 2>/dev/null; echo "$(pwd)"; realpath link; which sh; which awk; type echo | sed 's/is a shell builtin/builtin/'
echo "-- clear, reset"
clear | od -An -c; TERM=vt100 reset 2>/dev/null < /dev/null | od -An -c | head -n 1; echo "reset: done"
