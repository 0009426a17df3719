#!/usr/bin/env bash
# Tests of `weld audit`: hand-made modules with known import sets (written in WAT and
# converted with wat2wasm at run time), checked for boundary, risk and violations in both
# output formats, plus exit codes and one-line errors for bad input.
#
#   tests/audit/audit_test.sh [WELD]        (default: build/weld)
#
# Prints each failed check and ends with `N passed, M failed`.
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
harness_init audit "${1:-$root/build/weld}" wat2wasm node

# run RC ARGS...: runs weld audit, keeps stdout/stderr, checks the exit code.
run() {
  local want=$1
  shift
  label="weld audit $*"
  "$weld" audit "$@" >out.txt 2>err.txt
  rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "exit $rc, expected $want; stderr: $(cat err.txt)"; fi
}
has() { if grep -qF -- "$1" out.txt; then ok; else bad "stdout lacks '$1'"; fi; }
lacks() { if ! grep -qF -- "$1" out.txt; then ok; else bad "stdout has '$1'"; fi; }
err_line() {
  if [ "$(wc -l <err.txt)" -eq 1 ] && grep -qE -- "$1" err.txt; then ok; else bad "stderr is not one line matching /$1/: $(cat err.txt)"; fi
}
# json EXPR: a JavaScript expression over `r` (the parsed stdout) that must be true.
json() {
  if node -e '
    const r = JSON.parse(require("fs").readFileSync("out.txt", "utf8"));
    if (!(('"$1"'))) process.exit(1);' 2>node.txt; then ok; else bad "JSON check failed: $1 $(head -c 300 node.txt)"; fi
}
wat() { wat2wasm "$@" 2>wat.txt || { echo "audit: wat2wasm failed on $1: $(cat wat.txt)" >&2; }; }

# ---- modules ------------------------------------------------------------------------------
cat >hello.wat <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
W
cat >server.wat <<'W'
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 16)
  (func (export "serve")))
