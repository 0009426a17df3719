;; proposal: shared-everything threads
;; expect: 1 passed, 0 failed, 8 skipped
(module (type $s (shared (func))))
(module (table shared 1 (ref null (shared func))))
(module
  (global $g (mut i32) (i32.const 0))
  (func (export "get") (result i32) (global.atomic.get seq_cst $g)))
(assert_return (invoke "get") (i32.const 0))
(module
  (type $s (struct (field (mut i32))))
  (func (param (ref $s)) (result i32) (struct.atomic.get seq_cst $s 0 (local.get 0))))
;; binary: a shared global (mutability flags 0x02)
(module binary
  "\00asm" "\01\00\00\00"
  "\06\06\01\7f\02\41\00\0b")
;; binary: a shared function type (0x65 before the composite type)
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\65\60\00\00")
;; binary: a shared table (limits flags 0x03)
(module binary
  "\00asm" "\01\00\00\00"
  "\04\05\01\70\03\01\01")
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\06\06\01\7f\02\41\00\0b")
  "malformed mutability")
