#!/usr/bin/env bash
# Rewrites every dataset in replay-data/ with the commands in replay-data/README.md (same bytes each time).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=jobs/target/vigil.jar
[ -f "$jar" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }
grep -o '`vigil simulate --out replay-data/[^`]*`' replay-data/README.md | tr -d '`' | while read -r _ args; do
  echo "simulate $args"
  # shellcheck disable=SC2086
  java -jar "$jar" $args --force
done
