/**
 * ink views: the scan report (same content as the plain-text report, drawn with ink on an interactive stdout) and the
 * progress view (one spinner per connector, drawn on stderr and cleared when the scan ends).
 */
import { useEffect, useState } from 'react';
import { Box, Static, Text, render } from 'ink';
import type { ProgressEvent } from '../../src/engine/types.js';
import type { Severity } from '../../src/model/types.js';
import { plural, type ReportInput } from '../shared.js';
import { buildModel, type ModelFinding, type ReportModel } from './model.js';

const SEVERITY_COLOR: Record<Severity, string> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };
const SEVERITY_TAG: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function SeverityTag({ severity, pad }: { severity: Severity; pad?: number }) {
  const label = pad ? SEVERITY_TAG[severity].padEnd(pad) : SEVERITY_TAG[severity];
  return (
    <Text color={SEVERITY_COLOR[severity]} bold={severity === 'critical' || severity === 'high'}>
      {label}
    </Text>
  );
}

function FindingItem({ f }: { f: ModelFinding }) {
  return (
    <Box flexDirection="column" marginLeft={4}>
      <Text>
        • <Text bold>{f.identity}</Text>
      </Text>
      <Box flexDirection="column" marginLeft={2}>
        <Text>{f.message}</Text>
        {f.evidence.map((e, i) => (
          <Text key={i}>
            <Text dimColor>evidence:</Text> {e}
          </Text>
        ))}
        {f.moreEvidence > 0 ? <Text dimColor>(+{f.moreEvidence} more evidence)</Text> : null}
        {f.path ? (
          <Text>
            <Text dimColor>path:</Text> {f.path}
          </Text>
        ) : null}
        {f.location ? (
          <Text>
            <Text dimColor>at:</Text> {f.location}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}

/** The report, drawn from the same model as the plain-text renderer. */
export function ReportView({ model }: { model: ReportModel }) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{model.title}</Text> <Text dimColor>· non-human identity report</Text>
      </Text>
      {model.meta.map((m, i) => (
        <Text key={i}>
          {'  '}
          <Text dimColor>{m.label.padEnd(8)}</Text> {m.value}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        <Text bold>{model.summary}</Text>
        {model.incomplete ? <Text color="yellow">! Scan incomplete: some sources could not be read (see Coverage).</Text> : null}
      </Box>

      {model.topRisks.length > 0 ? (
        <Box marginTop={1} flexDirection="column">
          <Text bold>Top risks</Text>
          {model.topRisks.map((f, i) => (
            <Box key={i} marginLeft={2}>
              <Box width={10} flexShrink={0}>
                <SeverityTag severity={f.severity} />
              </Box>
              <Box flexDirection="column">
                <Text bold>{f.identity}</Text>
                <Text>
                  {f.message} <Text dimColor>[{f.ruleId}]</Text>
                </Text>
              </Box>
            </Box>
          ))}
        </Box>
      ) : null}

      <Box marginTop={1} flexDirection="column">
        <Text bold>Findings</Text>
        {model.groups.length === 0 ? (
          <Box marginLeft={2}>
            <Text color="green">No findings.</Text>
          </Box>
        ) : null}
        {model.groups.map((g) => (
          <Box key={g.severity} marginTop={1} flexDirection="column">
            <Text>
              <SeverityTag severity={g.severity} /> ({g.count})
            </Text>
            {g.rules.map((r) => (
              <Box key={r.ruleId} flexDirection="column">
                <Box marginLeft={2}>
                  <Text>
                    <Text bold>{r.ruleId}</Text>
                    {r.title ? <Text dimColor> · {r.title}</Text> : null} <Text dimColor>({r.count})</Text>
                  </Text>
                </Box>
                {r.items.map((f, i) => (
                  <FindingItem key={i} f={f} />
                ))}
                {r.hidden > 0 ? (
                  <Box marginLeft={4}>
                    <Text dimColor>… and {r.hidden} more (--verbose lists all)</Text>
                  </Box>
                ) : null}
              </Box>
            ))}
          </Box>
        ))}
      </Box>

      <Box marginTop={1} flexDirection="column">
        <Text bold>Coverage</Text>
        {model.coverage.length === 0 ? (
          <Box marginLeft={2}>
            <Text color="green">Every source was read.</Text>
          </Box>
        ) : null}
        {model.coverage.map((c, i) => (
          <Box key={i} marginLeft={2} flexDirection="column">
            <Text>
              {c.incomplete ? <Text color="yellow">✗ missing</Text> : <Text color="gray">i note</Text>} {c.head}
            </Text>
            <Box marginLeft={4} flexDirection="column">
              <Text>{c.message}</Text>
              <Text>
                <Text dimColor>impact:</Text> {c.impact}
              </Text>
            </Box>
          </Box>
        ))}
      </Box>

      {model.drift.length > 0 ? (
        <Box marginTop={1} flexDirection="column">
          <Text bold>{model.drift[0]}</Text>
          {model.drift.slice(1).map((line, i) => (
            <Text key={i}>{line}</Text>
          ))}
        </Box>
      ) : null}
      {model.suppressed > 0 ? (
        <Box marginTop={1}>
          <Text dimColor>{plural(model.suppressed, 'finding')} suppressed by the configuration.</Text>
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text dimColor>Next: {model.hints.join(' · ')}</Text>
      </Box>
    </Box>
  );
}

/**
 * Draw the report with ink once: mount, then unmount straight away; the output stays on screen. The exit promise is
 * taken before unmounting so it always settles.
 */
export async function renderReportInk(result: ReportInput, opts: { verbose?: boolean } = {}): Promise<void> {
  const model = buildModel(result, { verbose: opts.verbose });
  // <Static> writes the report once, above ink's live area: a report taller than the terminal is never redrawn
  // (ink clears the whole screen to redraw live output taller than the window)
  const instance = render(
    <Static items={[model]}>{(m) => <ReportView key="report" model={m} />}</Static>,
    { patchConsole: false, exitOnCtrlC: false },
  );
  const exited = instance.waitUntilExit();
  instance.unmount();
  await exited;
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

export interface ConnectorProgress {
  id: string;
  title: string;
  status: 'running' | 'done' | 'failed';
  message?: string;
  records?: number;
  calls?: number;
  incomplete?: boolean;
}

/** Pure state update for the progress view: one row per connector, in the order they started. */
export function applyProgress(state: readonly ConnectorProgress[], e: ProgressEvent): ConnectorProgress[] {
  const i = state.findIndex((c) => c.id === e.connector);
  const current: ConnectorProgress = i >= 0 ? state[i] : { id: e.connector, title: e.connector, status: 'running' };
  let next: ConnectorProgress;
  switch (e.type) {
    case 'start':
      next = { id: e.connector, title: e.title, status: 'running' };
      break;
    case 'step':
      next = { ...current, message: e.message };
      break;
    case 'done':
      next = { ...current, status: 'done', records: e.records, calls: e.calls, incomplete: e.incomplete };
      break;
    case 'failed':
      next = { ...current, status: 'failed', message: e.message };
      break;
    default:
      return [...state];
  }
  return i >= 0 ? state.map((c, k) => (k === i ? next : c)) : [...state, next];
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function Spinner() {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 80);
    return () => clearInterval(t);
  }, []);
  return <Text color="cyan">{FRAMES[frame]}</Text>;
}

export function ProgressView({ connectors }: { connectors: readonly ConnectorProgress[] }) {
  return (
    <Box flexDirection="column">
      {connectors.map((c) => (
        <Text key={c.id}>
          {c.status === 'running' ? <Spinner /> : c.status === 'done' ? <Text color={c.incomplete ? 'yellow' : 'green'}>{c.incomplete ? '!' : '✓'}</Text> : <Text color="red">✗</Text>}{' '}
          <Text bold>{c.title}</Text>{' '}
          {c.status === 'running' ? (
            <Text dimColor>{c.message ?? 'starting…'}</Text>
          ) : c.status === 'done' ? (
            <Text dimColor>
              {c.incomplete ? 'done with gaps' : 'done'}, {plural(c.records ?? 0, 'record')}, {plural(c.calls ?? 0, 'API call')}
            </Text>
          ) : (
            <Text color="red">failed: {c.message}</Text>
          )}
        </Text>
      ))}
    </Box>
  );
}

/** Draw the progress view on stderr; `stop()` clears and unmounts it (call it before printing the report). */
export function startInkProgress(): { onProgress(e: ProgressEvent): void; stop(): void } {
  let state: ConnectorProgress[] = [];
  let stopped = false;
  const instance = render(<ProgressView connectors={state} />, { stdout: process.stderr, patchConsole: false, exitOnCtrlC: false });
  return {
    onProgress(e) {
      if (stopped) return;
      state = applyProgress(state, e);
      instance.rerender(<ProgressView connectors={state} />);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // draw an empty last frame, so unmounting leaves nothing behind on the terminal
      instance.rerender(<ProgressView connectors={[]} />);
      instance.clear();
      instance.unmount();
    },
  };
}
