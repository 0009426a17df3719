;; proposal: half precision (fp16)
;; expect: 0 passed, 0 failed, 4 skipped
(module
  (func (export "splat") (result v128) (f16x8.splat (f32.const 1.5))))
(assert_return (invoke "splat") (v128.const i16x8 0x3e00 0x3e00 0x3e00 0x3e00 0x3e00 0x3e00 0x3e00 0x3e00))
(module
  (memory 1)
  (func (result f32) (f32.load_f16 (i32.const 0))))
;; binary: f16x8.splat (0xfd 0x120)
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\00\01\7b"
  "\03\02\01\00"
  "\0a\0c\01\0a\00\43\00\00\c0\3f\fd\a0\02\0b")
