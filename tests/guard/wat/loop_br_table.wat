;; an infinite loop whose back-edge is a br_table
(module
  (func (export "_start") (local i32)
    (loop $l
      (block $b
        (local.set 0 (i32.and (i32.add (local.get 0) (i32.const 1)) (i32.const 3)))
        (br_table $l $l $b $l (local.get 0)))
      (br $l))))
