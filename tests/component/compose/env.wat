;; A plug for `wasi:cli/environment`: a fixed environment (GREETING) and arguments.
(component
  (core module $m
    (memory (export "mem") 1)
    (data (i32.const 300) "GREETING")
    (data (i32.const 320) "hello from a plug")
    (data (i32.const 340) "prog")
    (data (i32.const 350) "x")
    ;; list<tuple<string, string>> at 400, list<string> at 440; the results at 500, 508
    (data (i32.const 400) "\2c\01\00\00\08\00\00\00\40\01\00\00\11\00\00\00")
    (data (i32.const 440) "\54\01\00\00\04\00\00\00\5e\01\00\00\01\00\00\00")
    (data (i32.const 500) "\90\01\00\00\01\00\00\00\b8\01\00\00\02\00\00\00")
    (func (export "env") (result i32) (i32.const 500))
    (func (export "args") (result i32) (i32.const 508)))
  (core instance $i (instantiate $m))
  (alias core export $i "mem" (core memory $mem))
  (func $env (result (list (tuple string string))) (canon lift (core func $i "env") (memory $mem)))
  (func $args (result (list string)) (canon lift (core func $i "args") (memory $mem)))
  (instance $e (export "get-environment" (func $env)) (export "get-arguments" (func $args)))
  (export "wasi:cli/environment@0.2.0" (instance $e)))
