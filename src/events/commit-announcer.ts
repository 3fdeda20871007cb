// Tells other server instances that this one committed events: one NOTIFY for however many
// commits happened since the last, never two in flight, at most one per interval.
//
// Why not NOTIFY in the commit itself: PostgreSQL holds NOTIFY's own lock through the commit's
// WAL flush, so every writer queued on it as on the event counter, and each commit woke every
// listening backend. The event table stays the truth: a lost announcement (a crash between commit
// and NOTIFY) is found by the other instances' poll.

export interface CommitAnnouncerOptions {
  /** Sends one announcement. */
  send: () => Promise<unknown>;
  /** The least time between two announcements, in ms. */
  intervalMs: number;
}

export class CommitAnnouncer {
  private pending = false;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly options: CommitAnnouncerOptions) {}

  /**
   * A change with events has committed. The first commit after a quiet spell is announced at once;
   * those during an announcement or its interval share the next one, sent after them.
   */
  committed(): void {
    this.pending = true;
    this.running ??= this.announce();
  }

  private async announce(): Promise<void> {
    while (this.pending) {
      this.pending = false;
      // A failed announcement is tried again (not while stopping: the database may be gone).
      await this.options.send().catch(() => void (this.pending ||= !this.stopping));
      if (this.pending && !this.stopping && this.options.intervalMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.options.intervalMs).unref());
      }
    }
    this.running = null;
  }

  /** Sends what is still owed at once, the interval no longer kept: for shutdown, once no request can commit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}
