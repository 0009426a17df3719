;; A root that imports `local:cycle/ping` and, as ping.wat does, `local:calc/ops@0.2.1`:
;; composed with ping.wat and pong_leaf.wat, the composition imports local:calc/ops once.
(component
  (import "local:cycle/ping" (instance $ping (export "ping" (func (result u32)))))
  (import "local:calc/ops@0.2.1" (instance $ops (export "sum" (func (param "xs" (list u32)) (result u32)))))
  (alias export $ping "ping" (func $p))
  (alias export $ops "sum" (func $sum))
  (core module $libc (memory (export "mem") 1))
  (core instance $libci (instantiate $libc))
  (alias core export $libci "mem" (core memory $mem))
  (core func $pl (canon lower (func $p)))
  (core func $suml (canon lower (func $sum) (memory $mem)))
  (core module $m
    (import "" "mem" (memory 1))
    (import "" "ping" (func $ping (result i32)))
    (import "" "sum" (func $sum (param i32 i32) (result i32)))
    (data (i32.const 8) "\64\00\00\00\c8\00\00\00")
    ;; ping() + sum([100, 200])
    (func (export "go") (result i32) (i32.add (call $ping) (call $sum (i32.const 8) (i32.const 2)))))
  (core instance $i (instantiate $m (with "" (instance (export "mem" (memory $mem)) (export "ping" (func $pl))
    (export "sum" (func $suml))))))
  (func (export "ping-sum") (result u32) (canon lift (core func $i "go"))))
