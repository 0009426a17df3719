(module
  (table externref (elem))
  (table funcref (elem))
  (table nullref (elem) 0))
