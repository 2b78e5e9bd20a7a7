// The CI/CD workflow, checked before it ever runs: GitHub's own parser (@actions/workflow-parser, the one behind the
// Actions language service, which knows today's contexts) finds no error in it; shellcheck finds none in its `run:`
// scripts, .ci/run or .ci/prerequisites.sh; and its shape keeps the rules of least privilege and safe deploys.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { repositoryRoot } from "../../infra/repository";

const WORKFLOW = path.join(repositoryRoot, ".github", "workflows", "pulumi.yml");

/** Every error GitHub's parser and its conversion (the checks a push would show) find in a workflow's text. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
    const parser = await import("@actions/workflow-parser");
    const { ErrorPolicy } = await import("@actions/workflow-parser/model/convert");
    const result = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
    if (result.value) await parser.convertWorkflowTemplate(result.context, result.value, undefined, { errorPolicy: ErrorPolicy.TryConversion });
    return result.context.errors.getErrors().map((error) => error.message);
}

interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}
interface Job {
    readonly permissions?: Record<string, string>;
    readonly environment?: string;
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly env?: Record<string, string>;
    readonly steps: Step[];
    readonly "runs-on": string;
}

describe("the workflow, as GitHub reads it", () => {
    const text = fs.readFileSync(WORKFLOW, "utf8");
    const workflow = parse(text) as { permissions: unknown; jobs: Record<string, Job> };
    const jobs = workflow.jobs;

    it("has no error GitHub's parser finds", async () => {
        assert.deepEqual(await workflowErrors("pulumi.yml", text), []);
    });

    it("the parser does find errors: an unknown context, a bad permission value, a job that needs a missing one", async () => {
        const broken = text
            .replace("secrets.PULUMI_ACCESS_TOKEN", "secret.PULUMI_ACCESS_TOKEN")
            .replace("      id-token: write\n      pull-requests: write", "      id-token: writ\n      pull-requests: write")
            .replace("needs: test\n    runs-on: ubuntu-24.04\n    timeout-minutes: 60\n    strategy", "needs: tests\n    runs-on: ubuntu-24.04\n    timeout-minutes: 60\n    strategy");
        const errors = await workflowErrors("broken.yml", broken);
        assert.ok(errors.some((e) => e.includes("Unrecognized named-value: 'secret'")), errors.join("\n"));
        assert.ok(errors.some((e) => e.includes("Unexpected value 'writ'")), errors.join("\n"));
        assert.ok(errors.some((e) => e.includes("tests")), errors.join("\n"));
    });

    it("grants nothing by default; only preview and deploy may mint an OIDC token", () => {
        assert.deepEqual(workflow.permissions, {});
        assert.deepEqual(jobs.test!.permissions, { contents: "read" });
        assert.deepEqual(jobs.preview!.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
        assert.deepEqual(jobs.deploy!.permissions, { contents: "read", "id-token": "write" });
    });

    it("the test job, which runs a pull request's code, sees no secret, no AWS role and no Pulumi token", () => {
        const job = JSON.stringify(jobs.test);
        assert.doesNotMatch(job, /secrets\.|vars\.|configure-aws-credentials|PULUMI_ACCESS_TOKEN/);
        assert.ok(jobs.test!.steps.some((s) => s.run === "bash .ci/run"), "it runs what CI runs");
    });

    it("previews assume the read-only preview role, without an environment; deploys the deploy role of their environment", () => {
        const role = (job: Job) => job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"];
        assert.equal(role(jobs.preview!), "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.equal(jobs.preview!.environment, undefined);
        assert.equal(role(jobs.deploy!), "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
        assert.equal(jobs.deploy!.environment, "${{ inputs.stack || 'dev' }}");
    });

    it("the Pulumi token reaches only the Pulumi steps", () => {
        for (const [name, job] of Object.entries(jobs)) {
            assert.doesNotMatch(JSON.stringify(job.env ?? {}), /PULUMI_ACCESS_TOKEN/, `${name}'s job env`);
            for (const step of job.steps) {
                if (JSON.stringify(step).includes("PULUMI_ACCESS_TOKEN")) assert.match(step.uses ?? "", /^pulumi\/actions@/, `${name}: ${JSON.stringify(step)}`);
            }
        }
    });

    it("deploys of a stack share one concurrency group, whatever the trigger, and a running up is never cancelled", () => {
        assert.deepEqual(jobs.deploy!.concurrency, { group: "pulumi-up-${{ inputs.stack || 'dev' }}", "cancel-in-progress": false });
        assert.equal(jobs.deploy!.env?.STACK, "${{ inputs.stack || 'dev' }}", "the stack deployed is the stack locked");
    });

    it("the deploy checks the bundle it ships before it assumes the deploy role", () => {
        const steps = jobs.deploy!.steps;
        const check = steps.findIndex((s) => s.run === 'npm run package -- --stack "$STACK"');
        const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        assert.ok(check >= 0 && check < credentials, "npm run package -- --stack runs first");
    });

    it("pins every action to a full commit SHA, with its version in a comment", () => {
        const uses = [...text.matchAll(/uses: (\S+)(.*)$/gm)];
        assert.ok(uses.length >= 10);
        for (const [, ref, rest] of uses) {
            assert.match(ref!, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, ref);
            assert.match(rest!, /^ # v\d+\.\d+\.\d+$/, `${ref} has its version beside it`);
        }
    });
});

describe("shellcheck on every shell script CI runs", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-shellcheck-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    let scripts: string[] = [];

    before(() => {
        const version = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
        assert.equal(version.status, 0, "shellcheck is installed (.ci/prerequisites.sh installs it)");
        const workflow = parse(fs.readFileSync(WORKFLOW, "utf8")) as { jobs: Record<string, Job> };
        scripts = Object.entries(workflow.jobs).flatMap(([name, job]) =>
            job.steps.flatMap((step, index) => {
                if (!step.run) return [];
                const file = path.join(root, `${name}-${index}.sh`);
                // GitHub substitutes ${{ }} before bash runs the script: a placeholder word stands in for each.
                fs.writeFileSync(file, `#!/usr/bin/env bash\n${step.run.replace(/\$\{\{[^}]*\}\}/g, "GITHUB_EXPRESSION")}\n`);
                return [file];
            }),
        );
    });

    it("finds nothing in the workflow's run: scripts, .ci/run and .ci/prerequisites.sh", () => {
        assert.ok(scripts.length >= 5, `${scripts.length} run: scripts`);
        const files = [...scripts, path.join(repositoryRoot, ".ci", "run"), path.join(repositoryRoot, ".ci", "prerequisites.sh")];
        const run = spawnSync("shellcheck", ["--shell=bash", "--external-sources", ...files], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stdout + run.stderr);
    });

    it("does find a defect when there is one", () => {
        const file = path.join(root, "broken.sh");
        fs.writeFileSync(file, '#!/usr/bin/env bash\nfor f in $(ls *.yaml); do echo $f; done\n');
        const run = spawnSync("shellcheck", [file], { encoding: "utf8" });
        assert.notEqual(run.status, 0);
        assert.match(run.stdout, /SC2045|SC2086/);
    });
});
