// The console's own logic, without a browser or a pipeline: the EMF reading and the statistics behind the metrics,
// the dashboard's widgets and the stack's alarms on local figures, an order's story from fauxqs' events and the
// function's log, the contract check, the request checks and "publish N variants".
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { dashboardBody } from "../../infra/dashboard";
import { FUNCTION_METRICS_DIMENSION, FUNCTION_METRICS_NAMESPACE } from "../../infra/function-contract";
import { physicalNames } from "../../infra/naming";
import { repositoryRoot } from "../../infra/repository";
import { loadStackSettings } from "../../infra/stack-file";
import { emfValues, LocalDashboard, metricKey, MetricStore, statistic } from "../../local/console/metrics";
import { ConsoleModel } from "../../local/console/model";
import { OrderContract } from "../../local/console/order-contract";
import { MAX_VARIANTS, refusal, variantsOf } from "../../local/console/server";
import type { MessageEvent } from "../../local/emulators/servers";

const SHARED_EVENTS = path.join(repositoryRoot, "..", "shared", "events");
const sample = fs.readFileSync(path.join(SHARED_EVENTS, "order.sample.json"), "utf8");
const names = physicalNames("dev");
const modelNames = { topic: names.topic, queue: names.queue, deadLetterQueue: names.deadLetterQueue, function: names.function };

describe("emfValues: the metrics CloudWatch extracts from an EMF document", () => {
    // The specification's own example: one directive, one dimension set, one metric.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
    it("reads the specification's example", () => {
        const document = {
            _aws: {
                Timestamp: 1574109732004,
                CloudWatchMetrics: [{ Namespace: "lambda-function-metrics", Dimensions: [["functionVersion"]], Metrics: [{ Name: "time", Unit: "Milliseconds", StorageResolution: 60 }] }],
            },
            functionVersion: "$LATEST",
            time: 100,
            requestId: "989ffbf8-9ace-4817-a57c-e4dd734019ee",
        };
        assert.deepEqual(emfValues(document), [{ key: metricKey("lambda-function-metrics", "time", ["$LATEST"]), value: 100 }]);
    });

    it("takes every value of an array, every dimension set, and skips what the specification does not extract", () => {
        const document = {
            _aws: {
                Timestamp: 1,
                CloudWatchMetrics: [
                    { Namespace: "N", Dimensions: [["A"], ["A", "B"], ["Missing"], "not a set"], Metrics: [{ Name: "Latency" }, { Name: "Text" }, { Name: "Absent" }, {}] },
                    { Namespace: 7, Dimensions: [["A"]], Metrics: [{ Name: "Latency" }] },
                ],
            },
            A: "a",
            B: "b",
            Latency: [1, 2, "3", Number.NaN],
            Text: "12",
        };
        assert.deepEqual(emfValues(document), [
            { key: "N|Latency|a", value: 1 },
            { key: "N|Latency|a", value: 2 },
            { key: "N|Latency|a|b", value: 1 },
            { key: "N|Latency|a|b", value: 2 },
        ]);
    });

    it("gives nothing for a line that is not an EMF document", () => {
        assert.deepEqual(emfValues({ message: "order record processed" }), []);
        assert.deepEqual(emfValues({ _aws: { CloudWatchMetrics: "no" } }), []);
        assert.deepEqual(emfValues({ _aws: null }), []);
    });
});

describe("statistic: CloudWatch's statistics over one period", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    it("computes Sum, Maximum, Minimum, Average, SampleCount and percentiles", () => {
        assert.equal(statistic(values, "Sum"), 5050);
        assert.equal(statistic(values, "Maximum"), 100);
        assert.equal(statistic(values, "Minimum"), 1);
        assert.equal(statistic(values, "Average"), 50.5);
        assert.equal(statistic(values, "SampleCount"), 100);
        assert.ok(Math.abs(statistic(values, "p50")! - 50.5) <= 0.5, String(statistic(values, "p50")));
        assert.ok(statistic(values, "p99")! >= 99 && statistic(values, "p99")! <= 100, String(statistic(values, "p99")));
        assert.equal(statistic([], "Sum"), undefined);
    });

    it("names the statistics it computes when asked for another", () => {
        assert.throws(() => statistic([1], "TM(10%:90%)"), /TM\(10%:90%\) is not one the console computes \(Sum, Maximum, Minimum, Average, SampleCount, pNN\)/);
    });
});

