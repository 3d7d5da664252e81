/** The sync cabling of a rig as the sensors' jacks report it, and what it can and cannot tell. */

export interface JackState {
  serial: string;
  syncIn: boolean;
  syncOut: boolean;
}

export type TopologyKind = 'daisy-chain' | 'star' | 'generator' | 'standalone' | 'inconsistent';

export interface Topology {
  kind: TopologyKind;
  /** The sensor whose Sync Out starts the chain (nothing in its Sync In); null in a generator rig. */
  master: string | null;
  /** Known positions: first (master or the generator's first sensor) and last (Sync In only); the middle order
   * cannot be told from jack states and is null where unknown. */
  first: string | null;
  last: string | null;
  problems: string[];
}

/**
 * Jacks report whether a plug is in, not where its cable goes. A master has Sync Out only; a sensor in the middle of a
 * daisy chain has both; the last has Sync In only. Every sensor with Sync In and none with Sync Out only means the
 * pulses come from outside: an external generator. One Sync Out only with every other sensor Sync In only is a star
 * (the master's output through a splitter) — or a two-sensor chain, which is the same thing.
 */
export function inferTopology(sensors: JackState[]): Topology {
  const outOnly = sensors.filter((s) => s.syncOut && !s.syncIn);
  const both = sensors.filter((s) => s.syncIn && s.syncOut);
  const inOnly = sensors.filter((s) => s.syncIn && !s.syncOut);
  const none = sensors.filter((s) => !s.syncIn && !s.syncOut);
  const problems: string[] = [];
  const base = { master: null, first: null, last: null };
  if (sensors.length === 1 && none.length === 1) return { ...base, kind: 'standalone', problems };
  if (none.length === sensors.length) {
    return { ...base, kind: 'standalone', problems: [`no sensor has a sync cable: ${sensors.length} sensors would record unsynchronized`] };
  }
  for (const s of none) problems.push(`${s.serial} has no sync cable at all: it cannot be synchronized`);
  if (outOnly.length > 1) problems.push(`${outOnly.map((s) => s.serial).join(' and ')} each have only Sync Out plugged: a rig has one master`);
  if (inOnly.length > 1 && both.length > 0) problems.push(`${inOnly.map((s) => s.serial).join(' and ')} are each the end of a chain: a daisy chain has one end`);
  if (outOnly.length === 1) {
    const master = outOnly[0]!.serial;
    const kind: TopologyKind = problems.length ? 'inconsistent' : both.length === 0 ? 'star' : 'daisy-chain';
    return { kind, master, first: master, last: inOnly.length === 1 ? inOnly[0]!.serial : null, problems };
  }
  if (outOnly.length === 0 && none.length === 0) {
    // Every Sync In is plugged: pulses enter from outside. With a chain, the end has Sync In only.
    if (inOnly.length !== 1 && sensors.length > 1) problems.push(`a generator chain has exactly one end (Sync In only); here ${inOnly.length}`);
    return { kind: problems.length ? 'inconsistent' : 'generator', master: null, first: null, last: inOnly[0]?.serial ?? null, problems };
  }
  return { ...base, kind: 'inconsistent', master: outOnly[0]?.serial ?? null, problems };
}
