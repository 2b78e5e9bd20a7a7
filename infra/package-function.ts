// `npm run package -- [--architecture arm64|x86_64] [--no-ready-to-run]`: builds the function bundle the
// way the stack does and prints where it is, as one JSON line (read by the .NET bundle tests).
import { parseArgs } from "node:util";
import { type Architecture, packageFunction } from "./packaging";
import { runCommand } from "../local/command";

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            architecture: { type: "string", default: process.arch === "arm64" ? "arm64" : "x86_64" },
            "no-ready-to-run": { type: "boolean", default: false },
            "output-root": { type: "string" },
        },
    });
    const architecture = values.architecture;
    if (architecture !== "arm64" && architecture !== "x86_64") {
        throw new Error(`--architecture is "${architecture}"; allowed: arm64, x86_64`);
    }
    const bundle = await packageFunction(architecture as Architecture, {
        readyToRun: !values["no-ready-to-run"],
        outputRoot: values["output-root"],
    });
    process.stdout.write(`${JSON.stringify(bundle)}\n`);
}

runCommand("npm run package", main);
