;; the runaway the deadline benchmark stops
(module (func (export "_start") (loop $l (br $l))))
