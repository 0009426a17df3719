;; Exports local:shape/api (norm1: |x| + |y| of a local:shape/types record), importing
;; local:shape/types as typesonly.wat does.
(component
  (import "local:shape/types" (instance $types
    (type $ptd (record (field "x" s32) (field "y" s32)))
    (export "pt" (type (eq $ptd)))
    (export "blob" (type (sub resource)))))
  (alias export $types "pt" (type $pt))
  (core module $m
    (func $abs (param i32) (result i32)
      (select (local.get 0) (i32.sub (i32.const 0) (local.get 0)) (i32.ge_s (local.get 0) (i32.const 0))))
    (func (export "norm1") (param i32 i32) (result i32)
      (i32.add (call $abs (local.get 0)) (call $abs (local.get 1)))))
  (core instance $i (instantiate $m))
  (func $f (param "p" $pt) (result u32) (canon lift (core func $i "norm1")))
  (instance $api (export "pt" (type $pt)) (export "norm1" (func $f)))
  (export "local:shape/api" (instance $api)))
