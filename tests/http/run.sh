#!/usr/bin/env bash
# wasi:http (src/wasi2/http*.c) and weld serve (cli/serve.c), against jco: the handler
# component tests/http/handler.wat (made binary by `jco parse`) is served by `weld serve`
# and by `jco serve` (jco's transpiled JavaScript on Node.js with the preview2 shim, the
# independent reference), and the same requests must get the same responses (status, the
# headers the handler sets, the body): a GET with a query and a header to echo, a POST
# with a body answered 404, and a request whose handler makes an outgoing request (through
# wasi:http/outgoing-handler) to a loopback server this script starts. Then what only weld
# enforces: an outgoing request to a host the policy does not grant gets the spec's
# HTTP-request-denied (and the denial is logged), --timeout stops a handler waiting on a
# slow upstream (a 500, the trap logged, the server goes on), and the refusals.
#
#   tests/http/run.sh [WELD]
#
# Needs node, npm (jco is installed as tests/component/jco.sh does), python3. Ends with
# `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
# shellcheck source=../component/jco_env.sh
. "$root/tests/component/jco_env.sh"
harness_init http "${1:-$root/build/weld}" node npm python3
pids=()
groups=() # process groups: jco serve runs each component in a child node process
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for g in "${groups[@]}"; do kill -- "-$g" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

label="install jco $JCO_VERSION"
if ! jco_install "$root/build/component-jco"; then
  bad "npm install failed"
  finish
fi
jco="$jco_dir/node_modules/.bin/jco"

if "$weld" serve --help 2>&1 | grep -q "not supported"; then
  echo "weld serve: not supported in this build (libmicrohttpd missing): skipped"
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
fi

label="jco parse handler.wat"
if "$jco" parse "$root/tests/http/handler.wat" -o handler.wasm >out.txt 2>&1; then ok; else
  bad "$(head -5 out.txt)"
  finish
fi

