#!/bin/sh
# Makes the third-party domain-signature vectors of this directory once (see PROVENANCE.md):
# a throwaway PKI made by OpenSSL, alice's message signed by `openssl cms -sign`, and around it
# a domain signature by an agent of army.example and by one of evil.example, made by OpenSSL
# (`openssl cms -sign`, which cannot add signatureType) and by Bouncy Castle
# (tests/interop_bc/DomainSign.java, which adds id-sti-domainSig). No private key is kept.
# Needs openssl, java, javac and Debian's libbcpkix-java. Run from the repository root:
#   sh tests/vectors/domain/make.sh
set -eu
out=$(pwd)/tests/vectors/domain
src=$(pwd)/tests/interop_bc/DomainSign.java
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf '[req]\ndistinguished_name=dn\nx509_extensions=ca\n[dn]\n[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' > ca.cnf
printf '[req]\ndistinguished_name=dn\n[dn]\n' > req.cnf
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
  -subj "/O=MMHS Vectors/CN=Domain Vectors Root" -days 7300 -config ca.cnf 2>/dev/null
issue() { # name serial subjectAltName keyUsage
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=MMHS Vectors/CN=$1" -config req.cnf
  printf 'basicConstraints=CA:false\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=%s\n' "$4" "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" -days 7300 \
    -out "$1.pem" -extfile "$1.ext" 2>/dev/null
}
issue alice 1 email:alice@army.example digitalSignature,nonRepudiation
issue army-sig 2 URI:smtp://army.example,DNS:army.example digitalSignature,nonRepudiation
issue evil-sig 3 URI:smtp://evil.example digitalSignature,nonRepudiation
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nProceed to grid 1234.\r\n' > body.txt
# alice's originator signature (multipart/signed), her address in From.
openssl cms -sign -in body.txt -binary -crlfeol -signer alice.pem -inkey alice.key -md sha256 \
  -from alice@army.example -to bob@navy.example -subject "Domain vectors" -out alice.eml
# The signed entity (what a signature around the message covers: its Content-* and body).
awk 'BEGIN{h=1} h&&/^\r?$/{h=0; print; next} h&&!/^(From|To|Subject):/{print} !h{print}' alice.eml > entity.eml
for agent in army-sig evil-sig; do
  openssl cms -sign -in entity.eml -crlfeol -signer "$agent.pem" -inkey "$agent.key" -md sha256 \
    -from alice@army.example -to bob@navy.example -subject "Domain vectors" \
    -out "$out/openssl-$agent.eml"
done
cp=/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar
mkdir classes && javac -cp "$cp" -d classes "$src"
for agent in army-sig evil-sig; do
  java -cp "$cp:classes" DomainSign "$agent.key" "$agent.pem" entity.eml "$agent.der" 1.2.840.113549.1.9.16.9.2
  {
    printf 'From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: Domain vectors\r\n'
    printf 'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n'
    printf 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n'
    openssl base64 -in "$agent.der" | sed 's/$/\r/'
  } > "$out/bc-$agent.eml"
done
cp ca.pem "$out/ca.pem"
date -u +%Y-%m-%dT%H:%M:%SZ > "$out/at.txt"
cd "$out" && sha256sum ca.pem openssl-*.eml bc-*.eml
