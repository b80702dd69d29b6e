#!/usr/bin/env bash
# Set up a fresh Debian machine (as root or with sudo) for building, running and testing
# mmhs. Idempotent: installs only what is missing, so it is cheap to run every time
# (scripts/run.sh and scripts/test.sh both call it first).
#
#   - Debian packages: a C toolchain, curl, git, openssl, chromium, chromium-driver,
#     nodejs + npm, a JDK and Bouncy Castle (libbcprov-java, libbcpkix-java: the
#     third-party domain signatures of tests/interop_bc.rs) (apt-get update only when
#     something must be installed); postfix (no configuration, the system service never started)
#   - the webmail stack of the Roundcube e2e tests: roundcube + roundcube-sqlite3, php-cli
#     (+ php-cgi, php-sqlite3, php-mbstring, php-intl), dovecot-imapd — no database configured
#     by debconf, no web server, no system service started
#   - Rust (rustup, with rustfmt and clippy) when cargo is absent
#   - the wasm32-unknown-unknown target
#   - wasm-pack
#   - cargo-fuzz (scripts/fuzz.sh; libFuzzer is built with the C++ compiler of build-essential)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version pinned in Cargo.lock
#   - npm packages from the committed lockfiles (`npm ci`) of ./, www/ and webdriver/
#     when those have a package.json (./: binaryen's wasm-opt for scripts/build-wasm.sh;
#     Debian's binaryen 108 breaks wasm-bindgen's externref table and is not used)
#
# Environment: MMHS_RUST_TOOLCHAIN (default 1.95.0) is the toolchain installed when there is
# no cargo at all; an existing toolchain is used as it is.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

installed=()

# apt_install [--recommends] [--services "SVC…"] [--debconf "LINE"]… PACKAGE…: the one way this
# script installs Debian packages — without prompts (DEBIAN_FRONTEND=noninteractive, the given
# debconf answers), without recommended packages unless asked, and with no system service started: a policy-rc.d that refuses
# every service action is in place during the installation (one already present is kept), and
# the named services are disabled afterwards. apt-get update runs only here, so only when
# something is missing. Records the packages in `installed`.
apt_install() {
  local services="" debconf=() own_policy="" svc line rc=0 recommends=--no-install-recommends
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --recommends) recommends=--install-recommends; shift ;;
      --services) services="$2"; shift 2 ;;
      --debconf) debconf+=("$2"); shift 2 ;;
      *) break ;;
    esac
  done
  have apt-get || die "missing $* and no apt-get: install them by hand"
  log "setup: apt-get install $* (no service started)"
  export DEBIAN_FRONTEND=noninteractive
  for line in "${debconf[@]}"; do echo "$line" | as_root debconf-set-selections; done
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# mmhs setup: no service starts while packages are installed\nexit 101\n' |
      as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  { as_root apt-get update -qq && as_root apt-get install -y -qq "$recommends" "$@" </dev/null; } || rc=$?
  [ -n "$own_policy" ] && as_root rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || die "apt-get install $* failed"
  for svc in $services; do
    if have systemctl && [ -d /run/systemd/system ]; then
      as_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif have update-rc.d; then
      as_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  done
  installed+=("$@")
}

# ---------------------------------------------------------------- Debian packages
# command → package providing it
apt_needed=()
need_cmd() { have "$1" || apt_needed+=("$2"); }
need_cmd cc build-essential
need_cmd pkg-config pkg-config
need_cmd curl curl
need_cmd git git
need_cmd openssl openssl
# libcrypto to link against: benches/openssl-peer (OpenSSL in-process beside benches/webcrypto.mjs
# and benches/smime.rs)
[ -e /usr/include/openssl/cms.h ] || apt_needed+=(libssl-dev)
need_cmd chromium chromium
need_cmd chromedriver chromium-driver
need_cmd node nodejs
# Debian's nodejs has no npm; NodeSource's nodejs includes it (never install both).
if ! have npm; then apt_needed+=(npm); fi
[ -e /etc/ssl/certs/ca-certificates.crt ] || apt_needed+=(ca-certificates)
need_cmd javac default-jdk-headless
[ -e /usr/share/java/bcprov.jar ] || apt_needed+=(libbcprov-java)
[ -e /usr/share/java/bcpkix.jar ] || apt_needed+=(libbcpkix-java)

