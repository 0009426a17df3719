#!/usr/bin/env bash
# wasi:sockets (src/wasi2/sockets.c) on a real program: tests/wasi2/sockprog.c, compiled by
# clang for wasm32-wasi, its socket imports typed by tests/wasi2/sockprog.wit (`jco
# embed`, tests/wasi2/sock_embed.mjs), made into a command component with jco's preview1
# adapter, talks to peers on 127.0.0.1 (tests/wasi2/sock_peer.py: a TCP echo server, a
# UDP echo server, a TCP client). Run by weld and, as the independent reference, by
# Node.js (jco transpile + the preview2 shim, which implements wasi:sockets on Node's
# net and dgram): TCP connect and echo, listen and accept, a UDP round trip, the lookup
# of `localhost` must agree. Then what only weld enforces (the shim grants everything):
# connect, bind/listen and lookup outside the policy's [net] grants are access-denied and
# logged; a connection to an address a granted name resolved to is granted by the name;
# the open-file limit counts sockets; --timeout stops a guest blocked waiting on accept.
#
#   tests/wasi2/sockets.sh [WELD]
#
# Needs node, npm (and the network the first time: jco is installed as tests/component/
# jco.sh does), clang with wasm32-wasi, python3. Ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=../component/jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init wasi2-sockets "${1:-$root/build/weld}" node npm clang python3
peers=()
trap 'for p in "${peers[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  echo "$passed passed, $failed failed"
  exit 1
fi
jco="$jco_dir/node_modules/.bin/jco"

# the component and jco's JavaScript depend only on the inputs: kept between runs
cache="$jco_dir/sockets-cache"
stamp="$(cat "$root"/tests/wasi2/sockprog.{c,wit} "$root/tests/wasi2/sock_embed.mjs" | sha256sum | cut -c1-16)-$JCO_VERSION-$(node --version)-$(clang --version | head -1 | tr -c 'a-zA-Z0-9.\n' _)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
  cp -r "$cache/gen" gen
  echo "the program, its component and jco's JavaScript from $cache"
else
  mkdir gen
  label="clang wasm32-wasi sockprog.c"
  if clang --target=wasm32-wasi -O1 -Wall -Werror -o gen/sp.wasm "$root/tests/wasi2/sockprog.c" 2>err.txt; then ok; else bad "$(head -5 err.txt)"; fi
  label="embed sockprog.wit"
  if node "$root/tests/wasi2/sock_embed.mjs" "$jco_dir" "$root/tests/wasi2/sockprog.wit" gen/sp.wasm gen/sp.embed.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  label="jco new --wasi-command"
  if "$jco" new gen/sp.embed.wasm --wasi-command -o gen/sp.comp.wasm >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  label="jco transpile"
  if "$jco" transpile gen/sp.comp.wasm -o gen/sp --name sp --no-typescript >out.txt 2>&1; then ok; else bad "$(head -5 out.txt)"; fi
  if [ "$failed" -eq 0 ]; then
    rm -rf "$cache" && mkdir -p "$cache" && cp -r gen "$cache/gen" && echo "$stamp" >"$cache/stamp"
  fi
fi
if [ "$failed" -ne 0 ]; then
  echo "$passed passed, $failed failed"
  exit 1
fi
cp "$root/tests/wasi2/node_run.mjs" gen/
ln -sfn "$jco_dir/node_modules" gen/node_modules
comp=gen/sp.comp.wasm

# the servers: each writes its port to a file once it is bound
python3 "$root/tests/wasi2/sock_peer.py" tcp-echo tcp.port &
peers+=($!)
python3 "$root/tests/wasi2/sock_peer.py" udp-echo udp.port &
peers+=($!)
while [ ! -s tcp.port ] || [ ! -s udp.port ]; do
  for p in "${peers[@]}"; do kill -0 "$p" 2>/dev/null || { echo "a peer server did not start"; echo "0 passed, 1 failed"; exit 1; }; done
  sleep 0.1
done
tport=$(cat tcp.port) uport=$(cat udp.port)
# a free port for the guest to listen on (bound and released here)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cat >allow.toml <<'TOML'
[net]
connect = ["127.0.0.1:*", "localhost:*"]
listen = ["127.0.0.1:*"]
TOML

