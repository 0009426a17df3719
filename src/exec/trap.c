/* Trap kinds and their messages, in the wording of the spec's reference interpreter so
 * the conformance scripts' assert_trap texts match. */
#include "exec.h"

const char *exec_trap_message(exec_trap_kind k) {
  switch (k) {
  case EXEC_OK: return "no trap";
  case EXEC_TRAP_UNREACHABLE: return "unreachable";
  case EXEC_TRAP_MEMORY_OOB: return "out of bounds memory access";
  case EXEC_TRAP_TABLE_OOB: return "out of bounds table access";
  case EXEC_TRAP_UNDEFINED_ELEMENT: return "undefined element";
  case EXEC_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
  case EXEC_TRAP_INDIRECT_TYPE_MISMATCH: return "indirect call type mismatch";
  case EXEC_TRAP_INT_DIV_ZERO: return "integer divide by zero";
  case EXEC_TRAP_INT_OVERFLOW: return "integer overflow";
  case EXEC_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
  case EXEC_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
  case EXEC_TRAP_OUT_OF_FUEL: return "out of fuel";
  case EXEC_TRAP_DEADLINE: return "deadline exceeded";
  case EXEC_TRAP_INTERRUPTED: return "interrupted";
  case EXEC_TRAP_HOST: return "host trap";
  case EXEC_TRAP_EXIT: return "exit";
  case EXEC_TRAP_LIMIT: return "resource limit exceeded";
  case EXEC_TRAP_NULL_FUNC_REF: return "null function reference";
  case EXEC_TRAP_NULL_REF: return "null reference";
  case EXEC_TRAP_EXCEPTION: return "uncaught exception";
  case EXEC_TRAP_NULL_STRUCT: return "null structure reference";
  case EXEC_TRAP_NULL_ARRAY: return "null array reference";
  case EXEC_TRAP_NULL_I31: return "null i31 reference";
  case EXEC_TRAP_ARRAY_OOB: return "out of bounds array access";
  case EXEC_TRAP_CAST: return "cast failure";
  case EXEC_TRAP_UNALIGNED_ATOMIC: return "unaligned atomic";
  case EXEC_TRAP_EXPECTED_SHARED: return "expected shared memory";
  case EXEC_TRAP_WAIT_FOREVER:
    return "memory.atomic.wait without a timeout would block forever (no other thread can notify: weld runs one thread per store)";
  case EXEC_TRAP_COUNT: break;
  }
  return "unknown trap";
}

const char *exec_limit_name(exec_limit_kind k) {
  switch (k) {
  case EXEC_LIMIT_NONE: return NULL;
  case EXEC_LIMIT_MEMORY: return "memory";
  case EXEC_LIMIT_TABLE: return "table";
  case EXEC_LIMIT_INSTANCES: return "instances";
  case EXEC_LIMIT_FUEL: return "fuel";
  case EXEC_LIMIT_DEADLINE: return "deadline";
  case EXEC_LIMIT_STACK: return "stack";
  case EXEC_LIMIT_HOST_CALLS: return "host-calls";
  case EXEC_LIMIT_GC_HEAP: return "gc-heap";
  }
  return NULL;
}
