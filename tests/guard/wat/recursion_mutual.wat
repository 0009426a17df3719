;; unbounded mutual recursion through call_indirect
(module
  (type $v (func))
  (table 2 funcref)
  (elem (i32.const 0) $a $b)
  (func $a (type $v) (call_indirect (type $v) (i32.const 1)))
  (func $b (type $v) (call_indirect (type $v) (i32.const 0)))
  (func (export "_start") (call $a)))
