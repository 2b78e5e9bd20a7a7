// What the console knows about the running pipeline, from what the runner hears: fauxqs' message events, the
// function's log lines (as Lambda's filter keeps them), the poller's invocations and the queues' counts. Bounded
// everywhere: a long run keeps the newest orders, lines and minutes.
import { FUNCTION_METRICS_NAMESPACE, OUTCOME_METRICS } from "../../infra/function-contract";
import type { InvocationReport } from "../event-source/poller";
import { unwrap } from "../event-source/messages";
import type { MessageEvent } from "../emulators/servers";
import { emfValues, metricKey, MetricStore } from "./metrics";

/** What the page draws for each part of the pipeline. */
export interface PipelineCounts {
    readonly published: number;
    readonly sentToQueue: number;
    readonly queue: { readonly visible: number; readonly inFlight: number; readonly delayed: number; readonly oldestAgeSeconds: number };
    readonly function: {
        readonly invocations: number;
        readonly errors: number;
        readonly environments: number;
        readonly busy: number;
        readonly outcomes: Readonly<Record<string, number>>;
    };
    readonly table: { readonly items: number | null };
    readonly deadLetterQueue: { readonly depth: number };
}

/** One step of an order's story. */
export interface StoryEvent {
    readonly at: number;
    readonly kind: "published" | "enqueued" | "redriven" | "received" | "dead-lettered" | "deleted" | "left the DLQ";
    readonly messageId: string;
    readonly queue?: string;
    /** The order's text as published (bounded), for "published" and "enqueued" straight to the queue. */
    readonly body?: string;
    /** The order's version as published: its timestamp and status, when the text is an order. */
    readonly version?: { readonly timestamp?: unknown; readonly status?: unknown; readonly quantity?: unknown };
    readonly snsMessageId?: string;
    readonly receiveCount?: number;
    readonly outcome?: string;
    readonly reason?: string;
    readonly requestId?: string;
    readonly kept?: string;
    /** For "redriven": the dead-letter queue's message it was moved from. */
    readonly from?: string;
}

/** A line of the function's log as the page lists it. */
export interface LogEntry {
    readonly seq: number;
    readonly at: number;
    readonly line: string;
    readonly level?: string;
    readonly requestId?: string;
    readonly outcome?: string;
    readonly orderId?: string;
    readonly messageId?: string;
}

/** Stories kept at most (the newest orders), and steps per story. */
const STORIES = 20_000;
const STEPS_PER_STORY = 100;
/** Log lines kept for the page. */
const LOG_LINES = 5_000;
/** Characters of a body kept in a story. */
const BODY_CHARACTERS = 4_096;
/** How long after a message is sent straight to the order queue a delete from the DLQ of the same body makes it a redrive. */
const REDRIVE_PAIRING_MS = 60_000;
/** Messages sent straight to the order queue remembered for that pairing. */
const RECENT_SENDS = 1_000;

export interface ModelNames {
    readonly topic: string;
    readonly queue: string;
    readonly deadLetterQueue: string;
    readonly function: string;
}

export class ConsoleModel {
    readonly metrics = new MetricStore();
    private readonly stories = new Map<string, StoryEvent[]>();
    /** Message id (SQS or SNS) → the story it belongs to. */
    private readonly storyOfMessage = new Map<string, string>();
    private readonly log: LogEntry[] = [];
    private seq = 0;
    /** Messages of the order queue not yet deleted or dead-lettered, oldest first, with when they were enqueued. */
    private readonly undeleted = new Map<string, number>();
    private readonly touched = new Set<string>();
    private published = 0;
    private sentToQueue = 0;
    /** The latest messages sent straight to the order queue: a redrive is one of them until its DLQ copy is deleted. */
    private readonly recentSends: Array<{ messageId: string; body: string; at: number }> = [];
    /** The SNS message being delivered to the queues now, if any. */
    private delivering: string | undefined;
    private invocations = 0;
    private errors = 0;
    private readonly outcomes: Record<string, number> = Object.fromEntries(OUTCOME_METRICS.map((m) => [m, 0]));
    private sampled = { visible: 0, inFlight: 0, delayed: 0, deadLetters: 0, items: null as number | null, environments: 0, busy: 0 };