[ "${#apt_needed[@]}" -eq 0 ] || apt_install --recommends "${apt_needed[@]}"

# Postfix for the boundary agent's real-MTA test (tests/boundary_postfix.rs) and the Roundcube
# e2e (webdriver/tests/roundcube.test.mjs): Debian's postfix,
# installed without prompts (debconf "No configuration": no /etc/postfix/main.cf is written)
# and never started or enabled as the system service — a policy-rc.d that refuses every
# service action is in place during the installation (one already present is kept), and the
# tests start their own instances on loopback ports with their own config directories.
[ -x /usr/sbin/postfix ] ||
  apt_install --services postfix \
    --debconf "postfix postfix/main_mailer_type select No configuration" postfix
# The system service must not be running: the tests' instances use their own ports, and a
# machine-wide MTA on :25 is not ours to start. Right after our installation, a listener on
# :25 would be ours: fail; otherwise it belongs to the machine: warn.
if have ss && ss -ltn 2>/dev/null | awk '{print $4}' | grep -Eq '(^|:)25$'; then
  case " ${installed[*]} " in
    *" postfix "*) die "port 25 is listened on after installing postfix: the system service must not run" ;;
    *) log "setup: warning: something listens on port 25 (not started by this script)" ;;
  esac
fi

# Node: the www/ toolchain (ESLint 10) needs Node.js ^20.19 || ^22.13 || >= 24. Debian 13's
# nodejs is 20.19; Debian 12's is 18, too old: use NodeSource's nodejs 20/22 there.
node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);
    process.exit((a===20&&b>=19)||(a===22&&b>=13)||a>=24?0:1)'
}
node_ok || die "Node.js $(node --version) is too old: www/ needs ^20.19, ^22.13 or >= 24 (Debian 13's nodejs, or NodeSource's on Debian 12: https://github.com/nodesource/distributions)"

# ---------------------------------------------------------------- webmail stack (Roundcube e2e)
# Debian's roundcube and dovecot-imapd (postfix: above) for webdriver/tests/roundcube.test.mjs,
# which starts its own instances on loopback ports with configuration under a temporary
# directory. debconf: dbconfig-common does not configure a database (the test writes its own
# SQLite config); php8.2-cgi satisfies php's web-server SAPI without
# apache2 (libapache2-mod-php is excluded). While installing, a policy-rc.d refuses every service
# start (one already present is kept), so no system service runs afterwards.
webmail_needed=()
[ -e /var/lib/roundcube/index.php ] || webmail_needed+=(roundcube roundcube-core)
[ -e /usr/share/roundcube/program/lib/Roundcube/db/sqlite.php ] || webmail_needed+=(roundcube-sqlite3)
need_pkg_file() { [ -e "$1" ] || webmail_needed+=("$2"); }
need_pkg_file /usr/bin/php php-cli
need_pkg_file /usr/bin/php-cgi8.2 php8.2-cgi
need_pkg_file /usr/sbin/dovecot dovecot-imapd
need_pkg_file /usr/lib/dovecot/imap dovecot-imapd
if have php; then
  php_modules="$(php -m 2>/dev/null || true)"
  for mod in pdo_sqlite:php-sqlite3 mbstring:php-mbstring intl:php-intl; do
    grep -qx "${mod%%:*}" <<<"$php_modules" || webmail_needed+=("${mod#*:}")
  done
fi
# php8.2-cgi satisfies php's web-server SAPI; libapache2-mod-php8.2- keeps apache2 out.
[ "${#webmail_needed[@]}" -eq 0 ] ||
  apt_install --services dovecot \
    --debconf "roundcube-core roundcube/dbconfig-install boolean false" \
    "${webmail_needed[@]}" roundcube-sqlite3 php-cli php8.2-cgi php-sqlite3 php-mbstring \
    php-intl libapache2-mod-php8.2-
