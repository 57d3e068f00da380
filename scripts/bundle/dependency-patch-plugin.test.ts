import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { create, type DescField, type DescFile, type DescMessage, type Message } from "@bufbuild/protobuf";
import { createValidator, violationsToProto } from "@bufbuild/protovalidate";
import { build } from "esbuild";
import { file_kinetic_audit_v1_audit } from "@kinetic/contracts/kinetic/audit/v1/audit_pb.js";
import { file_kinetic_auth_v1_auth } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import { file_kinetic_auth_v1_events } from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import { file_kinetic_echo_v1_echo } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { file_kinetic_identity_v1_events } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { file_kinetic_identity_v1_identity } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { file_kinetic_registry_v1_registry } from "@kinetic/contracts/kinetic/registry/v1/registry_pb.js";
import { seededRandom } from "@kinetic/runtime/testing";
import { applyPatch, dependencyPatchPlugin } from "./dependency-patch-plugin.js";
import { dependencyPatches, lazyStandardRules } from "./dependency-patches.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const contracts: DescFile[] = [
  file_kinetic_audit_v1_audit,
  file_kinetic_auth_v1_auth,
  file_kinetic_auth_v1_events,
  file_kinetic_echo_v1_echo,
  file_kinetic_identity_v1_events,
  file_kinetic_identity_v1_identity,
  file_kinetic_registry_v1_registry,
];

describe("applyPatch", () => {
  for (const flavour of ["esm", "cjs"]) {
    it(`applies the lazy standard rules to the installed protovalidate (${flavour})`, () => {
      const path = join(root, `node_modules/@bufbuild/protovalidate/dist/${flavour}/cel.js`);
      assert.match(path, lazyStandardRules.files);
      const patched = applyPatch(lazyStandardRules, path, readFileSync(path, "utf8"));
      assert.doesNotMatch(patched, /compiled: this\.compileRule\(rule\)/);
      assert.equal(patched.match(/kineticLazyRulePlan\(this, \{ (field|ext), rule \}\)/g)?.length, 2);
    });
  }

  it("fails, naming the patch and the file, when the text is not there exactly as often as expected", () => {
    const text = "standard.push({ field, rule, compiled: this.compileRule(rule), });";
    assert.throws(() => applyPatch(lazyStandardRules, "/x/cel.js", text), (error: Error) => {
      assert.match(error.message, /"protovalidate: compile standard rules on first use" expects 2 match\(es\) in \/x\/cel\.js, found 1/);
      assert.match(error.message, /update or remove it/);
      return true;
    });
    assert.throws(() => applyPatch(lazyStandardRules, "/x/cel.js", ""), /found 0/);
  });
});

describe("protovalidate bundled with the dependency patches", () => {
  let out: string;
  let patched: typeof import("@bufbuild/protovalidate");

  before(async () => {
    out = mkdtempSync(join(tmpdir(), "kinetic-patches-"));
    const outfile = join(out, "protovalidate.cjs");
    const result = await build({
      stdin: { contents: `export * from "@bufbuild/protovalidate";`, resolveDir: root, loader: "ts" },
      outfile,
      bundle: true,
      platform: "node",
      format: "cjs",
      plugins: [dependencyPatchPlugin(dependencyPatches)],
      metafile: true,
      logLevel: "warning",
    });
    assert.ok(Object.keys(result.metafile.inputs).some((input) => lazyStandardRules.files.test(join(root, input))), "the bundle holds protovalidate's cel.js");
    patched = createRequire(import.meta.url)(outfile) as typeof import("@bufbuild/protovalidate");
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it("finds the same violations as the unpatched validator on every contract's messages, with native checks off and on", () => {
    const next = seededRandom(6);
    const validators = {
      reference: createValidator({ disableNativeRules: true }),
      patchedCel: patched.createValidator({ disableNativeRules: true }),
      patchedNative: patched.createValidator(),
    };
    let messages = 0;
    let violations = 0;
    for (const schema of contracts.flatMap((file) => allMessages(file.messages))) {
      for (let round = 0; round < 40; round++) {
        const message = randomMessage(schema, next, 0);
        const expected = validators.reference.validate(schema, message);
        for (const [name, validator] of [["patched, CEL only", validators.patchedCel], ["patched, native on", validators.patchedNative]] as const) {
          const actual = validator.validate(schema, message);
          const show = (r: typeof expected) => (r.kind === "invalid" ? violationsToProto(r.violations) : r.kind);
          assert.deepEqual(show(actual as typeof expected), show(expected), `${name}: ${schema.typeName} round ${round}`);
        }
        messages++;
        if (expected.kind === "invalid") violations += expected.violations.length;
      }
    }
    // The corpus has to reach the rules, or the comparison says nothing.
    assert.ok(messages > 400, `${messages} messages`);
    assert.ok(violations > 200, `only ${violations} violations in ${messages} messages`);
  });
});

/** Internal: every message of `messages`, nested ones too. */
function allMessages(messages: readonly DescMessage[]): DescMessage[] {
  return messages.flatMap((message) => [message, ...allMessages(message.nestedMessages)]);
}

const strings = ["", "a", " ", "ab", "not an email", "user@example.com", "a@b", "8f14e45f-ceea-467f-a0e6-0dc3e0a6d2f1", "https://example.com/x", "::", "x".repeat(9), "é".repeat(160), "x".repeat(400), "identity", "Ω"];
const ints = [0, 1, -1, 2, 3, 16, 17, 100, 1000, 60_000, 2_147_483_647, -2_147_483_648];

/** Internal: a message of `schema` with each field set, or not, to a value from the pools above. */
function randomMessage(schema: DescMessage, next: () => number, depth: number): Message {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const init: Record<string, unknown> = {};
  const value = (field: DescField & { fieldKind: "scalar" | "enum" | "message" | "list" | "map" }, kind: string): unknown => {
    if (kind === "message") return depth < 2 ? randomMessage((field as { message: DescMessage }).message, next, depth + 1) : undefined;
    if (kind === "enum") return pick([0, 1, 2, 99]);
    const scalar = (field as { scalar: number }).scalar;
    if (scalar === 9) return pick(strings); // string
    if (scalar === 12) return new TextEncoder().encode(pick(strings)); // bytes
    if (scalar === 8) return next() < 0.5; // bool
    if (scalar === 1 || scalar === 2) return pick(ints) / 3; // double, float
    if ([3, 4, 6, 16, 18].includes(scalar)) return BigInt(pick(ints)); // 64-bit
    if ([13, 7].includes(scalar)) return Math.abs(pick(ints)); // unsigned 32-bit
    return pick(ints);
  };
  for (const field of schema.fields) {
    if (next() < 0.3) continue;
    if (field.oneof !== undefined && Object.values(init).some((v) => (v as { case?: unknown })?.case !== undefined)) continue;
    let v: unknown;
    if (field.fieldKind === "list") v = Array.from({ length: Math.floor(next() * 3) }, () => value(field as never, field.listKind)).filter((x) => x !== undefined);
    else if (field.fieldKind === "map") v = Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, () => [pick(strings), value(field as never, field.mapKind)]).filter(([, x]) => x !== undefined));
    else v = value(field as never, field.fieldKind);
    if (v === undefined) continue;
    if (field.oneof !== undefined) init[field.oneof.localName] = { case: field.localName, value: v };
    else init[field.localName] = v;
  }
  return create(schema, init as never);
}
