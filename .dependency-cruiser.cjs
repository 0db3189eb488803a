/**
 * The boundaries of ARCHITECTURE.md, checked on every test run:
 * - engine core/ is pure: no Node built-ins, no app/ports/adapters, no package but the audited pure @noble libraries (hashes, curves, ciphers, post-quantum);
 * - inside the engine, adapters → app → core, ports (never backwards);
 * - the engine imports no other package of ours; ui imports the engine for types only;
 * - packages reach each other only through their `exports` (a deep import does not resolve);
 * - no cycles anywhere.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'not-to-unresolvable',
      comment: 'A deep import into another package (not in its exports) fails to resolve and lands here.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'core-has-no-node',
      severity: 'error',
      from: { path: '^packages/engine/src/core/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-is-innermost',
      severity: 'error',
      from: { path: '^packages/engine/src/core/' },
      to: { path: '^packages/engine/src/(app|ports|adapters|testing)/' },
    },
    {
      name: 'core-uses-only-pure-libraries',
      severity: 'error',
      from: { path: '^packages/engine/src/core/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'], pathNot: '^node_modules/@noble/' },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: '^packages/engine/src/ports/' },
      to: { path: '^packages/engine/src/(app|adapters)/' },
    },
    {
      name: 'app-does-not-know-adapters',
      severity: 'error',
      from: { path: '^packages/engine/src/app/', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/engine/src/adapters/' },
    },
    {
      name: 'engine-imports-no-other-package-of-ours',
      severity: 'error',
      from: { path: '^packages/engine/' },
      to: { path: '^(packages/(protocols|ui)|apps)/' },
    },
    {
      name: 'packages-meet-only-through-exports',
      comment: 'A relative import that leaves its own package bypasses the other package\'s exports.',
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased-workspace'], path: '^(packages|apps)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'ui-uses-engine-types-only',
      severity: 'error',
      from: { path: '^packages/ui/' },
      to: { path: '^packages/engine/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'protocols-use-engine-core-types-only',
      severity: 'error',
      from: { path: '^packages/protocols/' },
      to: { path: '^packages/(ui|protocols/../ui)|^apps/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
