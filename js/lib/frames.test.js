import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameQueue, syncTransitions } from './frames.js';

function harness(budgetMs = 24) {
  const frames = [];
  let t = 0;
  const shown = new Set();
  const q = new FrameQueue({ raf: (cb) => frames.push(cb), now: () => t, visible: (k) => shown.has(k), budgetMs });
  const frame = () => { const cbs = frames.splice(0); for (const cb of cbs) cb(); };
  return { q, frames, frame, shown, tick: (ms) => { t += ms; } };
}

test('calls of one view are coalesced into one per method per frame, newest arguments win', () => {
  const { q, frames, frame, shown } = harness();
  shown.add('fig');
  const got = [];
  const view = {};
  for (let i = 0; i < 5; i++) q.defer(view, 'fig', 'redraw_axisline', (a) => got.push(['axis', a]), [i]);
  q.defer(view, 'fig', 'draw', (a) => got.push(['draw', a]), [true]);
  assert.equal(frames.length, 1); // one frame asked for
  assert.deepEqual(got, []);
  frame();
  assert.deepEqual(got, [['axis', 4], ['draw', true]]);
  assert.equal(q.size, 0);
  assert.equal(frames.length, 0);
});

test('a queued draw makes a queued update_line_xy of the same view unnecessary', () => {
  const { q, frame, shown } = harness();
  shown.add('k');
  const got = [];
  const v = {};
  q.defer(v, 'k', 'update_line_xy', () => got.push('xy'), []);
  q.defer(v, 'k', 'draw', () => got.push('draw'), []);
  frame();
  assert.deepEqual(got, ['draw']);
});

test('off-screen views keep their calls until shown, then run the newest state', () => {
  const { q, frames, frame, shown } = harness();
  const got = [];
  const a = {}, b = {};
  q.defer(a, 'on', 'draw', (x) => got.push(['a', x]), [1]);
  q.defer(b, 'off', 'draw', (x) => got.push(['b', x]), [1]);
  shown.add('on');
  frame();
  assert.deepEqual(got, [['a', 1]]);
  assert.equal(frames.length, 0); // nothing visible waits: no frame asked
  q.defer(b, 'off', 'draw', (x) => got.push(['b', x]), [2]);
  frame();
  assert.deepEqual(got, [['a', 1]]);
  shown.add('off');
  q.show('off');
  frame();
  assert.deepEqual(got, [['a', 1], ['b', 2]]);
  assert.equal(q.size, 0);
});

test('work per frame is capped: the rest runs in the following frames', () => {
  const { q, frames, frame, shown, tick } = harness(20);
  shown.add('k');
  const got = [];
  for (let i = 0; i < 5; i++) q.defer({}, 'k', 'draw', () => { tick(8); got.push(i); }, []);
  frame();
  assert.deepEqual(got, [0, 1, 2]); // 24 ms >= 20 after the third
  assert.equal(frames.length, 1);
  frame();
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  assert.equal(frames.length, 0);
});

test('a call made while queued calls run runs at once (running flag), and a failing call does not stop the rest', () => {
  const { q, frame, shown } = harness();
  shown.add('k');
  const got = [];
  q.defer({}, 'k', 'draw', () => { got.push(q.running); throw new Error('boom'); }, []);
  q.defer({}, 'k', 'draw', () => got.push('second'), []);
  const debug = console.debug;
  console.debug = () => {};
  try { frame(); } finally { console.debug = debug; }
  assert.deepEqual(got, [true, 'second']);
  assert.equal(q.running, false);
});

test('forget drops a removed view\'s calls', () => {
  const { q, frame, shown } = harness();
  shown.add('k');
  const got = [];
  const v = {};
  q.defer(v, 'k', 'draw', () => got.push('draw'), []);
  q.forget(v);
  frame();
  assert.deepEqual(got, []);
  assert.equal(q.size, 0);
});

test('syncTransitions makes transition() answer the selection while fn runs, then restores the prototype', () => {
  const calls = [];
  function transition(name) { calls.push(name); return { duration: () => 'later' }; }
  const proto = { transition, attr(k, v) { this[k] = v; return this; } };
  const sel = Object.create(proto);
  const out = syncTransitions(proto, () => {
    const t = sel.transition('x').duration(0).attr('d', 'M0,0');
    assert.equal(t, sel);
    // nested: no second patch, still synchronous
    return syncTransitions(proto, () => sel.transition('y').delay(5).ease(null));
  });
  assert.equal(out, sel);
  assert.equal(sel.d, 'M0,0');
  assert.deepEqual(calls, []);
  assert.equal(proto.transition, transition);
  assert.equal('duration' in proto, false);
  assert.equal('nbmSync' in proto, false);
  assert.equal(sel.transition('z').duration(0), 'later');
  assert.deepEqual(calls, ['z']);
  assert.throws(() => syncTransitions(proto, () => { throw new Error('boom'); }), /boom/);
  assert.equal(proto.transition, transition); // restored after a throw too
  assert.equal(syncTransitions(null, () => 7), 7);
});
