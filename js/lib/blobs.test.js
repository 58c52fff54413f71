import { test } from "node:test";
import assert from "node:assert/strict";
import { refId, asBytes, BlobCache, modelGetter } from "./blobs.js";

test("refId and asBytes", () => {
  assert.equal(refId("IPY_MODEL_abc"), "abc");
  assert.throws(() => refId("abc"));
  const buf = new Uint8Array([1, 2, 3, 4]).buffer;
  assert.deepEqual([...asBytes(new DataView(buf, 1, 2))], [2, 3]);
  assert.deepEqual([...asBytes(buf)], [1, 2, 3, 4]);
  assert.equal(asBytes(null).length, 0);
});

test("BlobCache asks for each reference once", async () => {
  const asked = [];
  const models = { IPY_MODEL_a: new Uint8Array([1]), IPY_MODEL_b: new Uint8Array([2, 3]) };
  const cache = new BlobCache(async (ref) => { asked.push(ref); return { get: () => models[ref] }; });
  const all = await cache.all(["IPY_MODEL_a", "IPY_MODEL_b"]);
  await cache.get("IPY_MODEL_a");
  assert.deepEqual(all.map((b) => [...b]), [[1], [2, 3]]);
  assert.deepEqual(asked, ["IPY_MODEL_a", "IPY_MODEL_b"]);
});

test("modelGetter: the widget manager, else anywidget's host", async () => {
  const host = { getModel: (ref) => `host:${ref}` };
  const model = { widget_manager: { get_model: (id) => `wm:${id}` } };
  assert.equal(modelGetter(model, host)("IPY_MODEL_x"), "wm:x");
  assert.equal(modelGetter({}, host)("IPY_MODEL_x"), "host:anywidget:x");
});