W
cat >opaque.wat <<'W'
(module
  (import "env" "host_exec" (func (param i32) (result i32)))
  (import "env" "host_log" (func (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "not_a_wasi_call" (func)))
W
# The same imports under the module name of the snapshot before preview1: `weld run`
# serves "wasi_unstable" as WASI (src/wasi/wasi.c), so the audit must see the same doors.
sed 's/wasi_snapshot_preview1/wasi_unstable/' server.wat >unstable.wat
sed 's/wasi_snapshot_preview1/wasi_unstable/' opaque.wat >unstable_opaque.wat
cat >bigmem.wat <<'W'
(module (memory 2000 2000) (table 50000 50000 funcref))
W
cat >facts.wat <<'W'
(module
  (type $t (func))
  (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (data (i32.const 0) "junk\89PNG\0d\0a\1a\0a....PK\03\04......\00asm\01\00\00\00")
  (func $init (drop (memory.grow (i32.const 1))) (call_indirect (type $t) (i32.const 0)))
  (func (export "run") (call_indirect (type $t) (i32.const 1)))
  (start $init))
W
cat >invalid.wat <<'W'
(module (func (result i32) (i64.const 1)))
W
wat hello.wat -o hello.wasm
wat server.wat -o server.wasm
wat opaque.wat -o opaque.wasm
wat unstable.wat -o unstable.wasm
wat unstable_opaque.wat -o unstable_opaque.wasm
wat bigmem.wat -o bigmem.wasm
wat facts.wat -o facts.wasm
wat --no-check invalid.wat -o invalid.wasm
# A producers custom section appended by hand: language C 11, processed-by clang 16.
cp facts.wasm prod.wasm
printf '\x00\x33\x09producers\x02\x08language\x01\x01C\x0211\x0cprocessed-by\x01\x05clang\x0416.0' >>prod.wasm
# ... and a truncated one (the declared field count promises more than there is).
cp hello.wasm badprod.wasm
printf '\x00\x0c\x09producers\x05\x01' >>badprod.wasm

# ---- acceptance: fd_write only is minimal or low --------------------------------------------
run 0 hello.wasm
has "**Risk: low**"
has "fd_write"
has "- **stdio**"
run 0 hello.wasm --preset isolated
has "Passed: the policy allows this module."
run 0 --format json hello.wasm --preset isolated
json 'r.risk === "minimal" || r.risk === "low"'
json 'r.policy.name === "isolated" && r.policy.passed === true && r.policy.violations.length === 0'
json 'r.boundary.capabilities.join() === "stdio" && r.boundary.file_operations.length === 0'
json 'r.imports.length === 1 && r.imports[0].wasi && !r.imports[0].opaque'
json 'r.exports.map(e => e.name).join() === "memory,_start" && r.start === null'
json 'r.memories[0].min === 1 && r.memories[0].max === 1 && r.code.memory_grow === 0'

# ---- acceptance: path_open + path_unlink_file + sock_accept --------------------------------
run 1 server.wasm --preset isolated
has "**Failed:"
has "file system access"
has "network access is not granted"
has "above the policy's max_risk 'low'"
has "can delete files or directories (path_unlink_file)"
has "can accept network connections"
run 1 server.wasm --preset isolated --format json
json '["moderate", "high", "critical"].includes(r.risk)'
json 'r.reasons.length >= 3 && r.reasons.some(x => /path_unlink_file/.test(x.text)) && r.reasons.some(x => /sock_accept/.test(x.text))'
json 'r.policy.passed === false && r.policy.violations.some(v => v.kind === "capability" && v.severity === "high")'
json 'r.policy.violations.some(v => v.kind === "risk")'
json '["file", "network"].every(c => r.boundary.capabilities.includes(c))'
json '["read", "write", "create", "delete"].every(o => r.boundary.file_operations.includes(o))'
json 'r.boundary.operations.includes("listen")'
json 'r.imports.find(i => i.name === "path_open").file_operations.includes("create")'
run 0 server.wasm
has "**Risk: critical**"
lacks "## Policy"
run 0 server.wasm --format json
json 'r.policy === null'

# A policy that grants it all passes; one granting only reading lists what is missing.
cat >grant.toml <<'T'
[[fs.dir]]
host = "/srv/data"
guest = "/data"
ops = ["all"]
[net]
listen = ["0.0.0.0:8080"]
[audit]
max_risk = "critical"
T
run 0 server.wasm --policy grant.toml
has "## Policy grant.toml"
has "Passed"
cat >readonly.toml <<'T'
name = "read-only data"
[[fs.dir]]
host = "/srv/data"
guest = "/data"
ops = ["read", "list"]
[net]
connect = ["db.internal:5432"]
T
run 1 server.wasm --policy readonly.toml --format json
json 'r.policy.name === "read-only data"'
json 'r.policy.violations.some(v => v.kind === "operation" && /delete/.test(v.message))'
json 'r.policy.violations.some(v => v.kind === "operation" && /write/.test(v.message))'
json 'r.policy.violations.some(v => v.kind === "operation" && /accepting connections/.test(v.message))'
json '!r.policy.violations.some(v => /read/.test(v.message) && v.kind === "operation" && /\x27read\x27/.test(v.message))'
run 1 server.wasm --preset readonly-fs --format json
json 'r.policy.violations.some(v => v.kind === "risk")'

# ---- wasi_unstable: the same capability table as preview1 ---------------------------------
run 0 server.wasm --format json
node -e 'const r = JSON.parse(require("fs").readFileSync("out.txt", "utf8"));
  for (const i of r.imports) i.module = "wasi_unstable";
  process.stdout.write(JSON.stringify([r.risk, r.boundary, r.imports, r.reasons]))' >server.json
run 0 unstable.wasm --format json
json 'r.imports.every(i => i.module === "wasi_unstable" && i.wasi && !i.opaque)'
json 'r.boundary.opaque_modules === 0 && !r.boundary.capabilities.includes("opaque")'
json 'JSON.stringify([r.risk, r.boundary, r.imports, r.reasons]) === require("fs").readFileSync("server.json", "utf8")'
run 1 unstable.wasm --preset isolated --format json
json 'r.policy.violations.some(v => v.kind === "capability" && /file system/.test(v.message))'
json 'r.policy.violations.some(v => v.kind === "capability" && /network/.test(v.message))'
json '!r.policy.violations.some(v => /host module/.test(v.message))'
run 0 unstable.wasm --policy grant.toml
has "Passed"
run 1 unstable_opaque.wasm --preset cli --format json
json 'r.imports.find(i => i.name === "fd_write").wasi === true'
json 'r.imports.find(i => i.name === "not_a_wasi_call").opaque === true && r.boundary.opaque_modules === 2'

# ---- opaque imports ----------------------------------------------------------------------
run 1 opaque.wasm --preset cli --format json
json 'r.boundary.opaque_modules === 2'
json 'r.imports.filter(i => i.opaque).length === 3'
json 'r.imports.find(i => i.name === "not_a_wasi_call").opaque === true'
json 'r.policy.violations.some(v => /host module .env./.test(v.message))'
json 'r.risk === "high" || r.risk === "critical"'
run 0 opaque.wasm
has "2 functions from host module 'env'"

# ---- limits -------------------------------------------------------------------------------
run 1 bigmem.wasm --preset isolated
has "memory 0 needs at least 2000 pages"
has "table 0 needs at least 50000 elements"
cat >lim.toml <<'T'
[limits]
memory = "1GiB"
table_elements = 100_000
T
run 0 bigmem.wasm --policy lim.toml
# A file over a profile: its limits replace the profile's, the profile's max_risk stays.
run 0 hello.wasm --preset isolated --policy lim.toml --format json
json 'r.policy.passed === true && r.policy.name === "isolated"'
run 1 server.wasm --preset isolated --policy lim.toml --format json
json 'r.policy.violations.some(v => v.kind === "risk" && /max_risk .low./.test(v.message))'
run 1 facts.wasm --preset isolated --format json
json 'r.policy.violations.some(v => v.kind === "limit" && /unbounded/.test(v.message))'
json 'r.policy.violations.some(v => /clocks/.test(v.message)) && r.policy.violations.some(v => /random/.test(v.message))'

# ---- what a reviewer wants ------------------------------------------------------------------
run 0 facts.wasm --format json
json 'r.code.memory_grow === 1 && r.code.indirect_calls === 2 && r.code.defined_functions === 2'
json 'r.start !== null && r.start.index === 3'
json 'r.code.atomic_wait === 0'
json 'r.memories[0].max === null && r.tables[0].min === 2 && r.tables[0].element_type === "funcref"'
json 'r.data.segments === 1 && r.data.embedded.map(e => e.kind.split(" ")[0]).join() === "PNG,ZIP,WebAssembly"'
json 'r.data.embedded[0].offset === 4'
json 'r.boundary.capabilities.includes("random") && r.boundary.capabilities.includes("clock") && r.boundary.capabilities.includes("environment")'
json 'r.producers.length === 0 && r.producers_error === null'
# threads: a shared memory and its wait sites (weld reads the text itself)
cat >waits.wat <<'W'
(module (memory 1 1 shared)
  (func (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 10))))
  (func (drop (memory.atomic.wait64 (i32.const 0) (i64.const 0) (i64.const -1)))))
W
run 0 waits.wat --format json
json 'r.code.atomic_wait === 2 && r.memories[0].shared === true && r.memories[0].max === 1'
run 0 waits.wat
has "- memory.atomic.wait: 2 sites"
has "memory 0: min 1 pages, max 1 pages, shared"
run 0 facts.wasm
has "memory.grow: yes"
has "indirect calls: yes (2 sites)"
has "embedded PNG image in segment 0 at byte 4"
has "**no maximum (unbounded)**"
run 0 prod.wasm --format json
json 'r.producers.length === 2 && r.producers[0].field === "language" && r.producers[0].name === "C" && r.producers[0].version === "11"'
json 'r.producers[1].name === "clang" && r.producers[1].version === "16.0"'
run 0 prod.wasm
has "producers: language: C 11, processed-by: clang 16.0"
run 0 badprod.wasm --format json
json 'r.producers.length === 0 && typeof r.producers_error === "string"'

# The example policy file is valid and usable.
run 0 hello.wasm --policy "$root/examples/policy.toml"
has "## Policy example-service"

# ---- bad input: exit 2, one line ------------------------------------------------------------
run 2 missing.wasm
err_line "cannot open"
printf 'not a module' >junk.wasm
run 2 junk.wasm
err_line "junk.wasm: "
run 2 invalid.wasm
err_line "invalid.wasm: type mismatch"
printf '[limits]\nmemory = "lots"\n' >bad.toml
run 2 hello.wasm --policy bad.toml
err_line "^weld: bad.toml:2:10: memory: bad size"
run 2 hello.wasm --policy nothere.toml
err_line "cannot open nothere.toml"
run 2 hello.wasm --preset open-door
err_line "unknown preset 'open-door'"
run 2 hello.wasm --format xml
err_line "unknown format 'xml'"
run 2
err_line "missing FILE"
run 2 hello.wasm server.wasm
err_line "one FILE at a time"
run 2 hello.wasm --policy
err_line "needs a value"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
