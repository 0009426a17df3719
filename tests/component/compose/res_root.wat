;; Imports res_lib.wat's resource and functions; `run(n)` makes a resource, reads it
;; back through a borrow and drops it.
(component
  (import "r" (type $R (sub resource)))
  (import "make" (func $make (param "n" u32) (result (own $R))))
  (import "get" (func $get (param "x" (borrow $R)) (result u32)))
  (core func $cmake (canon lower (func $make)))
  (core func $cget (canon lower (func $get)))
  (core func $cdrop (canon resource.drop $R))
  (core module $m
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (param i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $make (local.get 0)))
      (local.set $v (call $get (local.get $h)))
      (call $drop (local.get $h))
      (i32.add (local.get $v) (i32.const 1))))
  (core instance $i (instantiate $m (with "" (instance (export "make" (func $cmake)) (export "get" (func $cget))
    (export "drop" (func $cdrop))))))
  (func (export "run") (param "n" u32) (result u32) (canon lift (core func $i "run"))))
