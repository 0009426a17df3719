#!/usr/bin/env python3
"""Writes cases.wast: components built here byte by byte, each with the verdict the
component model's specification gives it (Binary.md, Explainer.md, CanonicalABI.md's
flattening), as `(component binary ...)` / `assert_invalid` / `assert_malformed`
commands for `weld wast`. The expected messages are short phrases naming the rule, so
the runner's substring match checks that the right rule fired.

    cases.py OUT.wast
"""
import sys


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    b = s.encode()
    return uleb(len(b)) + b


def vec(items):
    return uleb(len(items)) + b''.join(items)


def section(sid, body):
    return bytes([sid]) + uleb(len(body)) + body


PRE = b'\x00asm\x0d\x00\x01\x00'
CORE_PRE = b'\x00asm\x01\x00\x00\x00'
I32, I64, F32, F64 = 0x7f, 0x7e, 0x7d, 0x7c


def component(*sections):
    return PRE + b''.join(sections)


# ---- core modules ------------------------------------------------------------------

def core_module(funcs=(), imports=(), memory=False, exports=None):
    """funcs: list of (params, results); each gets an `unreachable` body and is exported
    as f0, f1, ... (plus "mem" when memory). imports: (module, name, params, results)."""
    types = [(p, r) for (_, _, p, r) in imports] + list(funcs)
    tsec = vec([b'\x60' + vec([bytes([t]) for t in p]) + vec([bytes([t]) for t in r]) for p, r in types])
    out = CORE_PRE + section(1, tsec)
    if imports:
        out += section(2, vec([name(m) + name(n) + b'\x00' + uleb(i) for i, (m, n, _, _) in enumerate(imports)]))
    if funcs:
        out += section(3, vec([uleb(len(imports) + i) for i in range(len(funcs))]))
    if memory:
        out += section(5, vec([b'\x00\x01']))
    exps = [name('f%d' % i) + b'\x00' + uleb(len(imports) + i) for i in range(len(funcs))]
    if memory:
        exps.append(name('mem') + b'\x02\x00')
    out += section(7, vec(exps))
    if funcs:
        out += section(10, vec([uleb(3) + b'\x00\x00\x0b' for _ in funcs]))
    return out


def core_funcs(funcs, memory=False):
    """Sections defining core module 0 with `funcs`, core instance 0, and core funcs
    0..n-1 aliased from it (and core memory 0 when memory)."""
    aliases = [b'\x00\x00\x01\x00' + name('f%d' % i) for i in range(len(funcs))]
    if memory:
        aliases.append(b'\x00\x02\x01\x00' + name('mem'))
    return (section(1, core_module(funcs, memory=memory)) + section(2, vec([b'\x00\x00\x00'])) +
            section(6, vec(aliases)))


# ---- component types ---------------------------------------------------------------

STRING, U32, U64, F32T, F64T, BOOL, CHAR = 0x73, 0x79, 0x77, 0x76, 0x75, 0x7f, 0x74


def vt(t):
    return bytes([t]) if isinstance(t, int) and t >= 0x60 else uleb(t[1])


def idx(i):
    return ('idx', i)


def functype(params, result=None):
    out = b'\x40' + vec([name(n) + vt(t) for n, t in params])
    return out + (b'\x00' + vt(result) if result is not None else b'\x01\x00')


def types(*defs):
    return section(7, vec(list(defs)))


def lift(core, ty, opts=()):
    return b'\x00\x00' + uleb(core) + vec(list(opts)) + uleb(ty)


def lower(func, opts=()):
    return b'\x01\x00' + uleb(func) + vec(list(opts))


def canon(*cs):
    return section(8, vec(list(cs)))


MEM0 = b'\x03\x00'


def realloc(i):
    return b'\x04' + uleb(i)


def post_return(i):
    return b'\x05' + uleb(i)


def export(n, sort, i):
    return name(n) if False else b'\x00' + name(n) + sort + uleb(i) + b'\x00'


def exports(*es):
    return section(11, vec(list(es)))


