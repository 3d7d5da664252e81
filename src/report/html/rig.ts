/**
 * The rig as a picture: one box per sensor with its role, the generator when there is one, and arrows for the sync
 * cables as they follow from the roles (the files do not record cables): master, or generator, first, then the
 * subordinates chained in serial order. Drawn on the server as inline SVG, so it shows without JavaScript.
 */
import type { SensorAudit, Status, TakeAudit } from '../../audit/types.js';
import { html, join, type Html } from './html.js';
import { checkName, sensorChecks, sensorStatus, ROLE_NAMES } from './facts.js';
import { plural } from './format.js';

interface RigNode {
  kind: 'sensor' | 'generator';
  role: string;
  name: string;
  note: string;
  status: Status | 'INFO';
  /** The cable into this node carries no sync (its lock check failed). */
  lostSync: boolean;
}

const BOX_W = 174;
const BOX_H = 68;
const GAP_X = 26;
const GAP_Y = 46;
const PER_ROW = 5;
const PAD = 8;

function short(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function sensorNode(take: TakeAudit, s: SensorAudit): RigNode {
  const status = sensorStatus(take, s.serial);
  const checks = sensorChecks(take, s.serial);
  const lock = checks.find((c) => c.id === 'lock');
  const dropped = s.drops.reduce((n, d) => n + d.count, 0);
  let note: string;
  if (s.error) note = 'file unreadable';
  else if (s.lockLostAtFrame !== null) note = `sync lost at frame ${s.lockLostAtFrame}`;
  else if (lock?.status === 'FAIL') note = 'not following sync';
  else {
    const bad = checks.find((c) => c.status === status && status !== 'PASS');
    if (bad?.id === 'drops' || (bad === undefined && dropped > 0)) note = `${plural(dropped, 'frame')} dropped`;
    else if (bad) note = checkName(bad.id).toLowerCase();
    else note = s.serial === take.reference ? 'reference' : 'ok';
  }
  if (s.serial === take.reference && note !== 'reference') note = `reference · ${note}`;
  return { kind: 'sensor', role: ROLE_NAMES[s.role], name: s.serial, note, status, lostSync: lock?.status === 'FAIL' };
}

/** The order of the boxes and which of them the inferred cables connect. */
export function inferRig(take: TakeAudit): { chain: RigNode[]; loose: RigNode[] } {
  const bySerial = (a: SensorAudit, b: SensorAudit) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0);
  const masters = take.sensors.filter((s) => s.role === 'master').sort(bySerial);
  const subs = take.sensors.filter((s) => s.role === 'subordinate').sort(bySerial);
  const others = take.sensors.filter((s) => s.role === 'standalone' || s.role === 'unknown');
  const chain: RigNode[] = [];
  const loose: RigNode[] = [];
  const head = masters[0];
  if (head) chain.push(sensorNode(take, head));
  else if (subs.length > 0) {
    const gen = take.checks.find((c) => c.id === 'generator-rate');
    chain.push({
      kind: 'generator', role: 'sync generator', name: 'external', note: gen ? (gen.status === 'FAIL' ? 'wrong rate' : 'rate ok') : 'not in the files',
      status: gen && gen.status !== 'NOT_MEASURABLE' ? gen.status : 'INFO', lostSync: false,
    });
  }
  if (chain.length > 0) chain.push(...subs.map((s) => sensorNode(take, s)));
  else loose.push(...subs.map((s) => sensorNode(take, s)));
  loose.push(...masters.slice(1).map((s) => sensorNode(take, s)), ...others.map((s) => sensorNode(take, s)));
  return { chain, loose };
}

function box(node: RigNode, x: number, y: number): Html {
  const cls = `rig-box rig-${node.status.toLowerCase()}${node.kind === 'generator' ? ' rig-gen' : ''}`;
  return html`<g class="${cls}" transform="translate(${x},${y})">
<rect class="rig-frame" width="${BOX_W}" height="${BOX_H}" rx="6"/>
<rect class="rig-bar" width="5" height="${BOX_H}" rx="2"/>
<text class="rig-role" x="16" y="19">${node.role.toUpperCase()}</text>
<text class="rig-name" x="16" y="39">${short(node.name, 18)}</text>
<text class="rig-note" x="16" y="57">${short(node.note, 25)}</text>
</g>`;
}

export function rigSvg(take: TakeAudit): Html {
  const { chain, loose } = inferRig(take);
  const nodes = [...chain, ...loose];
  const at: { x: number; y: number }[] = [];
  let row = 0;
  let col = 0;
  nodes.forEach((_, i) => {
    if (i === chain.length && chain.length > 0 && col !== 0) {
      row++;
      col = 0;
    }
    at.push({ x: PAD + col * (BOX_W + GAP_X), y: PAD + row * (BOX_H + GAP_Y) });
    col++;
    if (col === PER_ROW && i < nodes.length - 1) {
      row++;
      col = 0;
    }
  });
  const cols = Math.min(PER_ROW, Math.max(1, nodes.length));
  const width = PAD * 2 + cols * BOX_W + (cols - 1) * GAP_X;
  const height = PAD * 2 + (row + 1) * BOX_H + row * GAP_Y;
  const arrows: Html[] = [];
  for (let i = 1; i < chain.length; i++) {
    const a = at[i - 1];
    const b = at[i];
    const node = chain[i];
    if (!a || !b || !node) continue;
    const cls = node.lostSync ? 'rig-cable rig-cable-bad' : 'rig-cable';
    const marker = node.lostSync ? 'url(#rig-arrow-bad)' : 'url(#rig-arrow)';
    const d =
      a.y === b.y
        ? `M${a.x + BOX_W} ${a.y + BOX_H / 2}H${b.x - 3}`
        : `M${a.x + BOX_W / 2} ${a.y + BOX_H}V${a.y + BOX_H + GAP_Y / 2}H${b.x + BOX_W / 2}V${b.y - 3}`;
    arrows.push(html`<path class="${cls}" d="${d}" marker-end="${marker}"/>`);
  }
  return html`<svg class="rig" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="rig-title">
<title id="rig-title">Sync wiring inferred from the recorded roles</title>
<defs>
<marker id="rig-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#475467"/></marker>
<marker id="rig-arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#d92d20"/></marker>
</defs>
${join(arrows)}
${join(nodes.map((n, i) => box(n, at[i]?.x ?? 0, at[i]?.y ?? 0)))}
</svg>`;
}

/** The rig section's sentence on how the picture was inferred. */
export function rigCaption(take: TakeAudit): Html {
  const { chain, loose } = inferRig(take);
  const lost = chain.filter((n) => n.lostSync).map((n) => n.name);
  const how =
    take.syncSource === 'generator'
      ? 'Every sensor is recorded as a subordinate, so an external generator drives them; it is drawn feeding the first subordinate, the others chained after it in serial order.'
      : take.syncSource === 'master'
        ? 'One master and its subordinates, drawn as a daisy chain in serial order (Sync Out to Sync In).'
        : take.syncSource === 'none'
          ? 'Every sensor is recorded standalone: no sync cable connects them.'
          : 'The roles do not make one rig (two masters, or standalone sensors among synchronized ones); sensors that fit no chain are drawn apart, unconnected.';
  return html`<strong>Inferred, not observed:</strong> the files record each sensor's sync role, not its cables. ${how}
${chain.length > 0 && loose.length > 0 ? ' Unconnected boxes are sensors outside the chain.' : ''}
${lost.length > 0 ? html` <span class="bad">A red dashed cable leads to a sensor that did not follow the sync pulses (${lost.join(', ')}).</span>` : ''}`;
}
