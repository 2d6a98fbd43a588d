# Traps (EXIT, signals sent with kill), background jobs, wait, $!, signal exit statuses.
mkdir -p /tmp/jobs && cd /tmp/jobs || exit 1
echo "-- trap on EXIT"
sh -c 'trap "echo exit trap ran" EXIT; echo body'
sh -c 'trap "echo exit trap after exit 3" EXIT; exit 3'; echo "status $?"
echo "-- trap on a signal sent with kill"
sh -c 'trap "echo got USR1" USR1; kill -USR1 $$; echo after USR1'
sh -c 'trap "echo got TERM; exit 5" TERM; kill -TERM $$; echo not reached'; echo "status $?"
sh -c 'trap "" INT; kill -INT $$; echo INT ignored'
sh -c 'trap "echo HUP once" HUP; kill -HUP $$; trap - HUP; kill -HUP $$; echo not reached'; echo "status $?"
trap 'echo caught USR2 in the script' USR2
kill -USR2 $$
trap - USR2
echo "-- background jobs and wait"
sleep 1 & pid=$!
case $pid in ''|*[!0-9]*) echo "bad \$!: $pid" ;; *) echo "\$! is a number" ;; esac
wait $pid; echo "wait for sleep: $?"
( sleep 1; exit 9 ) & wait $!; echo "wait for subshell: $?"
for n in 1 2 3; do ( echo "job $n" > job$n.txt ) & done
wait; cat job1.txt job2.txt job3.txt
# ash may or may not print "Terminated" or "Killed" as it reaps these, by whether the job was gone before 'wait' ran
# (it changes from run to run on Linux): the shell's messages go to /dev/null, the statuses stay.
{ sleep 10 & victim=$!; kill $victim; wait $victim; echo "killed job: $?"; } 2>/dev/null
{ sleep 10 & victim=$!; kill -9 $victim; wait $victim; echo "killed with 9: $?"; } 2>/dev/null
echo "-- a signal handler interrupts wait"
sh -c 'trap "echo handler ran" USR1; sleep 5 & child=$!; (sleep 1; kill -USR1 $$) & wait $child; echo "wait returned $?"; kill $child; wait $child 2>/dev/null; echo done'
echo "-- traps in background jobs"
sh -c 'trap "echo child got TERM; exit 0" TERM; echo ready > ready.txt; while :; do sleep 1; done' & child=$!
while [ ! -s ready.txt ]; do sleep 1; done
kill -TERM $child; wait $child; echo "child status: $?"
trap 'echo script exit trap' EXIT
echo end of script