def imp(n, desc):
    return b'\x00' + name(n) + desc


def imports(*ims):
    return section(10, vec(list(ims)))


FUNC = b'\x01'
REALLOC_SIG = ([I32, I32, I32, I32], [I32])

cases = []


def valid(label, data):
    cases.append((label, 'valid', data, None))


def invalid(label, data, msg):
    cases.append((label, 'invalid', data, msg))


def malformed(label, data, msg):
    cases.append((label, 'malformed', data, msg))


# Canonical ABI: lift of (func (param "s" string)) flattens to [i32 i32] -> [] and needs
# memory (strings live there) and realloc (the callee receives the string).
sfun = functype([('s', STRING)])
invalid('lift string without memory', component(core_funcs([([I32, I32], [])]), types(sfun), canon(lift(0, 0))),
        '`memory` is required')
invalid('lift string without realloc',
        component(core_funcs([([I32, I32], [])], memory=True), types(sfun), canon(lift(0, 0, [MEM0]))),
        '`realloc` is required')
valid('lift string with memory and realloc',
      component(core_funcs([([I32, I32], []), REALLOC_SIG], memory=True), types(sfun),
                canon(lift(0, 0, [MEM0, realloc(1)]))))
invalid('realloc of the wrong type',
        component(core_funcs([([I32, I32], []), ([I32], [I32])], memory=True), types(sfun),
                  canon(lift(0, 0, [MEM0, realloc(1)]))), 'realloc')
invalid('memory given twice',
        component(core_funcs([([I32, I32], []), REALLOC_SIG], memory=True), types(sfun),
                  canon(lift(0, 0, [MEM0, MEM0, realloc(1)]))), 'more than once')
invalid('two string encodings',
        component(core_funcs([([I32, I32], []), REALLOC_SIG], memory=True), types(sfun),
                  canon(lift(0, 0, [b'\x00', b'\x01', MEM0, realloc(1)]))), 'conflicts')

# scalars: u32 -> i32, u64 -> i64, f32 -> f32
nfun = functype([('a', U32), ('b', F32T)], U64)
valid('lift scalars', component(core_funcs([([I32, F32], [I64])]), types(nfun), canon(lift(0, 0))))
invalid('lift scalars, wrong result', component(core_funcs([([I32, F32], [I32])]), types(nfun), canon(lift(0, 0))),
        'do not match')
invalid('lift scalars, wrong parameter', component(core_funcs([([I32, I32], [I64])]), types(nfun), canon(lift(0, 0))),
        'do not match')
# post-return takes the flat results
valid('post-return of the flat results',
      component(core_funcs([([I32, F32], [I64]), ([I64], [])]), types(nfun), canon(lift(0, 0, [post_return(1)]))))
invalid('post-return of the wrong type',
        component(core_funcs([([I32, F32], [I64]), ([I32], [])]), types(nfun), canon(lift(0, 0, [post_return(1)]))),
        'post-return')

# 17 parameters are more than MAX_FLAT_PARAMS (16): passed through memory as one i32
many = functype([('p%d' % i, U32) for i in range(17)])
valid('17 parameters through memory',
      component(core_funcs([([I32], []), REALLOC_SIG], memory=True), types(many),
                canon(lift(0, 0, [MEM0, realloc(1)]))))
invalid('17 parameters flat', component(core_funcs([([I32] * 17, []), REALLOC_SIG], memory=True), types(many),
                                        canon(lift(0, 0, [MEM0, realloc(1)]))), 'do not match')
sixteen = functype([('p%d' % i, U32) for i in range(16)])
valid('16 parameters flat', component(core_funcs([([I32] * 16, [])]), types(sixteen), canon(lift(0, 0))))

# two flat results are more than MAX_FLAT_RESULTS (1): lift returns a pointer
tup = b'\x6f' + vec([bytes([U32]), bytes([U32])])
tfun = functype([], idx(0))
valid('tuple result through memory', component(core_funcs([([], [I32])], memory=True), types(tup, tfun),
                                               canon(lift(0, 1, [MEM0]))))
