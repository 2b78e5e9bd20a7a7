// dynalite (the DynamoDB API, in memory) on a loopback address. Used by the local pipeline and by tests.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import dynalite from "dynalite";

/** An emulator listening on 127.0.0.1. */
export interface LocalServer {
    /** http://127.0.0.1:PORT */
    readonly endpoint: string;
    readonly port: number;
    close(): Promise<void>;
}

/** The only address an emulator binds to: nothing here is reachable from another machine. */
export const LOOPBACK = "127.0.0.1";

/** Starts dynalite on 127.0.0.1:`port` (0 picks a free port). Rejects with a clear error when the port is taken. */
export async function startDynalite(port: number): Promise<LocalServer> {
    const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    return listen(server, port, "dynalite (DynamoDB)");
}

/** Listens on loopback and wraps the server; a taken port becomes an error that names the port and its flag. */
export function listen(server: Server, port: number, what: string): Promise<LocalServer> {
    return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
            reject(
                error.code === "EADDRINUSE"
                    ? new Error(`${what}: port ${port} on ${LOOPBACK} is already in use; stop what holds it or choose another port`)
                    : error,
            );
        };
        server.once("error", onError);
        server.listen(port, LOOPBACK, () => {
            server.off("error", onError);
            const actual = (server.address() as AddressInfo).port;
            resolve({
                endpoint: `http://${LOOPBACK}:${actual}`,
                port: actual,
                close: () =>
                    new Promise<void>((done) => {
                        server.closeAllConnections?.();
                        server.close(() => done());
                    }),
            });
        });
    });
}
