// Orders generated near and across every rule's edge of docs/asyncapi.yaml, from a seed: lengths in code points and
// in UTF-8 bytes around each limit; every kind of character the rules name (white space of each kind, controls,
// bidirectional marks, unpaired surrogates) at the start, in the middle and at the end, raw or as JSON escapes;
// quantities in every JSON spelling of a number; timestamps at each boundary of the calendar, the clock, the range
// and in each offset form; fields missing, of the wrong type, given twice; unknown fields; nesting and size around
// their limits; bodies that are not JSON or not an object; and the order in an SNS envelope. Each case is an SQS body.
import * as fs from "node:fs";
import * as path from "node:path";
import { repositoryRoot } from "../../infra/repository";
import { pick, random } from "../random";

export interface GeneratedCase {
    /** What was done to the base order, for the report. */
    readonly kind: string;
    /** The SQS body. */
    readonly body: string;
    /** A number in it has more significant digits than a binary double holds: a JSON Schema validator judges its rounding, not it. */
    readonly inexactNumber?: boolean;
}

type Next = () => number;
const int = (next: Next, min: number, max: number) => min + Math.floor(next() * (max - min + 1));

/** Characters by the rules' classes; each is one code point. */
const CHARACTERS = {
    ascii: ["a", "Z", "0", "#", "/", "@", "+", "\"", "\\", "'", "<", "&"],
    twoBytes: ["é", "ß", "Ω", "ж", "ע", "ح"],
    threeBytes: ["€", "中", "한", "ア", "\u0301" /* a combining mark */, "\u200E" /* LRM: allowed */, "\u200B" /* ZWSP: not white space */, "\uFFFD", "\uE000" /* private use */, "\uFFFE"],
    fourBytes: ["😀", "𝄞", "𠀀", "\u{10FFFD}"],
    /** ECMAScript's \s: every one is white space to the rules. */
    whiteSpace: [" ", "\t", "\n", "\r", "\v", "\f", "\u00A0", "\u1680", "\u2000", "\u200A", "\u2028", "\u2029", "\u202F", "\u205F", "\u3000", "\uFEFF"],
    /** Not ECMAScript white space, though it looks like it. */
    lookalike: ["\u180E", "\u200B", "\u2060", "\u00AD"],
    control: ["\u0000", "\u0001", "\u001F", "\u007F", "\u0080", "\u0085", "\u009F"],
    bidi: ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"],
    surrogate: ["\uD800", "\uDBFF", "\uDC00", "\uDFFF"],
} as const;
type CharacterClass = keyof typeof CHARACTERS;

const fill = (next: Next, classes: readonly CharacterClass[], count: number): string => {
    let text = "";
    for (let i = 0; i < count; i++) text += pick(next, CHARACTERS[pick(next, classes)]);
    return text;
};

/** A string field's rules: code points, UTF-8 bytes (orderId and userId), and whether white space may end it. */
interface StringRule {
    readonly maxCodePoints: number;
    readonly maxBytes?: number;
    readonly trimmed: boolean;
}

const STRING_RULES: Readonly<Record<"orderId" | "userId" | "itemName" | "status", StringRule>> = {
    orderId: { maxCodePoints: 1024, maxBytes: 1024, trimmed: true },
    userId: { maxCodePoints: 1024, maxBytes: 1024, trimmed: true },
    itemName: { maxCodePoints: 1024, trimmed: false },
    status: { maxCodePoints: 64, trimmed: true },
};

