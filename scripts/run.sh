#!/usr/bin/env bash
# THE main-job command: set the machine up, build the wasm core and the browser extension,
# and run the reference webmail with its SMTP submission agent on embedded defaults.
#
#   scripts/run.sh                       # setup, build, serve on 127.0.0.1:8025 until Ctrl-C
#   scripts/run.sh --no-browser          # same, never launch chromium
#   scripts/run.sh --data DIR --http ADDR --smtp ADDR
#   scripts/run.sh --check [--no-setup]  # CI round trip (scripts/test.sh step `demo`), see below
#                                        # (MMHS_CHECK_KEEP=1 keeps its temp dir)
#
# Idempotent: setup installs only what is missing; builds are incremental; the data directory
# (default ./data: config.json, mail.sqlite, pki/) is created on the first run and reused
# afterwards, so mail, users and the demo PKI survive restarts. Delete ./data to start over.
#
# --check: start `mmhs serve` on free ports in a temporary data directory, wait until the
# webmail answers, then a CLI round trip through the real server: `mmhs compose` a FLASH
# message from bob to alice, `mmhs sign` it with bob's demo PKCS#12, `mmhs encrypt` it to
# alice and bob, submit it with the webmail's JSON API (which submits it over SMTP), fetch
# it back from alice's Inbox, `mmhs inspect` it (FLASH, MT-Priority 4), `mmhs verify` it with
# alice's PKCS#12 against the demo CA (decrypted, valid, trusted; `mmhs decrypt` too); bob gets
# the success DSN he asked for (NOTIFY=SUCCESS; the request also sets latestDelivery, so the
# envelope carries BY). A message from alice, whose policy needs a release officer, must land
# in the officer's Release queue instead of bob's Inbox. Exits non-zero on any failure (the
# server log is printed). Skips the wasm and extension builds (scripts/test.sh has steps for
# those).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

SETUP=1 CHECK=0 BROWSER=1
DATA="$ROOT/data" HTTP=127.0.0.1:8025 SMTP=127.0.0.1:2587
while [ "$#" -gt 0 ]; do
  case "$1" in
    --check) CHECK=1 ;;
    --no-setup) SETUP=0 ;;
    --no-browser) BROWSER=0 ;;
    --data) DATA="${2:?--data needs a directory}"; shift ;;
    --http) HTTP="${2:?--http needs host:port}"; shift ;;
    --smtp) SMTP="${2:?--smtp needs host:port}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done

[ "$SETUP" = 1 ] && "$ROOT/scripts/setup.sh"

MMHS="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mmhs"
log "run: cargo build --bin mmhs"
cargo build --quiet --bin mmhs

# The demo users `mmhs serve` creates on first run (src/server/config.rs DEMO_USERS): the
# password of each is "<local part>-demo".
demo_password() { printf '%s-demo' "${1%@*}"; }

# json FILE EXPR: evaluate a JS expression over the JSON document `j` in FILE.
json() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const bare=(s)=>String(s||"").replace(/^<|>$/g,""); const v=('"$2"'); if (v===undefined) process.exit(3); console.log(typeof v==="string"?v:JSON.stringify(v))' "$1" "${@:3}"; }

# start_serve DATA HTTP SMTP LOG: start `mmhs serve` in the background (pid in SERVE_PID)
# and wait until it prints its webmail URL (in WEBMAIL) and answers HTTP.
SERVE_PID=
start_serve() {
  local data="$1" http="$2" smtp="$3" logf="$4"
  "$MMHS" serve --data "$data" --http "$http" --smtp "$smtp" >"$logf" 2>&1 &
  SERVE_PID=$!
  WEBMAIL=
  for _ in $(seq 1 240); do
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      cat "$logf" >&2
      die "mmhs serve exited (see its output above)"
    fi
    WEBMAIL="$(sed -n 's|^mmhs serve: webmail *\(http://[^ ]*\)$|\1|p' "$logf" | head -n1)"
    if [ -n "$WEBMAIL" ] && curl -fsS -o /dev/null --max-time 5 "${WEBMAIL}login"; then
      return 0
    fi
    sleep 0.5
  done
  cat "$logf" >&2
  die "mmhs serve did not answer on HTTP within 120 s"
}
stop_serve() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -INT "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  SERVE_PID=
}

