// The Lambda Runtime API, version 2018-06-01, for one execution environment, on 127.0.0.1: the runtime in that
// environment (the AOT `bootstrap`, or the managed bootstrap) asks for the next invocation, posts the response or
// the error, or posts that its init failed. Its host:port is the environment's AWS_LAMBDA_RUNTIME_API.
//
// Paths, headers, bodies and status codes are those of AWS's OpenAPI description (runtime-api.zip, linked from
// "Using the Lambda runtime API for custom runtimes", https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
// Where the description leaves a case open, the answer is the one Lambda gives (the error types of its Runtime API,
// aws/aws-lambda-runtime-interface-emulator: rapi/rendering), so a bug in the project's runtime client fails here,
// on a laptop, before it fails on AWS; and every request refused is also said as a notice.
import { randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { LOOPBACK } from "../emulators/servers";

export const RUNTIME_API_VERSION = "2018-06-01";

/** The header names of the API, as the OpenAPI description spells them. */
export const RUNTIME_HEADERS = {
    requestId: "Lambda-Runtime-Aws-Request-Id",
    deadlineMs: "Lambda-Runtime-Deadline-Ms",
    invokedFunctionArn: "Lambda-Runtime-Invoked-Function-Arn",
    traceId: "Lambda-Runtime-Trace-Id",
    functionErrorType: "Lambda-Runtime-Function-Error-Type",
} as const;

/**
 * The largest response (or error) body Lambda accepts from a runtime: 6 MB (the synchronous payload quota) plus
 * 100 bytes, the figure in Lambda's own refusal, "Exceeded maximum allowed payload size (6291556 bytes)."
 */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;

/** An error as a runtime reports it (the description's ErrorRequest), with the error-type header it came with. */
export interface FunctionError {
    readonly errorType: string;
    readonly errorMessage: string;
    readonly stackTrace: readonly string[];
    /** The Lambda-Runtime-Function-Error-Type header, such as Runtime.InitError or Function.InvalidOperationException. */
    readonly functionErrorType: string | undefined;
    /** The error that caused it, as Lambda's .NET client nests it (`cause`, the exception's InnerException). */
    readonly cause?: { readonly errorType: string; readonly errorMessage: string; readonly cause?: FunctionError["cause"] };
}

/** How one invocation ended, as far as the Runtime API knows: a response, an error, or nothing (the server was closed). */
export type InvocationOutcome =
    | { readonly kind: "response"; readonly body: Buffer }
    | { readonly kind: "error"; readonly error: FunctionError }
    | { readonly kind: "abandoned" };

export interface Invocation {
    readonly requestId: string;
    /** Lambda-Runtime-Deadline-Ms: when the invocation times out, in Unix milliseconds. */
    readonly deadlineMs: number;
    readonly traceId: string;
    readonly outcome: Promise<InvocationOutcome>;
}

export interface RuntimeApiServerOptions {
    /** Lambda-Runtime-Invoked-Function-Arn of every invocation. */
    readonly functionArn: string;
    /** The runtime asked for its first invocation: its init is done (Lambda's Init phase ends there). */
    readonly onReady?: () => void;
    /** The runtime posted an init error: the environment has failed and will get no invocation. */
    readonly onInitError?: (error: FunctionError) => void;
    /** A request refused, or a protocol mistake Lambda would let pass silently: a bug in the runtime client. */
    readonly onNotice?: (message: string) => void;
}

/**
 * The runtime's state, with the names Lambda uses in its InvalidStateTransition messages: Started until the first
 * `next`, Ready while it waits for an invocation, Running while one is unanswered, InitError after an init error.
 */
type RuntimeState = "Started" | "Ready" | "Running" | "InitError";

interface Pending {
    readonly requestId: string;
    readonly event: Buffer;
    readonly deadlineMs: number;
    readonly traceId: string;
    readonly settle: (outcome: InvocationOutcome) => void;
}

const PREFIX = `/${RUNTIME_API_VERSION}/runtime/`;

export class RuntimeApiServer {
    private state: RuntimeState = "Started";
    /** Invocations not yet handed to the runtime. */
    private readonly queued: Pending[] = [];
    /** The invocation handed out and not yet answered. */
    private outstanding: Pending | undefined;
    /** The runtime's `next` request, while it waits. */
    private waiting: http.ServerResponse | undefined;

    private constructor(
        private readonly server: http.Server,
        private readonly options: RuntimeApiServerOptions,
    ) {}

    /** Listens on 127.0.0.1, on a free port. */
    static async start(options: RuntimeApiServerOptions): Promise<RuntimeApiServer> {
        const server = http.createServer();
        const api = new RuntimeApiServer(server, options);
        server.on("request", (request: http.IncomingMessage, response: http.ServerResponse) => api.handle(request, response));
        // `next` holds its connection for as long as the environment waits, and a runtime answers on a connection
        // that was idle for the whole invocation: Lambda does not close idle connections, and neither does this.
        server.keepAliveTimeout = 0;
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, LOOPBACK, () => {
                server.off("error", reject);
                resolve();
            });
        });
        return api;
    }

    get port(): number {
        return (this.server.address() as AddressInfo).port;
    }

    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    get address(): string {
        return `${LOOPBACK}:${this.port}`;
    }

    /** Queues an invocation; the runtime receives it from its next (or current) `next` request. */
    invoke(event: Buffer, deadlineMs: number): Invocation {
        let settle!: (outcome: InvocationOutcome) => void;
        const outcome = new Promise<InvocationOutcome>((resolve) => (settle = resolve));
        const pending: Pending = { requestId: randomUUID(), event, deadlineMs, traceId: traceHeader(), settle };
        this.queued.push(pending);
        this.dispatch();
        return { requestId: pending.requestId, deadlineMs, traceId: pending.traceId, outcome };
    }

    /** Stops listening and drops every connection; invocations not answered end as `abandoned`. */
    async close(): Promise<void> {
        for (const pending of [...this.queued.splice(0), ...(this.outstanding ? [this.outstanding] : [])]) pending.settle({ kind: "abandoned" });
        this.outstanding = undefined;
        this.waiting = undefined;
        const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.server.closeAllConnections();
        await closed;
    }

    private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
        const url = (request.url ?? "").split("?")[0]!;
        const route = url.startsWith(PREFIX) ? url.slice(PREFIX.length).split("/") : undefined;
        if (route?.length === 2 && route[0] === "invocation" && route[1] === "next") {
            if (this.allow(request, response, "GET")) this.next(response);
        } else if (route?.length === 3 && route[0] === "invocation" && (route[2] === "response" || route[2] === "error")) {
            if (this.allow(request, response, "POST")) void this.answer(request, response, route[1]!, route[2]);
        } else if (route?.length === 2 && route[0] === "init" && route[1] === "error") {
            if (this.allow(request, response, "POST")) void this.initError(request, response);
        } else {
            request.resume();
            this.refuse(request, response, 404, "NotFound", `${url} is not a path of the Lambda Runtime API ${RUNTIME_API_VERSION}`);
        }
    }

    /** A known path with the wrong method: 405 with Allow, as Lambda's router answers. */
    private allow(request: http.IncomingMessage, response: http.ServerResponse, method: "GET" | "POST"): boolean {
        if (request.method === method) return true;
        request.resume();
        this.refuse(request, response, 405, "MethodNotAllowed", `${request.url} takes ${method}, not ${request.method}`, { Allow: method });
        return false;
    }

    private next(response: http.ServerResponse): void {
        if (this.state === "InitError") {
            // The runtime should have exited after its init error (the description: "Runtime should exit after reporting the error").
            this.refuseTransition(response, "Ready");
            return;
        }
        if (this.waiting && !this.waiting.writableEnded && !this.waiting.destroyed) {
            // One runtime process polls once at a time; a second loop in the same process is a bug.
            this.refuse(undefined, response, 403, "InvalidStateTransition", "a next request is already waiting for an invocation; a runtime asks for one invocation at a time");
            return;
        }
        if (this.outstanding) {
            // Lambda accepts this, and the unanswered invocation simply runs into its deadline: say so.
            this.options.onNotice?.(
                `the runtime asked for the next invocation without answering ${this.outstanding.requestId}; as on Lambda, that invocation gets no answer and runs to its deadline`,
            );
        }
        const first = this.state === "Started";
        if (this.state !== "Running") this.state = "Ready";
        this.waiting = response;
        response.once("close", () => {
            if (this.waiting === response) this.waiting = undefined;
        });
        if (first) this.options.onReady?.();
        this.dispatch();
    }

    /** Hands the oldest queued invocation to the waiting `next`, if both are there. */
    private dispatch(): void {
        const response = this.waiting;
        if (!response || response.destroyed || this.outstanding || this.queued.length === 0) return;
        const pending = this.queued.shift()!;
        this.waiting = undefined;
        this.outstanding = pending;
        this.state = "Running";
        response.writeHead(200, {
            [RUNTIME_HEADERS.requestId]: pending.requestId,
            [RUNTIME_HEADERS.deadlineMs]: String(pending.deadlineMs),
            [RUNTIME_HEADERS.invokedFunctionArn]: this.options.functionArn,
            [RUNTIME_HEADERS.traceId]: pending.traceId,
            "Content-Type": "application/json",
            "Content-Length": pending.event.length,
        });
        response.end(pending.event);
    }

    private async answer(request: http.IncomingMessage, response: http.ServerResponse, encodedId: string, kind: "response" | "error"): Promise<void> {
        let requestId: string;
        try {
            requestId = decodeURIComponent(encodedId);
        } catch {
            requestId = "";
        }
        const pending = this.outstanding;
        if (!pending || requestId !== pending.requestId) {
            // Unknown, already answered, or sent before any `next`: Lambda's InvalidRequestID.
            request.resume();
            this.refuse(request, response, 400, "InvalidRequestID", "Invalid request ID");
            return;
        }
        // Taken at once, so that a second answer to the same invocation, even a concurrent one, is refused.
        this.outstanding = undefined;
        let body: Buffer | "too large";
        try {
            body = await readBody(request);
        } catch {
            // The runtime went away mid-request; if it is still alive, it may answer again.
            if (!this.outstanding && this.state === "Running") this.outstanding = pending;
            return;
        }
        this.state = "Ready";
        if (body === "too large") {
            // Lambda refuses the body and fails the invocation with the function's error.
            pending.settle({
                kind: "error",
                error: {
                    errorType: "Function.ResponseSizeTooLarge",
                    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
                    stackTrace: [],
                    functionErrorType: header(request, RUNTIME_HEADERS.functionErrorType),
                },
            });
            this.refuse(request, response, 413, "RequestEntityTooLarge", `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
            return;
        }
        sendJson(response, 202, { status: "OK" });
        pending.settle(kind === "response" ? { kind: "response", body } : { kind: "error", error: parseError(body, header(request, RUNTIME_HEADERS.functionErrorType)) });
    }

    private async initError(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
        if (this.state !== "Started") {
            request.resume();
            this.refuseTransition(response, "InitError");
            return;
        }
        let body: Buffer | "too large";
        try {
            body = await readBody(request);
        } catch {
            return;
        }
        if (body === "too large") {
            this.refuse(request, response, 413, "RequestEntityTooLarge", `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
            return;
        }
        this.state = "InitError";
        sendJson(response, 202, { status: "OK" });
        this.options.onInitError?.(parseError(body, header(request, RUNTIME_HEADERS.functionErrorType)));
    }

    /** 403 InvalidStateTransition, worded as Lambda words it. */
    private refuseTransition(response: http.ServerResponse, to: RuntimeState): void {
        this.refuse(undefined, response, 403, "InvalidStateTransition", `State transition from ${this.state} to ${to} failed for runtime. Error: State transition is not allowed`);
    }

    /** An ErrorResponse (the description's `{errorMessage, errorType}`), also said as a notice. */
    private refuse(
        request: http.IncomingMessage | undefined,
        response: http.ServerResponse,
        status: number,
        errorType: string,
        errorMessage: string,
        headers: Record<string, string> = {},
    ): void {
        const what = request ? `${request.method} ${request.url}` : "GET invocation/next";
        this.options.onNotice?.(`runtime API refused ${what}: ${status} ${errorType}: ${errorMessage}`);
        sendJson(response, status, { errorMessage, errorType }, headers);
    }
}

