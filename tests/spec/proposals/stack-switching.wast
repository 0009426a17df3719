;; proposal: stack switching
;; expect: 1 passed, 0 failed, 10 skipped
;; Modules of the stack switching proposal, in text and binary: every command on them is
;; skipped as "needs stack switching", and binary encodings that 3.0 calls malformed keep
;; 3.0's verdict.
(module $gen
  (type $f (func))
  (type $c (cont $f))
  (tag $yield)
  (func $body (suspend $yield))
  (elem declare func $body)
  (func (export "run") (result i32)
    (block $on_yield (result (ref $c))
      (resume $c (on $yield $on_yield) (cont.new $c (ref.func $body)))
      (return (i32.const 0)))
    (drop)
    (i32.const 1)))
(assert_return (invoke $gen "run") (i32.const 1))
(assert_suspension (invoke $gen "run") "unhandled")
(module
  (type $f (func (param i32)))
  (type $c (cont $f))
  (type $c0 (cont (func)))
  (func (param (ref $c)) (result (ref $c0))
    (cont.bind $c $c0 (i32.const 1) (local.get 0))))
(module (func (param contref nullcontref) (local (ref null cont))))
(assert_invalid
  (module (type $c (cont 0)))
  "type mismatch")
(assert_malformed
  (module quote "(type $f (func)) (type (cont $f $f))")
  "unexpected token")
;; binary: a cont type (0x5d) in the type section
(module binary
  "\00asm" "\01\00\00\00"
  "\01\06\02"            ;; type section, 2 types
  "\60\00\00"            ;; (func)
  "\5d\00")              ;; (cont 0)
;; binary: contref (0x68) as a parameter type
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\01\68\00")
;; binary: cont.new (0xe0) in a body
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00"   ;; type 0: (func)
  "\03\02\01\00"         ;; one function of type 0
  "\0a\07\01\05\00\d0\70\e0\00\0b") ;; ref.null func, cont.new 0
;; 3.0 says the same bytes are malformed: that verdict stands
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\06\02\60\00\00\5d\00")
  "malformed")
