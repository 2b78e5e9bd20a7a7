// What Lambda's provided.al2023 can run, checked on the built `bootstrap` before it is zipped, on whatever machine
// builds it: Native AOT links against the build machine's glibc, so a bootstrap built on a newer distribution
// (Debian 13, Ubuntu 24.04: glibc 2.39) may ask for a symbol version Amazon Linux 2023 (glibc 2.34,
// https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html) lacks, and would fail at init on every cold
// start. The ELF file is read here, in TypeScript, so the check needs no tool beyond Node and gives the same answer
// on every machine (ELF layout: the System V gABI; symbol versioning: the LSB's .gnu.version_r).
import * as fs from "node:fs";
import type { Architecture } from "./function-contract";

/** Amazon Linux 2023's glibc, the newest symbol version a bootstrap may ask for. */
export const AL2023_GLIBC: readonly [number, number] = [2, 34];

/**
 * Libraries a bootstrap may link against: glibc's own, present in every Lambda runtime. Anything else (ICU, libstdc++,
 * zlib, libcrypt from libxcrypt, a cross toolchain's path) may be missing on provided.al2023. OpenSSL 3 is loaded at run
 * time by name, not linked, and provided.al2023 has it.
 */
export const ALLOWED_LIBRARIES = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/;

/** ELF e_machine of each Lambda architecture. */
export const ELF_MACHINE: Readonly<Record<Architecture, number>> = { x86_64: 0x3e, arm64: 0xb7 };

/** What the check reads from a bootstrap. */
export interface BootstrapFacts {
    /** e_machine; see ELF_MACHINE. */
    readonly machine: number;
    /** ET_EXEC (2) or ET_DYN (3, position-independent). */
    readonly type: number;
    /** DT_NEEDED: the shared libraries it links against. */
    readonly needed: readonly string[];
    /** Every symbol version it needs, by library: `GLIBC_2.34` from `libc.so.6`. */
    readonly versionsNeeded: ReadonlyArray<{ readonly library: string; readonly version: string }>;
    /** It names an ICU library (it would load ICU at start: globalization is not invariant). */
    readonly namesIcu: boolean;
}

const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;

/** Reads the facts from a 64-bit little-endian ELF file (both Lambda architectures); throws for anything else. */
export function readBootstrap(file: string): BootstrapFacts {
    const elf = fs.readFileSync(file);
    if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF executable`);
    if (elf[4] !== 2 || elf[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file (Lambda runs only those)`);
    const type = elf.readUInt16LE(16);
    const machine = elf.readUInt16LE(18);
    const sectionsAt = Number(elf.readBigUInt64LE(40));
    const sectionSize = elf.readUInt16LE(58);
    const sectionCount = elf.readUInt16LE(60);
    const sections = Array.from({ length: sectionCount }, (_, i) => {
        const at = sectionsAt + i * sectionSize;
        return {
            type: elf.readUInt32LE(at + 4),
            offset: Number(elf.readBigUInt64LE(at + 24)),
            size: Number(elf.readBigUInt64LE(at + 32)),
            link: elf.readUInt32LE(at + 40),
        };
    });
    const text = (table: number, at: number) => {
        const start = sections[table]!.offset + at;
        return elf.toString("latin1", start, elf.indexOf(0, start));
    };

    const needed: string[] = [];
    for (const dynamic of sections.filter((s) => s.type === SHT_DYNAMIC)) {
        for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
            const tag = elf.readBigInt64LE(at);
            if (tag === 0n) break;
            if (tag === BigInt(DT_NEEDED)) needed.push(text(dynamic.link, Number(elf.readBigUInt64LE(at + 8))));
        }
    }

    const versionsNeeded: Array<{ library: string; version: string }> = [];
    for (const verneed of sections.filter((s) => s.type === SHT_GNU_VERNEED)) {
        // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32; Elf64_Vernaux: vna_hash u32,
        // vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
        for (let entry = verneed.offset, guard = 0; guard < 1024; guard++) {
            const count = elf.readUInt16LE(entry + 2);
            const library = text(verneed.link, elf.readUInt32LE(entry + 4));
            for (let aux = entry + elf.readUInt32LE(entry + 8), i = 0; i < count; i++) {
                versionsNeeded.push({ library, version: text(verneed.link, elf.readUInt32LE(aux + 8)) });
                aux += elf.readUInt32LE(aux + 12);
            }
            const next = elf.readUInt32LE(entry + 12);
            if (next === 0) break;
            entry += next;
        }
    }

    return { machine, type, needed, versionsNeeded, namesIcu: elf.includes("libicu") };
}

