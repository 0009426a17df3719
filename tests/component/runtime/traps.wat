;; Core code that breaks the Canonical ABI's rules: each export must trap with the reason.
;; Lines `;; expect CALL => TEXT` give the call (WAVE) and a part of weld's message
;; (`=> =VALUE` for a call that returns VALUE).
;;
;; expect bad-char() => invalid `char` bit pattern 0xd800
;; expect big-char() => invalid `char` bit pattern 0x110000
;; expect bad-enum() => invalid variant discriminant 3 (an enum of 3 cases)
;; expect bad-variant() => invalid variant discriminant 9 (the type has 2 cases)
;; expect oob-string() => string pointer/length out of bounds of memory (string content out-of-bounds: 65530 + 100 bytes, memory 65536 bytes)
;; expect bad-utf8() => invalid utf-8 in string
;; expect unaligned-list() => unaligned pointer: list at 2 (alignment 4)
;; expect unaligned-utf16() => unaligned pointer: string at 1 (alignment 2)
;; expect surrogate-utf16() => invalid UTF-16 in string (unpaired surrogate at code unit 0)
;; expect unaligned-result() => unaligned pointer: result at 3 (alignment 4)
;; expect oob-result() => result pointer/length out of bounds of memory (65532 + 8 bytes
;; expect misaligned-realloc([1, 2]) => unaligned pointer (realloc return: result not aligned: 1 for list, alignment 4)
;; expect oob-realloc("abc") => string content out-of-bounds (realloc return: beyond end of memory: 70000 + 3 bytes
;; expect cut-utf8() => incomplete utf-8 byte sequence
;; expect unaligned-latin1() => unaligned pointer: string at 65 (alignment 2)
;; expect bool-two() => =true
;; expect flags-extra() => ={a, c}
;; expect latin1("héllo") => =5
;; expect latin1-out() => ="aé"
;; expect utf16-tagged() => ="hi"
;; expect unreachable() => unreachable
(component
  (core module $m
    (memory (export "memory") 1)
    (global $mode (mut i32) (i32.const 0))
    (data (i32.const 16) "\ff\fe")
    (data (i32.const 32) "\00\d8")                       ;; a lone high surrogate
    (data (i32.const 48) "\01\00\00\00\09\00\00\00")     ;; a u32 1, then a variant discriminant 9
    (data (i32.const 64) "a\e9")                         ;; latin-1 "aé"
    (data (i32.const 80) "h\00i\00")                     ;; UTF-16 "hi"
    (func (export "bad-char") (result i32) (i32.const 0xd800))
    (func (export "big-char") (result i32) (i32.const 0x110000))
    (func (export "bad-enum") (result i32) (i32.const 3))
    (func (export "bad-variant") (result i32) (i32.const 48))
    (func (export "oob-string") (result i32)
      (i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100)) (i32.const 0))
    (func (export "bad-utf8") (result i32)
      (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 2)) (i32.const 0))
    (func (export "unaligned-list") (result i32)
      (i32.store (i32.const 0) (i32.const 2)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0))
    (func (export "unaligned-utf16") (result i32)
      (i32.store (i32.const 0) (i32.const 1)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0))
    (func (export "surrogate-utf16") (result i32)
      (i32.store (i32.const 0) (i32.const 32)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0))
    (func (export "unaligned-result") (result i32) (i32.const 3))
    (func (export "oob-result") (result i32) (i32.const 65532))
    (func (export "realloc-1") (param i32 i32 i32 i32) (result i32) (i32.const 1))
    (func (export "realloc-far") (param i32 i32 i32 i32) (result i32) (i32.const 70000))
    (func (export "take-list") (param i32 i32) (result i32) (local.get 1))
    (func (export "cut-utf8") (result i32)
      (i32.store (i32.const 0) (i32.const 65)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0))
    (func (export "unaligned-latin1") (result i32)
      (i32.store (i32.const 0) (i32.const 65)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0))
    (func (export "bool-two") (result i32) (i32.const 2))
    (func (export "flags-extra") (result i32) (i32.const 0xfd))
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "latin1-out") (result i32)
      (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 2)) (i32.const 0))
    (func (export "utf16-tagged") (result i32)
      (i32.store (i32.const 0) (i32.const 80)) (i32.store (i32.const 4) (i32.const 0x80000002)) (i32.const 0))
    (func (export "unreachable") (result i32) unreachable)
  )
  (core instance $i (instantiate $m))
  (type $e (enum "a" "b" "c"))
  (import "e" (type $E (eq $e)))
  (type $v (variant (case "x") (case "y" u32)))
  (import "v" (type $V (eq $v)))
  (type $f (flags "a" "b" "c"))
  (import "f" (type $F (eq $f)))
  (func (export "bad-char") (result char) (canon lift (core func $i "bad-char")))
  (func (export "big-char") (result char) (canon lift (core func $i "big-char")))
  (func (export "bad-enum") (result $E) (canon lift (core func $i "bad-enum")))
  (func (export "bad-variant") (result (tuple u32 $V))
    (canon lift (core func $i "bad-variant") (memory (core memory $i "memory"))))
  (func (export "oob-string") (result string) (canon lift (core func $i "oob-string") (memory (core memory $i "memory"))))
  (func (export "bad-utf8") (result string) (canon lift (core func $i "bad-utf8") (memory (core memory $i "memory"))))
  (func (export "unaligned-list") (result (list u32))
    (canon lift (core func $i "unaligned-list") (memory (core memory $i "memory"))))
  (func (export "unaligned-utf16") (result string)
    (canon lift (core func $i "unaligned-utf16") string-encoding=utf16 (memory (core memory $i "memory"))))
  (func (export "surrogate-utf16") (result string)
    (canon lift (core func $i "surrogate-utf16") string-encoding=utf16 (memory (core memory $i "memory"))))
  (func (export "unaligned-result") (result string)
    (canon lift (core func $i "unaligned-result") (memory (core memory $i "memory"))))
  (func (export "oob-result") (result string) (canon lift (core func $i "oob-result") (memory (core memory $i "memory"))))
  (func (export "misaligned-realloc") (param "l" (list u32)) (result u32)
    (canon lift (core func $i "take-list") (memory (core memory $i "memory")) (realloc (core func $i "realloc-1"))))
  (func (export "oob-realloc") (param "s" string) (result u32)
    (canon lift (core func $i "take-list") (memory (core memory $i "memory")) (realloc (core func $i "realloc-far"))))
  (func (export "cut-utf8") (result string) (canon lift (core func $i "cut-utf8") (memory (core memory $i "memory"))))
  (func (export "unaligned-latin1") (result string)
    (canon lift (core func $i "unaligned-latin1") string-encoding=latin1+utf16 (memory (core memory $i "memory"))))
  (func (export "bool-two") (result bool) (canon lift (core func $i "bool-two")))
  (func (export "flags-extra") (result $F) (canon lift (core func $i "flags-extra")))
  (func (export "latin1") (param "s" string) (result u32)
    (canon lift (core func $i "len") string-encoding=latin1+utf16 (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func (export "latin1-out") (result string)
    (canon lift (core func $i "latin1-out") string-encoding=latin1+utf16 (memory (core memory $i "memory"))))
  (func (export "utf16-tagged") (result string)
    (canon lift (core func $i "utf16-tagged") string-encoding=latin1+utf16 (memory (core memory $i "memory"))))
  (func (export "unreachable") (result u32) (canon lift (core func $i "unreachable")))
)
