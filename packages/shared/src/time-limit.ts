/** `work`, or a rejection with `message` once `ms` have passed (the timer never keeps the process alive). */
export function withTimeout<T>(work: Promise<T>, ms: number, message = "timed out"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
