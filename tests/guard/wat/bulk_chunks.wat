;; Large bulk operations go in 1 MiB chunks (src/exec/bulk.c); these check the result
;; byte by byte against what the spec defines, with loops as the reference. Memory is 8 MiB;
;; byte i starts as (i * 7 + i / 251) & 255.
(module
  (memory 128)
  (table $t 3000000 funcref)
  (func $a (result i32) (i32.const 1))
  (func $b (result i32) (i32.const 2))
  (func $c (result i32) (i32.const 3))
  (elem declare func $a $b $c)
  (type $r (func (result i32)))
  (func $pat (param $i i32) (result i32)
    (i32.and (i32.add (i32.mul (local.get $i) (i32.const 7)) (i32.div_u (local.get $i) (i32.const 251)))
             (i32.const 255)))
  (func $init
    (local $i i32)
    (loop $l
      (i32.store8 (local.get $i) (call $pat (local.get $i)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 8388608)))))
  ;; copies n bytes from s to d; returns 1 when every byte of the destination holds the
  ;; source's original pattern and the bytes around it are unchanged
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $k i32)
    (call $init)
    (memory.copy (local.get $d) (local.get $s) (local.get $n))
    (loop $l
      (if (i32.ne (i32.load8_u (local.get $k))
                  (if (result i32) (i32.and (i32.ge_u (local.get $k) (local.get $d))
                                            (i32.lt_u (local.get $k) (i32.add (local.get $d) (local.get $n))))
                    (then (call $pat (i32.add (local.get $s) (i32.sub (local.get $k) (local.get $d)))))
                    (else (call $pat (local.get $k)))))
        (then (return (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 8388608))))
    (i32.const 1))
  ;; fills n bytes at d with v; the same check
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32) (result i32)
    (local $k i32)
    (call $init)
    (memory.fill (local.get $d) (local.get $v) (local.get $n))
    (loop $l
      (if (i32.ne (i32.load8_u (local.get $k))
                  (if (result i32) (i32.and (i32.ge_u (local.get $k) (local.get $d))
                                            (i32.lt_u (local.get $k) (i32.add (local.get $d) (local.get $n))))
                    (then (i32.and (local.get $v) (i32.const 255)))
                    (else (call $pat (local.get $k)))))
        (then (return (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 8388608))))
    (i32.const 1))
  ;; the table: element i is $a, $b or $c by i % 3; copy n from s to d, then check by
  ;; calling every element
  (func $tpat (param $i i32) (result i32) (i32.add (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 1)))
  (func (export "tcopy") (param $d i32) (param $s i32) (param $n i32) (result i32)
    (local $k i32)
    (loop $l
      (table.set $t (local.get $k)
        (if (result funcref) (i32.eq (call $tpat (local.get $k)) (i32.const 1)) (then (ref.func $a))
          (else (if (result funcref) (i32.eq (call $tpat (local.get $k)) (i32.const 2)) (then (ref.func $b))
            (else (ref.func $c))))))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 3000000))))
    (table.copy $t $t (local.get $d) (local.get $s) (local.get $n))
    (local.set $k (i32.const 0))
    (loop $l
      (if (i32.ne (call_indirect $t (type $r) (local.get $k))
                  (if (result i32) (i32.and (i32.ge_u (local.get $k) (local.get $d))
                                            (i32.lt_u (local.get $k) (i32.add (local.get $d) (local.get $n))))
                    (then (call $tpat (i32.add (local.get $s) (i32.sub (local.get $k) (local.get $d)))))
                    (else (call $tpat (local.get $k)))))
        (then (return (i32.const 0))))
      (br_if $l (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 3000000))))
    (i32.const 1)))
