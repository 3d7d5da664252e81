import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Random access to the bytes of a recording. The scanner asks for exactly the bytes it parses (element
 * headers, block headers, IMU records), so a 30 GB take costs what its headers cost: colour, depth and
 * IR payloads are stepped over by position and never read.
 */
export interface ByteSource {
  readonly size: number;
  /** Bytes [pos, pos+len) clipped to the end of the source. The view is valid until the next read. */
  read(pos: number, len: number): Uint8Array;
  /** Total bytes handed out so far; lets tests prove that payloads were skipped. */
  readonly bytesRead: number;
  close(): void;
}

const SCRATCH_BYTES = 64 * 1024;
/**
 * Small reads are served from one page read ahead: a take's IMU blocks, block headers and host-time records sit
 * in runs of a few hundred bytes between payloads, and one page costs what one syscall for 40 bytes of it costs (the
 * kernel reads whole pages either way). Payloads are still stepped over: at most the page that begins one is read.
 */
const PAGE_BYTES = 4096;

export class FileSource implements ByteSource {
  readonly size: number;
  /** Bytes handed to the parser (what it consumed), not what the read-ahead fetched around them. */
  bytesRead = 0;
  /** Reads from the file (system calls): what the read-ahead saves. */
  fetches = 0;
  private fd: number | null;
  private scratch = new Uint8Array(SCRATCH_BYTES);
  private readonly page = new Uint8Array(PAGE_BYTES);
  private pageStart = -1;
  private pageLength = 0;

  constructor(path: string) {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      this.size = st.size;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
  }

  read(pos: number, len: number): Uint8Array {
    if (this.fd === null) throw new Error('source closed');
    const n = Math.max(0, Math.min(len, this.size - pos));
    if (n === 0) return new Uint8Array(0);
    if (n <= PAGE_BYTES / 4) {
      // Within the page read last, or the page from here on: one syscall for a run of small elements.
      if (pos < this.pageStart || pos + n > this.pageStart + this.pageLength) {
        this.pageStart = pos;
        this.pageLength = this.fill(this.page, PAGE_BYTES, pos);
      }
      const at = pos - this.pageStart;
      const got = Math.min(n, this.pageLength - at);
      this.bytesRead += got;
      return this.page.subarray(at, at + got);
    }
    const buf = n <= this.scratch.length ? this.scratch : new Uint8Array(n);
    const got = this.fill(buf, n, pos);
    this.bytesRead += got;
    return buf.subarray(0, got);
  }

  /** Reads up to n bytes at pos into buf (fewer at the end of the file). */
  private fill(buf: Uint8Array, n: number, pos: number): number {
    const want = Math.min(n, this.size - pos);
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd!, buf, got, want - got, pos + got);
      this.fetches++;
      if (r === 0) break;
      got += r;
    }
    return got;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export class MemorySource implements ByteSource {
  readonly size: number;
  bytesRead = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(pos: number, len: number): Uint8Array {
    const view = this.bytes.subarray(Math.max(0, pos), Math.max(0, Math.min(this.size, pos + len)));
    this.bytesRead += view.length;
    return view;
  }

  close(): void {}
}
