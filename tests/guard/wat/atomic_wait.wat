;; memory.atomic.wait (threads) with a matching value: no other thread can notify, so it
;; sleeps its timeout out. The deadline, a cancel and fuel (1 unit per 1,024 ns of
;; timeout, charged before the sleep) must each stop a long one.
(module
  (memory (export "memory") 1 1 shared)
  (func (export "wait") (param $ns i64) (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 0) (local.get $ns))))
