;; a loop that calls itself again through call_indirect each iteration,
;; so the stack never grows past one level: only fuel or a deadline stops it
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $step)
  (func $step (type $t) (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "_start") (local i32)
    (loop $l
      (local.set 0 (call_indirect (type $t) (local.get 0) (i32.const 0)))
      (br $l))))