describe("MetricStore", () => {
    const at = (seconds: number) => 1_800_000_000_000 + seconds * 1000;

    it("keeps values per period, aligned with the periods it lists, the newest last", () => {
        const store = new MetricStore(5, 4);
        store.add("k", 1, at(0));
        store.add("k", 2, at(1));
        store.add("k", 5, at(11));
        const now = at(12);
        assert.deepEqual(store.times(now).map((t) => t - at(0) / 1000), [-5, 0, 5, 10]);
        assert.deepEqual(store.series("k", "Sum", now), [null, 3, null, 5]);
        assert.deepEqual(store.series("other", "Sum", now), [null, null, null, null]);
        // over(): the last 10 s are two periods, the one under way (from 10 s) and the one before (from 5 s).
        assert.equal(store.over("k", "Sum", 10, now), 5);
        assert.equal(store.over("k", "Sum", 15, now), 8);
        assert.equal(store.over("k", "Sum", 3, now), 5);
        assert.equal(store.over("other", "Sum", 60, now), undefined);
    });

    it("forgets periods older than the ones it keeps", () => {
        const store = new MetricStore(5, 2);
        store.add("k", 1, at(0));
        store.add("k", 1, at(20));
        assert.equal(store.over("k", "SampleCount", 3600, at(20)), 1);
    });

    it("past 10,000 values in a period, samples them and still counts and sums them all", () => {
        const store = new MetricStore(60, 2);
        for (let i = 0; i < 25_000; i++) store.add("k", 2, at(1));
        assert.equal(store.over("k", "SampleCount", 60, at(2)), 25_000);
        assert.equal(store.over("k", "Sum", 60, at(2)), 50_000);
        assert.equal(store.series("k", "Maximum", at(2)).at(-1), 2);
    });
});

describe("LocalDashboard: the stack's dashboard and alarms on local figures", () => {
    const settings = loadStackSettings("dev");
    const resources = modelNames;

    it("has the dashboard's own metric widgets, in its order, with its thresholds", () => {
        const store = new MetricStore();
        const view = new LocalDashboard(store, resources, settings, "us-east-1", names.function).view();
        const deployed = dashboardBody(resources, settings, "us-east-1").widgets.filter((w) => w.type === "metric");
        assert.deepEqual(view.widgets.map((w) => w.title), deployed.map((w) => w.properties.title));
        assert.deepEqual(
            view.widgets.map((w) => w.annotations.map((a) => a.value)),
            deployed.map((w) => (w.properties.annotations?.horizontal ?? []).map((a) => a.value)),
        );
        assert.equal(view.times.length, store.keep);
        for (const widget of view.widgets) for (const line of widget.lines) assert.equal(line.values.length, store.keep, `${widget.title}: ${line.label}`);
    });

    it("fires an alarm when the local figures cross its threshold, and marks its widgets", () => {
        const store = new MetricStore();
        const dashboard = new LocalDashboard(store, resources, settings, "us-east-1", names.function);
        const dlqAlarm = `${names.function}-dlq-not-empty`;
        const quiet = dashboard.view();
        assert.deepEqual(quiet.alarms.filter((a) => a.firing), [], "no data is not breaching");
        assert.equal(quiet.alarms.find((a) => a.name === dlqAlarm)?.value, null);

        const now = Date.now();
        store.add(metricKey("AWS/SQS", "ApproximateNumberOfMessagesVisible", [names.deadLetterQueue]), 0, now - 1000);
        assert.equal(dashboard.view(now).alarms.find((a) => a.name === dlqAlarm)?.firing, false, "0 is not > 0");
        store.add(metricKey("AWS/SQS", "ApproximateNumberOfMessagesVisible", [names.deadLetterQueue]), 1, now);
        const view = dashboard.view(now);
        assert.deepEqual(view.alarms.filter((a) => a.firing).map((a) => a.name), [dlqAlarm]);
        const marked = view.widgets.filter((w) => w.firing.includes(dlqAlarm));
        assert.ok(marked.length >= 1, "a widget draws the DLQ's depth");
        assert.ok(marked.every((w) => w.lines.some((l) => l.values.at(-1) === 1)));

        // The function's own metric, in its EMF namespace and dimension: more invalid orders than the threshold in 5 minutes.
        const invalid = metricKey(FUNCTION_METRICS_NAMESPACE, "Invalid", [names.function]);
        for (let i = 0; i <= settings.invalidOrdersAlarmThreshold; i++) store.add(invalid, 1, now - 200_000);
        assert.ok(dashboard.view(now).alarms.some((a) => a.name === `${names.function}-invalid-orders` && a.firing));
        assert.ok(!dashboard.view(now + 400_000).alarms.some((a) => a.name === `${names.function}-invalid-orders` && a.firing), "past its 5 minutes");
        assert.equal(FUNCTION_METRICS_DIMENSION, "FunctionName");
    });
});

