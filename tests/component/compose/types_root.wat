;; A root with top-level type and function imports that pass through, and an import of
;; `local:calc/ops@0.2.1` that ping_v020.wat imports as 0.2.0: one import serves both.
(component
  (type $pd (record (field "x" u32)))
  (import "pt" (type $p (eq $pd)))
  (import "get" (func $get (result $p)))
  (import "local:calc/ops@0.2.1" (instance $ops (export "sum" (func (param "xs" (list u32)) (result u32)))))
  (import "local:cycle/ping" (instance $ping (export "ping" (func (result u32)))))
  (alias export $ping "ping" (func $pp))
  (export "ping2" (func $pp)))
