"""The device key: a random token kept in the participant's browser, so a reload is the same participant.

It is made in the browser (never from anything about the device) and only its hash is stored. If the
browser refuses storage (some private modes), the key lasts for the page only.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = """
const STORAGE_KEY = "workshop-device-key";

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function render({ model }) {
  let key = null;
  try { key = window.localStorage.getItem(STORAGE_KEY); } catch (e) { key = null; }
  if (!key || !/^[0-9a-f]{32}$/.test(key)) {
    key = newKey();
    try { window.localStorage.setItem(STORAGE_KEY, key); } catch (e) { /* page-only key */ }
  }
  model.set("key", key);
  model.save_changes();
}

export default { render };
"""


class DeviceKey(anywidget.AnyWidget):
    """An invisible widget whose `key` the browser fills in from localStorage."""

    _esm = _ESM
    key = traitlets.Unicode("").tag(sync=True)
