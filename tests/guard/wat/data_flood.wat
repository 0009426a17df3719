;; declares 128 MiB of memory and floods it with data segments
(module
  (memory 2048)
  (data (i32.const 0) "flood flood flood flood flood flood flood flood")
  (data (i32.const 16777216) "flood flood flood flood flood flood flood flood")
  (data (i32.const 67108864) "flood flood flood flood flood flood flood flood")
  (data (i32.const 134217000) "flood flood flood flood flood flood flood flood")
  (func (export "_start")))
