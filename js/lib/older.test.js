import { test } from "node:test";
import assert from "node:assert/strict";
import { Answers, SliderSteps, StepRuns } from "./older.js";

test("runs of evenly spaced steps are indexed without expanding them", () => {
  const r = new StepRuns([0, 10, 1000, 10005, 0, 1, 10007, 3, 2]); // 0..9990 by 10, 10005, 10007, 10010
  assert.equal(r.length, 1003);
  assert.equal(r.at(0), 0);
  assert.equal(r.at(999), 9990);
  assert.equal(r.at(1000), 10005);
  assert.equal(r.at(1002), 10010);
  assert.equal(r.indexOf(30), 3);
  assert.equal(r.indexOf(35), -1);
  assert.equal(r.indexOf(10005), 1000);
  assert.equal(r.indexOf(10010), 1002);
  assert.equal(r.indexOf(10013), -1);
  assert.equal(new StepRuns(undefined).length, 0);
});

test("the slider lists the older steps, then the kept ones", () => {
  const s = new SliderSteps([0, 1, 26], [26, 27, 28, 29]);
  assert.equal(s.length, 30);
  assert.deepEqual(s.at(3), { step: 3, kept: -1 });
  assert.deepEqual(s.at(26), { step: 26, kept: 0 });
  assert.deepEqual(s.at(29), { step: 29, kept: 3 });
  assert.equal(s.indexOf(3), 3);
  assert.equal(s.indexOf(28), 28);
  assert.equal(s.indexOf(99), -1);
});

test("each older step is asked for once; the newest answers are kept", () => {
  const freed = [];
  const a = new Answers(2, (v) => freed.push(v));
  let sent = 0;
  a.want("s1", () => sent++);
  a.want("s1", () => sent++);
  assert.equal(sent, 1);
  a.put("s1", "one");
  a.want("s1", () => sent++);
  assert.equal(sent, 1);
  a.put("s2", "two");
  a.put("s3", "three");
  assert.deepEqual(freed, ["one"]);
  assert.equal(a.get("s1"), undefined);
  assert.equal(a.get("s3"), "three");
  a.clear();
  assert.deepEqual(freed, ["one", "two", "three"]);
});