describe("ConsoleModel: an order's story", () => {
    let clock = 1_800_000_000_000;
    const sns = (body: string, messageId: string): Extract<MessageEvent, { service: "sns" }> => ({ service: "sns", topicArn: `arn:aws:sns:us-east-1:000000000000:${names.topic}`, topicName: names.topic, messageId, body, messageAttributes: {}, status: "published", timestamp: ++clock });
    const sqs = (queueName: string, messageId: string, body: string, status: "published" | "consumed" | "dlq"): MessageEvent => ({ service: "sqs", queueName, messageId, body, messageAttributes: {}, status, timestamp: ++clock });
    const envelope = (message: string, messageId: string) => {
        // AWS's own example of an SNS notification in an SQS body, carrying this order instead of "Hello world!".
        const aws = JSON.parse(fs.readFileSync(path.join(SHARED_EVENTS, "sns-envelope-in-sqs-body.aws-docs.json"), "utf8")) as Record<string, unknown>;
        return JSON.stringify({ ...aws, MessageId: messageId, Message: message });
    };
    const record = (fields: Record<string, unknown>) => JSON.stringify({ timestamp: "2026-01-01T00:00:00.000Z", level: "INFO", requestId: "r-1", message: "order record processed", ...fields });

    it("follows a published order through the envelope, its receive and its delete, and counts it", async () => {
        const model = new ConsoleModel(modelNames);
        // fauxqs delivers to the subscribed queue right after its publish event, in the same turn.
        model.message(sns(sample, "sns-1"));
        model.message(sqs(names.queue, "sqs-1", envelope(sample, "sns-1"), "published"));
        await new Promise((resolve) => setImmediate(resolve));
        model.functionLog(record({ messageId: "sqs-1", snsMessageId: "sns-1", orderId: "O1234", outcome: "stored", receiveCount: 1 }), ++clock);
        model.message(sqs(names.queue, "sqs-1", envelope(sample, "sns-1"), "consumed"));

        const story = model.story("O1234");
        assert.equal(story?.key, "O1234");
        assert.deepEqual(story.events.map((e) => e.kind), ["published", "enqueued", "received", "deleted"]);
        assert.equal(story.events[1]!.snsMessageId, "sns-1", "the queue's message is the topic's delivery");
        assert.deepEqual(story.events[0]!.version, { timestamp: "2025-05-03T12:00:00Z", status: "new", quantity: 1 });
        assert.equal(story.events[2]!.outcome, "stored");
        assert.equal(model.story("sqs-1")?.key, "O1234", "found by its message id too");
        const counts = model.counts(clock);
        assert.equal(counts.published, 1);
        assert.equal(counts.sentToQueue, 0);
        assert.equal(counts.queue.oldestAgeSeconds, 0, "nothing is left undeleted");
        assert.deepEqual(model.takeTouched(), ["O1234"]);
        assert.deepEqual(model.takeTouched(), []);
    });

    it("tells a message sent straight to the queue from a delivery, and keeps a poison message's story to the DLQ", async () => {
        const model = new ConsoleModel(modelNames);
        model.message(sqs(names.queue, "sqs-2", "not json", "published"));
        await new Promise((resolve) => setImmediate(resolve));
        for (const receiveCount of [1, 2, 3]) {
            model.functionLog(record({ level: "WARN", messageId: "sqs-2", outcome: "invalid", reason: "order is not valid JSON", receiveCount }), ++clock);
        }
        model.message(sqs(names.deadLetterQueue, "sqs-2", "not json", "dlq"));
        const story = model.story("sqs-2");
        assert.equal(story?.key, "sqs-2", "no orderId: the story is the message's");
        assert.deepEqual(story.events.map((e) => e.kind), ["enqueued", "received", "received", "received", "dead-lettered"]);
        assert.deepEqual(story.events.filter((e) => e.kind === "received").map((e) => e.receiveCount), [1, 2, 3]);
        assert.equal(story.events[0]!.body, "not json");
        assert.equal(model.reasonFor("sqs-2"), "order is not valid JSON");
        assert.equal(model.counts().sentToQueue, 1);
        assert.equal(model.story("nothing"), undefined);
    });

    it("takes a redrive (a copy sent to the queue, then the DLQ's message deleted) for what it is: the story goes on", async () => {
        const model = new ConsoleModel(modelNames);
        model.message(sqs(names.queue, "first", "poison", "published"));
        await new Promise((resolve) => setImmediate(resolve));
        model.message(sqs(names.deadLetterQueue, "first", "poison", "dlq"));
        // As local/event-source/moves.ts redrives: send the body to the order queue, then delete it from the DLQ.
        model.message(sqs(names.queue, "copy", "poison", "published"));
        await new Promise((resolve) => setImmediate(resolve));
        model.functionLog(record({ level: "WARN", messageId: "copy", outcome: "invalid", reason: "order is not valid JSON", receiveCount: 1 }), ++clock);
        model.message(sqs(names.deadLetterQueue, "first", "poison", "consumed"));
        // A message sent straight to the queue with no DLQ delete after it stays what it was.
        model.message(sqs(names.queue, "other", "poison", "published"));

        const story = model.story("copy");
        assert.equal(story?.key, "first", "the copy continues the first message's story");
        assert.deepEqual(story.events.map((e) => `${e.kind} ${e.messageId}`), ["enqueued first", "dead-lettered first", "redriven copy", "received copy", "left the DLQ first"]);
        assert.equal(story.events[2]!.from, "first");
        assert.equal(model.counts().sentToQueue, 2, "the first message and the other one; not the redrive");
        assert.equal(model.story("other")?.key, "other");
    });

    it("ignores other topics and queues, and ages the oldest undeleted message", () => {
        const model = new ConsoleModel(modelNames);
        model.message({ ...sns(sample, "x"), topicName: "SomeoneElsesTopic" });
        model.message(sqs("SomeoneElsesQueue", "y", sample, "published"));
        assert.equal(model.counts().published, 0);
        assert.equal(model.story("O1234"), undefined);
        const enqueued = ++clock;
        model.message({ ...sqs(names.queue, "z", sample, "published"), timestamp: enqueued });
        assert.equal(model.counts(enqueued + 42_500).queue.oldestAgeSeconds, 42);
    });

    it("keeps the log's lines with their fields, counts EMF outcomes, and hands out only new lines, the newest when too many", () => {
        const model = new ConsoleModel(modelNames);
        model.functionLog("plain text a runtime printed", clock);
        model.functionLog(record({ messageId: "m", orderId: "O1", outcome: "stored" }), clock);
        const emf = {
            _aws: { Timestamp: clock, CloudWatchMetrics: [{ Namespace: FUNCTION_METRICS_NAMESPACE, Dimensions: [[FUNCTION_METRICS_DIMENSION]], Metrics: [{ Name: "Stored" }, { Name: "Invalid" }] }] },
            [FUNCTION_METRICS_DIMENSION]: names.function,
            Stored: 3,
            Invalid: 1,
        };
        model.functionLog(JSON.stringify(emf), clock);
        const first = model.logSince(0);
        assert.equal(first.lines.length, 3);
        assert.equal(first.lines[0]!.level, "INFO", "a line that is not JSON is INFO, as Lambda's filter takes it");
        assert.deepEqual([first.lines[1]!.orderId, first.lines[1]!.messageId, first.lines[1]!.outcome, first.lines[1]!.requestId], ["O1", "m", "stored", "r-1"]);
        assert.equal(model.counts().function.outcomes.Stored, 3);
        assert.equal(model.counts().function.outcomes.Invalid, 1);
        assert.equal(model.metrics.over(metricKey(FUNCTION_METRICS_NAMESPACE, "Stored", [names.function]), "Sum", 60, clock), 3);

        const seen = model.lastSeq;
        for (let i = 0; i < 10; i++) model.functionLog(`line ${i}`, clock);
        const next = model.logSince(seen, 4);
        assert.deepEqual(next.lines.map((l) => l.line), ["line 6", "line 7", "line 8", "line 9"]);
        assert.equal(next.skipped, 6);
        assert.deepEqual(model.logSince(model.lastSeq).lines, []);
    });

    it("counts invocations and errors as Lambda's metrics would", () => {
        const model = new ConsoleModel(modelNames);
        const report = { received: 10, deleted: 10, outcome: "ok" as const, receiveMs: 1, invokeMs: 12, deleteMs: 1 };
        model.invocation(report as never, clock);
        model.invocation({ ...report, outcome: "function-error" } as never, clock);
        assert.equal(model.counts().function.invocations, 2);
        assert.equal(model.counts().function.errors, 1);
        assert.equal(model.metrics.over(metricKey("AWS/Lambda", "Errors", [names.function]), "Sum", 60, clock), 1);
        assert.equal(model.metrics.over(metricKey("AWS/Lambda", "Duration", [names.function]), "Maximum", 60, clock), 12);
    });
});

