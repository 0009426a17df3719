;; The module examples/embed.c runs: it calls back into the host and keeps a counter.
(module $embed
  (import "host" "log_sum" (func $log_sum (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "adding")
  (global $count (export "count") (mut i32) (i32.const 0))

  (func $add_via_host (export "add_via_host") (param $a i32) (param $b i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (call $log_sum (local.get $a) (local.get $b) (i32.const 64) (i32.const 6)))

  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))
