#!/usr/bin/env bash
# Tests of `weld pkg`: packages published, resolved, installed and verified, first with a
# registry directory (no server), then against Debian's docker-registry (the
# Distribution 2.8 registry) started on a free loopback port. skopeo is the independent
# reference: it must read and copy what weld publishes, and weld must install what
# skopeo copies. Digests are checked with sha256sum, JSON output with Node.js.
#
#   tests/pkg/run.sh [WELD]        (default: build/weld)
#
# Prints each failed check and ends with `N passed, M failed, K skipped`. Checks that need
# a registry that could not start, clang without wasm32-wasi, or jco for `pkg run`'s
# command component, count as skipped.
# Signatures are checked by Node's ed25519 too (sig.mjs), and forged by it the way a
# hostile registry would (a swapped component with every digest fixed).
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init pkg "${1:-$root/build/weld}" node sha256sum
skipped=0
skip() { skipped=$((skipped + 1)); echo "SKIP [$label] $*"; }
export WELD_CONFIG="$tmp/no-config.toml" WELD_CACHE_DIR="$tmp/cache" DOCKER_CONFIG="$tmp/no-docker"
unset WELD_REGISTRY WELD_REGISTRY_CHUNK_SIZE

# run RC ARGS...: runs weld in the current directory, keeps stdout/stderr, checks the exit code.
run() {
  local want=$1
  shift
  label="weld $*"
  "$weld" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
  rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $(head -c 400 "$tmp/err.txt")"; fi
}
has() { if grep -qF -- "$1" "$tmp/out.txt"; then ok; else bad "stdout lacks '$1': $(head -c 400 "$tmp/out.txt")"; fi; }
err_has() {
  if [ "$(wc -l <"$tmp/err.txt")" -eq 1 ] && grep -qF -- "$1" "$tmp/err.txt"; then ok
  else bad "stderr is not one line with '$1': $(head -c 400 "$tmp/err.txt")"; fi
}
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# A component made of its preamble and one custom section naming it, so every package has
# its own bytes (components may hold custom sections; the empty component is valid).
# Names are shorter than 100 bytes, so each length is one LEB128 byte.
byte() { printf "\\$(printf %o "$1")"; }
component() {
  local n=${#2}
  { printf '\0asm\015\0\001\0\0'; byte $((n + 1)); byte "$n"; printf '%s' "$2"; } >"$1"
}

# mkpkg DIR NAME VERSION [TOML...]: a package project with its component.
mkpkg() {
  local dir=$1 name=$2 version=$3
  shift 3
  mkdir -p "$dir"
  component "$dir/c.wasm" "$name-$version"
  {
    printf '[package]\nname = "%s"\nversion = "%s"\ndescription = "the %s package"\ncomponent = "c.wasm"\n' \
      "$name" "$version" "$name"
    for t in "$@"; do printf '%s\n' "$t"; done
  } >"$dir/component.toml"
}

dep() { printf '[[dependency]]\nname = "%s"\nversion = "%s"' "$1" "$2"; }

# publish_all REGISTRY: fmt 0.3.0, fmt 0.3.1 (feature unicode), fmt 0.4.0, log 1.0.0
# (features color, default = std), greet 1.2.0 (fmt ^0.3, optional log, feature fancy).
publish_all() {
  local reg=$1 p
  mkpkg "$tmp/src/fmt-0.3.0" fmt 0.3.0
  mkpkg "$tmp/src/fmt-0.3.1" fmt 0.3.1 '[[feature]]' 'name = "unicode"'
  mkpkg "$tmp/src/fmt-0.4.0" fmt 0.4.0
  mkpkg "$tmp/src/log-1.0.0" log 1.0.0 '[[feature]]' 'name = "color"' '[[feature]]' 'name = "default"' \
    'enables = ["std"]' '[[feature]]' 'name = "std"'
  mkpkg "$tmp/src/greet-1.2.0" greet 1.2.0 "$(dep fmt ^0.3)" '[[dependency]]' 'name = "log"' 'version = "1"' \
    'optional = true' '[[feature]]' 'name = "fancy"' 'enables = ["dep:log", "fmt/unicode", "log/color"]'
  for p in fmt-0.3.0 fmt-0.3.1 fmt-0.4.0 log-1.0.0 greet-1.2.0; do
    (cd "$tmp/src/$p" && run 0 pkg publish --registry "$reg")
    has "published "
  done
}

# app DIR REGISTRY: a project needing greet ^1.2 with its fancy feature.
app() {
  mkpkg "$1" app 0.1.0 '[[dependency]]' 'name = "greet"' 'version = "^1.2"' 'features = ["fancy"]'
}

# the lock checks shared by both registries; $1 = the project
check_lock() {
  local proj=$1 f
  label="weld.lock in $proj"
  check "grep -q '^name = \"fmt\"' $proj/weld.lock && grep -A1 '^name = \"fmt\"' $proj/weld.lock | grep -q '0.3.1'" \
    "fmt 0.3.1 (the newest ^0.3) is not locked: $(cat "$proj/weld.lock")"
  check "! grep -q '0.4.0' $proj/weld.lock" "fmt 0.4.0 is outside ^0.3 but locked"
  check "grep -q 'features = \\[\"color\", \"default\", \"std\"\\]' $proj/weld.lock" "log's features are wrong"
  check "grep -q 'dependencies = \\[\"fmt 0.3.1\", \"log 1.0.0\"\\]' $proj/weld.lock" "greet's dependencies are wrong"
  # every installed component matches the digest locked for it (sha256sum as the reference)
  for f in greet/1.2.0 fmt/0.3.1 log/1.0.0; do
    local name=${f%/*} want got
    want=$(sed -n "/^name = \"$name\"/,/^\$/p" "$proj/weld.lock" | sed -n 's/^component = "sha256:\(.*\)"/\1/p')
    got=$(sha256sum "$proj/.weld/packages/$f/component.wasm" | cut -d' ' -f1)
    label="installed $f"
    check "[ -n '$want' ] && [ '$want' = '$got' ]" "locked $want, on disk $got"
  done
}

# ---- manifests: malformed ones are refused with FILE:LINE:COL ------------------------------------
mkdir -p "$tmp/bad" && cd "$tmp/bad" || exit 1
component c.wasm bad
printf '[package]\nname = "bad"\nversion = "1.0"\ncomponent = "c.wasm"\n' >component.toml
run 1 pkg publish --registry "$tmp/reg"
err_has "component.toml:3:11: bad version \"1.0\": expected MAJOR.MINOR.PATCH"
printf '[package]\nname = "bad"\nversion = "1.0.0"\ncomponent = "c.wasm"\n[[dependency]]\nname = "x"\nversion = "^1.x.2"\n' >component.toml
run 1 pkg install --registry "$tmp/reg"
err_has "component.toml:7:11: bad version requirement"
printf '[package]\nname = "bad"\nversion = "1.0.0"\ncomponent = "missing.wasm"\n' >component.toml
run 1 pkg publish --registry "$tmp/reg"
err_has "missing.wasm"
printf 'not wasm' >junk.wasm
printf '[package]\nname = "bad"\nversion = "1.0.0"\ncomponent = "junk.wasm"\n' >component.toml
run 1 pkg publish --registry "$tmp/reg"
err_has "not a valid WebAssembly module or component"
check "[ ! -e '$tmp/reg/bad' ]" "a refused publish left a repository behind"
run 2 pkg frobnicate
err_has "unknown subcommand 'frobnicate'"
run 2 pkg install extra
err_has "pkg install takes no operands"

# ---- new, and what is not supported yet ----------------------------------------------------------
cd "$tmp" || exit 1
run 0 pkg new acme/hello
check "[ -f hello/component.toml ] && [ -f hello/wit/world.wit ]" "new made no manifest or world"
check "grep -q 'world hello' hello/wit/world.wit && grep -q 'package acme:hello@0.1.0;' hello/wit/world.wit" \
  "the WIT world is wrong: $(cat hello/wit/world.wit)"
run 1 pkg new hello
err_has "already exists"
# new --lang c: a WIT world, C source, and a build that generates the bindings, compiles
# for wasm32-wasi and wraps the module as a component
run 0 pkg new acme/c-greeter --lang c --dir cproj
has "src/*.c"
label="clang for wasm32-wasi (pkg new --lang c)"
if command -v clang >/dev/null && echo 'int f(void){return 0;}' | clang --target=wasm32-wasi -nostartfiles -Wl,--no-entry -x c - -o "$tmp/probe2.wasm" 2>/dev/null; then
  run 0 pkg build --project cproj
  has "built c-greeter.wasm (component"
  run 0 run --invoke 'greet("weld")' cproj/c-greeter.wasm
  has '"hello, weld"'
  (cd cproj && run 0 pkg publish --registry "$tmp/creg")
  has "published acme/c-greeter 0.1.0 (component"
else
  skip "clang cannot build wasm32-wasi (tests/deps.sh installs clang, lld and wasi-libc)"
fi
run 1 pkg new other --lang rust
err_has "not supported: \`--lang rust\`"
# build: the [build] command runs in the project, and what it makes must be valid
mkdir -p "$tmp/cb"
cat >"$tmp/cb/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("hello from a package"); return 0; }
C
printf '[package]\nname = "cb"\nversion = "1.0.0"\n\n[build]\nlang = "c"\ncommand = "clang --target=wasm32-wasi -O2 -o hello.wasm hello.c"\noutput = "hello.wasm"\n' >"$tmp/cb/component.toml"
label="clang for wasm32-wasi"
if command -v clang >/dev/null && echo 'int main(void){return 0;}' | clang --target=wasm32-wasi -x c - -o "$tmp/probe.wasm" 2>/dev/null; then
  run 0 pkg build --project "$tmp/cb"
  has "built hello.wasm (core module"
  label="the built module runs"
  check "[ \"\$('$weld' run '$tmp/cb/hello.wasm')\" = 'hello from a package' ]" "weld run hello.wasm: $("$weld" run "$tmp/cb/hello.wasm" 2>&1)"
  (cd "$tmp/cb" && run 0 pkg publish --registry "$tmp/cbreg")
  has "published cb 1.0.0 (core module"
else
  skip "clang cannot build wasm32-wasi (tests/deps.sh installs clang, lld and wasi-libc)"
fi
printf '[package]\nname = "cb2"\nversion = "1.0.0"\n\n[build]\ncommand = "exit 3"\noutput = "x.wasm"\n' >"$tmp/cb/component.toml"
run 1 pkg build --project "$tmp/cb"
err_has "the build command \`exit 3\` exited with status 3"
printf '[package]\nname = "cb2"\nversion = "1.0.0"\n\n[build]\ncommand = "echo junk > x.wasm"\noutput = "x.wasm"\n' >"$tmp/cb/component.toml"
run 1 pkg build --project "$tmp/cb"
err_has "x.wasm: not a valid WebAssembly module or component"
printf '[package]\nname = "cb2"\nversion = "1.0.0"\n' >"$tmp/cb/component.toml"
run 1 pkg build --project "$tmp/cb"
err_has "[build] needs command"

# ---- the registry directory (no server) ------------------------------------------------------------
dirreg="$tmp/dirreg"
publish_all "$dirreg"
check "[ -f '$dirreg/greet/oci-layout' ] && [ -f '$dirreg/greet/index.json' ]" "no image layout for greet"
# the published component.toml carries the component's [[file]] entry and the package
# checksum: sha256 over "SHA256 SIZE PATH\n" lines, worked out here with sha256sum
label="published checksum"
pubtoml=$(grep -l '^checksum = ' "$dirreg"/log/blobs/sha256/* | head -n 1)
wsum=$(sha256sum "$tmp/src/log-1.0.0/c.wasm" | cut -d' ' -f1)
want="sha256:$(printf '%s %s c.wasm\n' "$wsum" "$(wc -c <"$tmp/src/log-1.0.0/c.wasm")" | sha256sum | cut -d' ' -f1)"
check "[ -n '$pubtoml' ] && grep -qx 'checksum = \"$want\"' '$pubtoml' && grep -qx 'sha256 = \"$wsum\"' '$pubtoml'" \
  "the published manifest's checksum or [[file]] is wrong: $(cat "$pubtoml" 2>/dev/null)"
(cd "$tmp/src/fmt-0.3.0" && run 1 pkg publish --registry "$dirreg")
err_has "fmt 0.3.0 is already published"
app "$tmp/app1"
cd "$tmp/app1" || exit 1
run 0 pkg install --registry "$dirreg"
has "installed greet 1.2.0"
has "3 packages installed; weld.lock written"
check_lock "$tmp/app1"
run 0 pkg tree
has "app 0.1.0"
has "└── greet 1.2.0"
has "fmt 0.3.1 [unicode]"
run 0 pkg tree --json
label="weld pkg tree --json"
check "node -e 'const d=JSON.parse(require(\"fs\").readFileSync(\"$tmp/out.txt\",\"utf8\")); if (d.packages.map(p=>p.name).join()!==\"app,fmt,greet,log\") process.exit(1)'" \
  "tree JSON is wrong: $(head -c 300 "$tmp/out.txt")"
run 0 pkg verify
has "ok greet 1.2.0"
# an unchanged project installs again under --locked; a changed one does not
cp weld.lock "$tmp/lock.before"
run 0 pkg install --locked --registry "$dirreg"
run 0 pkg add fmt@0.4 --registry "$dirreg"
has "added fmt 0.4"
run 1 pkg install --locked --registry "$dirreg"
err_has "--locked: weld.lock is out of date (fmt 0.4.0 is not in it)"
check "cmp -s weld.lock '$tmp/lock.before'" "--locked changed weld.lock"
run 0 pkg install --registry "$dirreg"
check "grep -q 'fmt 0.4.0' weld.lock && grep -q '\"fmt 0.3.1\"' weld.lock" "fmt 0.3 and 0.4 should both be locked"
# a tampered installed file is found by verify
printf 'x' >>.weld/packages/log/1.0.0/component.wasm
run 1 pkg verify
err_has "digest mismatch"
# conflicts name their chain
mkpkg "$tmp/app2" app2 0.1.0 "$(dep greet ^1)" "$(dep fmt =0.3.0)"
mkpkg "$tmp/src/pin-1.0.0" pin 1.0.0 "$(dep fmt =0.3.1)"
(cd "$tmp/src/pin-1.0.0" && run 0 pkg publish --registry "$dirreg")
mkpkg "$tmp/app3" app3 0.1.0 "$(dep pin 1)" "$(dep fmt =0.3.0)"
cd "$tmp/app3" || exit 1
run 1 pkg install --registry "$dirreg"
err_has "conflict: fmt =0.3.1 (required by app3 0.1.0 -> pin 1.0.0) cannot be met: fmt 0.3.0 is already chosen (by app3 0.1.0 -> fmt 0.3.0)"
check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a failed install left a lock or packages"
mkpkg "$tmp/app4" app4 0.1.0 "$(dep nosuch 1)"
cd "$tmp/app4" && run 1 pkg install --registry "$dirreg"
err_has "no package named \"nosuch\" in the registry (required by app4 0.1.0)"
# yanked: new resolutions avoid it, a lock keeps it
cd "$tmp/app1" || exit 1
run 0 pkg yank fmt@0.3.1 --registry "$dirreg"
mkpkg "$tmp/app5" app5 0.1.0 "$(dep fmt ^0.3)"
cd "$tmp/app5" && run 0 pkg install --registry "$dirreg"
has "installed fmt 0.3.0"
cd "$tmp/app1" && run 0 pkg install --locked --registry "$dirreg"
has "fmt 0.3.1"
run 0 pkg yank fmt@0.3.1 --undo --registry "$dirreg"
# search and the cache
run 0 pkg search fm --registry "$dirreg"
has "fmt 0.4.0  the fmt package"
run 0 pkg search --json --registry "$dirreg"
label="weld pkg search --json"
check "node -e 'const d=JSON.parse(require(\"fs\").readFileSync(\"$tmp/out.txt\",\"utf8\")); if (d.packages.map(p=>p.name).sort().join()!==\"fmt,greet,log,pin\") process.exit(1)'" \
  "search JSON is wrong: $(head -c 300 "$tmp/out.txt")"
# the configuration file names the registry; a mistake in it is FILE:LINE:COL
printf '[pkg]\nregistry = "%s"\n' "$dirreg" >"$tmp/config.toml"
WELD_CONFIG="$tmp/config.toml" run 0 pkg search greet
has "greet 1.2.0"
printf '[pkg]\nregistery = "%s"\n' "$dirreg" >"$tmp/config.toml"
WELD_CONFIG="$tmp/config.toml" run 1 pkg search --json greet
err_has "config.toml:2:1: unknown or mistyped key 'registery' in [pkg]"
has '"kind": "usage"'
# add without a requirement: ^ the newest release
mkpkg "$tmp/app9" app9 0.1.0
cd "$tmp/app9" && run 0 pkg add greet --registry "$dirreg"
has "added greet ^1.2.0"
run 0 pkg add greet@~1.2 --registry "$dirreg"
has "changed greet ~1.2"
label="add changes the requirement in place"
check "grep -c '^version = \"~1.2\"\$' component.toml | grep -qx 1 && ! grep -q '1.2.0\"' component.toml && [ \$(grep -c dependency component.toml) = 1 ]" \
  "component.toml: $(cat component.toml)"
cd "$tmp/app1" || exit 1
run 0 pkg cache dir
has "$tmp/cache"
run 0 pkg cache --json
label="weld pkg cache --json"
check "grep -qE '\"files\": [1-9]' '$tmp/out.txt' && grep -qE '\"bytes\": [1-9]' '$tmp/out.txt'" "cache JSON: $(cat "$tmp/out.txt")"
# a damaged cache entry is fetched again, not used
for f in "$tmp"/cache/blobs/sha256/*; do printf 'junk' >"$f"; done
mkpkg "$tmp/app6" app6 0.1.0 "$(dep log 1)"
cd "$tmp/app6" && run 0 pkg install --registry "$dirreg"
run 0 pkg verify
# a blob tampered with on the registry's disk is refused and nothing is installed
run 0 pkg cache clean
logdigest=$(sed -n '/^name = "log"/,/^$/p' weld.lock | sed -n 's/^component = "sha256:\(.*\)"/\1/p')
printf 'evil' >"$dirreg/log/blobs/sha256/$logdigest"
mkpkg "$tmp/app7" app7 0.1.0 "$(dep log 1)"
cd "$tmp/app7" && run 1 pkg install --registry "$dirreg"
err_has "digest mismatch: expected sha256:$logdigest"
check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a refused blob left a lock or packages"
# ...and a package whose component.toml disagrees with its layer is refused too
component "$tmp/src/log-1.0.0/c.wasm" log-1.0.0 # put the original back
cp "$tmp/src/log-1.0.0/c.wasm" "$dirreg/log/blobs/sha256/$logdigest"
run 0 pkg install --registry "$dirreg"

# ---- signatures: ed25519, checked against trusted keys ---------------------------------------------
sigreg="$tmp/sigreg"
mkdir -p "$tmp/keys"
cd "$tmp/keys" || exit 1
run 0 pkg keygen alice
has "wrote alice.key"
label="alice.key is private"
check "[ \"\$(stat -c %a alice.key)\" = 600 ]" "alice.key has mode $(stat -c %a alice.key)"
alice_id=$(sed -n 's/^key //p' "$tmp/out.txt")
run 0 pkg keygen mallory
run 1 pkg keygen alice
err_has "alice.key or alice.pub already exists"
mkpkg "$tmp/src/sa" sa 1.0.0
mkpkg "$tmp/src/sb" sb 1.0.0 "$(dep sa 1)"
mkpkg "$tmp/src/sc" sc 1.0.0
(cd "$tmp/src/sa" && run 0 pkg publish --sign "$tmp/keys/alice.key" --registry "$sigreg")
has "signed by key $alice_id"
(cd "$tmp/src/sb" && run 0 pkg publish --sign "$tmp/keys/alice.key" --registry "$sigreg")
(cd "$tmp/src/sc" && run 0 pkg publish --registry "$sigreg")
label="Node's ed25519 verifies weld's signature"
check "[ \"\$(node '$root/tests/pkg/sig.mjs' verify '$sigreg/sa' 1.0.0)\" = 'ok $alice_id' ]" \
  "node says: $(node "$root/tests/pkg/sig.mjs" verify "$sigreg/sa" 1.0.0 2>&1)"
chmod 644 "$tmp/keys/mallory.key"
(cd "$tmp/src/sc" && run 1 pkg publish --sign "$tmp/keys/mallory.key" --registry "$sigreg")
err_has "mallory.key: a secret key must be readable by its owner only"
chmod 600 "$tmp/keys/mallory.key"
# a secret key whose public half is not its seed's (one byte of it changed): refused, not
# used to make signatures that cannot verify
python3 -c '
import base64, sys
tag, b64 = open(sys.argv[1]).read().split()[:2]
k = bytearray(base64.b64decode(b64)); k[40] ^= 1
open(sys.argv[2], "w").write(tag + " " + base64.b64encode(bytes(k)).decode() + "\n")' "$tmp/keys/mallory.key" "$tmp/keys/damaged.key"
chmod 600 "$tmp/keys/damaged.key"
(cd "$tmp/src/sc" && run 1 pkg publish --sign "$tmp/keys/damaged.key" --registry "$sigreg")
err_has "damaged.key:1:21: the secret key is damaged (its public half is not its seed's)"
printf 'weld-ed25519 bm90IGEga2V5\n' >"$tmp/keys/broken.pub"
mkpkg "$tmp/sapp" sapp 0.1.0 "$(dep sb 1)"
cd "$tmp/sapp" || exit 1
run 1 pkg install --require-signatures --trusted-key "$tmp/keys/broken.pub" --registry "$sigreg"
err_has "broken.pub:1:14: the public key is not 32 bytes in base64"
run 1 pkg install --require-signatures --registry "$sigreg"
err_has "signatures are required, but no key is trusted"
run 1 pkg install --require-signatures --trusted-key "$tmp/keys/mallory.pub" --registry "$sigreg"
err_has "is signed by key $alice_id, which is not a trusted key"
check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a refused install left a lock or packages"
run 0 pkg install --require-signatures --trusted-key "$tmp/keys/mallory.pub" --trusted-key "$tmp/keys/alice.pub" --registry "$sigreg"
has "installed sa 1.0.0"
has "signed by $alice_id"
# the configuration file: trusted keys relative to it, signatures required
mkdir -p "$tmp/conf"
cp "$tmp/keys/alice.pub" "$tmp/conf/"
printf '[pkg]\nregistry = "%s"\ntrusted-keys = ["alice.pub"]\nrequire-signatures = true\n' "$sigreg" >"$tmp/conf/config.toml"
rm -rf weld.lock .weld
WELD_CONFIG="$tmp/conf/config.toml" run 0 pkg install
has "2 packages installed"
mkpkg "$tmp/sapp2" sapp2 0.1.0 "$(dep sc 1)"
cd "$tmp/sapp2" || exit 1
WELD_CONFIG="$tmp/conf/config.toml" run 1 pkg install
err_has "sc 1.0.0 is not signed, and signatures are required"
run 0 pkg install --registry "$sigreg"   # unsigned packages install when signatures are not required
# a hostile registry swaps the component and fixes every digest: only the signature catches it
component "$tmp/evil.wasm" evil
node "$root/tests/pkg/sig.mjs" forge "$sigreg/sa" 1.0.0 "$tmp/evil.wasm"
label="the forged manifest"
check "[ \"\$(node '$root/tests/pkg/sig.mjs' verify '$sigreg/sa' 1.0.0)\" = bad ]" "Node still verifies the forged signature"
cd "$tmp/sapp" && rm -rf weld.lock .weld
run 1 pkg install --trusted-key "$tmp/keys/alice.pub" --registry "$sigreg"
err_has "sa 1.0.0: the signature by key $alice_id does not verify: the package was changed after it was signed"
check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a forged package left a lock or packages"

# ---- pkg run ----------------------------------------------------------------------------------------
# run: three packages (runner -> hello -> env) fetched, composed and run as one command;
# hello is a C program made a WASI command by jco's preview1 adapter
. "$root/tests/component/jco_env.sh"
label="weld pkg run: jco and clang"
here="$root/tests/component/compose"
if [ "${WELD_TEST_JCO:-1}" = 0 ] || ! command -v clang >/dev/null || ! jco_install "$root/build/component-jco" 2>"$tmp/err.txt"; then
  skip "needs clang and jco (npm): $(head -c 200 "$tmp/err.txt")"
elif ! clang --target=wasm32-wasi -O1 -o "$tmp/hello.wasm" "$here/hello.c" 2>"$tmp/err.txt" ||
  ! "$jco_dir/node_modules/.bin/jco" new "$tmp/hello.wasm" --wasi-command -o "$tmp/hello.comp.wasm" >"$tmp/err.txt" 2>&1; then
  bad "cannot build hello: $(head -c 300 "$tmp/err.txt")"
else
  ok
  runreg="$tmp/runreg"
  mkdir -p "$tmp/rp/env" "$tmp/rp/hello" "$tmp/rp/runner"
  "$weld" encode "$here/env.wat" -o "$tmp/rp/env/c.wasm"
  cp "$tmp/hello.comp.wasm" "$tmp/rp/hello/c.wasm"
  "$weld" encode "$here/runner.wat" -o "$tmp/rp/runner/c.wasm"
  printf '[package]\nname = "env"\nversion = "1.0.0"\ncomponent = "c.wasm"\n' >"$tmp/rp/env/component.toml"
  printf '[package]\nname = "hello"\nversion = "1.0.0"\ncomponent = "c.wasm"\n%s\n' "$(dep env ^1)" >"$tmp/rp/hello/component.toml"
  printf '[package]\nname = "runner"\nversion = "1.0.0"\ncomponent = "c.wasm"\n%s\n' "$(dep hello ^1)" >"$tmp/rp/runner/component.toml"
  for p in env hello runner; do (cd "$tmp/rp/$p" && run 0 pkg publish --sign "$tmp/keys/alice.key" --registry "$runreg"); done
  cd "$tmp" || exit 1
  run 0 pkg run runner@1.0.0 --registry "$runreg" a b
  want=$'argc=2 greeting=hello from a plug\narg 0: prog\narg 1: x'
  label="weld pkg run runner@1.0.0: its output"
  check "[ \"\$(cat '$tmp/out.txt')\" = \"\$want\" ]" "got: $(cat "$tmp/out.txt") $(cat "$tmp/err.txt")"
  run 0 pkg run runner@1.0.0 --require-signatures --trusted-key "$tmp/keys/alice.pub" --registry "$runreg"
  run 1 pkg run runner@1.0.0 --require-signatures --trusted-key "$tmp/keys/mallory.pub" --registry "$runreg"
  err_has "is signed by key $alice_id, which is not a trusted key"
  # install --policy: every package audited; hello's WASI imports need what the policy grants
  mkpkg "$tmp/papp" papp 0.1.0 "$(dep runner 1)"
  cd "$tmp/papp" || exit 1
  printf '[stdio]\nstdin = false\n' >"$tmp/deny.toml"
  run 1 pkg install --policy "$tmp/deny.toml" --registry "$runreg"
  err_has "hello 1.0.0 asks for more than the policy"
  err_has "file system access (read, write, create, delete, list) is not granted"
  check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a refused package left a lock or packages"
  mkdir -p "$tmp/pdata"
  printf '[[fs.dir]]\nhost = "%s"\nops = ["read", "write", "create", "delete", "list"]\n[env]\ninherit = true\n[stdio]\nstdin = true\n[system]\nclocks = true\nrandom = true\n' "$tmp/pdata" >"$tmp/allow.toml"
  run 0 pkg install --policy "$tmp/allow.toml" --registry "$runreg"
  has "3 packages installed"
  cd "$tmp" || exit 1
  run 1 pkg run runner@2.0.0 --registry "$runreg"
  err_has "no version of runner matches =2.0.0"
  run 2 pkg run runner --registry "$runreg"
  err_has "is not NAME@VERSION"
  label="weld pkg run leaves no scratch directory"
  check "! ls -d /tmp/weld-pkg-run-* 2>/dev/null | xargs -r -n1 sh -c 'test -O \"\$0\"' 2>/dev/null | grep -q ." "scratch left"
fi

# ---- skopeo reads and copies the registry directory ----------------------------------------------
if command -v skopeo >/dev/null; then
  label="skopeo inspect --raw oci:greet"
  if skopeo inspect --raw "oci:$dirreg/greet:1.2.0" >"$tmp/raw.json" 2>"$tmp/err.txt"; then
    want=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$dirreg/greet/index.json" | head -n 1 | cut -d'"' -f4)
    got="sha256:$(sha256sum "$tmp/raw.json" | cut -d' ' -f1)"
    check "[ '$want' = '$got' ]" "skopeo's manifest digest $got, index.json says $want"
    check "grep -q 'application/vnd.wasm.config.v0+json' '$tmp/raw.json' && grep -q '\"application/wasm\"' '$tmp/raw.json'" \
      "the artifact's media types are wrong"
  else
    bad "skopeo could not read weld's layout: $(cat "$tmp/err.txt")"
  fi
  mkdir -p "$tmp/skreg/greet"
  label="skopeo copy oci: to oci:"
  if skopeo copy "oci:$dirreg/greet:1.2.0" "oci:$tmp/skreg/greet:1.2.0" >/dev/null 2>"$tmp/err.txt"; then
    ok
    for p in fmt log; do
      mkdir -p "$tmp/skreg/$p"
      for v in $(grep -o '"org.opencontainers.image.ref.name":"[^"]*"' "$dirreg/$p/index.json" | cut -d'"' -f4); do
        skopeo copy "oci:$dirreg/$p:$v" "oci:$tmp/skreg/$p:$v" >/dev/null 2>>"$tmp/err.txt" || bad "skopeo copy $p:$v"
      done
    done
    app "$tmp/app8"
    cd "$tmp/app8" && run 0 pkg install --registry "$tmp/skreg"
    has "3 packages installed"
  else
    bad "skopeo copy failed: $(cat "$tmp/err.txt")"
  fi
else
  label="skopeo"
  skip "skopeo is not installed (tests/deps.sh installs it)"
fi

# ---- a distribution registry: Debian's docker-registry on loopback ----------------------------------
label="docker-registry"
regbin=$(command -v docker-registry || true)
port=""
if [ -n "$regbin" ]; then
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  mkdir -p "$tmp/regdata"
  cat >"$tmp/registry.yml" <<Y
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $tmp/regdata
http:
  addr: 127.0.0.1:$port
Y
  "$regbin" serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
  regpid=$!
  trap 'kill $regpid 2>/dev/null; wait $regpid 2>/dev/null; rm -rf "$tmp"' EXIT
  up=0
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    kill -0 $regpid 2>/dev/null || break
    sleep 0.1
  done
  [ $up = 1 ] || { skip "docker-registry did not start: $(head -c 300 "$tmp/registry.log")"; port=""; }
else
  skip "docker-registry is not installed (tests/deps.sh installs it)"
fi

if [ -n "$port" ]; then
  url="http://127.0.0.1:$port"
  rm -rf "$tmp/src" "$tmp/cache"
  # blobs over 64 bytes (the manifests) go up in chunks, smaller ones (the components) in one request
  WELD_REGISTRY_CHUNK_SIZE=64 publish_all "$url/weld"
  app "$tmp/rapp"
  cd "$tmp/rapp" || exit 1
  run 0 pkg install --registry "$url/weld"
  has "3 packages installed"
  check_lock "$tmp/rapp"
  run 0 pkg search --registry "$url/weld"
  has "greet 1.2.0  the greet package"
  cp weld.lock "$tmp/rlock"
  run 0 pkg add log@1 --registry "$url/weld"
  run 1 pkg install --locked --registry "$url/weld"
  err_has "--locked: weld.lock is out of date"
  check "cmp -s weld.lock '$tmp/rlock'" "--locked changed weld.lock"
  # signed over HTTP: required signatures hold, an unsigned dependency is refused
  mkpkg "$tmp/src/rsig" rsig 1.0.0 "$(dep fmt ^0.3)"
  (cd "$tmp/src/rsig" && run 0 pkg publish --sign "$tmp/keys/alice.key" --registry "$url/weld")
  mkpkg "$tmp/rsapp" rsapp 0.1.0 "$(dep rsig 1)"
  cd "$tmp/rsapp" || exit 1
  run 1 pkg install --require-signatures --trusted-key "$tmp/keys/alice.pub" --registry "$url/weld"
  err_has "fmt 0.3.1 is not signed, and signatures are required"
  run 0 pkg install --trusted-key "$tmp/keys/alice.pub" --registry "$url/weld"
  has "installed rsig 1.0.0 ("
  has "signed by $alice_id"
  cd "$tmp/rapp" || exit 1
  # skopeo reads what weld pushed, byte for byte, and copies it to a layout weld installs from
  label="skopeo inspect --raw docker://"
  if command -v skopeo >/dev/null; then
    if skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$port/weld/greet:1.2.0" >"$tmp/raw.json" 2>"$tmp/err.txt"; then
      got="sha256:$(sha256sum "$tmp/raw.json" | cut -d' ' -f1)"
      want=$(sed -n '/^name = "greet"/,/^$/p' weld.lock | sed -n 's/^manifest = "\(.*\)"/\1/p')
      check "[ '$want' = '$got' ]" "skopeo's manifest digest $got, weld.lock says $want"
    else
      bad "skopeo could not read weld's push: $(cat "$tmp/err.txt")"
    fi
    rm -rf "$tmp/skreg2"
    label="skopeo copy docker:// to oci:"
    okcopy=1
    for ref in greet:1.2.0 fmt:0.3.1 fmt:0.3.0 fmt:0.4.0 log:1.0.0; do
      mkdir -p "$tmp/skreg2/${ref%%:*}"
      skopeo copy --src-tls-verify=false "docker://127.0.0.1:$port/weld/$ref" "oci:$tmp/skreg2/$ref" >/dev/null 2>"$tmp/err.txt" ||
        { okcopy=0; bad "skopeo copy $ref: $(cat "$tmp/err.txt")"; }
    done
    if [ $okcopy = 1 ]; then
      ok
      app "$tmp/rapp2"
      cd "$tmp/rapp2" && run 0 pkg install --registry "$tmp/skreg2"
      has "3 packages installed"
    fi
    # and weld installs what skopeo pushed: a layout with a plain wasm artifact and no component.toml
    mkdir -p "$tmp/plain"
    component "$tmp/plain/p.wasm" plain
    lay="$tmp/plain/lay"
    mkdir -p "$lay/blobs/sha256"
    # blob FILE: stores FILE in the layout, prints "sha256:HEX SIZE"
    blob() {
      local h
      h=$(sha256sum "$1" | cut -d' ' -f1)
      cp "$1" "$lay/blobs/sha256/$h"
      echo "sha256:$h $(wc -c <"$1")"
    }
    read -r wd ws < <(blob "$tmp/plain/p.wasm")
    printf '{"architecture":"wasm","os":"wasip2","layerDigests":["%s"]}' "$wd" >"$tmp/plain/config.json"
    read -r cd cs < <(blob "$tmp/plain/config.json")
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.wasm.config.v0+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/wasm","digest":"%s","size":%s}]}' \
      "$cd" "$cs" "$wd" "$ws" >"$tmp/plain/manifest.json"
    read -r md ms < <(blob "$tmp/plain/manifest.json")
    printf '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"2.0.0"}}]}' \
      "$md" "$ms" >"$lay/index.json"
    label="skopeo copy oci: to docker://"
    if skopeo copy --dest-tls-verify=false "oci:$tmp/plain/lay:2.0.0" "docker://127.0.0.1:$port/weld/plain:2.0.0" >/dev/null 2>"$tmp/err.txt"; then
      ok
      mkpkg "$tmp/rapp3" rapp3 0.1.0 "$(dep plain 2)"
      cd "$tmp/rapp3" && run 0 pkg install --registry "$url/weld"
      has "installed plain 2.0.0"
      label="plain component"
      check "cmp -s .weld/packages/plain/2.0.0/component.wasm '$tmp/plain/p.wasm'" "plain's component differs"
    else
      bad "skopeo could not push: $(cat "$tmp/err.txt")"
    fi
  else
    skip "skopeo is not installed"
  fi
  # a blob modified on the registry's disk is refused, nothing installed
  cd "$tmp/rapp" || exit 1
  logdigest=$(sed -n '/^name = "log"/,/^$/p' weld.lock | sed -n 's/^component = "sha256:\(.*\)"/\1/p')
  data="$tmp/regdata/docker/registry/v2/blobs/sha256/${logdigest:0:2}/$logdigest/data"
  label="tampered registry blob"
  check "[ -f '$data' ]" "no blob file at $data"
  printf 'evil' >"$data"
  rm -rf "$tmp/cache"
  mkpkg "$tmp/rapp4" rapp4 0.1.0 "$(dep log 1)"
  cd "$tmp/rapp4" && run 1 pkg install --registry "$url/weld"
  err_has "digest mismatch: expected sha256:$logdigest"
  check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a refused blob left a lock or packages"
  # the C package round trip (chain/run.sh) through this registry, tampering in its storage
  label="pkg chain (docker-registry)"
  CHAIN_REGISTRY="$url/chain" CHAIN_REGISTRY_STORE="$tmp/regdata" "$root/tests/pkg/chain/run.sh" "$weld" >"$tmp/chain-reg.out" 2>&1
  sed -n 's/^\(FAIL\|SKIP\) /\1 [chain, docker-registry] /p' "$tmp/chain-reg.out"
  read -r cp _ cf _ cs _ < <(grep '^[0-9]* passed' "$tmp/chain-reg.out" | tr -d ',')
  passed=$((passed + ${cp:-0})) failed=$((failed + ${cf:-1})) skipped=$((skipped + ${cs:-0}))
  # unknown packages, and a registry that is not there
  mkpkg "$tmp/rapp5" rapp5 0.1.0 "$(dep nosuch 1)"
  cd "$tmp/rapp5" && run 1 pkg install --registry "$url/weld"
  err_has "no package named \"nosuch\""
  kill $regpid 2>/dev/null
  wait $regpid 2>/dev/null
  run 1 pkg install --registry "$url/weld"
  err_has "$url/v2/weld/nosuch/tags/list"
fi

# ---- registry responses that are wrong: clear one-line errors, nothing installed ------------------
node "$root/tests/pkg/badreg.mjs" >"$tmp/badreg.port" 2>"$tmp/badreg.log" &
badpid=$!
for _ in $(seq 1 100); do [ -s "$tmp/badreg.port" ] && break; sleep 0.1; done
bport=$(cat "$tmp/badreg.port")
label="the misbehaving registry"
if [ -n "$bport" ]; then
  ok
  bad_case() { # REPO RC MESSAGE
    mkpkg "$tmp/bad-$1" "bad$1" 0.1.0 "$(dep "$1" 1)"
    cd "$tmp/bad-$1" || return
    run "$2" pkg install --registry "http://127.0.0.1:$bport"
    err_has "$3"
    label="no partial install ($1)"
    check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a failed install left a lock or packages"
  }
  rm -rf "$tmp/cache"
  bad_case e500 1 "GET /v2/e500/tags/list: HTTP 500 (UNKNOWN: boom)"
  bad_case e401 1 "HTTP 401 (set WELD_REGISTRY_USERNAME and WELD_REGISTRY_PASSWORD)"
  bad_case trunc 1 "/v2/trunc/tags/list: JSON unterminated string at offset 25"
  bad_case drop 1 "/v2/drop/tags/list: "
  bad_case wrongdig 1 "manifest digest mismatch: the registry says sha256:"
  bad_case badblob 1 "digest mismatch: expected sha256:"
  # a Bearer challenge answered with a token from the realm
  mkpkg "$tmp/tokapp" tokapp 0.1.0 "$(dep tok 1)"
  cd "$tmp/tokapp" && run 0 pkg install --registry "http://127.0.0.1:$bport"
  has "installed tok 1.0.0"
  # Basic credentials from a Docker-style config.json (the password holds a ':')
  mkpkg "$tmp/basicapp" basicapp 0.1.0 "$(dep basic 1)"
  cd "$tmp/basicapp" || exit 1
  export DOCKER_CONFIG="$tmp/docker"
  mkdir -p "$DOCKER_CONFIG"   # empty: no credentials
  run 1 pkg install --registry "http://127.0.0.1:$bport"
  err_has "HTTP 401"
  printf '{"auths": {"http://127.0.0.1:%s": {"auth": "%s"}}}' "$bport" "$(printf 'carol:s3cret:x' | base64)" >"$DOCKER_CONFIG/config.json"
  run 0 pkg install --registry "http://127.0.0.1:$bport"
  has "installed basic 1.0.0"
  rm -rf weld.lock .weld
  printf '{"auths": {"127.0.0.1:%s": {"username": "carol", "password": "s3cret:x"}}}' "$bport" >"$DOCKER_CONFIG/config.json"
  run 0 pkg install --registry "http://127.0.0.1:$bport"
  has "installed basic 1.0.0"
  rm -rf weld.lock .weld
  WELD_REGISTRY_USERNAME=carol WELD_REGISTRY_PASSWORD=wrong run 1 pkg install --registry "http://127.0.0.1:$bport"
  err_has "HTTP 401" # the environment comes first
  printf '{"auths": {"127.0.0.1:%s": {"auth": "%%%%"}}}' "$bport" >"$DOCKER_CONFIG/config.json"
  run 1 pkg install --registry "http://127.0.0.1:$bport"
  err_has "auths.\"127.0.0.1:$bport\".auth is not base64 of USER:PASSWORD"
  printf '{"credHelpers": {"127.0.0.1:%s": "pass"}}' "$bport" >"$DOCKER_CONFIG/config.json"
  run 1 pkg install --registry "http://127.0.0.1:$bport"
  err_has "not supported: credential helpers"
  printf '{"auths": ' >"$DOCKER_CONFIG/config.json"
  run 1 pkg install --registry "http://127.0.0.1:$bport"
  err_has "$DOCKER_CONFIG/config.json: JSON"
  check "[ ! -e weld.lock ] && [ ! -e .weld/packages ]" "a failed install left a lock or packages"
  export DOCKER_CONFIG="$tmp/no-docker"
else
  bad "did not start: $(cat "$tmp/badreg.log")"
fi
kill $badpid 2>/dev/null
wait $badpid 2>/dev/null

# ---- three C packages from `weld pkg new --lang c`: built, published, run (chain/run.sh) ---------
# (through a registry directory here; through docker-registry above)
label="pkg chain"
"$root/tests/pkg/chain/run.sh" "$weld" >"$tmp/chain.out" 2>&1
sed -n 's/^\(FAIL\|SKIP\) /\1 [chain] /p' "$tmp/chain.out"
read -r cp _ cf _ cs _ < <(grep '^[0-9]* passed' "$tmp/chain.out" | tr -d ',')
passed=$((passed + ${cp:-0})) failed=$((failed + ${cf:-1})) skipped=$((skipped + ${cs:-0}))

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
