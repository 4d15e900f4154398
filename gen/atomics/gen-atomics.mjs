#!/usr/bin/env node
// Writes the kernel shim's atomic families (src/locks/c/include/zspage_atomics.h) from the
// kernel's own table of atomic operations (atomics.tbl here, as scripts/atomic/atomics.tbl
// of Linux; see PROVENANCE.md). Each table row names an operation, the variants it comes in
// and its arguments; the bodies below give each operation's meaning as the kernel's
// scripts/atomic/fallbacks/ do, on the shim's primitives (__zs_load, __zs_add, ...).
//
//   node gen/atomics/gen-atomics.mjs            regenerate the header
//   node gen/atomics/gen-atomics.mjs --stdout   print it (the freshness test)
//   ... --table FILE                                read another version's table
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const OUTPUT = join(here, '..', '..', 'src', 'locks', 'c', 'include', 'zspage_atomics.h');
export const TABLE = join(here, 'atomics.tbl');

/** Orderings of an upper-case meta letter: '' is fully ordered (atomic_t.txt). */
const ORDERS = [
  ['', '__ZS_SEQ_CST'],
  ['_acquire', '__ZS_ACQUIRE'],
  ['_release', '__ZS_RELEASE'],
  ['_relaxed', '__ZS_RELAXED'],
];

/** The two families with storage of their own; atomic_long_t maps onto `atomic` (long is 32 bits). */
const FAMILIES = [
  { atomic: 'atomic', int: 'int', uint: 'unsigned int', sfx: '' },
  { atomic: 'atomic64', int: 's64', uint: 'u64', sfx: '64' },
];

/** Parses atomics.tbl: [{ name, meta, args: [{ type, name }] }]. */
export function parseTable(text) {
  const rows = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, meta, ...args] = line.split(/\s+/);
    rows.push({
      name,
      meta,
      args: args.map((a) => {
        const [type, argName] = a.split(':');
        return { type, name: argName ?? { cv: 'v', v: 'v', i: 'i', p: 'p' }[type] };
      }),
    });
  }
  return rows;
}

/** The C parameter list of a row for a family. */
function params(row, f, t = `${f.atomic}_t`) {
  return row.args
    .map((a) => {
      switch (a.type) {
        case 'cv':
          return `const ${t} *${a.name}`;
        case 'v':
          return `${t} *${a.name}`;
        case 'i':
          return `${f.int} ${a.name}`;
        case 'p':
          return `${f.int} *${a.name}`;
        default:
          throw new Error(`atomics.tbl: unknown argument type '${a.type}' in ${row.name}`);
      }
    })
    .join(', ');
}

/** The shim primitive of an RMW op, and the value it is given. */
const RMW = {
  add: () => ['add', 'i'],
  sub: (f) => ['add', `(${f.int})(0 - (${f.uint})i)`],
  inc: () => ['add', '1'],
  dec: () => ['add', '-1'],
  and: () => ['and', 'i'],
  andnot: () => ['and', '~i'],
  or: () => ['or', 'i'],
  xor: () => ['xor', 'i'],
};

/** The value an arithmetic op leaves, computed from the old one without signed overflow. */
function after(name, f) {
  switch (name) {
    case 'add':
      return `(${f.int})((${f.uint})old + (${f.uint})i)`;
    case 'sub':
      return `(${f.int})((${f.uint})old - (${f.uint})i)`;
    case 'inc':
      return `(${f.int})((${f.uint})old + 1)`;
    case 'dec':
      return `(${f.int})((${f.uint})old - 1)`;
    default:
      throw new Error(`atomics.tbl: no _return form for ${name}`);
  }
}

/** One function: `ret name(params) { body }`. */
const fn = (ret, name, ps, body) => `static __always_inline ${ret} ${name}(${ps})\n{\n${body}\n}\n`;

