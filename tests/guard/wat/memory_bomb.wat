;; grows memory one page at a time until memory.grow fails, then returns the
;; number of pages it ended with (the limit decides how many)
(module
  (memory 1)
  (func (export "bomb") (result i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $l)))
    (memory.size)))
