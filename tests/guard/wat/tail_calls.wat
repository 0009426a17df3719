;; tail calls (return_call, return_call_indirect) run in constant stack: each chain
;; below is ten million calls deep and must finish under --max-stack 10, where the same
;; chain with plain calls traps "call stack exhausted"
(module
  (type $pred (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even_i $odd_i)
  ;; mutual tail recursion
  (func $even (export "even") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 1))
      (else (return_call $odd (i32.sub (local.get $n) (i32.const 1))))))
  (func $odd (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (return_call $even (i32.sub (local.get $n) (i32.const 1))))))
  ;; the same through the table
  (func $even_i (export "even_indirect") (type $pred)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect (type $pred) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
  (func $odd_i (type $pred)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect (type $pred) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  ;; an accumulator whose frame changes shape on every call: $sum3 has more params and
  ;; locals than $sum, so the arguments move and the new locals start at zero each time
  (func $sum (export "sum") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $sum3 (local.get $n) (local.get $acc) (i64.const 0)))))
  (func $sum3 (param $n i64) (param $acc i64) (param $zero i64) (result i64) (local $t i64) (local $u i64)
    (local.set $t (i64.add (local.get $t) (local.get $zero)))
    (local.set $u (i64.add (local.get $u) (local.get $n)))
    (return_call $sum
      (i64.sub (local.get $n) (i64.const 1))
      (i64.add (local.get $acc) (i64.add (local.get $u) (local.get $t)))))
  ;; endless: only fuel or a deadline stops it
  (func $spin (export "_start") (return_call $spin2))
  (func $spin2 (return_call $spin))
  ;; a trap at the end of a tail chain: the backtrace shows the function that trapped
  ;; and the caller of the chain's first function, not the frames tail calls replaced
  (func $boom (export "boom") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (unreachable))
      (else (return_call $boom (i32.sub (local.get 0) (i32.const 1))))))
)
