;; Imports the record type `rec` (rec_plug.wat provides it) and `t`, which uses it: `t`
;; cannot pass through (an import may only use imported types).
(component
  (type $r (record (field "x" u32)))
  (import "rec" (type $rec (eq $r)))
  (type $t (record (field "r" $rec)))
  (import "t" (type (eq $t))))
