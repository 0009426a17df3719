/* Ends one expansion of the instruction lists (interp_ops.def, interp_simd.def,
 * interp_gc.def): undefines every macro a user of them defines, so the next user can define
 * them afresh. No include guard: it is meant to be included once per expansion. */
#undef GHAND
#undef VLOAD
#undef SHAND
#undef VUN
#undef VBIN
#undef VSHIFT
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef CMP32
#undef FCMP
#undef HAND
#undef NUMH
#undef NUMHI
#undef LOAD
#undef STORE
#undef NUM1
#undef NUM2
#undef NUM2I
#undef CMP
