#!/usr/bin/env bash
# Build the wasm package: scripts/build-wasm.sh TARGET OUT_DIR   (TARGET: web | nodejs)
#
# The one recipe for the package the extension ships and the Node tests load
# (scripts/test.sh pkg, scripts/run.sh): `wasm-pack build --profile wasm-release` (Cargo.toml:
# opt-level "s", LTO, one codegen unit), then binaryen's wasm-opt from the npm package pinned in
# ./package-lock.json (Debian's wasm-opt 108 breaks wasm-bindgen's externref table, so
# wasm-pack's own wasm-opt run stays off). wasm-opt drops the name section (debug names) and
# the producers section; its optimisation passes are not run: on the opt-level "s" module
# -Os makes the raw file 8 % smaller but the gzipped one 8 % larger (docs/design.md).
# MMHS_WASM_OPT=0 skips it (a quicker build for local iteration).
#
# Two modules land in OUT_DIR: `mmhs.js` + `mmhs_bg.wasm`, every export (the package's main
# module), and `mmhs_read.js` + `mmhs_read_bg.wasm`, the same crate built without its default
# `send` feature: only the exports that read, verify and decrypt a message (docs/js-api.md
# "The read module"), which the extension loads first and alone when a message is opened.
# Sizes and speeds per setting: docs/design.md "Package size".
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[ $# -eq 2 ] || die "usage: scripts/build-wasm.sh web|nodejs OUT_DIR"
target="$1" out="$2"
case "$target" in web | nodejs) ;; *) die "unknown wasm-pack target $target" ;; esac

wasm-pack --quiet build --profile wasm-release --target "$target" --out-dir "$out"
# The read module: its own wasm-pack output directory (its package.json would replace the
# main one), then its four files beside the main module's.
read_dir="$out/.read"
rm -rf "$read_dir"
wasm-pack --quiet build --profile wasm-release --target "$target" --out-dir "$read_dir" \
  --out-name mmhs_read -- --no-default-features
for f in mmhs_read.js mmhs_read.d.ts mmhs_read_bg.wasm mmhs_read_bg.wasm.d.ts; do
  mv "$read_dir/$f" "$out/$f"
done
rm -rf "$read_dir"
node -e '
const fs = require("fs"), p = process.argv[1], pkg = JSON.parse(fs.readFileSync(p, "utf8"));
const read = ["mmhs_read.js", "mmhs_read.d.ts", "mmhs_read_bg.wasm"];
pkg.files = [...new Set([...(pkg.files ?? []), ...read])];
fs.writeFileSync(p, JSON.stringify(pkg, null, 2) + "\n");
' "$out/package.json"

if [ "${MMHS_WASM_OPT:-1}" = 0 ]; then
  log "build-wasm: wasm-opt skipped (MMHS_WASM_OPT=0)"
  exit 0
fi
wasm_opt="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || die "no $wasm_opt: run scripts/setup.sh (npm ci in the repository root)"
for wasm in "$out/mmhs_bg.wasm" "$out/mmhs_read_bg.wasm"; do
  # The features rustc enables by default for wasm32-unknown-unknown, and the vector
  # instructions (.cargo/config.toml) — the module's target_features section; wasm-opt must
  # accept every one the module uses, or it refuses it.
  "$wasm_opt" --strip-debug --strip-producers \
    --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue --enable-simd \
    "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  log "build-wasm: $wasm $(stat -c %s "$wasm") bytes, $(gzip -9c "$wasm" | wc -c) gzipped"
done
