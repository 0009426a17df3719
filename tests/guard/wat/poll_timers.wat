;; poll_oneoff with several clock subscriptions: only those that expired are reported.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription $i (48 bytes each from 0): a relative CLOCK_MONOTONIC timer
  (func $timer (param $i i32) (param $userdata i64) (param $ns i64)
    (local $p i32)
    (local.set $p (i32.mul (local.get $i) (i32.const 48)))
    (i64.store (local.get $p) (local.get $userdata))
    (i32.store8 offset=8 (local.get $p) (i32.const 0))
    (i32.store offset=16 (local.get $p) (i32.const 1))
    (i64.store offset=24 (local.get $p) (local.get $ns))
    (i64.store offset=32 (local.get $p) (i64.const 0))
    (i32.store16 offset=40 (local.get $p) (i32.const 0)))
  ;; timers of one hour (userdata 7), 1 ms (userdata 1) and one day (userdata 9);
  ;; returns events * 100 + the first event's userdata, or -errno
  (func (export "timers") (result i32)
    (local $e i32)
    (call $timer (i32.const 0) (i64.const 7) (i64.const 3600000000000))
    (call $timer (i32.const 1) (i64.const 1) (i64.const 1000000))
    (call $timer (i32.const 2) (i64.const 9) (i64.const 86400000000000))
    (local.set $e (call $poll (i32.const 0) (i32.const 1024) (i32.const 3) (i32.const 2048)))
    (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
    (i32.add (i32.mul (i32.load (i32.const 2048)) (i32.const 100))
             (i32.wrap_i64 (i64.load (i32.const 1024))))))
