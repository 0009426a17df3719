(module
  (import "host" "id" (global $id i32))
  (global $count (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "bump") (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 0) (i32.add (i32.mul (global.get $id) (i32.const 1000)) (global.get $count)))
    (i32.load (i32.const 0))))