# The demo PKCS#12 files `mmhs serve` writes (data/pki/<address>.p12) and their password
# (src/server/pki.rs DEMO_P12_PASSWORD, printed in the server's banner).
p12_password() {
  sed -n 's/^.*PKCS#12 password "\([^"]*\)".*$/\1/p' "$1" | head -n1 | grep . || echo mmhs-demo
}

# ------------------------------------------------------------------ --check
if [ "$CHECK" = 1 ]; then
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/mmhs-check.XXXXXX")"
  ok=0
  cleanup() {
    stop_serve
    if [ "$ok" = 1 ] && [ -z "${MMHS_CHECK_KEEP:-}" ]; then rm -rf "$TMP"; else log "check: kept $TMP for inspection"; fi
  }
  trap cleanup EXIT
  fail() {
    log "check: FAIL: $*"
    if [ -s "$TMP/serve.log" ]; then log "check: server output:"; sed "s/^/    /" "$TMP/serve.log" >&2; fi
    exit 1
  }
  for sub in compose inspect; do
    "$MMHS" "$sub" --help >/dev/null 2>&1 || fail "the CLI has no '$sub' subcommand (mmhs $sub --help)"
  done

  log "check: mmhs serve --data $TMP/data (ephemeral ports)"
  start_serve "$TMP/data" 127.0.0.1:0 127.0.0.1:0 "$TMP/serve.log"
  log "check: webmail answers at $WEBMAIL"
  for f in config.json mail.sqlite pki/ca.cert.pem pki/alice@army.example.key.pem; do
    [ -s "$TMP/data/$f" ] || fail "first run did not create $f"
  done
  P12PW="$(p12_password "$TMP/serve.log")"
  for u in alice@army.example officer@army.example bob@navy.example; do
    openssl pkcs12 -in "$TMP/data/pki/$u.p12" -passin "pass:$P12PW" -noout 2>/dev/null ||
      fail "the demo PKCS#12 of $u does not open with the password \"$P12PW\" (openssl pkcs12)"
  done

  # api METHOD PATH [TOKEN] [BODY-FILE] → body on stdout, fails on HTTP >= 400
  api() {
    local args=(-sS --max-time 30 -X "$1" -H 'Accept: application/json' -w '\n%{http_code}')
    [ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
    [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "@$4")
    local out code
    out="$(curl "${args[@]}" "${WEBMAIL%/}$2")" || return 1
    code="${out##*$'\n'}"
    printf '%s\n' "${out%$'\n'*}"
    [ "$code" -lt 400 ] || { log "check: $1 $2 → HTTP $code: ${out%$'\n'*}"; return 1; }
  }
  login() {
    printf '{"address":"%s","password":"%s"}' "$1" "$(demo_password "$1")" >"$TMP/login.json"
    api POST /api/login "" "$TMP/login.json" >"$TMP/login.out" || fail "login as $1"
    json "$TMP/login.out" j.token
  }
  has_sub() { "$MMHS" "$1" --help >/dev/null 2>&1; }
  PKI="$TMP/data/pki"
  # submit NAME FROM TO PRECEDENCE [secure]: compose a message (with "secure": sign it with
  # the originator's demo PKCS#12 and encrypt it to the recipient and the originator, when
  # the CLI has sign/encrypt), send it through the webmail API; prints its Message-ID.
  submit() {
    local name="$1" from="$2" to="$3" prec="$4" secure="${5:-}" token msg
    cat >"$TMP/$name.request.json" <<EOF
{
  "from": "$from",
  "to": ["$to"],
  "subject": "run.sh --check $name",
  "primaryPrecedence": "$prec",
  "messageType": "drill",
  "latestDelivery": "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)",
  "notify": ["success", "failure"],
  "body": "Round trip of scripts/run.sh --check.\n"
}
EOF
    "$MMHS" compose "$TMP/$name.request.json" --out "$TMP/$name" >"$TMP/$name.compose.json" ||
      fail "mmhs compose $name"
    if ! [ -s "$TMP/$name/01.eml" ] || ! [ -s "$TMP/$name/01.envelope.json" ]; then
      fail "mmhs compose wrote no 01.eml / 01.envelope.json"
    fi
    msg="$TMP/$name/01.eml"
    if [ -n "$secure" ] && has_sub sign; then
      MMHS_CHECK_PASSWORD="$P12PW" "$MMHS" sign "$msg" --p12 "$PKI/$from.p12" \
        --password-env MMHS_CHECK_PASSWORD >"$TMP/$name/signed.eml" || fail "mmhs sign $name"
      msg="$TMP/$name/signed.eml"
      log "check: signed with $from's PKCS#12"
    fi
    if [ -n "$secure" ] && has_sub encrypt; then
      "$MMHS" encrypt "$msg" --to "$PKI/$to.cert.pem" --to "$PKI/$from.cert.pem" \
        >"$TMP/$name/encrypted.eml" || fail "mmhs encrypt $name"
      msg="$TMP/$name/encrypted.eml"
      log "check: encrypted to $to and $from"
    fi
    node -e '
      const fs = require("fs"), [eml, env, out] = process.argv.slice(1);
      const raw = fs.readFileSync(eml), envelope = JSON.parse(fs.readFileSync(env, "utf8"));
      if (envelope.mailParams && "size" in envelope.mailParams) envelope.mailParams.size = raw.length;
      fs.writeFileSync(out, JSON.stringify({ raw: raw.toString("base64"), encoding: "base64", envelope }));
    ' "$msg" "$TMP/$name/01.envelope.json" "$TMP/$name.send.json"
    token="$(login "$from")"
    api POST /api/send "$token" "$TMP/$name.send.json" >"$TMP/$name.send.out" ||
      fail "webmail /api/send of $name"
    json "$TMP/$name.compose.json" 'j[0].messageId'
  }
  # wait_match USER FOLDER JS-PREDICATE ARG [TRIES]: poll the folder (every 0.25 s, default
  # 40 times) for a message `m` (its summary) for which the predicate holds (`a` = ARG);
  # prints the stored message id.
  wait_match() {
    local token id
    token="$(login "$1")"
    for _ in $(seq 1 "${5:-40}"); do
      api GET "/api/folders/$2/messages" "$token" >"$TMP/list.json" || fail "list $1 $2"
      id="$(json "$TMP/list.json" "(j.messages.find(m => { const a = process.argv[2]; return $3; }) || {}).id" "$4" 2>/dev/null || true)"
      if [ -n "$id" ]; then printf '%s\n' "$id"; return 0; fi
      sleep 0.25
    done
    return 1
  }
  # wait_for USER FOLDER MESSAGE-ID [TRIES]
  wait_for() { wait_match "$1" "$2" 'bare(m.messageId) === bare(a)' "$3" "${4:-40}"; }
  # raw USER ID FILE: download a stored message
  raw() {
    curl -fsS --max-time 30 -H "Authorization: Bearer $(login "$1")" \
      -o "$3" "${WEBMAIL%/}/api/messages/$2/raw" || fail "raw download of $1's message $2"
  }

  # 1. bob (no release officer) → alice: delivered to alice's Inbox.
  mid="$(submit flash bob@navy.example alice@army.example flash secure)"
  log "check: submitted $mid bob → alice"
  id="$(wait_for alice@army.example Inbox "$mid")" || fail "$mid not in alice's Inbox"
  raw alice@army.example "$id" "$TMP/received.eml"
  "$MMHS" inspect "$TMP/received.eml" >"$TMP/inspect.json" || fail "mmhs inspect the received message"
  got="$(json "$TMP/inspect.json" '[j.military, bare(j.messageId), j.primaryPrecedence && j.primaryPrecedence.name, j.mtPriority].join(" ")')"
  bmid="${mid#<}"; want="true ${bmid%>} flash 4"
  [ "$got" = "$want" ] || fail "inspect of the received message: expected '$want', got '$got'"
  log "check: alice received it; mmhs inspect: military, FLASH, MT-Priority 4"
  if has_sub verify && has_sub sign && has_sub encrypt && has_sub decrypt; then
    # what the reader does: verify the stored message, unwrapping the enveloped layer with
    # alice's key (from her demo PKCS#12), against the demo CA
    MMHS_CHECK_PASSWORD="$P12PW" "$MMHS" verify "$TMP/received.eml" --trust "$PKI/ca.cert.pem" \
      --p12 "$PKI/alice@army.example.p12" --password-env MMHS_CHECK_PASSWORD \
      >"$TMP/verify.json" || fail "mmhs verify of the received message: $(cat "$TMP/verify.json" 2>/dev/null)"
    got="$(json "$TMP/verify.json" '[j.valid, j.layers.join("+"), j.signatures.map(s => s.signer + ":" + s.valid + ":" + s.trusted).join(",")].join(" ")')"
    [ "$got" = "true enveloped+signed bob@navy.example:true:true" ] ||
      fail "mmhs verify: expected 'true enveloped+signed bob@navy.example:true:true', got '$got'"
    # and step by step: mmhs decrypt, then verify the signed content
    MMHS_CHECK_PASSWORD="$P12PW" "$MMHS" decrypt "$TMP/received.eml" \
      --p12 "$PKI/alice@army.example.p12" --password-env MMHS_CHECK_PASSWORD \
      >"$TMP/decrypted.eml" || fail "mmhs decrypt of the received message"
    "$MMHS" verify "$TMP/decrypted.eml" --trust "$PKI/ca.cert.pem" >"$TMP/verify2.json" ||
      fail "mmhs verify of the decrypted message: $(cat "$TMP/verify2.json" 2>/dev/null)"
    got="$(json "$TMP/verify2.json" '[j.valid, j.layers.join("+"), j.signatures.map(s => s.signer + ":" + s.valid).join(",")].join(" ")')"
    [ "$got" = "true signed bob@navy.example:true" ] ||
      fail "mmhs verify of the decrypted message: expected 'true signed bob@navy.example:true', got '$got'"
    log "check: mmhs verify with alice's PKCS#12: enveloped+signed, bob's signature valid and trusted (demo CA); mmhs decrypt agrees"
  fi

  # bob asked for NOTIFY=SUCCESS: a delivery DSN (RFC 3464) for his ENVID comes back to him.
  id="$(wait_match bob@navy.example Inbox '/^Delivery Status Notification/.test(m.subject || "")' "")" ||
    fail "no delivery status notification in bob's Inbox"
  raw bob@navy.example "$id" "$TMP/dsn.eml"
  grep -qi '^Content-Type: multipart/report; *report-type=delivery-status' "$TMP/dsn.eml" &&
    grep -qi '^Action: delivered' "$TMP/dsn.eml" &&
    grep -qi "^Final-Recipient: rfc822; *alice@army.example" "$TMP/dsn.eml" ||
    fail "bob's DSN is not a success report for alice: $(head -c 2000 "$TMP/dsn.eml")"
  log "check: bob got the success DSN (multipart/report, Action: delivered)"

  # 2. alice (releaseBy: officer) → bob: diverted to the officer's Release queue.
  mid="$(submit release alice@army.example bob@navy.example immediate)"
  log "check: submitted $mid alice → bob"
  wait_for officer@army.example Release "$mid" >/dev/null ||
    fail "$mid (needs release) is not in the officer's Release queue"
  # the gate decided before the officer's copy was stored: one look at bob's Inbox suffices
  if wait_for bob@navy.example Inbox "$mid" 1 >/dev/null 2>&1; then
    fail "$mid reached bob before release"
  fi
  log "check: alice's message waits in officer@army.example's Release queue, not with bob"

  ok=1
  log "check: PASS"
  exit 0
fi

# ------------------------------------------------------------------ the main job
log "run: scripts/build-wasm.sh web pkg (the wasm core → pkg/)"
"$ROOT/scripts/build-wasm.sh" web pkg
origin_args=()
case "$HTTP" in
  127.0.0.1:8025|localhost:8025) ;;
  *) origin_args=(--origin "http://$HTTP") ;;
