// What AWS will run must be able to start there, proven here: the Native AOT `bootstrap` the stack deploys is an
// ELF executable for the target machine, asks for no glibc symbol newer than Amazon Linux 2023's (2.34) and for no
// library that provided.al2023 lacks, loads no ICU, sits in the zip alone with its run bit, and the same tree
// packages to the same bytes. Running it (under qemu for arm64) is tests/e2e/aot-arm64.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Architecture, BOOTSTRAP, type FunctionBundle, packageFunction } from "../../infra/packaging";
import { zipEntries } from "./zip";

/** Amazon Linux 2023's glibc: https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html (glibc 2.34). */
const AL2023_GLIBC = [2, 34] as const;

/**
 * Libraries the executable may link against: glibc's own, present in every Lambda runtime. Anything else (ICU,
 * libstdc++, zlib, a cross toolchain's path) could be missing on provided.al2023. OpenSSL 3 is loaded at run time,
 * not linked, and provided.al2023 has it (https://aws.amazon.com/blogs/compute/introducing-the-amazon-linux-2023-runtime-for-aws-lambda/).
 */
const ALLOWED_LIBRARIES = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/;

/** ELF e_machine values. */
const MACHINE: Record<Architecture, number> = { x86_64: 0x3e, arm64: 0xb7 };

function readelf(args: string[], file: string): string {
    const run = spawnSync("readelf", [...args, "-W", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, `readelf ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
}

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
            const header = Buffer.alloc(20);
            const fd = fs.openSync(path.join(bundle.directory, BOOTSTRAP), "r");
            fs.readSync(fd, header, 0, 20, 0);
            fs.closeSync(fd);
            assert.deepEqual([...header.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "ELF magic");
            assert.equal(header[4], 2, "64-bit");
            assert.equal(header[5], 1, "little-endian");
            assert.ok([2, 3].includes(header.readUInt16LE(16)), "an executable (ET_EXEC, or ET_DYN for position-independent)");
            assert.equal(header.readUInt16LE(18), MACHINE[architecture], `e_machine of ${architecture}`);
        });

        it("needs no glibc symbol version newer than Amazon Linux 2023's 2.34", () => {
            const versions = [...readelf(["--version-info"], path.join(bundle.directory, BOOTSTRAP)).matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
            assert.ok(versions.length > 0, "the version needs were read");
            const newest = versions.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a));
            assert.ok(newest[0] < AL2023_GLIBC[0] || (newest[0] === AL2023_GLIBC[0] && newest[1] <= AL2023_GLIBC[1]), `needs GLIBC_${newest.join(".")}`);
        });

        it("links only against glibc's libraries and loads no ICU", () => {
            const file = path.join(bundle.directory, BOOTSTRAP);
            const needed = [...readelf(["--dynamic"], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
            assert.ok(needed.includes("libc.so.6"), `NEEDED read: ${needed.join(", ")}`);
            assert.deepEqual(needed.filter((lib) => !ALLOWED_LIBRARIES.test(lib)), [], "libraries provided.al2023 may not have");
            assert.equal(fs.readFileSync(file).includes("libicu"), false, "no ICU library named: invariant globalization");
        });

        it("packages to the same bytes when published again from the same tree", async () => {
            const again = await packageFunction(architecture, { runtime: "aot", outputRoot: path.join(root, "again"), force: true });
            assert.equal(again.reused, false, "really published again");
            assert.equal(again.sha256, bundle.sha256);
        });
    });
}