/** A value for a string field near one of its edges. */
function stringValue(next: Next, rule: StringRule): { kind: string; value: string } {
    const r = next();
    if (r < 0.3) {
        // Code points around the limit, of one width.
        const cls = pick(next, ["ascii", "twoBytes", "threeBytes", "fourBytes"] as const);
        const count = pick(next, [0, 1, 2, rule.maxCodePoints - 1, rule.maxCodePoints, rule.maxCodePoints + 1, int(next, 1, rule.maxCodePoints)]);
        return { kind: `${count} ${cls} code points`, value: fill(next, [cls], count) };
    }
    if (r < 0.45 && rule.maxBytes !== undefined) {
        // UTF-8 bytes around the limit, mixing widths: land on max − 1, max or max + 1 bytes.
        const target = rule.maxBytes + int(next, -1, 1);
        let value = "";
        let bytes = 0;
        while (bytes < target) {
            const room = target - bytes;
            const cls = room >= 4 ? pick(next, ["ascii", "twoBytes", "threeBytes", "fourBytes"] as const) : room === 3 ? "threeBytes" : room === 2 ? "twoBytes" : "ascii";
            const char = pick(next, CHARACTERS[cls].filter((c) => c !== "\u200E" && c !== "\u0301"));
            value += char;
            bytes += Buffer.byteLength(char);
        }
        return { kind: `${bytes} UTF-8 bytes`, value };
    }
    // A character of a class the rules name, at the start, in the middle or at the end of an ordinary value.
    const cls = pick(next, ["whiteSpace", "whiteSpace", "lookalike", "control", "bidi", "surrogate", "fourBytes"] as const);
    const where = pick(next, ["start", "middle", "end", "only"] as const);
    const char = pick(next, CHARACTERS[cls]);
    const body = fill(next, ["ascii", "twoBytes"], int(next, 1, 6));
    const value = where === "start" ? char + body : where === "end" ? body + char : where === "only" ? char.repeat(int(next, 1, 3)) : body + char + body;
    return { kind: `${cls} U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at the ${where}`, value };
}

/** A quantity in one JSON spelling, near an edge. The text is the JSON number (or whatever else was chosen). */
function quantityText(next: Next): { kind: string; text: string; inexact?: boolean } {
    const spellings = [
        "1", "0", "-0", "-1", "2", "1000000", "1000001", "999999", "1.0", "1.00", "1.5", "0.5", "1e0", "1E0", "1e+0", "1e-0", "10e-1", "0.1e1", "1e3", "1E3", "1e6",
        "1.0e6", "1e7", "1000000.0", "1000000.5", "1e-1", "1e400", "-1e400", "1e-400", "100e-2", "12345678901234567890", "01", "+1", ".5", "1.", "0x10",
        "NaN", "Infinity", "\"1\"", "null", "true", "[]", "{}", "[1]",
    ];
    const r = next();
    if (r < 0.8) return { kind: "quantity spelled", text: pick(next, spellings) };
    // More digits than a double holds: 1.0000000000000000001 rounds to 1 in JavaScript, and is not whole to the function.
    const text = pick(next, ["1.0000000000000000001", "0.99999999999999999999", "1000000.0000000000001", "999999.99999999999999", "1" + "0".repeat(25) + "e-25"]);
    return { kind: "quantity with more digits than a double", text, inexact: true };
}

