import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sqlAttributesFromText } from "./sql-attributes-from-text.js";

describe("sqlAttributesFromText", () => {
  it("should keep placeholders, names and casts and name the first keyword", () => {
    assert.deepEqual(sqlAttributesFromText("  select t1.id, $1::int4 from t1 where id = $2"), {
      "db.query.text": "select t1.id, $1::int4 from t1 where id = $2",
      "db.operation.name": "SELECT",
      "db.operation": "SELECT",
    });
  });

  it("should replace every kind of literal with ?", () => {
    const text = sqlAttributesFromText(
      "update \"user's\" set email = 'a''b@c.d', bio = E'it\\'s', n = 42, x = 1.5e3, body = $tag$secret$tag$ where id = 7 -- keep 'comment'",
    )["db.query.text"];
    assert.equal(text, "update \"user's\" set email = ?, bio = ?, n = ?, x = ?, body = ? where id = ? -- keep 'comment'");
  });

  it("should skip comments and parentheses to find the operation", () => {
    assert.equal(sqlAttributesFromText("/* app */ -- note\n(select 1) union (select 2)")["db.operation.name"], "SELECT");
    assert.equal(sqlAttributesFromText("with x as (select 1) insert into t select * from x")["db.operation"], "WITH");
    assert.equal(sqlAttributesFromText("  ")["db.operation.name"], undefined);
  });
});