/** The functions of one table row for one family, as [name, C text] pairs. */
function rowFunctions(row, f) {
  const p = params(row, f);
  const out = [];
  for (const m of row.meta) {
    const orders = m === m.toUpperCase() && m !== m.toLowerCase() ? ORDERS : ORDERS.slice(0, 1);
    for (const [o, ord] of orders) {
      const key = `${m.toLowerCase()}:${row.name}`;
      const made = accessBodies(key, row.name, f, o, ord) ?? conditionalBodies(key, f, o);
      if (!made) throw new Error(`atomics.tbl: no meaning known for '${row.name}' with meta '${m}'; teach gen-atomics.mjs`);
      for (const [ret, name, body] of made) out.push([name, fn(ret, name, p, body)]);
    }
  }
  return out;
}

/** Loads, stores, RMWs and (try_)cmpxchg: one call of the shim's primitive each. */
function accessBodies(key, op, f, o, ord) {
  const A = f.atomic;
  const T = f.int;
  const prim = (name) => `__zs_${name}${f.sfx}`;
  switch (key) {
    case 'l:read':
      return [
        [T, `${A}_read`, `\treturn ${prim('load')}(&v->counter, __ZS_RELAXED);`],
        [T, `${A}_read_acquire`, `\treturn ${prim('load')}(&v->counter, __ZS_ACQUIRE);`],
      ];
    case 's:set':
      return [
        ['void', `${A}_set`, `\t${prim('store')}(&v->counter, i, __ZS_RELAXED);`],
        ['void', `${A}_set_release`, `\t${prim('store')}(&v->counter, i, __ZS_RELEASE);`],
      ];
    case 'i:xchg':
      return [[T, `${A}_xchg${o}`, `\treturn ${prim('xchg')}(&v->counter, new, ${ord});`]];
    // a failed cmpxchg orders nothing (atomic_t.txt)
    case 'i:cmpxchg':
      return [[T, `${A}_cmpxchg${o}`, `\treturn ${prim('cmpxchg')}(&v->counter, old, new, ${ord}, __ZS_RELAXED);`]];
    case 'b:try_cmpxchg':
      return [
        [
          'bool',
          `${A}_try_cmpxchg${o}`,
          `\t${T} expected = *old;\n\t${T} found = ${prim('cmpxchg')}(&v->counter, expected, new, ${ord}, __ZS_RELAXED);\n` +
            `\tif (likely(found == expected))\n\t\treturn true;\n\t*old = found;\n\treturn false;`,
        ],
      ];
  }
  const rmw = RMW[op]?.(f);
  if (!rmw) return null;
  const [name, val] = rmw;
  if (key.startsWith('v:')) return [['void', `${A}_${op}`, `\t${prim(name)}(&v->counter, ${val}, __ZS_RELAXED | __ZS_UNUSED);`]];
  if (key.startsWith('r:')) {
    return [[T, `${A}_${op}_return${o}`, `\t${T} old = ${prim(name)}(&v->counter, ${val}, ${ord});\n\treturn ${after(op, f)};`]];
  }
  if (key.startsWith('f:')) return [[T, `${A}_fetch_${op}${o}`, `\treturn ${prim(name)}(&v->counter, ${val}, ${ord});`]];
  return null;
}

/**
 * The tests and conditional ops, on the ones above as the kernel's fallbacks build them
 * (scripts/atomic/fallbacks/): a relaxed read, then a fully ordered try_cmpxchg loop.
 */
