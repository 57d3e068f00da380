import { Code, ConnectError } from "@connectrpc/connect";

const prefix = "users.v1:";
const uuidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** The opaque ListUsers cursor: the last id of a page. Opaque so its format may change. */
export function pageTokenFromId(id: string): string {
  return Buffer.from(prefix + id).toString("base64url");
}

/** Reads a cursor back; anything not made by `pageTokenFromId` is `invalid_argument`. */
export function idFromPageToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString();
  const id = text.slice(prefix.length);
  if (!text.startsWith(prefix) || !uuidPattern.test(id)) {
    throw new ConnectError("page_token is not a token returned by ListUsers; omit it to start from the first page", Code.InvalidArgument);
  }
  return id;
}
