;; proposal: memory control
;; expect: 0 passed, 0 failed, 3 skipped
(module
  (memory 1)
  (func (export "discard") (memory.discard (i32.const 0) (i32.const 65536))))
(assert_return (invoke "discard"))
;; binary: memory.discard (0xfc 0x12)
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"
  "\03\02\01\00"
  "\05\03\01\00\01"
  "\0a\0c\01\0a\00\41\00\41\00\fc\12\00\0b")
