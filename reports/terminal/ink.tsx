/**
 * Live progress on an interactive stderr, drawn with ink: one line per connector (spinner, title, latest step),
 * redrawn at most ~8 times a second however fast connectors report, and cleared when the scan ends. The finished
 * report is not drawn with ink: it is static text (./text.ts), wrapped to the terminal, written after this view has
 * been cleared, so nothing is redrawn, half-drawn or left blank at the end.
 */
import { Box, Text, render } from 'ink';
import type { ReactNode } from 'react';
import type { ProgressEvent } from '../../src/engine/types.js';
import { plural } from '../shared.js';
import { applyProgress, type ConnectorProgress, type ProgressSink } from './progress-state.js';

export { applyProgress, type ConnectorProgress } from './progress-state.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Styled text when colour is on; the same words without any style when it is off (NO_COLOR, FORCE_COLOR=0). */
function Styled(props: { color: boolean; fg?: string; bold?: boolean; dim?: boolean; children: ReactNode }) {
  if (!props.color) return <Text>{props.children}</Text>;
  return (
    <Text color={props.fg} bold={props.bold} dimColor={props.dim}>
      {props.children}
    </Text>
  );
}

function mark(c: ConnectorProgress, frame: number, color: boolean) {
  if (c.status === 'running') return <Styled color={color} fg="cyan">{FRAMES[frame % FRAMES.length]}</Styled>;
  if (c.status === 'failed') return <Styled color={color} fg="red">✗</Styled>;
  return (
    <Styled color={color} fg={c.incomplete ? 'yellow' : 'green'}>
      {c.incomplete ? '!' : '✓'}
    </Styled>
  );
}

/** One line per connector; a line longer than the terminal is cut, never wrapped (so redraws stay one line each). */
export function ProgressView({ connectors, frame = 0, color = true }: { connectors: readonly ConnectorProgress[]; frame?: number; color?: boolean }) {
  return (
    <Box flexDirection="column">
      {connectors.map((c) => (
        <Text key={c.id} wrap="truncate-end">
          {mark(c, frame, color)}{' '}
          <Styled color={color} bold>
            {c.title}
          </Styled>{' '}
          {c.status === 'running' ? (
            <Styled color={color} dim>
              {c.message ?? 'starting…'}
            </Styled>
          ) : c.status === 'done' ? (
            <Styled color={color} dim>
              {c.incomplete ? 'done with gaps' : 'done'}, {plural(c.records ?? 0, 'record')}, {plural(c.calls ?? 0, 'API call')}
            </Styled>
          ) : (
            <Styled color={color} fg="red">
              failed: {c.message}
            </Styled>
          )}
        </Text>
      ))}
    </Box>
  );
}

export interface InkProgressOptions {
  /** colour on the progress stream (see colorEnabled in src/cli/io.ts) */
  color?: boolean;
  /** where to draw (default process.stderr) */
  stream?: NodeJS.WriteStream;
  /** redraw period in ms (default 125: at most 8 redraws a second, however fast events come) */
  intervalMs?: number;
  /** progress collected before the view started */
  initial?: readonly ConnectorProgress[];
}

/**
 * Draw the progress view; `stop()` clears and unmounts it (call it before printing the report). Events only update
 * the state; a timer redraws the latest state (and turns the spinner) every `intervalMs`, so a connector that reports
 * `jobs 120/400` a thousand times a second costs a handful of redraws.
 */
export function startInkProgress(opts: InkProgressOptions = {}): ProgressSink {
  const color = opts.color ?? true;
  const intervalMs = Math.max(50, opts.intervalMs ?? 125);
  let state: ConnectorProgress[] = [...(opts.initial ?? [])];
  let frame = 0;
  let dirty = false;
  let stopped = false;
  const view = () => <ProgressView connectors={state} frame={frame} color={color} />;
  const instance = render(view(), {
    stdout: opts.stream ?? process.stderr,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: Math.ceil(1000 / intervalMs),
  });
  const timer = setInterval(() => {
    const running = state.some((c) => c.status === 'running');
    if (!dirty && !running) return;
    dirty = false;
    if (running) frame = (frame + 1) % FRAMES.length;
    instance.rerender(view());
  }, intervalMs);
  timer.unref();
  return {
    onProgress(e) {
      if (stopped) return;
      state = applyProgress(state, e);
      dirty = true;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      // draw an empty last frame, so unmounting leaves nothing behind on the terminal
      state = [];
      instance.rerender(view());
      instance.clear();
      instance.unmount();
    },
  };
}
