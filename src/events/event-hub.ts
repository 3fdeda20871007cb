// Delivers committed registry events to subscribers, in commit order, each exactly once.
// The event table is the truth; this server's own commits, other instances' NOTIFYs (and a slow
// poll, for notifications lost) only say "read again". One read per wake-up serves every subscriber.
import { AsyncResource } from 'node:async_hooks';
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { asc, eq, gt } from 'drizzle-orm';
import type { RegistryDatabase } from '../db/client.js';
import { registryEventCounter, registryEvents, stageTransitions } from '../db/schema.js';
import type { RegistryEventRecord, StageTransitionRecord } from '../registry/types.js';
import { CommitAnnouncer } from './commit-announcer.js';
import { announceStatement, EVENTS_CHANNEL } from './event-log.js';
import { decodeEventCursor, encodeEventCursor } from './cursor.js';
import { QueryArgumentError } from '../registry/errors.js';

export type RegistryEventRow = RegistryEventRecord & { transition: StageTransitionRecord | null };

export interface EventHubOptions {
  /** Events a live subscriber may have waiting before it counts as too slow and is ended. */
  bufferLimit?: number;
  /** Safety-net poll, for NOTIFYs lost while the listening connection was down. */
  pollIntervalMs?: number;
  /** Rows per read when replaying or catching up. */
  batchSize?: number;
  /** The least time between two announcements of this server's commits to other instances. */
  announceIntervalMs?: number;
}

class Subscriber {
  queue: RegistryEventRow[] = [];
  live = false;
  transport = 'sse';
  private wakeUp: (() => void) | null = null;

  /** `onOverflow` ends the stream at once: the consumer may be stuck, so the loop cannot be relied on. */
  constructor(
    private readonly bufferLimit: number,
    private readonly onOverflow: () => void,
  ) {}

  offer(batch: RegistryEventRow[]) {
    if (this.live) {
      this.queue.push(...batch);
      if (this.queue.length > this.bufferLimit) {
        this.queue = [];
        this.onOverflow();
      }
    }
    this.wake();
  }

  wake() {
    this.wakeUp?.();
    this.wakeUp = null;
  }

  sleep(): Promise<void> {
    return new Promise((resolve) => (this.wakeUp = resolve));
  }
}

