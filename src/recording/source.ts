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

export class FileSource implements ByteSource {
  readonly size: number;
  bytesRead = 0;
  private fd: number | null;
  private scratch = new Uint8Array(SCRATCH_BYTES);

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
    const buf = n <= this.scratch.length ? this.scratch : new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, buf, got, n - got, pos + got);
      if (r === 0) break;
      got += r;
    }
    this.bytesRead += got;
    return buf.subarray(0, got);
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
