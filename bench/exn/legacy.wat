;; Exception throw/catch kernels, legacy form (try/catch/rethrow), which Node (V8) runs
;; by default. Each export takes a repetition count and returns a checksum.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  ;; a throw through `depth` frames of plain calls
  (func $down (param $x i32) (param $depth i32)
    (if (i32.eqz (local.get $depth)) (then (call $thrower (local.get $x)) (return)))
    (call $down (local.get $x) (i32.sub (local.get $depth) (i32.const 1))))

  ;; throw in a callee, catch in the caller
  (func (export "throw_catch") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (try (result i32) (do (call $thrower (local.get $i)) (i32.const 0))
          (catch $e))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  ;; unwind 20 frames per throw
  (func (export "throw_deep") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (try (result i32) (do (call $down (local.get $i) (i32.const 20)) (i32.const 0))
          (catch $e))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  ;; catch, rethrow, catch again
  (func (export "rethrow") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (try (result i32)
          (do (try (do (call $thrower (local.get $i))) (catch_all (rethrow 0))) (i32.const 0))
          (catch $e))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))
