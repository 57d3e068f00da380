import type { DescService } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { createClientFactory, type ClientFactory } from "./client-factory.js";

let shared: ClientFactory | undefined;

/**
 * A typed client of the function serving `service`, for code that is not itself a function
 * (scripts, tests, jobs); functions use `ctx.client(service)`, which also names them as the
 * caller. Clients share one process-wide factory: connections, breakers and retry budgets.
 *
 * @example
 * const identity = createClient(IdentityService);
 * const { user } = await identity.getUser({ id });
 */
export function createClient<S extends DescService>(service: S): Client<S> {
  shared ??= createClientFactory();
  return shared.client(service);
}
