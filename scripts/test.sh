#!/usr/bin/env bash
# THE test command: sets the machine up (scripts/setup.sh), then runs every check and test
# and ends with one summary line. Exits non-zero when anything failed.
#
#   scripts/test.sh                 # everything (what .ci/run runs)
#   scripts/test.sh native wasm     # only the named steps (setup always runs)
#   scripts/test.sh --list          # list the steps
#
# Steps (in order):
#   fmt        cargo fmt --check (the crate, fuzz/ and benches/openssl-peer/)
#   docs       every relative link in README.md and docs/*.md resolves, and every docs/*.md the
#              sources name exists (scripts/check-links.mjs)
#   clippy     cargo clippy --all-targets -D warnings (native), and the lib + wasm tests for
#              wasm32 (the wasm facade only exists there); the benches' OpenSSL peer
#              (benches/openssl-peer/); cargo doc with warnings as errors
#   native     cargo test (unit tests; the integration test binaries core, cli, interop, server,
#              boundary of Cargo.toml [[test]]; doc tests)
#   fuzz       scripts/fuzz.sh: every fuzz target of fuzz/ for a few seconds (smoke run;
#              MMHS_FUZZ_SECONDS per target, default 5); fails on a crash, timeout or OOM
#   pkg        scripts/build-wasm.sh (wasm-pack + wasm-opt): web → pkg/, nodejs → target/pkg-node/
#   wasm       wasm-pack test --headless --chrome (tests/wasm_*.rs in headless Chromium)
#   node       node --test tests/js/ against target/pkg-node
#   demo       scripts/run.sh --check: mmhs serve on free ports in a temp dir + a CLI round
#              trip through its webmail API and SMTP (compose → send → fetch → inspect)
#   www        www/: npm scripts build, lint, typecheck, test (those defined; when present)
#   e2e        webdriver/: npm test (browser end-to-end; when present)
#
# Environment for the www / e2e steps: MMHS_BIN (native mmhs binary), MMHS_PKG (pkg/),
# MMHS_PKG_NODE, CHROMEDRIVER, CHROMIUM, TEST_OUTPUT (screenshots etc., test-output/).
# MMHS_STEP_TIMEOUT: seconds one step may take before it is killed (default 2700).
# MMHS_TEST_SH=1 is exported to every step: a test that needs a machine component installed by
# scripts/setup.sh (tests/boundary_postfix.rs: Postfix) runs, and fails, rather than skip.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

ALL_STEPS=(fmt docs clippy native fuzz pkg wasm node demo www e2e)
if [ "${1:-}" = "--list" ]; then printf '%s\n' "${ALL_STEPS[@]}"; exit 0; fi
if [ "${1:-}" = "--in-step" ]; then
  STEPS=()
elif [ "$#" -gt 0 ]; then
  for s in "$@"; do
    printf '%s\n' "${ALL_STEPS[@]}" | grep -qx -- "$s" || die "unknown step '$s' (see --list)"
  done
  STEPS=("$@")
else
  STEPS=("${ALL_STEPS[@]}")
fi

export MMHS_TEST_SH=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}"
export CHROMIUM="${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
export MMHS_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mmhs"
export MMHS_PKG="$ROOT/pkg"
export MMHS_PKG_NODE="$ROOT/target/pkg-node"
export TEST_OUTPUT="${TEST_OUTPUT:-$ROOT/test-output}"
# Crypto in an unoptimised wasm test build is slow; give each browser test time.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
mkdir -p "$TEST_OUTPUT"

START=$(date +%s)
results=()   # "name|PASS/FAIL/SKIP|seconds|note"
failed=()

# run_step NAME: run step_NAME in its own process group under a time limit (a hung browser
# or server must not eat CI's 90 minutes), time and record it; never aborts the script.
STEP_TIMEOUT="${MMHS_STEP_TIMEOUT:-2700}"
STEP_PID=
run_step() {
  local name="$1" t0 rc dt
  t0=$(date +%s)
  log "==> $name"
  timeout --kill-after=30 "$STEP_TIMEOUT" "$ROOT/scripts/test.sh" --in-step "$name" &
  STEP_PID=$!
  wait "$STEP_PID"
  rc=$?
  STEP_PID=
  dt=$(( $(date +%s) - t0 ))
  if [ "$rc" -eq 0 ]; then
    results+=("$name|PASS|$dt|")
    log "<== $name: PASS ($(fmt_secs "$dt"))"
  else
    local note="exit $rc"
    [ "$rc" -eq 124 ] && note="timed out after $(fmt_secs "$STEP_TIMEOUT")"
    results+=("$name|FAIL|$dt|$note")
    failed+=("$name")
    log "<== $name: FAIL ($note, $(fmt_secs "$dt"))"
  fi
}
trap 'if [ -n "$STEP_PID" ]; then kill -TERM "$STEP_PID" 2>/dev/null; wait "$STEP_PID"; fi; log "interrupted"; exit 130' INT TERM
skip_step() { results+=("$1|SKIP|0|$2"); log "--- $1: skipped ($2)"; }

