import type { FunctionNaming } from "../function-naming.js";

/**
 * The function's contract: one service with one unary RPC whose request carries protovalidate
 * rules, laid out as `buf format` writes it and named as `buf lint` (STANDARD) wants.
 */
export function protoFile(n: FunctionNaming, description: string): string {
  return `syntax = "proto3";

package ${n.protoPackage};

import "buf/validate/validate.proto";

// ${n.service} is the contract of the ${n.name} function: ${description}.
service ${n.service} {
  // SayHello greets a name and counts how often that name has been greeted.
  rpc SayHello(SayHelloRequest) returns (SayHelloResponse);
}

message SayHelloRequest {
  // Who to greet: 1 to 100 characters.
  string name = 1 [(buf.validate.field).string = {
    min_len: 1
    max_len: 100
  }];
}

message SayHelloResponse {
  // "Hello, <name>!"
  string message = 1;
  // How many times this name has been greeted, this time included.
  int32 count = 2;
}
`;
}
