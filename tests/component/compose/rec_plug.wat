;; Exports the record type `rec` (see rec_root.wat).
(component
  (type $r (record (field "x" u32)))
  (export "rec" (type $r)))
