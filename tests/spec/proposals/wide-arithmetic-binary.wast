;; proposal: wide arithmetic
;; expect: 1 passed, 0 failed, 1 skipped
;; The wide arithmetic proposal in binary (its text script is in the suite's proposals/).
;; i64.add128 (0xfc 0x13) on four i64 parameters, two i64 results
(module binary
  "\00asm" "\01\00\00\00"
  "\01\0a\01\60\04\7e\7e\7e\7e\02\7e\7e"
  "\03\02\01\00"
  "\0a\0f\01\0d\00\20\00\20\01\20\02\20\03\fc\13\0b")
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\0a\01\60\04\7e\7e\7e\7e\02\7e\7e"
    "\03\02\01\00"
    "\0a\0f\01\0d\00\20\00\20\01\20\02\20\03\fc\13\0b")
  "illegal opcode")
