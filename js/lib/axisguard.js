// bqplot's Axis view subscribes to its scale's domain_changed as soon as the scale view exists
// (set_scale_promise), but makes its d3 axis (create_axis) only once the offset scale's promise has
// settled too. A domain change in between (points arriving while a chart is first drawn) ran
// redraw_axisline -> update_scales on an axis that did not exist yet: "Cannot read properties of
// undefined (reading 'scale')", logged by the widget manager as "Error setting state" for the line
// whose new data moved the domain. Until the axis exists there is nothing to redraw: its render draws it
// from the current domain right after create_axis. Wrapped once per view class (its prototype).

const GUARDED = Symbol.for('nbmonitor.axisguard');
const BEFORE_AXIS = ['redraw_axisline', 'update_scales'];

export function guardAxisClass(proto) {
  if (!proto || Object.prototype.hasOwnProperty.call(proto, GUARDED)) return false;
  proto[GUARDED] = true;
  for (const name of BEFORE_AXIS) {
    const own = proto[name];
    if (typeof own !== 'function') continue;
    proto[name] = function nbmAxisGuard(...a) {
      if (!this.axis) return undefined; // not made yet: create_axis and the render's own redraw follow
      return own.apply(this, a);
    };
  }
  return true;
}

// The class behind an axis model, before any of its views renders (so the views register the guarded
// redraw_axisline as their listener), where the widget manager can load classes (ipywidgets' managers).
export async function guardAxisModel(axisModel) {
  const wm = axisModel && axisModel.widget_manager;
  if (!wm || typeof wm.loadClass !== 'function') return false;
  try {
    const cls = await wm.loadClass(axisModel.get('_view_name'), axisModel.get('_view_module'),
      axisModel.get('_view_module_version'));
    return guardAxisClass(cls && cls.prototype);
  } catch (e) {
    return false; // views that render later are guarded from the first one seen (charts.js lazyViews)
  }
}
