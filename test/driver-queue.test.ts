// postgres.js keeps its pool's connections in queues (patches/postgres+3.4.9.patch). Under load the
// busy queue rotates (a connection is shifted off for the next query, then pushed back) and never
// empties. Unpatched, its array gained a slot for every query, and every move of a connection
// searched them all: the server's CPU per request rose the longer it ran (bench/NOTES.md, 7
// December 2026, 13:19 UTC). Checked on the driver's own queue.
import { describe, expect, it } from 'vitest';
// @ts-expect-error the driver's internal module has no types
import Queue from '../node_modules/postgres/src/queue.js';

interface DriverQueue<T> {
  readonly length: number;
  push(x: T): T;
  shift(): T;
  remove(x: T): T | null;
}

/** The queue's backing array, recording how long it ever grew (the queue copies it, keeping the class). */
class Slots<T> extends Array<T> {
  static longest = 0;
  override push(...items: T[]): number {
    const length = super.push(...items);
    Slots.longest = Math.max(Slots.longest, length);
    return length;
  }
}

const queueOf = <T>(): DriverQueue<T> => Queue(new Slots<T>());

describe("the driver's connection queue", () => {
  it('stays as long as its live part while it rotates without emptying, as the busy queue does', () => {
    Slots.longest = 0;
    const busy = queueOf<{ id: number }>();
    const connections = Array.from({ length: 10 }, (_, id) => ({ id }));
    for (const c of connections) busy.push(c);
    for (let i = 0; i < 50_000; i++) {
      const c = busy.shift(); // the next query goes to the least recently used busy connection
      expect(busy.remove(c)).toBe(null); // move(c, busy) first takes it out of the queue it was in
      busy.push(c);
      if (i % 1000 === 0) {
        const finished = connections[(i / 1000) % 10]; // a connection runs dry and moves to the open queue
        expect(busy.remove(finished)).toBe(finished);
        busy.push(finished);
      }
    }
    expect(busy.length).toBe(10);
    expect(Slots.longest).toBeLessThan(3000);
  });

  // A guard for the patch itself: its dropping of shifted slots must keep the queue's order and length.
  it('keeps its order and its length across the dropping of shifted slots', () => {
    const queue = queueOf<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 5000; round++) {
      queue.push(next);
      expected.push(next++);
      queue.push(next);
      expected.push(next++);
      expect(queue.shift()).toBe(expected.shift());
      if (round % 7 === 0) {
        const middle = expected[Math.floor(expected.length / 2)];
        expect(queue.remove(middle)).toBe(middle);
        expected.splice(expected.indexOf(middle), 1);
      }
      expect(queue.length).toBe(expected.length);
    }
    while (expected.length) expect(queue.shift()).toBe(expected.shift());
    expect(queue.length).toBe(0);
  });

  it('stays usable once its last item is removed rather than shifted', () => {
    const queue = queueOf<string>();
    queue.push('a');
    queue.push('b');
    expect(queue.shift()).toBe('a');
    expect(queue.remove('b')).toBe('b');
    expect(queue.length).toBe(0);
    expect(queue.remove('a')).toBe(null); // shifted earlier: not in the queue any more
    queue.push('c');
    expect(queue.length).toBe(1);
    expect(queue.shift()).toBe('c');
  });
});