/** The newest GLIBC_x.y a bootstrap needs, or undefined when it needs none. */
export function newestGlibc(facts: Pick<BootstrapFacts, "versionsNeeded">): readonly [number, number] | undefined {
    return facts.versionsNeeded
        .map(({ version }) => /^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$/.exec(version))
        .flatMap((m) => (m ? [[Number(m[1]), Number(m[2])] as const] : []))
        .reduce<readonly [number, number] | undefined>((a, b) => (!a || b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a), undefined);
}

/** Each reason provided.al2023 could not run this bootstrap for `architecture`; empty when it can. */
export function bootstrapProblems(facts: BootstrapFacts, architecture: Architecture): string[] {
    const problems: string[] = [];
    if (facts.machine !== ELF_MACHINE[architecture]) {
        const built = Object.entries(ELF_MACHINE).find(([, machine]) => machine === facts.machine)?.[0] ?? `ELF machine 0x${facts.machine.toString(16)}`;
        problems.push(`it is built for ${built}, not for the configured architecture ${architecture}`);
    }
    if (facts.type !== 2 && facts.type !== 3) problems.push(`it is not an executable (ELF type ${facts.type})`);
    const tooNew = [...new Set(facts.versionsNeeded.filter(({ version }) => isNewerGlibc(version)).map(({ version }) => version))];
    if (tooNew.length > 0) {
        problems.push(`it needs ${tooNew.join(", ")}, newer than Amazon Linux 2023's glibc ${AL2023_GLIBC.join(".")}`);
    }
    const foreign = facts.needed.filter((library) => !ALLOWED_LIBRARIES.test(library));
    if (foreign.length > 0) problems.push(`it links against ${foreign.join(", ")}, which provided.al2023 may lack (only glibc's libraries are sure to be there)`);
    if (facts.namesIcu) problems.push("it names an ICU library, which provided.al2023 lacks (build with InvariantGlobalization)");
    return problems;
}

function isNewerGlibc(version: string): boolean {
    const m = /^GLIBC_(\d+)\.(\d+)/.exec(version);
    if (!m) return false;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return major > AL2023_GLIBC[0] || (major === AL2023_GLIBC[0] && minor > AL2023_GLIBC[1]);
}

/**
 * Refuses, with what was found and what to do, a bootstrap that provided.al2023 could not start: the check that
 * packaging runs before every zip, so `pulumi preview`, `pulumi up` and `npm run local` stop on it.
 */
export function assertBootstrapRuns(file: string, architecture: Architecture): BootstrapFacts {
    const facts = readBootstrap(file);
    const problems = bootstrapProblems(facts, architecture);
    if (problems.length > 0) {
        throw new Error(
            `the Native AOT bootstrap ${file} cannot run on Lambda's provided.al2023 (${architecture}):\n` +
                problems.map((p) => `  - ${p}\n`).join("") +
                "Build it on an older distribution (the Debian 12 and Ubuntu 24.04 builds need nothing newer than 2.34 today), " +
                "or in an Amazon Linux 2023 container (docs/DEPLOY.md, \"What packaging refuses\"), " +
                "or deploy the managed runtime instead: pulumi config set order-pipeline:functionRuntime managed.",
        );
    }
    return facts;
}
