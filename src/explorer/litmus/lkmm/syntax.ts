// The thread bodies of C litmus files as herd7 reads them: declarations with initializers,
// assignments, plain loads and stores through pointers, calls of kernel primitives, and
// if/else (tools/memory-model/linux-kernel.def names the primitives).

/** A value: an integer, or the address of a shared location (its name). */
export type Val = number | string;

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string }
  | { k: 'deref'; e: Expr }
  | { k: 'addr'; name: string }
  | { k: 'un'; op: '!' | '-' | '~'; e: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'call'; fn: string; args: Expr[] };

export type Stmt = { line: number } & (
  | { k: 'decl'; name: string; init: Expr | null }
  | { k: 'assign'; lhs: Expr; rhs: Expr }
  | { k: 'expr'; e: Expr }
  | { k: 'if'; c: Expr; then: Stmt[]; else: Stmt[] }
);

interface Tok {
  t: string;
  line: number;
}

const TYPE_WORDS = new Set(['int', 'long', 'unsigned', 'signed', 'short', 'char', 'u8', 'u16', 'u32', 'u64', 's32', 's64', 'atomic_t', 'atomic64_t', 'atomic_long_t', 'spinlock_t', 'raw_spinlock_t', 'struct', 'srcu_struct', 'const', 'volatile', 'bool', 'intptr_t', 'uintptr_t', 'size_t']);

export function tokenize(src: string, firstLine: number): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|(0x[0-9a-fA-F]+|\d+)|([A-Za-z_]\w*)|(==|!=|<=|>=|&&|\|\||<<|>>|[-+*/%&|^!~<>=(){},;?:[\]])|(.)/g;
  let line = firstLine;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    if (m[4] !== undefined) throw new SyntaxError(`line ${line}: unexpected character '${m[4]}'`);
    const t = m[1] ?? m[2] ?? m[3];
    if (t !== undefined) out.push({ t, line });
    line += (m[0].match(/\n/g) ?? []).length;
  }
  return out;
}

/** Parses a thread body (the text between its braces). Throws SyntaxError('line N: why'). */
export function parseBody(src: string, firstLine: number): Stmt[] {
  const p = new BodyParser(tokenize(src, firstLine), firstLine);
  const body = p.stmts();
  if (p.p < p.toks.length) p.fail(`unexpected '${p.peek()}'`);
  return body;
}

const BIN: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];
const NAME = /^[A-Za-z_]\w*$/;

class BodyParser {
  p = 0;
  constructor(
    readonly toks: Tok[],
    private readonly firstLine: number,
  ) {}
  peek(o = 0): string | undefined {
    return this.toks[this.p + o]?.t;
  }
  line(): number {
    return this.toks[Math.min(this.p, this.toks.length - 1)]?.line ?? this.firstLine;
  }
  fail(why: string): never {
    throw new SyntaxError(`line ${this.line()}: ${why}`);
  }
  eat(t: string): void {
    if (this.peek() !== t) this.fail(`expected '${t}'${this.peek() ? ` before '${this.peek()}'` : ''}`);
    this.p++;
  }
  isType(t: string | undefined): boolean {
    return t !== undefined && TYPE_WORDS.has(t);
  }
  /** Type words, `struct tag` counting as one. */
  skipType(): void {
    while (this.isType(this.peek())) this.p += this.peek() === 'struct' ? 2 : 1;
  }
  name(what: string): string {
    const t = this.peek();
    if (!t || !NAME.test(t)) this.fail(what);
    this.p++;
    return t!;
  }
  stmts(): Stmt[] {
    const out: Stmt[] = [];
    while (this.p < this.toks.length && this.peek() !== '}') out.push(...this.stmt());
    return out;
  }
  block(): Stmt[] {
    if (this.peek() !== '{') return this.stmt();
    this.p++;
    const body = this.stmts();
    this.eat('}');
    return body;
  }
  stmt(): Stmt[] {
    const line = this.line();
    const t = this.peek();
    if (t === ';') return this.p++, [];
    if (t === '{') return this.block();
    if (t === 'if') {
      this.p++;
      this.eat('(');
      const c = this.expr();
      this.eat(')');
      const then = this.block();
      let els: Stmt[] = [];
      if (this.peek() === 'else') {
        this.p++;
        els = this.block();
      }
      return [{ k: 'if', c, then, else: els, line }];
    }
    if (t === 'while' || t === 'for' || t === 'do' || t === 'goto' || t === 'return' || t === 'switch') {
      return this.fail(`'${t}' is not supported (litmus threads are loop-free code)`);
    }
    if (this.isType(t)) return this.declaration(line);
    const e = this.expr();
    if (this.peek() === '=') {
      this.p++;
      const rhs = this.expr();
      this.eat(';');
      if (e.k !== 'var' && e.k !== 'deref') this.fail('the left of = must be a variable or *pointer');
      return [{ k: 'assign', lhs: e, rhs, line }];
    }
    this.eat(';');
    return [{ k: 'expr', e, line }];
  }
  /** int r0; int *r1 = &x, r2; */
  declaration(line: number): Stmt[] {
    this.skipType();
    const out: Stmt[] = [];
    for (;;) {
      while (this.peek() === '*') this.p++;
      const name = this.name('expected a variable name in a declaration');
      let init: Expr | null = null;
      if (this.peek() === '=') {
        this.p++;
        init = this.expr();
      }
      out.push({ k: 'decl', name, init, line });
      if (this.peek() !== ',') break;
      this.p++;
    }
    this.eat(';');
    return out;
  }
  expr(): Expr {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.p++;
    const a = this.expr();
    this.eat(':');
    return { k: 'cond', c, a, b: this.expr() };
  }
  binary(lvl: number): Expr {
    if (lvl === BIN.length) return this.unary();
    let a = this.binary(lvl + 1);
    while (BIN[lvl]!.includes(this.peek() ?? '')) {
      const op = this.toks[this.p++]!.t;
      a = { k: 'bin', op, a, b: this.binary(lvl + 1) };
    }
    return a;
  }
  unary(): Expr {
    const t = this.peek();
    if (t === '*') return this.p++, { k: 'deref', e: this.unary() };
    if (t === '&') return this.p++, { k: 'addr', name: this.name("'&' must be followed by a name") };
    if (t === '!' || t === '-' || t === '~') return this.p++, { k: 'un', op: t, e: this.unary() };
    if (t !== '(') return this.primary();
    this.p++;
    if (this.isType(this.peek()) || this.peek() === 'void') {
      // a cast: (void), (int), (int *)
      this.skipType();
      while (this.peek() === 'void' || this.peek() === '*') this.p++;
      this.eat(')');
      return this.unary();
    }
    const e = this.expr();
    this.eat(')');
    return e;
  }
  primary(): Expr {
    const t = this.peek();
    if (t === undefined) return this.fail('unexpected end of the thread body');
    this.p++;
    if (/^\d/.test(t)) return { k: 'num', v: Number(t) };
    if (!NAME.test(t)) return this.fail(`unexpected '${t}'`);
    if (this.peek() !== '(') return { k: 'var', name: t };
    this.p++;
    const args: Expr[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.expr());
        if (this.peek() !== ',') break;
        this.p++;
      }
    }
    this.eat(')');
    return { k: 'call', fn: t, args };
  }
}
