import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { UserSchema, type User } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import type { Sql, TransactionSql } from "postgres";

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  create_time: Date;
  update_time: Date;
}

/** A user row with its password hash, which never leaves this function. */
export interface UserWithHash {
  user: User;
  passwordHash: string;
}

/** The SQL of the identity schema: one place for every query on `users`. */
export interface UserStore {
  insert(row: { id: string; email: string; displayName: string; passwordHash: string }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  getWithHashByEmail(email: string): Promise<UserWithHash | undefined>;
  /** Users with id greater than `after`, in id order. */
  list(after: string | undefined, limit: number): Promise<User[]>;
  update(id: string, changes: { email?: string; displayName?: string }): Promise<User | undefined>;
  delete(id: string): Promise<boolean>;
}

const columns = ["id", "email", "display_name", "create_time", "update_time"] as const;

function userFromRow(row: UserRow): User {
  return create(UserSchema, {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    createTime: timestampFromDate(row.create_time),
    updateTime: timestampFromDate(row.update_time),
  });
}

/** The store over a pool, or over one transaction (`sql.begin((tx) => createUserStore(tx)…)`). */
export function createUserStore(sql: Sql | TransactionSql): UserStore {
  return {
    async insert({ id, email, displayName, passwordHash }) {
      const [row] = await sql<UserRow[]>`
        insert into users (id, email, display_name, password_hash)
        values (${id}, ${email}, ${displayName}, ${passwordHash})
        returning ${sql(columns)}`;
      return userFromRow(row!);
    },
    async get(id) {
      const [row] = await sql<UserRow[]>`select ${sql(columns)} from users where id = ${id}`;
      return row && userFromRow(row);
    },
    async getWithHashByEmail(email) {
      const [row] = await sql<(UserRow & { password_hash: string })[]>`
        select ${sql(columns)}, password_hash from users where email = ${email}`;
      return row && { user: userFromRow(row), passwordHash: row.password_hash };
    },
    async list(after, limit) {
      const rows = await sql<UserRow[]>`
        select ${sql(columns)} from users
        ${after === undefined ? sql`` : sql`where id > ${after}`}
        order by id
        limit ${limit}`;
      return rows.map(userFromRow);
    },
    async update(id, { email, displayName }) {
      const [row] = await sql<UserRow[]>`
        update users set
          email = coalesce(${email ?? null}, email),
          display_name = coalesce(${displayName ?? null}, display_name),
          update_time = now()
        where id = ${id}
        returning ${sql(columns)}`;
      return row && userFromRow(row);
    },
    async delete(id) {
      const result = await sql`delete from users where id = ${id}`;
      return result.count > 0;
    },
  };
}
