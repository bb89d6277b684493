// A cap on the size of one answer. got buffers a whole body before parsing it,
// so without a cap a hostile or broken server decides how much memory runnerform
// takes (a 600 MB answer took 1.3 GiB; 3 GB aborted V8).
import type { CancelableRequest, HandlerFunction, Response } from 'got';

/**
 * Largest answer read: about 3× the largest real one measured. Against the fake,
 * 10,000 group runners with 255-character descriptions, 1,024-character notes and
 * 10 tags of 50 characters came back as one GraphQL answer of 20.9 MiB (100 scopes ×
 * 100 runners); a REST page of 100 of them is 43 kB.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Told, through got's `context`, that an answer went over the cap (a function: got copies plain objects in `context`). */
export type TooLargeListener = (bytes: number, announced: boolean) => void;

/** A got handler that stops reading, and cancels the request, once an answer passes `maxBytes`. */
export function limitResponseSize(maxBytes: number): HandlerFunction {
  return (options, next) => {
    const result = next(options);
    if (options.isStream) return result;
    const request = result as CancelableRequest<Response>;
    // on() returns the request itself, a promise the caller of this handler awaits.
    void request.on('downloadProgress', ({ transferred, total }) => {
      // `total` is the announced Content-Length: refused before a byte of the body is read.
      const announced = (total ?? 0) > maxBytes;
      if ((!announced && transferred <= maxBytes) || request.isCanceled) return;
      (options.context.onTooLarge as TooLargeListener | undefined)?.(announced ? total! : transferred, announced);
      request.cancel();
    });
    return result;
  };
}
