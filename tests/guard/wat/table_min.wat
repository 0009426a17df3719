;; declares a table of a million elements
(module
  (table 1000000 funcref)
  (func (export "_start")))
