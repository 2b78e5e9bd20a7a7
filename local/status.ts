// The status line `npm run local` prints every few seconds while orders flow: what an operator would read off the
// dashboard, from the same EMF documents the function writes for CloudWatch, plus the queues' own counts.
import { OUTCOME_METRICS, ORDER_AGE_METRIC } from "../infra/function-contract";
import { median, percentile } from "./statistics";

export interface QueueCounts {
    /** Visible in the order queue: published, not yet received. */
    readonly waiting: number;
    /** Received and not yet deleted: being processed, or waiting out a visibility timeout (backoff). */
    readonly inFlight: number;
    /** In the dead-letter queue. */
    readonly deadLetters: number;
}

/** Counts from the function's EMF documents; lag percentiles over the last `lagWindow` order ages. */
export class PipelineStatus {
    private readonly totals = new Map<string, number>(OUTCOME_METRICS.map((name) => [name, 0]));
    private readonly ages: number[] = [];
    private messages = new Set<string>();
    private changed = false;

    constructor(private readonly lagWindow = 1000) {}

    /** Takes one line of the function's log; anything but an EMF document or a record line is ignored. */
    add(line: string): void {
        let entry: Record<string, unknown>;
        try {
            entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
            return;
        }
        if (typeof entry.messageId === "string") this.messages.add(entry.messageId);
        if (typeof entry._aws !== "object" || entry._aws === null) return;
        for (const name of OUTCOME_METRICS) {
            if (typeof entry[name] === "number") this.totals.set(name, this.totals.get(name)! + (entry[name] as number));
        }
        const ages = entry[ORDER_AGE_METRIC];
        for (const age of Array.isArray(ages) ? ages : typeof ages === "number" ? [ages] : []) {
            if (typeof age === "number") this.ages.push(age);
        }
        if (this.ages.length > this.lagWindow) this.ages.splice(0, this.ages.length - this.lagWindow);
        this.changed = true;
    }

    /** The line, or undefined when nothing was processed since the last one and nothing is queued. */
    line(queues: QueueCounts): string | undefined {
        const busy = queues.waiting > 0 || queues.inFlight > 0;
        if (!this.changed && !busy) return undefined;
        this.changed = false;
        const t = (name: (typeof OUTCOME_METRICS)[number]) => this.totals.get(name)!;
        const lag = this.ages.length ? `lag p50 ${formatMs(median(this.ages))} p99 ${formatMs(percentile(this.ages, 0.99))}` : "lag -";
        return (
            `status: published ${this.messages.size + queues.waiting}, in flight ${queues.inFlight}, stored ${t("Stored")}, ` +
            `duplicate ${t("Duplicate")}, stale ${t("Stale")}, conflict ${t("Conflict")}, invalid ${t("Invalid")}, failed ${t("Failed")}, ` +
            `in the DLQ ${queues.deadLetters}, ${lag}`
        );
    }
}

function formatMs(ms: number): string {
    return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}
