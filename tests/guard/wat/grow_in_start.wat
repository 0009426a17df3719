;; a start function that grows memory past the limit (traps with --trap-on-grow-failure)
(module
  (memory 1)
  (func $s (drop (memory.grow (i32.const 100))))
  (start $s))
