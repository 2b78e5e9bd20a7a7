// Lambda's application log-level filter, as Lambda applies it to a function whose log format is JSON
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): each line the function
// writes, to stdout or stderr, is given a level; a line below the configured application log level is dropped before
// it reaches CloudWatch Logs, and so before CloudWatch extracts any metric from it.
//
// How a line gets its level, from that page:
// - a JSON object's "level" value, one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL ("level": "debug" is DEBUG);
// - "If the level value field is invalid or missing, Lambda will assign the log output the level INFO";
// - "you must specify the time in valid RFC 3339 timestamp format. If you don't supply a valid timestamp, Lambda will
//   assign the log the level INFO": a line whose "timestamp" is missing or not RFC 3339 is INFO, whatever its level.
// The page does not say what happens to a line that is not JSON; it has no level field, so it is taken as INFO here
// (the same rule), which is what the function's own lines never rely on: every one is JSON with both fields.
import { LOG_LEVELS, type LogLevel } from "../../infra/config";

/** The level Lambda gives one line of the function's output. */
export function lambdaLogLevel(line: string): LogLevel {
    let entry: unknown;
    try {
        entry = JSON.parse(line);
    } catch {
        return "INFO";
    }
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return "INFO";
    const { level, timestamp } = entry as Record<string, unknown>;
    if (typeof timestamp !== "string" || !isRfc3339(timestamp)) return "INFO";
    const named = typeof level === "string" ? (LOG_LEVELS as readonly string[]).find((name) => name === level.toUpperCase()) : undefined;
    return (named as LogLevel | undefined) ?? "INFO";
}

/** Whether Lambda keeps the line at the configured application log level (the line's level is that level or above). */
export function lambdaKeepsLogLine(line: string, configured: LogLevel): boolean {
    return LOG_LEVELS.indexOf(lambdaLogLevel(line)) >= LOG_LEVELS.indexOf(configured);
}

/**
 * An RFC 3339 date-time (section 5.6): full-date "T" full-time, "T" in either case, a fraction of any length, and
 * "Z" or a numeric offset; each field in its range (the day within its month, a leap second :60 allowed).
 */
export function isRfc3339(text: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(text);
    if (!m) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60 && offsetOk;
}