function conditionalBodies(key, f, o) {
  const A = f.atomic;
  const T = f.int;
  const loop = (bail, next) =>
    `\t${T} c = ${A}_read(v);\n\tdo {\n\t\tif (unlikely(${bail}))\n\t\t\treturn false;\n\t} while (!${A}_try_cmpxchg(v, &c, ${next}));\n\treturn true;`;
  switch (key) {
    case 'b:sub_and_test':
      return [['bool', `${A}_sub_and_test`, `\treturn ${A}_sub_return(i, v) == 0;`]];
    case 'b:dec_and_test':
      return [['bool', `${A}_dec_and_test`, `\treturn ${A}_dec_return(v) == 0;`]];
    case 'b:inc_and_test':
      return [['bool', `${A}_inc_and_test`, `\treturn ${A}_inc_return(v) == 0;`]];
    case 'b:add_negative':
      return [['bool', `${A}_add_negative${o}`, `\treturn ${A}_add_return${o}(i, v) < 0;`]];
    case 'f:add_unless':
      return [
        [
          T,
          `${A}_fetch_add_unless`,
          `\t${T} c = ${A}_read(v);\n\tdo {\n\t\tif (unlikely(c == u))\n\t\t\tbreak;\n` +
            `\t} while (!${A}_try_cmpxchg(v, &c, (${T})((${f.uint})c + (${f.uint})a)));\n\treturn c;`,
        ],
      ];
    case 'b:add_unless':
      return [['bool', `${A}_add_unless`, `\treturn ${A}_fetch_add_unless(v, a, u) != u;`]];
    case 'b:inc_not_zero':
      return [['bool', `${A}_inc_not_zero`, `\treturn ${A}_add_unless(v, 1, 0);`]];
    case 'b:inc_unless_negative':
      return [['bool', `${A}_inc_unless_negative`, loop('c < 0', 'c + 1')]];
    case 'b:dec_unless_positive':
      return [['bool', `${A}_dec_unless_positive`, loop('c > 0', 'c - 1')]];
    case 'i:dec_if_positive':
      return [
        [
          T,
          `${A}_dec_if_positive`,
          `\t${T} dec, c = ${A}_read(v);\n\tdo {\n\t\tdec = (${T})((${f.uint})c - 1);\n\t\tif (unlikely(dec < 0))\n\t\t\tbreak;\n` +
            `\t} while (!${A}_try_cmpxchg(v, &c, dec));\n\treturn dec;`,
        ],
      ];
  }
  return null;
}

/**
 * atomic_long_t on wasm32: `long` is 32 bits, so, as the kernel's atomic-long.h does without
 * CONFIG_64BIT, it is atomic_t and each atomic_long_ function calls its atomic_ twin.
 */
function longFunction(row, name, text) {
  const f = { atomic: 'atomic_long', int: 'long', uint: 'unsigned long', sfx: '' };
  const longName = name.replace(/^atomic_/, 'atomic_long_');
  const ret = /^static __always_inline (\w+)/.exec(text)[1];
  const call = row.args.map((a) => (a.type === 'p' ? `(int *)${a.name}` : a.name)).join(', ');
  const body = `\t${ret === 'void' ? '' : 'return '}${name}(${call});`;
  return [longName, fn(ret === 'int' ? 'long' : ret, longName, params(row, f, 'atomic_long_t'), body)];
}

export function generate(tableText, tableName = 'atomics.tbl') {
  const rows = parseTable(tableText);
  const parts = [
    `/* Generated by gen/atomics/gen-atomics.mjs from ${tableName}: do not edit. */`,
    '#ifndef ZSPAGE_ATOMICS_H',
    '#define ZSPAGE_ATOMICS_H',
    '',
    '_Static_assert(sizeof(long) == sizeof(int), "atomic_long_t is atomic_t: long is 32 bits on wasm32");',
    'typedef atomic_t atomic_long_t;',
    '#define ATOMIC_LONG_INIT(i) ATOMIC_INIT(i)',
    '',
  ];
  const names = [];
  for (const f of FAMILIES) {
    for (const row of rows) {
      for (const [name, text] of rowFunctions(row, f)) {
        parts.push(text);
        names.push(name);
        if (f.atomic === 'atomic') {
          const [longName, longText] = longFunction(row, name, text);
          parts.push(longText);
          names.push(longName);
        }
      }
    }
  }
  // raw_ forms: the shim has no instrumentation to skip
  for (const n of names) parts.push(`#define raw_${n} ${n}`);
  parts.push('', '#endif /* ZSPAGE_ATOMICS_H */', '');
  return { text: parts.join('\n'), names };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--table');
  const table = at > 0 ? process.argv[at + 1] : TABLE;
  const { text, names } = generate(readFileSync(table, 'utf8'));
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else {
    writeFileSync(OUTPUT, text);
    console.log(`${OUTPUT}: ${names.length} functions`);
  }
}