    constructor(private readonly names: ModelNames) {}

    /** A message event from fauxqs. */
    message(event: MessageEvent): void {
        if (event.service === "sns") {
            if (event.topicName !== this.names.topic) return;
            this.published++;
            // fauxqs delivers to the subscribed queues synchronously, right after this event (sns/actions/publish.js):
            // an enqueue before the next microtask is this publish's delivery, raw or in an envelope.
            this.delivering = event.messageId;
            queueMicrotask(() => {
                this.delivering = undefined;
            });
            this.metrics.add(metricKey("AWS/SNS", "NumberOfMessagesPublished", [this.names.topic]), 1, event.timestamp);
            this.step(this.storyKey(event.body, event.messageId), {
                at: event.timestamp,
                kind: "published",
                messageId: event.messageId,
                body: bounded(event.body),
                version: versionOf(event.body),
            });
            return;
        }
        const queue = event.queueName;
        if (queue !== this.names.queue && queue !== this.names.deadLetterQueue) return;
        if (event.status === "published" && queue === this.names.queue) {
            this.undeleted.set(event.messageId, event.timestamp);
            const order = unwrap(event.body);
            const snsMessageId = this.delivering;
            const direct = snsMessageId === undefined;
            if (direct) {
                this.sentToQueue++;
                this.recentSends.push({ messageId: event.messageId, body: event.body, at: event.timestamp });
                if (this.recentSends.length > RECENT_SENDS) this.recentSends.shift();
            }
            const key = (snsMessageId && this.storyOfMessage.get(snsMessageId)) || this.storyKey(order, event.messageId);
            this.link(event.messageId, key);
            this.step(key, {
                at: event.timestamp,
                kind: "enqueued",
                messageId: event.messageId,
                queue,
                ...(direct ? { body: bounded(order), version: versionOf(order) } : { snsMessageId }),
            });
        } else if (event.status === "dlq") {
            this.undeleted.delete(event.messageId);
            this.step(this.storyOfMessage.get(event.messageId) ?? this.storyKey(unwrap(event.body), event.messageId), {
                at: event.timestamp,
                kind: "dead-lettered",
                messageId: event.messageId,
                queue: this.names.deadLetterQueue,
            });
        } else if (event.status === "consumed") {
            if (queue === this.names.queue) this.undeleted.delete(event.messageId);
            const key = this.storyOfMessage.get(event.messageId);
            if (key) this.step(key, { at: event.timestamp, kind: queue === this.names.queue ? "deleted" : "left the DLQ", messageId: event.messageId, queue });
            if (queue === this.names.deadLetterQueue) this.pairRedrive(event.messageId, event.body, event.timestamp);
        }
    }

    /** A line of the function's log that Lambda's filter keeps. */
    functionLog(line: string, at = Date.now()): void {
        let entry: Record<string, unknown> | undefined;
        try {
            const parsed = JSON.parse(line) as unknown;
            if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
        } catch {
            entry = undefined;
        }
        const text = (name: string) => (typeof entry?.[name] === "string" ? (entry[name] as string) : undefined);
        const logEntry: LogEntry = {
            seq: ++this.seq,
            at,
            line,
            level: text("level") ?? (entry ? undefined : "INFO"),
            requestId: text("requestId"),
            outcome: text("outcome"),
            orderId: text("orderId"),
            messageId: text("messageId"),
        };
        this.log.push(logEntry);
        if (this.log.length > LOG_LINES * 1.2) this.log.splice(0, this.log.length - LOG_LINES);
        if (!entry) return;
        if (typeof entry._aws === "object" && entry._aws !== null) {
            for (const { key, value } of emfValues(entry)) {
                this.metrics.add(key, value, at);
                const [namespace, metric] = key.split("|");
                if (namespace === FUNCTION_METRICS_NAMESPACE && metric! in this.outcomes) this.outcomes[metric!]! += value;
            }
            return;
        }
        if (entry.message === "order record processed" && logEntry.messageId) {
            const key = this.storyOfMessage.get(logEntry.messageId) ?? logEntry.orderId ?? logEntry.messageId;
            this.link(logEntry.messageId, key);
            this.step(key, {
                at,
                kind: "received",
                messageId: logEntry.messageId,
                receiveCount: typeof entry.receiveCount === "number" ? entry.receiveCount : undefined,
                outcome: logEntry.outcome,
                reason: text("reason"),
                requestId: logEntry.requestId,
                kept: text("kept"),
            });
        }
    }

