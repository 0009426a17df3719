;; One bulk instruction per export, its size the argument: the fuel each one pays is
;; checked against the documented rates (src/exec/README.md): 1 unit per 64 bytes, per 8
;; table elements, per memory page grown — plus 1 for the call's entry.
(module
  (memory 2)
  (table $t 10000 funcref)
  (table $u 10000 funcref)
  (func $f)
  (elem $e func $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f $f)
  (data $d "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
  (func (export "fill") (param $n i32) (memory.fill (i32.const 0) (i32.const 1) (local.get $n)))
  (func (export "copy") (param $n i32) (memory.copy (i32.const 65536) (i32.const 0) (local.get $n)))
  (func (export "init") (param $n i32) (memory.init $d (i32.const 0) (i32.const 0) (local.get $n)))
  (func (export "tfill") (param $n i32) (table.fill $t (i32.const 0) (ref.null func) (local.get $n)))
  (func (export "tcopy") (param $n i32) (table.copy $u $t (i32.const 0) (i32.const 0) (local.get $n)))
  (func (export "tinit") (param $n i32) (table.init $t $e (i32.const 0) (i32.const 0) (local.get $n)))
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
  (func (export "tgrow") (param $n i32) (result i32) (table.grow $t (ref.null func) (local.get $n))))
