/** Starts an HTTP server on a free port of 127.0.0.1, for the fake services the tests talk to. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** Closes the server; open keep-alive connections are cut so this does not wait for them. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server, beforeClose?: () => void): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        beforeClose?.();
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
