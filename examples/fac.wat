;; A small module for trying weld: factorial two ways, picked through a function table,
;; a counter in a global and a greeting in linear memory.
(module $example
  (type $unop (func (param i64) (result i64)))

  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from weld!")

  (table 2 funcref)
  (elem (i32.const 0) $fac_rec $fac_iter)

  (global $calls (export "calls") (mut i32) (i32.const 0))

  ;; n! by recursion.
  (func $fac_rec (export "fac_rec") (type $unop) (param $n i64) (result i64)
    (if (result i64) (i64.le_u (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n)
                     (call $fac_rec (i64.sub (local.get $n) (i64.const 1)))))))

  ;; n! by a loop.
  (func $fac_iter (export "fac_iter") (type $unop) (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc))

  ;; fac(which, n): 0 = recursive, 1 = iterative; counts the calls.
  (func $fac (export "fac") (param $which i32) (param $n i64) (result i64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call_indirect (type $unop) (local.get $n) (local.get $which)))

  ;; Where the greeting is: (address, length).
  (func $greeting (export "greeting") (result i32 i32)
    (i32.const 16) (i32.const 16)))