    /** An invocation the poller made, as Lambda's own metrics would count it. */
    invocation(report: InvocationReport, at = Date.now()): void {
        this.invocations++;
        const failed = report.outcome !== "ok";
        if (failed) this.errors++;
        const lambda = (name: string, value: number) => this.metrics.add(metricKey("AWS/Lambda", name, [this.names.function]), value, at);
        lambda("Invocations", 1);
        lambda("Errors", failed ? 1 : 0);
        lambda("Throttles", 0);
        lambda("Duration", report.invokeMs);
    }

    /** The counts the runner reads every few seconds. */
    sample(counts: { visible: number; inFlight: number; delayed: number; deadLetters: number; items: number | null; environments: number; busy: number }, at = Date.now()): void {
        this.sampled = counts;
        const sqs = (queue: string, name: string, value: number) => this.metrics.add(metricKey("AWS/SQS", name, [queue]), value, at);
        sqs(this.names.queue, "ApproximateNumberOfMessagesVisible", counts.visible);
        sqs(this.names.queue, "ApproximateNumberOfMessagesNotVisible", counts.inFlight);
        sqs(this.names.queue, "ApproximateAgeOfOldestMessage", this.oldestAgeSeconds(at));
        sqs(this.names.deadLetterQueue, "ApproximateNumberOfMessagesVisible", counts.deadLetters);
        this.metrics.add(metricKey("AWS/Lambda", "ConcurrentExecutions", [this.names.function]), counts.busy, at);
    }

    counts(now = Date.now()): PipelineCounts {
        return {
            published: this.published,
            sentToQueue: this.sentToQueue,
            queue: { visible: this.sampled.visible, inFlight: this.sampled.inFlight, delayed: this.sampled.delayed, oldestAgeSeconds: this.oldestAgeSeconds(now) },
            function: { invocations: this.invocations, errors: this.errors, environments: this.sampled.environments, busy: this.sampled.busy, outcomes: { ...this.outcomes } },
            table: { items: this.sampled.items },
            deadLetterQueue: { depth: this.sampled.deadLetters },
        };
    }

    /** The story of an order id, or of the message with this id; undefined when nothing is known of either. */
    story(id: string): { readonly key: string; readonly events: readonly StoryEvent[] } | undefined {
        const key = this.stories.has(id) ? id : this.storyOfMessage.get(id);
        const events = key === undefined ? undefined : this.stories.get(key);
        return key !== undefined && events ? { key, events } : undefined;
    }

    /** The story a message belongs to, when known. */
    storyKeyOfMessage(messageId: string): string | undefined {
        return this.storyOfMessage.get(messageId);
    }

    /** The reason the function logged last for a message, when it logged one. */
    reasonFor(messageId: string): string | undefined {
        const events = this.story(messageId)?.events ?? [];
        for (let i = events.length - 1; i >= 0; i--) {
            const e = events[i]!;
            if (e.messageId === messageId && e.reason !== undefined) return e.reason;
        }
        return undefined;
    }

    /** Log lines after `seq`, at most `limit` (the newest). */
    logSince(seq: number, limit = 500): { lines: LogEntry[]; skipped: number } {
        let first = this.log.length;
        while (first > 0 && this.log[first - 1]!.seq > seq) first--;
        const lines = this.log.slice(Math.max(first, this.log.length - limit));
        return { lines, skipped: this.log.length - first - lines.length };
    }

    get lastSeq(): number {
        return this.seq;
    }

    /** The stories changed since the last call. */
    takeTouched(): string[] {
        const touched = [...this.touched];
        this.touched.clear();
        return touched;
    }