export class EventHub {
  /** The newest position this hub has read and handed to subscribers; with none, the newest notified. */
  private last = 0;
  private readonly subscribers = new Set<Subscriber>();
  private reading: Promise<void> | null = null;
  private closed = false;
  /** False while the last read of the event table failed (database unreachable). */
  private readable = true;
  private readAgain = false;
  private unlisten: (() => Promise<void>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly bufferLimit: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly announcer: CommitAnnouncer;
  /** The hub's own async context: its reads and announcements are no request's work (nor in its trace). */
  private readonly scope = new AsyncResource('EventHub');

  constructor(
    private readonly database: RegistryDatabase,
    options: EventHubOptions = {},
  ) {
    this.bufferLimit = options.bufferLimit ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.batchSize = options.batchSize ?? 500;
    this.announcer = new CommitAnnouncer({ send: () => database.db.execute(announceStatement()), intervalMs: options.announceIntervalMs ?? 10 });
  }

  async start(): Promise<void> {
    try {
      this.last = await this.newestPosition();
    } catch {
      this.readable = false; // not migrated yet (MIGRATE_ON_START=false): /ready says so
    }
    this.unlisten = await this.database.channels.listen(
      EVENTS_CHANNEL,
      (payload) => this.committed(payload),
      () => this.wake(), // reconnected: notifications may have been missed, so read the table
    );
    this.timer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.timer.unref();
  }

  /** Completes every open stream and stops listening. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    await this.reading;
    for (const sub of this.subscribers) sub.wake();
  }

  /** Announces this server's last commits to other instances: at shutdown, after the last request and before the database closes. */
  async finishAnnouncing(): Promise<void> {
    await this.announcer.stop();
  }

  /** Listening, and the event table was readable at the last try: what /ready reports. */
  get healthy(): boolean {
    return this.unlisten != null && this.readable && !this.closed;
  }

  /** Events pushed to subscribers since start, for /metrics. */
  delivered = 0;

  /** Open subscriptions by transport ('sse' or 'ws'). */
  subscribersBy(transport: string): number {
    let n = 0;
    for (const sub of this.subscribers) if (sub.transport === transport) n += 1;
    return n;
  }

  /** How far the newest committed event is ahead of this hub's position. */
  async lag(): Promise<number> {
    return Math.max(0, (await this.newestPosition()) - this.last);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** The newest committed position (the counter row is read without waiting for its lock). */
  async newestPosition(): Promise<number> {
    const [row] = await this.database.db.select({ last: registryEventCounter.lastPosition }).from(registryEventCounter).where(eq(registryEventCounter.id, 1));
    return Number(row?.last ?? 0);
  }

  /**
   * The position a stream starts after: the client's `after` token, or the newest committed
   * event when there is none ("from now"). A token from the future is refused.
   */
  async resumePosition(after: string | null | undefined): Promise<number> {
    if (after == null) return this.newestPosition();
    const position = decodeEventCursor(after);
    if (position > this.last && position > (await this.newestPosition())) {
      throw new QueryArgumentError(`Unknown event cursor in 'after': no event has that position yet`, 'after');
    }
    return position;
  }

  /** Committed events after `position`, oldest first, with their stage transitions. */
  async readAfter(position: number, limit: number): Promise<RegistryEventRow[]> {
    const rows = await this.database.db
      .select({ event: registryEvents, transition: stageTransitions })
      .from(registryEvents)
      .leftJoin(stageTransitions, eq(stageTransitions.id, registryEvents.transitionId))
      .where(gt(registryEvents.position, position))
      .orderBy(asc(registryEvents.position))
      .limit(limit);
    return rows.map((r) => ({ ...r.event, position: Number(r.event.position), transition: r.transition }));
  }

  /**
   * An announcement (this or another instance's), whose payload is the newest committed position. With nobody
   * subscribed the rows are not read, only the position noted: a stream that opens later replays
   * from the table, so every write no longer costs this server a read of the event log. An
   * announcement of nothing newer than what was read (this server's own echo, mostly) reads nothing.
   */
  private committed(payload: string): void {
    const position = Number(payload);
    if (Number.isSafeInteger(position) && position <= this.last) return;
    if (this.subscribers.size === 0 && Number.isSafeInteger(position) && !this.reading) {
      this.last = position;
      return;
    }
    this.wake();
  }

  /**
   * This server committed a change with events: its subscribers read them now, other instances
   * hear of them by NOTIFY (several commits sharing one), and its own echo notes the position.
   */
  changeCommitted(): void {
    this.scope.runInAsyncScope(() => {
      if (this.subscribers.size > 0) this.wake();
      this.announcer.committed();
    });
  }

  /** Reads what is new and offers it to every subscriber; wake-ups during a read cause one more read. */
  wake(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        try {
          for (;;) {
            if (!this.readable && this.last === 0) this.last = await this.newestPosition();
            const batch = await this.readAfter(this.last, this.batchSize);
            this.readable = true;
            if (batch.length === 0) break;
            this.last = batch.at(-1)!.position;
            for (const sub of this.subscribers) sub.offer(batch);
            if (batch.length < this.batchSize) break;
          }
        } catch {
          // The database is unreachable for now; the next notification or poll retries.
          this.readable = false;
        }
      } while (this.readAgain);
      this.reading = null;
    })();
  }

  /**
   * A stream of the events after `after` (a resume token) or, without it, after now, that `accept`
   * keeps. Replays from the table, then goes live with no gap and no repeat at the switch.
   */
  stream(options: {
    accept: (event: RegistryEventRow) => boolean | Promise<boolean>;
    startPosition?: number;
    transport?: string;
  }): Repeater<RegistryEventRow> {
    const { accept } = options;
    const startPosition = options.startPosition ?? this.last;
    return new Repeater<RegistryEventRow>(async (push, stop) => {
      let cursor = startPosition;
      const sub = new Subscriber(this.bufferLimit, () => {
        const resumeAfter = encodeEventCursor(cursor);
        stop(
          new GraphQLError(`Subscriber too slow: more than ${this.bufferLimit} events waiting. Resubscribe with after: "${resumeAfter}".`, {
            extensions: { code: 'SUBSCRIBER_TOO_SLOW', resumeAfter },
          }),
        );
      });
      let stopped = this.closed;
      void stop.then(() => {
        stopped = true;
        sub.wake();
      });
      sub.transport = options.transport ?? 'sse';
      this.subscribers.add(sub);
      try {
        // `cursor` only passes an event once it is pushed (or filtered out), so a resume cursor
        // handed out when the stream stops never skips one.
        const deliver = async (event: RegistryEventRow) => {
          const wanted = await accept(event);
          if (stopped) return;
          cursor = event.position;
          if (wanted) {
            this.delivered += 1;
            await push(event);
          }
        };
        while (!stopped) {
          if (this.closed) {
            stop();
            break;
          }
          if (!sub.live) {
            // Replay or catch up from the table.
            const rows = await this.readAfter(cursor, this.batchSize);
            for (const event of rows) {
              if (stopped) break;
              await deliver(event);
            }
            // Go live only when nothing newer than what we read has been handed out yet.
            if (rows.length < this.batchSize && this.last <= cursor) {
              sub.live = true;
              sub.queue = [];
            }
            continue;
          }
          const batch = sub.queue;
          sub.queue = [];
          for (const event of batch) {
            if (stopped) break;
            if (event.position <= cursor) continue;
            if (event.position !== cursor + 1) {
              sub.live = false; // a hole: read it from the table
              break;
            }
            await deliver(event);
          }
          if (sub.live && sub.queue.length === 0 && !stopped && !this.closed) await sub.sleep();
        }
      } finally {
        this.subscribers.delete(sub);
      }
    });
  }
}
