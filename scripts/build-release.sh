#!/usr/bin/env bash
# Builds the `lore` to install for agents' hooks. On Linux with glibc it
# links glibc statically: a hook is a new process per tool call, and the
# dynamic loader's work (mapping libc, libm and libgcc_s, resolving their
# symbols) is about a millisecond of each call here, as much as the rest of
# an allow (docs/performance.md). Elsewhere it is a plain release build.
#
#   scripts/build-release.sh            prints the binary's path on stdout
#
# crt-static needs an explicit --target: without one, cargo would apply the
# flag to proc-macros too, which cannot be linked statically. glibc 2.34 and
# later resolve host names (`files`, `dns`) inside libc.a; NSS modules
# beyond those (mdns, ldap) are skipped by a static binary, so give the
# shared store by an address or a name in /etc/hosts or DNS.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
  *-linux-gnu)
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static -C relocation-model=static" \
      cargo build --release --locked -q -p lore-cli --target "$host" >&2
    echo "$PWD/target/$host/release/lore"
    ;;
  *)
    cargo build --release --locked -q -p lore-cli >&2
    echo "$PWD/target/release/lore"
    ;;
esac