esac
log "run: building the extension (www/: npm run build)"
(cd www && npm run --silent build -- "${origin_args[@]}" </dev/null)
EXT="$ROOT/www/dist"
[ -f "$EXT/manifest.json" ] || die "the extension build wrote no $EXT/manifest.json"

if curl -fsS -o /dev/null --max-time 3 "http://$HTTP/login" 2>/dev/null; then
  die "something already answers on http://$HTTP/ (another mmhs serve?). Stop it, or pick other ports: scripts/run.sh --http 127.0.0.1:8026 --smtp 127.0.0.1:2588"
fi
mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"
trap stop_serve EXIT
trap 'echo; log "run: stopping"; stop_serve; exit 0' INT TERM
log "run: mmhs serve --data $DATA --http $HTTP --smtp $SMTP"
start_serve "$DATA" "$HTTP" "$SMTP" "$DATA/serve.log"
P12PW="$(p12_password "$DATA/serve.log")"

cat <<EOF

================================================================================
 MMHS reference webmail is running: $WEBMAIL
 (SMTP submission agent on $SMTP; data in $DATA; log in $DATA/serve.log)

 Demo users (log in to the webmail with these):
EOF
node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const u of c.users || []) {
    const pw = u.address.split("@")[0] + "-demo";
    console.log(`   ${u.address.padEnd(24)} password ${pw.padEnd(14)} ${u.officer ? "release officer" : ""}`);
  }' "$DATA/config.json" || true
