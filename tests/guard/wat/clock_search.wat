;; Recovers CLOCK_REALTIME without clock_time_get: asks poll_oneoff, 63 times, whether an
;; absolute realtime subscription at T has expired — paired with a subscription that is
;; ready at once, so the call never sleeps — and halves the interval each time. With the
;; clocks granted this finds the time to the nanosecond; with them denied it must learn
;; nothing. Returns the time found, in seconds.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; is realtime >= $t? subscription 0: absolute realtime at $t (userdata 5); subscription
  ;; 1: $other — 1: fd_write on stdout (ready at once), 0: a relative timer of 0 ns
  (func $passed (param $t i64) (param $other i32) (result i32)
    (local $i i32) (local $n i32)
    (i64.store (i32.const 0) (i64.const 5))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 0))
    (i64.store (i32.const 24) (local.get $t))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 1))
    (i64.store (i32.const 48) (i64.const 6))
    (if (local.get $other)
      (then
        (i32.store8 (i32.const 56) (i32.const 2))
        (i32.store (i32.const 64) (i32.const 1)))
      (else
        (i32.store8 (i32.const 56) (i32.const 0))
        (i32.store (i32.const 64) (i32.const 1))
        (i64.store (i32.const 72) (i64.const 0))
        (i64.store (i32.const 80) (i64.const 0))
        (i32.store16 (i32.const 88) (i32.const 0))))
    (if (call $poll (i32.const 0) (i32.const 1024) (i32.const 2) (i32.const 2048))
      (then (return (i32.const 0))))
    (local.set $n (i32.load (i32.const 2048)))
    ;; an event for userdata 5 without an error means "expired"
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.and
              (i64.eq (i64.load (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 32))))
                      (i64.const 5))
              (i32.eqz (i32.load16_u offset=8 (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 32))))))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))
  (func (export "search") (param $other i32) (result i64)
    (local $lo i64) (local $hi i64) (local $mid i64)
    (local.set $hi (i64.const 0x7fffffffffffffff))
    (block $done
      (loop $l
        (br_if $done (i64.le_u (i64.sub (local.get $hi) (local.get $lo)) (i64.const 1)))
        (local.set $mid (i64.add (local.get $lo)
                                 (i64.shr_u (i64.sub (local.get $hi) (local.get $lo)) (i64.const 1))))
        (if (call $passed (local.get $mid) (local.get $other))
          (then (local.set $lo (local.get $mid)))
          (else (local.set $hi (local.get $mid))))
        (br $l)))
    (i64.div_u (local.get $lo) (i64.const 1000000000))))
