(component $c
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "f") (param i32 i32) (result i32) (local.get 0)))
  (core instance $i (instantiate $m))
  (type $r (record (field "a" u32) (field "b" (list string))))
  (type $v (variant (case "x" $r) (case "y")))
  (type $R (resource (rep i32)))
  (func $f (export "f") (param "s" string) (result u32)
    (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
      string-encoding=utf8))
  (core func $drop (canon resource.drop $R))
  (import "host" (instance $h
    (export "t" (type $t (sub resource)))
    (export "g" (func (param "x" (own $t)) (result (option (own $t)))))))
  (alias export $h "g" (func $g))
  (core func $g' (canon lower (func $g) (memory (core memory $i "mem"))))
  (component $inner
    (import "x" (func (param "s" string) (result u32)))
    (type $tu (func (param "a" (tuple u8 s8)) (result (result u32 (error string)))))
    (type (instance (alias outer $c $r (type $rr)) (export "q" (type (eq $rr))))))
  (instance $ii (instantiate $inner (with "x" (func $f))))
  (export "r" (type $r)))
