import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { functionOfHost, routeRequest, type RoutingTable } from "./route-request.js";

const table: RoutingTable = {
  functions: new Set(["identity", "echo", "echo-two"]),
  owners: new Map([
    ["kinetic.identity.v1.IdentityService", ["identity"]],
    ["kinetic.echo.v1.EchoService", ["echo", "echo-two"]],
  ]),
};

describe("routeRequest", () => {
  it("should read a function from the Host forms a cluster and a laptop use, on any port and namespace", () => {
    for (const host of ["identity.localhost", "identity.localhost:8080", "identity.team", "identity.team.svc", "identity.team.svc:80", "identity.default.svc.cluster.local", "IDENTITY.default.svc.cluster.local."]) {
      assert.equal(functionOfHost(host, table.functions), "identity", host);
    }
    for (const host of [undefined, "127.0.0.1:8080", "localhost", "identity", "identity.a.b", "identity.team.svc.cluster", "nobody.localhost"]) {
      assert.equal(functionOfHost(host, table.functions), undefined, String(host));
    }
  });

  it("should route by Host first, then by the RPC path's service, then to the activator's own pages", () => {
    assert.deepEqual(routeRequest("identity.localhost", "GET", "/", table), { kind: "function", fn: "identity" });
    assert.deepEqual(routeRequest("127.0.0.1", "POST", "/kinetic.identity.v1.IdentityService/GetUser", table), { kind: "function", fn: "identity" });
    assert.deepEqual(routeRequest("nobody.localhost", "POST", "/kinetic.identity.v1.IdentityService/GetUser?x=1", table), { kind: "function", fn: "identity" });
    assert.deepEqual(routeRequest(undefined, "GET", "/?refresh=1", table), { kind: "dashboard" });
    assert.deepEqual(routeRequest(undefined, "GET", "/_kinetic/status", table), { kind: "status" });
    assert.deepEqual(routeRequest(undefined, "POST", "/", table), { kind: "not-found" });
  });

  it("should say why a service cannot be routed by path: unknown, served by several, or by every function", () => {
    const message = (path: string) => {
      const route = routeRequest(undefined, "POST", path, table);
      assert.equal(route.kind, "no-service");
      return route.kind === "no-service" ? route.message : "";
    };
    assert.match(message("/a.v1.Nothing/Do"), /^no function serves a\.v1\.Nothing; the services here: kinetic\.identity\.v1\.IdentityService \(identity\), kinetic\.echo\.v1\.EchoService \(echo, echo-two\)$/);
    assert.match(message("/kinetic.echo.v1.EchoService/Echo"), /^kinetic\.echo\.v1\.EchoService is served by several functions \(echo, echo-two\): address one by Host/);
    assert.match(message("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"), /^every function serves grpc\.reflection\.v1\.ServerReflection: address one by Host/);
  });
});
