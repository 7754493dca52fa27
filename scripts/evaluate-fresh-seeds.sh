#!/usr/bin/env bash
# Holds a model to issue #5's bar on datasets it never saw: simulates fresh seeds (one dataset per incident kind
# and a benign baseline, two batches of different sizes) into a temporary directory and runs `vigil evaluate`.
# Usage: scripts/evaluate-fresh-seeds.sh [MODEL] (default: the default model). Exit status: evaluate's (0 = passed).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=jobs/target/vigil.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
model=${1:-models/default/vigil-default.model}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
kinds=(rome stealth-miner tunnel-443 slow-scan proxied-miner exfiltration external-port-scan external-sweep udp-scan)
status=0
for batch in 1 2; do
  dir="$out/batch$batch"
  for i in "${!kinds[@]}"; do
    n=$((i + 1))
    if [ "$batch" = 1 ]; then
      args=(--seed "90$n" --nodes 4 --hours 2)
    else
      args=(--seed "77$n" --nodes 6 --hours 3 --start "2026-05-0${n}T06:00:00Z")
    fi
    echo "simulate ${kinds[$i]} ${args[*]}" >&2
    java -jar "$jar" simulate --out "$dir/${kinds[$i]}-s${args[1]}" "${args[@]}" --incident "${kinds[$i]}" >/dev/null
  done
  if [ "$batch" = 1 ]; then
    java -jar "$jar" simulate --out "$dir/baseline-s911" --seed 911 --nodes 6 --hours 3 --benign-only >/dev/null
  else
    java -jar "$jar" simulate --out "$dir/baseline-s780" --seed 780 --nodes 8 --hours 4 --benign-only >/dev/null
  fi
  echo "== batch $batch" 
  java -jar "$jar" evaluate --model "$model" "$dir"/*/ || status=$?
done
exit "$status"
