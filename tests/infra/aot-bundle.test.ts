// What AWS will run must be able to start there, proven here: the Native AOT `bootstrap` the stack deploys is an
// ELF executable for the target machine, asks for no glibc symbol newer than Amazon Linux 2023's (2.34) and for no
// library that provided.al2023 lacks, loads no ICU, sits in the zip alone with its run bit, and the same tree
// packages to the same bytes. The checks are the packaging's own (infra/bootstrap-check.ts), which refuses the
// fixtures below. Running it (under qemu for arm64) is tests/e2e/aot-arm64.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AL2023_GLIBC, ALLOWED_LIBRARIES, assertBootstrapRuns, bootstrapProblems, ELF_MACHINE, newestGlibc, readBootstrap } from "../../infra/bootstrap-check";
import { type Architecture, BOOTSTRAP, type FunctionBundle, hostArchitecture, packageFunction } from "../../infra/packaging";
import { zipEntries } from "./zip";

for (const architecture of ["arm64", "x86_64"] as const) {
    describe(`the Native AOT bundle for ${architecture}`, () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), `order-pipeline-aot-${architecture}-`));
        let bundle: FunctionBundle;
        before(async () => {
            bundle = await packageFunction(architecture, { runtime: "aot", outputRoot: root });
        });
        after(() => fs.rmSync(root, { recursive: true, force: true }));

        it("holds bootstrap alone, executable (0755), as Lambda's provided.al2023 runs it", () => {
            assert.deepEqual(zipEntries(bundle.zipPath), [{ name: BOOTSTRAP, mode: 0o100755 }]);
            assert.equal(fs.statSync(path.join(bundle.directory, BOOTSTRAP)).mode & 0o777, 0o755);
        });

        it(`is an ELF executable for ${architecture}`, () => {
            const facts = readBootstrap(path.join(bundle.directory, BOOTSTRAP));
            assert.ok([2, 3].includes(facts.type), "an executable (ET_EXEC, or ET_DYN for position-independent)");
            assert.equal(facts.machine, ELF_MACHINE[architecture], `e_machine of ${architecture}`);
        });

        it("needs no glibc symbol version newer than Amazon Linux 2023's 2.34", () => {
            const facts = readBootstrap(path.join(bundle.directory, BOOTSTRAP));
            const newest = newestGlibc(facts);
            assert.ok(newest, "the version needs were read");
            assert.ok(newest[0] < AL2023_GLIBC[0] || (newest[0] === AL2023_GLIBC[0] && newest[1] <= AL2023_GLIBC[1]), `needs GLIBC_${newest.join(".")}`);
        });

        it("links only against glibc's libraries and loads no ICU", () => {
            const facts = readBootstrap(path.join(bundle.directory, BOOTSTRAP));
            assert.ok(facts.needed.includes("libc.so.6"), `NEEDED read: ${facts.needed.join(", ")}`);
            assert.deepEqual(facts.needed.filter((lib) => !ALLOWED_LIBRARIES.test(lib)), [], "libraries provided.al2023 may not have");
            assert.equal(facts.namesIcu, false, "no ICU library named: invariant globalization");
            assert.deepEqual(bootstrapProblems(facts, architecture), [], "the packaging check finds nothing");
        });

        it("agrees with readelf on what it reads (libraries and symbol versions)", () => {
            const file = path.join(bundle.directory, BOOTSTRAP);
            const readelf = (args: string[]) => {
                const run = spawnSync("readelf", [...args, "-W", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
                assert.equal(run.status, 0, `readelf ${args.join(" ")}: ${run.stderr}`);
                return run.stdout;
            };
            const facts = readBootstrap(file);
            const needed = [...readelf(["--dynamic"]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
            assert.deepEqual([...facts.needed].sort(), needed.sort());
            const versions = new Set([...readelf(["--version-info"]).matchAll(/Name: (GLIBC_[\d.]+)/g)].map((m) => m[1]!));
            assert.deepEqual(new Set(facts.versionsNeeded.map((v) => v.version)), versions);
        });

        it(`is refused by the packaging check for the other architecture`, () => {
            const other: Architecture = architecture === "arm64" ? "x86_64" : "arm64";
            const problems = bootstrapProblems(readBootstrap(path.join(bundle.directory, BOOTSTRAP)), other);
            assert.deepEqual(problems, [`it is built for ${architecture}, not for the configured architecture ${other}`]);
        });

        it("packages to the same bytes when published again from the same tree", async () => {
            const again = await packageFunction(architecture, { runtime: "aot", outputRoot: path.join(root, "again"), force: true });
            assert.equal(again.reused, false, "really published again");
            assert.equal(again.sha256, bundle.sha256);
        });
    });
}

/**
 * Binaries that provided.al2023 could not run, built here with the C toolchain the prerequisites list: the packaging
 * check must refuse each, with what it found. This machine's glibc (Debian 12: 2.36; Ubuntu 24.04: 2.39) has symbols
 * newer than Amazon Linux 2023's 2.34: arc4random is GLIBC_2.36.
 */
describe("the packaging check refuses what Lambda could not start", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-elf-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    const host = hostArchitecture();

    function compile(name: string, source: string, libraries: string[] = []): string {
        const out = path.join(root, name);
        const run = spawnSync("cc", ["-x", "c", "-", "-o", out, "-Wl,--no-as-needed", ...libraries], { input: source, encoding: "utf8" });
        assert.equal(run.status, 0, `cc ${name}: ${run.stderr}`);
        return out;
    }

    it("a bootstrap that needs a glibc symbol newer than 2.34 (arc4random, GLIBC_2.36)", () => {
        const file = compile("needs-2.36", "#include <stdlib.h>\n#include <stdio.h>\nint main(void) { printf(\"%u\\n\", arc4random()); return 0; }\n");
        assert.deepEqual(bootstrapProblems(readBootstrap(file), host), ["it needs GLIBC_2.36, newer than Amazon Linux 2023's glibc 2.34"]);
        assert.throws(() => assertBootstrapRuns(file, host), (error: Error) => {
            assert.match(error.message, /cannot run on Lambda's provided\.al2023/);
            assert.match(error.message, /GLIBC_2\.36/);
            assert.match(error.message, /functionRuntime managed/, "says what to do");
            return true;
        });
    });

    it("a bootstrap that links against a library beyond glibc's (libcrypt)", () => {
        const file = compile("needs-libcrypt", "#include <crypt.h>\n#include <stdio.h>\nint main(void) { puts(crypt(\"a\", \"ab\")); return 0; }\n", ["-lcrypt"]);
        const problems = bootstrapProblems(readBootstrap(file), host);
        assert.equal(problems.length, 1, problems.join("; "));
        assert.match(problems[0]!, /^it links against libcrypt\.so\.\d, which provided\.al2023 may lack/);
    });

    it("a bootstrap that names ICU", () => {
        const file = compile("names-icu", '#include <stdio.h>\nint main(void) { puts("libicuuc.so.72"); return 0; }\n');
        assert.deepEqual(bootstrapProblems(readBootstrap(file), host), ["it names an ICU library, which provided.al2023 lacks (build with InvariantGlobalization)"]);
    });

    it("a file that is not ELF at all", () => {
        const file = path.join(root, "script");
        fs.writeFileSync(file, "#!/bin/sh\necho hello\n");
        assert.throws(() => readBootstrap(file), /is not an ELF executable/);
    });

    it("packaging refuses a reused build whose bootstrap Lambda could not start", async () => {
        const out = path.join(root, "bundles");
        const bundle = await packageFunction(host, { runtime: "aot", outputRoot: out });
        fs.copyFileSync(compile("replacement", "#include <stdlib.h>\nint main(void) { return (int)arc4random(); }\n"), path.join(bundle.directory, BOOTSTRAP));
        await assert.rejects(packageFunction(host, { runtime: "aot", outputRoot: out }), /GLIBC_2\.36, newer than Amazon Linux 2023's glibc 2\.34/);
    });
});
