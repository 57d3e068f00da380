import assert from "node:assert/strict";
import { Code, ConnectError } from "@connectrpc/connect";

/** An `assert.rejects` validator: the error is a ConnectError with `code` and a message matching `pattern`. */
export function rejectsWith(code: Code, pattern: RegExp) {
  return (err: unknown) => {
    const e = ConnectError.from(err);
    assert.equal(Code[e.code], Code[code], e.message);
    assert.match(e.rawMessage, pattern);
    return true;
  };
}