# both NAME ARGS...: weld (with allow.toml) and Node.js run the program: NAME.{weld,node}.{out,err,rc}
both() {
  local name=$1
  shift
  "$weld" run --policy allow.toml $comp "$@" >"$name.weld.out" 2>"$name.weld.err"
  echo $? >"$name.weld.rc"
  node gen/node_run.mjs gen/sp/sp.js -- sp "$@" >"$name.node.out" 2>"$name.node.err"
  echo $? >"$name.node.rc"
}

# agree NAME: the same output and status
agree() {
  local name=$1
  label="$name: weld = Node.js (jco + preview2 shim)"
  if cmp -s "$name.weld.out" "$name.node.out" && [ "$(cat "$name.weld.rc")" = "$(cat "$name.node.rc")" ]; then
    ok
  else
    bad "status $(cat "$name.weld.rc") vs $(cat "$name.node.rc"); $(diff "$name.weld.out" "$name.node.out" | head -6 | tr '\n' ' ') $(head -3 "$name.weld.err" "$name.node.err" | tr '\n' ' ')"
  fi
}

# expect NAME WHAT PATTERN FILE: a line of FILE matches PATTERN (grep -E)
expect() {
  label="$1: $2"
  if grep -qE -- "$3" "$4"; then ok; else bad "no line matching '$3' in $4: $(head -5 "$4" | tr '\n' ' ')"; fi
}

both tcp-echo tcp-echo 127.0.0.1 "$tport" "hello over tcp"
agree tcp-echo
expect tcp-echo "the echo comes back" '^reply: hello over tcp$' tcp-echo.weld.out
expect tcp-echo "the remote address" "^connected to 127\.0\.0\.1:$tport\$" tcp-echo.weld.out

both nonblocking tcp-nonblocking 127.0.0.1 "$tport"
agree nonblocking
expect nonblocking "read does not wait for data" '^read before sending: 0 bytes$' nonblocking.weld.out
expect nonblocking "the pollable waits for it" '^read after the pollable: 4 bytes$' nonblocking.weld.out

# a port nothing listens on (bound and released by free_port)
both refused tcp-echo 127.0.0.1 "$(free_port)" "nobody"
agree refused
expect refused "a refused connection" '^finish-connect: connection-refused$' refused.weld.out

both udp udp 127.0.0.1 "$uport" "hello over udp"
agree udp
expect udp "the datagram comes back from the peer" '^reply: hello over udp$' udp.weld.out
expect udp "from the peer's address" '^from 127\.0\.0\.1:PORT$' udp.weld.out

both lookup lookup localhost
agree lookup
expect lookup "localhost resolves to the loopback address" '^address: 127\.0\.0\.1$' lookup.weld.out

# listen + accept: the Python client connects once the guest listens
serve() { # serve RUNNER NAME: the guest serves one client on a fresh port
  local port
  port=$(free_port)
  python3 "$root/tests/wasi2/sock_peer.py" tcp-client "$port" "from the client" >"$2.client" 2>&1 &
  local client=$!
  if [ "$1" = weld ]; then
    "$weld" run --policy allow.toml $comp tcp-serve 127.0.0.1 "$port" >"$2.weld.out" 2>"$2.weld.err"
    echo $? >"$2.weld.rc"
  else
    node gen/node_run.mjs gen/sp/sp.js -- sp tcp-serve 127.0.0.1 "$port" >"$2.node.out" 2>"$2.node.err"
    echo $? >"$2.node.rc"
  fi
  wait $client
  sed "s/:$port\$/:PORT/" "$2.$1.out" >"$2.$1.tmp" && mv "$2.$1.tmp" "$2.$1.out"
  cat "$2.client" >>"$2.$1.out"
}
serve weld tcp-serve
serve node tcp-serve
agree tcp-serve
expect tcp-serve "the guest received the client's bytes" '^received: from the client$' tcp-serve.weld.out
expect tcp-serve "the client got the guest's reply" '^client got: got: from the client$' tcp-serve.weld.out
expect tcp-serve "accepted on the listening address" '^accepted on 127\.0\.0\.1:PORT$' tcp-serve.weld.out

