#!/usr/bin/env bash
# Run every fuzz target of fuzz/ (cargo-fuzz, libFuzzer) for a bounded time each, and print
# a table of target / executions / coverage / corpus size. Fails when any target crashes,
# takes more than 1 s on one input (30 s for the two key imports, whose PBKDF work is bounded
# by keys::pbe::MAX_ITERATIONS), or goes over 2 GiB (libFuzzer writes the input to
# fuzz/artifacts/TARGET/; docs/security.md says what to do with it).
#
#   scripts/fuzz.sh              # 60 s per target
#   scripts/fuzz.sh 5            # 5 s per target (the `fuzz` step of scripts/test.sh)
#   scripts/fuzz.sh 120 verify   # only the named targets
#
# Each target's corpus is fuzz/corpus/TARGET (git-ignored, kept between runs), seeded on
# every run from the committed fuzz/seeds/TARGET and from tests/vectors (SEEDS below).
# `cargo fuzz run` needs nightly-only rustc flags; RUSTC_BOOTSTRAP=1 allows them on stable.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/fuzz" || exit 1

SECONDS_EACH="${1:-60}"
shift || true
case "$SECONDS_EACH" in '' | *[!0-9]*) die "usage: scripts/fuzz.sh [SECONDS] [TARGET…]" ;; esac
export RUSTC_BOOTSTRAP=1
have cargo-fuzz || die "cargo-fuzz is not installed (scripts/setup.sh installs it)"

# Seeds from tests/vectors (globs relative to the repository root), per target.
declare -A SEEDS=(
  [verify]="tests/vectors/*/*.eml tests/vectors/*/*.inner tests/vectors/*/*.inner.inner tests/vectors/compose/*.eml tests/vectors/johnny/*/*.eml tests/vectors/verify/*/*.eml tests/vectors/verify/attacks/generated/*.eml"
  [inspect]="tests/vectors/mmhs/*.eml tests/vectors/compose/*.eml tests/vectors/covert/*.eml"
  [content]="tests/vectors/compose/*.eml tests/vectors/mmhs/*.eml tests/vectors/header-protection/*.eml tests/vectors/johnny/*/*.eml tests/vectors/covert/*.eml"
  [mime_header]="tests/vectors/mmhs/*.eml tests/vectors/header-protection/*.eml tests/vectors/johnny/*/*.eml"
  [ber]="tests/vectors/*/*.bin tests/vectors/*/*.cms tests/vectors/*/*.der tests/vectors/*/*.ber tests/vectors/*/*.cer tests/vectors/*/*.crl tests/vectors/*/*.pfx"
  [pkcs12]="tests/vectors/*/*.pfx"
  [compose]="tests/vectors/compose/*.json"
  [sign]="tests/vectors/compose/*.eml tests/vectors/mmhs/*.eml tests/vectors/header-protection/*.eml"
  [ml_expansion]="tests/vectors/openssl/*.eml tests/vectors/rfc4134/*.eml"
)

mapfile -t ALL < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -vx mmhs-fuzz)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

log "fuzz: building ${#TARGETS[@]} targets"
cargo fuzz build -s none || die "fuzz: build failed"

rows=()
failed=()
for t in "${TARGETS[@]}"; do
  corpus="corpus/$t"
  mkdir -p "$corpus" "artifacts/$t"
  [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "$corpus"/ 2>/dev/null
  for g in ${SEEDS[$t]:-}; do
    for f in "$ROOT"/$g; do
      [ -f "$f" ] && cp -n "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  done
  # The Autocrypt PKCS#12 is PEM-armoured; the target reads DER.
  if [ "$t" = pkcs12 ] && [ ! -e "$corpus/autocrypt-bob.p12.der" ]; then
    sed '/^-----/d' "$ROOT/tests/vectors/autocrypt/bob.p12" | base64 -d >"$corpus/autocrypt-bob.p12.der"
  fi
  # Key imports run up to keys::pbe::MAX_ITERATIONS PBKDF rounds by design (a password-based
  # file the user chose; bounded, but seconds of work): their per-input limit is 30 s.
  case "$t" in pkcs12 | encrypted_pkcs8) per_input=30 ;; *) per_input=1 ;; esac
  out=$(mktemp)
  log "fuzz: $t for ${SECONDS_EACH}s ($(find "$corpus" -type f | wc -l) inputs in the corpus)"
  cargo fuzz run -s none "$t" "$corpus" -- \
    -max_total_time="$SECONDS_EACH" -timeout="$per_input" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"$out" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$out" | tail -n 1 | cut -d' ' -f2)
  size=$(find "$corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAIL ($(grep -m1 -o 'ERROR: libFuzzer: [a-z-]*\|panicked at [^ ]*' "$out" || echo "exit $rc"))"
    failed+=("$t")
    grep -A30 -m1 'panicked at\|ERROR: libFuzzer' "$out" >&2
    log "fuzz: $t failed; input saved under fuzz/artifacts/$t/"
  fi
  rows+=("$t|${execs:-?}|${cov:-?}|${ft:-?}|$size|$result")
  rm -f "$out"
done

echo
printf '%-16s %12s %8s %8s %8s  %s\n' TARGET EXECUTIONS COVERAGE FEATURES CORPUS RESULT
for r in "${rows[@]}"; do
  IFS='|' read -r t e c f s res <<<"$r"
  printf '%-16s %12s %8s %8s %8s  %s\n' "$t" "$e" "$c" "$f" "$s" "$res"
done
echo
if [ "${#failed[@]}" -gt 0 ]; then
  log "fuzz: FAIL — ${failed[*]}"
  exit 1
fi
log "fuzz: ${#TARGETS[@]} targets, ${SECONDS_EACH}s each, no crash, timeout or OOM"
