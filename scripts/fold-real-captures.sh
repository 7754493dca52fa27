#!/usr/bin/env bash
# Folds the real captures in replay-data/real-*/ again with `vigil wrap-capture` (same bytes each time).
#
# Each capture's original conn.log is kept in its dataset (conn.log.gz / conn.json.gz, unchanged text), so this
# needs nothing outside the repository: it unpacks the original under target/captures/ with its upstream name and
# folds it again. To fold a fresh copy instead, put the upstream file (see each dataset's README for repository,
# path and commit) at target/captures/NAME first: it is used as it is, and source.json records the sha256 of its
# text, so a changed upstream file shows up as a diff.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=jobs/target/vigil.jar
[ -f "$jar" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }
mkdir -p target/captures

# dataset | upstream file name | hosts (empty: --host-count 4) | origin | licence
fold() {
  local dataset=$1 name=$2 hosts=$3 origin=$4 license=$5
  local src=target/captures/$name
  if [ ! -f "$src" ]; then
    local kept
    kept=$(ls replay-data/"$dataset"/conn.log.gz replay-data/"$dataset"/conn.json.gz 2>/dev/null | head -1)
    gunzip -c "$kept" > "$src"
  fi
  local args=(wrap-capture "$src" --out replay-data/"$dataset" --seed 1 --force --origin "$origin" --license "$license")
  if [ -n "$hosts" ]; then args+=(--hosts "$hosts"); else args+=(--host-count 4); fi
  echo "fold $dataset"
  java -jar "$jar" "${args[@]}"
}

fold real-wrccdc-2018-excerpt wrccdc-2018-03-24.conn.log "" \
  "WRCCDC 2018 (Western Regional Collegiate Cyber Defense Competition, 2018-03-24, packet captures published by WRCCDC), as Zeek conn.log: the excerpt file conn.log at the root of github.com/brimdata/zed, commit 71f236fe2d271856bd590938c858d3f74b7330b4 (an excerpt of the WRCCDC 2018 traffic that brimdata/zed-sample-data holds in full as zeek-default/conn.log.gz)." \
  "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/): data from the WRCCDC packet capture archives, processed with Zeek by Brim Data; see LICENSE.md beside this file."

fold real-nmap-vertical-scan nmap-vertical.conn.log "" \
  "A Zeek conn.log (JSON) of an nmap port scan of scanme.nmap.org from a home network: dataset/port-scans/vertical/conn.log in github.com/stratosphereips/StratosphereLinuxIPS (Slips, Stratosphere Laboratory, CTU Prague), added in commit 6518b5abba516fb62b6c8dd43593d5a3428ada3e, read at commit 12f4fd20559c11881ff292dca812eece3c4a6fc3." \
  "GPL-2.0 (the licence of the Slips repository it is distributed in); see LICENSE.md beside this file."

fold real-ctu-sme-11-win7 ctu-sme-11.conn.log.labeled "" \
  "CTU-SME-11 (Stratosphere Laboratory, CTU Prague; zenodo.org/records/7958259), capture Experiment-VM-Microsoft-Windows7full-3 of 2023-02-22, first 5000 packets, as Zeek conn.log with the authors' expert labels (two extra columns): dataset/test18-malicious-ctu-sme-11-win/zeek-labeled/conn.log.labeled in github.com/stratosphereips/StratosphereLinuxIPS, commit 12f4fd20559c11881ff292dca812eece3c4a6fc3 (added in da3414b6abf9a42f0abc56787bfd7833a8a031a6)." \
  "GPL-2.0 (the licence of the Slips repository it is distributed in); upstream dataset CTU-SME-11 on Zenodo under its own terms; see LICENSE.md beside this file."
