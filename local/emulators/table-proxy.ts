// A proxy in front of a DynamoDB-compatible endpoint, on 127.0.0.1, switched between a healthy table and its bad
// minutes: connections that hang, connections refused, and throttling answered as DynamoDB answers it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html:
// HTTP 400, the error type in "__type", retried by the SDKs as throttling).
import * as http from "node:http";
import type { Socket } from "node:net";
import { LOOPBACK } from "./servers";

// The runner puts it between the function and the table (npm run local's console and --fault switch it); the
// outage tests put it in front of a dynalite of their own.

/** What the proxy does with the function's requests: pass them on, or one of the table's bad minutes. */
export const PROXY_MODES = ["pass", "hang", "refuse", "throttle"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** The modes for people: what the function sees in each. */
export const PROXY_MODE_DESCRIPTIONS: Readonly<Record<ProxyMode, string>> = {
    pass: "healthy: every request reaches the table",
    hang: "hanging: connections are accepted and never answered",
    refuse: "refusing: connections are refused",
    throttle: "throttling: every request is answered ProvisionedThroughputExceededException",
};

/** The mode named `value`, or an error that lists the allowed ones. */
export function proxyMode(value: string, name: string): ProxyMode {
    if ((PROXY_MODES as readonly string[]).includes(value)) return value as ProxyMode;
    throw new Error(`${name} is "${value}"; allowed: ${PROXY_MODES.join(", ")}`);
}

export interface TableProxy {
    /** http://127.0.0.1:PORT, the same whatever the mode. */
    readonly endpoint: string;
    readonly mode: ProxyMode;
    /** When the proxy entered its mode (epoch ms): its start, or the last setMode that changed it. */
    readonly since: number;
    /** Requests answered with a throttling error, and requests left hanging, so far. */
    readonly counts: { readonly throttled: number; readonly hung: number; readonly forwarded: number };
    setMode(mode: ProxyMode): Promise<void>;
    stop(): Promise<void>;
}

const THROTTLED = JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
});

export async function startTableProxy(target: string): Promise<TableProxy> {
    const upstream = new URL(target);
    const agent = new http.Agent({ keepAlive: true });
    const sockets = new Set<Socket>();
    const hanging = new Set<http.ServerResponse>();
    const counts = { throttled: 0, hung: 0, forwarded: 0 };
    let mode: ProxyMode = "pass";
    let since = Date.now();

    const server = http.createServer((request, response) => {
        if (mode === "hang") {
            counts.hung++;
            hanging.add(response);
            response.on("close", () => hanging.delete(response));
            request.resume();
            return;
        }
        if (mode === "throttle") {
            counts.throttled++;
            request.resume();
            request.on("end", () => {
                response.writeHead(400, { "Content-Type": "application/x-amz-json-1.0", "Content-Length": Buffer.byteLength(THROTTLED) });
                response.end(THROTTLED);
            });
            return;
        }
        counts.forwarded++;
        const forward = http.request(
            { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent },
            (answer) => {
                response.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(response);
            },
        );
        forward.on("error", () => response.destroy());
        request.pipe(forward);
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });

    const listen = (port: number) =>
        new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, LOOPBACK, () => {
                server.off("error", reject);
                resolve();
            });
        });
    const dropConnections = () => {
        for (const response of hanging) response.destroy();
        hanging.clear();
        for (const socket of sockets) socket.destroy();
    };

    await listen(0);
    const port = (server.address() as { port: number }).port;
    return {
        endpoint: `http://${LOOPBACK}:${port}`,
        get mode() {
            return mode;
        },
        get since() {
            return since;
        },
        counts,
        async setMode(next) {
            if (next === mode) return;
            const wasDown = mode === "refuse";
            // Leaving a hang or entering a refusal drops every connection: clients see errors, not stale sockets.
            if (mode === "hang" || next === "refuse") dropConnections();
            mode = next;
            since = Date.now();
            if (next === "refuse") await new Promise<void>((resolve) => server.close(() => resolve()));
            else if (wasDown) await listen(port);
        },
        async stop() {
            dropConnections();
            agent.destroy();
            if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
