// Reading the IAM policy documents that resources carry, whatever shape a program gave them (a JSON string or an
// object; one value or a list), into one plain form the rules can check. Written for any program, not only this
// stack's infra/policies.ts: the pack must judge what a resource really says.

/** One statement, normalised: every list is a list, every key is where the rules look for it. */
export interface Statement {
    /** The Sid, or "statement <n>" (counting from 1) when it has none. */
    readonly label: string;
    readonly effect: "Allow" | "Deny";
    /** Principal (or NotPrincipal) as written: "*", or {AWS|Service|Federated|CanonicalUser: string | string[]}; undefined in identity policies. */
    readonly principal: unknown;
    /** True when the statement uses NotPrincipal: it names everyone but `principal`. */
    readonly notPrincipal: boolean;
    readonly actions: readonly string[];
    /** True when the statement uses NotAction: it grants everything but `actions`. */
    readonly notAction: boolean;
    readonly resources: readonly string[];
    /** True when the statement uses NotResource: it applies to everything but `resources`. */
    readonly notResource: boolean;
    /** Condition as written: operator → key → value(s). */
    readonly condition: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Where an IAM document sits on a resource, and whose side of a request it governs. */
export interface DocumentField {
    /** Property path on the resource's inputs; `[]` steps into each element of a list. */
    readonly path: readonly string[];
    /** identity: what a principal may do. resource: who may act on this resource. trust: who may assume this role. */
    readonly kind: "identity" | "resource" | "trust";
    /** A queue's access policy (aws:sqs/queuePolicy or the queue's own `policy`). */
    readonly queue?: boolean;
}

/**
 * Every resource type whose inputs hold an IAM document this pack judges (token → fields). Role policies (inline and
 * managed) are identity policies; queue, topic and bucket policies are resource policies; a role's assumeRolePolicy is
 * its trust policy.
 */
export const DOCUMENT_FIELDS: Readonly<Record<string, readonly DocumentField[]>> = {
    "aws:iam/rolePolicy:RolePolicy": [{ path: ["policy"], kind: "identity" }],
    "aws:iam/policy:Policy": [{ path: ["policy"], kind: "identity" }],
    "aws:iam/role:Role": [
        { path: ["assumeRolePolicy"], kind: "trust" },
        { path: ["inlinePolicies", "[]", "policy"], kind: "identity" },
    ],
    "aws:sqs/queuePolicy:QueuePolicy": [{ path: ["policy"], kind: "resource", queue: true }],
    "aws:sqs/queue:Queue": [{ path: ["policy"], kind: "resource", queue: true }],
    "aws:sns/topicPolicy:TopicPolicy": [{ path: ["policy"], kind: "resource" }],
    "aws:sns/topic:Topic": [{ path: ["policy"], kind: "resource" }],
    "aws:s3/bucketPolicy:BucketPolicy": [{ path: ["policy"], kind: "resource" }],
};

/** A document found on a resource: its field and its statements, or why it could not be read (then no statements). */
export interface FoundDocument {
    readonly field: DocumentField;
    readonly statements: readonly Statement[];
    readonly unreadable?: string;
}

/** A document that is not valid JSON or has no statement list: reported once, by the pack's readable-documents rule. */
export class DocumentError extends Error {}

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** Values at `path` (with `[]` stepping into lists), skipping what is absent. */
function valuesAt(props: unknown, path: readonly string[]): unknown[] {
    let current: unknown[] = [props];
    for (const step of path) {
        const next: unknown[] = [];
        for (const value of current) {
            if (value === undefined || value === null) continue;
            if (step === "[]") {
                if (Array.isArray(value)) next.push(...value);
            } else if (typeof value === "object") {
                next.push((value as Record<string, unknown>)[step]);
            }
        }
        current = next;
    }
    return current.filter((value) => value !== undefined && value !== null && value !== "");
}

/** The statements of one document (a JSON string or an object). Throws DocumentError on anything else. */
export function readStatements(document: unknown): Statement[] {
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch (error) {
            throw new DocumentError(`is not JSON (${(error as Error).message})`);
        }
    }
    const raw = typeof parsed === "object" && parsed !== null ? (parsed as { Statement?: unknown }).Statement : undefined;
    if (typeof raw !== "object" || raw === null) throw new DocumentError("has no Statement");
    const statements = Array.isArray(raw) ? raw : [raw];
    return statements.map((entry, index) => {
        const s = entry as Record<string, unknown>;
        return {
            label: typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : `statement ${index + 1}`,
            effect: s.Effect === "Deny" ? "Deny" : "Allow",
            principal: s.Principal ?? s.NotPrincipal,
            notPrincipal: s.NotPrincipal !== undefined,
            actions: list(s.Action ?? s.NotAction),
            notAction: s.NotAction !== undefined,
            resources: list(s.Resource ?? s.NotResource),
            notResource: s.NotResource !== undefined,
            condition: (typeof s.Condition === "object" && s.Condition !== null ? s.Condition : {}) as Statement["condition"],
        };
    });
}

/**
 * Every IAM document on a resource of type `type` with inputs `props`. During a preview an input that depends on a
 * resource not yet created is unknown: reading it throws @pulumi/policy's UnknownValueError, which must pass through
 * (the policy then runs at `pulumi up`, when the value is known).
 */
export function documentsOf(type: string, props: Readonly<Record<string, unknown>>): FoundDocument[] {
    return (DOCUMENT_FIELDS[type] ?? []).flatMap((field) =>
        valuesAt(props, field.path).map((document) => {
            try {
                return { field, statements: readStatements(document) };
            } catch (error) {
                if (!(error instanceof DocumentError)) throw error;
                return { field, statements: [], unreadable: `${field.path.filter((step) => step !== "[]").join(".")} ${error.message}` };
            }
        }),
    );
}

/** The values a statement's condition compares `key` with under `operator`; key names are case-insensitive in IAM. */
export function conditionValues(statement: Statement, operator: string, key: string): string[] | undefined {
    const block = statement.condition[operator];
    if (block === undefined) return undefined;
    const found = Object.keys(block).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : list(block[found]);
}

/** Every condition operator of a statement that tests `key` (case-insensitive), e.g. ["ArnEquals"]. */
export function operatorsOn(statement: Statement, key: string): string[] {
    return Object.keys(statement.condition).filter((operator) => conditionValues(statement, operator, key) !== undefined);
}

/** True when a statement names everyone: Principal "*" or {AWS: "*"} (alone or in a list), or any NotPrincipal. */
export function isPublic(statement: Statement): boolean {
    const principal = statement.principal;
    if (statement.notPrincipal || principal === "*") return true;
    if (typeof principal !== "object" || principal === null) return false;
    return list((principal as Record<string, unknown>).AWS).includes("*");
}

/** The principal as a short phrase for messages: "sns.amazonaws.com", "*", "arn:aws:iam::…". */
export function describePrincipal(principal: unknown): string {
    if (typeof principal === "string") return principal;
    if (typeof principal !== "object" || principal === null) return "any principal";
    return Object.values(principal as Record<string, unknown>).flatMap(list).join(", ");
}
