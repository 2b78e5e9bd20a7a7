// Runs the program itself (infra/index.ts) under Pulumi's mocks, once, in a process of its own, for one stack's config
// file plus KEY=VALUE overrides: `node --import tsx tests/infra/run-program.ts STACK [KEY=VALUE…]`. It prints, as one
// JSON line, the program's outputs and the inputs the function was given (its code's path resolved), which is what
// the program adds to the component: reading the config, packaging the function as the config says, the outputs.
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../infra/stack-file";
import { recordResources, resolve } from "./mock-stack";

async function main(): Promise<void> {
    const [stack, ...assignments] = process.argv.slice(2);
    if (!stack) throw new Error("usage: run-program.ts STACK [KEY=VALUE…]");
    const overrides = Object.fromEntries(
        assignments.map((a) => {
            const at = a.indexOf("=");
            if (at <= 0) throw new Error(`"${a}" is not KEY=VALUE`);
            return [a.slice(0, at), a.slice(at + 1)];
        }),
    );
    const resources = await recordResources(stack, { ...readStackFile(stack), ...overrides });
    const program = (await import("../../infra/index")) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) outputs[key] = pulumi.Output.isInstance(value) ? await resolve(value) : value;
    await pulumi.runtime.disconnect();
    const fn = resources.find((r) => r.type === "aws:lambda/function:Function")!;
    const { code, ...inputs } = fn.inputs;
    process.stdout.write(`${JSON.stringify({ outputs, function: { ...inputs, codePath: await (code as { path: Promise<string> }).path } })}\n`);
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exit(1);
});
