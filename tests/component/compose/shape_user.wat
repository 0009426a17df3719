;; Imports local:shape/types (a record) and local:shape/api, whose function uses it: both
;; come from shape_both.wat, which exports the two interfaces.
(component
  (import "local:shape/types" (instance $types
    (type $ptd (record (field "x" s32) (field "y" s32)))
    (export "pt" (type (eq $ptd)))))
  (alias export $types "pt" (type $pt))
  (import "local:shape/api" (instance $api
    (alias outer 1 $pt (type $p))
    (export "pt" (type $q (eq $p)))
    (export "norm1" (func (param "p" $q) (result u32)))))
  (alias export $api "norm1" (func $norm1))
  (core func $n (canon lower (func $norm1)))
  (core module $m
    (import "" "norm1" (func $n (param i32 i32) (result i32)))
    (func (export "run") (param i32) (result i32)
      (call $n (local.get 0) (i32.sub (i32.const 0) (i32.const 7)))))
  (core instance $i (instantiate $m (with "" (instance (export "norm1" (func $n))))))
  (func (export "run") (param "x" s32) (result u32) (canon lift (core func $i "run"))))
