/**
 * Bad input to `npm run new`: a name or option the scaffold refuses. The CLI prints the message
 * and exits with code 2, before anything is written.
 */
export class UsageError extends Error {
  override name = "UsageError";
}
