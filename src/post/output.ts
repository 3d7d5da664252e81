import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

const BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A file written front to back through one fixed buffer, with the two things a Matroska rewriter needs: copying a
 * byte range of another file straight through the buffer (payloads stream in chunks, whatever their size, and are
 * never held whole), and patching bytes already written (sizes, CRC-32s and positions only known later). A running
 * CRC-32 covers everything written between beginCrc and endCrc.
 */
export class OutputFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** File position of buf[0]. */
  private base = 0;
  private crc: number | null = null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  get position(): number {
    return this.base + this.used;
  }

  write(bytes: Uint8Array): void {
    if (this.crc !== null) this.crc = crc32(bytes, this.crc);
    let at = 0;
    while (at < bytes.length) {
      if (this.used === this.buf.length) this.flush();
      const n = Math.min(bytes.length - at, this.buf.length - this.used);
      this.buf.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  /** Copies [pos, pos+len) of the file open as `fd` into this one, a buffer at a time. */
  copyFrom(fd: number, pos: number, len: number): void {
    let done = 0;
    while (done < len) {
      if (this.used === this.buf.length) this.flush();
      const want = Math.min(len - done, this.buf.length - this.used);
      const got = readSync(fd, this.buf, this.used, want, pos + done);
      if (got <= 0) throw new Error(`the source ended at byte ${pos + done}, inside an element it declares`);
      if (this.crc !== null) this.crc = crc32(this.buf.subarray(this.used, this.used + got), this.crc);
      this.used += got;
      done += got;
    }
  }

  /** Overwrites bytes at `at`, already written (flushed or not). Never counts towards a running CRC. */
  patch(at: number, bytes: Uint8Array): void {
    if (at + bytes.length > this.position) throw new RangeError('patch past what was written');
    const inFile = Math.max(0, Math.min(bytes.length, this.base - at));
    if (inFile > 0) {
      let done = 0;
      while (done < inFile) done += writeSync(this.fd, bytes, done, inFile - done, at + done);
    }
    if (inFile < bytes.length) this.buf.set(bytes.subarray(inFile), at + inFile - this.base);
  }

  beginCrc(): void {
    this.crc = 0;
  }

  endCrc(): number {
    const v = this.crc ?? 0;
    this.crc = null;
    return v >>> 0;
  }

  flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done, this.base + done);
    this.base += this.used;
    this.used = 0;
  }

  /** Flushes, syncs to disk, closes. */
  close(): void {
    try {
      this.flush();
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes without caring about what is left (after a failure). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
