#!/usr/bin/env bash
# The robustness boot tests' long variant (make soak SUITE=robustness [RUNS=3]): RobustnessTests RUNS times, the system
# call fuzzer making 100,000 calls ($EXO_FUZZ_CALLS to change it) from a new seed each run (printed: a failing run is
# made again with EXO_FUZZ_SEED=SEED), the malformed-file, fork-bomb and out-of-memory tests with it. One QEMU at a
# time. Ends with one line: "soak robustness: P passed, F failed (of R)"; exits 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "soak-robustness: RUNS must be a positive integer" >&2; exit 2; }
mkdir -p out/soak
passed=0
failed=0
for run in $(seq 1 "$runs"); do
  seed=$(( (RANDOM << 15 | RANDOM) ))
  log="out/soak/robustness-$run-seed$seed.log"
  echo "== run $run of $runs: EXO_FUZZ_CALLS=${EXO_FUZZ_CALLS:-100000} EXO_FUZZ_SEED=$seed"
  if EXO_FUZZ_CALLS="${EXO_FUZZ_CALLS:-100000}" EXO_FUZZ_SEED="$seed" dotnet test tests/Exo.Kernel.BootTests --nologo -v:q \
      -clp:NoSummary --filter "FullyQualifiedName~RobustnessTests" --logger "console;verbosity=detailed" > "$log" 2>&1; then
    passed=$((passed + 1))
    grep -E "system_call_fuzzer: seed [0-9]+: " "$log" | tail -1
    rm -f "$log"
  else
    failed=$((failed + 1))
    echo "run $run (seed $seed) FAILED: $log"
    grep -E "^\s+Failed |^\s+(after|run|[0-9]+ fuzz)" "$log" | head -20
  fi
done
echo "soak robustness: $passed passed, $failed failed (of $runs)"
[ "$failed" -eq 0 ]
