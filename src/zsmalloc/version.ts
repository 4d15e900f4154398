// What a zsmalloc.c offers, read off its source: the API differences between kernel
// versions that the harness (harness.c) adapts to, as -D flags.
import { BadInputError } from '../errors.js';

export interface ZsmallocApi {
  /** zs_malloc(pool, size, gfp, nid) (6.13+) rather than zs_malloc(pool, size, gfp). */
  mallocNid: boolean;
  /** zs_create_pool()'s parameter count: 1 (name) or 4 (name, memcg_aware, two memcg stats). */
  createPoolArgs: number;
  /** zs_obj_read_begin()/zs_obj_read_end() (6.17+); else zs_map_object()/zs_unmap_object(). */
  readBegin: boolean;
  /** zs_obj_read_begin() takes the object's length (mem_len). */
  readMemLen: boolean;
  /** zs_obj_write() (6.17+); else writes go through zs_map_object(ZS_MM_WO). */
  objWrite: boolean;
  /** zs_obj_read_sg_begin()/_end(), the scatterlist read API. */
  readSg: boolean;
  /** The functions the file exports (EXPORT_SYMBOL), for a header when the tree has none. */
  exported: string[];
}

const withoutComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

/** The parameter list of `name`'s definition, or null when the file does not define it. */
function params(src: string, name: string): string[] | null {
  const m = new RegExp(`\\b${name}\\s*\\(([^)]*)\\)\\s*\\{`).exec(src);
  if (!m) return null;
  return m[1]!.split(',').map((p) => p.trim()).filter((p) => p !== '' && p !== 'void');
}

export function zsmallocApi(source: string, display: string): ZsmallocApi {
  const src = withoutComments(source);
  const malloc = params(src, 'zs_malloc');
  const create = params(src, 'zs_create_pool');
  const readBegin = params(src, 'zs_obj_read_begin');
  const map = params(src, 'zs_map_object');
  const missing = !malloc ? 'zs_malloc()' : !create ? 'zs_create_pool()' : !readBegin && !map ? 'zs_obj_read_begin() or zs_map_object()' : null;
  if (missing) throw new BadInputError(`--zsmalloc: ${display} defines no ${missing}: not a zsmalloc.c this tool knows`);
  return {
    mallocNid: malloc!.length >= 4,
    createPoolArgs: create!.length,
    readBegin: readBegin !== null,
    readMemLen: (readBegin?.length ?? 0) >= 4,
    objWrite: params(src, 'zs_obj_write') !== null,
    readSg: params(src, 'zs_obj_read_sg_begin') !== null,
    exported: [...src.matchAll(/EXPORT_SYMBOL(?:_GPL)?\s*\(\s*(\w+)\s*\)/g)].map((m) => m[1]!),
  };
}

export function apiFlags(api: ZsmallocApi): string[] {
  const flags = [`-DZSH_CREATE_POOL_ARGS=${api.createPoolArgs}`];
  if (api.mallocNid) flags.push('-DZSH_MALLOC_NID');
  if (api.readBegin) flags.push('-DZSH_READ_BEGIN');
  if (api.readMemLen) flags.push('-DZSH_READ_MEM_LEN');
  if (api.objWrite) flags.push('-DZSH_OBJ_WRITE');
  return flags;
}

/**
 * include/linux/zsmalloc.h for a tree without one: the prototypes of the functions the
 * file exports, taken from their definitions, and the types the API names.
 */
export function fallbackHeader(source: string, api: ZsmallocApi): string {
  const src = withoutComments(source);
  const protos = api.exported.flatMap((name) => {
    const m = new RegExp(`(?:^|\\n)([A-Za-z_][\\w \\t\\*]*?\\b${name}\\s*\\([^)]*\\))\\s*\\{`).exec(src);
    return m ? [`${m[1]!.replace(/\s+/g, ' ').trim()};`] : [];
  });
  return [
    '/* zspage-stress: the API of a zsmalloc.c whose tree has no include/linux/zsmalloc.h */',
    '#ifndef _ZS_MALLOC_H_',
    '#define _ZS_MALLOC_H_',
    'struct zs_pool;',
    'struct zs_pool_stats { atomic_long_t pages_compacted; };',
    ...(api.readBegin ? [] : ['enum zs_mapmode { ZS_MM_RW, ZS_MM_RO, ZS_MM_WO };']),
    ...protos,
    '#endif',
    '',
  ].join('\n');
}
