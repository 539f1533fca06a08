import { NhiError } from '../../src/util/errors.js';

/** The NhiError `fn` throws (any other error is rethrown; no error at all fails the test). */
export function nhiErrorOf(fn: () => unknown): NhiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NhiError) return e;
    throw e;
  }
  throw new Error('expected an NhiError');
}