/** A timestamp near an edge of the calendar, the clock, the range or the offset forms. */
function timestampValue(next: Next): { kind: string; value: string } {
    const r = next();
    if (r < 0.35) {
        const year = pick(next, ["1999", "2000", "2024", "2025", "2099", "2100", "0000", "9999", "20250"]);
        const month = pick(next, ["00", "01", "02", "12", "13", "1"]);
        const day = pick(next, ["00", "01", "28", "29", "30", "31", "32"]);
        const time = pick(next, ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "12:00", "12:00:00"]);
        const zone = pick(next, ["Z", "+00:00", "-00:30", "+01:00"]);
        return { kind: "timestamp: calendar and clock edges", value: `${year}-${month}-${day}T${time}${zone}` };
    }
    if (r < 0.6) {
        const separator = pick(next, ["T", "t", " ", "_", "  ", ""]);
        const fraction = pick(next, ["", ".", ".1", ".123", ".123456", ".1234567", ".12345678", ".123456789", ".1234567890", ",5"]);
        const zone = pick(next, ["Z", "z", "+00:00", "+0000", "+00", "-00:00", "+02:00", "+0530", "+05", "-23:59", "+23:59", "+24:00", "+2:00", "+02:0", "+02:00:00", "", "UTC", " Z"]);
        return { kind: "timestamp: separator, fraction and offset forms", value: `2025-05-03${separator}12:00:00${fraction}${zone}` };
    }
    if (r < 0.85) {
        // The range's edges, where the offset decides the UTC instant.
        const value = pick(next, [
            "2000-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "1999-12-31T23:59:59.9999999Z", "1999-12-31T23:30:00-00:30", "1999-12-31T23:29:59-00:30",
            "1999-12-31T12:00:00-01:00", "2000-01-01T00:30:00+01:00", "2099-12-31T23:59:59Z", "2099-12-31T23:59:59.9999999Z", "2100-01-01T00:00:00Z",
            "2100-01-01T00:30:00+01:00", "2100-01-01T01:00:00+01:00", "2099-12-31T23:30:00-01:00", "2100-01-01T00:00:00+00:01", "2099-12-31T23:59:59.999999999Z",
        ]);
        return { kind: "timestamp: the range's edges", value };
    }
    return { kind: "timestamp: other text", value: pick(next, ["", " ", "now", "2025-05-03", "12:00:00Z", "2025-05-03T12:00:00Z ", " 2025-05-03T12:00:00Z", "1746273600", "2025-W18-6T12:00:00Z", "２０２５-05-03T12:00:00Z"]) };
}

/** JSON text of a string, each non-ASCII character or control written raw or as a \u escape, at random. */
function jsonString(next: Next, value: string): string {
    let text = "\"";
    for (const unit of splitUnits(value)) {
        const code = unit.charCodeAt(0);
        if (unit === "\"" || unit === "\\") text += `\\${unit}`;
        else if (code < 0x20 || (code >= 0xd800 && code <= 0xdfff && unit.length === 1)) text += `\\u${code.toString(16).padStart(4, "0")}`;
        else if (code > 0x7e && next() < 0.3) text += [...unit].map((c) => (c.length === 2 ? `\\u${c.charCodeAt(0).toString(16)}\\u${c.charCodeAt(1).toString(16)}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).join("");
        else text += unit;
    }
    return `${text}"`;
}

/** A string's code points, with an unpaired surrogate as a unit of its own. */
function splitUnits(value: string): string[] {
    const units: string[] = [];
    for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && value.charCodeAt(i + 1) >= 0xdc00 && value.charCodeAt(i + 1) <= 0xdfff) {
            units.push(value.slice(i, i + 2));
            i++;
        } else units.push(value[i]!);
    }
    return units;
}

const ENVELOPE = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "..", "shared", "events", "sns-envelope-in-sqs-body.aws-docs.json"), "utf8")) as Record<string, unknown>;