# No system mail service may listen (the tests' instances use their own high ports).
if have ss && ss -ltn 2>/dev/null | awk '{print $4}' | grep -Eq '(^|:)(25|110|143|587|993|995)$'; then
  log "setup: warning: something listens on a mail port (25/110/143/587/993/995), not started by this script"
fi

# ---------------------------------------------------------------- Rust
if ! have cargo; then
  toolchain="${MMHS_RUST_TOOLCHAIN:-1.95.0}"
  log "setup: installing Rust $toolchain with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --default-toolchain "$toolchain" -c rustfmt -c clippy
  installed+=("rust-$toolchain")
fi
have rustup || die "cargo without rustup (a distribution's cargo?): the wasm32 target needs rustup — install it from https://rustup.rs"
if have rustup; then
  cargo fmt --version >/dev/null 2>&1 || { rustup component add rustfmt; installed+=(rustfmt); }
  cargo clippy --version >/dev/null 2>&1 || { rustup component add clippy; installed+=(clippy); }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "setup: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
    installed+=(wasm32-unknown-unknown)
  fi
fi

# `cargo install --locked` first (reproducible); when a crate's own lockfile pins a version
# the registry no longer has (wasm-bindgen-cli 0.2.130 pins a yanked webpki-roots), retry
# without --locked.
cargo_install() {
  log "setup: cargo install $*"
  cargo install --locked "$@" || {
    log "setup: cargo install --locked $* failed; retrying without --locked"
    cargo install "$@"
  }
}

# ---------------------------------------------------------------- wasm-pack
# Any installed wasm-pack is used; a missing one is installed at the version tested here.
if ! have wasm-pack; then
  cargo_install "wasm-pack@${MMHS_WASM_PACK_VERSION:-0.15.1}"
  installed+=(wasm-pack)
fi

# ---------------------------------------------------------------- cargo-fuzz
if ! have cargo-fuzz; then
  cargo_install "cargo-fuzz@${MMHS_CARGO_FUZZ_VERSION:-0.13.2}"
  installed+=(cargo-fuzz)
fi

# ---------------------------------------------------------------- wasm-bindgen-cli
wb_version="$(wasm_bindgen_lock_version)"
[ -n "$wb_version" ] || die "no wasm-bindgen in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wb_version" ]; then
  cargo_install --force "wasm-bindgen-cli@$wb_version"
  installed+=("wasm-bindgen-cli@$wb_version")
fi

# ---------------------------------------------------------------- lockfiles
# Cargo.lock must be committed and match Cargo.toml (cargo would otherwise rewrite it and CI
# would build something nobody tested); the same for each package-lock.json (`npm ci`
# refuses a lockfile that does not match its package.json).
lockfiles=(Cargo.lock fuzz/Cargo.lock)
for dir in . www webdriver; do
  npm_project "$dir" || continue
  [ -f "$dir/package-lock.json" ] || die "$dir/package.json has no package-lock.json (run npm install there and commit it)"
  lockfiles+=("$dir/package-lock.json")
done
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  for f in "${lockfiles[@]}"; do
    git -C "$ROOT" ls-files --error-unmatch "$f" >/dev/null 2>&1 || die "$f is not committed"
  done
fi
cargo metadata --locked --format-version 1 >/dev/null ||
  die "Cargo.lock does not match Cargo.toml: run cargo build and commit Cargo.lock"
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null ||
  die "fuzz/Cargo.lock does not match fuzz/Cargo.toml: run cargo fuzz build and commit fuzz/Cargo.lock"

# ---------------------------------------------------------------- npm packages
# `npm ci` from the committed lockfile, skipped when node_modules was installed from this
# very lockfile and package.json (stamp: their sha256).
for dir in . www webdriver; do
  npm_project "$dir" || continue
  stamp="$dir/node_modules/.mmhs-lock-sha256"
  want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    log "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund </dev/null)
    printf '%s\n' "$want" >"$stamp"
    installed+=("npm:$dir")
  fi
done

if [ "${#installed[@]}" -gt 0 ]; then
  log "setup: installed ${installed[*]}"
else
  log "setup: everything already present"
fi