invalid('tuple result without memory', component(core_funcs([([], [I32])]), types(tup, tfun), canon(lift(0, 1))),
        '`memory` is required')

# variants: the discriminant, then each position joined across cases (i32 with f32 is i32)
var = b'\x71' + vec([name('a') + b'\x01' + bytes([U32]) + b'\x00', name('b') + b'\x01' + bytes([F32T]) + b'\x00'])
vfun = functype([('v', idx(0))])
valid('variant u32|f32 flattens to i32 i32', component(core_funcs([([I32, I32], [])]), types(var, vfun), canon(lift(0, 1))))
invalid('variant u32|f32 is not i32 f32', component(core_funcs([([I32, F32], [])]), types(var, vfun), canon(lift(0, 1))),
        'do not match')
# result<f32, f64>: f32 joined with f64 is i64
res = b'\x6a\x01' + bytes([F32T]) + b'\x01' + bytes([F64T])
rfun = functype([('r', idx(0))])
valid('result f32|f64 flattens to i32 i64', component(core_funcs([([I32, I64], [])]), types(res, rfun), canon(lift(0, 1))))
invalid('result f32|f64 is not i32 f64', component(core_funcs([([I32, F64], [])]), types(res, rfun), canon(lift(0, 1))),
        'do not match')

# lower: an imported func (param "s" string) becomes core [i32 i32] -> []; a core module
# importing it with another type does not instantiate
def lower_case(params):
    inner = core_module([], imports=[('host', 'f', params, [])])
    return component(types(sfun), imports(imp('f', FUNC + b'\x00')),
                     core_funcs([], memory=True), canon(lower(0, [MEM0])),
                     section(2, vec([b'\x01' + vec([name('f') + b'\x00\x00'])])),
                     section(1, inner),
                     section(2, vec([b'\x00\x01' + vec([name('host') + b'\x12\x01'])])))


valid('lowered string function links', lower_case([I32, I32]))
invalid('lowered string function, wrong core type', lower_case([I32]), 'type mismatch')

# names (Explainer.md, import and export definitions)
ft0 = types(functype([]))
for n in ['a', 'a-b', 'a1-b2', 'ABC-def', 'wasi:io/streams', 'wasi:io/streams@0.2.0', 'a:b/c@1.0.0-rc.1+build.5',
          'ns:pkg/iface', 'url=<https://example.com/x>', 'integrity=<sha256-abc>', 'locked-dep=<a:b>']:
    valid('import name %s' % n, component(ft0, imports(imp(n, FUNC + b'\x00'))))
for n in ['a_b', 'Ab', 'a--b', '-a', 'a-', '1a', 'wasi:io', 'wasi:io/streams@0.2', 'wasi:io/streams@01.0.0', 'a:b/c@1.0.0+', 'a@b:c', 'a@1.0.0:x/y']:
    invalid('import name %s' % n, component(ft0, imports(imp(n, FUNC + b'\x00'))), 'not a valid extern name')
invalid('url= is an import name only', component(core_funcs([([], [])]), ft0, canon(lift(0, 0)),
                                                exports(export('url=<x>', b'\x01', 0))), 'not a valid extern name')
invalid('names differing in case', component(ft0, imports(imp('a', FUNC + b'\x00'), imp('A', FUNC + b'\x00'))),
        'conflicts with previous name')
invalid('the same name twice', component(ft0, imports(imp('a', FUNC + b'\x00'), imp('a', FUNC + b'\x00'))), 'already defined')
invalid('[method] without self', component(types(functype([])), imports(imp('[method]r.m', FUNC + b'\x00'))),
        'should have at least one argument')
invalid('[method] of another resource',
        component(imports(imp('q', b'\x03\x01')), types(b'\x68\x00', functype([('self', idx(1))])),
                  imports(imp('[method]r.m', FUNC + b'\x02'))), 'does not match expected resource name `q`')
invalid('[static] of an unknown resource', component(types(functype([])), imports(imp('[static]r.m', FUNC + b'\x00'))),
        'not known')