# start NAME CMD...: runs CMD in the background, its output in NAME.out; waits for the
# first line that names a port and sets $port to it (fails when CMD ends first).
start() {
  local name=$1
  shift
  "$@" >"$name.out" 2>&1 &
  pids+=($!)
  local pid=$! i
  port=""
  for i in $(seq 600); do
    port="$(grep -o -m1 -E '(127\.0\.0\.1:|^)[0-9]+' "$name.out" | grep -o -E '[0-9]+$' | head -1)"
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# jco_serve PORTVAR FILE: jco serve on a free port (one the kernel just handed out)
jco_serve() {
  local p
  p="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # a group of its own, so the node process it starts for the component goes with it
  setsid "$jco" serve --host 127.0.0.1 --port "$p" "$2" >"$2.jco.out" 2>&1 &
  groups+=($!)
  for i in $(seq 1200); do
    grep -q "listening" "$2.jco.out" && break
    sleep 0.1
  done
  grep -q "listening" "$2.jco.out" || return 1
  printf -v "$1" '%s' "$p"
}

label="upstream servers"
if start up python3 "$root/tests/http/upstream.py" && up=$port && start slow python3 "$root/tests/http/upstream.py" slow &&
  slow=$port; then ok; else
  bad "$(cat up.out slow.out)"
  finish
fi
# the JavaScript engine reads the clocks and the random source
printf '[system]\nclocks = true\nrandom = true\n[net]\nconnect = ["127.0.0.1:%s", "127.0.0.1:%s"]\n' "$up" "$slow" >net.toml

label="weld serve"
if start weld "$weld" serve --addr 127.0.0.1:0 --policy net.toml --log-denials handler.wasm; then ok; else
  bad "$(head -5 weld.out)"
  finish
fi
wport=$port
wport_wat=$port
label="jco serve"
if jco_serve jport handler.wasm; then ok; else
  bad "$(head -5 handler.wasm.jco.out)"
  finish
fi

client() { python3 "$root/tests/http/client.py" "$@"; }

# same NAME METHOD PATH [BODY] [HEADER...]: weld's ($wport) and jco's ($jport) answers
# agree, and weld's has the line $must (what the handler writes: two empty or failed
# answers do not pass)
same() {
  local name=$1
  shift
  label="$name: weld and jco agree"
  client "$wport" "$@" >"$name.weld" 2>&1
  client "$jport" "$@" >"$name.jco" 2>&1
  if ! grep -q -- "$must" "$name.weld"; then
    bad "weld's answer lacks '$must': $(head -c 600 "$name.weld")"
  elif cmp -s "$name.weld" "$name.jco"; then ok; else
    bad "$(diff "$name.weld" "$name.jco" | head -20)"
  fi
}


must="^checks=1112$"
same get GET '/abc?x=1&y=two' '' 'x-test-in:hello there'
same post POST /missing 'payload bytes!' 'content-type:text/plain'
same fetch GET /fetch '' "x-upstream:127.0.0.1:$up"

label="get: the answer weld gave"
if [ "$(head -1 get.weld)" = 200 ] && grep -q "^x-test-echo: hello there$" get.weld &&
  grep -q "^method=0 path=/abc?x=1&y=two$" get.weld; then ok; else bad "$(cat get.weld)"; fi
label="post: 404 with the body echoed"
if [ "$(head -1 post.weld)" = 404 ] && grep -q "payload bytes!" post.weld; then ok; else bad "$(cat post.weld)"; fi
label="fetch: the upstream's status and body"
if grep -q "^upstream=200$" fetch.weld && grep -q "^hello from upstream$" fetch.weld; then ok; else
  bad "$(cat fetch.weld)"
fi

# ---- the same in JavaScript: tests/http/handler.js, made a component by jco componentize ----

# componentize (tests/component/jco_env.sh) builds a component exporting
# wasi:http/incoming-handler@0.2.10. It takes minutes: kept under a stamp of its inputs.
cache="$jco_dir/http-cache"
stamp="$(cat "$root/tests/http/handler.js" "$root/tests/http/run.sh" | sha256sum | cut -c1-16)-$JCO_VERSION-$(node --version)"
label="jco componentize handler.js"
printf 'package weld:test;\nworld handler {\n  include wasi:http/proxy@0.2.10;\n}\n' >handler-world.wit
if jco_componentize_cached "$cache" "$stamp" handler-world.wit "$root/tests/http/handler.js" handler handler-js.wasm; then ok; else
  bad "$(head -8 out.txt)"
fi
if [ -f handler-js.wasm ]; then
  label="weld serve (JavaScript)"
  if start weldjs "$weld" serve --addr 127.0.0.1:0 --policy net.toml handler-js.wasm; then ok; else
    bad "$(head -5 weldjs.out)"
  fi
  wport=$port
  label="jco serve (JavaScript)"
  if jco_serve jport handler-js.wasm; then ok; else bad "$(head -5 handler-js.wasm.jco.out)"; fi
  must="^method="
  same js-get GET '/abc?x=1&y=two' '' 'x-test-in:hello there'
  # jco serve runs this handler's GET only: a handler that awaits (a POST's body, fetch())
  # never answers there ("FetchEvent#respondWith can't be called twice"), so those are
  # checked against what the handler writes (the WebAssembly handler above compares the
  # same paths with jco)
  label="js-post: weld answers 404 with the body"
  client "$wport" POST /missing 'payload bytes!' >js-post.weld 2>&1
  if [ "$(head -1 js-post.weld)" = 404 ] && grep -q "^body=payload bytes!$" js-post.weld; then ok; else
    bad "$(cat js-post.weld)"
  fi
  label="js-fetch: fetch() reaches the upstream"
  client "$wport" GET /fetch '' "x-upstream:127.0.0.1:$up" >js-fetch.weld 2>&1
  if [ "$(head -1 js-fetch.weld)" = 200 ] && grep -q "^upstream=200$" js-fetch.weld &&
    grep -q "^hello from upstream$" js-fetch.weld; then ok; else bad "$(cat js-fetch.weld)"; fi
  label="js: a denied host is an error to fetch()"
  client "$wport" GET /fetch '' "x-upstream:127.0.0.2:$up" >js-denied.txt 2>&1
  if [ "$(head -1 js-denied.txt)" = 502 ] && grep -q "^fetch failed$" js-denied.txt; then ok; else bad "$(cat js-denied.txt)"; fi
fi
wport=$wport_wat

# ---- what only weld enforces ------------------------------------------------------------------

# a host the policy does not grant (the port of the granted one on another address)
label="denied host: HTTP-request-denied"
client "$wport" GET /fetch '' "x-upstream:127.0.0.2:$up" >denied.txt 2>&1
if [ "$(head -1 denied.txt)" = 502 ] && grep -q "^error=15$" denied.txt; then ok; else bad "$(cat denied.txt)"; fi
label="denied host: logged"
if grep -q "denied.*127.0.0.2:$up" weld.out; then ok; else bad "$(cat weld.out)"; fi

label="weld serve --timeout"
if start weld2 "$weld" serve --addr 127.0.0.1:0 --policy net.toml --timeout 1s handler.wasm; then ok; else
  bad "$(head -5 weld2.out)"
fi
w2port=$port
label="--timeout: a handler waiting on a slow upstream answers 500"
client "$w2port" GET /fetch '' "x-upstream:127.0.0.1:$slow" >slow.txt 2>&1
if [ "$(head -1 slow.txt)" = 500 ]; then ok; else bad "$(cat slow.txt)"; fi
label="--timeout: the trap is logged"
if grep -q "GET /fetch: trap: .*deadline" weld2.out; then ok; else bad "$(cat weld2.out)"; fi
label="--timeout: the next request is served"
client "$w2port" GET /next >next.txt 2>&1
if [ "$(head -1 next.txt)" = 200 ] && grep -q "path=/next" next.txt; then ok; else bad "$(cat next.txt)"; fi

# weld run on the same component: no wasi:cli/run to call
label="refusal: a core module"
printf '(module)' >m.wat
"$jco" parse m.wat -o m.wasm >/dev/null 2>&1
"$weld" serve --addr 127.0.0.1:0 m.wasm >out.txt 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "not a component" out.txt; then ok; else bad "rc=$rc $(cat out.txt)"; fi
label="refusal: a component without incoming-handler"
printf '(component)' >c.wat
"$jco" parse c.wat -o c.wasm >/dev/null 2>&1
"$weld" serve --addr 127.0.0.1:0 c.wasm >out.txt 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "exports no wasi:http/incoming-handler" out.txt; then ok; else bad "rc=$rc $(cat out.txt)"; fi
label="refusal: a bad --addr"
"$weld" serve --addr nowhere handler.wasm >out.txt 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "addr" out.txt; then ok; else bad "rc=$rc $(cat out.txt)"; fi
label="refusal: a missing file"
"$weld" serve --addr 127.0.0.1:0 nosuch.wasm >out.txt 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "nosuch.wasm" out.txt; then ok; else bad "rc=$rc $(cat out.txt)"; fi

# weld audit: wasi:http/outgoing-handler is the network capability, which needs a grant
label="audit: outgoing-handler is network"
"$weld" audit handler.wasm >audit.txt 2>&1
rc=$?
if [ $rc = 0 ] && grep -q '^| `wasi:http/outgoing-handler@0.2.12` | network |' audit.txt; then ok; else
  bad "rc=$rc $(head -20 audit.txt)"
fi
label="audit: no [net] grant is a violation"
"$weld" audit --preset isolated handler.wasm >audit.txt 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "violation.*outgoing-handler" audit.txt; then ok; else bad "rc=$rc $(tail -5 audit.txt)"; fi
label="audit: a [net] grant passes"
"$weld" audit --policy net.toml handler.wasm >audit.txt 2>&1
rc=$?
if [ $rc = 0 ] && ! grep -q violation audit.txt; then ok; else bad "rc=$rc $(tail -5 audit.txt)"; fi

finish
