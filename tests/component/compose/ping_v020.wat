;; `local:cycle/ping` importing `local:calc/ops@0.2.0` (see types_root.wat).
(component
  (import "local:calc/ops@0.2.0" (instance $ops (export "sum" (func (param "xs" (list u32)) (result u32)))))
  (core module $m (func (export "p") (result i32) (i32.const 5)))
  (core instance $i (instantiate $m))
  (func $p (result u32) (canon lift (core func $i "p")))
  (instance $e (export "ping" (func $p)))
  (export "local:cycle/ping" (instance $e)))
