import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../src/engine/types.js';

// ink and chalk read the environment when they are imported: colour on (so "no colour" is ink's doing, not chalk's
// guess), and not in CI mode (where ink only draws the last frame)
const saved = vi.hoisted(() => {
  const before = { FORCE_COLOR: process.env.FORCE_COLOR, CI: process.env.CI, NO_COLOR: process.env.NO_COLOR };
  process.env.FORCE_COLOR = '1';
  delete process.env.CI;
  delete process.env.NO_COLOR;
  return before;
});

import { ProgressView, applyProgress, startInkProgress, type ConnectorProgress } from '../../reports/terminal/ink.js';
import { deferredProgress } from '../../reports/terminal/live-progress.js';

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const SGR = /\u001b\[[0-9;]*m/;
const EVIL = '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u001b[2J\u001b[3A\rover\n# heading \u202egnp.exe';

/** A terminal-like stream: ink draws frames into it. */
class FakeTty extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  frames: string[] = [];
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
}

describe('ink progress view', () => {
  it('tracks each connector from start to done or failed', () => {
    const events: ProgressEvent[] = [
      { type: 'start', connector: 'aws', title: 'AWS IAM' },
      { type: 'start', connector: 'github', title: 'GitHub' },
      { type: 'step', connector: 'aws', message: 'reading authorization details' },
      { type: 'failed', connector: 'github', message: 'Bad credentials' },
    ];
    let state: ConnectorProgress[] = [];
    for (const e of events) state = applyProgress(state, e);
    expect(state.map((c) => [c.id, c.status, c.message])).toEqual([
      ['aws', 'running', 'reading authorization details'],
      ['github', 'failed', 'Bad credentials'],
    ]);
    const { lastFrame, rerender, unmount } = render(<ProgressView connectors={state} color={false} />);
    expect(lastFrame()).toContain('AWS IAM reading authorization details');
    expect(lastFrame()).toContain('✗ GitHub failed: Bad credentials');
    state = applyProgress(state, { type: 'done', connector: 'aws', records: 412, calls: 37, incomplete: false });
    rerender(<ProgressView connectors={state} color={false} />);
    expect(lastFrame()).toContain('✓ AWS IAM done, 412 records, 37 API calls');
    state = applyProgress(state, { type: 'done', connector: 'aws', records: 1, calls: 1, incomplete: true });
    rerender(<ProgressView connectors={state} color={false} />);
    expect(lastFrame()).toContain('! AWS IAM done with gaps, 1 record, 1 API call');
    unmount();
  });

  it('does not mutate the previous state', () => {
    const before: ConnectorProgress[] = [{ id: 'aws', title: 'AWS IAM', status: 'running' }];
    const after = applyProgress(before, { type: 'done', connector: 'aws', records: 1, calls: 0, incomplete: false });
    expect(before[0].status).toBe('running');
    expect(after[0].status).toBe('done');
  });

  it('draws no colour when colour is off (NO_COLOR, FORCE_COLOR=0), even where the terminal could', () => {
    const state = applyProgress(applyProgress([], { type: 'start', connector: 'aws', title: 'AWS IAM' }), { type: 'failed', connector: 'aws', message: 'denied' });
    const coloured = render(<ProgressView connectors={state} color />);
    expect(coloured.lastFrame()).toMatch(SGR);
    coloured.unmount();
    const plain = render(<ProgressView connectors={state} color={false} />);
    expect(plain.lastFrame()).not.toMatch(/\u001b/);
    expect(plain.lastFrame()).toContain('✗ AWS IAM failed: denied');
    plain.unmount();
  });

  it('shows connector titles and messages as one safe line each', () => {
    let state: ConnectorProgress[] = [];
    state = applyProgress(state, { type: 'start', connector: 'aws', title: `AWS${EVIL}` });
    state = applyProgress(state, { type: 'step', connector: 'aws', message: `role${EVIL}` });
    state = applyProgress(state, { type: 'failed', connector: `gh${EVIL}`, message: `boom${EVIL}` });
    const { lastFrame, unmount } = render(<ProgressView connectors={state} color={false} />);
    const frame = lastFrame() ?? '';
    expect(frame).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(frame).not.toContain('evil.example');
    expect(frame.split('\n')).toHaveLength(2);
    expect(frame).toContain('roleclick');
    unmount();
  });
});

describe('startInkProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('redraws at most ~10 times a second however often connectors report, always with the latest step', async () => {
    vi.useFakeTimers();
    const tty = new FakeTty();
    const view = startInkProgress({ stream: tty as unknown as NodeJS.WriteStream, color: false });
    view.onProgress({ type: 'start', connector: 'aws', title: 'AWS IAM' });
    // 2,000 steps, one per millisecond: 2 seconds of a fast-reporting phase
    for (let i = 1; i <= 2000; i++) {
      view.onProgress({ type: 'step', connector: 'aws', message: `service last-accessed jobs ${i}/2000` });
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(300);
    const drawn = tty.frames.filter((f) => f.includes('AWS IAM'));
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThanOrEqual(25);
    expect(drawn[drawn.length - 1]).toContain('service last-accessed jobs 2000/2000');
    view.stop();
    expect(tty.frames.join('')).not.toMatch(SGR);
  });

  it('starts from the progress collected before it was loaded, and a quick scan never loads it', async () => {
    vi.useFakeTimers();
    const tty = new FakeTty();
    let loads = 0;
    const load = async () => {
      loads++;
      return (initial: readonly ConnectorProgress[]) => startInkProgress({ stream: tty as unknown as NodeJS.WriteStream, color: false, initial });
    };
    const quick = deferredProgress(load, 1000);
    quick.onProgress({ type: 'start', connector: 'aws', title: 'AWS IAM' });
    await vi.advanceTimersByTimeAsync(500);
    quick.stop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(loads).toBe(0);
    expect(tty.frames).toHaveLength(0);

    const slow = deferredProgress(load, 1000);
    slow.onProgress({ type: 'start', connector: 'gcp', title: 'Google Cloud IAM' });
    slow.onProgress({ type: 'step', connector: 'gcp', message: 'project acme-prod: 8 service accounts' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(loads).toBe(1);
    expect(tty.frames.join('')).toContain('Google Cloud IAM project acme-prod: 8 service accounts');
    slow.onProgress({ type: 'done', connector: 'gcp', records: 99, calls: 12, incomplete: false });
    await vi.advanceTimersByTimeAsync(300);
    expect(tty.frames.join('')).toContain('Google Cloud IAM done, 99 records, 12 API calls');
    slow.stop();
  });
});
