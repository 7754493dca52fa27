#!/usr/bin/env bash
# Renders a replay's report.html in headless Chromium (Debian's `chromium`) and checks it:
#   - the page is self-contained: no script, no external URL (src/href/url()/@import to http, https or //)
#   - Chromium renders it without reporting an error (exit code, and ERROR/console lines for the page)
#   - the screenshot exists and is not blank (enough distinct colours, enough non-background pixels)
# Usage: scripts/check-report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
# Needs chromium (apt-get install -y chromium) and python3. CI has neither: this is a manual/dev check.
set -euo pipefail

report=${1:?usage: check-report.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]}
png=${2:-${report%.html}.png}
size=${3:-1400,2000}
size=${size/x/,}

fail() { echo "check-report: $*" >&2; exit 1; }

[ -f "$report" ] || fail "no such file: $report"
command -v chromium >/dev/null || fail "chromium is not installed (apt-get install -y chromium)"

# 1. self-contained: nothing that would reach the network
if grep -n -i -E '<script|<link[^>]+href=|<img[^>]+src=["'"'"']?(https?:)?//|url\((["'"'"']?)(https?:)?//|@import|<iframe|<object|<embed' "$report" >&2; then
  fail "$report is not self-contained (see the lines above)"
fi
if grep -n -o -i -E '(src|href)=["'"'"']?(https?:)?//[^"'"'"' >]*' "$report" >&2; then
  fail "$report refers to the network (see the lines above)"
fi

# 2. render
profile=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$profile" "$log"' EXIT
rm -f "$png"
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
if ! timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-default-apps \
    --user-data-dir="$profile" --hide-scrollbars --enable-logging=stderr --v=0 \
    --screenshot="$png" --window-size="$size" "file://$abs" >"$log" 2>&1; then
  cat "$log" >&2
  fail "chromium failed on $report"
fi
# errors about the page itself (console errors, failed loads); Chromium's own start-up chatter on a
# headless box (dbus, GPU, sandbox notices) is not about the report
if grep -E 'CONSOLE|Uncaught|net::ERR_|Failed to load|Not allowed to load' "$log" >&2; then
  fail "chromium reported errors rendering $report (see above)"
fi
[ -s "$png" ] || { cat "$log" >&2; fail "no screenshot written to $png"; }

# 3. not blank
python3 - "$png" <<'PY' || exit 1
import struct, sys, zlib
path = sys.argv[1]
data = open(path, 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit("check-report: %s is not a PNG" % path)
pos, idat, width, height, ctype, depth = 8, b'', 0, 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b'IHDR':
        width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + length
if depth != 8 or ctype not in (2, 6):
    sys.exit("check-report: unexpected PNG format (depth %d, colour type %d)" % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colours, non_white = set(), 0
i = 0
for y in range(height):
    f = raw[i]; i += 1
    line = bytearray(raw[i:i + stride]); i += stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, stride, bpp * 2):
            px = bytes(line[x:x + 3])
            colours.add(px)
            if px != b'\xff\xff\xff':
                non_white += 1
    prev = line
sampled = (height + 3) // 4 * ((width + 1) // 2)
share = non_white / max(1, sampled)
print("check-report: %s %dx%d, %d colours, %.1f%% non-white" % (path, width, height, len(colours), 100 * share))
if len(colours) < 8 or share < 0.005:
    sys.exit("check-report: %s looks blank" % path)
PY
echo "check-report: ok: $report rendered to $png"
