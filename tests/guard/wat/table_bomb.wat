;; grows a table 1000 elements at a time until table.grow fails; returns the size
(module
  (table 0 funcref)
  (func (export "bomb") (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (table.grow (ref.null func) (i32.const 1000)) (i32.const -1)))
        (br $l)))
    (table.size)))
