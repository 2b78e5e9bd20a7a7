// The producers' contract (docs/asyncapi.yaml) as code: its Order schema compiled as the contract test compiles it,
// and a verdict on a text a user is about to publish, with the fields at fault named as the function names them.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse as parseYaml } from "yaml";
import { repositoryRoot } from "../../infra/repository";

/** The Order message of the document: its schema, its examples and the rules only the function applies. */
export interface OrderMessage {
    readonly payload: { readonly schema: Record<string, unknown> };
    readonly examples: readonly { readonly name: string; readonly payload: unknown }[];
    readonly "x-function-only-rules": readonly { readonly rule: string; readonly reasonPattern: string }[];
}

export const CONTRACT_FILE = path.join(repositoryRoot, "docs", "asyncapi.yaml");

/** The Order message of docs/asyncapi.yaml. */
export function readOrderMessage(text: string = fs.readFileSync(CONTRACT_FILE, "utf8")): OrderMessage {
    const document = parseYaml(text) as { components: { messages: { Order: OrderMessage } } };
    return document.components.messages.Order;
}

/** The schema compiled strictly: a keyword ajv does not know, or a format it cannot check, is an error rather than ignored. */
export function compileOrderSchema(schema: Record<string, unknown>): ValidateFunction {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    return ajv.compile(schema);
}

/** The fields the schema's errors name ("order" for the order as a whole), sorted. */
export const fieldsInErrors = (errors: readonly ErrorObject[]): string[] =>
    [...new Set(errors.map(fieldOf))].sort();

function fieldOf(e: ErrorObject): string {
    return e.keyword === "required" ? String(e.params.missingProperty) : e.instancePath.split("/")[1] || "order";
}

export const describeErrors = (errors: readonly ErrorObject[] | null | undefined): string =>
    (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`).join(", ");

/** What the contract says of a text before it is published. */
export interface ContractVerdict {
    /** The schema accepts it. */
    readonly valid: boolean;
    /** JSON.parse's error when it is not JSON. */
    readonly parseError?: string;
    /** Each problem with the field it is about, as the function's reasons name fields ("field: problem"). */
    readonly problems: readonly { readonly field: string; readonly message: string }[];
    /** Its orderId, when it has a string one. */
    readonly orderId?: string;
}

/** Checks texts against the Order schema of docs/asyncapi.yaml. */
export class OrderContract {
    private readonly validate: ValidateFunction;
    readonly message: OrderMessage;

    constructor(text?: string) {
        this.message = readOrderMessage(text);
        this.validate = compileOrderSchema(this.message.payload.schema);
    }

    /** The rules the function applies that JSON Schema cannot express (the document's x-function-only-rules). */
    get functionOnlyRules(): string[] {
        return this.message["x-function-only-rules"].map((r) => r.rule.trim());
    }

    check(text: string): ContractVerdict {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch (error) {
            const parseError = error instanceof Error ? error.message : String(error);
            return { valid: false, parseError, problems: [{ field: "order", message: `not JSON: ${parseError}` }] };
        }
        const orderId = typeof value === "object" && value !== null && typeof (value as { orderId?: unknown }).orderId === "string"
            ? (value as { orderId: string }).orderId
            : undefined;
        if (this.validate(value)) return { valid: true, problems: [], ...(orderId !== undefined ? { orderId } : {}) };
        const problems = (this.validate.errors ?? []).map((e) => ({ field: fieldOf(e), message: e.message ?? e.keyword }));
        return { valid: false, problems, ...(orderId !== undefined ? { orderId } : {}) };
    }
}
