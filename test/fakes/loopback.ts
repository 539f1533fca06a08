/** Shared plumbing of the loopback fake servers: listen on a random 127.0.0.1 port, and close with open sockets. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Start listening; resolves to the base URL (`http://127.0.0.1:<port>`). */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Close the server, dropping keep-alive connections the clients still hold. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
