#!/usr/bin/env bash
# Profiles the measured pipeline run of `vigil bench` and prints where the time goes.
#
#   scripts/profile-bench.sh [JAR] [DATASET] [FLOWS] [OUT_DIR] [PARALLELISM] [DRIFT_MS] [PROFILER]
#
# PROFILER is jfr (the default) or async. JFR samples only threads running Java code: a task thread's time in the
# JVM itself (collector barriers, allocation, stubs) and in native code is not there, so its share of the samples
# is not its share of the CPU (BENCHMARKS.md, 2026-12-06). async is async-profiler (Maven Central's
# tools.profiler:async-profiler, fetched with Maven), in itimer mode, which samples every frame; its stacks, one
# thread each, are summarised by scripts/collapsed-top.py.
#
# DRIFT_MS is --alignment-max-drift-ms: 0 (the default here) reads the topics bounded and unaligned, as fast as the
# job goes; the bench's default aligns the readers, which paces a backlog and profiles mostly waiting.
# Runs `vigil bench --phases pipeline` (which first runs the job once, unmeasured, to warm up the JIT),
# starts a JFR recording (profile settings) with jcmd when the measured run begins and stops it when the
# run ends, then aggregates the execution samples with scripts/jfr-top.py. Needs a JDK (jcmd, jfr) and
# python3. The recording and the summary stay in OUT_DIR.
set -euo pipefail

JAR=${1:-jobs/target/vigil.jar}
DATASET=${2:-replay-data/rome-2026-02}
FLOWS=${3:-200000}
OUT=${4:-$(mktemp -d -t vigil-profile-XXXXXX)}
PARALLELISM=${5:-2}
DRIFT_MS=${6:-0}
PROFILER=${7:-jfr}
ASYNC_PROFILER=tools.profiler:async-profiler:2.9
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
LOG=$OUT/bench.log

case "$PROFILER" in
  jfr) ;;
  async)
    case "$(uname -m)" in x86_64) ARCH=linux-x64 ;; aarch64) ARCH=linux-arm64 ;; *) echo "async-profiler: no library for $(uname -m)" >&2; exit 2 ;; esac
    mvn -B -q dependency:copy -Dartifact=$ASYNC_PROFILER -DoutputDirectory="$OUT" -Dmdep.stripVersion=true
    (cd "$OUT" && unzip -o -q async-profiler.jar "$ARCH/libasyncProfiler.so")
    LIB=$OUT/$ARCH/libasyncProfiler.so
    ;;
  *) echo "PROFILER must be jfr or async, not $PROFILER" >&2; exit 2 ;;
esac

java -Xmx4g -jar "$JAR" bench --dataset "$DATASET" --flows "$FLOWS" --parallelism "$PARALLELISM" --phases pipeline --alignment-max-drift-ms "$DRIFT_MS" --out "$OUT/bench.json" > "$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' INT TERM

wait_for() {
  until grep -q "^$1" "$LOG"; do
    if ! kill -0 $PID 2>/dev/null; then
      echo "the bench ended before '$1'; see $LOG" >&2
      exit 1
    fi
    sleep 0.1
  done
}

wait_for "pipeline:"
if [ "$PROFILER" = jfr ]; then
  jcmd $PID JFR.start name=vigil-profile settings=profile filename="$OUT/pipeline.jfr" > /dev/null
else
  java "$HERE/AttachAgent.java" $PID "$LIB" "start,event=itimer,interval=2ms,threads"
fi
wait_for "limit:"
if [ "$PROFILER" = jfr ]; then
  jcmd $PID JFR.stop name=vigil-profile > /dev/null
else
  java "$HERE/AttachAgent.java" $PID "$LIB" "stop,collapsed,threads,file=$OUT/pipeline.collapsed"
fi
wait $PID

if [ "$PROFILER" = jfr ]; then
  jfr print --stack-depth 300 --json --events jdk.ExecutionSample "$OUT/pipeline.jfr" > "$OUT/samples.json"
  python3 "$HERE/jfr-top.py" "$OUT/samples.json" | tee "$OUT/summary.txt"
else
  python3 "$HERE/collapsed-top.py" "$OUT/pipeline.collapsed" | tee "$OUT/summary.txt"
fi
grep -E 'pipeline_(seconds|cpu_seconds|records_per_cpu_s|per_cpu_vs)' "$LOG"
echo "recording, samples and summary in $OUT"
