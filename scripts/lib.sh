# Shared helpers for scripts/*.sh (sourced, not executed).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Cargo's bin dir first: rustup, wasm-pack and wasm-bindgen live there.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

log() { printf '%s\n' "[$(date -u +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# Run as root, or through sudo when not root (fresh Debian machine).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif have sudo; then sudo "$@"
  else die "need root or sudo to run: $*"
  fi
}

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/^version = "|"$/, ""); print; exit }' \
    "$ROOT/Cargo.lock"
}

# Does this directory have an npm project with a lockfile?
npm_project() { [ -f "$1/package.json" ]; }

# Does package.json in $1 define script $2?
npm_has_script() {
  node -e 'const s=(require(require("path").resolve(process.argv[1],"package.json")).scripts||{}); process.exit(s[process.argv[2]]?0:1)' \
    "$1" "$2" 2>/dev/null
}

# Seconds → "4m05s".
fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
