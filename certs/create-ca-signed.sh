#!/usr/bin/env bash
# Creates a private CA and a server certificate signed by it, for production-like set-ups where
# clients should verify Ferry's certificate instead of pinning a self-signed fingerprint.
#   certs/create-ca-signed.sh ftp.example.com [more names or IPs...]
# Writes into certs/out/: ca.crt (give to clients), ca.key (keep offline), server.crt, server.key.
# Point ftps.certificate / ftps.privateKey in the config at server.crt / server.key.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 HOSTNAME [ALT_NAME...]" >&2; exit 2; }
out="$(dirname "$0")/out"
mkdir -p "$out"
umask 077

san="DNS:$1"
for name in "${@:2}"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san+=",IP:$name"; else san+=",DNS:$name"; fi
done

if [ ! -f "$out/ca.key" ]; then
  openssl req -x509 -newkey rsa:4096 -sha256 -days 3650 -nodes \
    -keyout "$out/ca.key" -out "$out/ca.crt" -subj "/O=Ferry/CN=Ferry private CA"
fi
openssl req -newkey rsa:3072 -sha256 -nodes -keyout "$out/server.key" -out "$out/server.csr" -subj "/O=Ferry/CN=$1"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days 825 -sha256 -out "$out/server.crt" \
  -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n' "$san")
rm -f "$out/server.csr"
echo "server certificate: $out/server.crt (key $out/server.key), CA for clients: $out/ca.crt"
openssl x509 -in "$out/server.crt" -noout -fingerprint -sha256
