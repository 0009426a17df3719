;; expect: 71 passed, 0 failed, 0 skipped
;; weld's own checks of the threads proposal (shared memories, atomics), beside the
;; proposal's scripts: encodings, the traps and their order, wait and notify on a store
;; with one thread, 64-bit and multiple memories. Every expected value is worked out by
;; hand in the comment beside it.

;; ---- binary -------------------------------------------------------------------------
;; (memory 1 1 shared): limits flags 0x03
(module binary "\00asm" "\01\00\00\00" "\05\04\01\03\01\01")
;; flags 0x02, shared without a maximum
(assert_invalid (module binary "\00asm" "\01\00\00\00" "\05\03\01\02\01") "shared memory must have maximum")
;; memory64 and shared: flags 0x07
(module binary "\00asm" "\01\00\00\00" "\05\04\01\07\01\01")
;; a shared table (flags 0x03 on a table) belongs to a later proposal
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\04\05\01\70\03\01\01") "malformed limits flags")
;; atomic.fence: 0xfe 0x03 and a zero byte; the body 00 fe 03 00 0b is 5 bytes
(module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\07\01\05\00\fe\03\00\0b")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\0a\07\01\05\00\fe\03\01\0b")
  "zero byte expected")
;; an unknown 0xfe sub-opcode (0x4f, after the last cmpxchg)
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\01\04\01\60\00\00" "\03\02\01\00" "\05\04\01\03\01\01"
    "\0a\07\01\05\00\fe\4f\00\0b")
  "illegal opcode")

;; ---- validation ---------------------------------------------------------------------
(assert_invalid (module (memory 1 shared)) "shared memory must have maximum")
;; an atomic access's alignment is exactly its size: neither smaller nor larger
(assert_invalid (module (memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0)))))
  "atomic alignment must be natural")
(assert_invalid (module (memory 1 1 shared) (func (drop (i64.atomic.rmw8.add_u align=2 (i32.const 0) (i64.const 0)))))
  "alignment must not be larger than natural")
(module (memory 1 1 shared) (func (drop (i64.atomic.load align=8 (i32.const 0)))))
(assert_invalid (module (func (drop (i32.atomic.load (i32.const 0))))) "unknown memory")

