(module
  (memory (export "memory") 1)
  (global (export "g") (mut i32) (i32.const 0))
  (func $start
    (global.set 0 (i32.const 1))
    (i32.store (i32.const 0) (i32.const 42))
    (call $fail))
  (func $fail (unreachable))
  (start $start))
