;; two tables: the first declared with 5000 elements, the second grown 1000 at a time
;; until table.grow fails; returns the second's size
(module
  (table $a 5000 funcref)
  (table $b 0 funcref)
  (func (export "bomb") (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (table.grow $b (ref.null func) (i32.const 1000)) (i32.const -1)))
        (br $l)))
    (table.size $b)))
