// How the project's command-line tools end: the exit code main returns, or one line naming the error.

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