invalid('[constructor] returning nothing', component(types(functype([])), imports(imp('[constructor]r', FUNC + b'\x00'))),
        'should return one value')
valid('[constructor] returning (result (own r))',
      component(imports(imp('r', b'\x03\x01')), types(b'\x69\x00', b'\x6a\x01' + uleb(1) + b'\x01' + bytes([STRING]),
                                                     functype([], idx(2))),
                imports(imp('[constructor]r', FUNC + b'\x03'))))
valid('[method] of an imported resource',
      component(imports(imp('r', b'\x03\x01')), types(b'\x68\x00', functype([('self', idx(1))])),
                imports(imp('[method]r.m', FUNC + b'\x02'))))

# types
invalid('own of a non-resource', component(types(bytes([STRING]), b'\x69\x00')), 'not a resource type')
invalid('borrow in a result', component(imports(imp('r', b'\x03\x01')), types(b'\x68\x00', functype([], idx(1)))),
        'borrow')
invalid('record fields differing in case',
        component(types(b'\x72' + vec([name('a') + bytes([U32]), name('A') + bytes([U32])]))), 'conflicts with previous field name')
invalid('record field not in kebab case', component(types(b'\x72' + vec([name('a_b') + bytes([U32])]))), 'kebab')
invalid('list of a function type', component(types(functype([]), b'\x70\x00')), 'not a defined type')
invalid('type index out of range', component(types(b'\x70\x03')), 'out of bounds')
valid('error-context as a value type', component(types(b'\x70\x64', b'\x6b\x64')))
valid('32 flags', component(types(b'\x6e' + vec([name('f%d' % i) for i in range(32)]))))
invalid('outer alias past the outermost component', component(types(bytes([STRING])), section(6, vec([b'\x03\x02\x01\x00']))),
        'invalid outer alias count')
valid('outer alias from a nested component',
      component(types(bytes([STRING])), section(4, component(section(6, vec([b'\x03\x02\x01\x00'])),
                                                                types(b'\x70\x00')))))

# instantiation
nested_f = component(ft0, imports(imp('f', FUNC + b'\x00')))
invalid('missing import argument', component(section(4, nested_f), section(5, vec([b'\x00\x00' + vec([])]))),
        'missing import named `f`')
invalid('argument of the wrong sort',
        component(section(4, nested_f), types(bytes([STRING])),
                  section(5, vec([b'\x00\x00' + vec([name('f') + b'\x03\x00'])]))), 'expected func')
valid('argument of the right type',
      component(section(4, nested_f), ft0, imports(imp('g', FUNC + b'\x00')),
                section(5, vec([b'\x00\x00' + vec([name('f') + b'\x01\x00'])]))))
invalid('argument of another function type',
        component(section(4, nested_f), types(functype([('x', U32)])), imports(imp('g', FUNC + b'\x00')),
                  section(5, vec([b'\x00\x00' + vec([name('f') + b'\x01\x00'])]))), 'type mismatch')

# resources: a nested component importing (type "r" (sub resource)) and a function on
# (own r) takes any resource for r, and then only functions on that same resource
nested_r = component(imports(imp('r', b'\x03\x01')), types(b'\x69\x00', functype([('x', idx(1))])),
                     imports(imp('f', FUNC + b'\x02')))


def resource_case(func_resource):
    # outer: resources t (type 0) and u (type 1); g takes (own t), h takes (own u)
    return component(imports(imp('t', b'\x03\x01'), imp('u', b'\x03\x01')),
                     types(b'\x69\x00', functype([('x', idx(2))]), b'\x69\x01', functype([('x', idx(4))])),
                     imports(imp('g', FUNC + b'\x03'), imp('h', FUNC + b'\x05')),
                     section(4, nested_r),
                     section(5, vec([b'\x00\x00' + vec([name('r') + b'\x03\x00', name('f') + b'\x01' + uleb(func_resource)])])))