;; ---- a shared memory ------------------------------------------------------------------
(module
  (memory 1 1 shared)
  (func (export "store") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "wait32") (param i32 i32 i64) (result i32) (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32) (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))
  (func (export "add8") (param i32 i32) (result i32) (i32.atomic.rmw8.add_u (local.get 0) (local.get 1)))
  (func (export "load8") (param i32) (result i32) (i32.atomic.load8_u (local.get 0)))
  (func (export "cmpxchg16") (param i32 i32 i32) (result i32) (i32.atomic.rmw16.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load16") (param i32) (result i32) (i32.atomic.load16_u (local.get 0)))
  (func (export "sub64") (param i32 i64) (result i64) (i64.atomic.rmw.sub (local.get 0) (local.get 1)))
  (func (export "load64") (param i32) (result i64) (i64.atomic.load (local.get 0)))
  (func (export "load_off4") (param i32) (result i32) (i32.atomic.load offset=4 (local.get 0)))
  (func (export "xor32_u") (param i32 i64) (result i64) (i64.atomic.rmw32.xor_u (local.get 0) (local.get 1)))
  (func (export "fence") (atomic.fence))
)
;; bytes 0..7: 2a 00 00 00 00 00 00 00
(invoke "store" (i32.const 0) (i64.const 0x2a))
;; wait: 1 when the value differs (an infinite timeout does not matter then), 2 when it
;; matches and the timeout passes: nothing else in the store could notify
(assert_return (invoke "wait32" (i32.const 0) (i32.const 41) (i64.const -1)) (i32.const 1))
(assert_return (invoke "wait32" (i32.const 0) (i32.const 42) (i64.const 0)) (i32.const 2))
(assert_return (invoke "wait32" (i32.const 0) (i32.const 42) (i64.const 1000000)) (i32.const 2))
(assert_return (invoke "wait64" (i32.const 0) (i64.const 42) (i64.const 0)) (i32.const 2))
;; 0x10000002a differs from the 64-bit 0x2a in its high word
(assert_return (invoke "wait64" (i32.const 0) (i64.const 0x10000002a) (i64.const 0)) (i32.const 1))
;; wait32 compares 32 bits only: the i32 operand is 42
(assert_return (invoke "wait32" (i32.const 0) (i32.const 0x2a) (i64.const 0)) (i32.const 2))
;; a matching value and no timeout: nothing could ever wake it, so it traps
(assert_trap (invoke "wait32" (i32.const 0) (i32.const 42) (i64.const -1)) "memory.atomic.wait without a timeout would block forever")
(assert_trap (invoke "wait64" (i32.const 0) (i64.const 42) (i64.const -5)) "memory.atomic.wait without a timeout would block forever")
(assert_trap (invoke "wait32" (i32.const 2) (i32.const 0) (i64.const 0)) "unaligned atomic")
(assert_trap (invoke "wait64" (i32.const 4) (i64.const 0) (i64.const 0)) "unaligned atomic")
(assert_trap (invoke "wait32" (i32.const 65536) (i32.const 0) (i64.const 0)) "out of bounds memory access")
;; bounds before alignment: 65535 is both misaligned and past the end
(assert_trap (invoke "wait32" (i32.const 65535) (i32.const 0) (i64.const 0)) "out of bounds memory access")
(assert_return (invoke "notify" (i32.const 0) (i32.const 10)) (i32.const 0))
(assert_return (invoke "notify" (i32.const 65532) (i32.const -1)) (i32.const 0))
(assert_trap (invoke "notify" (i32.const 1) (i32.const 1)) "unaligned atomic")
(assert_trap (invoke "notify" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
;; byte 0 is 0x2a; 0x2a + 0x1d6 = 0x200, of which the byte keeps 0x00; the old 0x2a returns
(assert_return (invoke "add8" (i32.const 0) (i32.const 0x1d6)) (i32.const 0x2a))
(assert_return (invoke "load8" (i32.const 0)) (i32.const 0))
(assert_return (invoke "load64" (i32.const 0)) (i64.const 0))
;; cmpxchg16: 0 expected and found, so 0xbeef1234 is stored as its low half 0x1234
(assert_return (invoke "cmpxchg16" (i32.const 0) (i32.const 0) (i32.const 0xbeef1234)) (i32.const 0))
(assert_return (invoke "load16" (i32.const 0)) (i32.const 0x1234))
;; 0 expected, 0x1234 found: nothing is stored, 0x1234 returns
(assert_return (invoke "cmpxchg16" (i32.const 0) (i32.const 0) (i32.const 0x5678)) (i32.const 0x1234))
(assert_return (invoke "load16" (i32.const 0)) (i32.const 0x1234))
;; 0x1234 - 0x1235 = -1 in 64 bits
(assert_return (invoke "sub64" (i32.const 0) (i64.const 0x1235)) (i64.const 0x1234))
(assert_return (invoke "load64" (i32.const 0)) (i64.const -1))
;; bytes 4..7 of -1 are ff ff ff ff
(assert_return (invoke "load_off4" (i32.const 0)) (i32.const -1))
;; xor of the low word at 0 (0xffffffff) with the i64's low 32 bits 0x0f0f0f0f; the result
;; is the old word, zero-extended: 0x00000000ffffffff
(assert_return (invoke "xor32_u" (i32.const 0) (i64.const 0x123456780f0f0f0f)) (i64.const 0xffffffff))
;; bytes 0..3 now f0 f0 f0 f0, bytes 4..7 ff ff ff ff
(assert_return (invoke "load64" (i32.const 0)) (i64.const 0xfffffffff0f0f0f0))
;; the effective address is address + offset without wrapping: 0xfffffffc + 4 = 2^32
(assert_trap (invoke "load_off4" (i32.const 0xfffffffc)) "out of bounds memory access")
(assert_trap (invoke "load_off4" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "load_off4" (i32.const 1)) "unaligned atomic")
(assert_return (invoke "fence"))

;; ---- an unshared memory: atomics run, wait traps, notify finds no waiter ----------------
(module
  (memory 1)
  (func (export "wait32") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
  (func (export "wait64_oob") (result i32) (memory.atomic.wait64 (i32.const 65536) (i64.const 0) (i64.const 0)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))
  (func (export "xchg") (param i64) (result i64) (i64.atomic.rmw.xchg (i32.const 8) (local.get 0)))
)
(assert_trap (invoke "wait32") "expected shared memory")
;; the memory's sharedness is looked at before the address
(assert_trap (invoke "wait64_oob") "expected shared memory")
(assert_return (invoke "notify") (i32.const 0))
(assert_return (invoke "xchg" (i64.const 7)) (i64.const 0))
(assert_return (invoke "xchg" (i64.const 9)) (i64.const 7))

;; ---- a 64-bit shared memory ---------------------------------------------------------------
(module
  (memory i64 1 1 shared)
  (func (export "or") (param i64 i32) (result i32) (i32.atomic.rmw.or (local.get 0) (local.get 1)))
  (func (export "ld") (param i64) (result i32) (i32.atomic.load offset=4 (local.get 0)))
)
(assert_return (invoke "or" (i64.const 4) (i32.const 0xf0)) (i32.const 0))
(assert_return (invoke "or" (i64.const 4) (i32.const 0x0f)) (i32.const 0xf0))
(assert_return (invoke "ld" (i64.const 0)) (i32.const 0xff))
(assert_trap (invoke "ld" (i64.const 2)) "unaligned atomic")
;; past 4 GiB, aligned: out of bounds (not wrapped to 4)
(assert_trap (invoke "ld" (i64.const 0x100000000)) "out of bounds memory access")

;; ---- atomics on a second memory -----------------------------------------------------------
(module
  (memory 1)
  (memory $m1 1 1 shared)
  (func (export "st1") (param i32 i32) (i32.atomic.store $m1 (local.get 0) (local.get 1)))
  (func (export "ld0") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ld1") (param i32) (result i32) (i32.atomic.load $m1 (local.get 0)))
  (func (export "wait1") (result i32) (memory.atomic.wait32 $m1 (i32.const 0) (i32.const 5) (i64.const 0)))
  (func (export "wait0") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
)
(invoke "st1" (i32.const 0) (i32.const 5))
(assert_return (invoke "ld1" (i32.const 0)) (i32.const 5))
(assert_return (invoke "ld0" (i32.const 0)) (i32.const 0))
(assert_return (invoke "wait1") (i32.const 2))
(assert_trap (invoke "wait0") "expected shared memory")

;; ---- import matching: shared imports only shared, and the other way round ----------------
(module $Sh (memory (export "m") 1 2 shared))
(register "sh" $Sh)
(module (import "sh" "m" (memory 1 2 shared)))
(assert_unlinkable (module (import "sh" "m" (memory 1 2))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "memory" (memory 1 2 shared))) "incompatible import type")
(module (import "spectest" "shared_memory" (memory 1 2 shared)))
(assert_unlinkable (module (import "spectest" "shared_memory" (memory 1 2))) "incompatible import type")
