;; one giant memory.grow (2 GiB) then returns its result
(module
  (memory 1)
  (func (export "bomb") (result i32)
    (memory.grow (i32.const 32768))))
