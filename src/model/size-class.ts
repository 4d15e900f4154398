// Size classes as zs_create_pool() builds them.

export const ZS_HANDLE_SIZE = 8; // the handle word stored at the start of a non-huge object
const CLASS_BITS = 8;
const ZS_MIN_ALLOC_SIZE = 32;

export interface SizeClass {
  /** Dense id of the merged class (what the arena's class table is indexed by). */
  id: number;
  /** Largest kernel size-class index that maps to it (class->index). */
  index: number;
  size: number;
  pagesPerZspage: number;
  objsPerZspage: number;
  huge: boolean;
}

export interface ClassTable {
  pageSize: number;
  chainSize: number;
  classes: SizeClass[];
  /** Kernel size-class index -> merged class id. */
  idOfIndex: Int32Array;
  delta: number;
  maxObjsPerZspage: number;
}

// calculate_zspage_chain_size(): the chain length (1..chainSize pages) that wastes least.
export function zspageChainSize(classSize: number, pageSize: number, chainSize: number): number {
  if ((classSize & (classSize - 1)) === 0) return 1;
  let minWaste = Infinity;
  let best = 1;
  for (let i = 1; i <= chainSize; i++) {
    const waste = (i * pageSize) % classSize;
    if (waste < minWaste) {
      minWaste = waste;
      best = i;
    }
  }
  return best;
}

// zs_create_pool(): iterate from the largest class down, merging a class into the one
// above when both have the same pages and objects per zspage (can_merge()).
export function buildClassTable(pageSize: number, chainSize: number): ClassTable {
  const delta = pageSize >> CLASS_BITS;
  const count = Math.ceil((pageSize - ZS_MIN_ALLOC_SIZE) / delta) + 1;
  const idOfIndex = new Int32Array(count);
  const descending: Omit<SizeClass, 'id'>[] = [];
  let prev: Omit<SizeClass, 'id'> | null = null;
  for (let i = count - 1; i >= 0; i--) {
    const size = Math.min(ZS_MIN_ALLOC_SIZE + i * delta, pageSize);
    const pagesPerZspage = zspageChainSize(size, pageSize, chainSize);
    const objsPerZspage = Math.floor((pagesPerZspage * pageSize) / size);
    if (prev && prev.pagesPerZspage === pagesPerZspage && prev.objsPerZspage === objsPerZspage) {
      idOfIndex[i] = descending.length - 1;
      continue;
    }
    prev = { index: i, size, pagesPerZspage, objsPerZspage, huge: pagesPerZspage === 1 && objsPerZspage === 1 };
    descending.push(prev);
    idOfIndex[i] = descending.length - 1;
  }
  // Ids ascend with size.
  const last = descending.length - 1;
  for (let i = 0; i < count; i++) idOfIndex[i] = last - idOfIndex[i]!;
  const classes = descending.reverse().map((c, id) => ({ ...c, id }));
  return {
    pageSize,
    chainSize,
    classes,
    idOfIndex,
    delta,
    maxObjsPerZspage: Math.max(...classes.map((c) => c.objsPerZspage)),
  };
}

// get_size_class_index(), applied to the size with the handle added (zs_malloc()).
export function classIdForSize(table: ClassTable, userSize: number): number {
  const size = userSize + ZS_HANDLE_SIZE;
  let idx = 0;
  if (size > ZS_MIN_ALLOC_SIZE) idx = Math.ceil((size - ZS_MIN_ALLOC_SIZE) / table.delta);
  return table.idOfIndex[Math.min(table.idOfIndex.length - 1, idx)]!;
}

/** Where a huge object keeps its payload: no handle word in front (the handle lives in the page). */
export function payloadOffset(c: SizeClass): number {
  return c.huge ? 0 : ZS_HANDLE_SIZE;
}

/** The largest object a user may allocate (zs_huge_class_size() and above go to the huge class). */
export function maxUserSize(table: ClassTable): number {
  return table.pageSize;
}
