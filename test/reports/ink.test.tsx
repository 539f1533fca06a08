import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../src/engine/types.js';
import { ProgressView, ReportView, applyProgress, renderReportInk, type ConnectorProgress } from '../../reports/terminal/ink.js';
import { buildModel } from '../../reports/terminal/model.js';
import { summaryLine } from '../../reports/shared.js';
import { CANARY, cleanResult, sampleResult } from './sample.js';

/** ink wraps at the virtual terminal width: compare with whitespace collapsed. */
const flat = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ');

describe('ink report view', () => {
  it('renders the summary line, top risks, findings and coverage', () => {
    const result = sampleResult();
    const { lastFrame, unmount } = render(<ReportView model={buildModel(result)} />);
    const frame = flat(lastFrame());
    expect(frame).toContain(summaryLine(result));
    expect(frame).toContain('Top risks');
    expect(frame).toContain('CRITICAL gha-deploy (iam-role, 123456789012)');
    expect(frame).toContain('path: token.actions.githubusercontent.com → gha-deploy → admin-role');
    expect(frame).toContain('… and 3 more (--verbose lists all)');
    expect(frame).toContain('✗ missing aws iam:GenerateCredentialReport (123456789012): permission-denied');
    expect(frame).not.toContain(CANARY);
    unmount();
  });

  it('renders a clean scan without top risks', () => {
    const { lastFrame, unmount } = render(<ReportView model={buildModel(cleanResult())} />);
    const frame = flat(lastFrame());
    expect(frame).toContain('no findings');
    expect(frame).toContain('No findings.');
    expect(frame).toContain('Every source was read.');
    expect(frame).not.toContain('Top risks');
    unmount();
  });
});

describe('renderReportInk', () => {
  afterEach(() => vi.restoreAllMocks());

  it('renders once to stdout and resolves', async () => {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      // like a real stream: run the write callback (ink waits for it before resolving its exit promise)
      const cb = rest.find((x): x is () => void => typeof x === 'function');
      if (cb) setImmediate(cb);
      return true;
    }) as typeof process.stdout.write);
    const result = sampleResult();
    await renderReportInk(result);
    vi.restoreAllMocks();
    const out = flat(chunks.join('').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''));
    expect(out).toContain('Top risks');
    expect(out).toContain(flat(summaryLine(result)));
  });
});

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
    const { lastFrame, rerender, unmount } = render(<ProgressView connectors={state} />);
    expect(lastFrame()).toContain('AWS IAM reading authorization details');
    expect(lastFrame()).toContain('✗ GitHub failed: Bad credentials');
    state = applyProgress(state, { type: 'done', connector: 'aws', records: 412, calls: 37, incomplete: false });
    rerender(<ProgressView connectors={state} />);
    expect(lastFrame()).toContain('✓ AWS IAM done, 412 records, 37 API calls');
    state = applyProgress(state, { type: 'done', connector: 'aws', records: 1, calls: 1, incomplete: true });
    rerender(<ProgressView connectors={state} />);
    expect(lastFrame()).toContain('! AWS IAM done with gaps, 1 record, 1 API call');
    unmount();
  });

  it('does not mutate the previous state', () => {
    const before: ConnectorProgress[] = [{ id: 'aws', title: 'AWS IAM', status: 'running' }];
    const after = applyProgress(before, { type: 'done', connector: 'aws', records: 1, calls: 0, incomplete: false });
    expect(before[0].status).toBe('running');
    expect(after[0].status).toBe('done');
  });
});
