;; proposal: threads
;; expect: 1 passed, 0 failed, 5 skipped
;; The threads proposal in binary (its text scripts are in the suite's proposals/threads).
(module binary
  "\00asm" "\01\00\00\00"
  "\05\04\01\03\01\01")  ;; (memory 1 1 shared): limits flags 0x03
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\0a\06\01\04\00\fe\03\00\0b") ;; atomic.fence (0xfe 0x03)
(assert_malformed
  (module binary "\00asm" "\01\00\00\00" "\05\04\01\03\01\01")
  "malformed limits flags")
(module (memory 1 1 shared) (func (export "f") (atomic.fence)))
(assert_return (invoke "f"))
(module (import "spectest" "shared_memory" (memory 1 2 shared)))
