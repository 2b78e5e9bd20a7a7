// The console's HTTP server, on 127.0.0.1 only: the page and its assets (every one served from here, no CDN), a
// stream of server-sent events with the pipeline's counts, log lines and metrics, and a small JSON API for what the
// page does (publish, follow an order, browse the table, the dead-letter queue, the table's faults). It answers
// only its own page: a request from another origin, or for another host name, is refused (see `refusal`).
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { GetItemCommand, type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand } from "@aws-sdk/client-sns";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { outageToleranceSeconds } from "../../infra/backoff";
import { physicalNames } from "../../infra/naming";
import { packageDirectory, repositoryRoot } from "../../infra/repository";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { LOCAL_REGION } from "../emulators/clients";
import { LOOPBACK } from "../emulators/servers";
import { PROXY_MODE_DESCRIPTIONS, type ProxyMode, proxyMode } from "../emulators/table-proxy";
import { unwrap } from "../event-source/messages";
import { deleteMessageById, moveMessages } from "../event-source/moves";
import { queueCounts } from "../event-source/queues";
import type { LocalPipeline } from "../pipeline";
import { LocalDashboard } from "./metrics";
import type { ConsoleModel } from "./model";
import { OrderContract } from "./order-contract";

export const DEFAULT_CONSOLE_PORT = 4580;

/** How often the page gets the counts and new log lines, and how often the metrics and the sampled counts. */
const PUSH_MS = 500;
const SAMPLE_MS = 2000;
/** The table is counted again at most this often while orders flow (as soon as the order queue is empty otherwise). */
const ITEM_COUNT_MS = 30_000;
/** Log lines one push carries at most: the page shows the newest 300. */
const LOG_LINES_PER_PUSH = 300;
/** The DLQ's messages one answer shows at most (the first, as fauxqs lists them), and the characters of each body. */
const DEAD_LETTERS_SHOWN = 100;
const DEAD_LETTER_CHARACTERS = 16_384;
/** Variants one "publish N variants" may send at most. */
export const MAX_VARIANTS = 1000;
/** The largest request body the API reads: an order is at most 256 KiB (the SQS limit), with room for its JSON string escapes. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ConsoleServer {
    /** http://127.0.0.1:PORT/ */
    readonly url: string;
    readonly port: number;
    /** Pages open now (their event streams). */
    readonly pages: number;
    close(): Promise<void>;
}

export interface ConsoleOptions {
    readonly pipeline: LocalPipeline;
    readonly model: ConsoleModel;
    /** 0 picks a free port. */
    readonly port: number;
    /** docs/asyncapi.yaml's text, for tests of another contract. */
    readonly contractText?: string;
}

const STATIC_DIRECTORY = path.join(__dirname, "static");

/** The files the page loads, by path: its own and uPlot's (https://github.com/leeoniya/uPlot), nothing from elsewhere. */
function assets(): Map<string, { file: string; type: string }> {
    const uplot = path.join(packageDirectory("uplot"), "dist");
    return new Map([
        ["/", { file: path.join(STATIC_DIRECTORY, "index.html"), type: "text/html; charset=utf-8" }],
        ["/console.js", { file: path.join(STATIC_DIRECTORY, "console.js"), type: "text/javascript; charset=utf-8" }],
        ["/console.css", { file: path.join(STATIC_DIRECTORY, "console.css"), type: "text/css; charset=utf-8" }],
        ["/uPlot.iife.min.js", { file: path.join(uplot, "uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" }],
        ["/uPlot.min.css", { file: path.join(uplot, "uPlot.min.css"), type: "text/css; charset=utf-8" }],
    ]);
}

/** Every response's headers: nothing loads from elsewhere, nothing frames the page, no type is guessed. */
const SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
};

/** An error the API answers with its status and message. */
class ApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

/** Bad orders from the corpus (tests/corpus/messages.json) the page offers, by name: each ends in the DLQ. */
const READY_BAD_ORDERS = ["not JSON", "orderId missing", "quantity 0", "timestamp without an offset", "orderId with a right-to-left override", "orderId given twice"];

function badOrders(): Array<{ name: string; text: string }> {
    const corpus = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "tests", "corpus", "messages.json"), "utf8")) as {
        cases: Array<{ name: string; order?: string; expect: string }>;
    };
    const invalid = corpus.cases.filter((c) => c.expect === "invalid" && typeof c.order === "string");
    const chosen = READY_BAD_ORDERS.map((name) => invalid.find((c) => c.name === name)).filter((c) => c !== undefined);
    return (chosen.length >= 3 ? chosen : invalid.slice(0, 6)).map((c) => ({ name: c.name, text: c.order! }));
}

