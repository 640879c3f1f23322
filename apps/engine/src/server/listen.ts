import type { Server } from "node:http";
import { StartupError } from "../cli/usage-error.js";

/** Binds the server; a port in use or a bad address is a StartupError saying so (exit 1). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(
          new StartupError(
            `port ${port} on ${host} is already in use: stop what holds it, or pass --port / PORT`,
          ),
        );
      } else if (error.code === "EACCES") {
        reject(
          new StartupError(`not allowed to listen on ${host}:${port} (ports below 1024 need privileges)`),
        );
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        reject(new StartupError(`cannot listen on ${host}: no such address on this machine (--host / HOST)`));
      } else {
        reject(new StartupError(`cannot listen on ${host}:${port}: ${error.message}`));
      }
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
