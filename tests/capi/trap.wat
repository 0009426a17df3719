(module
  (func $callback (import "" "callback") (result i32))
  (func (export "callback") (result i32) (call $callback))
  (func $inner (param i32) (result i32)
    (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "divide") (param i32) (result i32)
    (call $inner (local.get 0)))
  (func (export "unreachable") (unreachable)))