export async function startConsole(options: ConsoleOptions): Promise<ConsoleServer> {
    const { pipeline, model } = options;
    const { clients, resources, settings } = pipeline;
    const names = physicalNames(pipeline.stack);
    const contract = new OrderContract(options.contractText);
    const dashboard = new LocalDashboard(model.metrics, names, settings, LOCAL_REGION, names.function);
    const files = assets();
    const samples = { sample: JSON.stringify(SAMPLE_ORDER, null, 2), badOrders: badOrders(), functionOnlyRules: contract.functionOnlyRules };
    // Failed records are counted from the last switch; since when the table is in its mode, the proxy knows (for
    // npm run local -- --fault, from the pipeline's start).
    const fault = { failedBefore: 0 };
    let origins: string[] = [];
    let hosts: string[] = [];

    const faultState = () => {
        const mode: ProxyMode | undefined = pipeline.tableProxy?.mode;
        return {
            available: pipeline.tableProxy !== undefined,
            mode: mode ?? "pass",
            description: PROXY_MODE_DESCRIPTIONS[mode ?? "pass"],
            since: pipeline.tableProxy?.since ?? null,
            failedSince: (model.counts().function.outcomes.Failed ?? 0) - fault.failedBefore,
            outageToleranceSeconds: outageToleranceSeconds(settings),
        };
    };
    const state = () => ({
        stack: pipeline.stack,
        names,
        settings: {
            batchSize: settings.batchSize,
            maximumConcurrency: settings.maximumConcurrency,
            maxReceiveCount: settings.maxReceiveCount,
            rawMessageDelivery: settings.rawMessageDelivery,
            functionRuntime: settings.functionRuntime,
            logLevel: settings.logLevel,
            queueVisibilityTimeoutSeconds: settings.queueVisibilityTimeoutSeconds,
        },
        counts: model.counts(),
        fault: faultState(),
        logSeq: model.lastSeq,
    });

    // The table's items, counted as the AWS console's "Get live item count" does (a Scan that counts; DescribeTable's
    // ItemCount is refreshed only every few hours on AWS, and dynalite leaves it at 0): again only after the function
    // stored something, once the order queue is empty or ITEM_COUNT_MS after the last count, so that counting does
    // not compete with a burst of orders for dynalite; and every ITEM_COUNT_MS while idle.
    let items: { count: number | null; at: number; stored: number } = { count: null, at: 0, stored: -1 };
    const itemCount = async (queueEmpty: boolean): Promise<number | null> => {
        const stored = model.counts().function.outcomes.Stored ?? 0;
        const due = Date.now() - items.at >= ITEM_COUNT_MS;
        // While orders flow: after the function stored more, every ITEM_COUNT_MS. Idle: at once after it stored more,
        // and every ITEM_COUNT_MS besides (items written or deleted from outside, with the AWS CLI, show up too).
        if (!(queueEmpty ? stored !== items.stored || due : stored !== items.stored && due)) return items.count;
        items = { ...items, at: Date.now(), stored };
        let count = 0;
        let start: Record<string, AttributeValue> | undefined;
        do {
            const page = await clients.dynamodb.send(new ScanCommand({ TableName: resources.tableName, Select: "COUNT", ExclusiveStartKey: start }));
            count += page.Count ?? 0;
            start = page.LastEvaluatedKey;
        } while (start);
        items = { ...items, count };
        return count;
    };

    // The counts the queues and the table give, every few seconds, whether or not a page is open: the metrics' history.
    let sampling = false;
    const sample = async () => {
        if (sampling) return;
        sampling = true;
        try {
            const [queue, dead] = await Promise.all([queueCounts(clients.sqs, resources.queueUrl), queueCounts(clients.sqs, resources.deadLetterQueueUrl)]);
            const table = await itemCount(queue.visible + queue.notVisible + queue.delayed === 0).catch(() => items.count);
            const environments = pipeline.environments;
            model.sample({
                visible: queue.visible,
                inFlight: queue.notVisible,
                delayed: queue.delayed,
                deadLetters: dead.visible + dead.notVisible + dead.delayed,
                items: table,
                environments: environments.pids.length,
                busy: environments.busyPids.length,
            });
        } catch {
            // The emulators are stopping, or busy: the next sample tells.
        } finally {
            sampling = false;
        }
    };
    const sampler = setInterval(() => void sample(), SAMPLE_MS);
    void sample();

    // Server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html): one stream per open page.
    const streams = new Map<http.ServerResponse, { logSeq: number }>();
    const send = (response: http.ServerResponse, event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let ticks = 0;
    const pusher = setInterval(() => {
        ticks++;
        const touched = model.takeTouched();
        if (streams.size === 0) return;
        const current = state();
        const metrics = ticks % (SAMPLE_MS / PUSH_MS) === 0 ? dashboard.view() : undefined;
        for (const [response, stream] of streams) {
            const log = model.logSince(stream.logSeq, LOG_LINES_PER_PUSH);
            stream.logSeq = model.lastSeq;
            send(response, "state", { ...current, touched, log });
            if (metrics) send(response, "metrics", metrics);
        }
    }, PUSH_MS);

    const api = async (request: http.IncomingMessage, url: URL): Promise<unknown> => {
        const route = `${request.method} ${url.pathname}`;
        switch (route) {
            case "GET /api/state":
                return state();
            case "GET /api/samples":
                return samples;
            case "GET /api/metrics":
                return dashboard.view();
            case "GET /api/log": {
                const since = url.searchParams.get("since") ?? "0";
                if (!/^\d{1,15}$/.test(since)) throw new ApiError(400, `since is ${JSON.stringify(since)}; allowed: a line's seq (a whole number), 0 for every line kept`);
                return model.logSince(Number(since), 5000);
            }
            case "GET /api/table": {
                const after = url.searchParams.get("after");
                if (after === "") throw new ApiError(400, "after: the orderId the previous page ended with (its next), or absent for the first page");
                return table(after ?? undefined);
            }
            case "GET /api/dlq":
                return deadLetters();
            case "GET /api/fault":
                return faultState();
            case "POST /api/check":
                return contract.check(requiredString(await body(request), "text"));
            case "POST /api/publish":
                return publish(await body(request));
            case "POST /api/dlq/redrive": {
                const { messageId } = await body(request);
                if (messageId !== undefined && typeof messageId !== "string") throw new ApiError(400, "messageId: a string, or absent to redrive every message");
                const moved = await moveMessages(clients.sqs, resources.deadLetterQueueUrl, resources.queueUrl, messageId);
                if (messageId !== undefined && moved === 0) throw new ApiError(404, notReceived(messageId));
                void sample();
                return { moved };
            }
            case "POST /api/dlq/delete": {
                const messageId = requiredString(await body(request), "messageId");
                if (!(await deleteMessageById(clients.sqs, resources.deadLetterQueueUrl, messageId))) {
                    throw new ApiError(404, notReceived(messageId));
                }
                void sample();
                return { deleted: messageId };
            }
            case "POST /api/fault": {
                const input = await body(request);
                if (!pipeline.tableProxy) throw new ApiError(409, "this pipeline has no proxy in front of its table (npm run local puts one there)");
                const mode = (() => {
                    try {
                        return proxyMode(requiredString(input, "mode"), "mode");
                    } catch (error) {
                        throw new ApiError(400, (error as Error).message);
                    }
                })();
                if (mode !== pipeline.tableProxy.mode) {
                    await pipeline.tableProxy.setMode(mode);
                    fault.failedBefore = model.counts().function.outcomes.Failed ?? 0;
                }
                return faultState();
            }
        }
        if (request.method === "GET" && url.pathname.startsWith("/api/orders/")) {
            let id: string;
            try {
                id = decodeURIComponent(url.pathname.slice("/api/orders/".length));
            } catch {
                throw new ApiError(400, "the order id in the path is not percent-encoded UTF-8 (encodeURIComponent)");
            }
            return order(id);
        }
        throw new ApiError(404, `no ${route}`);
    };

    const table = async (after: string | undefined) => {
        const start = after === undefined ? undefined : ({ orderId: { S: after } } satisfies Record<string, AttributeValue>);
        const page = await clients.dynamodb.send(new ScanCommand({ TableName: resources.tableName, Limit: 25, ExclusiveStartKey: start }));
        return {
            items: (page.Items ?? []).map((item) => unmarshall(item)),
            next: page.LastEvaluatedKey?.orderId?.S ?? null,
        };
    };

    const order = async (id: string) => {
        if (id === "") throw new ApiError(400, "an order id, or a message id");
        const story = model.story(id);
        const key = story?.key ?? id;
        const item = await clients.dynamodb
            .send(new GetItemCommand({ TableName: resources.tableName, Key: { orderId: { S: key } }, ConsistentRead: true }))
            .then((r) => (r.Item ? unmarshall(r.Item) : null));
        return { id, key, events: story?.events ?? [], item };
    };

    // The DLQ as fauxqs shows it without receiving (its README, "Queue inspection"): no receive count changes.
    const deadLetters = async () => {
        const answer = await fetch(`${pipeline.endpoints.sqs}/_fauxqs/queues/${encodeURIComponent(names.deadLetterQueue)}`);
        if (!answer.ok) throw new ApiError(502, `fauxqs could not show ${names.deadLetterQueue}: HTTP ${answer.status}`);
        const inspected = (await answer.json()) as {
            messages: Record<"ready" | "delayed" | "inflight", Array<Record<string, unknown> & { message?: Record<string, unknown> }>>;
        };
        const all = [...inspected.messages.ready, ...inspected.messages.delayed, ...inspected.messages.inflight.map((m) => m.message ?? {})];
        const messages = all.slice(0, DEAD_LETTERS_SHOWN).map((m) => {
            const messageId = String(m.messageId);
            const body = String(m.body ?? "");
            const order = unwrap(body);
            return {
                messageId,
                order: order.length > DEAD_LETTER_CHARACTERS ? `${order.slice(0, DEAD_LETTER_CHARACTERS)}… (${order.length} characters in all)` : order,
                orderId: orderIdOf(order) ?? null,
                receiveCount: Number(m.approximateReceiveCount ?? 0),
                sentAt: Number(m.sentTimestamp ?? 0),
                reason: model.reasonFor(messageId) ?? null,
            };
        });
        return { total: all.length, messages };
    };

    const publish = async (input: Record<string, unknown>) => {
        const text = requiredString(input, "text");
        const via = input.via ?? "topic";
        if (via !== "topic" && via !== "queue") throw new ApiError(400, `via is ${JSON.stringify(via)}; allowed: topic, queue`);
        const variants = input.variants ?? 1;
        if (!Number.isInteger(variants) || (variants as number) < 1 || (variants as number) > MAX_VARIANTS) {
            throw new ApiError(400, `variants is ${JSON.stringify(variants)}; allowed: a whole number from 1 to ${MAX_VARIANTS}`);
        }
        const verdict = contract.check(text);
        // Publishing what the contract refuses is a second, explicit step: the page sends force only after showing why.
        if (!verdict.valid && input.force !== true) return { published: [], verdict, refused: true };
        const texts = variants === 1 ? [text] : variantsOf(text, variants as number);
        const published: string[] = [];
        for (const message of texts) {
            const id =
                via === "topic"
                    ? (await clients.sns.send(new PublishCommand({ TopicArn: resources.topicArn, Message: message }))).MessageId
                    : (await clients.sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: message }))).MessageId;
            published.push(id!);
        }
        return { published, verdict, refused: false };
    };

    const server = http.createServer((request, response) => {
        const refused = refusal(request, origins, hosts);
        if (refused) {
            response.writeHead(403, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" });
            response.end(`${refused}\n`);
            return;
        }
        const url = new URL(request.url ?? "/", origins[0]);
        if (request.method === "GET" && url.pathname === "/api/events") {
            response.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "text/event-stream; charset=utf-8", Connection: "keep-alive" });
            response.write(`retry: 1000\n\n`);
            streams.set(response, { logSeq: model.lastSeq });
            send(response, "state", { ...state(), touched: [], log: model.logSince(0, LOG_LINES_PER_PUSH) });
            send(response, "metrics", dashboard.view());
            request.on("close", () => streams.delete(response));
            return;
        }
        if (url.pathname.startsWith("/api/")) {
            api(request, url).then(
                (result) => {
                    response.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8" });
                    response.end(JSON.stringify(result));
                },
                (error: unknown) => {
                    const status = error instanceof ApiError ? error.status : 500;
                    response.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8" });
                    response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
                },
            );
            return;
        }
        const asset = request.method === "GET" ? files.get(url.pathname) : undefined;
        if (!asset) {
            response.writeHead(404, { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8" });
            response.end("not found\n");
            return;
        }
        fs.readFile(asset.file, (error, content) => {
            if (error) {
                response.writeHead(500, SECURITY_HEADERS);
                response.end();
                return;
            }
            response.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": asset.type });
            response.end(content);
        });
    });

    await new Promise<void>((resolve, reject) => {
        server.once("error", (error: NodeJS.ErrnoException) =>
            reject(error.code === "EADDRINUSE" ? new Error(`the console: port ${options.port} on ${LOOPBACK} is already in use; choose another with --console-port, or --no-console`) : error),
        );
        server.listen(options.port, LOOPBACK, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    hosts = [`${LOOPBACK}:${port}`, `localhost:${port}`];
    origins = hosts.map((host) => `http://${host}`);
    return {
        url: `${origins[0]}/`,
        port,
        get pages() {
            return streams.size;
        },
        close: async () => {
            clearInterval(sampler);
            clearInterval(pusher);
            for (const response of streams.keys()) response.end();
            streams.clear();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            server.closeAllConnections();
        },
    };
}

/**
 * Why a request is refused, or undefined when the page may have sent it. The Host must be this server's (a page of
 * another site that a DNS name pointed here is not answered); a request that changes anything must be a JSON POST
 * (a cross-site form cannot send one, and a cross-site fetch of one needs a CORS preflight this server never grants)
 * whose Origin, when the client sends one (browsers always do for POST), is the page's own; a browser's
 * Sec-Fetch-Site must say same-origin (or none, typed into the address bar). curl and scripts send neither header.
 */
export function refusal(request: Pick<http.IncomingMessage, "method" | "headers">, origins: readonly string[], hosts: readonly string[]): string | undefined {
    const host = request.headers.host ?? "";
    if (!hosts.includes(host)) return `refused: the console answers requests for ${hosts.join(" or ")}, not for "${host}"`;
    const site = request.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") return `refused: a ${site} request; the console answers its own page only`;
    if (request.method === "GET") return undefined;
    if (request.method !== "POST") return `refused: ${request.method}; the console's API takes GET and POST`;
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.includes(origin)) return `refused: a request from ${origin}; the console answers its own page only`;
    const type = request.headers["content-type"] ?? "";
    if (!/^application\/json(\s*;|$)/i.test(type)) return `refused: Content-Type "${type}"; the console's API takes application/json`;
    return undefined;
}

/** Why a message of the DLQ could not be redriven or deleted: SQS hands out only what no one else holds. */
const notReceived = (messageId: string) =>
    `message ${messageId} could not be received from the dead-letter queue: redriven or deleted already, or held by another client now (received, for its visibility timeout)`;

/** A JSON object request body, read to at most MAX_REQUEST_BYTES. */
async function body(request: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES) throw new ApiError(413, `the request body is over ${MAX_REQUEST_BYTES} bytes`);
        chunks.push(chunk);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch (error) {
        throw new ApiError(400, `the request body is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ApiError(400, "the request body must be a JSON object");
    return parsed as Record<string, unknown>;
}

/** The string orderId of an order's text, if it has one. */
function orderIdOf(text: string): string | undefined {
    try {
        const value = JSON.parse(text) as { orderId?: unknown } | null;
        return typeof value?.orderId === "string" ? value.orderId : undefined;
    } catch {
        return undefined;
    }
}

function requiredString(input: Record<string, unknown> | undefined, name: string): string {
    const value = input?.[name];
    if (typeof value !== "string") throw new ApiError(400, `${name}: a string is required`);
    return value;
}

/** The most UTF-8 bytes an orderId may have (docs/asyncapi.yaml: half of DynamoDB's 2048-byte partition key). */
const ORDER_ID_BYTES = 1024;

/**
 * `count` versions of an order, each its own order: the orderId with -1, -2, … appended. An orderId within the
 * contract's 1024 UTF-8 bytes stays within them (its end is cut, whole code points, to make room for the suffix);
 * one already over them stays over, as the order it varies is. A text that is not a JSON object with a string orderId
 * cannot be varied.
 */
export function variantsOf(text: string, count: number): string[] {
    let order: unknown;
    try {
        order = JSON.parse(text);
    } catch {
        order = undefined;
    }
    if (typeof order !== "object" || order === null || Array.isArray(order) || typeof (order as { orderId?: unknown }).orderId !== "string") {
        throw new ApiError(400, "variants need a JSON object with a string orderId to vary");
    }
    const base = (order as { orderId: string }).orderId;
    const fits = Buffer.byteLength(base) <= ORDER_ID_BYTES;
    return Array.from({ length: count }, (_, i) => {
        const suffix = `-${i + 1}`;
        const codePoints = [...base];
        if (fits) while (Buffer.byteLength(codePoints.join("")) + suffix.length > ORDER_ID_BYTES) codePoints.pop();
        return JSON.stringify({ ...(order as object), orderId: `${codePoints.join("")}${suffix}` });
    });
}
