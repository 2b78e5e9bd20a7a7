// What the project's command-line tools share (npm run package, local, dlq, bench, the smoke invocation): finding
// a program on PATH, and ending with the exit code main returns or one line naming the error.
import * as fs from "node:fs";
import * as path from "node:path";

/** The absolute path of `program` on this process's PATH, or undefined when it is not there. */
export function findOnPath(program: string): string | undefined {
    for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
        const candidate = directory && path.join(directory, program);
        if (candidate && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

/**
 * The Chromium the console's tests and benchmark drive: CHROMIUM_PATH, else Debian's chromium or Ubuntu's
 * chromium-browser on PATH (installed by .ci/prerequisites.sh); undefined when there is none.
 */
export function findChromium(): string | undefined {
    return process.env.CHROMIUM_PATH ?? findOnPath("chromium") ?? findOnPath("chromium-browser");
}

/** Runs `main` and exits with its code (0 when it returns nothing); an error prints `name: message` and exits 1. */
export function runCommand(name: string, main: () => Promise<number | void>): void {
    main().then(
        (code) => process.exit(code ?? 0),
        (error: unknown) => {
            process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
