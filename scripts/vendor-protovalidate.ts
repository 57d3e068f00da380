/**
 * Rebuilds `proto/buf/validate/validate.proto` from the file descriptor embedded in
 * `@bufbuild/protovalidate`, because the Buf Schema Registry is not reachable from our
 * machines and npm ships no `.proto` source for it.
 *
 * The printed file is structurally identical (messages, fields, numbers, types, labels,
 * oneofs, extensions), which is all `buf` needs to compile our `(buf.validate.field)`
 * annotations. The CEL `(buf.validate.predefined)` options are left out: the validator
 * evaluates rules with its own embedded copy of the descriptor, never with this file.
 *
 * Run: `node --import tsx scripts/vendor-protovalidate.ts` (the test suite checks drift).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isFieldSet } from "@bufbuild/protobuf";
import {
  FieldDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

const scalarNames: Partial<Record<Type, string>> = {
  [Type.DOUBLE]: "double",
  [Type.FLOAT]: "float",
  [Type.INT64]: "int64",
  [Type.UINT64]: "uint64",
  [Type.INT32]: "int32",
  [Type.FIXED64]: "fixed64",
  [Type.FIXED32]: "fixed32",
  [Type.BOOL]: "bool",
  [Type.STRING]: "string",
  [Type.BYTES]: "bytes",
  [Type.UINT32]: "uint32",
  [Type.SFIXED32]: "sfixed32",
  [Type.SFIXED64]: "sfixed64",
  [Type.SINT32]: "sint32",
  [Type.SINT64]: "sint64",
};

function typeName(field: FieldDescriptorProto): string {
  return scalarNames[field.type] ?? field.typeName;
}

function fieldLine(field: FieldDescriptorProto, mapEntries: Map<string, DescriptorProto>, inOneof: boolean): string {
  const entry = field.type === Type.MESSAGE ? mapEntries.get(field.typeName) : undefined;
  if (entry) {
    const [key, value] = entry.field;
    return `map<${typeName(key!)}, ${typeName(value!)}> ${field.name} = ${field.number};`;
  }
  const label = inOneof ? "" : field.label === Label.REPEATED ? "repeated " : field.label === Label.REQUIRED ? "required " : "optional ";
  const options: string[] = [];
  if (field.defaultValue !== "" && field.defaultValue !== undefined) {
    options.push(`default = ${field.type === Type.STRING ? JSON.stringify(field.defaultValue) : field.defaultValue}`);
  }
  if (field.options?.deprecated) options.push("deprecated = true");
  const suffix = options.length > 0 ? ` [${options.join(", ")}]` : "";
  return `${label}${typeName(field)} ${field.name} = ${field.number}${suffix};`;
}

function printEnum(e: EnumDescriptorProto, indent: string): string[] {
  const lines = [`${indent}enum ${e.name} {`];
  for (const v of e.value) lines.push(`${indent}  ${v.name} = ${v.number};`);
  for (const r of e.reservedRange) lines.push(`${indent}  reserved ${r.start} to ${r.end};`);
  lines.push(`${indent}}`);
  return lines;
}

function printExtensions(fields: FieldDescriptorProto[], indent: string): string[] {
  const lines: string[] = [];
  for (const extendee of new Set(fields.map((f) => f.extendee))) {
    const group = fields.filter((f) => f.extendee === extendee);
    lines.push(`${indent}extend ${extendee} {`);
    for (const f of group) lines.push(`${indent}  ${fieldLine(f, new Map(), false)}`);
    lines.push(`${indent}}`);
  }
  return lines;
}

function printMessage(m: DescriptorProto, scope: string, indent: string): string[] {
  const fullName = `${scope}.${m.name}`;
  const mapEntries = new Map(
    m.nestedType.filter((n) => n.options?.mapEntry).map((n) => [`${fullName}.${n.name}`, n] as const),
  );
  const oneofOf = (f: FieldDescriptorProto) =>
    isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) ? f.oneofIndex : undefined;
  const lines = [`${indent}message ${m.name} {`];
  const inner = `${indent}  `;
  for (const field of m.field) {
    const oneof = oneofOf(field);
    if (oneof !== undefined && m.field.find((f) => oneofOf(f) === oneof) === field) {
      lines.push(`${inner}oneof ${m.oneofDecl[oneof]!.name} {`);
      for (const member of m.field.filter((f) => oneofOf(f) === oneof)) {
        lines.push(`${inner}  ${fieldLine(member, mapEntries, true)}`);
      }
      lines.push(`${inner}}`);
    } else if (oneof === undefined) {
      lines.push(`${inner}${fieldLine(field, mapEntries, false)}`);
    }
  }
  for (const nested of m.nestedType.filter((n) => !n.options?.mapEntry)) lines.push(...printMessage(nested, fullName, inner));
  for (const e of m.enumType) lines.push(...printEnum(e, inner));
  lines.push(...printExtensions(m.extension, inner));
  for (const r of m.extensionRange) lines.push(`${inner}extensions ${r.start} to ${r.end >= 536870912 ? "max" : r.end - 1};`);
  for (const r of m.reservedRange) lines.push(`${inner}reserved ${r.start} to ${r.end - 1};`);
  if (m.reservedName.length > 0) lines.push(`${inner}reserved ${m.reservedName.map((n) => JSON.stringify(n)).join(", ")};`);
  lines.push(`${indent}}`);
  return lines;
}

/** Prints a proto2 file descriptor as `.proto` source, without custom options. */
export function protoSourceFromDescriptor(file: FileDescriptorProto, origin: string): string {
  if (file.syntax !== "" && file.syntax !== "proto2") throw new Error(`unsupported syntax "${file.syntax}"`);
  const lines = [
    `// Code generated by scripts/vendor-protovalidate.ts from ${origin}. DO NOT EDIT.`,
    "// Structure only: the CEL (buf.validate.predefined) options are omitted; the validator",
    "// evaluates rules with its own embedded descriptor. Licence: Apache-2.0, Buf Technologies, Inc.",
    'syntax = "proto2";',
    "",
    `package ${file.package};`,
    "",
    ...file.dependency.map((d) => `import "${d}";`),
    "",
  ];
  for (const m of file.messageType) lines.push(...printMessage(m, `.${file.package}`, ""), "");
  for (const e of file.enumType) lines.push(...printEnum(e, ""), "");
  lines.push(...printExtensions(file.extension, ""));
  return lines.join("\n") + "\n";
}

export const vendoredProtovalidatePath = fileURLToPath(new URL("../proto/buf/validate/validate.proto", import.meta.url));

export function vendoredProtovalidateSource(): string {
  return protoSourceFromDescriptor(file_buf_validate_validate.proto, "@bufbuild/protovalidate@1.3.0");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(vendoredProtovalidatePath, vendoredProtovalidateSource());
}
