import { resolve } from 'node:path';

/**
 * Typed ffmpeg arguments for video work, the sibling of src/ffmpeg's FfmpegCommand (which covers audio): inputs
 * with their demuxer options, a filter graph, an H.264 output. Arguments go to the child process as an array, never
 * to a shell; every path is given as `file:` + an absolute path so no file name is read as a protocol or an option.
 */

export type VideoInput =
  /** A raw MJPEG stream (JPEGs back to back) at a constant frame rate. */
  | { kind: 'mjpeg'; path: string; fps: number; reinitFilter: boolean }
  /** A lavfi source, e.g. a solid colour. */
  | { kind: 'lavfi'; graph: string };

export interface H264Output {
  path: string;
  fps: number;
  crf: number;
  preset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
}

function fileArg(path: string): string {
  return `file:${resolve(path)}`;
}

export class VideoCommand {
  private readonly globals: string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];

  /** ffmpeg writes key=value progress blocks to this file (frame=N ...), for a progress bar. */
  progressTo(path: string): this {
    this.globals.push('-progress', fileArg(path), '-nostats');
    return this;
  }

  input(i: VideoInput): this {
    if (i.kind === 'mjpeg') {
      if (!(i.fps > 0)) throw new RangeError(`frame rate must be positive, got ${i.fps}`);
      if (!i.reinitFilter) this.inputs.push('-reinit_filter', '0');
      this.inputs.push('-f', 'mjpeg', '-framerate', String(i.fps), '-i', fileArg(i.path));
    } else {
      this.inputs.push('-f', 'lavfi', '-i', i.graph);
    }
    return this;
  }

  /** A filter graph over the inputs; `output` is the label of the video to encode. */
  filterComplex(graph: string, output: string): this {
    this.outputs.push('-filter_complex', graph, '-map', `[${output}]`);
    return this;
  }

  /** A simple filter chain on the single input. */
  videoFilter(chain: string): this {
    this.outputs.push('-vf', chain);
    return this;
  }

  /** One JPEG image. */
  toJpeg(path: string): this {
    this.outputs.push('-frames:v', '1', '-pix_fmt', 'yuvj420p', '-f', 'mjpeg', fileArg(path));
    return this;
  }

  /** H.264 in MP4, yuv420p (plays anywhere), constant frame rate, index at the front. */
  toH264(o: H264Output): this {
    if (!(o.fps > 0)) throw new RangeError(`frame rate must be positive, got ${o.fps}`);
    this.outputs.push(
      '-an', '-sn', '-dn',
      '-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), '-pix_fmt', 'yuv420p',
      '-r', String(o.fps), '-movflags', '+faststart', '-f', 'mp4', fileArg(o.path),
    );
    return this;
  }

  args(): string[] {
    if (this.inputs.length === 0) throw new Error('ffmpeg command without input');
    return [...this.globals, ...this.inputs, ...this.outputs];
  }
}

/** Text for drawtext inside single quotes of a filter graph: only characters that need no escaping survive. */
export function labelText(s: string): string {
  return s.replace(/[^A-Za-z0-9 _.()/+-]/g, '_');
}
