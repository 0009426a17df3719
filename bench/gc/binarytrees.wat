;; Binary trees with WasmGC structs: the classic allocation benchmark. run(n) builds a
;; stretch tree of depth n+1, keeps one tree of depth n alive throughout, and for each
;; depth d = 4, 6, ..., n builds and checks 2^(n-d+4) trees of depth d, each dropped after
;; its check. A tree's check is its node count (1 + check(left) + check(right)). The
;; result is the sum of every check made, modulo 2^32 (binarytrees.c computes the same
;; with malloc'd nodes).
(module
  (type $node (struct (field $l (ref null $node)) (field $r (ref null $node))))

  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $node (call $make (local.get $d)) (call $make (local.get $d))))))

  (func $check (param $t (ref $node)) (result i32) (local $l (ref null $node))
    (local.set $l (struct.get $node $l (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (ref.as_non_null (local.get $l)))
                   (call $check (ref.as_non_null (struct.get $node $r (local.get $t)))))))))

  (func (export "run") (param $n i32) (result i32)
    (local $max i32) (local $d i32) (local $i i32) (local $iters i32) (local $sum i32)
    (local $long (ref null $node))
    (local.set $max (select (local.get $n) (i32.const 6) (i32.gt_s (local.get $n) (i32.const 6))))
    ;; stretch tree
    (local.set $sum (call $check (call $make (i32.add (local.get $max) (i32.const 1)))))
    ;; long-lived tree
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (loop $depths
      (local.set $iters (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
      (local.set $i (i32.const 0))
      (loop $trees
        (local.set $sum (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
        (br_if $trees (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $iters))))
      (br_if $depths (i32.le_s (local.tee $d (i32.add (local.get $d) (i32.const 2))) (local.get $max))))
    (i32.add (local.get $sum) (call $check (ref.as_non_null (local.get $long))))))
