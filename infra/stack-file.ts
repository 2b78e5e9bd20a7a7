// Reads a stack's settings from its Pulumi.<stack>.yaml without the Pulumi engine (the local pipeline, npm run package, the tests), through the same
// loadSettings the stack uses: the local pipeline runs with exactly what `pulumi up` would deploy.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadSettings, type PipelineSettings, PROJECT } from "./config";
import { repositoryRoot } from "./repository";

/** The stacks that have a Pulumi.<stack>.yaml in the repository. */
export function listStacks(root: string = repositoryRoot): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** Every config value of a stack file, keyed as Pulumi keys them (`order-pipeline:batchSize`), as strings. */
export function readStackFile(stack: string, root: string = repositoryRoot): Record<string, string> {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`there is no ${path.basename(file)}; stacks here: ${listStacks(root).join(", ")}`);
    }
    const document = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(document.config ?? {})) {
        if (value !== null && typeof value === "object") {
            throw new Error(`${path.basename(file)}: ${key} is a secret or structured value; the local pipeline reads plain values only`);
        }
        values[key] = String(value);
    }
    return values;
}

/** A stack's validated settings, as the stack itself would load them. */
export function loadStackSettings(stack: string, overrides: Readonly<Record<string, string>> = {}, root: string = repositoryRoot): PipelineSettings {
    return loadSettings({ ...readStackFile(stack, root), ...overrides });
}

/**
 * `--set KEY=VALUE` arguments (npm run local, npm run invoke) as config keys of the project's namespace
 * (`batchSize=5` → `order-pipeline:batchSize`); throws naming one that is not KEY=VALUE. loadSettings judges the values.
 */
export function settingOverrides(assignments: readonly string[]): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const assignment of assignments) {
        const at = assignment.indexOf("=");
        if (at <= 0) throw new Error(`--set "${assignment}" is not KEY=VALUE`);
        overrides[`${PROJECT}:${assignment.slice(0, at)}`] = assignment.slice(at + 1);
    }
    return overrides;
}
