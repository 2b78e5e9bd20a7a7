// The producers' contract (docs/asyncapi.yaml) against the function: the document validates, and its Order schema
// gives the function's verdict on every case of the bad-input corpus (tests/corpus/messages.json) that JSON Schema
// can judge. The function's own verdicts are checked on every case by the C# corpus test; this test only compares.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { parse as parseYaml } from "yaml";
import { DEFAULTS } from "../../infra/config";
import { physicalNames } from "../../infra/naming";
import { repositoryRoot } from "../../infra/repository";
import { compileOrderSchema as compile, describeErrors, fieldsInErrors } from "../../local/console/order-contract";
import { compareVerdicts, type FunctionOnlyRule, type FunctionVerdict, functionOnlyRules as readFunctionOnlyRules, parsedOrder as parsedOrderOf, rulesMatching as rulesMatchingVerdict } from "./verdicts";

interface CorpusCase {
    readonly name: string;
    readonly order?: string;
    readonly body?: string;
    readonly generate?: { readonly template: string; readonly fill: string; readonly count: number };
    readonly expect: "stored" | "invalid";
    readonly item?: Readonly<Record<string, string | number>>;
    readonly reason?: string;
    readonly reasonStartsWith?: string;
}


/** The part of the document this test reads. */
interface ContractDocument {
    readonly channels: { readonly orders: { readonly address: string } };
    readonly operations: {
        readonly publishOrder: {
            readonly action: string;
            readonly bindings: { readonly sns: { readonly consumers: readonly { readonly endpoint: { readonly name: string }; readonly rawMessageDelivery: boolean }[] } };
        };
    };
    readonly components: {
        readonly messages: {
            readonly Order: {
                readonly contentType: string;
                readonly payload: { readonly schemaFormat: string; readonly schema: OrderSchema };
                readonly examples: readonly { readonly name: string; readonly payload: unknown }[];
                readonly "x-function-only-rules": readonly FunctionOnlyRule[];
            };
        };
    };
}

interface OrderSchema {
    readonly properties: Readonly<Record<string, { readonly type: string; readonly maxLength?: number; readonly minimum?: number; readonly maximum?: number }>>;
}

const documentText = fs.readFileSync(path.join(repositoryRoot, "docs", "asyncapi.yaml"), "utf8");
const contract = parseYaml(documentText) as ContractDocument;
const orderMessage = contract.components.messages.Order;
const orderSchema = orderMessage.payload.schema;
const functionOnlyRules = readFunctionOnlyRules();

// Read as the test starts: the corpus grows, and every case it holds then is compared.
const corpus = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "tests", "corpus", "messages.json"), "utf8")) as { cases: CorpusCase[] };

/** The real SNS envelope sample, with the order in its Message, as an SQS body with raw delivery off. */
const envelopeSample = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "..", "shared", "events", "sns-envelope-in-sqs-body.aws-docs.json"), "utf8")) as Record<string, unknown>;
const inEnvelope = (order: string): string => JSON.stringify({ ...envelopeSample, TopicArn: "arn:aws:sns:us-east-1:123456789012:OrderTopic-test", Message: order });

/** One SQS body a case is tried as, named for the failure messages. */
interface Trial {
    readonly case: CorpusCase;
    readonly label: string;
    readonly body: string;
}

function trialsOf(c: CorpusCase): Trial[] {
    if (c.body !== undefined) return [{ case: c, label: c.name, body: c.body }];
    const { generate } = c;
    // Every {fill}, taken literally (as the C# corpus test's ordinal Replace does): a function replacement ignores "$&".
    const order = generate !== undefined ? generate.template.replaceAll("{fill}", () => generate.fill.repeat(generate.count)) : c.order!;
    return [
        { case: c, label: `${c.name} (raw)`, body: order },
        { case: c, label: `${c.name} (in an SNS envelope)`, body: inEnvelope(order) },
    ];
}

const trials = corpus.cases.flatMap(trialsOf);

/** The parsed order of a trial's body, or undefined when JavaScript's JSON.parse refuses it. */
const parsedOrder = (trial: Trial) => parsedOrderOf(trial.body);

/** The function's reason, or its known beginning; one problem per "; "-separated part. */
const reasonOf = (c: CorpusCase): string => c.reason ?? c.reasonStartsWith ?? "";
const problemsOf = (c: CorpusCase): string[] => reasonOf(c).split("; ");

/** The function's verdict on a case, as the corpus states it. */
const verdictOf = (c: CorpusCase): FunctionVerdict => ({ valid: c.expect === "stored", reason: reasonOf(c), reasonIsWhole: c.reason !== undefined });

/** The function-only rules a case's reason falls under. */
const rulesMatching = (c: CorpusCase) => rulesMatchingVerdict(functionOnlyRules, verdictOf(c));

const codePoints = (value: unknown): number | undefined => (typeof value === "string" ? [...value].length : undefined);

/** The schema as the console checks orders with it (local/console/order-contract.ts): strict ajv 2020-12 with formats. */
const compileOrderSchema = () => compile(orderSchema as unknown as Record<string, unknown>);

