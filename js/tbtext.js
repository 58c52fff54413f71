// Text of add_text: one card per key, a step slider, markdown rendered safely
// (js/lib/markdown.js builds the DOM with createElement/textContent only).
import { parseMarkdown, renderMarkdown } from "./lib/markdown.js";
import { h } from "./lib/dom.js";

function render({ model, el }) {
  el.classList.add("nbm-tb", "nbm-tbtext");
  const chosen = new Map(); // key index -> position chosen (absent: follow the newest)
  const cards = new Map();

  function card(k, key) {
    if (!cards.has(k)) {
      const root = h("div", "nbm-tb-card");
      const title = h("div", "nbm-tb-title", key.key + (key.run ? `  (${key.run})` : ""));
      const row = h("div", "nbm-tb-controls");
      const slider = h("input", "nbm-tb-slider");
      slider.type = "range";
      slider.min = "0";
      const label = h("span", "nbm-tb-step");
      row.append(slider, label);
      const body = h("div", "nbm-tb-md");
      root.append(title, row, body);
      el.appendChild(root);
      slider.oninput = () => { chosen.set(k, Number(slider.value)); draw(); };
      cards.set(k, { root, slider, label, body, shown: null });
    }
    return cards.get(k);
  }

  function draw() {
    const keys = model.get("names") || [];
    const byKey = new Map();
    for (const it of model.get("items") || []) {
      if (!byKey.has(it.k)) byKey.set(it.k, []);
      byKey.get(it.k).push(it);
    }
    for (const [k, list] of byKey) {
      if (!keys[k]) continue;
      list.sort((a, b) => a.s - b.s);
      const c = card(k, keys[k]);
      const pos = Math.min(chosen.has(k) ? chosen.get(k) : list.length - 1, list.length - 1);
      const it = list[pos];
      c.slider.max = String(list.length - 1);
      c.slider.value = String(pos);
      c.slider.style.display = list.length > 1 ? "" : "none";
      c.label.textContent = `step ${it.s}` + (list.length > 1 ? `  (${pos + 1}/${list.length})` : "");
      c.root.dataset.step = String(it.s);
      if (c.shown !== it) {
        c.body.replaceChildren(renderMarkdown(parseMarkdown(it.text), document));
        c.shown = it;
      }
    }
  }

  model.on("change:items", draw);
  model.on("change:names", draw);
  draw();
  return () => {
    model.off("change:items", draw);
    model.off("change:names", draw);
  };
}

export default { render };
