/**
 * At most one delivery in flight; while one runs, newer work replaces the waiting one ("latest
 * wins"). Used by sinks that re-render the whole report (PR comment, Slack bot message), where an
 * intermediate state that was never shown is not worth an API call.
 */
export class LatestOnly<T> {
  #send: (value: T) => Promise<void>;
  #inFlight: Promise<void> | undefined;
  #pending: { value: T; waiters: { resolve: () => void; reject: (err: unknown) => void }[] } | undefined;

  constructor(send: (value: T) => Promise<void>) {
    this.#send = send;
  }

  /** Resolves when `value` (or a newer value that replaced it) has been delivered. */
  submit(value: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#pending) {
        this.#pending.value = value;
        this.#pending.waiters.push({ resolve, reject });
      } else {
        this.#pending = { value, waiters: [{ resolve, reject }] };
      }
      if (!this.#inFlight) this.#drain();
    });
  }

  #drain(): void {
    const job = this.#pending;
    if (!job) {
      this.#inFlight = undefined;
      return;
    }
    this.#pending = undefined;
    // Promise.resolve().then: a send that throws synchronously still settles its waiters.
    this.#inFlight = Promise.resolve()
      .then(() => this.#send(job.value))
      .then(
        () => job.waiters.forEach((w) => w.resolve()),
        (err: unknown) => job.waiters.forEach((w) => w.reject(err)),
      );
    void this.#inFlight.then(() => this.#drain());
  }
}
