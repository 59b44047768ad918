/** A @grpc/grpc-js service definition from protobuf reflection: plain objects in and out. */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { Root, Type } from 'protobufjs/light';

const DECODE_OPTIONS = { longs: Number, enums: Number, defaults: false, arrays: true, objects: true, oneofs: false };

export function serviceDefinition(root: Root, serviceName: string): ServiceDefinition {
  const service = root.lookupService(serviceName);
  const definition: Record<string, MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const request = method.resolvedRequestType as Type;
    const response = method.resolvedResponseType as Type;
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: method.requestStream ?? false,
      responseStream: method.responseStream ?? false,
      requestSerialize: (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
      requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes), DECODE_OPTIONS),
      responseSerialize: (value: object) => Buffer.from(response.encode(response.fromObject(value)).finish()),
      responseDeserialize: (bytes: Buffer) => response.toObject(response.decode(bytes), DECODE_OPTIONS),
    };
  }
  return definition;
}