cat <<EOF
   (by the default release policy alice's military messages wait for officer's
    release: $DATA/release-policy.json;
    users you add to $DATA/config.json have the passwords you gave them)

 Demo PKI: trust anchor $DATA/pki/ca.cert.pem
           each user's key as PKCS#12: $DATA/pki/<address>.p12, password "$P12PW"
           (also downloadable from the webmail's "My keys" page)

 The browser extension (unpacked, Manifest V3): $EXT
   Chromium: open chrome://extensions, switch on "Developer mode",
   "Load unpacked" and choose that folder. Then in the extension's
   Settings import your user's .p12 (password "$P12PW") and the trust
   anchor above; log in to the webmail as that user.
EOF
if [ "$BROWSER" = 1 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; } && have chromium; then
  chromium_args=(--user-data-dir="$DATA/chromium-profile" --no-first-run
    --disable-features=DisableLoadExtensionCommandLineSwitch --load-extension="$EXT")
  [ "$(id -u)" = 0 ] && chromium_args+=(--no-sandbox)
  echo
  echo " Launching chromium with the extension loaded (profile $DATA/chromium-profile)."
  chromium "${chromium_args[@]}" "$WEBMAIL" >"$DATA/chromium.log" 2>&1 &
else
  cat <<EOF

 No display here (\$DISPLAY / \$WAYLAND_DISPLAY unset), so no browser was launched.
 On a desktop, run:
   chromium --user-data-dir=$DATA/chromium-profile \\
     --disable-features=DisableLoadExtensionCommandLineSwitch \\
     --load-extension=$EXT $WEBMAIL
 or reach this machine's port with an SSH tunnel: ssh -L ${HTTP##*:}:$HTTP <host>
EOF
fi
cat <<EOF
================================================================================
 Press Ctrl-C to stop.

EOF
wait "$SERVE_PID"
