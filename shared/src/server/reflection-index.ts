import { toBinary, type DescEnum, type DescExtension, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * Internal to the reflection service: every file reachable from the served services (their
 * files and imports, transitively), indexed by file name, by fully-qualified symbol and by
 * extension, so each reflection request is one map lookup.
 */
export interface ReflectionIndex {
  /** Fully-qualified names of the listed services, in the order given. */
  readonly serviceNames: readonly string[];
  /** The file named `name` (`"kinetic/echo/v1/echo.proto"`). */
  fileByName(name: string): DescFile | undefined;
  /** The file declaring a service, method, message, field, oneof, enum, enum value or extension. */
  fileContainingSymbol(symbol: string): DescFile | undefined;
  /** The extension of message `extendee` numbered `number`. */
  extension(extendee: string, number: number): DescExtension | undefined;
  /** The extension numbers known for message `typeName`; `undefined` when the message is unknown. */
  extensionNumbers(typeName: string): number[] | undefined;
  /** `file` then its transitive imports, each once, as serialized `FileDescriptorProto`s. */
  describe(file: DescFile): Uint8Array[];
}

/** Internal: builds the index once per server from the services it lists. */
export function createReflectionIndex(services: readonly DescService[]): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const messages = new Set<string>();
  const extensions = new Map<string, Map<number, DescExtension>>();
  const serialized = new Map<DescFile, Uint8Array>();

  const addExtension = (ext: DescExtension): void => {
    symbols.set(ext.typeName, ext.file);
    const byNumber = extensions.get(ext.extendee.typeName) ?? new Map<number, DescExtension>();
    if (!byNumber.has(ext.number)) byNumber.set(ext.number, ext);
    extensions.set(ext.extendee.typeName, byNumber);
  };
  const addEnum = (desc: DescEnum): void => {
    symbols.set(desc.typeName, desc.file);
    // Enum values are scoped like siblings of their enum, as in C++.
    const scope = desc.typeName.slice(0, desc.typeName.length - desc.name.length);
    for (const value of desc.values) symbols.set(scope + value.name, desc.file);
  };
  const addMessage = (desc: DescMessage): void => {
    symbols.set(desc.typeName, desc.file);
    messages.add(desc.typeName);
    for (const field of desc.fields) symbols.set(`${desc.typeName}.${field.name}`, desc.file);
    for (const oneof of desc.oneofs) symbols.set(`${desc.typeName}.${oneof.name}`, desc.file);
    // Map entries are no DescMessage in protobuf-es, yet they are symbols of the file.
    for (const entry of desc.proto.nestedType.filter((n) => n.options?.mapEntry === true)) {
      symbols.set(`${desc.typeName}.${entry.name}`, desc.file);
      for (const field of entry.field) symbols.set(`${desc.typeName}.${entry.name}.${field.name}`, desc.file);
    }
    desc.nestedMessages.forEach(addMessage);
    desc.nestedEnums.forEach(addEnum);
    desc.nestedExtensions.forEach(addExtension);
  };
  const addFile = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    for (const service of file.services) {
      symbols.set(service.typeName, file);
      for (const method of service.methods) symbols.set(`${service.typeName}.${method.name}`, file);
    }
    file.messages.forEach(addMessage);
    file.enums.forEach(addEnum);
    file.extensions.forEach(addExtension);
    file.dependencies.forEach(addFile);
  };
  for (const service of services) addFile(service.file);

  const bytesOf = (file: DescFile): Uint8Array => {
    let bytes = serialized.get(file);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      serialized.set(file, bytes);
    }
    return bytes;
  };

  return {
    serviceNames: [...new Set(services.map((s) => s.typeName))],
    fileByName: (name) => files.get(name),
    fileContainingSymbol: (symbol) => symbols.get(symbol.startsWith(".") ? symbol.slice(1) : symbol),
    extension: (extendee, number) => extensions.get(extendee)?.get(number),
    extensionNumbers(typeName) {
      if (!messages.has(typeName)) return undefined;
      return [...(extensions.get(typeName)?.keys() ?? [])].sort((a, b) => a - b);
    },
    describe(file) {
      const seen = new Map<string, DescFile>();
      const visit = (f: DescFile): void => {
        if (seen.has(f.proto.name)) return;
        seen.set(f.proto.name, f);
        f.dependencies.forEach(visit);
      };
      visit(file);
      return [...seen.values()].map(bytesOf);
    },
  };
}
