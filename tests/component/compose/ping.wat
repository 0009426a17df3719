;; A plug that exports `local:cycle/ping` and imports `local:cycle/pong` (with pong.wat:
;; a cycle), and `local:calc/ops@0.2.1` (with calc.wat: a chain).
(component
  (import "local:cycle/pong" (instance $pong (export "pong" (func (result u32)))))
  (import "local:calc/ops@0.2.1" (instance $ops (export "sum" (func (param "xs" (list u32)) (result u32)))))
  (alias export $pong "pong" (func $p))
  (core func $pl (canon lower (func $p)))
  (core module $m (import "" "pong" (func $pong (result i32)))
    (func (export "ping") (result i32) (i32.add (call $pong) (i32.const 1))))
  (core instance $i (instantiate $m (with "" (instance (export "pong" (func $pl))))))
  (func $ping (result u32) (canon lift (core func $i "ping")))
  (instance $e (export "ping" (func $ping)))
  (export "local:cycle/ping" (instance $e)))
