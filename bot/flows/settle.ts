/**
 * The value of `work` if it settles within `ms`, or undefined while it still runs; a
 * rejection within `ms` passes through. Lets a turn answer in time and follow up later.
 */
export function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Whether to tell the chat; when storage cannot say whether someone already did, telling twice beats not telling. */
export async function announceOrTell(announce: () => Promise<boolean>): Promise<boolean> {
  try {
    return await announce();
  } catch {
    return true;
  }
}
