;; A root that imports `local:cycle/ping` and exports `ping-twice`.
(component
  (import "local:cycle/ping" (instance $ping (export "ping" (func (result u32)))))
  (alias export $ping "ping" (func $p))
  (core func $pl (canon lower (func $p)))
  (core module $m (import "" "ping" (func $ping (result i32)))
    (func (export "twice") (result i32) (i32.add (call $ping) (call $ping))))
  (core instance $i (instantiate $m (with "" (instance (export "ping" (func $pl))))))
  (func (export "ping-twice") (result u32) (canon lift (core func $i "twice"))))
