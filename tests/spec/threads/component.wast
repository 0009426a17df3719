;; expect: 3 passed, 0 failed, 0 skipped
;; threads in components: a core module type and core instances with a shared memory; a
;; shared import given an unshared memory, and the other way round, is invalid.
(component
  (core type $mt (module (import "" "m" (memory 1 2 shared))))
  (core module $m (import "" "m" (memory 1 2 shared)))
  (core module $d (memory (export "m") 1 2 shared))
  (core instance $i (instantiate $d))
  (core instance (instantiate $m (with "" (instance $i)))))
(assert_invalid
  (component
    (core module $m1 (import "" "m" (memory 1 2)))
    (core module $m2 (memory (export "m") 1 2 shared))
    (core instance $i (instantiate $m2))
    (core instance (instantiate $m1 (with "" (instance $i)))))
  "mismatch in the shared flag for memories")
(assert_invalid
  (component
    (core module $m1 (import "" "m" (memory 1 2 shared)))
    (core module $m2 (memory (export "m") 1 2))
    (core instance $i (instantiate $m2))
    (core instance (instantiate $m1 (with "" (instance $i)))))
  "mismatch in the shared flag for memories")
