/**
 * Preloaded into a benchmarked child process (`node --import <this file> bin/nhi ...`): when the process exits, it
 * writes its peak resident set size (KiB, from getrusage) to the file named by NHI_BENCH_RSS_FILE. The parent cannot
 * read a child's peak RSS once it has exited; the child can, at its last moment.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.NHI_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // the measurement is lost, the scan's exit code is not
    }
  });
}
