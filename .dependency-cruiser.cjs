// The import rules, checked by `npm run lint:deps` (in .ci/run). Imports flow one way, down
// this list: a module may import from its own layer and the layers below it, never above.
// Type-only imports count too: a circle through types is still a circle for a reader.
/** Top to bottom; each a path pattern from the repository root. */
const LAYERS = [
  ['cli', '^src/cli/'],
  ['coordinator', '^src/coordinator/'],
  ['worker entries', '^workers/'],
  // The pools behind the role steps (our model, the kernel's zsmalloc.c), each one ops table.
  ['pools', '^src/pools/'],
  ['reports', '^src/report/'],
  ['explorer', '^src/explorer/(?!types\\.ts$)'],
  // What a supervisor and its worker entry say to each other: above the layers they name.
  ['worker messages', '^src/supervised/(explorer|check-explorer|auditor|kernel-role|kernel-explore)-messages\\.ts$'],
  ['roles', '^src/roles/'],
  ['records', '^src/records/'],
  ['invariants', '^src/invariants/'],
  ['scenario', '^src/scenario/'],
  ['model', '^src/model/'],
  // The kernel's own zsmalloc.c as a pool, beside the model.
  ['kernel pool', '^src/zsmalloc/'],
  ['grading', '^src/grading/grade\\.ts$'],
  // The interceptors of a lock's atomics: above the locks, so no lock design can reach them.
  ['atomics', '^src/atomics/'],
  ['locks', '^src/locks/'],
  ['supervised worker', '^src/supervised/(worker|probe-messages)\\.ts$'],
  ['explorer types', '^src/explorer/types\\.ts$'],
  // The words the checks and the catalog share: below both, importing nothing.
  ['vocabulary', '^src/grading/vocabulary\\.ts$'],
  ['arena', '^src/arena/'],
  ['base', '^src/(errors|paths|rng)\\.ts$'],
];

const layerRules = LAYERS.slice(1).map(([name, path], i) => ({
  name: `layer: ${name}`,
  comment: `${name} imports only from its own layer and those below it (.dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(0, i + 1).map(([, above]) => above) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'roles-drive-no-pool',
      comment: 'a role step sees the pool only through its ops table (src/roles/pool.ts), never the model or the kernel pool',
      severity: 'error',
      from: { path: '^src/roles/' },
      to: { path: '^src/(model|zsmalloc|pools)/' },
    },
    {
      name: 'no-circular',
      comment: 'no import circles, of types or of values',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'every relative import resolves to a file',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^node:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
