# CaptureBootTests' script (init=capture_test.conf runs it as the console's program): waits for the audio service's
# channel (/dev/exo/audio), runs `record check` (the capture ioctls, EAGAIN, an overrun), records 2 s of stereo and 1 s
# of mono, reads 47 blocks with dd, then a recording that the host ends by killing the audio service (the read must
# fail; one of fixed length could end first: idle guest time under -icount sleep=off runs ahead of the host's clock),
# and after the restart a new recording of 1 s (tried up to 5 times, a second apart, while the new service starts).
# Each step ends with "capture-test: NAME status N"; the last line is "capture-test: done", then the console's login
# shell takes over.
tries=0
while [ ! -e /dev/exo/audio ] && [ "$tries" -lt 300 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
record check
echo "capture-test: check status $?"
record 2 2
echo "capture-test: stereo status $?"
record 1 1
echo "capture-test: mono status $?"
dd if=/dev/dsp of=/tmp/capture.raw bs=4096 count=47 2>&1
echo "capture-test: dd status $? bytes $(wc -c < /tmp/capture.raw)"
record until-error 2
echo "capture-test: killed status $?"
tries=0
while [ ! -e /dev/exo/audio ] && [ "$tries" -lt 300 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
# The new service may not listen yet when the old one's end is seen: a few tries, a second apart.
attempt=0
status=1
while [ "$status" -ne 0 ] && [ "$attempt" -lt 5 ]; do
  attempt=$((attempt + 1))
  sleep 1
  record 1 2
  status=$?
done
echo "capture-test: after the restart status $status"
echo "capture-test: done"
exec /bin/sh -l