    /**
     * A redrive sends a copy of the DLQ's message to the order queue, then deletes it from the DLQ (local/event-source/
     * moves.ts, as `npm run dlq` and the console do it; on AWS, StartMessageMoveTask). So when a message leaves the DLQ
     * and the same body was sent straight to the order queue just before, that send was its redrive: it is not counted
     * as sent straight to the queue, and the copy continues the story of the message it was moved from.
     */
    private pairRedrive(deadLetterId: string, body: string, at: number): void {
        let index = this.recentSends.length - 1;
        while (index >= 0 && !(this.recentSends[index]!.body === body && at - this.recentSends[index]!.at <= REDRIVE_PAIRING_MS)) index--;
        if (index < 0) return;
        const copy = this.recentSends.splice(index, 1)[0]!;
        this.sentToQueue--;
        const key = this.storyOfMessage.get(deadLetterId) ?? deadLetterId;
        const copyKey = this.storyOfMessage.get(copy.messageId);
        const moved = copyKey === undefined ? [] : (this.stories.get(copyKey) ?? []).filter((e) => e.messageId === copy.messageId);
        if (copyKey !== undefined && copyKey !== key) {
            // The copy had a story of its own (a message without an orderId is known by its id): its steps join the original's.
            const rest = (this.stories.get(copyKey) ?? []).filter((e) => e.messageId !== copy.messageId);
            if (rest.length === 0) this.stories.delete(copyKey);
            else this.stories.set(copyKey, rest);
        }
        const events = (this.stories.get(key) ?? []).filter((e) => e.messageId !== copy.messageId);
        for (const e of moved) events.push(e.kind === "enqueued" ? { at: e.at, kind: "redriven", messageId: e.messageId, queue: e.queue, from: deadLetterId } : e);
        events.sort((a, b) => a.at - b.at);
        this.stories.delete(key);
        this.stories.set(key, events.slice(-STEPS_PER_STORY));
        this.link(copy.messageId, key);
        this.touched.add(key);
    }

    private oldestAgeSeconds(now: number): number {
        for (const at of this.undeleted.values()) return Math.max(0, Math.floor((now - at) / 1000));
        return 0;
    }

    /** The story a message's order belongs to: its orderId when the text is an order, else the message's own id. */
    private storyKey(orderText: string, messageId: string): string {
        const id = (parseObject(orderText)?.orderId as unknown) ?? undefined;
        const key = typeof id === "string" && id !== "" ? id : messageId;
        this.link(messageId, key);
        return key;
    }

    private link(messageId: string, key: string): void {
        this.storyOfMessage.delete(messageId);
        this.storyOfMessage.set(messageId, key);
        if (this.storyOfMessage.size > STORIES * 5) this.storyOfMessage.delete(this.storyOfMessage.keys().next().value!);
    }

    private step(key: string, event: StoryEvent): void {
        let events = this.stories.get(key);
        if (!events) {
            events = [];
            this.stories.set(key, events);
            if (this.stories.size > STORIES) this.stories.delete(this.stories.keys().next().value!);
        }
        events.push(event);
        if (events.length > STEPS_PER_STORY) events.splice(0, events.length - STEPS_PER_STORY);
        this.touched.add(key);
        if (this.touched.size > 1000) this.touched.delete(this.touched.values().next().value!);
    }
}

/** The pipeline options that feed a model: every message event fauxqs records and every invocation (log lines are the caller's to pass on, with model.functionLog). */
export function consoleHooks(model: ConsoleModel): { onMessage: (event: MessageEvent) => void; onInvocation: (report: InvocationReport) => void } {
    return { onMessage: (event) => model.message(event), onInvocation: (report) => model.invocation(report) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
    try {
        const value = JSON.parse(text) as unknown;
        return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

function versionOf(orderText: string): StoryEvent["version"] {
    const order = parseObject(orderText);
    return order ? { timestamp: order.timestamp, status: order.status, quantity: order.quantity } : undefined;
}

function bounded(text: string): string {
    return text.length > BODY_CHARACTERS ? `${text.slice(0, BODY_CHARACTERS)}… (${text.length} characters)` : text;
}
