# DspBootTests' script (init=dsp_test.conf runs it as the console's program, under QEMU's intel-hda recording): waits
# for the audio service's channel (/dev/exo/audio), runs dsp_check (ioctls and back-pressure, with silence), play on
# each malformed WAV file (their errors), then play on the three sines a second apart (the host checks the recording).
# Each step ends with "dsp-test: NAME status N"; the last line is "dsp-test: done", then the console's login shell takes
# over (init would run the script again if it ended, and its tones would land in the recording).
sounds=/usr/share/sounds/exo
tries=0
while [ ! -e /dev/exo/audio ] && [ "$tries" -lt 300 ]; do
  sleep 0.1
  tries=$((tries + 1))
done
/exo/bin/dsp_check
echo "dsp-test: dsp_check status $?"
for name in truncated-header bad-chunk-size unsupported-8-bit unsupported-22k unsupported-float data-past-end; do
  play "$sounds/$name.wav" 2>&1
  echo "dsp-test: $name status $?"
done
play /nonexistent.wav 2>&1
echo "dsp-test: nonexistent status $?"
for name in sine-1k-48k-stereo sine-1k5-44k-mono sine-1k-48k-extensible; do
  sleep 1
  play "$sounds/$name.wav" 2>&1
  echo "dsp-test: $name status $?"
done
sleep 1
echo "dsp-test: done"
exec /bin/sh -l
