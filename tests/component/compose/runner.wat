;; A root that imports `wasi:cli/run@0.2.0` and exports it again, calling through: with a
;; command as a plug (whose WASI imports pass through) and env.wat as that plug's plug.
(component
  (import "wasi:cli/run@0.2.0" (instance $r (export "run" (func (result (result))))))
  (alias export $r "run" (func $run))
  (core func $run-l (canon lower (func $run)))
  (core module $m (import "" "run" (func $run (result i32)))
    (func (export "run") (result i32) (call $run)))
  (core instance $i (instantiate $m (with "" (instance (export "run" (func $run-l))))))
  (func $run2 (result (result)) (canon lift (core func $i "run")))
  (instance $e (export "run" (func $run2)))
  (export "wasi:cli/run@0.2.0" (instance $e)))