valid('resource import bound to the argument', resource_case(0))
invalid('function on another resource', resource_case(1), 'resource types are not the same')
invalid('resource defined inside a component type', component(types(b'\x41' + vec([b'\x01\x3f\x7f\x00']))),
        'resources can only be defined within a concrete component')
invalid('resource.new of an imported resource', component(imports(imp('r', b'\x03\x01')), canon(b'\x02\x00')),
        'not a local resource')

# exports name only types the component exports or imports (Binary.md, import and export
# definitions): a function on a resource defined here is exported after the resource,
# and its type refers to the exported resource's new index
def resource_export(ascribe):
    # type 0: resource; 1: (own 0); 2: (func (result 1)); export "r" -> type 3 (named)
    # type 4: (own 3); 5: (func (result 4))
    es = [b'\x00' + name('r') + b'\x03' + uleb(0) + b'\x00']
    fexp = b'\x00' + name('make') + b'\x01' + uleb(0)
    fexp += (b'\x01\x01' + uleb(5)) if ascribe else b'\x00'
    es.append(fexp)
    return component(core_funcs([([], [I32])]), types(b'\x3f\x7f\x00', b'\x69\x00', functype([], idx(1))),
                     canon(lift(0, 2)), exports(es[0]), types(b'\x69\x03', functype([], idx(4))), exports(es[1]))


valid('function on an exported resource, ascribed its exported name', resource_export(True))
invalid('function on a resource under its unexported index', resource_export(False), 'func not valid to be used as export')
invalid('import of a function on a resource defined here',
        component(types(b'\x3f\x7f\x00', b'\x69\x00', functype([], idx(1))), imports(imp('f', FUNC + b'\x02'))),
        'func not valid to be used as import')

# core module types: one export per name, one import per (module, name)
def module_type(*decls):
    return section(3, vec([b'\x50' + vec(list(decls))]))


FT_DECL = b'\x01\x60\x00\x00'                     # type 0: (func)
valid('module type with an import and an export',
      component(module_type(FT_DECL, b'\x00' + name('m') + name('f') + b'\x00\x00', b'\x03' + name('f') + b'\x00\x00')))
invalid('module type exporting a name twice',
        component(module_type(FT_DECL, b'\x03' + name('f') + b'\x00\x00', b'\x03' + name('f') + b'\x00\x00')),
        'export name `f` already defined')
invalid('module type importing a name twice',
        component(module_type(FT_DECL, b'\x00' + name('m') + name('f') + b'\x00\x00',
                              b'\x00' + name('m') + name('f') + b'\x00\x00')), 'duplicate import name')
valid('module type importing one name from two modules',
      component(module_type(FT_DECL, b'\x00' + name('m') + name('f') + b'\x00\x00',
                            b'\x00' + name('n') + name('f') + b'\x00\x00')))

# a core module that does not validate makes the component invalid
bad_core = CORE_PRE + section(1, vec([b'\x60\x00\x01\x7f'])) + section(3, vec([b'\x00'])) + section(10, vec([b'\x02\x00\x0b']))
invalid('nested core module that does not validate', component(section(1, bad_core)), 'type mismatch')
malformed('nested core module that does not decode', component(section(1, CORE_PRE + b'\x01\x05')),
          'length out of bounds')
malformed('section larger than the input', component(b'\x07\x10\x00'), 'unexpected end-of-file')
malformed('section shorter than its size', component(b'\x07\x03\x01\x73'), 'unexpected end-of-file')
malformed('contents shorter than the section', component(b'\x07\x03\x01\x73\x73'), 'section size mismatch')


# canonical options and the lifted function's core type (Binary.md, canonical definitions)
invalid('realloc without memory', component(core_funcs([([], []), REALLOC_SIG]), ft0, canon(lift(0, 0, [realloc(1)]))),
        'canonical option `realloc` requires `memory` to also be specified')
valid('realloc with memory', component(core_funcs([([], []), REALLOC_SIG], memory=True), ft0,
                                       canon(lift(0, 0, [MEM0, realloc(1)]))))
invalid('lifted core function with a parameter too many', component(core_funcs([([I32], [])]), ft0, canon(lift(0, 0))),
        'lowered parameter types `[]` do not match parameter types `[I32]`')
