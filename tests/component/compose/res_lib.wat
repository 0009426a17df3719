;; Exports a resource `r` with a constructor-like `make` and a borrowing `get` (plain
;; names, not an interface): res_root.wat imports them.
(component
  (core module $m (func (export "dtor") (param i32)))
  (core instance $mi (instantiate $m))
  (type $r (resource (rep i32) (dtor (core func $mi "dtor"))))
  (core func $new (canon resource.new $r))
  (core module $m2
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (i32.mul (local.get 0) (i32.const 10))))
    (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $i2 (instantiate $m2 (with "" (instance (export "new" (func $new))))))
  (export $R "r" (type $r))
  (func (export "make") (param "n" u32) (result (own $R)) (canon lift (core func $i2 "make")))
  (func (export "get") (param "x" (borrow $R)) (result u32) (canon lift (core func $i2 "get"))))
