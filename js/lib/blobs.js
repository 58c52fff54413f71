// Bytes sent once from the kernel in Blob widgets (nbmonitor/views/_common.py).
// A view's model holds `blobs`: references ("IPY_MODEL_<id>") to those widgets.

const PREFIX = "IPY_MODEL_";

/** The model id inside a widget reference. */
export function refId(ref) {
  if (typeof ref === "string" && ref.startsWith(PREFIX)) return ref.slice(PREFIX.length);
  throw new Error(`not a widget reference: ${JSON.stringify(ref)}`);
}

/** A DataView / ArrayBuffer / typed array as a Uint8Array (no copy). */
export function asBytes(data) {
  if (!data) return new Uint8Array(0);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(0);
}

/**
 * Resolves blob references to bytes, each once, caching by reference.
 * `getModel(ref)` returns (a promise of) a model with `get("data")`.
 */
export class BlobCache {
  constructor(getModel) {
    this.getModel = getModel;
    this.cache = new Map();
  }

  /** @returns {Promise<Uint8Array>} */
  get(ref) {
    if (!this.cache.has(ref)) {
      const p = Promise.resolve(this.getModel(ref)).then((m) => asBytes(m.get("data")));
      p.catch(() => this.cache.delete(ref));
      this.cache.set(ref, p);
    }
    return this.cache.get(ref);
  }

  /** @returns {Promise<Uint8Array[]>} the bytes of every reference, in order */
  all(refs) {
    return Promise.all(refs.map((r) => this.get(r)));
  }
}

/**
 * A getModel for anywidget's render args: the widget manager (ipywidgets' "IPY_MODEL_<id>"
 * references), else anywidget's `host`, which wants "anywidget:<id>".
 */
export function modelGetter(model, host) {
  if (model.widget_manager && typeof model.widget_manager.get_model === "function") {
    return (ref) => model.widget_manager.get_model(refId(ref));
  }
  return (ref) => host.getModel(`anywidget:${refId(ref)}`);
}
