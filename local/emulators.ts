// The emulators of the local pipeline, each on a loopback address only: fauxqs (SNS and SQS) and
// dynalite (DynamoDB). Used by the local runner and by the tests, on fixed or free (0) ports.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
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
    return listen(server, port, "dynalite (DynamoDB)", "--dynamodb-port");
}

/**
 * Starts fauxqs on 127.0.0.1:`port`. Its own CLI and startFauxqs listen on every interface, so the
 * server is built with buildApp and bound here. Queue URLs follow the Host header that clients use
 * (http://127.0.0.1:PORT/000000000000/NAME).
 */
export async function startFauxqs(port: number): Promise<LocalServer> {
    // fauxqs is an ES module; import() keeps this file loadable as CommonJS.
    const { buildApp } = await import("fauxqs");
    const app = buildApp({ logger: false, defaultRegion: "us-east-1" });
    await app.ready();
    return listen(app.server, port, "fauxqs (SNS and SQS)", "--sqs-port", () => app.close());
}

function listen(server: Server, port: number, what: string, flag: string, close?: () => Promise<unknown>): Promise<LocalServer> {
    return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
            reject(
                error.code === "EADDRINUSE"
                    ? new Error(`${what}: port ${port} on ${LOOPBACK} is already in use (is another npm run local running?); stop what holds it or choose another port with ${flag}`)
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
                close: async () => {
                    if (close) {
                        await close();
                        return;
                    }
                    server.closeAllConnections();
                    await new Promise<void>((done) => server.close(() => done()));
                },
            });
        });
    });
}
