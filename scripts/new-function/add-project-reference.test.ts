import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withProjectReference } from "./add-project-reference.js";

const config = `{
  // Compiles every package.
  "files": [],
  "references": [
    { "path": "proto/tsconfig.build.json" },
    { "path": "functions/identity/tsconfig.build.json" },
    { "path": "functions/auth/tsconfig.build.json" },
    { "path": "local-dev/tsconfig.build.json" }
  ]
}
`;

describe("withProjectReference", () => {
  it("should add the reference after the last function's, keeping comments and layout", () => {
    const text = withProjectReference(config, "functions/greeter/tsconfig.build.json");
    assert.equal(
      text,
      config.replace(
        '    { "path": "functions/auth/tsconfig.build.json" },\n',
        '    { "path": "functions/auth/tsconfig.build.json" },\n    { "path": "functions/greeter/tsconfig.build.json" },\n',
      ),
    );
  });

  it("should leave the text alone when the reference is there", () => {
    assert.equal(withProjectReference(config, "functions/auth/tsconfig.build.json"), config);
  });

  it("should append after the last reference when no function has one yet, moving the comma", () => {
    const text = withProjectReference('{\n  "references": [\n    { "path": "proto/tsconfig.build.json" }\n  ]\n}\n', "functions/a/tsconfig.build.json");
    assert.equal(text, '{\n  "references": [\n    { "path": "proto/tsconfig.build.json" },\n    { "path": "functions/a/tsconfig.build.json" }\n  ]\n}\n');
    assert.deepEqual(JSON.parse(text), { references: [{ path: "proto/tsconfig.build.json" }, { path: "functions/a/tsconfig.build.json" }] });
  });
});
