;; sock_shutdown on a regular file (opened from the preopen, fd 3) and on the directory
;; itself: both are ENOTSOCK (57), whatever rights the fd holds.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shut (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "f.txt")
  (func (export "file") (result i32)
    (local $e i32)
    (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 5)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
    (if (local.get $e) (then (return (i32.sub (i32.const -1000) (local.get $e)))))
    (call $shut (i32.load (i32.const 8)) (i32.const 3)))
  (func (export "dir") (result i32)
    (call $shut (i32.const 3) (i32.const 3))))
