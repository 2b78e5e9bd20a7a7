// What a queue message holds, seen from the order's side.

/** The order inside an SNS envelope (raw delivery off), or the body itself (raw delivery on). */
export function unwrap(body: string): string {
    try {
        const envelope = JSON.parse(body) as { Type?: unknown; Message?: unknown };
        if (envelope.Type === "Notification" && typeof envelope.Message === "string") return envelope.Message;
    } catch {
        // not JSON: the body is what it is
    }
    return body;
}
