;; nested loops: the inner one never exits
(module
  (func (export "_start") (local i32)
    (loop $outer
      (loop $inner
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br $inner))
      (br $outer))))
