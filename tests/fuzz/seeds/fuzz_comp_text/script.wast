(component definition $d
  (type $t (flags "a" "b"))
  (type (func (param "x" $t) (result (enum "p" "q")))))
(assert_invalid (component (type (record))) "record type must have at least one field")
(assert_malformed (component quote "(type $t u32) (type $t u32)") "duplicate")
(component instance $i $d)
