// The module tree of add_graph: collapsible <details> per module with its type and
// parameter count; "expand all" / "collapse all". Names reach the DOM as text only.
import { formatCount } from "./lib/plot.js";
import { h } from "./lib/dom.js";

function node(n, depth) {
  const label = h("span", "nbm-graph-label");
  label.append(h("b", "nbm-graph-name", n.name), h("span", "nbm-graph-type", n.type));
  if (n.params !== null && n.params !== undefined) label.append(h("span", "nbm-graph-params", formatCount(n.params)));
  const kids = n.children || [];
  if (!kids.length) {
    const leaf = h("div", "nbm-graph-leaf");
    leaf.appendChild(label);
    return leaf;
  }
  const d = h("details", "nbm-graph-node");
  d.open = depth < 2;
  const s = h("summary");
  s.appendChild(label);
  d.appendChild(s);
  for (const c of kids) d.appendChild(node(c, depth + 1));
  return d;
}

function render({ model, el }) {
  el.classList.add("nbm-tb", "nbm-tbgraph");
  function draw() {
    el.replaceChildren();
    for (const g of model.get("graphs") || []) {
      const card = h("div", "nbm-tb-card");
      const bar = h("div", "nbm-tb-controls");
      bar.appendChild(h("span", "nbm-tb-title", g.run));
      for (const [text, open] of [["expand all", true], ["collapse all", false]]) {
        const b = h("button", "nbm-tb-button", text);
        b.onclick = () => card.querySelectorAll("details").forEach((d) => { d.open = open; });
        bar.appendChild(b);
      }
      card.append(bar, node(g.tree, 0));
      el.appendChild(card);
    }
  }
  model.on("change:graphs", draw);
  draw();
  return () => model.off("change:graphs", draw);
}

export default { render };
