;; Exports local:shape/types and local:shape/api, whose function uses the record of the
;; other exported interface: each interface an instance of a nested component that
;; imports its types and exports them again (the shape a WIT world exporting both takes).
(component
  (core module $m
    (func $abs (param i32) (result i32)
      (select (local.get 0) (i32.sub (i32.const 0) (local.get 0)) (i32.ge_s (local.get 0) (i32.const 0))))
    (func (export "norm1") (param i32 i32) (result i32)
      (i32.add (call $abs (local.get 0)) (call $abs (local.get 1)))))
  (core instance $i (instantiate $m))
  (type $ptd (record (field "x" s32) (field "y" s32)))
  (component $ctypes
    (type $r (record (field "x" s32) (field "y" s32)))
    (import "import-type-pt" (type $p (eq $r)))
    (export "pt" (type $p)))
  (instance $ti (instantiate $ctypes (with "import-type-pt" (type $ptd))))
  (export $types "local:shape/types" (instance $ti))
  (alias export $types "pt" (type $pt))
  (func $f (param "p" $pt) (result u32) (canon lift (core func $i "norm1")))
  (component $capi
    (type $r (record (field "x" s32) (field "y" s32)))
    (import "import-type-pt" (type $p (eq $r)))
    (import "import-func-norm1" (func $g (param "p" $p) (result u32)))
    (export $q "pt" (type $p))
    (export "norm1" (func $g) (func (param "p" $q) (result u32))))
  (instance $ai (instantiate $capi (with "import-type-pt" (type $pt)) (with "import-func-norm1" (func $f))))
  (export "local:shape/api" (instance $ai)))