/** One generated case. */
export function generateCase(next: Next): GeneratedCase {
    // The order's members as JSON texts, in order; each case changes some.
    const members: Array<[string, string]> = [
        ["orderId", jsonString(next, `O-${int(next, 1, 99999)}`)],
        ["userId", jsonString(next, `U${int(next, 1, 999)}`)],
        ["itemName", jsonString(next, pick(next, ["Laptop", "Café crème ☕", "حاسوب محمول", "  padded  "]))],
        ["quantity", String(int(next, 1, 10))],
        ["status", jsonString(next, pick(next, ["new", "paid", "PAYMENT_CAPTURED"]))],
        ["timestamp", jsonString(next, "2025-05-03T12:00:00Z")],
    ];
    const kinds: string[] = [];
    let inexact = false;
    /** Fields a change removed: a later change leaves them removed, so that each case is what its kind says. */
    const removed = new Set<string>();
    const set = (name: string, text: string) => {
        const member = members.find(([n]) => n === name);
        if (member) member[1] = text;
        else members.push([name, text]);
    };
    const changes = next() < 0.8 ? 1 : int(next, 2, 3);
    for (let c = 0; c < changes; c++) {
        const r = next();
        if (r < 0.45) {
            const field = pick(next, Object.keys(STRING_RULES) as Array<keyof typeof STRING_RULES>);
            if (removed.has(field)) continue;
            const { kind, value } = stringValue(next, STRING_RULES[field]);
            kinds.push(`${field}: ${kind}`);
            set(field, jsonString(next, value));
        } else if (r < 0.6) {
            if (removed.has("quantity")) continue;
            const q = quantityText(next);
            kinds.push(q.kind);
            inexact ||= q.inexact === true;
            set("quantity", q.text);
        } else if (r < 0.78) {
            if (removed.has("timestamp")) continue;
            const { kind, value } = timestampValue(next);
            kinds.push(kind);
            set("timestamp", jsonString(next, value));
        } else if (r < 0.84) {
            const name = pick(next, members)[0];
            kinds.push(`${name} missing`);
            removed.add(name);
            // Every copy of it, should an earlier change have given it twice.
            for (let i = members.length - 1; i >= 0; i--) if (members[i]![0] === name) members.splice(i, 1);
        } else if (r < 0.89) {
            const name = pick(next, members)[0];
            const value = pick(next, ["null", "true", "1", "\"1\"", "[]", "{}", "[\"x\"]", "{\"S\":\"x\"}", "-1.5"]);
            kinds.push(`${name} of another type`);
            set(name, value);
        } else if (r < 0.93) {
            const [name, text] = pick(next, members);
            kinds.push(`${name} given twice`);
            members.push([name, next() < 0.5 ? text : name === "quantity" ? "7" : jsonString(next, "other")]);
        } else {
            kinds.push("unknown fields");
            set(pick(next, ["note", "Quantity", "ORDERID", "_aws", "orderid", "__proto__", "constructor", ""]), pick(next, ["1", "null", "\"x\"", "{\"a\":[1,2]}"]));
        }
    }
    let order = `{${members.map(([n, v]) => `${jsonString(next, n)}:${v}`).join(",")}}`;
    const shape = next();
    if (shape < 0.04) {
        // Nesting around the limit of 16, in an unknown field.
        const depth = int(next, 13, 18);
        order = `${order.slice(0, -1)},"nested":${"[".repeat(depth - 1)}1${"]".repeat(depth - 1)}}`;
        kinds.push(`nested ${depth} levels deep`);
    } else if (shape < 0.07) {
        // Size around 64 KiB, padded by an unknown field.
        const target = 65536 + int(next, -2, 2);
        const room = target - Buffer.byteLength(order) - `,"pad":""`.length;
        if (room > 0) order = `${order.slice(0, -1)},"pad":"${"x".repeat(room)}"}`;
        kinds.push(`${Buffer.byteLength(order)} bytes`);
    } else if (shape < 0.1) {
        if (next() < 0.1) {
            // JSON's own white space around the order: still the order.
            order = `\n ${order} \t`;
            kinds.push("white space around the order");
        } else {
            order = pick(next, [`${order},`, order.slice(0, -1), `${order.slice(0, -1)},}`, `[${order}]`, "null", "\"order\"", "42", "", "   ", "\uFEFF" + order, order.replace(/"/g, "'"), `/*c*/${order}`, `${order}${order}`]);
            kinds.push("not an order object");
        }
    }
    const wrapped = next() < 0.3;
    const body = wrapped ? JSON.stringify({ ...ENVELOPE, TopicArn: "arn:aws:sns:us-east-1:123456789012:OrderTopic-test", Message: order }) : order;
    return { kind: `${kinds.join(" + ") || "the base order"}${wrapped ? " (in an SNS envelope)" : ""}`, body, ...(inexact ? { inexactNumber: true } : {}) };
}

/** `count` cases from `seed`. */
export function generateCases(seed: number, count: number): GeneratedCase[] {
    const next = random(seed);
    return Array.from({ length: count }, () => generateCase(next));
}