invalid('lifted core function with a result too many', component(core_funcs([([], [I64])]), ft0, canon(lift(0, 0))),
        'lowered result types `[]` do not match result types `[I64]`')
invalid('lift of a core function out of range', component(core_funcs([([], [])]), ft0, canon(lift(7, 0))),
        'function index out of bounds')
invalid('export ascribed another function type',
        component(core_funcs([([], [])]), types(functype([]), functype([('x', U32)])), canon(lift(0, 0)),
                  exports(b'\x00' + name('f') + b'\x01' + uleb(0) + b'\x01\x01' + uleb(1))),
        'ascribed type of export is not compatible')

# strong uniqueness of import and export names (Explainer.md, name uniqueness):
# `[method]l.l` and `[static]l.l` count as `l`, other annotations but [constructor] drop out
def method_of_a(method):
    return component(imports(imp('a', b'\x03\x01')), types(b'\x68\x00', functype([('self', idx(1))])),
                     imports(imp(method, FUNC + b'\x02')))


invalid('[method]a.a beside a', method_of_a('[method]a.a'), 'import name `[method]a.a` conflicts with previous name `a`')
invalid('[static]a.a beside a', method_of_a('[static]A.A'), 'conflicts with previous name `a`')
valid('[method]a.b beside a', method_of_a('[method]a.b'))
invalid('[method]a.b beside [static]a.b',
        component(imports(imp('a', b'\x03\x01')), types(b'\x68\x00', functype([('self', idx(1))]), functype([])),
                  imports(imp('[method]a.b', FUNC + b'\x02'), imp('[static]a.b', FUNC + b'\x03'))),
        'import name `[static]a.b` conflicts with previous name `[method]a.b`')
valid('a-1 beside a1', component(ft0, imports(imp('a1', FUNC + b'\x00'), imp('a-1', FUNC + b'\x00'))))

# a core module in a component imports each two-level name once (they become `m:n`)
invalid('core module importing a name twice',
        component(section(1, core_module(imports=[('', '', [], []), ('', '', [], [])]))), 'duplicate import name `:`')
valid('core module importing one name from two modules',
      component(section(1, core_module(imports=[('a', 'f', [], []), ('b', 'f', [], [])]))))

# type imports take a resource or a defined type as declared
invalid('resource import given a defined type',
        component(section(4, component(imports(imp('x', b'\x03\x01')))), types(bytes([U32])),
                  section(5, vec([b'\x00\x00' + vec([name('x') + b'\x03\x00'])]))),
        'expected resource, found defined type')
invalid('defined-type import given a resource',
        component(section(4, component(types(bytes([U32])), imports(imp('x', b'\x03\x00\x00')))),
                  types(b'\x3f\x7f\x00'), section(5, vec([b'\x00\x00' + vec([name('x') + b'\x03\x00'])]))),
        'expected defined type, found resource')
valid('defined-type import given an equal type',
      component(section(4, component(types(bytes([U32])), imports(imp('x', b'\x03\x00\x00')))),
                types(bytes([U32])), section(5, vec([b'\x00\x00' + vec([name('x') + b'\x03\x00'])]))))


# each instance-typed import stands for an instance of its own: its abstract resources
# are fresh ones (Explainer.md, type checking)
INST_R = b'\x42' + vec([b'\x04\x00' + name('r') + b'\x03\x01', b'\x01\x69\x00', b'\x01' + functype([], idx(1)),
                       b'\x04\x00' + name('f') + b'\x01\x02'])
nested_rf = component(imports(imp('r', b'\x03\x01')), types(b'\x69\x00', functype([], idx(1))),
                      imports(imp('f', FUNC + b'\x02')))


