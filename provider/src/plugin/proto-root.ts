/**
 * The protobuf descriptor of the services this plugin serves. The build parses
 * proto/*.proto once and embeds the result as JSON, so start-up parses no .proto text.
 */
import { Root, type INamespace } from 'protobufjs/light';

declare const __PROTO_DESCRIPTOR__: INamespace | undefined;

export function protoRoot(): Root {
  if (typeof __PROTO_DESCRIPTOR__ === 'undefined') throw new Error('the protobuf descriptor is embedded by the build: run npm run build and use dist/provider.js');
  return Root.fromJSON(__PROTO_DESCRIPTOR__);
}
