import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardAxisClass, guardAxisModel } from './axisguard.js';

// bqplot's order, reduced: the scale view and its domain_changed listener first, the d3 axis after
// another promise (the offset scale).
function makeAxisClass() {
  class Scale {
    constructor() { this.listeners = []; this.scale = (v) => v; }
    on(_ev, fn, ctx) { this.listeners.push(() => fn.call(ctx)); }
    changeDomain() { for (const l of this.listeners) l(); }
  }
  class Axis {
    async render(offset) {
      this.axis_scale = new Scale();
      this.axis_scale.on('domain_changed', this.redraw_axisline, this);
      await offset;
      this.axis = { scale: (s) => { this.drawnWith = s; } };
      this.update_scales();
    }
    redraw_axisline() { this.update_scales(); this.redraws = (this.redraws || 0) + 1; }
    update_scales() { this.axis.scale(this.axis_scale.scale); }
  }
  return Axis;
}

test('unguarded, a domain change before the axis exists throws as in bqplot', async () => {
  const Axis = makeAxisClass();
  const v = new Axis();
  let release;
  const done = v.render(new Promise((r) => { release = r; }));
  await null;
  assert.throws(() => v.axis_scale.changeDomain(), /reading 'scale'/);
  release();
  await done;
});

test('guarded, the early domain change is skipped and the axis is drawn once it exists', async () => {
  const Axis = makeAxisClass();
  assert.equal(guardAxisClass(Axis.prototype), true);
  assert.equal(guardAxisClass(Axis.prototype), false); // once per class
  const v = new Axis();
  let release;
  const done = v.render(new Promise((r) => { release = r; }));
  await null;
  v.axis_scale.changeDomain(); // no throw
  assert.equal(v.redraws, undefined);
  release();
  await done;
  assert.equal(v.drawnWith, v.axis_scale.scale);
  v.axis_scale.changeDomain(); // later changes redraw as before
  assert.equal(v.redraws, 1);
});

test('the class is guarded from the axis model through the widget manager, before any view exists', async () => {
  const Axis = makeAxisClass();
  const asked = [];
  const model = {
    get: (k) => ({ _view_name: 'Axis', _view_module: 'bqplot', _view_module_version: '^0.6' })[k],
    widget_manager: { loadClass: async (...a) => { asked.push(a); return Axis; } },
  };
  assert.equal(await guardAxisModel(model), true);
  assert.deepEqual(asked, [['Axis', 'bqplot', '^0.6']]);
  const v = new Axis();
  let release;
  const done = v.render(new Promise((r) => { release = r; }));
  await null;
  assert.doesNotThrow(() => v.axis_scale.changeDomain());
  release();
  await done;
  assert.equal(await guardAxisModel({ get: () => null, widget_manager: {} }), false); // no loadClass
});