def two_instances(f):
    return component(types(INST_R), imports(imp('i1', b'\x05\x00'), imp('i2', b'\x05\x00')),
                     section(6, vec([b'\x03\x00\x00' + name('r'), b'\x01\x00\x00' + name('f'),
                                     b'\x03\x00\x01' + name('r'), b'\x01\x00\x01' + name('f')])),
                     section(4, nested_rf),
                     section(5, vec([b'\x00\x00' + vec([name('r') + b'\x03\x01', name('f') + b'\x01' + uleb(f)])])))


valid('resource and function of one imported instance', two_instances(0))
invalid('resource of one imported instance, function of another', two_instances(1), 'resource types are not the same')


# an export ascribed (sub resource) is a resource of its own outside the component
def ascribed_sub(b_arg):
    inner = component(types(b'\x3f\x7f\x00'), exports(b'\x00' + name('r1') + b'\x03\x00\x00',
                                                       b'\x00' + name('r2') + b'\x03\x00\x01\x03\x01'))
    eq = component(imports(imp('a', b'\x03\x01'), imp('b', b'\x03\x00\x00')))
    return component(section(4, inner), section(5, vec([b'\x00\x00\x00'])),
                     section(6, vec([b'\x03\x00\x00' + name('r1'), b'\x03\x00\x00' + name('r2')])), section(4, eq),
                     section(5, vec([b'\x00\x01' + vec([name('a') + b'\x03\x00', name('b') + b'\x03' + uleb(b_arg)])])))


valid('one exported resource imported twice as equal', ascribed_sub(0))
invalid('an export ascribed (sub resource) is another resource', ascribed_sub(1), 'resource types are not the same')


# a bag of inline exports gives its types new identities: a [constructor] exported
# beside the resource it was defined on names no resource there
def bag(fname, f):
    return component(core_funcs([([], [I32]), ([], [])]), types(b'\x3f\x7f\x00', b'\x69\x00', functype([], idx(1)), functype([])),
                     canon(lift(0, 2), lift(1, 3)),
                     section(5, vec([b'\x01' + vec([b'\x00' + name('a') + b'\x03\x00', b'\x00' + name(fname) + b'\x01' + uleb(f)])])))


invalid('[constructor] in a bag of inline exports', bag('[constructor]a', 0),
        'resource used in function does not have a name in this context')
valid('[static] in a bag of inline exports', bag('[static]a.m', 1))


# external visibility (Explainer.md): records, variants, enums, flags and resources in an
# import or export are named by an import or export of this component (or of an instance
# it imports or exports whole); component types check their declarators at once,
# instance types where they are imported or exported
REC_X = b'\x72' + vec([name('x') + bytes([U32])])
INNER_DECLS = [b'\x01' + REC_X, b'\x01\x72' + vec([name('r') + uleb(0)]), b'\x04\x00' + name('t') + b'\x03\x00\x01']
valid('instance type with an unnamed record inside', component(types(b'\x42' + vec(INNER_DECLS))))
invalid('type import of that instance type', component(types(b'\x42' + vec(INNER_DECLS)), imports(imp('i', b'\x03\x00\x00'))),
        'type not valid to be used as import')
invalid('instance import of that instance type', component(types(b'\x42' + vec(INNER_DECLS)), imports(imp('i', b'\x05\x00'))),
        'instance not valid to be used as import')
F_OF_REC = [b'\x01' + REC_X, b'\x01' + functype([('x', idx(0))]), b'\x04\x00' + name('f') + b'\x01\x01']
invalid('component type exporting a function on an unnamed record', component(types(b'\x41' + vec(F_OF_REC))),
        'func not valid to be used as export')
valid('instance type exporting a function on an unnamed record', component(types(b'\x42' + vec(F_OF_REC))))


def ctype_resource(first):
    return component(types(b'\x41' + vec([bytes([first]) + b'\x00' + name('r') + b'\x03\x01', b'\x01\x69\x00',
                                         b'\x01' + functype([], idx(1)), b'\x03\x00' + name('f') + b'\x01\x02'])))


invalid('component type importing a function on its exported resource', ctype_resource(0x04),
        'func not valid to be used as import')
valid('component type importing a function on its imported resource', ctype_resource(0x03))


