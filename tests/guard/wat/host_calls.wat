;; calls a WASI function in an endless loop
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l (drop (call $yield)) (br $l))))
