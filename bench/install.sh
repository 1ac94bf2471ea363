#!/usr/bin/env bash
# bench/install.sh [BUILD_DIR]
#
# Installing 100 small add-ons from a loopback registry: a real nginx on
# 127.0.0.1 (tests/integration/nginx-lib.sh) serving a registry built with
# `permit registry`. Time per add-on and where it goes, from the timings
# libpermit-registry keeps (permit install --json: network, hashing while
# streaming, verification = index signature + seal + trust rule + entry +
# unpacking + second verification, store = pins, renames, registry.json),
# the rest being the process (start, consent, grants.json). The peer, in the
# same run: `curl` fetching the same zip and `unzip` unpacking it, without
# any check: the floor of "download and unpack".
#
#   BUILD_DIR      meson build dir (default: build-bench, release)
#   BENCH_ADDONS   add-ons (default 100)
#   BENCH_HTTPS=1  over https with the test CA instead of http
#   BENCH_RESULTS  where install.md goes (default BUILD_DIR/bench-results)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
addons=${BENCH_ADDONS:-100}
. "$here/lib.sh"
bench_need install.sh nginx curl unzip zip python3
bench_build
. "$root/tests/integration/nginx-lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-bench-install.XXXXXX")
trap 'nginx_stop "$T/nginx"; rm -rf "$T"' EXIT
cd "$T"

echo "Building a registry of $addons add-ons..." >&2
"$permit" keygen -W -p reg.pub -s reg.key >/dev/null
"$permit" keygen -W -p dev.pub -s dev.key >/dev/null
"$permit" registry init www -s reg.key --name bench >/dev/null
for i in $(seq -w 1 "$addons"); do
        d=src/a$i
        mkdir -p "$d"
        cat >"$d/permit.json" <<EOF
{"id": "org.bench.addon$i", "name": "Bench $i", "version": "1.0.0", "publisher": "Bench",
 "entry": "main.py", "capabilities": [{"id": "sys.notify", "required": false, "reason": "says hello"}]}
EOF
        head -c 4096 /dev/urandom | base64 >"$d/main.py"
        (cd "$d" && zip -qr "$T/a$i.zip" .)
        "$permit" sign -s dev.key --no-minisig "a$i.zip" >/dev/null
        "$permit" registry add www -s reg.key -p dev.pub "a$i.zip" >/dev/null
done
"$permit" registry publish www -s reg.key --expires 7d >/dev/null
nginx_start "$T/nginx" "$T/www" >/dev/null

if [[ ${BENCH_HTTPS:-0} == 1 ]]; then
        base=$NGINX_HTTPS
        opts=(--ca-file "$NGINX_CA")
        curl_opts=(--cacert "$NGINX_CA")
else
        base=$NGINX_HTTP
        opts=(--allow-http-loopback)
        curl_opts=()
fi

now_ns() { date +%s%N; }

echo "Installing $addons add-ons with permit install..." >&2
mkdir -p profile
start=$(now_ns)
for i in $(seq -w 1 "$addons"); do
        "$permit" install "org.bench.addon$i" --profile profile --registry "$base/" --registry-key reg.pub \
                "${opts[@]}" --required-only --json --no-progress >>results.jsonl 2>/dev/null
done
permit_ns=$(($(now_ns) - start))
[[ $(ls profile/addons | wc -l) == "$addons" ]] || { echo "install.sh: not every add-on got installed" >&2; exit 1; }

echo "The peer: curl + unzip of the same packages..." >&2
mkdir -p peer
start=$(now_ns)
for i in $(seq -w 1 "$addons"); do
        curl -sf "${curl_opts[@]}" -o "peer/a$i.zip" "$base/packages/org.bench.addon$i/1.0.0.zip"
        unzip -qo "peer/a$i.zip" -d "peer/a$i"
done
peer_ns=$(($(now_ns) - start))

results=${BENCH_RESULTS:-$build/bench-results}
mkdir -p "$results"
python3 - "$permit_ns" "$peer_ns" "$addons" "$(uname -r)" "$(nproc)" "${BENCH_HTTPS:-0}" results.jsonl \
        <<'EOF' | tee "$results/install.md"
import json, sys
permit_ns, peer_ns, n, kernel, cores, https = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rows = [json.loads(l) for l in open(sys.argv[7]) if l.strip()]
t = {k: sum(r["timings"][k] for r in rows) / len(rows) / 1000 for k in ("network_us", "hash_us", "verify_us", "store_us")}
per = permit_ns / n / 1e6
peer = peer_ns / n / 1e6
rest = per - sum(t.values())
print(f"Installing {n} small add-ons from nginx on 127.0.0.1 ({'https' if https == '1' else 'http'}); "
      f"Debian 12, {cores} cores, kernel {kernel}")
print()
print("| per add-on | ms | share |")
print("|---|---:|---:|")
for name, key in (("network (index + signature + package)", "network_us"), ("hashing while streaming", "hash_us"),
                  ("verification (index, seal, trust, entry, unpack, re-verify)", "verify_us"),
                  ("store (pin, rename, registry.json)", "store_us")):
    print(f"| {name} | {t[key]:.2f} | {t[key] / per * 100:.0f}% |")
print(f"| the rest: process start, consent, grants.json | {rest:.2f} | {rest / per * 100:.0f}% |")
print(f"| **permit install, total** | **{per:.2f}** | 100% |")
print(f"| peer: curl + unzip (no checks) | {peer:.2f} | ratio {per / peer:.2f}x |")
print()
print(f"bytes per add-on: {sum(r['timings']['bytes'] for r in rows) / len(rows):.0f}, "
      f"requests per add-on: {sum(r['timings']['requests'] for r in rows) / len(rows):.1f}")
EOF
