;; proposal: compact import section
;; expect: 0 passed, 0 failed, 3 skipped
(module
  (import "spectest" (item "print_i32" (func (param i32))) (item "print_i64" (func (param i64)))))
(module
  (import "spectest" (item "global_i32") (item "global_i64") (global i32)))
;; binary: module "m", an empty name, 0x7f, then one (name, type) item
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\02\0a\01\01m\00\7f\01\01f\00\00")