describe("OrderContract: the producers' contract before publishing", () => {
    const contract = new OrderContract();
    it("accepts the sample and names the field of each problem", () => {
        assert.deepEqual(contract.check(sample), { valid: true, problems: [], orderId: "O1234" });
        const missing = contract.check(JSON.stringify({ ...JSON.parse(sample), quantity: undefined }));
        assert.equal(missing.valid, false);
        assert.deepEqual(missing.problems.map((p) => p.field), ["quantity"]);
        const wrong = contract.check(JSON.stringify({ ...JSON.parse(sample), quantity: 0 }));
        assert.deepEqual(wrong.problems.map((p) => p.field), ["quantity"]);
    });

    it("gives JSON's own parse error for text that is not JSON", () => {
        const verdict = contract.check("{\"orderId\": ");
        assert.equal(verdict.valid, false);
        assert.match(verdict.parseError ?? "", /JSON/);
        assert.equal(verdict.problems[0]!.field, "order");
    });

    it("lists the rules only the function applies", () => {
        assert.ok(contract.functionOnlyRules.length > 0);
    });
});

describe("refusal: which requests the console's server answers", () => {
    const origins = ["http://127.0.0.1:4580", "http://localhost:4580"];
    const hosts = ["127.0.0.1:4580", "localhost:4580"];
    const request = (method: string, headers: Record<string, string>) => ({ method, headers });
    const json = { host: "127.0.0.1:4580", "content-type": "application/json" };

    it("answers its own page, and scripts that send no browser headers", () => {
        assert.equal(refusal(request("GET", { host: "127.0.0.1:4580" }), origins, hosts), undefined);
        assert.equal(refusal(request("GET", { host: "localhost:4580", "sec-fetch-site": "none" }), origins, hosts), undefined);
        assert.equal(refusal(request("POST", { ...json, origin: "http://127.0.0.1:4580", "sec-fetch-site": "same-origin" }), origins, hosts), undefined);
        assert.equal(refusal(request("POST", { ...json, "content-type": "application/json; charset=utf-8" }), origins, hosts), undefined, "curl");
    });

    for (const [what, method, headers, reason] of [
        ["another host name (DNS rebinding)", "GET", { host: "attacker.example:4580" }, /answers requests for 127\.0\.0\.1:4580 or localhost:4580, not for "attacker\.example:4580"/],
        ["a cross-site page's request", "POST", { ...json, origin: "https://attacker.example", "sec-fetch-site": "cross-site" }, /a cross-site request/],
        ["a same-site page of another port", "POST", { ...json, origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-site" }, /a same-site request/],
        ["another origin without Sec-Fetch-Site", "POST", { ...json, origin: "http://127.0.0.1:8080" }, /a request from http:\/\/127\.0\.0\.1:8080/],
        ["a form's POST", "POST", { host: "127.0.0.1:4580", "content-type": "application/x-www-form-urlencoded" }, /Content-Type "application\/x-www-form-urlencoded"/],
        ["text/plain (no preflight)", "POST", { host: "127.0.0.1:4580", "content-type": "text/plain" }, /takes application\/json/],
        ["a DELETE", "DELETE", { host: "127.0.0.1:4580" }, /DELETE; the console's API takes GET and POST/],
        ["a HEAD (no route answers one)", "HEAD", { host: "127.0.0.1:4580" }, /HEAD; the console's API takes GET and POST/],
    ] as const) {
        it(`refuses ${what}`, () => {
            assert.match(refusal(request(method, headers), origins, hosts) ?? "answered", reason);
        });
    }
});

describe("variantsOf: publish N variants", () => {
    it("gives each variant its own orderId, the rest of the order as it was", () => {
        const variants = variantsOf(sample, 3).map((text) => JSON.parse(text) as Record<string, unknown>);
        assert.deepEqual(variants.map((v) => v.orderId), ["O1234-1", "O1234-2", "O1234-3"]);
        for (const v of variants) assert.deepEqual({ ...v, orderId: "O1234" }, JSON.parse(sample));
    });

    it("keeps an orderId within the contract's 1024 UTF-8 bytes, cutting whole code points", () => {
        const long = "€".repeat(341); // 1023 bytes
        const ids = variantsOf(JSON.stringify({ ...JSON.parse(sample), orderId: long }), 12).map((text) => (JSON.parse(text) as { orderId: string }).orderId);
        for (const id of ids) {
            assert.ok(Buffer.byteLength(id) <= 1024, `${Buffer.byteLength(id)} bytes`);
            assert.ok(!id.includes("\uFFFD"));
        }
        assert.ok(ids[11]!.endsWith("€-12"));
        assert.equal(new Set(ids).size, 12);
        assert.equal(new OrderContract().check(variantsOf(JSON.stringify({ ...JSON.parse(sample), orderId: long }), 1)[0]!).valid, true);
    });

    it("leaves an orderId already over the limit over it, as the order it varies", () => {
        const over = "x".repeat(1100);
        assert.equal((JSON.parse(variantsOf(JSON.stringify({ orderId: over }), 1)[0]!) as { orderId: string }).orderId, `${over}-1`);
    });

    it("refuses what has no string orderId to vary", () => {
        for (const text of ["not json", "[]", "null", JSON.stringify({ orderId: 7 })]) assert.throws(() => variantsOf(text, 2), /a JSON object with a string orderId/, text);
        assert.ok(MAX_VARIANTS >= 100);
    });
});
