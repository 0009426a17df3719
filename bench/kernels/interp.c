/* A small stack-machine interpreter (switch dispatch) running a fixed program: a loop
 * that mixes arithmetic, a local array and conditional branches. Measures the host's
 * handling of an indirect-branch-heavy loop, the shape of every bytecode VM. */
#include "kernel.h"

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, SHR, AND, DUP, JNZ, JMP, LT, AGET, ASET, HALT };

/* locals: 0 = i, 1 = acc, 2 = limit */
static const int32_t program[] = {
    /* 0 */ LOAD, 0, LOAD, 2, LT, JNZ, 10, JMP, 60,
    /* 9 */ HALT,
    /* 10: acc = acc * 31 + i ^ (acc >> 3) */
    LOAD, 1, PUSH, 31, MUL, LOAD, 0, ADD, LOAD, 1, PUSH, 3, SHR, XOR, STORE, 1,
    /* 26: arr[i & 63] = arr[i & 63] + acc */
    LOAD, 0, PUSH, 63, AND, DUP, AGET, LOAD, 1, ADD, ASET,
    /* 37: acc = acc ^ arr[(i * 7) & 63] */
    LOAD, 1, LOAD, 0, PUSH, 7, MUL, PUSH, 63, AND, AGET, XOR, STORE, 1,
    /* 51: i = i + 1; loop */
    LOAD, 0, PUSH, 1, ADD, STORE, 0, JMP, 0,
    /* 60 */ HALT};

static uint32_t execute(uint32_t limit) {
  uint32_t stack[16], locals[3] = {0, 1, limit}, arr[64] = {0};
  int sp = 0, pc = 0;
  for (;;) {
    int32_t op = program[pc++];
    switch (op) {
    case PUSH: stack[sp++] = (uint32_t)program[pc++]; break;
    case LOAD: stack[sp++] = locals[program[pc++]]; break;
    case STORE: locals[program[pc++]] = stack[--sp]; break;
    case ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
    case SHR: sp--; stack[sp - 1] >>= stack[sp] & 31; break;
    case AND: sp--; stack[sp - 1] &= stack[sp]; break;
    case DUP: stack[sp] = stack[sp - 1]; sp++; break;
    case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case JNZ: {
      int32_t target = program[pc++];
      if (stack[--sp]) pc = target;
      break;
    }
    case JMP: pc = program[pc]; break;
    case AGET: stack[sp - 1] = arr[stack[sp - 1] & 63]; break;
    case ASET: sp -= 2; arr[stack[sp] & 63] = stack[sp + 1]; break;
    default: {
      uint32_t sum = locals[1];
      for (int i = 0; i < 64; i++) sum = sum * 3u + arr[i];
      return sum;
    }
    }
  }
}

int run(int n) { return KERNEL_RESULT(execute(kernel_opaque((uint32_t)n))); }