describe("the producers' contract, docs/asyncapi.yaml", () => {
    it("parses and validates with @asyncapi/parser", async () => {
        const { document, diagnostics } = await new Parser().parse(documentText);
        const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
        assert.deepEqual(errors.map((d) => `${d.path.join(".")}: ${d.message}`), []);
        assert.ok(document, "the parser returned no document");
        assert.equal(document.operations().get("publishOrder")?.action(), "receive");
        assert.equal(document.components().messages().get("Order")?.contentType(), "application/json");
    });

    it("names the stack's own topic and queue, and its default delivery", () => {
        for (const stack of ["dev", "prod"]) {
            const names = physicalNames(stack);
            assert.equal(contract.channels.orders.address.replace("{stack}", stack), names.topic);
            const [consumer] = contract.operations.publishOrder.bindings.sns.consumers;
            assert.equal(consumer?.endpoint.name.replace("{stack}", stack), names.queue);
            assert.equal(consumer?.rawMessageDelivery, DEFAULTS.rawMessageDelivery);
        }
    });

    it("its Order schema compiles with ajv (2020-12, strict, ajv-formats) and accepts the document's examples", () => {
        const validate = compileOrderSchema();
        assert.ok(orderMessage.examples.length > 0, "no example");
        for (const example of orderMessage.examples) {
            assert.ok(validate(example.payload), `example ${example.name}: ${describeErrors(validate.errors)}`);
        }
    });

    it("the schema gives the function's verdict on every corpus case it can judge", () => {
        const validate = compileOrderSchema();
        const disagreements: string[] = [];
        let judged = 0;
        for (const trial of trials) {
            const comparison = compareVerdicts(validate, functionOnlyRules, trial.body, verdictOf(trial.case));
            if (comparison.judged) judged++;
            if (comparison.disagreement) disagreements.push(`${trial.label}: ${comparison.disagreement}`);
        }
        assert.deepEqual(disagreements, []);
        assert.ok(judged >= trials.length / 2, `only ${judged} of ${trials.length} trials were judged by the schema`);
    });

    it("each function-only rule is judged by the function on at least one corpus case, and its pattern is anchored", () => {
        assert.ok(functionOnlyRules.length > 0, "no x-function-only-rules");
        for (const rule of functionOnlyRules) {
            // Anchored at the start, so that a pattern cannot take a field's reason for a rule about another field.
            assert.ok(rule.reasonPattern.startsWith("^"), `${rule.reasonPattern} is not anchored at the start`);
            const cases = corpus.cases.filter((c) => rulesMatching(c).includes(rule));
            assert.ok(cases.length > 0, `no corpus case has a reason matching ${rule.reasonPattern} (${rule.rule.trim()})`);
        }
    });

    // One source of truth for limits: the schema's limits must be the function's. For each limit the corpus holds a
    // case the function stores at the limit and one it rejects just past it, for that field; the schema must agree on
    // both. A limit changed on one side only then fails here or in the C# corpus test.
    describe("limits: the schema's are the function's", () => {
        const validate = compileOrderSchema();
        const withOrders = trials.map((trial) => {
            const order = parsedOrder(trial)?.value;
            return { trial, order: typeof order === "object" && order !== null && !Array.isArray(order) ? (order as Record<string, unknown>) : undefined };
        });

        function assertLimit(field: string, description: string, atLimit: (value: unknown) => boolean, pastLimit: (value: unknown) => boolean) {
            const stored = withOrders.filter(({ trial }) => trial.case.expect === "stored" && atLimit(trial.case.item?.[field]));
            assert.ok(stored.length > 0, `the corpus has no stored case whose ${field} is ${description}; add one, with the item it becomes`);
            for (const { trial, order } of stored) {
                assert.ok(validate(order), `${trial.label}: the function stores its ${field} (${description}), the schema rejects it: ${describeErrors(validate.errors)}`);
            }
            const rejected = withOrders.filter(
                ({ trial, order }) => trial.case.expect === "invalid" && order !== undefined && pastLimit(order[field]) && problemsOf(trial.case).some((p) => p.startsWith(`${field}: `)),
            );
            assert.ok(rejected.length > 0, `the corpus has no case rejected for its ${field} just past ${description}; add one, with the function's reason`);
            for (const { trial, order } of rejected) {
                assert.ok(!validate(order), `${trial.label}: the function rejects its ${field} (${reasonOf(trial.case)}), the schema accepts it`);
                assert.ok(fieldsInErrors(validate.errors ?? []).includes(field), `${trial.label}: the schema rejects it, but not for ${field}: ${describeErrors(validate.errors)}`);
            }
        }

        for (const [field, property] of Object.entries(orderSchema.properties)) {
            const { maxLength, minimum, maximum } = property;
            if (maxLength !== undefined) {
                it(`${field}: at most ${maxLength} characters`, () =>
                    assertLimit(field, `${maxLength} characters`, (v) => codePoints(v) === maxLength, (v) => codePoints(v) === maxLength + 1));
            }
            if (minimum !== undefined) {
                it(`${field}: at least ${minimum}`, () => assertLimit(field, `${minimum}`, (v) => v === minimum, (v) => v === minimum - 1));
            }
            if (maximum !== undefined) {
                it(`${field}: at most ${maximum}`, () => assertLimit(field, `${maximum}`, (v) => v === maximum, (v) => v === maximum + 1));
            }
        }

        it("every string field has a maxLength and the quantity a range", () => {
            for (const [field, property] of Object.entries(orderSchema.properties)) {
                if (property.type === "string" && field !== "timestamp") assert.ok(property.maxLength !== undefined, `${field} has no maxLength`);
                if (property.type === "integer") assert.ok(property.minimum !== undefined && property.maximum !== undefined, `${field} has no range`);
            }
        });
    });
});
