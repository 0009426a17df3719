# Sourced by every script that runs jco (tests/component, tests/wasi2, tests/http): installs jco (pinned) into a local node_modules.
#
# jco_install DIR: `npm install` of @bytecodealliance/jco@$JCO_VERSION into DIR (kept
# between runs); sets $jco_dir. Returns 1 (with the reason on stderr) when npm cannot.
JCO_VERSION=1.35.0
jco_install() {
  jco_dir=$1
  mkdir -p "$jco_dir"
  # Stages in both lanes of tests/run.sh install into the same directory: one installs,
  # the others wait for it and then find the pinned version in place.
  (
    flock 9
    if [ -f "$jco_dir/node_modules/@bytecodealliance/jco/package.json" ] &&
      grep -q "\"version\": \"$JCO_VERSION\"" "$jco_dir/node_modules/@bytecodealliance/jco/package.json"; then
      exit 0
    fi
    if ! (cd "$jco_dir" && npm install --no-audit --no-fund --loglevel=error "@bytecodealliance/jco@$JCO_VERSION" >npm.log 2>&1); then
      echo "jco: npm install @bytecodealliance/jco@$JCO_VERSION failed (see $jco_dir/npm.log)" >&2
      exit 1
    fi
  ) 9>"$jco_dir/.install.lock"
}

# jco_componentize_wit: in the current directory, what `jco componentize` needs here:
# jco 1.35.0's componentize reads the WIT through a WebAssembly wasm-tools whose
# filesystem has no preopened directory, so node first loads preopen.mjs, which gives that
# filesystem `/`; StarlingMonkey (componentize-js, as jco installs it) builds against the
# WASI 0.2.10 packages, so the WIT jco ships (0.2.12) is put in wit/deps at that version,
# without wasi:sockets (which the engine's own world has). The caller writes
# wit/world.wit.
jco_componentize_wit() {
  local shim
  shim="$(ls -d "$jco_dir"/node_modules/@bytecodealliance/jco-transpile/node_modules/@bytecodealliance/preview2-shim \
    "$jco_dir"/node_modules/@bytecodealliance/preview2-shim 2>/dev/null | head -1)"
  printf 'import { _setPreopens } from "%s/dist/nodejs/filesystem.js";\n_setPreopens({ "/": "/" });\n' "$shim" >preopen.mjs
  mkdir -p wit/deps
  cp -r "$jco_dir/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12/"wasi-* wit/deps/
  rm -rf wit/deps/wasi-sockets
  sed -i '/include wasi:sockets/d' wit/deps/wasi-cli/package.wit
  find wit -name '*.wit' -exec sed -i 's/@0\.2\.12/@0.2.10/g' {} +
}

# jco_componentize JS NAME OUT: `jco componentize JS` against ./wit (jco_componentize_wit
# first), its output in out.txt.
jco_componentize() {
  node --import "$(pwd)/preopen.mjs" "$jco_dir/node_modules/@bytecodealliance/jco/dist/jco.js" componentize "$1" \
    --wit "$(pwd)/wit" -n "$2" -o "$3" >out.txt 2>&1
}

# jco_componentize_cached CACHE STAMP WORLD JS NAME OUT: OUT (in the current directory)
# from CACHE when CACHE/stamp holds STAMP, else made by `jco componentize` of the JS file JS
# against the world file WORLD (copied to wit/world.wit beside WASI's packages) and kept in
# CACHE under STAMP. Status 0 when OUT is there; on failure jco's output is in out.txt.
jco_componentize_cached() {
  local cache=$1 stamp=$2 world=$3 js=$4 name=$5 out=$6
  if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] && [ -f "$cache/$out" ]; then
    cp "$cache/$out" "$out"
    return 0
  fi
  jco_componentize_wit
  cp "$world" wit/world.wit
  [ "$js" -ef "$(basename "$js")" ] || cp "$js" "$(basename "$js")"
  jco_componentize "$(basename "$js")" "$name" "$out" || return 1
  mkdir -p "$cache" && cp "$out" "$cache/" && echo "$stamp" >"$cache/stamp"
}
