/**
 * What go-plugin expects of every plugin besides its own service: a controller whose Shutdown
 * makes the plugin exit, a stdio stream, a broker stream, and gRPC health for "plugin".
 */
import type { ServerDuplexStream, ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';

const SERVING = 1;

export interface GoPluginServices {
  readonly controller: UntypedServiceImplementation;
  readonly stdio: UntypedServiceImplementation;
  readonly broker: UntypedServiceImplementation;
  readonly health: UntypedServiceImplementation;
  /** Ends the streams Terraform holds open, so the server can close. */
  endStreams(): void;
}

export function goPluginServices(onShutdown: () => void): GoPluginServices {
  const open = new Set<{ end(): void }>();
  return {
    controller: {
      Shutdown: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
        callback(null, {});
        onShutdown();
      },
    },
    // Logs go to stderr, which go-plugin reads itself; the stream only stays open.
    stdio: {
      StreamStdio: (call: ServerWritableStream<object, object>) => {
        open.add(call);
        call.on('cancelled', () => open.delete(call));
      },
    },
    // No extra connections are ever brokered: read and ignore.
    broker: {
      StartStream: (call: ServerDuplexStream<object, object>) => {
        open.add(call);
        call.on('data', () => undefined);
        call.on('end', () => {
          open.delete(call);
          call.end();
        });
        call.on('error', () => open.delete(call));
      },
    },
    health: {
      Check: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => callback(null, { status: SERVING }),
    },
    endStreams: () => {
      for (const call of open) call.end();
      open.clear();
    },
  };
}
