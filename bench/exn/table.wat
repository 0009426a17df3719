;; The kernels of legacy.wat written with try_table / throw_ref (weld only: Node 20's V8
;; has no exnref). Same checksums.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $down (param $x i32) (param $depth i32)
    (if (i32.eqz (local.get $depth)) (then (call $thrower (local.get $x)) (return)))
    (call $down (local.get $x) (i32.sub (local.get $depth) (i32.const 1))))

  (func (export "throw_catch") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (block $h (result i32)
          (try_table (catch $e $h) (call $thrower (local.get $i)))
          (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  (func (export "throw_deep") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (block $h (result i32)
          (try_table (catch $e $h) (call $down (local.get $i) (i32.const 20)))
          (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum))

  (func (export "rethrow") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (block $h (result i32)
          (try_table (catch $e $h)
            (throw_ref
              (block $r (result exnref)
                (try_table (catch_all_ref $r) (call $thrower (local.get $i)))
                (unreachable))))
          (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $sum)))
