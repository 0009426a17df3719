;; Host calls that block in the kernel: each export waits for something that never comes
;; (a long timer, input on an idle stdin, a connection, data on an idle connection). The
;; deadline or a cancel must wake them; they return only an errno.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv"
    (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 400) "accepted\n")
  ;; one subscription at 0: a relative CLOCK_MONOTONIC timer of $ns nanoseconds
  (func (export "sleep") (param $ns i64) (result i32)
    (i64.store (i32.const 0) (i64.const 1))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (local.get $ns))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
  ;; the iovec at 256 is 1024 bytes at 1024
  (func $iov
    (i32.store (i32.const 256) (i32.const 1024))
    (i32.store (i32.const 260) (i32.const 1024)))
  (func (export "read_stdin") (result i32)
    (call $iov)
    (call $read (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 264)))
  ;; writes 1024 bytes at a time to stdout until a write fails; returns its errno
  (func (export "write_stdout") (result i32)
    (local $e i32)
    (call $iov)
    (loop $more
      (local.set $e (call $write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 264)))
      (br_if $more (i32.eqz (local.get $e))))
    (local.get $e))
  ;; fd 3 is the listening socket of --tcplisten
  (func (export "accept") (result i32)
    (call $accept (i32.const 3) (i32.const 0) (i32.const 300)))
  (func (export "recv") (result i32)
    (local $e i32)
    (local.set $e (call $accept (i32.const 3) (i32.const 0) (i32.const 300)))
    (if (local.get $e) (then (return (local.get $e))))
    ;; say so on stdout, so the test knows the wait that follows is the receive
    (i32.store (i32.const 256) (i32.const 400))
    (i32.store (i32.const 260) (i32.const 9))
    (drop (call $write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 264)))
    (call $iov)
    (call $recv (i32.load (i32.const 300)) (i32.const 256) (i32.const 1) (i32.const 0)
      (i32.const 264) (i32.const 268))))
