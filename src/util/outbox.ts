/**
 * Records produced by concurrent work, handed on as soon as they exist: a connector pushes finished units (a
 * repository, a project) here while its tasks run, and its generator yields them from `drain`. When the scan's
 * deadline stops the connector, what was already yielded stays in the report.
 */
export class Outbox<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;

  push(...items: T[]): number {
    this.items.push(...items);
    this.wake?.();
    return this.items.length;
  }

  /** Yield what is pushed until `work` settles, then what is left; rethrows the failure of `work`. */
  async *drain(work: Promise<unknown>): AsyncGenerator<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
      this.wake?.();
    });
    done.catch(() => {}); // awaited below; never an unhandled rejection while items are yielded
    for (;;) {
      while (this.items.length > 0) yield* this.items.splice(0);
      if (settled) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    await done;
  }
}
