// Reads the function's JSON log lines (functions/OrderProcessor/Processing/OrderLog.cs) for people:
// one line per invocation, one per record.
import type { Outcome } from "../infra/function-contract";

export interface RecordLine {
    readonly kind: "record";
    readonly messageId: string;
    /** The SNS message the record's body carried, when it came in an SNS envelope. */
    readonly snsMessageId?: string;
    readonly orderId?: string;
    readonly outcome: Outcome;
    readonly reason?: string;
    /** For a conflict: this version's fingerprint, the other version's, and which one the table kept. */
    readonly fingerprint?: string;
    readonly storedFingerprint?: string;
    readonly kept?: string;
    readonly receiveCount?: number;
    readonly durationMs: number;
}

export interface BatchLine {
    readonly kind: "batch";
    readonly records: number;
    readonly stored: number;
    readonly duplicate: number;
    readonly stale: number;
    readonly conflict: number;
    readonly invalid: number;
    readonly failed: number;
    readonly durationMs: number;
}

/** The line as a record or batch entry, or undefined for anything else the function printed. */
export function parseFunctionLog(line: string): RecordLine | BatchLine | undefined {
    let entry: Record<string, unknown>;
    try {
        entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
        return undefined;
    }
    if (entry.message === "order record processed") return { kind: "record", ...entry } as unknown as RecordLine;
    if (entry.message === "order batch processed") return { kind: "batch", ...entry } as unknown as BatchLine;
    return undefined;
}

export function formatFunctionLog(entry: RecordLine | BatchLine): string {
    if (entry.kind === "batch") {
        return (
            `invocation: ${entry.records} received → stored ${entry.stored}, duplicate ${entry.duplicate}, stale ${entry.stale}, ` +
            `conflict ${entry.conflict}, invalid ${entry.invalid}, failed ${entry.failed} (${entry.durationMs.toFixed(1)} ms)`
        );
    }
    const order = entry.orderId ? ` order ${entry.orderId}` : "";
    const receive = entry.receiveCount ? ` receive ${entry.receiveCount}` : "";
    const reason = entry.reason
        ? `: ${entry.reason}`
        : entry.outcome === "conflict"
          ? `: same timestamp, other content; kept ${entry.kept} (${entry.fingerprint?.slice(0, 12)} vs stored ${entry.storedFingerprint?.slice(0, 12)})`
          : "";
    return `  ${entry.outcome.padEnd(9)} message ${entry.messageId}${order}${receive}${reason}`;
}