# socket options (weld only: the shim leaves the hop limit out)
"$weld" run --policy allow.toml $comp options 127.0.0.1 "$tport" >options.out 2>&1
expect options "keep-alive set and read back" '^keep-alive: true$' options.out
expect options "hop limit set and read back" '^hop-limit: 42$' options.out
expect options "a hop limit of 0 is invalid" '^hop-limit 0: invalid-argument$' options.out

# ---- the policy: deny by default ---------------------------------------------------------------

cat >other.toml <<'TOML'
[net]
connect = ["127.0.0.1:1"]
listen = ["127.0.0.1:1"]
TOML
# deny NAME POLICY PATTERN CALL ARGS...: refused with access-denied (status 1), and the
# refusal logged under CALL
deny() {
  local name=$1 pol=$2 pattern=$3 call=$4
  shift 4
  local polflag=()
  [ -n "$pol" ] && polflag=(--policy "$pol")
  "$weld" run "${polflag[@]}" --log-denials $comp "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  label="$name: access-denied"
  if [ $rc = 1 ] && grep -qE "$pattern" "$name.out"; then ok; else bad "status $rc: $(head -3 "$name.out" "$name.err" | tr '\n' ' ')"; fi
  expect "$name" "the refusal is logged" "denied $call" "$name.err"
}
deny connect-default "" '^start-connect: access-denied$' tcp-socket.start-connect tcp-echo 127.0.0.1 "$tport" x
deny connect-other-port other.toml '^start-connect: access-denied$' tcp-socket.start-connect tcp-echo 127.0.0.1 "$tport" x
deny listen-default "" '^start-bind: access-denied$' tcp-socket.start-bind tcp-serve 127.0.0.1 "$(free_port)"
deny listen-other-port other.toml '^start-bind: access-denied$' tcp-socket.start-bind tcp-serve 127.0.0.1 "$(free_port)"
deny udp-default "" '^stream: access-denied$' udp-socket.stream udp 127.0.0.1 "$uport" x
deny lookup-default "" '^resolve-addresses: access-denied$' resolve-addresses lookup localhost
deny lookup-other other.toml '^resolve-addresses: access-denied$' resolve-addresses lookup localhost
label="nothing reached the echo server on a denial"
if ! grep -q '^reply' connect-default.out connect-other-port.out; then ok; else bad "a reply after a denial"; fi

# a granted name grants the addresses it resolved to, not the literal by itself
cat >byname.toml <<TOML
[net]
connect = ["localhost:$tport"]
TOML
"$weld" run --policy byname.toml $comp name-echo localhost "$tport" "by name" >byname.out 2>&1
expect byname "connect to what a granted name resolved to" '^reply: by name$' byname.out
deny byname-literal byname.toml '^start-connect: access-denied$' tcp-socket.start-connect tcp-echo 127.0.0.1 "$tport" x

# the open-file limit counts sockets
cat >files.toml <<'TOML'
[fs]
max_open_files = 3
TOML
"$weld" run --policy files.toml $comp many 10 >many.out 2>&1
expect many "the fourth socket is over the open-file limit" '^socket 4: new-socket-limit$' many.out
cat >limit1.toml <<'TOML'
[fs]
max_open_files = 1
[net]
listen = ["127.0.0.1:*"]
TOML
"$weld" run --policy limit1.toml $comp tcp-serve 127.0.0.1 "$(free_port)" >accept-limit.out 2>&1
expect accept-limit "accept with the listener at the open-file limit" '^accept: new-socket-limit$' accept-limit.out
"$weld" run $comp many 50 >many-free.out 2>&1
expect many-free "without a limit, 50 sockets" '^50 sockets$' many-free.out

# --timeout stops a guest blocked in poll on accept
"$weld" run --timeout 500ms --policy allow.toml $comp tcp-block 127.0.0.1 "$(free_port)" >block.out 2>&1
rc=$?
label="--timeout stops a guest waiting on accept"
if [ $rc -eq 134 ] && grep -q 'deadline exceeded' block.out && grep -q '^listening: yes' block.out; then ok; else bad "status $rc: $(head -5 block.out | tr '\n' ' ')"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
