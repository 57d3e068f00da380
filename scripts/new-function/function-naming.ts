/** Every name the scaffold derives from a function's name, so templates never derive their own. */
export interface FunctionNaming {
  /** The function: DNS-1035 label, "order-history". */
  readonly name: string;
  /** For proto packages, files and SQL: "order_history". */
  readonly snake: string;
  /** For types: "OrderHistory". */
  readonly pascal: string;
  /** For values: "orderHistory". */
  readonly camel: string;
  /** The workspace package: "@kinetic/order-history". */
  readonly packageName: string;
  /** "kinetic.order_history.v1". */
  readonly protoPackage: string;
  /** "OrderHistoryService". */
  readonly service: string;
  /** The proto package's folder, from the repository root: "proto/kinetic/order_history". */
  readonly protoDir: string;
  /** The proto file, from the repository root: "proto/kinetic/order_history/v1/order_history.proto". */
  readonly protoPath: string;
  /** What TypeScript imports the generated code from: "@kinetic/contracts/kinetic/order_history/v1/order_history_pb.js". */
  readonly contractsImport: string;
  /** The function's folder, from the repository root: "functions/order-history". */
  readonly dir: string;
}

/**
 * Derives the names of a function's contract, package and code from its (validated) name.
 *
 * @example
 * functionNaming("order-history").service; // "OrderHistoryService"
 */
export function functionNaming(name: string): FunctionNaming {
  const words = name.split("-");
  const pascal = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  const snake = words.join("_");
  return {
    name,
    snake,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    packageName: `@kinetic/${name}`,
    protoPackage: `kinetic.${snake}.v1`,
    service: `${pascal}Service`,
    protoDir: `proto/kinetic/${snake}`,
    protoPath: `proto/kinetic/${snake}/v1/${snake}.proto`,
    contractsImport: `@kinetic/contracts/kinetic/${snake}/v1/${snake}_pb.js`,
    dir: `functions/${name}`,
  };
}
