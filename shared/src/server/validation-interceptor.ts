import type { DescMessage } from "@bufbuild/protobuf";
import { createValidator, violationsToProto, type Validator } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Enforces the `buf.validate` rules declared in the contracts on every request message, unary
 * and streamed. A violation is `invalid_argument` whose message names each field and rule
 * (`email: value must be a valid email address [string.email]`), with the violations attached
 * as a `buf.validate.Violations` error detail for clients that want them structured.
 */
export function createValidationInterceptor(validator: Validator = createValidator()): Interceptor {
  const check = <T extends DescMessage>(schema: T, message: unknown) => {
    const result = validator.validate(schema, message as never);
    if (result.kind === "valid") return;
    if (result.kind === "invalid") {
      const [violations, schemaOfViolations] = violationsToProto(result.violations);
      throw new ConnectError(
        `invalid ${schema.name}: ${result.violations.map((v) => v.toString()).join("; ")}`,
        Code.InvalidArgument,
        undefined,
        [{ desc: schemaOfViolations, value: violations }],
      );
    }
    throw new ConnectError(`validation rules of ${schema.typeName} could not be evaluated: ${result.error.message}`, Code.Internal);
  };
  return (next) =>
    // Not an async function: a unary call then costs no promise of its own here.
    function validateRequest(req) {
      if (!req.stream) {
        try {
          check(req.method.input, req.message);
        } catch (err) {
          return Promise.reject(err);
        }
        return next(req);
      }
      const messages = req.message;
      const input = req.method.input;
      return next({
        ...req,
        message: (async function* validateEach() {
          for await (const message of messages) {
            check(input, message);
            yield message;
          }
        })(),
      });
    };
}
