// The published schema's verdict beside the function's, for one SQS body: the one comparison that the contract test
// makes on the corpus and the differential test on generated cases. The schema is docs/asyncapi.yaml's Order, compiled
// as the console checks orders with it; the function-only rules are the document's x-function-only-rules.
import type { ValidateFunction } from "ajv";
import { describeErrors, fieldsInErrors, readOrderMessage } from "../../local/console/order-contract";

export interface FunctionOnlyRule {
    readonly rule: string;
    readonly reasonPattern: string;
    readonly pattern: RegExp;
}

/** The document's x-function-only-rules, each with its reason pattern compiled. */
export function functionOnlyRules(): FunctionOnlyRule[] {
    const message = readOrderMessage() as unknown as { "x-function-only-rules": ReadonlyArray<{ rule: string; reasonPattern: string }> };
    return message["x-function-only-rules"].map((r) => ({ ...r, pattern: new RegExp(r.reasonPattern, "u") }));
}

/** The order in a body, as the function finds it: the envelope's Message when the top-level Type is "Notification"; undefined when that Message is not a string. */
export function orderOf(body: string): string | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        return body;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return body;
    const envelope = parsed as { Type?: unknown; Message?: unknown };
    if (envelope.Type !== "Notification") return body;
    return typeof envelope.Message === "string" ? envelope.Message : undefined;
}

/** The parsed order of a body, or undefined when JavaScript's JSON.parse refuses it. */
export function parsedOrder(body: string): { value: unknown } | undefined {
    const order = orderOf(body);
    if (order === undefined) return undefined;
    try {
        return { value: JSON.parse(order) as unknown };
    } catch {
        return undefined;
    }
}

/** The function's verdict on a body: stored, or rejected with its reason (or only the reason's known beginning). */
export interface FunctionVerdict {
    readonly valid: boolean;
    readonly reason?: string;
    /** The reason is the whole of it (not a beginning): the fields it names can be compared. */
    readonly reasonIsWhole?: boolean;
}

const problemsOf = (reason: string): string[] => reason.split("; ");

/** The function-only rules a reason falls under: the whole reason, or any of its problems, matches. */
export const rulesMatching = (rules: readonly FunctionOnlyRule[], verdict: FunctionVerdict): FunctionOnlyRule[] =>
    verdict.valid ? [] : rules.filter((r) => r.pattern.test(verdict.reason ?? "") || problemsOf(verdict.reason ?? "").some((p) => r.pattern.test(p)));

/** The fields a reason names ("order" for the order as a whole), sorted, as the schema's errors would name them. */
export const fieldsInReason = (reason: string): string[] => [...new Set(problemsOf(reason).map((p) => /^(\w+): /u.exec(p)?.[1] ?? "order"))].sort();

/**
 * How the schema's verdict on a body compares with the function's: left to the function (a function-only rule), or
 * judged, with the disagreement in words when there is one: one side stores what the other rejects, or both reject
 * it for different fields.
 */
export function compareVerdicts(validate: ValidateFunction, rules: readonly FunctionOnlyRule[], body: string, verdict: FunctionVerdict): { judged: boolean; disagreement?: string } {
    if (rulesMatching(rules, verdict).length > 0) return { judged: false };
    const said = `${verdict.valid ? "stored" : "invalid"}${verdict.valid ? "" : `: ${verdict.reason}`}`;
    const order = parsedOrder(body);
    if (order === undefined) return { judged: false, disagreement: `JavaScript finds no JSON order in this body, yet the function's verdict (${said}) is no function-only rule` };
    const valid = validate(order.value);
    const errors = validate.errors ?? [];
    if (verdict.valid && !valid) return { judged: true, disagreement: `the function stores it, the schema rejects it: ${describeErrors(errors)}` };
    if (!verdict.valid && valid) return { judged: true, disagreement: `the function rejects it (${verdict.reason}), the schema accepts it` };
    if (!verdict.valid && verdict.reasonIsWhole && verdict.reason !== undefined && fieldsInReason(verdict.reason).join() !== fieldsInErrors(errors).join()) {
        return { judged: true, disagreement: `the function faults ${fieldsInReason(verdict.reason).join(", ")} (${verdict.reason}), the schema ${fieldsInErrors(errors).join(", ")}: ${describeErrors(errors)}` };
    }
    return { judged: true };
}
