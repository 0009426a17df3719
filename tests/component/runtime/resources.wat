;; Resources across component instances: an inner component defines a resource with a
;; destructor and exports a constructor-like function, a borrowing getter and a consuming
;; function; a sibling component calls them from its own core code through canon lower
;; (own and borrow handles move between the two handle tables) and drops a handle with
;; resource.drop (the destructor runs in the inner instance). A third component receives a
;; borrow and keeps it past the end of the call. (The calls go between siblings: a call
;; between an instance and its parent traps, the Canonical ABI's call_might_be_recursive.)
;;
;; expect run() => =1275
;; expect use-after-move() => unknown handle index 2
;; expect double-drop() => unknown handle index 1
;; expect borrow-kept() => borrow handle(s) still remain at the end of the call
;; expect drop-lent() => unknown handle index 1
;; expect rep-wrong() => unknown handle index 7
(component
  (component $inner
    (core module $m
      (global $drops (mut i32) (i32.const 0))
      (func (export "dtor") (param i32) (global.set $drops (i32.add (global.get $drops) (local.get 0))))
      (func (export "drops") (result i32) (global.get $drops)))
    (core instance $mi (instantiate $m))
    (alias core export $mi "dtor" (core func $dtor))
    (type $r (resource (rep i32) (dtor (core func $dtor))))
    (core func $new (canon resource.new $r))
    (core func $rep (canon resource.rep $r))
    (core func $drop (canon resource.drop $r))
    (core module $m2
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      ;; a borrow of its own resource arrives as the representation
      (func (export "get") (param i32) (result i32) (local.get 0))
      (func (export "take") (param i32) (result i32)
        (local $v i32)
        (local.set $v (call $rep (local.get 0)))
        (call $drop (local.get 0))
        (local.get $v))
      (func (export "rep-of") (param i32) (result i32) (call $rep (local.get 0))))
    (core instance $i2 (instantiate $m2
      (with "" (instance (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
    (export $R "r" (type $r))
    (func (export "make") (param "n" u32) (result (own $R)) (canon lift (core func $i2 "make")))
    (func (export "get") (param "x" (borrow $R)) (result u32) (canon lift (core func $i2 "get")))
    (func (export "take") (param "x" (own $R)) (result u32) (canon lift (core func $i2 "take")))
    (func (export "rep-of") (param "h" u32) (result u32) (canon lift (core func $i2 "rep-of")))
    (func (export "drops") (result u32) (canon lift (core func $mi "drops"))))
  (component $keeper
    (import "r" (type $r (sub resource)))
    (core module $k (func (export "keep") (param i32) (result i32) (local.get 0)))
    (core instance $ki (instantiate $k))
    (func (export "keep") (param "x" (borrow $r)) (result u32) (canon lift (core func $ki "keep"))))
  (instance $a (instantiate $inner))
  (alias export $a "r" (type $R))
  (instance $kp (instantiate $keeper (with "r" (type $R))))
  (component $user-c
    (import "r" (type $R (sub resource)))
    (import "make" (func $make (param "n" u32) (result (own $R))))
    (import "get" (func $get (param "x" (borrow $R)) (result u32)))
    (import "take" (func $take (param "x" (own $R)) (result u32)))
    (import "drops" (func $drops (result u32)))
    (import "rep-of" (func $repof (param "h" u32) (result u32)))
    (import "keep" (func $keep (param "x" (borrow $R)) (result u32)))
    (core func $cmake (canon lower (func $make)))
    (core func $cget (canon lower (func $get)))
    (core func $ctake (canon lower (func $take)))
    (core func $cdrops (canon lower (func $drops)))
    (core func $crepof (canon lower (func $repof)))
    (core func $ckeep (canon lower (func $keep)))
    (core func $cdrop (canon resource.drop $R))
    (core module $user
      (import "a" "make" (func $make (param i32) (result i32)))
      (import "a" "get" (func $get (param i32) (result i32)))
      (import "a" "take" (func $take (param i32) (result i32)))
      (import "a" "drops" (func $drops (result i32)))
      (import "a" "rep-of" (func $repof (param i32) (result i32)))
      (import "a" "keep" (func $keep (param i32) (result i32)))
      (import "a" "drop" (func $drop (param i32)))
      (func (export "run") (result i32)
        (local $h i32) (local $h2 i32) (local $s i32)
        (local.set $h (call $make (i32.const 5)))
        (local.set $s (call $get (local.get $h)))
        (local.set $h2 (call $make (i32.const 7)))
        (local.set $s (i32.add (local.get $s) (i32.mul (call $take (local.get $h2)) (i32.const 10))))
        (call $drop (local.get $h))
        (i32.add (local.get $s) (i32.mul (call $drops) (i32.const 100))))
      (func (export "use-after-move") (result i32)
        (local $h i32)
        (drop (call $make (i32.const 1)))
        (local.set $h (call $make (i32.const 2)))
        (drop (call $take (local.get $h)))
        (call $get (local.get $h)))
      (func (export "double-drop") (result i32)
        (local $h i32)
        (local.set $h (call $make (i32.const 3)))
        (call $drop (local.get $h))
        (call $drop (local.get $h))
        (i32.const 0))
      (func (export "borrow-kept") (result i32) (call $keep (call $make (i32.const 4))))
      ;; the inner instance's table has no handle 1 while the outer one lends its handle 1
      (func (export "drop-lent") (result i32) (drop (call $make (i32.const 4))) (call $repof (i32.const 1)))
      (func (export "rep-wrong") (result i32) (call $get (i32.const 7))))
    (core instance $u (instantiate $user
      (with "a" (instance (export "make" (func $cmake)) (export "get" (func $cget)) (export "take" (func $ctake))
                          (export "drops" (func $cdrops)) (export "rep-of" (func $crepof)) (export "keep" (func $ckeep))
                          (export "drop" (func $cdrop))))))
    (func (export "run") (result u32) (canon lift (core func $u "run")))
    (func (export "use-after-move") (result u32) (canon lift (core func $u "use-after-move")))
    (func (export "double-drop") (result u32) (canon lift (core func $u "double-drop")))
    (func (export "borrow-kept") (result u32) (canon lift (core func $u "borrow-kept")))
    (func (export "drop-lent") (result u32) (canon lift (core func $u "drop-lent")))
    (func (export "rep-wrong") (result u32) (canon lift (core func $u "rep-wrong")))
  )
  (instance $us (instantiate $user-c
    (with "r" (type $R)) (with "make" (func $a "make")) (with "get" (func $a "get")) (with "take" (func $a "take"))
    (with "drops" (func $a "drops")) (with "rep-of" (func $a "rep-of")) (with "keep" (func $kp "keep"))))
  (func (export "run") (alias export $us "run"))
  (func (export "use-after-move") (alias export $us "use-after-move"))
  (func (export "double-drop") (alias export $us "double-drop"))
  (func (export "borrow-kept") (alias export $us "borrow-kept"))
  (func (export "drop-lent") (alias export $us "drop-lent"))
  (func (export "rep-wrong") (alias export $us "rep-wrong"))
)
