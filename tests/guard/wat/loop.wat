;; a plain infinite loop
(module
  (func (export "_start")
    (loop $l (br $l))))
