;; res_lib.wat without `make`: res_root.wat's import of `make` passes through, and its type
;; uses the resource this plug provides, which an import cannot (found by fuzz_component).
(component
  (core module $m (func (export "get") (param i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (type $r (resource (rep i32)))
  (export $R "r" (type $r))
  (func (export "get") (param "x" (borrow $R)) (result u32) (canon lift (core func $i "get"))))
