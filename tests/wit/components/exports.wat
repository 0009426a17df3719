(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "neg") (param f64) (result f64) local.get 0 f64.neg))
  (core instance $i (instantiate $m))
  (func $add (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $i "add")))
  (func $neg (param "x" f64) (result f64) (canon lift (core func $i "neg")))
  (instance $api (export "add" (func $add)) (export "neg" (func $neg)))
  (instance $local (export "neg" (func $neg)))
  (export "test:calc/api@1.0.0" (instance $api))
  (export "local" (instance $local))
  (export "add" (func $add))
)
