#!/usr/bin/env bash
# Rebuilds the default model, models/default/vigil-default.model, from every dataset in replay-data/: the
# pipeline's labelled windows (vigil windows), then training with a fixed seed (vigil train). Same datasets and
# code, same bytes. The jars carry the model: rebuild them afterwards (mvn -B -q package -DskipTests), and check
# it with vigil evaluate. Extra arguments go to `vigil train` (e.g. --target-false-alerts 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=jobs/target/vigil.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
seed=20260214
model=models/default/vigil-default.model
windows=jobs/target/default-model-windows.jsonl.gz

mkdir -p "$(dirname "$model")"
# simulated datasets only: the real captures (source.json "kind": "real") are held out for evaluation
datasets=()
for d in replay-data/*/; do
  grep -qs '"kind" *: *"real"' "$d/source.json" || datasets+=("$d")
done
java -jar "$jar" windows "${datasets[@]}" --out "$windows"
java -jar "$jar" train --windows "$windows" --out "$model" --seed "$seed" "$@"
sha256sum "$model"
echo "next: mvn -B -q package -DskipTests && java -jar $jar evaluate --model $model replay-data/*/"