def child_type(export_instance):
    child = component(types(REC_X), exports(b'\x00' + name('t') + b'\x03\x00\x00'))
    out = [section(4, child), section(5, vec([b'\x00\x00\x00']))]
    if export_instance:
        out.append(exports(b'\x00' + name('i') + b'\x05\x00\x00'))
    out += [section(6, vec([b'\x03\x00' + uleb(1 if export_instance else 0) + name('t')])), core_funcs([([I32], [])]),
            types(functype([('r', idx(0))])), canon(lift(0, 1)), exports(export('f', b'\x01', 0))]
    return component(*out)


invalid('function on a type of an instantiated child', child_type(False), 'func not valid to be used as export')
valid('function on a type of an instance exported whole', child_type(True))


def through_child(arg):
    child = component(types(REC_X), imports(imp('t', b'\x03\x00\x00')), types(b'\x72' + vec([name('r') + uleb(1)])),
                      exports(b'\x00' + name('t2') + b'\x03\x02\x00'))
    return component(types(REC_X), imports(imp('t', b'\x03\x00\x00')), section(4, child),
                     section(5, vec([b'\x00\x00' + vec([name('t') + b'\x03' + uleb(arg)])])),
                     section(6, vec([b'\x03\x00\x00' + name('t2')])), exports(b'\x00' + name('t2') + b'\x03\x02\x00'))


valid('a child\'s type on its imported type, given a named one', through_child(1))
invalid('a child\'s type on its imported type, given an unnamed one', through_child(0), 'type not valid to be used as export')


# a value type's size is below 2^28 bytes with 32-bit and with 64-bit memories, where a
# string is 16 bytes (CanonicalABI.md, element size)
valid('fixed list of 16777215 strings', component(types(b'\x67' + bytes([STRING]) + uleb(16777215))))
invalid('fixed list of 16777216 strings', component(types(b'\x67' + bytes([STRING]) + uleb(16777216))),
        'exceeds maximum byte size')


# core tags: a core sort like functions (Binary.md, core:sort 0x04): aliased out of a
# core instance, exported inline, and matched against a module's tag import
TAG_MOD = CORE_PRE + section(1, vec([b'\x60\x01\x7f\x00'])) + section(13, vec([b'\x00\x00'])) + section(7, vec([name('t') + b'\x04\x00']))


def tag_import_mod(t):
    return CORE_PRE + section(1, vec([b'\x60\x01' + bytes([t]) + b'\x00'])) + section(2, vec([name('e') + name('t') + b'\x04\x00\x00']))


def tags_case(alias_sort=b'\x00\x04', tag_idx=0, import_type=I32):
    return component(section(1, TAG_MOD), section(2, vec([b'\x00\x00\x00'])),
                     section(6, vec([alias_sort + b'\x01\x00' + name('t')])),
                     section(2, vec([b'\x01' + vec([name('t') + b'\x04' + uleb(tag_idx)])])),
                     section(1, tag_import_mod(import_type)), section(2, vec([b'\x00\x01' + vec([name('e') + b'\x12\x01'])])))


valid('core tag aliased, exported inline and imported', tags_case())
invalid('core tag export aliased as a core func', tags_case(alias_sort=b'\x00\x00'), 'is not a core func')
invalid('inline export of a core tag out of range', tags_case(tag_idx=3), 'unknown tag 3: tag index out of bounds')
invalid('core tag of another type for a tag import', tags_case(import_type=I64), 'mismatch in tag type')


def wast_string(data):
    return ''.join('\\%02x' % b for b in data)


with open(sys.argv[1], 'w') as out:
    out.write(';; generated by tests/component/cases.py\n')
    for label, verdict, data, msg in cases:
        out.write(';; %s\n' % label)
        body = '(component binary "%s")' % wast_string(data)
        if verdict == 'valid':
            # a definition: validated, not instantiated (many cases have imports)
            out.write(body.replace('(component binary', '(component definition binary', 1) + '\n')
        else:
            out.write('(assert_%s %s "%s")\n' % (verdict, body, msg))
print('%d cases' % len(cases))