/** An X-Ray trace header as Lambda passes it (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader). Not sampled: nothing here collects traces. */
export function traceHeader(now: number = Date.now()): string {
    const epochSeconds = Math.floor(now / 1000).toString(16).padStart(8, "0");
    return `Root=1-${epochSeconds}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

/**
 * The body of an error post. The description: runtimes should send `{errorMessage, errorType, stackTrace}`, and
 * Lambda builds the error from the Lambda-Runtime-Function-Error-Type header when the body is missing or unreadable.
 */
export function parseError(body: Buffer, functionErrorType: string | undefined): FunctionError {
    const text = body.toString("utf8");
    let parsed: Record<string, unknown> | undefined;
    try {
        const value: unknown = JSON.parse(text);
        if (value !== null && typeof value === "object" && !Array.isArray(value)) parsed = value as Record<string, unknown>;
    } catch {
        parsed = undefined;
    }
    const errorType = typeof parsed?.errorType === "string" && parsed.errorType !== "" ? parsed.errorType : (functionErrorType ?? "Unknown");
    const errorMessage = parsed ? (typeof parsed.errorMessage === "string" ? parsed.errorMessage : "") : text.trim().slice(0, 4096);
    const stackTrace = Array.isArray(parsed?.stackTrace) ? (parsed.stackTrace as unknown[]).filter((line): line is string => typeof line === "string") : [];
    const cause = parseCause(parsed?.cause, 0);
    return { errorType, errorMessage, stackTrace, functionErrorType, ...(cause ? { cause } : {}) };
}

/** A nested `cause` (Amazon.Lambda.RuntimeSupport, ExceptionHandling/LambdaJsonExceptionWriter.cs), a few levels deep at most. */
function parseCause(value: unknown, depth: number): FunctionError["cause"] {
    if (depth >= 8 || value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const { errorType, errorMessage, cause } = value as Record<string, unknown>;
    if (typeof errorType !== "string" && typeof errorMessage !== "string") return undefined;
    const inner = parseCause(cause, depth + 1);
    return { errorType: typeof errorType === "string" ? errorType : "Unknown", errorMessage: typeof errorMessage === "string" ? errorMessage : "", ...(inner ? { cause: inner } : {}) };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
    const value = request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}

/** The request body, or "too large" past MAX_PAYLOAD_BYTES (the rest is read and dropped, so the answer reaches the runtime). */
function readBody(request: http.IncomingMessage): Promise<Buffer | "too large"> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let length = 0;
        request.on("data", (chunk: Buffer) => {
            length += chunk.length;
            if (length <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
        });
        request.once("end", () => resolve(length > MAX_PAYLOAD_BYTES ? "too large" : Buffer.concat(chunks)));
        request.once("close", () => {
            if (!request.complete) reject(new Error("the runtime closed the connection before the body was complete"));
        });
        request.once("error", reject);
    });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (response.headersSent || response.destroyed) return;
    const text = JSON.stringify(body);
    response.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
}
