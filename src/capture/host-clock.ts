/** Host monotonic time in µs: the clock the SDK stamps image arrival with on Linux (CLOCK_MONOTONIC). */
export const hostNowUs = (): number => Number(process.hrtime.bigint() / 1000n);
