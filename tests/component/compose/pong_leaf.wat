;; `local:cycle/pong` with no imports: ping.wat + pong_leaf.wat + calc.wat make a chain.
(component
  (core module $m (func (export "pong") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func $pong (result u32) (canon lift (core func $i "pong")))
  (instance $e (export "pong" (func $pong)))
  (export "local:cycle/pong" (instance $e)))
