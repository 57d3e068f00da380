/**
 * A change made to a dependency's published code as esbuild reads it into a function bundle.
 * Each is for cold start only, keeps the dependency's behaviour, and fails the bundle as soon as
 * the dependency's code no longer holds the text it replaces (an upgrade: review the patch, keep
 * it if still useful, else delete it).
 */
export interface DependencyPatch {
  /** What the patch is for, shown in errors. */
  readonly name: string;
  /** The files it applies to, as esbuild resolves them (absolute paths). */
  readonly files: RegExp;
  /** The text it replaces: a global regular expression. */
  readonly find: RegExp;
  /** How many times `find` must match in each file; any other count fails the bundle. */
  readonly count: number;
  /** The replacement, as for `String.prototype.replace` (`$1` and so on). */
  readonly replace: string;
  /** Code appended to the file, e.g. a helper `replace` calls. Default none. */
  readonly append?: string | undefined;
}

/**
 * `@bufbuild/protovalidate` compiles the CEL expression of every standard rule of a rules
 * message (the ~60 of `StringRules`, say) the first time a request's schema uses that message,
 * whether or not the schema sets the rule and whether or not a native check already covers it.
 * That was ~50 ms of a function's first request. Here each rule plan compiles its expression on
 * first read of `compiled`, which the planner does only for a rule that is set and not native;
 * results are the same (`dependency-patch-plugin.test.ts` compares every rule of the contracts
 * with native checks off).
 */
export const lazyStandardRules: DependencyPatch = {
  name: "protovalidate: compile standard rules on first use",
  files: /[\\/]@bufbuild[\\/]protovalidate[\\/]dist[\\/](esm|cjs)[\\/]cel\.js$/,
  find: /(\w+)\.push\(\{\s*(field|ext),\s*rule,\s*compiled: this\.compileRule\(rule\),\s*\}\);/g,
  count: 2,
  replace: "$1.push(kineticLazyRulePlan(this, { $2, rule }));",
  append: [
    "function kineticLazyRulePlan(manager, plan) {",
    "  let compiled;",
    '  return Object.defineProperty(plan, "compiled", { enumerable: true, get: () => (compiled ??= manager.compileRule(plan.rule)) });',
    "}",
  ].join("\n"),
};

/** The patches `bundleFunction` applies. */
export const dependencyPatches: readonly DependencyPatch[] = [lazyStandardRules];
