# Sourced by the scripts of tests/wit that build C guests and compare weld with jco:
#
#   wit_init NAME WELD JCO   the counters (pass, fail, skip), ok/bad, $tmp (removed at
#                            exit), $WELD and $JCO; exits with a skip line when clang
#                            cannot build for wasm32-wasi
#   cc ARGS...               clang for wasm32-wasi, a library without an entry point
#   same_as_jco HERE         jco transpiles $tmp/app.wasm; HERE/calls.mjs prints each call
#                            (WAVE) and its result, checked there against JavaScript's own;
#                            `weld run --invoke` of every call must print the same results
wit_init() {
  wit_name=$1
  WELD=$2
  JCO=$3
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  pass=0 fail=0 skip=0
  if ! command -v clang >/dev/null || ! echo 'int f(void){return 0;}' >"$tmp/t.c" || ! cc -o "$tmp/t.wasm" "$tmp/t.c" 2>/dev/null; then
    echo "$wit_name: clang --target=wasm32-wasi (wasi-libc) not available: skipped"
    echo "$pass passed, $fail failed, 1 skipped"
    exit 0
  fi
}
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $wit_name: $*"; }
cc() { clang --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry -Wall -Werror "$@"; }

same_as_jco() {
  local here=$1 call args=()
  if "$JCO" transpile "$tmp/app.wasm" -o "$tmp/js" --name app >"$tmp/out" 2>&1; then ok; else
    bad "jco transpile: $(tail -3 "$tmp/out")"
  fi
  if node "$here/calls.mjs" "$tmp/js" >"$tmp/want.tsv" 2>"$tmp/err"; then ok; else bad "under jco: $(tail -5 "$tmp/err")"; fi
  while IFS=$'\t' read -r call _; do args+=(--invoke "$call"); done <"$tmp/want.tsv"
  cut -f2 "$tmp/want.tsv" >"$tmp/want.txt"
  if [ "${#args[@]}" = 0 ]; then
    bad "no calls to make"
  elif ! "$WELD" run "${args[@]}" "$tmp/app.wasm" >"$tmp/got.txt" 2>"$tmp/err"; then
    bad "weld run: $(cat "$tmp/err")"
  elif cmp -s "$tmp/want.txt" "$tmp/got.txt"; then
    pass=$((pass + $(wc -l <"$tmp/want.txt")))
  else
    bad "weld run differs from jco and JavaScript (call, want, got):"
    paste "$tmp/want.tsv" "$tmp/got.txt" | awk -F'\t' '$2 != $3'
  fi
}
