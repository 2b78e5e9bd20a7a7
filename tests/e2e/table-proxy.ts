// A proxy of the tests' own in front of a DynamoDB-compatible endpoint, on 127.0.0.1, that a test switches between
// a healthy table and its bad minutes: connections that hang, connections refused, and throttling answered as
// DynamoDB answers it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html:
// HTTP 400, the error type in "__type", retried by the SDKs as throttling).
import * as http from "node:http";
import type { Socket } from "node:net";
import { LOOPBACK } from "../../local/emulators/servers";

export type ProxyMode = "pass" | "hang" | "refuse" | "throttle";

export interface TableProxy {
    /** http://127.0.0.1:PORT, the same whatever the mode. */
    readonly endpoint: string;
    readonly mode: ProxyMode;
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
        counts,
        async setMode(next) {
            if (next === mode) return;
            const wasDown = mode === "refuse";
            // Leaving a hang or entering a refusal drops every connection: clients see errors, not stale sockets.
            if (mode === "hang" || next === "refuse") dropConnections();
            mode = next;
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
