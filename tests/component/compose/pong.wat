;; A plug that exports `local:cycle/pong` and imports `local:cycle/ping` (see ping.wat).
(component
  (import "local:cycle/ping" (instance $ping (export "ping" (func (result u32)))))
  (core module $m (func (export "pong") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func $pong (result u32) (canon lift (core func $i "pong")))
  (instance $e (export "pong" (func $pong)))
  (export "local:cycle/pong" (instance $e)))
