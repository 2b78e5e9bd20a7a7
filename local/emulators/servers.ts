// The emulators of the local pipeline, each on a loopback address only: fauxqs (SNS and SQS) and
// dynalite (DynamoDB). Used by the local runner and by the tests, on fixed or free (0) ports.
import * as fs from "node:fs";
import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import dynalite from "dynalite";
import { packageDirectory } from "../../infra/repository";

/** An emulator listening on 127.0.0.1. */
export interface LocalServer {
    /** http://127.0.0.1:PORT */
    readonly endpoint: string;
    readonly port: number;
    /** Stops listening and drops every connection, keeping the data: the emulator is unreachable until resume. */
    suspend(): Promise<void>;
    /** Listens again on the same port. */
    resume(): Promise<void>;
    /** Holds every request this long before the emulator sees it (0, the default, for none): a slow dependency. */
    setLatency(ms: number): void;
    close(): Promise<void>;
}

/** The only address an emulator binds to: nothing here is reachable from another machine. */
export const LOOPBACK = "127.0.0.1";

/**
 * Starts dynalite on 127.0.0.1:`port` (0 picks a free port; a port taken is a clear error): in memory, or with
 * `directory` its LevelDB there (npm run local -- --persist), closed on close so that the next run finds every item.
 */
export async function startDynalite(port: number, directory?: string): Promise<LocalServer> {
    if (directory) fs.mkdirSync(directory, { recursive: true });
    const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(directory ? { path: directory } : {}) });
    // dynalite's own close stops the server, then closes its LevelDB; it must run while the server still listens.
    const closeDatabase = directory
        ? () => {
              const closed = new Promise<void>((resolve) => server.close(() => resolve()));
              server.closeAllConnections();
              return closed;
          }
        : undefined;
    return listen(server, port, "dynalite (DynamoDB)", "--dynamodb-port", undefined, closeDatabase);
}

/** A message as fauxqs reports it: published on a topic, enqueued, deleted (consumed) or moved to a dead-letter queue. */
export type MessageEvent = import("fauxqs").SqsSpyMessage | import("fauxqs").SnsSpyMessage;

/**
 * Starts fauxqs on 127.0.0.1:`port`. Its own CLI and startFauxqs listen on every interface, so the
 * server is built with buildApp and bound here. Queue URLs follow the Host header that clients use
 * (http://127.0.0.1:PORT/000000000000/NAME).
 *
 * `onMessage`, when given, hears every message event as fauxqs' message spy records it (its README, "Message spy"):
 * the console's counts and each order's story. buildApp takes the stores but not the spy option, so the stores are
 * built here and given a spy that forwards each event instead of buffering it; without `onMessage` nothing is
 * observed and nothing is added to the message flow.
 */
export async function startFauxqs(port: number, onMessage?: (event: MessageEvent) => void): Promise<LocalServer> {
    // fauxqs is an ES module; import() keeps this file loadable as CommonJS.
    const { buildApp } = await import("fauxqs");
    const app = buildApp({ logger: false, defaultRegion: "us-east-1", ...(onMessage ? { stores: await observedStores(onMessage) } : {}) });
    await app.ready();
    return listen(app.server, port, "fauxqs (SNS and SQS)", "--sqs-port", () => app.close());
}

/**
 * fauxqs' three stores, each with a spy that hands every event to `onMessage`. The stores are not in the package's
 * exports, so they are loaded from its files (fauxqs is pinned; tests/e2e/console.test.ts sees the events arrive).
 */
async function observedStores(onMessage: (event: MessageEvent) => void) {
    const dist = path.join(packageDirectory("fauxqs"), "dist");
    const load = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(dist, file)).href) as Promise<T>;
    type Store = new () => { spy?: unknown };
    const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
        load<{ SqsStore: Store }>("sqs/sqsStore.js"),
        load<{ SnsStore: Store }>("sns/snsStore.js"),
        load<{ S3Store: Store }>("s3/s3Store.js"),
    ]);
    const spy = {
        addMessage(event: MessageEvent | { service: "s3" }) {
            if (event.service !== "s3") onMessage(event);
        },
    };
    const stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
    for (const store of Object.values(stores)) store.spy = spy;
    return stores as unknown as NonNullable<import("fauxqs").BuildAppOptions["stores"]>;
}

/**
 * Listens on 127.0.0.1:`port`. `close` runs after the server stops listening; `closeServer`, when given, stops it
 * instead (an emulator whose own close must see it still listening).
 */
function listen(server: Server, port: number, what: string, flag: string, close?: () => Promise<unknown>, closeServer?: () => Promise<void>): Promise<LocalServer> {
    // Latency is injected in front of the emulator's own request handlers.
    let latencyMs = 0;
    const handlers = server.listeners("request") as Array<(...args: unknown[]) => void>;
    server.removeAllListeners("request");
    server.on("request", (...args: unknown[]) => {
        const pass = () => {
            for (const handler of handlers) handler.apply(server, args);
        };
        if (latencyMs > 0) setTimeout(pass, latencyMs);
        else pass();
    });
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
            // Server.prototype's own close and listen: dynalite wraps the instance's to drop its data on close.
            const stopListening = async () => {
                if (!server.listening) return;
                const closed = new Promise<void>((done) => Server.prototype.close.call(server, () => done()));
                server.closeAllConnections();
                await closed;
            };
            resolve({
                endpoint: `http://${LOOPBACK}:${actual}`,
                port: actual,
                suspend: stopListening,
                setLatency: (ms) => {
                    latencyMs = ms;
                },
                resume: () => new Promise<void>((done, fail) => {
                    server.once("error", fail);
                    const listenOnce = Server.prototype.listen as (port: number, host: string, done: () => void) => Server;
                    listenOnce.call(server, actual, LOOPBACK, () => {
                        server.off("error", fail);
                        done();
                    });
                }),
                close: async () => {
                    if (closeServer && server.listening) await closeServer();
                    await stopListening();
                    // fastify's own close also runs its hooks; the server is closed already, which it may report.
                    await close?.().catch(() => undefined);
                },
            });
        });
    });
}
