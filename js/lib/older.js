// A media key's steps older than those the browser holds (nbmonitor/ui/views/_older.py): the step slider
// reaches them, and the kernel sends the one chosen. Shared by the images view and the image grid.

import { h } from "./dom.js";

/** Steps sent as runs of evenly spaced steps, [first, stride, count, ...], indexed without expanding them. */
export class StepRuns {
  constructor(flat) {
    this.runs = [];
    this.ends = []; // ends[r]: steps in runs 0..r
    let n = 0;
    const a = Array.isArray(flat) ? flat : [];
    for (let i = 0; i + 2 < a.length; i += 3) {
      const [first, stride, count] = [Number(a[i]), Number(a[i + 1]), Number(a[i + 2])];
      if (!(count > 0)) continue;
      this.runs.push([first, stride, count]);
      n += count;
      this.ends.push(n);
    }
    this.length = n;
  }

  /** The i-th step (0 <= i < length). */
  at(i) {
    let lo = 0;
    let hi = this.ends.length - 1;
    while (lo < hi) { // the first run ending past i
      const mid = (lo + hi) >> 1;
      if (this.ends[mid] > i) hi = mid; else lo = mid + 1;
    }
    const [first, stride] = this.runs[lo];
    return first + stride * (i - (lo ? this.ends[lo - 1] : 0));
  }

  /** The index of `step` (its first place), -1 when absent. */
  indexOf(step) {
    for (let r = 0; r < this.runs.length; r++) {
      const [first, stride, count] = this.runs[r];
      const before = r ? this.ends[r - 1] : 0;
      if (stride === 0) {
        if (step === first) return before;
        continue;
      }
      const q = (step - first) / stride;
      if (Number.isInteger(q) && q >= 0 && q < count) return before + q;
    }
    return -1;
  }
}

/** A key's slider: its older steps (runs, from the kernel), then the steps the browser holds (`kept`). */
export class SliderSteps {
  constructor(olderFlat, kept) {
    this.older = new StepRuns(olderFlat);
    this.kept = kept;
    this.length = this.older.length + kept.length;
  }

  /** {step, kept}: the i-th step, and its index in `kept` (-1: an older step, to ask the kernel for). */
  at(i) {
    const n = this.older.length;
    return i < n ? { step: this.older.at(i), kept: -1 } : { step: this.kept[i - n], kept: i - n };
  }

  /** The position of `step` (one the browser holds first), -1 when absent. */
  indexOf(step) {
    const k = this.kept.lastIndexOf(step);
    return k >= 0 ? this.older.length + k : this.older.indexOf(step);
  }
}

/**
 * What the kernel answered for older steps, by id; the newest `keep` answers are kept, `dispose(value)`
 * frees one dropped (its object URLs). Each id is asked once until it is answered.
 */
export class Answers {
  constructor(keep, dispose = () => {}) {
    this.keep = keep;
    this.dispose = dispose;
    this.got = new Map();
    this.asked = new Set();
  }

  get(id) { return this.got.get(id); }

  /** Call `send()` unless `id` is answered or asked for already. */
  want(id, send) {
    if (this.got.has(id) || this.asked.has(id)) return;
    this.asked.add(id);
    send();
  }

  put(id, value) {
    this.asked.delete(id);
    if (this.got.has(id)) { this.dispose(this.got.get(id)); this.got.delete(id); }
    this.got.set(id, value);
    while (this.got.size > this.keep) {
      const [first, v] = this.got.entries().next().value;
      this.dispose(v);
      this.got.delete(first);
    }
  }

  clear() {
    for (const v of this.got.values()) this.dispose(v);
    this.got.clear();
    this.asked.clear();
  }
}

/** A step slider and the label beside it, in a `wrapTag` element with `classes` [wrap, slider, label]. */
export function stepSliderRow(wrapTag, [wrapClass, sliderClass, labelClass]) {
  const slider = h("input", sliderClass);
  slider.type = "range";
  slider.min = "0";
  const label = h("span", labelClass);
  const wrap = h(wrapTag, wrapClass);
  wrap.append(slider, label);
  return { wrap, slider, label };
}
