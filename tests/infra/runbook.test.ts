// docs/RUNBOOK.md against the alarms the stack really creates (dev and prod, under Pulumi mocks): a section per
// alarm, each saying what it means, what to look at and how to recover, and each alarm pointing at its section.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { outageToleranceSeconds, recoveryDelaySeconds } from "../../infra/backoff";
import { repositoryRoot } from "../../infra/repository";
import { loadStackSettings } from "../../infra/stack-file";
import { placeholderBundle, buildStack, type StackRun } from "./mock-stack";

const STACKS = ["dev", "prod"] as const;
const runbook = fs.readFileSync(path.join(repositoryRoot, "docs", "RUNBOOK.md"), "utf8");

/** Level-2 sections by heading text. */
const sections = new Map<string, string>(
    runbook
        .split(/^## /m)
        .slice(1)
        .map((part) => [part.slice(0, part.indexOf("\n")).trim(), part.slice(part.indexOf("\n") + 1)]),
);

/** GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` removed, spaces to `-`. */
const anchorOf = (heading: string) => heading.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");

const runs = new Map<string, StackRun>();
before(async () => {
    // One stack after the other: the program is loaded afresh for each. The function's code does not matter here.
    for (const stack of STACKS) runs.set(stack, await buildStack(stack, {}, { bundle: placeholderBundle() }));
});

describe("runbook", () => {
    for (const stack of STACKS) {
        it(`has a section for every alarm of the ${stack} stack: what it means, what to look at, how to recover`, () => {
            const alarms = runs.get(stack)!.all("aws:cloudwatch/metricAlarm:MetricAlarm");
            assert.ok(alarms.length >= 7, `only ${alarms.length} alarms`);
            for (const alarm of alarms) {
                const name = alarm.inputs.name as string;
                assert.match(name, new RegExp(`^OrderProcessor-${stack}-`));
                const heading = name.replace(`OrderProcessor-${stack}-`, "OrderProcessor-<stack>-");
                const section = sections.get(heading);
                assert.ok(section, `docs/RUNBOOK.md has no "## ${heading}"`);
                for (const part of ["**What it means.**", "**What to look at.**", "**How to recover.**", "```"]) {
                    assert.ok(section.includes(part), `"## ${heading}" lacks ${part}`);
                }
            }
        });

        it(`every alarm of the ${stack} stack links its section, by an anchor that exists`, () => {
            for (const alarm of runs.get(stack)!.all("aws:cloudwatch/metricAlarm:MetricAlarm")) {
                const link = /Runbook: docs\/RUNBOOK\.md#([a-z0-9_-]+)$/.exec(alarm.inputs.alarmDescription as string);
                assert.ok(link, `${alarm.inputs.name}: ${alarm.inputs.alarmDescription}`);
                const heading = (alarm.inputs.name as string).replace(`OrderProcessor-${stack}-`, "OrderProcessor-<stack>-");
                assert.equal(link[1], anchorOf(heading));
                assert.ok([...sections.keys()].some((h) => anchorOf(h) === link[1]), `no heading has the anchor #${link[1]}`);
                assert.ok((alarm.inputs.alarmDescription as string).length <= 1024, "CloudWatch takes at most 1024 characters");
            }
        });
    }

    it("has no section for an alarm the stack does not create", () => {
        const created = new Set(
            runs.get("dev")!.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => (a.inputs.name as string).replace("OrderProcessor-dev-", "OrderProcessor-<stack>-")),
        );
        const documented = [...sections.keys()].filter((h) => h.startsWith("OrderProcessor-<stack>-"));
        assert.deepEqual(documented.filter((h) => !created.has(h)), []);
    });

    it("the README's operating section lists every alarm and states the outage tolerance", () => {
        const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
        const start = readme.indexOf("## Operating it");
        assert.ok(start >= 0, 'README.md has no "## Operating it"');
        const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
        for (const alarm of runs.get("dev")!.all("aws:cloudwatch/metricAlarm:MetricAlarm")) {
            const name = (alarm.inputs.name as string).replace("OrderProcessor-dev-", "OrderProcessor-<stack>-");
            assert.ok(section.includes(`\`${name}\``), `README's "Operating it" lacks ${name}`);
        }
        for (const stack of STACKS) {
            const settings = loadStackSettings(stack);
            assert.ok(section.includes(`T = ${outageToleranceSeconds(settings)} s`), `${stack}: tolerance not stated`);
            assert.ok(section.includes(`within ${recoveryDelaySeconds(settings)} s`), `${stack}: recovery delay not stated`);
        }
    });

    it("states the outage tolerance and the recovery delay that each stack's config gives", () => {
        const outage = sections.get("Outage of the table");
        assert.ok(outage, 'docs/RUNBOOK.md has no "## Outage of the table"');
        for (const stack of STACKS) {
            const settings = loadStackSettings(stack);
            assert.ok(outage.includes(`= ${outageToleranceSeconds(settings)} s`), `${stack}: tolerance ${outageToleranceSeconds(settings)} s not stated`);
            assert.ok(outage.includes(`within ${recoveryDelaySeconds(settings)} s`), `${stack}: recovery ${recoveryDelaySeconds(settings)} s not stated`);
        }
        for (const part of ["What it looks like", "The outage tolerance", "When a redrive is still needed"]) assert.ok(outage.includes(part), part);
    });
});
