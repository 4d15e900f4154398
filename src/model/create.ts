// zs_create_pool(): the class table, empty fullness lists, every page frame free.
import { ARENA_MAGIC, CLS, HDR, HND, NR_FULLNESS_GROUPS, PG, STACK, ZSP } from '../arena/layout.js';
import { poisonPage } from './object.js';
import { clsAt, hndAt, pgAt, zspAt, type Zs } from './zs.js';

export function zsCreatePool(zs: Zs): void {
  const { mem, L } = zs;
  mem[HDR.MAGIC] = ARENA_MAGIC;
  for (const c of zs.table.classes) {
    mem[clsAt(zs, c.id, CLS.SIZE)] = c.size;
    mem[clsAt(zs, c.id, CLS.PAGES_PER_ZSPAGE)] = c.pagesPerZspage;
    mem[clsAt(zs, c.id, CLS.OBJS_PER_ZSPAGE)] = c.objsPerZspage;
    mem[clsAt(zs, c.id, CLS.HUGE)] = c.huge ? 1 : 0;
    for (let fg = 0; fg < NR_FULLNESS_GROUPS; fg++) mem[clsAt(zs, c.id, CLS.FULLNESS_HEAD + fg)] = -1;
  }
  // Free stacks pop the lowest numbers first.
  const pages = L.params.pages;
  for (let i = 0; i < pages; i++) {
    mem[L.freePages + i] = pages - 1 - i;
    mem[pgAt(zs, i, PG.OWNER)] = -1;
    mem[pgAt(zs, i, PG.HANDLE)] = -1;
    poisonPage(zs, i);
  }
  mem[L.pageAlloc + STACK.TOP] = pages;
  for (let i = 0; i < L.maxZspages; i++) {
    mem[L.freeZspages + i] = L.maxZspages - 1 - i;
    mem[zspAt(zs, i, ZSP.CLASS)] = -1;
  }
  mem[L.zspageAlloc + STACK.TOP] = L.maxZspages;
  for (let h = 0; h < L.params.handles; h++) mem[hndAt(zs, h, HND.LOCATION)] = -1;
}
