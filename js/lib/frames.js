// Redraws coalesced per animation frame, capped per frame, and held while off screen.
//
// bqplot redraws a chart's marks and axes on every model change: a line's new data, then its scales'
// new domains (once for x, once for y), each a full redraw. With 20 charts updating while a run streams,
// that is many redraws per task, most of them of charts nobody can see. A `FrameQueue` takes those calls
// instead: the newest call of each (view, method) waits for the next animation frame, where calls run
// until `budgetMs` is spent (the rest wait for the following frame), and a view whose element is off
// screen keeps its calls until `show(key)` says it is visible again (then they run, newest state only).
//
// Pure: the clock, the frame request and the visibility test are given (tests run it under node).

export class FrameQueue {
  /**
   * @param {{raf: (cb: () => void) => unknown, now: () => number, visible: (key: unknown) => boolean,
   *          budgetMs?: number}} deps
   */
  constructor({ raf, now, visible, budgetMs = 24 }) {
    this.raf = raf;
    this.now = now;
    this.visible = visible;
    this.budgetMs = budgetMs;
    this.queue = new Map(); // target -> {key, calls: Map<name, {fn, args}>}
    this.asked = false;
    this.running = false; // true while queued calls run: a call they make runs at once
    this.ran = 0; // calls run (for tests and a curious reader)
  }

  /** Queue `fn(...args)` as `target`'s call `name` (replacing a queued one); `key`: its visibility key. */
  defer(target, key, name, fn, args) {
    let e = this.queue.get(target);
    if (!e) this.queue.set(target, (e = { key, calls: new Map() }));
    e.key = key;
    e.calls.set(name, { fn, args });
    this.ask();
  }

  ask() {
    if (this.asked) return;
    this.asked = true;
    this.raf(() => { this.asked = false; this.flush(); });
  }

  /** A key became visible: its targets' calls run in the next frame. */
  show() {
    if (this.queue.size) this.ask();
  }

  /** Drop a target's calls (its view was removed). */
  forget(target) {
    this.queue.delete(target);
  }

  /** Targets waiting (visible or not). */
  get size() { return this.queue.size; }

  flush() {
    const t0 = this.now();
    this.running = true;
    try {
      for (const [target, e] of this.queue) {
        if (!this.visible(e.key)) continue; // kept until show()
        this.queue.delete(target);
        const calls = e.calls;
        // a full draw covers a redraw of the line alone
        if (calls.has('draw')) calls.delete('update_line_xy');
        for (const { fn, args } of calls.values()) {
          try {
            fn(...args);
          } catch (err) {
            console.debug('nbmonitor: a deferred chart redraw failed', err);
          }
          this.ran += 1;
        }
        if (this.now() - t0 >= this.budgetMs) break;
      }
    } finally {
      this.running = false;
    }
    for (const e of this.queue.values()) {
      if (this.visible(e.key)) { this.ask(); break; } // the rest next frame
    }
  }
}

// d3 transitions applied at once: bqplot draws through `selection.transition().duration(0)`, which
// waits for the next frame, then interpolates between the old and the new value (two path strings
// of thousands of numbers; a style read through getComputedStyle, a forced style recalculation, per
// grid line). `syncTransitions(proto, fn)` runs `fn` with the d3 selection prototype's `transition`
// (and a transition's `duration`, `delay`, `ease`) answering the selection itself, so what `fn` draws
// is set directly, and restores the prototype when `fn` returns: transitions made elsewhere, before
// or after, are untouched.
const SYNC = {
  transition() { return this; },
  duration() { return this; },
  delay() { return this; },
  ease() { return this; },
};

export function syncTransitions(proto, fn) {
  if (!proto || typeof proto.transition !== 'function' || proto.nbmSync) return fn();
  const saved = Object.keys(SYNC).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)]);
  for (const k of Object.keys(SYNC)) Object.defineProperty(proto, k, { value: SYNC[k], configurable: true, writable: true });
  proto.nbmSync = true;
  try {
    return fn();
  } finally {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(proto, k, d); else delete proto[k];
    }
    delete proto.nbmSync;
  }
}
