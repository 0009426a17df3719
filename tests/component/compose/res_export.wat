;; A root that exports a resource `r`, a record `pt` and functions using them, and imports
;; local:cycle/pong (pong_leaf.wat): composed, its function exports must name the
;; exported types (a type ascription), else the composition is not valid.
(component
  (import "local:cycle/pong" (instance $p (export "pong" (func (result u32)))))
  (alias export $p "pong" (func $pong))
  (core func $cpong (canon lower (func $pong)))
  (core module $m (func (export "dtor") (param i32)))
  (core instance $mi (instantiate $m))
  (type $r (resource (rep i32) (dtor (core func $mi "dtor"))))
  (core func $new (canon resource.new $r))
  (core func $rep (canon resource.rep $r))
  (core module $m2
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "pong" (func $pong (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (i32.add (local.get 0) (call $pong))))
    (func (export "get") (param i32) (result i32) (call $rep (local.get 0)))
    (func (export "origin") (result i32) (i32.mul (call $pong) (i32.const 3))))
  (core instance $i2 (instantiate $m2 (with "" (instance (export "new" (func $new)) (export "rep" (func $rep))
    (export "pong" (func $cpong))))))
  (type $ptd (record (field "x" u32)))
  (export $R "r" (type $r))
  (export $pt "pt" (type $ptd))
  (func (export "make") (param "n" u32) (result (own $R)) (canon lift (core func $i2 "make")))
  (func (export "get") (param "x" (borrow $R)) (result u32) (canon lift (core func $i2 "get")))
  (func (export "origin") (result $pt) (canon lift (core func $i2 "origin"))))
