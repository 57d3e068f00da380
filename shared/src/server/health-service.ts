import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { Health, HealthCheckResponse_ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import type { HealthState } from "./health-state.js";

/**
 * Implements `grpc.health.v1.Health` over a `HealthState`, following gRPC's health-checking
 * protocol, so Kubernetes gRPC probes, Envoy and `grpc-health-probe` understand the server.
 *
 * - `Check`: the status; a service never set is `NOT_FOUND`.
 * - `Watch`: the status now, then each change; a service never set reads `SERVICE_UNKNOWN` and
 *   the stream stays open until it becomes known or the client goes away.
 * - `List`: every known service and its status.
 *
 * @example
 * const health = new HealthState();
 * router.service(Health, createHealthService(health));
 */
export function createHealthService(state: HealthState): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = state.get(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return { status };
    },
    async *watch(request, context) {
      for await (const status of state.watch(request.service, context.signal)) yield { status };
    },
    list() {
      const statuses: Record<string, { status: HealthCheckResponse_ServingStatus }> = {};
      for (const [service, status] of state.entries()) statuses[service] = { status };
      return { statuses };
    },
  };
}