# ------------------------------------------------------------------ steps
step_fmt() {
  cargo fmt --all -- --check && cargo fmt --all --manifest-path fuzz/Cargo.toml -- --check &&
    cargo fmt --all --manifest-path benches/openssl-peer/Cargo.toml -- --check
}

step_docs() { node scripts/check-links.mjs; }

step_clippy() {
  cargo clippy --all-targets -- -D warnings || return 1
  local wasm_tests=()
  for f in tests/wasm_*.rs; do [ -e "$f" ] && wasm_tests+=(--test "$(basename "$f" .rs)"); done
  cargo clippy --target wasm32-unknown-unknown --lib "${wasm_tests[@]}" -- -D warnings || return 1
  # the read module (scripts/build-wasm.sh): the facade without its `send` feature
  cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings || return 1
  # benches/webcrypto.mjs's native peer (its own workspace; checked, not linked, here)
  cargo clippy --manifest-path benches/openssl-peer/Cargo.toml --target-dir "${CARGO_TARGET_DIR:-$ROOT/target}" \
    -- -D warnings || return 1
  # the API documentation builds without broken intra-doc links or stray HTML
  # (with the internals: public items name their internal homes; `unreachable_pub` in
  # src/lib.rs, not the docs, declares the public surface)
  RUSTDOCFLAGS="-D warnings -A rustdoc::private_intra_doc_links" cargo doc --no-deps --quiet --document-private-items
}

step_native() { cargo test --no-fail-fast; }

step_fuzz() { "$ROOT/scripts/fuzz.sh" "${MMHS_FUZZ_SECONDS:-5}"; }

step_pkg() {
  "$ROOT/scripts/build-wasm.sh" web pkg &&
    "$ROOT/scripts/build-wasm.sh" nodejs target/pkg-node
}

step_wasm() {
  # wasm-pack builds every test target for wasm32 (`cargo build --tests`), then runs only
  # the wasm_* ones: the native-only test binaries (tests/cli.rs, interop.rs, server.rs,
  # boundary.rs) and the native-only files of tests/core.rs start with
  # `#![cfg(not(target_arch = "wasm32"))]`.
  # A Chromium that fails to start ("failed to create a Chrome session") is retried once;
  # test failures are not.
  local out rc attempt
  out=$(mktemp)
  for attempt in 1 2; do
    wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" -- --test 'wasm_*' 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ] || ! grep -q "failed to create a Chrome session" "$out"; then break; fi
    log "wasm: Chromium did not start (attempt $attempt); retrying"
  done
  rm -f "$out"
  return "$rc"
}

step_node() { node --test tests/js/; }

step_demo() { "$ROOT/scripts/run.sh" --check --no-setup; }

step_www() {
  local s ran=0
  for s in build lint typecheck test; do
    if npm_has_script www "$s"; then
      log "www: npm run $s"
      (cd www && npm run --silent "$s" </dev/null) || return 1
      ran=1
    fi
  done
  [ "$ran" = 1 ] || { log "www: package.json defines none of build/lint/typecheck/test"; return 1; }
}

step_e2e() {
  npm_has_script webdriver test || { log "webdriver: package.json has no test script"; return 1; }
  # the e2e tests drive the native server and the built extension
  cargo build --bin mmhs || return 1
  (cd webdriver && npm test --silent </dev/null)
}

# Internal: `scripts/test.sh --in-step NAME` runs one step (what run_step starts).
if [ "${1:-}" = "--in-step" ]; then "step_$2"; exit $?; fi

# ------------------------------------------------------------------ run
log "setup"
if ! "$ROOT/scripts/setup.sh"; then
  log "TEST SUMMARY: FAIL — setup failed, nothing tested"
  exit 1
fi

for s in "${STEPS[@]}"; do
  case "$s" in
    www)
      if npm_project www; then run_step www; else skip_step www "no www/package.json"; fi ;;
    e2e)
      if npm_project webdriver; then run_step e2e; else skip_step e2e "no webdriver/package.json"; fi ;;
    *) run_step "$s" ;;
  esac
done

TOTAL=$(( $(date +%s) - START ))
echo
printf '%-8s %-5s %8s  %s\n' STEP RESULT TIME NOTE
for r in "${results[@]}"; do
  IFS='|' read -r n res dt note <<<"$r"
  printf '%-8s %-5s %8s  %s\n' "$n" "$res" "$(fmt_secs "$dt")" "$note"
done
echo
if [ "${#failed[@]}" -eq 0 ]; then
  echo "TEST SUMMARY: PASS — ${#results[@]} steps in $(fmt_secs "$TOTAL")"
  exit 0
else
  echo "TEST SUMMARY: FAIL — failed: ${failed[*]} (total $(fmt_secs "$TOTAL"))"
  exit 1
fi
