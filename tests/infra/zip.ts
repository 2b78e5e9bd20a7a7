// Reads a zip's central directory: each entry's name and Unix mode, in the archive's order. Enough to check what
// Lambda will unpack, without a zip library in the tests.
import * as fs from "node:fs";

export interface ZipEntry {
    readonly name: string;
    /** The Unix mode, from the high 16 bits of the external attributes (0o100755 for an executable file). */
    readonly mode: number;
}

export function zipEntries(zipPath: string): ZipEntry[] {
    const zip = fs.readFileSync(zipPath);
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const count = zip.readUInt16LE(end + 10);
    let offset = zip.readUInt32LE(end + 16);
    const entries: ZipEntry[] = [];
    for (let i = 0; i < count; i++) {
        const nameLength = zip.readUInt16LE(offset + 28);
        const extraLength = zip.readUInt16LE(offset + 30);
        const commentLength = zip.readUInt16LE(offset + 32);
        const external = zip.readUInt32LE(offset + 38);
        entries.push({ name: zip.subarray(offset + 46, offset + 46 + nameLength).toString("utf8"), mode: external >>> 16 });
        offset += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}
